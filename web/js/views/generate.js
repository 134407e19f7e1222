// "Generate" under "What comes next": an opened model continues the text in its worker, with
// temperature, top-k, top-p and a seed, and for each generated token the page shows where every
// head of the layer shown looked when the model chose it (the last position's row in each head).
'use strict';
(function generateViewModule(Spotlight) {
  const { Heatmap, $, page } = Spotlight;
  const { state, view, currentModel } = page;

  // [id, name, test, what is allowed]
  const FIELDS = [
    ['pgen-count', 'count', (v) => Number.isInteger(v) && v >= 1 && v <= 200, 'a whole number from 1 to 200'],
    ['pgen-temperature', 'temperature', (v) => Number.isFinite(v) && v >= 0 && v <= 5, 'from 0 (the likeliest token) to 5'],
    ['pgen-top-k', 'topK', (v) => Number.isInteger(v) && v >= 0, 'a whole number, 0 for every token'],
    ['pgen-top-p', 'topP', (v) => Number.isFinite(v) && v > 0 && v <= 1, 'above 0 and at most 1'],
    ['pgen-seed', 'seed', (v) => Number.isInteger(v) && v >= 0 && v <= 2147483647, 'a whole number from 0 to 2147483647'],
  ];

  function status(text) {
    $('pgen-status').textContent = text;
  }

  // The options of the controls, or null with the problem shown.
  function readOptions() {
    const options = {};
    for (const [id, name, valid, allowed] of FIELDS) {
      const raw = $(id).value.trim();
      const value = Number(raw);
      if (raw === '' || !valid(value)) {
        status(`${$(id).parentElement.querySelector('span').textContent} must be ${allowed}; got "${raw.slice(0, 20)}".`);
        return null;
      }
      options[name] = value;
    }
    return options;
  }

  async function generate() {
    const model = currentModel();
    if (!model || !model.remote || !view.read || !view.read.ids || view.read.ids.length === 0) {
      status('Open a GPT-2 model and type a text first.');
      return;
    }
    const options = readOptions();
    if (!options) return;
    const prompt = Int32Array.from(view.read.ids);
    const room = model.config.contextLength - prompt.length;
    if (room <= 0) {
      status(`The text already fills the model's context of ${model.config.contextLength} tokens: shorten it to generate.`);
      return;
    }
    const count = Math.min(options.count, room);
    const sampling = { temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed };
    $('pgen-start').disabled = true;
    status(`Generating ${count} token${count === 1 ? '' : 's'}…`);
    const started = performance.now();
    try {
      const out = await model.generate(prompt, count, sampling);
      if (currentModel() !== model) return;
      view.generation = {
        source: model, prompt: Array.from(prompt), promptLabels: view.tokens.slice(), options: Object.assign({ count }, sampling),
        ids: Array.from(out.ids), labels: out.labels, text: out.text, probabilities: Array.from(out.probabilities),
        attention: out.attention, selected: out.ids.length - 1, ms: performance.now() - started,
      };
      const rate = out.ids.length / (view.generation.ms / 1000);
      status(`${out.ids.length} tokens in ${(view.generation.ms / 1000).toFixed(2)} s (${rate.toFixed(1)} a second), computed in the model's worker` +
        `${count < options.count ? `; ${options.count - count} fewer than asked, to stay within the context of ${model.config.contextLength}` : ''}.`);
      render();
    } catch (error) {
      status(`Could not generate: ${error.message}`);
    } finally {
      $('pgen-start').disabled = false;
    }
  }

  function render() {
    const g = view.generation;
    const list = $('pgen-tokens');
    list.textContent = '';
    const model = currentModel();
    const current = Boolean(g && model && g.source === model);
    $('pgen-look').hidden = !current;
    $('pgen-look-caption').hidden = !current;
    if (!current) return;
    g.ids.forEach((id, i) => {
      const chip = document.createElement('li');
      chip.className = `token generated${i === g.selected ? ' selected' : ''}`;
      chip.tabIndex = 0;
      chip.setAttribute('role', 'button');
      chip.setAttribute('aria-pressed', String(i === g.selected));
      const text = document.createElement('span');
      text.className = 'token-text';
      text.textContent = g.labels[i];
      const p = document.createElement('span');
      p.className = 'token-index';
      p.textContent = `${(g.probabilities[i] * 100).toFixed(1)}%`;
      chip.title = `token id ${id}: its probability under the settings was ${(g.probabilities[i] * 100).toFixed(2)}%`;
      chip.append(p, text);
      const select = () => {
        g.selected = i;
        render();
      };
      chip.addEventListener('click', select);
      chip.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          select();
        }
      });
      list.appendChild(chip);
    });
    drawLook(g, model);
  }

  // The selected token's attention: the heads of the layer shown (rows) over the keys it saw.
  function drawLook(g, model) {
    const { numHeads, numLayers } = model.config;
    const layer = Math.min(state.layer, numLayers - 1);
    const t = g.selected;
    const keys = g.prompt.length + t;
    const rows = g.attention[t];
    const values = rows.subarray(layer * numHeads * keys, (layer + 1) * numHeads * keys);
    const keyLabels = g.promptLabels.concat(g.labels.slice(0, t));
    const headLabels = Array.from({ length: numHeads }, (_, h) => `head ${layer}.${h}`);
    if (!view.generateMap) view.generateMap = new Heatmap($('pgen-look'), { maxCell: 26 });
    view.generateMap.draw(values, headLabels, keyLabels, 1);
    $('pgen-look-caption').textContent = `Where each head of layer ${layer} looked when the model chose "${g.labels[t]}" ` +
      `(token ${t + 1} of ${g.ids.length}): the attention of the last position then (query "${keyLabels[keys - 1]}") ` +
      `over the ${keys} tokens before. Change the layer above to see another.`;
  }

  function bind() {
    $('pgen-start').addEventListener('click', () => { generate(); });
  }

  Spotlight.views.generate = { render, bind };
}(window.Spotlight));
