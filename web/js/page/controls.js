// The controls of the text and settings panels: they write the page's state and ask for a
// recompute; syncControls writes the state back into them.
'use strict';
(function pageControlsModule(Spotlight) {
  const { settings: config, colormap, $, page, views } = Spotlight;
  const { state, view, replaceOptions, showMessages, currentModel, headCount, headName, headLabel } = page;
  const TYPING_DELAY_MS = 60;

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
    if (model && model.remote) {
      const c = model.config;
      $('settings-note').textContent = `${model.name} fixes its own: ${c.numLayers} layers of ${c.numHeads} heads, ` +
        `d_model ${c.embedDim}, causal, scaled by 1/√${c.embedDim / c.numHeads}, learned positions, an MLP in each ` +
        `layer, GPT-2's own tokens. Switch to "random and designed" weights to change them.`;
    } else if (model) {
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
    const layers = model ? model.config.numLayers : 1;
    if (state.compareLayer >= layers) state.compareLayer = 0;
    if (state.compareHead >= headCount()) state.compareHead = 0;
    replaceOptions($('compare-layer'), Array.from({ length: layers }, (_, l) => [l, `layer ${l}`]), state.compareLayer);
    replaceOptions($('compare-head'), Array.from({ length: headCount() }, (_, h) => [h, `head ${h}`]), state.compareHead);
    $('compare-layer').parentElement.hidden = state.compare !== 'head' || !model;
    $('compare-head').parentElement.hidden = state.compare !== 'head';
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
        page.update();
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
      page.update();
    });
    $('text').addEventListener('input', () => {
      state.text = $('text').value;
      page.schedule(TYPING_DELAY_MS);
    });
    for (const radio of document.querySelectorAll('input[name="mode"]')) {
      radio.addEventListener('change', () => { state.mode = radio.value; page.update(); });
    }
    $('lowercase').addEventListener('change', () => { state.lowercase = $('lowercase').checked; page.update(); });
    for (const radio of document.querySelectorAll('input[name="model"]')) {
      radio.addEventListener('change', () => { if (radio.checked) selectModel(radio.value); });
    }
    $('layer').addEventListener('change', () => {
      state.layer = Number($('layer').value);
      view.arcHeads = new Set([typeof state.head === 'number' ? state.head : 0]);
      page.update();
    });
    $('weights-pattern').addEventListener('change', () => {
      view.weightsPattern = $('weights-pattern').value;
      views.weightsCompare.render();
    });
    $('embed-dim').addEventListener('change', () => {
      state.embedDim = Number($('embed-dim').value);
      const choices = config.headChoices(state.embedDim);
      if (!choices.includes(state.numHeads)) state.numHeads = choices.filter((h) => h <= state.numHeads).pop() || 1;
      clampHead();
      page.update();
    });
    $('num-heads').addEventListener('change', () => {
      state.numHeads = Number($('num-heads').value);
      clampHead();
      page.update();
    });
    $('seed').addEventListener('input', () => {
      const raw = $('seed').value.trim();
      const seed = Number(raw);
      if (raw === '' || !Number.isInteger(seed) || seed < 0 || seed > 2147483647) {
        showMessages([`The seed must be a whole number from 0 to 2147483647; keeping ${state.seed}.`]);
        return;
      }
      state.seed = seed;
      page.schedule(TYPING_DELAY_MS);
    });
    $('temperature').addEventListener('input', () => {
      state.temperature = Number((10 ** Number($('temperature').value)).toPrecision(3));
      page.update();
    });
    for (const [id, key] of [['causal', 'causal'], ['scaled', 'scaled'], ['positional', 'positional']]) {
      $(id).addEventListener('change', () => { state[key] = $(id).checked; page.update(); });
    }
    $('head').addEventListener('change', () => {
      const value = $('head').value;
      state.head = value === 'mean' || value === 'max' ? value : Number(value);
      if (typeof state.head === 'number') view.arcHeads = new Set([state.head]);
      page.render();
    });
    $('colour-range').addEventListener('change', () => {
      state.colourRange = $('colour-range').value;
      page.render();
    });
    $('theme').addEventListener('change', () => { state.theme = $('theme').value; page.render(); });
    $('projector').addEventListener('change', () => { state.projector = $('projector').checked; page.render(); });
    bindNumber('window', 'window', (v) => Number.isInteger(v) && v >= 0 && v <= 8);
    $('compare').addEventListener('change', () => { state.compare = $('compare').value; page.update(); });
    $('compare-layer').addEventListener('change', () => { state.compareLayer = Number($('compare-layer').value); page.update(); });
    $('compare-head').addEventListener('change', () => { state.compareHead = Number($('compare-head').value); page.update(); });
    bindNumber('compare-seed', 'compareSeed', (v) => Number.isInteger(v) && v >= 0 && v <= 2147483647);
    bindNumber('compare-temperature', 'compareTemperature', (v) => Number.isFinite(v) && v >= 0.1 && v <= 10);
    views.attentionWeights.bindExports();
    window.addEventListener('hashchange', () => {
      if (location.hash !== view.lastFragment) page.applyFragment(location.hash);
    });
    window.addEventListener('resize', () => page.schedule(100, page.render));
    if (page.systemDark) page.systemDark.addEventListener('change', () => page.render());
  }

  // A number input bound to state[key]: values that `valid` rejects are ignored while typing.
  function bindNumber(id, key, valid) {
    $(id).addEventListener('input', () => {
      const value = Number($(id).value);
      if ($(id).value.trim() !== '' && valid(value)) {
        state[key] = value;
        page.schedule(TYPING_DELAY_MS);
      }
    });
  }

  // Switches whose weights the views show.
  function selectModel(model) {
    if (model !== 'random' && !view.models[model]) {
      showMessages([model === 'yours'
        ? 'You have not trained a model yet: start one in "Train it yourself" below, then pick it here.'
        : model === 'gpt2' ? 'Open a GPT-2 model\'s files first (config.json, model.safetensors, vocab.json and merges.txt): ' +
          'choose them or their folder below "Weights", or drop them on the page.'
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
    page.update();
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

  Object.assign(page, { syncControls, bindControls, showRelationHead });
}(window.Spotlight));
