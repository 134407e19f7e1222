// The page's state: the settings the controls edit (state, which the URL fragment carries) and
// what the views draw from (view: the tokens, the module's result, the models), with the questions
// every view asks of them - which model is shown, which head, which matrix.
'use strict';
(function pageStateModule(Spotlight) {
  const { settings: config, $ } = Spotlight;

  const state = Object.assign({}, config.DEFAULTS);
  const view = {
    engine: null, tokens: [], total: 0, result: null, arcHeads: new Set([0]),
    heatmap: null, arcs: null, smallMultiples: [], firstHeatmapMs: null, timer: 0, pending: false,
    compare: null, compareMaps: null, scalingPoints: null, scalingSeed: null, linkProblems: [],
    lastFragment: '',
    models: { trained: null, yours: null, gpt2: null },  // ModelViews of the shipped model and yours,
                                                      // the opened GPT-2's PretrainedView
    modelProblem: null,     // why the trained model could not be loaded, if it could not
    labelSample: null,      // held-out workshop sentences the head labels are measured on
    pinRelation: true,      // pin the preset's relation row at the next compute
    read: null,             // how the model read the text (ModelView.read)
    timings: {},
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

  function showMessages(lines) {
    const box = $('messages');
    box.textContent = '';
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      box.appendChild(p);
    }
  }

  // The model the views show, or null for random weights.
  function currentModel() {
    return state.model === 'random' ? null : view.models[state.model];
  }

  function headCount() {
    const model = currentModel();
    return model ? model.config.numHeads : state.numHeads;
  }

  // "head 0.2" for layer 0, head 2 of a model; "head 2" for the single layer of random weights.
  function headName(head, layer = state.layer) {
    return currentModel() ? `head ${layer}.${head}` : `head ${head}`;
  }

  function headLabel(layer, head) {
    const model = currentModel();
    if (!model || !model.labels) return '';
    const entry = model.labels.find((l) => l.layer === layer && l.head === head);
    return entry ? entry.label : '';
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

  Spotlight.page = {
    state, view, replaceOptions, showMessages, currentModel, headCount, headName, headLabel, matrixOf, shownMatrix,
    colourMax,
  };
  // Each view of the page (web/js/views/) adds its part here; page/render.js draws them all.
  Spotlight.views = {};
}(window.Spotlight));
