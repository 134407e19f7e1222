// The page's settings: defaults, the allowed values, and the presets.
'use strict';
(function settingsModule(Spotlight) {
  const EMBED_DIMS = [8, 16, 32, 64, 128, 256, 512];
  const MAX_HEADS = 16;
  const MAX_TOKENS = 1024;       // hard cap: beyond it the text is cut, with a message
  const MAX_ARC_TOKENS = 40;     // past this the arc view is unreadable: the heatmap takes over

  const PRESETS = [
    { id: 'cat', label: 'Experiment 1: "it" and "cat"',
      text: 'The cat sat on the mat because it was tired' },
    { id: 'dogs', label: 'Experiment 2: agreement across a phrase',
      text: 'The dogs in the park are playing' },
    { id: 'book', label: 'Experiment 3: a relative clause',
      text: 'The book that I bought yesterday was interesting' },
  ];

  // Whose weights the views show: the workshop model trained by ./build.sh (shipped with the page),
  // random ones from the seed (with designed heads), or the model trained here in the page.
  const MODELS = ['trained', 'random', 'yours'];

  const DEFAULTS = {
    model: 'trained',
    layer: 0,              // the layer shown, for a trained model
    text: PRESETS[0].text,
    mode: 'word',          // 'word' | 'char'
    lowercase: false,
    embedDim: 64,
    numHeads: 4,
    seed: 42,
    causal: false,
    scaled: true,          // divide by sqrt(d_head); off = plain dot-product attention
    temperature: 1,
    positional: true,
    head: 0,               // the head shown in the heatmap: an index, 'mean' or 'max'
    colourRange: 'fixed',  // 'fixed': colours span 0..1; 'stretch': 0..the 99th percentile
    headPatterns: [],      // per head: 'random' or a designed pattern; missing entries are random
    window: 2,             // half-width of the local_window pattern
    compare: 'off',        // 'off' | 'causal' | 'scaled' | 'seed' | 'temperature'
    compareSeed: 7,        // the other side's seed when comparing seeds
    compareTemperature: 0.5,  // the other side's temperature when comparing temperatures
    theme: 'auto',         // 'auto' | 'light' | 'dark'
    projector: false,      // large type for a projector
    // "Train it yourself" (training.js; its TASKS hold each task's defaults, the workshop's here)
    trainTask: 'workshop',
    trainLayers: 2,
    trainHeads: 4,
    trainDModel: 64,
    trainMlp: true,
    trainLearningRate: 0.003,
    trainBatch: 32,
    trainSteps: 1500,
    trainSeed: 7,
  };

  // Head patterns: 'random' keeps the seed's weights; the others are designed (core:
  // src/core/designed_heads.h, which gives the formula of each).
  const HEAD_PATTERNS = [
    { id: 'random', label: 'random (from the seed)' },
    { id: 'previous_token', label: 'previous token' },
    { id: 'same_token', label: 'same token' },
    { id: 'first_token', label: 'first token (attention sink)' },
    { id: 'local_window', label: 'local window ±k' },
    { id: 'uniform', label: 'uniform' },
  ];
  const COMPARISONS = ['off', 'causal', 'scaled', 'seed', 'temperature'];

  // Divisors of embedDim that are valid head counts in the UI.
  function headChoices(embedDim) {
    const choices = [];
    for (let heads = 1; heads <= Math.min(MAX_HEADS, embedDim); heads += 1) {
      if (embedDim % heads === 0) choices.push(heads);
    }
    return choices;
  }

  Spotlight.settings = {
    EMBED_DIMS, MAX_HEADS, MAX_TOKENS, MAX_ARC_TOKENS, PRESETS, DEFAULTS, HEAD_PATTERNS, COMPARISONS, MODELS,
    MAX_LAYERS: 8,
    headChoices,
  };
}(window.Spotlight));
