// The recomputation: the text read into tokens and the attention computed through the module (or
// the model shown), on every edit - at once, or after a short wait while typing.
'use strict';
(function pageComputeModule(Spotlight) {
  const { settings: config, page } = Spotlight;
  const { state, view, showMessages, currentModel } = page;

  function schedule(delay, task = update) {
    clearTimeout(view.timer);
    view.pending = true;
    view.timer = setTimeout(() => {
      view.pending = false;
      task();
    }, delay);
  }

  function update() {
    clearTimeout(view.timer);
    view.pending = false;
    if (view.linkProblemsShown) view.linkProblems = [];
    view.linkProblemsShown = view.linkProblems.length > 0;
    const shown = currentModel();
    if (shown && shown.remote) {
      // The model's last result stays drawn until the worker's answer replaces it; another
      // model's goes at once.
      if (view.result && view.result.source !== shown) {
        view.result = null;
        view.compare = null;
        view.read = null;
        view.tokens = [];
        page.render();
      }
      computeRemote(shown);
      page.syncControls();
      return;
    }
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
    const model = currentModel();
    view.result = null;
    view.compare = null;
    view.read = null;
    if (model) {
      computeModel(model, messages);
    } else if (tokens.length === 0) {
      messages.push('Type some text to see how its tokens attend to each other.');
    } else {
      try {
        view.result = view.engine.compute(tokens, state);
        clampCompared(1, state.numHeads);
        if (state.compare === 'head') view.compare = view.result;
        else if (state.compare !== 'off') view.compare = view.engine.compute(tokens, comparedSettings());
      } catch (error) {
        messages.push(`Could not compute attention: ${error.message}`);
      }
    }
    if (view.linkNotice) messages.unshift(view.linkNotice);
    showMessages(messages);
    page.syncControls();
    page.render();
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
    clampCompared(model.config.numLayers, model.config.numHeads);
    try {
      const started = performance.now();
      view.result = model.compute(read.ids, state.layer);
      view.timings.modelCompute = performance.now() - started;
      if (state.compare === 'head') {
        view.compare = state.compareLayer === state.layer ? view.result : { weights: view.result.allLayers[state.compareLayer] };
      } else if (state.compare !== 'off') {
        messages.push('Compare switches the random weights\' settings; with a trained model compare another head, or see ' +
          '"Random, designed, trained" below.');
      }
    } catch (error) {
      messages.push(`Could not compute attention: ${error.message}`);
    }
    if (view.result && view.pinRelation) pinRelationRow(model);
    view.pinRelation = false;
  }

  // An opened GPT-2's view of the text, computed in its worker. One request at a time: edits made
  // while it runs ask for one more, with the state as it is when that one starts.
  const remote = { busy: false, again: false };

  function computeRemote(model) {
    view.pending = true;
    if (remote.busy) {
      remote.again = true;
      return;
    }
    remote.busy = true;
    const started = performance.now();
    const layer = Math.min(state.layer, model.config.numLayers - 1);
    const compareLayer = state.compare === 'head' ? Math.min(state.compareLayer, model.config.numLayers - 1) : null;
    model.compute(state.text, layer, compareLayer).then(({ read, result }) => {
      if (currentModel() !== model) return;
      view.timings.modelCompute = performance.now() - started;
      showRemote(model, read, result, null);
    }, (error) => {
      if (currentModel() === model) showRemote(model, null, null, error);
    }).finally(() => {
      remote.busy = false;
      if (remote.again) {
        remote.again = false;
        if (currentModel() === model) update(); else view.pending = false;
      } else {
        view.pending = false;
      }
    });
  }

  // The other head of "compare another head", within the model shown (a link may name any).
  function clampCompared(layers, heads) {
    if (state.compareLayer >= layers) state.compareLayer = 0;
    if (state.compareHead >= heads) state.compareHead = 0;
  }

  function showRemote(model, read, result, error) {
    const messages = [];
    view.compare = null;
    if (error) {
      messages.push(`Could not compute attention: ${error.message}`);
      view.result = null;
    } else {
      view.read = read;
      view.tokens = read.tokens;
      view.total = read.total;
      view.result = result;
      if (read.cut > 0) {
        messages.push(`${model.name} reads at most ${model.config.contextLength.toLocaleString('en')} tokens (its context); ` +
          `the last ${read.cut.toLocaleString('en')} of ${read.total.toLocaleString('en')} are left out.`);
      }
      if (read.tokens.length === 0) messages.push(`Type some text to see how ${model.name}'s tokens attend to each other.`);
      if (result && typeof state.head === 'number' && state.head >= result.heads) state.head = 0;
      if (result && view.pinRelation) pinRelationRow(model);
      view.pinRelation = false;
      clampCompared(model.config.numLayers, model.config.numHeads);
      if (result && state.compare === 'head') {
        view.compare = result.compareWeights ? { weights: result.compareWeights } : null;
      } else if (state.compare !== 'off') {
        messages.push('Compare switches the random weights\' settings; with an opened model compare another head.');
      }
    }
    if (view.linkProblems.length > 0) messages.push(`This link had settings that were ignored: ${view.linkProblems.join('; ')}.`);
    showMessages(messages);
    page.syncControls();
    page.render();
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

  // The settings of the other side of a comparison: this view's, with one thing changed.
  function comparedSettings() {
    const other = Object.assign({}, state);
    if (state.compare === 'causal') other.causal = !state.causal;
    if (state.compare === 'scaled') other.scaled = !state.scaled;
    if (state.compare === 'seed') other.seed = state.compareSeed;
    if (state.compare === 'temperature') other.temperature = state.compareTemperature;
    return other;
  }

  Object.assign(page, { schedule, update, comparedSettings });
}(window.Spotlight));
