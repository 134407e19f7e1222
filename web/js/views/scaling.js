// "Why divide by √d?" (drawn by web/js/scaling-panel.js), redrawn only when the seed changes.
'use strict';
(function scalingViewModule(Spotlight) {
  const { $, page } = Spotlight;
  const { state, view } = page;

  function renderScaling() {
    if (view.scalingSeed === state.seed) return;
    view.scalingPoints = Spotlight.renderScalingPanel($('scaling'), view.engine.module, state.seed);
    view.scalingSeed = state.seed;
  }

  Spotlight.views.scaling = { render: renderScaling };
}(window.Spotlight));
