// The page's state in the URL fragment (web/js/share.js reads and writes it): written after every
// redraw, applied on load and whenever the fragment changes.
'use strict';
(function pageLinkModule(Spotlight) {
  const { settings: config, page } = Spotlight;
  const { state, view } = page;

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
    // A link to an opened model's view, applied before its files are open: the layer and heads it
    // names are kept for when they are (page/open-model.js), since the workshop model shown
    // meanwhile has fewer.
    view.linkedModel = state.model === 'gpt2' ? state.modelName || 'a GPT-2 model' : null;
    view.linkedView = view.linkedModel ? { layer: state.layer, head: state.head, compareLayer: state.compareLayer,
      compareHead: state.compareHead } : null;
    // Not a problem of the link: the model it shows is opened from files the page cannot have.
    view.linkNotice = view.linkedModel && !view.models.gpt2 ? `This link shows ${view.linkedModel}, which is opened from ` +
      'its files: open them (config.json, model.safetensors, vocab.json and merges.txt) above to see it. Meanwhile the ' +
      'workshop model shows the text.' : null;
    if (state.model === 'gpt2' && !view.models.gpt2) {
      state.model = view.models.trained ? 'trained' : 'random';
    } else if (state.model !== 'random' && !view.models[state.model]) {
      problems.push(state.model === 'yours' ? 'model = "yours": a model trained in the page is not kept in links; ' +
        'showing the workshop model' : `model = "trained": ${view.modelProblem}`);
      state.model = view.models.trained ? 'trained' : 'random';
    }
    // Without a layer and head in the link, a preset opens on its relation's head.
    if (state.model !== 'random' && settings.head === undefined && settings.layer === undefined) page.showRelationHead();
    else view.pinRelation = true;
    view.linkProblems = problems;
    view.linkProblemsShown = false;
    page.update();
  }

  Object.assign(page, { writeFragment, applyFragment });
}(window.Spotlight));
