// The page: wires the controls to the settings, recomputes through the wasm module on every edit
// (debounced), and renders the views. User text only ever reaches the page as textContent, SVG
// text nodes or canvas text - never as HTML.
'use strict';
(function appModule(Spotlight) {
  const { settings: config, Engine, Heatmap, ArcView, colormap, rowStatistics } = Spotlight;
  const $ = (id) => document.getElementById(id);
  const TYPING_DELAY_MS = 60;

  const state = Object.assign({}, config.DEFAULTS);
  const view = {
    engine: null, tokens: [], total: 0, result: null, arcHeads: new Set([0]),
    heatmap: null, arcs: null, smallMultiples: [], firstHeatmapMs: null, timer: 0, pending: false,
    compare: null, compareMaps: null, scalingPoints: null, scalingSeed: null, linkProblems: [],
    lastFragment: '',
    models: { trained: null, yours: null },  // ModelViews of the shipped model and of yours
    modelProblem: null,     // why the trained model could not be loaded, if it could not
    labelSample: null,      // held-out workshop sentences the head labels are measured on
    pinRelation: true,      // pin the preset's relation row at the next compute
    read: null,             // how the model read the text (ModelView.read)
    timings: {},
  };

  function option(select, value, label) {
    const element = document.createElement('option');
    element.value = String(value);
    element.textContent = label;
    select.appendChild(element);
  }

  function replaceOptions(select, entries, selected) {
    select.textContent = '';
    for (const [value, label] of entries) option(select, value, label);
    select.value = String(selected);
  }

  // ---- messages ----------------------------------------------------------------------------

  function showMessages(lines) {
    const box = $('messages');
    box.textContent = '';
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      box.appendChild(p);
    }
  }

  // ---- controls ----------------------------------------------------------------------------

  // The model the views show, or null for random weights.
  function currentModel() {
    return state.model === 'random' ? null : view.models[state.model];
  }

  function headCount() {
    const model = currentModel();
    return model ? model.config.numHeads : state.numHeads;
  }

  // "head 0.2" for layer 0, head 2 of a model; "head 2" for the single layer of random weights.
  function headName(head, layer = state.layer) {
    return currentModel() ? `head ${layer}.${head}` : `head ${head}`;
  }

  function headLabel(layer, head) {
    const model = currentModel();
    if (!model || !model.labels) return '';
    const entry = model.labels.find((l) => l.layer === layer && l.head === head);
    return entry ? entry.label : '';
  }

  function headEntries() {
    const entries = [];
    for (let h = 0; h < headCount(); h += 1) {
      const label = headLabel(state.layer, h);
      entries.push([h, label ? `${headName(h)}: ${label}` : headName(h)]);
    }
    entries.push(['mean', 'mean over heads'], ['max', 'max over heads']);
    return entries;
  }

  function syncControls() {
    $('preset').value = config.PRESETS.some((p) => p.text === state.text)
      ? config.PRESETS.find((p) => p.text === state.text).id : 'own';
    if ($('text').value !== state.text) $('text').value = state.text;
    for (const radio of document.querySelectorAll('input[name="mode"]')) {
      radio.checked = radio.value === state.mode;
      radio.disabled = state.model !== 'random';  // a trained model reads text its own way
    }
    $('lowercase').checked = state.lowercase;
    $('lowercase').disabled = state.model !== 'random';
    for (const radio of document.querySelectorAll('input[name="model"]')) radio.checked = radio.value === state.model;
    const model = currentModel();
    $('layer-field').hidden = !model;
    if (model) {
      replaceOptions($('layer'), Array.from({ length: model.config.numLayers }, (_, l) => [l, `layer ${l}`]), state.layer);
    }
    $('random-settings').classList.toggle('disabled', Boolean(model));
    for (const control of $('random-settings').querySelectorAll('input, select')) {
      if (!['theme', 'projector'].includes(control.id)) control.disabled = Boolean(model);
    }
    $('settings-note').hidden = !model;
    if (model) {
      const c = model.config;
      $('settings-note').textContent = `The trained model fixes its own: ${c.numLayers} layers of ${c.numHeads} heads, ` +
        `d_model ${c.embedDim}, causal, scaled by 1/√${c.embedDim / c.numHeads}, learned positions` +
        `${c.mlp ? ', an MLP in each layer' : ', attention only'}. Switch to "random and designed" weights to change them.`;
    }
    $('designed-heads').hidden = Boolean(model);
    $('heads-help').hidden = !model;
    $('embed-dim').value = String(state.embedDim);
    replaceOptions($('num-heads'), config.headChoices(state.embedDim).map((h) => [h, String(h)]), state.numHeads);
    $('seed').value = String(state.seed);
    $('temperature').value = String(Math.log10(state.temperature));
    $('temperature-value').textContent = state.temperature.toPrecision(2);
    $('causal').checked = state.causal;
    $('scaled').checked = state.scaled;
    $('positional').checked = state.positional;
    replaceOptions($('head'), headEntries(), state.head);
    $('colour-range').value = state.colourRange;
    $('theme').value = state.theme;
    $('projector').checked = state.projector;
    $('window').value = String(state.window);
    $('compare').value = state.compare;
    $('compare-seed').value = String(state.compareSeed);
    $('compare-temperature').value = String(state.compareTemperature);
    renderHeadPatterns();
  }

  // One select per head: random or a designed pattern.
  function renderHeadPatterns() {
    const box = $('head-patterns');
    if (box.childElementCount === state.numHeads) {
      Array.from(box.querySelectorAll('select')).forEach((select, h) => { select.value = patternOf(h); });
      return;
    }
    box.textContent = '';
    for (let h = 0; h < state.numHeads; h += 1) {
      const label = document.createElement('label');
      label.className = 'field';
      const caption = document.createElement('span');
      caption.textContent = `head ${h}`;
      caption.style.borderBottom = `3px solid ${colormap.headColour(h)}`;
      const select = document.createElement('select');
      select.dataset.head = String(h);
      replaceOptions(select, config.HEAD_PATTERNS.map((p) => [p.id, p.label]), patternOf(h));
      select.addEventListener('change', () => {
        const patterns = Array.from({ length: state.numHeads }, (_, i) => patternOf(i));
        patterns[h] = select.value;
        state.headPatterns = patterns;
        update();
      });
      label.append(caption, select);
      box.appendChild(label);
    }
  }

  function patternOf(head) {
    return state.headPatterns[head] || 'random';
  }

  function bindControls() {
    replaceOptions($('preset'), config.PRESETS.map((p) => [p.id, p.label]).concat([['own', 'Your own text']]), 'cat');
    replaceOptions($('embed-dim'), config.EMBED_DIMS.map((d) => [d, String(d)]), state.embedDim);

    $('preset').addEventListener('change', () => {
      const preset = config.PRESETS.find((p) => p.id === $('preset').value);
      if (preset) {
        state.text = preset.text;
        showRelationHead();
      } else {
        $('text').focus();
      }
      update();
    });
    $('text').addEventListener('input', () => {
      state.text = $('text').value;
      schedule(TYPING_DELAY_MS);
    });
    for (const radio of document.querySelectorAll('input[name="mode"]')) {
      radio.addEventListener('change', () => { state.mode = radio.value; update(); });
    }
    $('lowercase').addEventListener('change', () => { state.lowercase = $('lowercase').checked; update(); });
    for (const radio of document.querySelectorAll('input[name="model"]')) {
      radio.addEventListener('change', () => { if (radio.checked) selectModel(radio.value); });
    }
    $('layer').addEventListener('change', () => {
      state.layer = Number($('layer').value);
      view.arcHeads = new Set([typeof state.head === 'number' ? state.head : 0]);
      update();
    });
    $('weights-pattern').addEventListener('change', () => {
      view.weightsPattern = $('weights-pattern').value;
      renderWeightsCompare();
    });
    $('embed-dim').addEventListener('change', () => {
      state.embedDim = Number($('embed-dim').value);
      const choices = config.headChoices(state.embedDim);
      if (!choices.includes(state.numHeads)) state.numHeads = choices.filter((h) => h <= state.numHeads).pop() || 1;
      clampHead();
      update();
    });
    $('num-heads').addEventListener('change', () => {
      state.numHeads = Number($('num-heads').value);
      clampHead();
      update();
    });
    $('seed').addEventListener('input', () => {
      const raw = $('seed').value.trim();
      const seed = Number(raw);
      if (raw === '' || !Number.isInteger(seed) || seed < 0 || seed > 2147483647) {
        showMessages([`The seed must be a whole number from 0 to 2147483647; keeping ${state.seed}.`]);
        return;
      }
      state.seed = seed;
      schedule(TYPING_DELAY_MS);
    });
    $('temperature').addEventListener('input', () => {
      state.temperature = Number((10 ** Number($('temperature').value)).toPrecision(3));
      update();
    });
    for (const [id, key] of [['causal', 'causal'], ['scaled', 'scaled'], ['positional', 'positional']]) {
      $(id).addEventListener('change', () => { state[key] = $(id).checked; update(); });
    }
    $('head').addEventListener('change', () => {
      const value = $('head').value;
      state.head = value === 'mean' || value === 'max' ? value : Number(value);
      if (typeof state.head === 'number') view.arcHeads = new Set([state.head]);
      render();
    });
    $('colour-range').addEventListener('change', () => {
      state.colourRange = $('colour-range').value;
      render();
    });
    $('theme').addEventListener('change', () => { state.theme = $('theme').value; render(); });
    $('projector').addEventListener('change', () => { state.projector = $('projector').checked; render(); });
    bindNumber('window', 'window', (v) => Number.isInteger(v) && v >= 0 && v <= 8);
    $('compare').addEventListener('change', () => { state.compare = $('compare').value; update(); });
    bindNumber('compare-seed', 'compareSeed', (v) => Number.isInteger(v) && v >= 0 && v <= 2147483647);
    bindNumber('compare-temperature', 'compareTemperature', (v) => Number.isFinite(v) && v >= 0.1 && v <= 10);
    bindExports();
    window.addEventListener('hashchange', () => {
      if (location.hash !== view.lastFragment) applyFragment(location.hash);
    });
    window.addEventListener('resize', () => schedule(100, render));
    if (systemDark) systemDark.addEventListener('change', () => render());
  }

  // A number input bound to state[key]: values that `valid` rejects are ignored while typing.
  function bindNumber(id, key, valid) {
    $(id).addEventListener('input', () => {
      const value = Number($(id).value);
      if ($(id).value.trim() !== '' && valid(value)) {
        state[key] = value;
        schedule(TYPING_DELAY_MS);
      }
    });
  }

  // Switches whose weights the views show.
  function selectModel(model) {
    if (model !== 'random' && !view.models[model]) {
      showMessages([model === 'yours'
        ? 'You have not trained a model yet: start one in "Train it yourself" below, then pick it here.'
        : `The trained model could not be loaded: ${view.modelProblem || 'it is missing'}.`]);
      syncControls();
      return;
    }
    state.model = model;
    if (model === 'random') {
      clampHead();
    } else {
      state.layer = Math.min(state.layer, view.models[model].config.numLayers - 1);
      showRelationHead();
    }
    update();
  }

  // With a trained model and a preset's text: show the head that measured best for the preset's
  // relation, with the query's row pinned.
  function showRelationHead() {
    const model = currentModel();
    const preset = config.PRESETS.find((p) => p.text === state.text);
    const relation = model && preset ? model.relationOf(preset.id) : null;
    if (relation && relation.layer < model.config.numLayers && relation.head < model.config.numHeads) {
      state.layer = relation.layer;
      state.head = relation.head;
      view.arcHeads = new Set([relation.head]);
    }
    view.pinRelation = true;
  }

  function clampHead() {
    if (typeof state.head === 'number' && state.head >= headCount()) state.head = 0;
    state.headPatterns = state.headPatterns.slice(0, state.numHeads);
    view.arcHeads = new Set([typeof state.head === 'number' ? state.head : 0]);
  }

  function schedule(delay, task = update) {
    clearTimeout(view.timer);
    view.pending = true;
    view.timer = setTimeout(() => {
      view.pending = false;
      task();
    }, delay);
  }

  // ---- compute -----------------------------------------------------------------------------

  function update() {
    clearTimeout(view.timer);
    view.pending = false;
    if (view.linkProblemsShown) view.linkProblems = [];
    view.linkProblemsShown = view.linkProblems.length > 0;
    const { tokens, total } = Spotlight.tokenize(state.text,
      { mode: state.mode, lowercase: state.lowercase, limit: config.MAX_TOKENS });
    view.tokens = tokens;
    view.total = total;
    const messages = [];
    if (total > config.MAX_TOKENS && !currentModel()) {
      messages.push(`This text has ${total.toLocaleString('en')} tokens; only the first ` +
        `${config.MAX_TOKENS.toLocaleString('en')} are shown (the page's limit, so it stays responsive).`);
    }
    if (view.linkProblems.length > 0 && !currentModel()) {
      messages.push(`This link had settings that were ignored: ${view.linkProblems.join('; ')}.`);
    }
    view.result = null;
    view.compare = null;
    view.read = null;
    const model = currentModel();
    if (model) {
      computeModel(model, messages);
    } else if (tokens.length === 0) {
      messages.push('Type some text to see how its tokens attend to each other.');
    } else {
      try {
        view.result = view.engine.compute(tokens, state);
        if (state.compare !== 'off') view.compare = view.engine.compute(tokens, comparedSettings());
      } catch (error) {
        messages.push(`Could not compute attention: ${error.message}`);
      }
    }
    showMessages(messages);
    syncControls();
    render();
  }

  // The text as the trained model reads it, and its attention in the shown layer.
  function computeModel(model, messages) {
    view.total = 0;
    let read;
    try {
      read = model.read(state.text);
    } catch (error) {
      view.tokens = [];
      messages.push(`Could not read the text: ${error.message}`);
      return;
    }
    view.read = read;
    view.tokens = read.tokens;
    view.total = read.total;
    // The model sees <bos> first, as in training; the text's first contextLength - 1 words follow.
    if (read.cut > 0) {
      messages.push(`The model reads at most ${model.config.contextLength - 1} words (its context is ` +
        `${model.config.contextLength} tokens with <bos>); the last ${read.cut.toLocaleString('en')} of ` +
        `${read.total.toLocaleString('en')} are left out. Random weights take up to ${config.MAX_TOKENS.toLocaleString('en')} tokens.`);
    }
    if (read.unknown.length > 0) {
      const shown = read.unknown.slice(0, 8).map((w) => `"${w}"`).join(', ');
      messages.push(`Not in the model's ${model.vocabulary.length - 2} words, so read as <unk>: ${shown}` +
        `${read.unknown.length > 8 ? ` and ${read.unknown.length - 8} more` : ''}.`);
    }
    if (read.words.length === 0) {
      messages.push('Type some text to see how the trained model\'s tokens attend to each other.');
    }
    if (view.linkProblems.length > 0 && !messages.some((m) => m.startsWith('This link'))) {
      messages.push(`This link had settings that were ignored: ${view.linkProblems.join('; ')}.`);
    }
    if (state.layer >= model.config.numLayers) state.layer = 0;
    if (typeof state.head === 'number' && state.head >= model.config.numHeads) state.head = 0;
    try {
      const started = performance.now();
      view.result = model.compute(read.ids, state.layer);
      view.timings.modelCompute = performance.now() - started;
      if (state.compare !== 'off') {
        messages.push('Compare switches the random weights\' settings; with a trained model see "Random, designed, trained" below.');
      }
    } catch (error) {
      messages.push(`Could not compute attention: ${error.message}`);
    }
    if (view.result && view.pinRelation) pinRelationRow(model);
    view.pinRelation = false;
  }

  // The preset's relation (the query's row and the key) pinned in the heatmap, or nothing.
  function pinRelationRow(model) {
    const preset = config.PRESETS.find((p) => p.text === state.text);
    const relation = preset ? model.relationOf(preset.id) : null;
    if (!relation || !view.heatmap) return;
    const row = view.tokens.indexOf(relation.query);
    const col = view.tokens.indexOf(relation.key);
    if (row < 0 || col < 0) return;
    view.heatmap.pinned = { row, col };
  }

  // ---- views -------------------------------------------------------------------------------

  function renderTokens() {
    const list = $('tokens');
    list.textContent = '';
    view.tokens.forEach((token, index) => {
      const chip = document.createElement('li');
      chip.className = 'token';
      const number = document.createElement('span');
      number.className = 'token-index';
      number.textContent = String(index);
      const text = document.createElement('span');
      text.className = 'token-text';
      text.textContent = token;
      chip.append(number, text);
      list.appendChild(chip);
    });
  }

  // The matrix the heatmap shows for a result: the selected head, or the mean or max over heads.
  function matrixOf(result) {
    if (state.head === 'mean') return result.headMean;
    if (state.head === 'max') return result.headMax;
    return result.weights[state.head];
  }

  function shownMatrix() {
    return matrixOf(view.result);
  }

  // The weight drawn in the top colour: 1, or, when the range is stretched, the 99th percentile of
  // `values` (estimated from at most 20,000 evenly spaced samples), so that one outlier does not
  // leave every other cell dark; larger weights take the top colour.
  function colourMax(values) {
    if (state.colourRange !== 'stretch') return 1;
    const step = Math.max(1, Math.floor(values.length / 20000));
    const sample = [];
    for (let i = 0; i < values.length; i += step) sample.push(values[i]);
    sample.sort((a, b) => a - b);
    return sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.99))] || 1;
  }

  function renderHeatmap() {
    const values = shownMatrix();
    const max = colourMax(values);
    view.heatmap.draw(values, view.tokens, view.tokens, max);
    $('legend-max').textContent = max === 1 ? '1' : `${max.toPrecision(2)} and above`;
    describePinned(view.heatmap.pinned);
    if (view.firstHeatmapMs === null) {
      view.firstHeatmapMs = performance.now();
      performance.mark('spotlight:first-heatmap');
    }
  }

  function describePinned(cell) {
    const box = $('pinned');
    box.textContent = '';
    if (!cell || !view.result) {
      box.textContent = 'Click a cell (or focus the heatmap and use the arrow keys) to pin a query row.';
      return;
    }
    const n = view.result.n;
    const values = shownMatrix();
    const heading = document.createElement('p');
    heading.textContent = `${view.heatmap.describe(cell.row, cell.col)}. Query "${view.tokens[cell.row]}" ` +
      'spreads its attention over the keys as follows:';
    box.appendChild(heading);
    const list = document.createElement('ol');
    list.className = 'pinned-row';
    const order = Array.from({ length: n }, (_, j) => j)
      .sort((a, b) => values[cell.row * n + b] - values[cell.row * n + a]).slice(0, 12);
    for (const j of order) {
      const item = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.round(values[cell.row * n + j] * 100)}%`;
      const label = document.createElement('span');
      label.textContent = `${view.tokens[j]} (${j}): ${values[cell.row * n + j].toFixed(3)}`;
      item.append(bar, label);
      list.appendChild(item);
    }
    box.appendChild(list);
  }

  // A trained model's grid: one row per layer, one column per head, each labelled with what the
  // detectors found; a click shows that layer and head above.
  function renderModelGrid() {
    const grid = $('small-multiples');
    grid.textContent = '';
    grid.classList.add('model-grid');
    view.smallMultiples = [];
    const { result } = view;
    result.allLayers.forEach((heads, layer) => {
      const row = document.createElement('div');
      row.className = 'grid-row';
      row.appendChild(Object.assign(document.createElement('span'), { className: 'grid-layer', textContent: `layer ${layer}` }));
      heads.forEach((values, head) => {
        const selected = layer === state.layer && head === state.head;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `multiple${selected ? ' selected' : ''}`;
        button.setAttribute('aria-pressed', String(selected));
        button.dataset.layer = String(layer);
        button.dataset.head = String(head);
        const canvas = document.createElement('canvas');
        const caption = document.createElement('span');
        caption.textContent = `${layer}.${head}`;
        caption.style.borderColor = colormap.headColour(head);
        const label = document.createElement('span');
        label.className = 'head-label';
        label.textContent = headLabel(layer, head) || ' ';
        button.append(canvas, caption, label);
        button.addEventListener('click', () => {
          state.layer = layer;
          state.head = head;
          view.arcHeads = new Set([head]);
          update();
        });
        row.appendChild(button);
        const map = new Heatmap(canvas, { labels: false, fixedSize: 76 });
        map.draw(values, view.tokens, view.tokens, colourMax(values));
        view.smallMultiples.push(map);
      });
      grid.appendChild(row);
    });
  }

  function renderSmallMultiples() {
    if (currentModel()) {
      renderModelGrid();
      return;
    }
    const grid = $('small-multiples');
    grid.textContent = '';
    grid.classList.remove('model-grid');
    view.smallMultiples = [];
    const { result } = view;
    const entries = result.weights.map((w, h) => [h, `head ${h}`, w])
      .concat([['mean', 'mean', result.headMean], ['max', 'max', result.headMax]]);
    for (const [key, label, values] of entries) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `multiple${key === state.head ? ' selected' : ''}`;
      button.setAttribute('aria-pressed', String(key === state.head));
      button.dataset.head = String(key);
      const canvas = document.createElement('canvas');
      const caption = document.createElement('span');
      caption.textContent = label;
      if (typeof key === 'number') caption.style.borderColor = colormap.headColour(key);
      button.append(canvas, caption);
      button.addEventListener('click', () => {
        state.head = key;
        if (typeof key === 'number') view.arcHeads = new Set([key]);
        syncControls();
        render();
      });
      grid.appendChild(button);
      const map = new Heatmap(canvas, { labels: false, fixedSize: 96 });
      map.draw(values, view.tokens, view.tokens, colourMax(values));
      view.smallMultiples.push(map);
    }
  }

  function renderArcs() {
    const n = view.result.n;
    const legend = $('arc-heads');
    legend.textContent = '';
    const tooMany = n > config.MAX_ARC_TOKENS;
    $('arc-note').hidden = !tooMany;
    $('arcs').style.display = tooMany ? 'none' : '';
    if (tooMany) {
      $('arc-note').textContent = `The arc view draws up to ${config.MAX_ARC_TOKENS} tokens; this text has ` +
        `${n}. The heatmap above shows every pair.`;
      return;
    }
    for (let h = 0; h < view.result.heads; h += 1) {
      const label = document.createElement('label');
      label.className = 'arc-head';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = view.arcHeads.has(h);
      box.addEventListener('change', () => {
        if (box.checked) view.arcHeads.add(h);
        else view.arcHeads.delete(h);
        drawArcLines();
      });
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colormap.headColour(h);
      label.append(box, swatch, document.createTextNode(headName(h)));
      legend.appendChild(label);
    }
    drawArcLines();
  }

  function drawArcLines() {
    const heads = Array.from(view.arcHeads).filter((h) => h < view.result.heads).sort((a, b) => a - b);
    view.arcs.draw(view.tokens, view.result.weights, heads);
  }

  function renderRowCheck() {
    const { result } = view;
    const n = result.n;
    let worst = 0;
    for (const weights of result.weights) {
      const { sums } = rowStatistics(weights, n, { entropy: false });
      for (const sum of sums) worst = Math.max(worst, Math.abs(sum - 1));
    }
    const ok = worst < 1e-5;
    const check = $('row-check');
    check.className = `row-check ${ok ? 'ok' : 'bad'}`;
    check.textContent = `${ok ? '✓' : '✗'} Every row of all ${result.heads} heads sums to 1 ` +
      `(largest deviation ${worst.toExponential(1)}, over ${result.heads * n} rows).`;
    check.dataset.maxDeviation = String(worst);

    const values = state.head === 'max' ? result.headMean : shownMatrix();
    const { sums, entropies } = rowStatistics(values, n);
    const body = $('row-stats').querySelector('tbody');
    body.textContent = '';
    const shown = Math.min(n, 64);
    for (let i = 0; i < shown; i += 1) {
      let max = 0;
      for (let j = 0; j < n; j += 1) max = Math.max(max, values[i * n + j]);
      const row = document.createElement('tr');
      for (const cell of [String(i), view.tokens[i], sums[i].toFixed(6), entropies[i].toFixed(3), max.toFixed(3)]) {
        const td = document.createElement('td');
        td.textContent = cell;
        row.appendChild(td);
      }
      body.appendChild(row);
    }
    if (shown < n) {
      const row = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 5;
      td.textContent = `... and ${n - shown} more rows (the check above covers them all).`;
      row.appendChild(td);
      body.appendChild(row);
    }
  }

  // The settings of the other side of a comparison: this view's, with one thing changed.
  function comparedSettings() {
    const other = Object.assign({}, state);
    if (state.compare === 'causal') other.causal = !state.causal;
    if (state.compare === 'scaled') other.scaled = !state.scaled;
    if (state.compare === 'seed') other.seed = state.compareSeed;
    if (state.compare === 'temperature') other.temperature = state.compareTemperature;
    return other;
  }

  function describeSide(settings) {
    const parts = [`causal ${settings.causal ? 'on' : 'off'}`, `scaling ${settings.scaled ? 'on' : 'off'}`,
      `seed ${settings.seed}`, `temperature ${settings.temperature}`];
    return parts.join(', ');
  }

  function renderCompare() {
    const box = $('compare-views');
    box.hidden = !view.compare;
    $('compare-seed').parentElement.hidden = state.compare !== 'seed';
    $('compare-temperature').parentElement.hidden = state.compare !== 'temperature';
    view.compareValues = null;
    if (!view.compare) return;
    if (!view.compareMaps) {
      view.compareMaps = {
        a: new Heatmap($('compare-a'), { fixedSize: 260, maxCell: 26 }),
        b: new Heatmap($('compare-b'), { fixedSize: 260, maxCell: 26 }),
        diff: new Heatmap($('compare-diff'), { fixedSize: 260, maxCell: 26, diverging: true }),
      };
    }
    const a = shownMatrix();
    const b = matrixOf(view.compare);
    const diff = new Float32Array(a.length);
    let largest = 0;
    for (let i = 0; i < a.length; i += 1) {
      diff[i] = a[i] - b[i];
      largest = Math.max(largest, Math.abs(diff[i]));
    }
    view.compareMaps.a.draw(a, view.tokens, view.tokens);
    view.compareMaps.b.draw(b, view.tokens, view.tokens);
    view.compareMaps.diff.draw(diff, view.tokens, view.tokens, largest || 1);
    $('compare-a-caption').textContent = `A: this view (${describeSide(state)})`;
    $('compare-b-caption').textContent = `B: ${describeSide(comparedSettings())}`;
    $('compare-diff-caption').textContent = largest === 0 ? 'A − B: identical'
      : `A − B: orange where A is larger, purple where B is (largest difference ${largest.toPrecision(2)})`;
    view.compareValues = { a, b, diff };
  }

  // The settings the step-by-step view explains: the page's, or the trained model's own.
  function stepSettings() {
    const model = currentModel();
    if (!model) return state;
    const c = model.config;
    const pinned = view.heatmap && view.heatmap.pinned;
    return Object.assign({}, state, { embedDim: c.embedDim, numHeads: c.numHeads, scaled: true, temperature: 1,
      causal: true, trainedLayer: state.layer, focusRow: pinned ? pinned.row : view.tokens.length - 1 });
  }

  // Random, designed and trained weights on the same sentence and head, side by side. The random
  // and designed sides use the trained model's shape (d_model, heads), causal, on its tokens.
  function renderWeightsCompare() {
    const trained = view.models.trained;
    const note = $('weights-note');
    const views = $('weights-views');
    view.weightsValues = null;
    if (!trained) {
      note.hidden = false;
      note.textContent = 'The trained model is not loaded, so there is nothing to compare.';
      views.hidden = true;
      return;
    }
    let read;
    try {
      read = trained.read(state.text);
    } catch (error) {
      note.hidden = false;
      note.textContent = `Could not read the text: ${error.message}`;
      views.hidden = true;
      return;
    }
    if (read.words.length === 0) {
      note.hidden = false;
      note.textContent = 'Type some text to compare the three.';
      views.hidden = true;
      return;
    }
    const model = currentModel() || trained;
    const layer = Math.min(state.layer, model.config.numLayers - 1);
    const head = typeof state.head === 'number' && state.head < model.config.numHeads ? state.head : 0;
    const { embedDim, numHeads } = trained.config;
    const randomSettings = { embedDim, numHeads, seed: state.seed, causal: true, scaled: true, temperature: 1,
      positional: true, headPatterns: [], window: state.window };
    const pattern = view.weightsPattern || 'previous_token';
    const designedSettings = Object.assign({}, randomSettings, {
      headPatterns: Array.from({ length: numHeads }, (_, h) => (h === head ? pattern : 'random')) });
    try {
      const random = view.engine.compute(read.tokens, randomSettings).weights[head];
      const designed = view.engine.compute(read.tokens, designedSettings).weights[head];
      const learned = model.compute(model.read(state.text).ids, layer, { trace: false }).weights[head];
      if (!view.weightsMaps) {
        view.weightsMaps = ['random', 'designed', 'trained'].map((id) => new Heatmap($(`weights-${id}`), { fixedSize: 260, maxCell: 26 }));
      }
      [random, designed, learned].forEach((values, i) => view.weightsMaps[i].draw(values, read.tokens, read.tokens));
      const patternLabel = config.HEAD_PATTERNS.find((p) => p.id === pattern).label;
      $('weights-random-caption').textContent = `random (seed ${state.seed}), head ${head}`;
      $('weights-designed-caption').textContent = `designed: ${patternLabel}, head ${head}`;
      $('weights-trained-caption').textContent = `${state.model === 'yours' ? 'trained by you' : 'trained'}, head ${layer}.${head}` +
        `${headLabel(layer, head) ? ` (${headLabel(layer, head)})` : ''}`;
      note.hidden = read.unknown.length === 0;
      note.textContent = read.unknown.length ? 'Words the model does not know are read as <unk> on the trained side.' : '';
      views.hidden = false;
      view.weightsValues = { random: Array.from(random), designed: Array.from(designed), trained: Array.from(learned), tokens: read.tokens.slice() };
    } catch (error) {
      note.hidden = false;
      note.textContent = `Could not compute the comparison: ${error.message}`;
      views.hidden = true;
    }
  }

  // What the model learned from, and for a preset what its head does: the first thing a
  // newcomer reads.
  function renderIntro() {
    const box = $('model-intro');
    box.textContent = '';
    const model = currentModel();
    $('about-trained').hidden = !model;
    $('about-random').hidden = Boolean(model);
    if (!model) {
      box.appendChild(paragraph('Random weights: the mechanism, not meaning. Every pattern here is an accident of the seed.'));
      return;
    }
    const m = model.metadata || {};
    if (state.model === 'yours') {
      box.appendChild(paragraph(`Your model, trained here in this tab: ${describeYours(m)}`));
    } else if (m.task === 'workshop') {
      box.appendChild(paragraph(`This model was trained by the project's C++ core on ${Number(m.trainSentences).toLocaleString('en')} ` +
        `sentences of a small made-up grammar (${model.vocabulary.length - 2} words: pronouns that refer back to a noun, ` +
        `verbs that agree with a subject across a phrase, relative clauses), for ${Number(m.steps).toLocaleString('en')} steps ` +
        `of ${m.batch} sentences. It learned these relations because its small corpus required them; large models learn them ` +
        'from billions of words, and less cleanly (Clark et al. 2019: BERT\'s best coreference head finds the antecedent ' +
        '65% of the time).'));
    }
    const preset = config.PRESETS.find((p) => p.text === state.text);
    const relation = preset ? model.relationOf(preset.id) : null;
    if (relation && view.result) {
      const n = view.result.n;
      const row = view.tokens.indexOf(relation.query);
      const col = view.tokens.indexOf(relation.key);
      const layerWeights = view.result.allLayers[relation.layer][relation.head];
      const weight = row >= 0 && col >= 0 ? layerWeights[row * n + col] : NaN;
      const p = paragraph(`Head ${relation.layer}.${relation.head} links "${relation.query}" to "${relation.key}" ` +
        `(weight ${Number.isFinite(weight) ? weight.toFixed(2) : '-'}). On ${Number(m.heldOutSentences).toLocaleString('en')} held-out ` +
        `sentences it puts its largest weight on the ${relation.label === 'coreference' ? 'antecedent' : relation.label === 'agreement' ? 'subject' : 'head noun'} ` +
        `${(100 * relation.heldOutAccuracy).toFixed(1)}% of the time, and ${(100 * relation.novelAccuracy).toFixed(1)}% on ` +
        `${Number(m.novelSentences).toLocaleString('en')} sentences of shapes it never saw.`);
      p.className = 'relation-line';
      box.appendChild(p);
    } else if (preset === undefined) {
      box.appendChild(paragraph('On your own text the model reads only the words it knows; the presets ask the workshop\'s three questions.'));
    }
  }

  function describeYours(m) {
    if (!m || !m.task) return 'see "Train it yourself" below.';
    return `${m.task} task, ${Number(m.steps || 0).toLocaleString('en')} steps so far. Its heads are labelled by what the detectors measure.`;
  }

  function paragraph(text) {
    const p = document.createElement('p');
    p.textContent = text;
    return p;
  }

  function renderScaling() {
    if (view.scalingSeed === state.seed) return;
    view.scalingPoints = Spotlight.renderScalingPanel($('scaling'), view.engine.module, state.seed);
    view.scalingSeed = state.seed;
  }

  const systemDark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function applyAppearance() {
    const dark = state.theme === 'dark' || (state.theme === 'auto' && systemDark && systemDark.matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    document.body.classList.toggle('projector', state.projector);
    view.heatmap.options.maxCell = state.projector ? 64 : 44;
  }

  function writeFragment() {
    const fragment = Spotlight.share.toFragment(state);
    if (fragment !== location.hash) {
      try {
        history.replaceState(null, '', fragment);
      } catch (error) {
        return;  // some file:// setups refuse; the page works on without a shareable URL
      }
    }
    view.lastFragment = location.hash;
  }

  // Applies a URL fragment: valid settings are taken, the rest named in a notice.
  function applyFragment(hash) {
    const { settings, problems } = Spotlight.share.fromFragment(hash);
    Object.assign(state, config.DEFAULTS, { headPatterns: [] },
      config.trainingDefaults(settings.trainTask || config.DEFAULTS.trainTask), settings);
    if (view.training) view.training.applyTask(state.trainTask, false);
    if (state.model !== 'random' && !view.models[state.model]) {
      problems.push(state.model === 'yours' ? 'model = "yours": a model trained in the page is not kept in links; ' +
        'showing the workshop model' : `model = "trained": ${view.modelProblem}`);
      state.model = view.models.trained ? 'trained' : 'random';
    }
    // Without a layer and head in the link, a preset opens on its relation's head.
    if (state.model !== 'random' && settings.head === undefined && settings.layer === undefined) showRelationHead();
    else view.pinRelation = true;
    view.linkProblems = problems;
    view.linkProblemsShown = false;
    update();
  }

  function render() {
    renderTokens();
    applyAppearance();
    const hasResult = Boolean(view.result);
    for (const id of ['heatmap-heading', 'heads-heading', 'arcs-heading', 'check-heading', 'steps-heading',
      'compare-heading']) {
      $(id).parentElement.classList.toggle('empty', !hasResult);
    }
    renderScaling();
    writeFragment();
    renderIntro();
    renderWeightsCompare();
    if (!hasResult) return;
    renderHeatmap();
    renderSmallMultiples();
    renderArcs();
    renderRowCheck();
    Spotlight.renderSteps($('steps'), view.stepExplain, view.result, view.tokens, stepSettings());
    renderCompare();
  }

  function bindExports() {
    const { exports: files } = Spotlight;
    const exportable = () => Object.assign({}, state);
    $('export-png').addEventListener('click', () => {
      $('heatmap').toBlob((blob) => files.download('attention-heatmap.png', blob), 'image/png');
    });
    $('export-svg').addEventListener('click', () => {
      const svg = files.heatmapSvg(shownMatrix(), view.tokens, $('heatmap'));
      files.download('attention-heatmap.svg', new Blob([svg], { type: 'image/svg+xml' }));
    });
    $('export-arcs').addEventListener('click', () => {
      if (view.result.n > config.MAX_ARC_TOKENS) {
        showMessages([`The arc view is drawn for up to ${config.MAX_ARC_TOKENS} tokens; export the heatmap instead.`]);
        return;
      }
      files.download('attention-arcs.svg', new Blob([files.arcsSvg($('arcs'))], { type: 'image/svg+xml' }));
    });
    $('export-csv').addEventListener('click', () => {
      files.download('attention-weights.csv', new Blob([files.weightsCsv(view.tokens, view.result.weights,
        exportable())], { type: 'text/csv' }));
    });
    $('export-json').addEventListener('click', () => {
      files.download('attention-weights.json', new Blob([files.weightsJson(view.tokens, view.result.weights,
        exportable())], { type: 'application/json' }));
    });
    $('copy-link').addEventListener('click', () => {
      const link = $('share-link');
      link.value = location.href;
      link.hidden = false;
      link.select();
      const copied = navigator.clipboard ? navigator.clipboard.writeText(location.href) : Promise.reject();
      copied.then(() => showMessages(['The link to this view is on the clipboard.']),
        () => showMessages(['Copy the selected link below to share this view.']));
    });
  }

  function drawLegend() {
    const canvas = $('legend');
    const context = canvas.getContext('2d');
    for (let x = 0; x < 256; x += 1) {
      context.fillStyle = colormap.viridisCss(x / 255);
      context.fillRect(x, 0, 1, canvas.height);
    }
  }

  // ---- start -------------------------------------------------------------------------------

  // The page's state for tests and exports. The heatmap's values (n*n) can be left out, and the
  // weights of every head are included only when asked for: at 1,024 tokens and 16 heads they are
  // 16 million numbers.
  function snapshot({ values = true, allHeads = false } = {}) {
    const { result } = view;
    const model = currentModel();
    return {
      training: view.training ? view.training.summary() : null,
      model: state.model,
      layer: model ? state.layer : null,
      pinned: view.heatmap && view.heatmap.pinned ? Object.assign({}, view.heatmap.pinned) : null,
      headLabels: model && model.labels ? model.labels.map((l) => Object.assign({}, l)) : null,
      modelLoadMs: view.timings.modelLoad === undefined ? null : view.timings.modelLoad,
      modelProblem: view.modelProblem,
      unknownWords: view.read ? view.read.unknown.slice() : [],
      weightsCompare: values ? view.weightsValues : null,
      intro: $('model-intro').textContent,
      tokens: view.tokens.slice(),
      totalTokens: view.total,
      settings: Object.assign({}, state),
      n: result ? result.n : 0,
      heads: result ? result.heads : 0,
      heatmap: view.heatmap && view.heatmap.values && result
        ? { head: state.head, values: values ? Array.from(view.heatmap.values) : null } : null,
      weights: result && allHeads ? result.weights.map((w) => Array.from(w)) : null,
      arcView: Boolean(result) && result.n <= config.MAX_ARC_TOKENS,
      firstHeatmapMs: view.firstHeatmapMs,
      pending: view.pending,  // a recompute is scheduled (typing is debounced)
      compare: view.compareValues && values ? {
        mode: state.compare, a: Array.from(view.compareValues.a), b: Array.from(view.compareValues.b),
        diff: Array.from(view.compareValues.diff),
      } : null,
      scaling: view.scalingPoints,
      linkProblems: view.linkProblems.slice(),
      deviceScaling: view.deviceScaling
        ? { status: view.deviceScaling.status, results: view.deviceScaling.results.slice() } : null,
      fragment: location.hash,
    };
  }

  function fail(message) {
    const box = $('load-error');
    box.textContent = message;
    box.hidden = false;
  }

  async function start() {
    if (typeof window.createAttentionModule !== 'function') {
      throw new Error('The WebAssembly module (generated/attention.js) is missing. Build it with ./build.sh.');
    }
    const module = await window.createAttentionModule();
    view.engine = new Engine(module);
    view.heatmap = new Heatmap($('heatmap'), {
      tooltip: $('tooltip'),
      onSelect: (cell) => describePinned(cell),
    });
    view.arcs = new ArcView($('arcs'));
    view.stepExplain = $('step-explain');  // kept: the steps view moves it beside the weights
    view.deviceScaling = new Spotlight.DeviceScaling(module, {
      start: $('device-start'), stop: $('device-stop'), upTo: $('device-up-to'), progress: $('device-progress'),
      status: $('device-status'), charts: $('device-charts'), table: $('device-table'),
      kernel: $('device-kernel'),
    }, () => ({ embedDim: state.embedDim, numHeads: state.numHeads }));
    drawLegend();
    loadTrainedModel(module);
    view.training = new Spotlight.TrainingPanel(module, Spotlight.app);
    replaceOptions($('weights-pattern'), config.HEAD_PATTERNS.filter((p) => p.id !== 'random').map((p) => [p.id, p.label]), 'previous_token');
    bindControls();
    applyFragment(location.hash);
    if (view.models.trained) setTimeout(() => labelHeads(view.models.trained), 0);
  }

  // The shipped model (web/generated/models/workshop.js). Without it the page works on with
  // random weights, and says why.
  function loadTrainedModel(module) {
    const started = performance.now();
    try {
      view.models.trained = Spotlight.ModelView.fromEmbedded(module, 'workshop');
      view.timings.modelLoad = performance.now() - started;
    } catch (error) {
      view.modelProblem = error.message;
      view.models.trained = null;
      if (state.model === 'trained') state.model = 'random';
      for (const radio of document.querySelectorAll('input[name="model"]')) {
        if (radio.value === 'trained') radio.disabled = true;
      }
    }
  }

  // The detectors' labels of every head, measured on held-out workshop sentences (after the first
  // heatmap, so they never delay it).
  function labelHeads(model) {
    try {
      if (!view.labelSample) {
        const corpus = view.engine.module.workshopCorpus({ trainSentences: 8000, evalSentences: 200 });
        view.labelSample = { sequences: corpus.heldOut.map((s) => s.tokens), sentences: corpus.heldOut };
      }
      const started = performance.now();
      model.headLabels(model.metadata && model.metadata.task === 'workshop' ? view.labelSample
        : { sequences: view.labelSample.sequences });
      view.timings.labels = performance.now() - started;
      if (currentModel() === model) {
        syncControls();
        render();
      }
    } catch (error) {
      showMessages([`Could not measure the heads: ${error.message}`]);
    }
  }

  // ---- the training panel's side ------------------------------------------------------------

  // Your model (a ModelView, or null): a snapshot of the training here or an opened file.
  // show: switch the views to it. owned: the page deletes it when it is replaced.
  function setYourModel(model, { show = false, owned = false } = {}) {
    const previous = view.models.yours;
    if (previous === model) return;
    if (previous && view.yoursOwned) previous.delete();
    view.models.yours = model;
    view.yoursOwned = Boolean(model) && owned;
    // The views are recomputed only when they show (or stop showing) this model.
    let changed = state.model === 'yours';
    if (!model && state.model === 'yours') state.model = view.models.trained ? 'trained' : 'random';
    if (model && show && state.model !== 'yours') {
      state.model = 'yours';
      state.layer = Math.min(state.layer, model.config.numLayers - 1);
      if (typeof state.head !== 'number' || state.head >= model.config.numHeads) state.head = 0;
      changed = true;
    }
    if (changed) update();
  }

  Spotlight.app = {
    state,
    settingsChanged: () => writeFragment(),
    setYourModel,
    isShowing: (name) => state.model === name,
    showYours: () => {
      if (view.training) setYourModel(view.training.viewOf(view.training.shownIndex()), { show: true });
    },
  };

  const ready = start().catch((error) => {
    fail(`Attention Spotlight could not start: ${error.message}`);
    throw error;
  });

  window.attentionSpotlight = {
    ready, snapshot, state,
    trainingSnapshotBytes: (index) => (view.training ? view.training.snapshotBytes(index) : null),
  };
}(window.Spotlight));
