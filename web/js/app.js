// The page's start: loads the wasm module and the shipped model, creates the views and the
// training panel, binds the controls and applies the link. User text only ever reaches the page
// as textContent, SVG text nodes or canvas text - never as HTML. The page's state and controls
// are in web/js/page/, each view in web/js/views/.
'use strict';
(function appModule(Spotlight) {
  const { settings: config, Engine, Heatmap, ArcView, $, page, views } = Spotlight;
  const { state, view, replaceOptions, showMessages, currentModel } = page;

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
      pretrained: pretrainedSnapshot(allHeads),
    };
  }

  // The opened GPT-2-family model as the page shows it; with allHeads, the grid's maps too.
  function pretrainedSnapshot(allHeads) {
    const model = view.models.gpt2;
    const { result } = view;
    return {
      open: Boolean(model),
      name: model ? model.name : null,
      config: model ? Object.assign({}, model.raw) : null,
      memory: model ? model.memory : null,
      status: $('model-status').textContent,
      progressShown: !$('model-progress').hidden,
      openMs: view.timings.pretrainedOpen === undefined ? null : view.timings.pretrainedOpen,
      labelsMeasured: Boolean(model && model.labels),
      relations: model && model.relations ? model.relations.map((r) => Object.assign({}, r, { accuracy: r.accuracy.slice() })) : null,
      spans: view.read && view.read.spans ? view.read.spans.map((t) => Object.assign({}, t)) : null,
      ids: view.read && view.read.spans ? Array.from(view.read.ids) : null,
      side: result && result.side ? result.side : null,
      grid: result && result.side && allHeads ? result.allLayers.map((heads) => heads.map((w) => Array.from(w))) : null,
      top: result && result.top ? result.top.map((t) => Object.assign({}, t)) : null,
      generation: view.generation ? {
        ids: view.generation.ids.slice(), labels: view.generation.labels.slice(), text: view.generation.text,
        probabilities: view.generation.probabilities.slice(), selected: view.generation.selected,
        options: Object.assign({}, view.generation.options), attentionLengths: view.generation.attention.map((a) => a.length),
      } : null,
      next: view.next ? { position: view.next.position, top: view.next.top.map((t) => Object.assign({}, t)) } : null,
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
      onSelect: (cell) => {
        views.attentionWeights.describePinned(cell);
        views.nextTokens.render();
      },
    });
    view.arcs = new ArcView($('arcs'));
    view.stepExplain = $('step-explain');  // kept: the steps view moves it beside the weights
    view.deviceScaling = new Spotlight.DeviceScaling(module, {
      start: $('device-start'), stop: $('device-stop'), upTo: $('device-up-to'), progress: $('device-progress'),
      status: $('device-status'), charts: $('device-charts'), table: $('device-table'),
      kernel: $('device-kernel'),
    }, () => ({ embedDim: state.embedDim, numHeads: state.numHeads }));
    views.attentionWeights.drawLegend();
    loadTrainedModel(module);
    view.training = new Spotlight.TrainingPanel(module, Spotlight.app);
    replaceOptions($('weights-pattern'), config.HEAD_PATTERNS.filter((p) => p.id !== 'random').map((p) => [p.id, p.label]), 'previous_token');
    page.bindControls();
    page.bindOpenModel();
    views.generate.bind();
    views.relations.bind();
    page.applyFragment(location.hash);
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
        page.syncControls();
        page.render();
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
    if (changed) page.update();
  }

  Spotlight.app = {
    state,
    settingsChanged: () => page.writeFragment(),
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
