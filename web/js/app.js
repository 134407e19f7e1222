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

  function headEntries() {
    const entries = [];
    for (let h = 0; h < state.numHeads; h += 1) entries.push([h, `head ${h}`]);
    entries.push(['mean', 'mean over heads'], ['max', 'max over heads']);
    return entries;
  }

  function syncControls() {
    $('preset').value = config.PRESETS.some((p) => p.text === state.text)
      ? config.PRESETS.find((p) => p.text === state.text).id : 'own';
    if ($('text').value !== state.text) $('text').value = state.text;
    for (const radio of document.querySelectorAll('input[name="mode"]')) radio.checked = radio.value === state.mode;
    $('lowercase').checked = state.lowercase;
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
  }

  function bindControls() {
    replaceOptions($('preset'), config.PRESETS.map((p) => [p.id, p.label]).concat([['own', 'Your own text']]), 'cat');
    replaceOptions($('embed-dim'), config.EMBED_DIMS.map((d) => [d, String(d)]), state.embedDim);

    $('preset').addEventListener('change', () => {
      const preset = config.PRESETS.find((p) => p.id === $('preset').value);
      if (preset) state.text = preset.text;
      else $('text').focus();
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
    window.addEventListener('resize', () => schedule(100, render));
  }

  function clampHead() {
    if (typeof state.head === 'number' && state.head >= state.numHeads) state.head = 0;
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
    const { tokens, total } = Spotlight.tokenize(state.text,
      { mode: state.mode, lowercase: state.lowercase, limit: config.MAX_TOKENS });
    view.tokens = tokens;
    view.total = total;
    const messages = [];
    if (total > config.MAX_TOKENS) {
      messages.push(`This text has ${total.toLocaleString('en')} tokens; only the first ` +
        `${config.MAX_TOKENS.toLocaleString('en')} are shown (the page's limit, so it stays responsive).`);
    }
    view.result = null;
    if (tokens.length === 0) {
      messages.push('Type some text to see how its tokens attend to each other.');
    } else {
      try {
        view.result = view.engine.compute(tokens, state);
      } catch (error) {
        messages.push(`Could not compute attention: ${error.message}`);
      }
    }
    showMessages(messages);
    syncControls();
    render();
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

  function shownMatrix() {
    const { result } = view;
    if (state.head === 'mean') return result.headMean;
    if (state.head === 'max') return result.headMax;
    return result.weights[state.head];
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

  function renderSmallMultiples() {
    const grid = $('small-multiples');
    grid.textContent = '';
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
      label.append(box, swatch, document.createTextNode(`head ${h}`));
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

  function render() {
    renderTokens();
    const hasResult = Boolean(view.result);
    for (const id of ['heatmap-heading', 'heads-heading', 'arcs-heading', 'check-heading']) {
      $(id).parentElement.classList.toggle('empty', !hasResult);
    }
    if (!hasResult) return;
    renderHeatmap();
    renderSmallMultiples();
    renderArcs();
    renderRowCheck();
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
    return {
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
    drawLegend();
    bindControls();
    update();
  }

  const ready = start().catch((error) => {
    fail(`Attention Spotlight could not start: ${error.message}`);
    throw error;
  });

  window.attentionSpotlight = { ready, snapshot, state };
}(window.Spotlight));
