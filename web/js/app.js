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

  function clampHead() {
    if (typeof state.head === 'number' && state.head >= state.numHeads) state.head = 0;
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
    if (total > config.MAX_TOKENS) {
      messages.push(`This text has ${total.toLocaleString('en')} tokens; only the first ` +
        `${config.MAX_TOKENS.toLocaleString('en')} are shown (the page's limit, so it stays responsive).`);
    }
    if (view.linkProblems.length > 0) {
      messages.push(`This link had settings that were ignored: ${view.linkProblems.join('; ')}.`);
    }
    view.result = null;
    view.compare = null;
    if (tokens.length === 0) {
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
    Object.assign(state, config.DEFAULTS, { headPatterns: [] }, settings);
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
    if (!hasResult) return;
    renderHeatmap();
    renderSmallMultiples();
    renderArcs();
    renderRowCheck();
    Spotlight.renderSteps($('steps'), view.stepExplain, view.result, view.tokens, state);
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
    }, () => ({ embedDim: state.embedDim, numHeads: state.numHeads }));
    drawLegend();
    bindControls();
    applyFragment(location.hash);
  }

  const ready = start().catch((error) => {
    fail(`Attention Spotlight could not start: ${error.message}`);
    throw error;
  });

  window.attentionSpotlight = { ready, snapshot, state };
}(window.Spotlight));
