// The page's settings: defaults (the training panel's from its table of tasks), the allowed values,
// and the presets.
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
  // random ones from the seed (with designed heads), the model trained here in the page, or a
  // GPT-2-family model opened from the user's files.
  const MODELS = ['trained', 'random', 'yours', 'gpt2'];
  // The largest of the GPT-2 family (gpt2-xl): 48 layers of 25 heads.
  const MAX_MODEL_LAYERS = 48;
  const MAX_MODEL_HEADS = 32;

  // "Train it yourself": each task's settings in the page. The workshop's are the recipe of the
  // shipped model (src/core/training/recipes.cpp); induction's are smaller than its recipe, so that the head
  // forms in seconds (docs/performance.md measures both).
  const TRAINING_TASKS = {
    workshop: { layers: 2, heads: 4, dModel: 64, mlp: true, learningRate: 0.003, batch: 32, steps: 1500, seed: 7,
      snapshotEvery: 50, label: 'the workshop corpus' },
    induction: { layers: 2, heads: 2, dModel: 64, mlp: false, learningRate: 0.003, batch: 16, steps: 2000, seed: 7,
      snapshotEvery: 50, symbols: 16, shortestPeriod: 4, longestPeriod: 8, contextLength: 17, label: 'induction' },
    text: { layers: 2, heads: 4, dModel: 64, mlp: true, learningRate: 0.003, batch: 16, steps: 1000, seed: 7,
      snapshotEvery: 50, contextLength: 32, label: 'your own text' },
  };

  // A task's training settings as the page's state keys (the link's defaults for that task).
  function trainingDefaults(task) {
    const t = TRAINING_TASKS[task] || TRAINING_TASKS.workshop;
    return { trainTask: TRAINING_TASKS[task] ? task : 'workshop', trainLayers: t.layers, trainHeads: t.heads, trainDModel: t.dModel,
      trainMlp: t.mlp, trainLearningRate: t.learningRate, trainBatch: t.batch, trainSteps: t.steps, trainSeed: t.seed };
  }

  // The training settings (train*) come last, from the workshop task's row of TRAINING_TASKS.
  const DEFAULTS = Object.assign({
    model: 'trained',
    modelName: '',         // the GPT-2-family model's name, with model 'gpt2'
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
    compare: 'off',        // 'off' | 'causal' | 'scaled' | 'seed' | 'temperature' | 'head'
    compareSeed: 7,        // the other side's seed when comparing seeds
    compareTemperature: 0.5,  // the other side's temperature when comparing temperatures
    compareLayer: 0,       // the other side's layer and head when comparing heads
    compareHead: 1,
    theme: 'auto',         // 'auto' | 'light' | 'dark'
    projector: false,      // large type for a projector
  }, trainingDefaults('workshop'));

  // Head patterns: 'random' keeps the seed's weights; the others are designed (core:
  // src/core/attention/designed_heads.h, which gives the formula of each).
  const HEAD_PATTERNS = [
    { id: 'random', label: 'random (from the seed)' },
    { id: 'previous_token', label: 'previous token' },
    { id: 'same_token', label: 'same token' },
    { id: 'first_token', label: 'first token (attention sink)' },
    { id: 'local_window', label: 'local window ±k' },
    { id: 'uniform', label: 'uniform' },
  ];
  const COMPARISONS = ['off', 'causal', 'scaled', 'seed', 'temperature', 'head'];

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
    TRAINING_TASKS,
    MAX_LAYERS: MAX_MODEL_LAYERS, MAX_MODEL_HEADS,
    headChoices, trainingDefaults,
  };
}(window.Spotlight));
