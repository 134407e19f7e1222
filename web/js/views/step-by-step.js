// "Step by step": every matrix of the head shown (drawn by web/js/steps.js), with the settings it
// was computed with.
'use strict';
(function stepByStepViewModule(Spotlight) {
  const { $, page } = Spotlight;
  const { state, view, currentModel } = page;

  // The settings the step-by-step view explains: the page's, or the trained model's own.
  function stepSettings() {
    const model = currentModel();
    if (!model) return state;
    const c = model.config;
    const pinned = view.heatmap && view.heatmap.pinned;
    return Object.assign({}, state, { embedDim: c.embedDim, numHeads: c.numHeads, scaled: true, temperature: 1,
      causal: true, trainedLayer: state.layer, focusRow: pinned ? pinned.row : view.tokens.length - 1 });
  }

  function renderStepByStep() {
    Spotlight.renderSteps($('steps'), view.stepExplain, view.result, view.tokens, stepSettings());
  }

  Spotlight.views.stepByStep = { render: renderStepByStep };
}(window.Spotlight));
