// The whole state in the URL fragment, so an instructor can send a link to a view. The fragment is
// URLSearchParams text (#text=The%20cat&d=64&h=4...). Reading it is strict: each value is checked
// against what the control allows, and anything else is dropped with a notice that names it. Text
// is data only: it goes back into the textarea's value, never into markup.
'use strict';
(function shareModule(Spotlight) {
  const config = Spotlight.settings;
  const MAX_TEXT = 100000;
  const PATTERN_IDS = config.HEAD_PATTERNS.map((p) => p.id);

  const flag = (value) => (value === '1' ? true : value === '0' ? false : undefined);
  const integer = (value, min, max) => {
    if (!/^\d{1,10}$/.test(value)) return undefined;
    const number = Number(value);
    return number >= min && number <= max ? number : undefined;
  };
  const decimal = (value, min, max) => {
    if (!/^\d+(\.\d+)?(e-?\d+)?$/i.test(value)) return undefined;
    const number = Number(value);
    return Number.isFinite(number) && number >= min && number <= max ? number : undefined;
  };
  const oneOf = (choices) => (value) => (choices.includes(value) ? value : undefined);

  // key in the fragment -> [state key, reader, writer]
  const FIELDS = {
    model: ['model', oneOf(config.MODELS), String],
    layer: ['layer', (v) => integer(v, 0, config.MAX_LAYERS - 1), String],
    text: ['text', (v) => (v.length <= MAX_TEXT ? v : undefined), String],
    mode: ['mode', oneOf(['word', 'char']), String],
    lower: ['lowercase', flag, (v) => (v ? '1' : '0')],
    d: ['embedDim', (v) => { const n = integer(v, 1, 4096); return config.EMBED_DIMS.includes(n) ? n : undefined; }, String],
    h: ['numHeads', (v) => integer(v, 1, config.MAX_HEADS), String],
    seed: ['seed', (v) => integer(v, 0, 2147483647), String],
    causal: ['causal', flag, (v) => (v ? '1' : '0')],
    scaled: ['scaled', flag, (v) => (v ? '1' : '0')],
    t: ['temperature', (v) => decimal(v, 0.1, 10), String],
    pos: ['positional', flag, (v) => (v ? '1' : '0')],
    head: ['head', (v) => (v === 'mean' || v === 'max' ? v : integer(v, 0, config.MAX_MODEL_HEADS - 1)), String],
    // The opened model's name (its folder, or the published shape it has), so that a link to a
    // GPT-2 view can say which files to open.
    name: ['modelName', (v) => (/^[\p{L}\p{N} ._()+,-]{1,64}$/u.test(v) ? v : undefined), String],
    colours: ['colourRange', oneOf(['fixed', 'stretch']), String],
    heads: ['headPatterns', (v) => {
      const patterns = v.split(',');
      return patterns.length <= config.MAX_HEADS && patterns.every((p) => PATTERN_IDS.includes(p)) ? patterns : undefined;
    }, (v) => v.join(',')],
    window: ['window', (v) => integer(v, 0, 8), String],
    compare: ['compare', oneOf(config.COMPARISONS), String],
    seedB: ['compareSeed', (v) => integer(v, 0, 2147483647), String],
    tB: ['compareTemperature', (v) => decimal(v, 0.1, 10), String],
    layerB: ['compareLayer', (v) => integer(v, 0, config.MAX_LAYERS - 1), String],
    headB: ['compareHead', (v) => integer(v, 0, config.MAX_MODEL_HEADS - 1), String],
    theme: ['theme', oneOf(['auto', 'light', 'dark']), String],
    task: ['trainTask', oneOf(['workshop', 'induction', 'text']), String],
    layers: ['trainLayers', (v) => integer(v, 1, 4), String],
    theads: ['trainHeads', (v) => { const n = integer(v, 1, 8); return [1, 2, 4, 8].includes(n) ? n : undefined; }, String],
    dmodel: ['trainDModel', (v) => { const n = integer(v, 1, 128); return [16, 32, 64, 128].includes(n) ? n : undefined; }, String],
    mlp: ['trainMlp', flag, (v) => (v ? '1' : '0')],
    lr: ['trainLearningRate', (v) => decimal(v, 0.00001, 0.1), String],
    batch: ['trainBatch', (v) => integer(v, 1, 256), String],
    steps: ['trainSteps', (v) => integer(v, 1, 100000), String],
    tseed: ['trainSeed', (v) => integer(v, 0, 2147483647), String],
    projector: ['projector', flag, (v) => (v ? '1' : '0')],
  };

  function shown(value) {
    const text = String(value);
    return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  }

  // Returns {settings: the valid part, problems: [messages]} for a location.hash.
  function fromFragment(hash) {
    const settings = {};
    const problems = [];
    const body = String(hash || '').replace(/^#/, '');
    if (body === '') return { settings, problems };
    let params;
    try {
      params = new URLSearchParams(body);
    } catch (error) {
      return { settings, problems: ['the link\'s settings could not be read at all'] };
    }
    for (const [key, value] of params) {
      const field = Object.prototype.hasOwnProperty.call(FIELDS, key) ? FIELDS[key] : null;
      if (!field) {
        problems.push(`unknown setting ${shown(key)}`);
        continue;
      }
      const parsed = field[1](value);
      if (parsed === undefined) problems.push(`${key} = ${shown(value)} is not allowed`);
      else settings[field[0]] = parsed;
    }
    // A link made before the trained model existed (random settings and no model) still opens
    // on the random weights it showed.
    const RANDOM_ONLY = ['d', 'h', 'seed', 'heads', 'pos', 'scaled', 't', 'causal', 'window', 'mode', 'lower', 'compare', 'seedB', 'tB'];
    if (settings.model === undefined && RANDOM_ONLY.some((key) => params.has(key))) settings.model = 'random';
    // Cross-field checks: the head count must divide the dimension, the head must exist.
    const embedDim = settings.embedDim || config.DEFAULTS.embedDim;
    if (settings.numHeads !== undefined && !config.headChoices(embedDim).includes(settings.numHeads)) {
      problems.push(`h = ${settings.numHeads} does not divide d = ${embedDim}`);
      delete settings.numHeads;
    }
    const numHeads = settings.numHeads || config.DEFAULTS.numHeads;
    // An opened model's head is checked against the model once it is open (page/compute.js).
    if (settings.model !== 'gpt2' && typeof settings.head === 'number' && settings.head >= numHeads) {
      problems.push(`head = ${settings.head} does not exist with ${numHeads} heads`);
      delete settings.head;
    }
    return { settings, problems };
  }

  // The fragment for a state: every setting that differs from the defaults, and the text.
  function toFragment(state) {
    const params = new URLSearchParams();
    for (const [key, [stateKey, , write]] of Object.entries(FIELDS)) {
      const value = state[stateKey];
      const fallback = config.DEFAULTS[stateKey];
      const same = Array.isArray(value) ? value.every((v) => v === 'random') : value === fallback;
      if (key === 'text' || !same) params.set(key, write(value));
    }
    return `#${params.toString()}`;
  }

  Spotlight.share = { fromFragment, toFragment };
}(window.Spotlight));
