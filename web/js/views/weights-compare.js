// "Random, designed, trained": one sentence and head under three sets of weights, side by side.
'use strict';
(function weightsCompareViewModule(Spotlight) {
  const { settings: config, Heatmap, $, page } = Spotlight;
  const { state, view, currentModel, headLabel } = page;

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

  Spotlight.views.weightsCompare = { render: renderWeightsCompare };
}(window.Spotlight));
