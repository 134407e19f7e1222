// One redraw of every view from the page's state and the last result, with the theme applied
// and the URL fragment kept in step.
'use strict';
(function pageRenderModule(Spotlight) {
  const { $, page, views } = Spotlight;
  const { state, view } = page;

  const systemDark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function applyAppearance() {
    const dark = state.theme === 'dark' || (state.theme === 'auto' && systemDark && systemDark.matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    document.body.classList.toggle('projector', state.projector);
    view.heatmap.options.maxCell = state.projector ? 64 : 44;
  }

  function render() {
    views.tokens.render();
    applyAppearance();
    const hasResult = Boolean(view.result);
    for (const id of ['heatmap-heading', 'heads-heading', 'arcs-heading', 'check-heading', 'steps-heading',
      'compare-heading']) {
      $(id).parentElement.classList.toggle('empty', !hasResult);
    }
    views.scaling.render();
    page.writeFragment();
    views.modelIntro.render();
    views.weightsCompare.render();
    if (!hasResult) {
      $('next-panel').hidden = true;
      $('relations-panel').hidden = true;
      return;
    }
    views.attentionWeights.render();
    views.allHeads.render();
    views.arcView.render();
    views.rowCheck.render();
    views.stepByStep.render();
    views.compare.render();
    views.nextTokens.render();
    views.generate.render();
    views.relations.render();
  }

  Object.assign(page, { render, systemDark });
}(window.Spotlight));
