// The JavaScript boundary under a sweep of wrong arguments: every argument of every function and
// method of the API, and every option, replaced in turn by a hostile value - wrong types, NaN,
// sizes around 2**31, a BigInt, typed arrays of the wrong kind or length, a detached buffer, an
// array claiming 2**31 - 1 entries. Each call is either one the API documents as valid (listed
// with the argument, and then its result must be finite) or throws an Error whose message names
// the argument - never a WebAssembly.RuntimeError, never an abort. After the sweep the module
// computes exactly what it computed before, malloc holds no more bytes and Embind no more
// JavaScript values. Requests larger than the module's memory cap are refused with the numbers.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule, modulePath, randomFloats } = require('./module');

// Small shapes: d_model, heads, query and key counts, single-head widths.
const D = 8;
const HEADS = 2;
const NQ = 3;
const NK = 2;
const DK = 4;
const DV = 5;

// ---- hostile values ----------------------------------------------------------------------------

function detachedFloat32Array(length) {
  const values = new Float32Array(length);
  structuredClone(values.buffer, { transfer: [values.buffer] });
  return values;
}

// A Float32Array holding `length` values whose own length property claims 2**31 - 1.
function overclaimingFloat32Array(length) {
  const values = new Float32Array(length);
  Object.defineProperty(values, 'length', { value: 2 ** 31 - 1 });
  return values;
}

function sparseArray(length) {
  const values = [0.5, 0.25];
  values.length = length;
  return values;
}

// label -> a maker of the value; `length` is how many values the argument expects when it is an
// array (a Float64Array of that length is a valid array of numbers).
function hostileValues(length) {
  return {
    undefined: () => undefined,
    null: () => null,
    'a string': () => '12',
    'an object': () => ({ length }),
    'a Map': () => new Map([['length', length]]),
    'a function': () => () => length,
    'an empty array': () => [],
    'an array of strings': () => Array(length).fill('1'),
    NaN: () => NaN,
    Infinity: () => Infinity,
    '-1': () => -1,
    0.5: () => 0.5,
    '2**31': () => 2 ** 31,
    '2**31 - 1': () => 2 ** 31 - 1,
    '2**53': () => 2 ** 53,
    'a BigInt': () => 12n,
    'a Float64Array': () => new Float64Array(length).fill(0.25),
    'a BigInt64Array': () => new BigInt64Array(length),
    'a too-short Float32Array': () => new Float32Array(length - 1),
    'a too-long Float32Array': () => new Float32Array(length + 1),
    'a detached Float32Array': () => detachedFloat32Array(length),
    'a sparse array of length 2**31 - 1': () => sparseArray(2 ** 31 - 1),
    'a Float32Array claiming length 2**31 - 1': () => overclaimingFloat32Array(length),
  };
}

// ---- argument kinds: a valid value, the hostile values that are valid too, the message's name --

const word = (name) => new RegExp(`\\b${name}\\b`);

function size(value, names) {
  return { valid: () => value, accepts: [], names, length: 4 };
}

function floats(length, seed, names) {
  return { valid: () => randomFloats(length, seed), accepts: ['a Float64Array'], names, length };
}

const seed = { valid: () => 7, accepts: ['undefined', '2**31', '2**31 - 1'], names: /seed/, length: 4 };
const optionsArgument = { valid: () => ({}), accepts: ['undefined', 'null'], names: /option/, length: 4 };

// Options: name -> kind. An option may be left undefined (its default) unless it is required.
const flag = { valid: () => true, accepts: [] };
const ATTENTION_OPTIONS = {
  causal: flag,
  scale: { valid: () => 0.5, accepts: ['null', '-1', '0.5', '2**31', '2**31 - 1', '2**53'] },
  temperature: { valid: () => 2, accepts: ['0.5', '2**31', '2**31 - 1', '2**53'] },
};
function maskOption(nk) {
  return { valid: () => [0, 1].concat(Array(nk - 2).fill(0)), accepts: ['null', 'a Float64Array'], length: nk,
    names: /keyPaddingMask|key_padding_mask/ };
}
const sizeOption = (value) => ({ valid: () => value, accepts: [], required: true });

// The tiny transformer's: token ids (a Float64Array of 0.25s is not), and a valid checkpoint (made
// once the module has loaded).
function tokenIds(ids, names, accepts = []) {
  return { valid: () => ids.slice(), accepts, names, length: ids.length };
}
const MODEL = { vocabSize: 16, contextLength: 8, embedDim: 8, numHeads: 2, numLayers: 1 };
const BATCH_IDS = Array.from({ length: 2 * 4 }, (_, i) => (3 * i) % 16);
const NUMBER_OPTION_VALUES = ['0.5', '2**31', '2**31 - 1', '2**53'];  // large or fractional, finite
let checkpointBytes = null;
// A relation-scored sequence's attention maps: 1 layer, 1 head, 3 tokens, causal rows.
const MAPS = () => ({ data: Float32Array.of(1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5), shape: [1, 1, 3, 3] });

// The training calls': a count whose default is a large corpus, given small in the valid options
// (so marked required) and accepted when left out.
const corpusCount = (value) => ({ valid: () => value, accepts: ['undefined'], required: true });
// A model argument's valid value stands for a fresh model that the call makes and deletes itself
// (withGivenModel), so that a hostile value replaces it as any other argument.
const THE_MODEL = Object.freeze({ standsFor: 'a fresh TinyTransformer' });
const modelArgument = () => ({ valid: () => THE_MODEL, accepts: [], names: /\bmodel\b/, length: 4 });
const WORKSHOP_MODEL = { vocabSize: 96, contextLength: 24, embedDim: 8, numHeads: 2, numLayers: 1 };
const TRAINER_DATA = { sequences: [[1, 2, 3, 4, 5, 6, 7]], vocabSize: 16 };
const TRAINER_OPTIONS = { batch: 2, seqLen: 4, totalSteps: 10 };
// The induction corpus's options, valid together: 5 sequences of periods 3 or 4 over 6 symbols.
const INDUCTION_OPTIONS = {
  seed: { valid: () => 3, accepts: ['2**31', '2**31 - 1'] },
  count: corpusCount(5),
  symbols: { valid: () => 6, accepts: ['undefined'], required: true },
  shortestPeriod: { valid: () => 3, accepts: [], required: true, names: /shortest/ },
  longestPeriod: { valid: () => 4, accepts: [], required: true, names: /longest/ },
};
const trainerData = () => ({ valid: () => ({}), accepts: [], names: /\bdata\b/, length: 4 });

// ---- the API, call by call -----------------------------------------------------------------------

// Methods run on a fresh layer each time, so that an accepted setWeights or designHead changes
// nothing the later calls see.
function onLayer(M, body) {
  const layer = new M.SimpleAttention(D, HEADS, 7);
  try {
    return body(layer);
  } finally {
    layer.delete();
  }
}

// The same for the transformer's methods, on a fresh model, so that a step or setParameters
// leaves nothing behind.
function onModel(M, body) {
  const model = new M.TinyTransformer(MODEL);
  try {
    return body(model);
  } finally {
    model.delete();
  }
}

function withGivenModel(M, config, given, body) {
  if (given !== THE_MODEL) return body(given);
  const model = new M.TinyTransformer(config);
  try {
    return body(model);
  } finally {
    model.delete();
  }
}

// A trainer deleted after `body`; the training calls' results are its numbers.
function usingTrainer(M, data, options, body) {
  const trainer = new M.Trainer(data, options);
  try {
    return body(trainer);
  } finally {
    trainer.delete();
  }
}

const trainerNumbers = (trainer) => trainer.learningRate + trainer.stepsDone + trainer.vocabSize + trainer.sequenceCount;

function withAttentionOptions(nk, extra) {
  return Object.assign({}, ATTENTION_OPTIONS, { keyPaddingMask: maskOption(nk) }, extra);
}

const CALLS = [
  {
    name: 'new SimpleAttention',
    args: { embedDim: size(D, /embedDim|embed_dim/), numHeads: size(HEADS, /numHeads|num_heads/), seed },
    run: (M, a) => new M.SimpleAttention(a.embedDim, a.numHeads, a.seed).delete(),
  },
  {
    name: 'forward',
    args: { x: floats(NQ * D, 1, /\bx(_q)?\b/), seqLen: size(NQ, word('seqLen')), options: optionsArgument },
    options: withAttentionOptions(NQ, { returnWeights: flag }),
    run: (M, a) => onLayer(M, (layer) => layer.forward(a.x, a.seqLen, a.options)),
  },
  {
    name: 'selfAttention',
    args: { x: floats(NQ * D, 2, /\bx(_q)?\b/), seqLen: size(NQ, word('seqLen')), options: optionsArgument },
    options: withAttentionOptions(NQ, {}),
    run: (M, a) => onLayer(M, (layer) => layer.selfAttention(a.x, a.seqLen, a.options)),
  },
  {
    name: 'crossAttention',
    args: {
      xq: floats(NQ * D, 3, /\bxq\b|\bx_q\b/), nq: size(NQ, word('nq')),
      xkv: floats(NK * D, 4, /\bxkv\b|\bx_kv\b/), nk: size(NK, word('nk')), options: optionsArgument,
    },
    options: withAttentionOptions(NK, { returnWeights: flag }),
    run: (M, a) => onLayer(M, (layer) => layer.crossAttention(a.xq, a.nq, a.xkv, a.nk, a.options)),
  },
  {
    name: 'trace',
    args: { x: floats(NQ * D, 5, /\bx(_q)?\b/), seqLen: size(NQ, word('seqLen')), options: optionsArgument },
    options: withAttentionOptions(NQ, {}),
    run: (M, a) => onLayer(M, (layer) => layer.trace(a.x, a.seqLen, a.options)),
  },
  {
    name: 'designHead',
    args: {
      head: size(1, word('head')), pattern: { valid: () => 'local_window', accepts: [], names: /pattern/, length: 4 },
      options: optionsArgument,
    },
    options: { window: { valid: () => 1, accepts: [] } },
    run: (M, a) => onLayer(M, (layer) => {
      layer.designHead(a.head, a.pattern, a.options);
      return layer.forward(randomFloats(NQ * D, 6), NQ);
    }),
  },
  {
    name: 'setWeights',
    args: { weights: { valid: () => ({}), accepts: [], names: /setWeights|weight/, length: 4 } },
    // Each weight replaced, as an option of the weights object.
    optionsArgument: 'weights',
    options: Object.fromEntries(['wq', 'wk', 'wv', 'wo', 'bq', 'bk', 'bv', 'bo'].map((key) => [key, {
      valid: () => randomFloats(key.startsWith('w') ? D * D : D, 8),
      accepts: ['a Float64Array'], length: key.startsWith('w') ? D * D : D, names: /\b[wb][qkvo]\b|weight|bias/,
      required: true,
    }])),
    run: (M, a) => onLayer(M, (layer) => {
      layer.setWeights(a.weights);
      return layer.forward(randomFloats(NQ * D, 9), NQ);
    }),
  },
  {
    name: 'embedTokens',
    args: {
      tokens: { valid: () => ['the', 'cat', 'sat'], accepts: ['an array of strings'], names: /token/, length: 3 },
      embedDim: size(D, /embedDim|d_model/), seed, options: optionsArgument,
    },
    options: { positional: flag, tokenVectors: flag },
    run: (M, a) => M.embedTokens(a.tokens, a.embedDim, a.seed, a.options),
  },
  ...['scaledDotProductAttention', 'dotProductAttention'].map((name) => ({
    name,
    args: { q: floats(NQ * DK, 10, word('q')), k: floats(NK * DK, 11, word('k')), v: floats(NK * DV, 12, word('v')) },
    options: withAttentionOptions(NK, {
      nq: sizeOption(NQ), nk: sizeOption(NK), dk: sizeOption(DK), dv: sizeOption(DV), returnWeights: flag,
    }),
    run: (M, a) => M[name](a.q, a.k, a.v, a.options),
  })),
  {
    name: 'multiHeadAttention',
    args: { q: floats(NQ * D, 13, word('q')), k: floats(NK * D, 14, word('k')), v: floats(NK * D, 15, word('v')) },
    options: withAttentionOptions(NK, {
      nq: sizeOption(NQ), nk: sizeOption(NK), dModel: sizeOption(D), numHeads: sizeOption(HEADS), returnWeights: flag,
    }),
    run: (M, a) => M.multiHeadAttention(a.q, a.k, a.v, a.options),
  },
  {
    name: 'scalingStudy',
    args: { d: size(16, word('d')), n: size(8, word('n')), seed },
    run: (M, a) => M.scalingStudy(a.d, a.n, a.seed),
  },
  {
    name: 'new TinyTransformer',
    args: { config: optionsArgument },
    optionsArgument: 'config',
    options: {
      vocabSize: { valid: () => 16, accepts: [], names: /vocabSize|vocab_size/ },
      contextLength: { valid: () => 8, accepts: [], names: /contextLength|context_length/ },
      embedDim: { valid: () => 8, accepts: [], names: /embedDim|d_model/ },
      numHeads: { valid: () => 2, accepts: [], names: /numHeads|n_heads/ },
      numLayers: { valid: () => 1, accepts: [], names: /numLayers|n_layers/ },
      mlp: flag,
      layerNorm: flag,
      seed: { valid: () => 3, accepts: ['2**31', '2**31 - 1'] },
    },
    run: (M, a) => new M.TinyTransformer(a.config).delete(),
  },
  {
    name: 'TinyTransformer.load',
    args: { bytes: { valid: () => checkpointBytes, accepts: [], names: /\bbytes\b|checkpoint/, length: 4 } },
    run: (M, a) => {
      const model = M.TinyTransformer.load(a.bytes);
      try {
        return model.forward([1, 2]);
      } finally {
        model.delete();
      }
    },
  },
  {
    name: 'TinyTransformer forward',
    // Any whole number of token ids below the context is a valid sequence, zeros too.
    args: { tokens: tokenIds([1, 2, 3], /\btokens\b|seq_len/, ['a too-short Float32Array', 'a too-long Float32Array']),
            options: optionsArgument },
    options: { seqLen: { valid: () => 3, accepts: ['null'] } },
    run: (M, a) => onModel(M, (model) => model.forward(a.tokens, a.options)),
  },
  ...['lossAndGradients', 'trainStep'].map((name) => ({
    name: `TinyTransformer ${name}`,
    // The options hold the batch's required sizes: leaving them out is an error.
    args: { inputs: tokenIds(BATCH_IDS, /\binputs\b/), targets: tokenIds(BATCH_IDS, /\btargets\b/),
            options: { valid: () => ({}), accepts: [], names: /option/, length: 4 } },
    options: Object.assign({
      batch: { valid: () => 2, accepts: [], required: true, names: /\bbatch\b/ },
      seqLen: { valid: () => 4, accepts: [], required: true, names: /\bseqLen\b|seq_len/ },
    }, name === 'trainStep' ? {
      learningRate: { valid: () => 1e-3, accepts: ['0.5'], names: /learningRate|learning rate/ },
      beta1: { valid: () => 0.8, accepts: ['0.5'] },
      beta2: { valid: () => 0.9, accepts: ['0.5'] },
      epsilon: { valid: () => 1e-6, accepts: NUMBER_OPTION_VALUES },
      weightDecay: { valid: () => 0.01, accepts: NUMBER_OPTION_VALUES, names: /weightDecay|weight decay/ },
      clipNorm: { valid: () => 2, accepts: NUMBER_OPTION_VALUES, names: /clipNorm|clip norm/ },
    } : {}),
    run: (M, a) => onModel(M, (model) => model[name](a.inputs, a.targets, a.options)),
  })),
  {
    name: 'TinyTransformer generate',
    args: { prompt: tokenIds([4, 5], /\bprompt\b/, ['a too-short Float32Array', 'a too-long Float32Array']),
            count: size(3, word('count')), options: optionsArgument },
    options: {
      temperature: { valid: () => 0.5, accepts: NUMBER_OPTION_VALUES },
      topK: { valid: () => 2, accepts: [], names: /topK|top_k/ },
      seed: { valid: () => 5, accepts: ['2**31', '2**31 - 1'] },
    },
    run: (M, a) => onModel(M, (model) => Array.from(model.generate(a.prompt, a.count, a.options))),
  },
  {
    name: 'TinyTransformer setParameters',
    args: { values: { valid: () => ({}), accepts: [], names: /setParameters|parameter/, length: 4 } },
    optionsArgument: 'values',
    options: Object.fromEntries([['wte', 16 * 8], ['h.0.attn.wq', 8 * 8], ['h.0.attn.bq', 8], ['ln_f.weight', 8]]
      .map(([key, length]) => [key, {
        valid: () => randomFloats(length, 30), accepts: ['a Float64Array'], length, required: true,
        names: new RegExp(key.replace(/\./g, '\\.')),
      }])),
    run: (M, a) => onModel(M, (model) => {
      model.setParameters(a.values);
      return model.forward([1, 2, 3]);
    }),
  },
  {
    name: 'TinyTransformer save',
    args: { options: optionsArgument },
    options: {
      vocabulary: { valid: () => [], accepts: ['an empty array'], length: 16, names: /vocabulary/ },
      tokenizer: { valid: () => '', accepts: [] },
      metadata: { valid: () => 'trained on nothing', accepts: ['a string'] },
      includeOptimizer: flag,
    },
    run: (M, a) => onModel(M, (model) => model.save(a.options).length),
  },
  {
    name: 'scoreHeads',
    args: {
      attention: { valid: () => [MAPS()], accepts: [], names: /attention|score_heads/, length: 1 },
      tokens: { valid: () => [[1, 2, 1]], accepts: [], names: /tokens|score_heads/, length: 1 },
    },
    run: (M, a) => M.scoreHeads(a.attention, a.tokens),
  },
  {
    name: 'scoreRelation',
    args: {
      attention: { valid: () => [MAPS()], accepts: [], names: /attention|score_relation/, length: 1 },
      relations: { valid: () => [[{ name: 'r', query: 2, key: 0 }]], accepts: [], names: /relation/, length: 1 },
      name: { valid: () => 'r', accepts: [], names: /name|relation/, length: 4 },
    },
    run: (M, a) => M.scoreRelation(a.attention, a.relations, a.name),
  },
  { name: 'recipes', args: {}, run: (M) => M.recipes() },
  {
    name: 'workshopCorpus',
    args: { options: optionsArgument },
    options: { seed: { valid: () => 3, accepts: ['2**31', '2**31 - 1'] }, trainSentences: corpusCount(20),
               evalSentences: corpusCount(5) },
    run: (M, a) => {
      const corpus = M.workshopCorpus(a.options);
      return corpus.training.length + corpus.heldOut.length + corpus.novel.length + corpus.experiments.length;
    },
  },
  {
    name: 'inductionCorpus',
    args: { options: optionsArgument },
    options: INDUCTION_OPTIONS,
    run: (M, a) => M.inductionCorpus(a.options).sequences.length,
  },
  {
    name: 'buildVocabulary',
    args: {
      tokens: { valid: () => ['the', 'cat', 'the'], accepts: ['an empty array', 'an array of strings'], names: /\btokens?\b/,
                length: 3 },
      maxSize: { valid: () => 5, accepts: ['undefined', '2**31 - 1'], names: /maxSize|max_size/, length: 4 },
    },
    run: (M, a) => M.buildVocabulary(a.tokens, a.maxSize).length,
  },
  {
    name: 'encode',
    args: {
      vocabulary: { valid: () => ['<unk>', '<bos>', 'the', 'cat'], accepts: [], names: /vocabulary/, length: 4 },
      words: { valid: () => ['the', 'dog'], accepts: ['an empty array', 'an array of strings'], names: /\bwords\b/, length: 2 },
    },
    run: (M, a) => Array.from(M.encode(a.vocabulary, a.words)),
  },
  ...['splitWords', 'splitCharacters'].map((name) => ({
    name,
    args: {
      text: { valid: () => 'The cat, 3.14', accepts: ['a string'], names: /\btext\b/, length: 4 },
      lowercase: { valid: () => true, accepts: ['undefined'], names: /lowercase/, length: 4 },
    },
    run: (M, a) => M[name](a.text, a.lowercase).length,
  })),
  {
    name: 'new Trainer (sequences)',
    args: { data: trainerData(), options: optionsArgument },
    optionsArgument: 'data',
    options: {
      sequences: { valid: () => [[1, 2, 3], [4, 5]], accepts: [], required: true, names: /sequence/, length: 2 },
      vocabSize: { valid: () => 16, accepts: ['2**31 - 1'], required: true, names: /vocabSize|vocabulary/ },
    },
    run: (M, a) => usingTrainer(M, a.data, a.options, trainerNumbers),
  },
  {
    name: 'new Trainer (workshop)',
    args: { data: trainerData(), options: optionsArgument },
    optionsArgument: 'data',
    options: {
      task: { valid: () => 'workshop', accepts: [], required: true },
      seed: { valid: () => 3, accepts: ['2**31', '2**31 - 1'] },
      trainSentences: corpusCount(20),
    },
    run: (M, a) => usingTrainer(M, a.data, a.options, trainerNumbers),
  },
  {
    name: 'new Trainer (induction)',
    args: { data: trainerData(), options: optionsArgument },
    optionsArgument: 'data',
    options: Object.assign({ task: { valid: () => 'induction', accepts: [], required: true } }, INDUCTION_OPTIONS),
    run: (M, a) => usingTrainer(M, a.data, a.options, trainerNumbers),
  },
  {
    name: 'new Trainer (text)',
    args: { data: trainerData(), options: optionsArgument },
    optionsArgument: 'data',
    options: {
      task: { valid: () => 'text', accepts: [], required: true },
      tokens: { valid: () => ['the', 'cat', 'sat'], accepts: ['an array of strings'], required: true,
                names: /\btokens?\b/, length: 3 },
      vocabulary: { valid: () => ['<unk>', '<bos>', 'the', 'cat'], accepts: [], required: true, names: /vocabulary/ },
    },
    run: (M, a) => usingTrainer(M, a.data, a.options, trainerNumbers),
  },
  {
    name: 'new Trainer (options)',
    args: { data: { valid: () => TRAINER_DATA, accepts: [], names: /\bdata\b/, length: 4 }, options: optionsArgument },
    // Sizes past any model's are accepted here: the step checks them against the model it gets.
    options: {
      batch: { valid: () => 2, accepts: ['2**31 - 1'], names: /\bbatch\b/ },
      seqLen: { valid: () => 4, accepts: ['2**31 - 1'], names: /seqLen|seq_len/ },
      learningRate: { valid: () => 1e-3, accepts: ['0.5'], names: /learningRate|learning rate/ },
      warmupSteps: { valid: () => 2, accepts: ['2**31 - 1'], names: /warmupSteps|warmup_steps/ },
      totalSteps: { valid: () => 10, accepts: ['2**31 - 1'], names: /totalSteps|total_steps/ },
      finalFraction: { valid: () => 0.2, accepts: ['0.5'], names: /finalFraction|final fraction/ },
      weightDecay: { valid: () => 0.01, accepts: NUMBER_OPTION_VALUES, names: /weightDecay|weight decay/ },
      clipNorm: { valid: () => 2, accepts: NUMBER_OPTION_VALUES, names: /clipNorm|clip norm/ },
      beta1: { valid: () => 0.8, accepts: ['0.5'] },
      beta2: { valid: () => 0.9, accepts: ['0.5'] },
      epsilon: { valid: () => 1e-6, accepts: NUMBER_OPTION_VALUES },
      dataSeed: { valid: () => 3, accepts: ['2**31', '2**31 - 1'] },
    },
    run: (M, a) => usingTrainer(M, a.data, a.options, trainerNumbers),
  },
  {
    name: 'Trainer step',
    args: { model: modelArgument() },
    run: (M, a) => usingTrainer(M, TRAINER_DATA, TRAINER_OPTIONS,
      (trainer) => withGivenModel(M, MODEL, a.model, (model) => trainer.step(model))),
  },
  {
    name: 'Trainer steps',
    args: { model: modelArgument(), count: { valid: () => 2, accepts: [], names: /\bcount\b/, length: 4 } },
    run: (M, a) => usingTrainer(M, TRAINER_DATA, TRAINER_OPTIONS,
      (trainer) => withGivenModel(M, MODEL, a.model, (model) => trainer.steps(model, a.count))),
  },
  {
    name: 'workshopReport',
    args: { model: modelArgument(), options: optionsArgument },
    options: { seed: { valid: () => 3, accepts: ['2**31', '2**31 - 1'] }, trainSentences: corpusCount(30),
               evalSentences: corpusCount(15) },
    run: (M, a) => withGivenModel(M, WORKSHOP_MODEL, a.model, (model) => M.workshopReport(model, a.options)),
  },
  {
    name: 'scoreModelHeads',
    args: { model: modelArgument(), sequences: { valid: () => [[1, 2, 3], [4, 5]], accepts: [], names: /sequence/, length: 2 } },
    run: (M, a) => withGivenModel(M, MODEL, a.model, (model) => M.scoreModelHeads(model, a.sequences)),
  },
  {
    name: 'scoreModelRelations',
    args: {
      model: modelArgument(),
      sentences: { valid: () => [{ tokens: [1, 2, 3], relations: [{ name: 'r', query: 2, key: 0 }] }],
                   accepts: ['an empty array'], names: /sentences|relation/, length: 1 },
    },
    run: (M, a) => withGivenModel(M, MODEL, a.model, (model) => M.scoreModelRelations(model, a.sentences)),
  },
];

// ---- the sweep -----------------------------------------------------------------------------------

// The valid arguments of a call: its options object holds the required options only.
function validArguments(call) {
  const args = {};
  for (const [name, kind] of Object.entries(call.args)) args[name] = kind.valid();
  if (call.options) {
    const options = {};
    for (const [name, kind] of Object.entries(call.options)) {
      if (kind.required) options[name] = kind.valid();
    }
    args[call.optionsArgument || 'options'] = options;
  }
  return args;
}

// Every Float32Array and number in a result is finite, but for the -Infinity that marks a masked
// score in a trace (and the row max of a row whose keys are all masked).
function nonFinite(result, path = 'result') {
  const masked = /\.(maskedScores|rowMax)\b/.test(path);
  const finite = (value) => Number.isFinite(value) || (masked && value === -Infinity);
  if (typeof result === 'number') return finite(result) ? [] : [path];
  if (result instanceof Float32Array) return result.every(finite) ? [] : [path];
  if (result && typeof result === 'object') {
    return Object.entries(result).flatMap(([key, value]) => nonFinite(value, `${path}.${key}`));
  }
  return [];
}

// Runs one call with one argument or option replaced; returns the problems found.
function probe(M, call, args, label, accepted, names) {
  let result;
  try {
    result = call.run(M, args);
  } catch (error) {
    if (accepted) return [`${label}: documented as valid, but threw ${error && error.message}`];
    if (!(error instanceof Error)) return [`${label}: threw a non-Error ${String(error)}`];
    if (error instanceof WebAssembly.RuntimeError) return [`${label}: the module trapped: ${error.message}`];
    if (!error.message) return [`${label}: an Error without a message`];
    if (!names.test(error.message)) return [`${label}: "${error.message}" does not name the argument (${names})`];
    return [];
  }
  if (!accepted) return [`${label}: accepted`];
  return nonFinite(result).map((path) => `${label}: ${path} is not finite`);
}

function sweep(M) {
  const problems = [];
  let calls = 0;
  for (const call of CALLS) {
    const valid = validArguments(call);
    problems.push(...probe(M, call, valid, `${call.name} with valid arguments`, true, /./));
    calls += 1;
    for (const [name, kind] of Object.entries(call.args)) {
      for (const [label, make] of Object.entries(hostileValues(kind.length))) {
        const args = Object.assign({}, validArguments(call), { [name]: make() });
        problems.push(...probe(M, call, args, `${call.name}: ${name} = ${label}`, kind.accepts.includes(label),
          kind.names));
        calls += 1;
      }
    }
    const optionsName = call.optionsArgument || 'options';
    for (const [name, kind] of Object.entries(call.options || {})) {
      const names = kind.names || word(name);
      for (const [label, make] of Object.entries(hostileValues(kind.length || 4))) {
        const args = validArguments(call);
        args[optionsName][name] = make();
        const accepted = kind.accepts.includes(label) || (label === 'undefined' && !kind.required);
        problems.push(...probe(M, call, args, `${call.name}: option ${name} = ${label}`, accepted, names));
        calls += 1;
      }
    }
    if (call.options) {
      const args = validArguments(call);
      args[optionsName].casual = true;
      problems.push(...probe(M, call, args, `${call.name}: unknown option casual`, false, /casual/));
      calls += 1;
    }
  }
  return { problems, calls };
}

// What the module computes, to compare before and after the sweep.
function reference(M, layer, model) {
  const x = M.embedTokens(['the', 'cat', 'sat'], D, 42);
  const q = randomFloats(NQ * DK, 20);
  const k = randomFloats(NK * DK, 21);
  return {
    x,
    forward: layer.forward(x, NQ, { causal: true }),
    tiled: layer.selfAttention(x, NQ),
    cross: layer.crossAttention(x, NQ, x.subarray(0, NK * D), NK, { keyPaddingMask: [0, 1] }),
    trace: layer.trace(x, NQ),
    weights: layer.getWeights(),
    single: M.scaledDotProductAttention(q, k, k, { nq: NQ, nk: NK, dk: DK, dv: DK, temperature: 0.5 }),
    multi: M.multiHeadAttention(x, x, x, { nq: NQ, nk: NQ, dModel: D, numHeads: HEADS }),
    study: M.scalingStudy(16, 8, 3),
    model: model.getParameters(),
    modelForward: model.forward([1, 2, 3]),
    modelLoss: model.lossAndGradients(BATCH_IDS, BATCH_IDS, { batch: 2, seqLen: 4 }),
    corpus: M.workshopCorpus({ trainSentences: 5, evalSentences: 3 }),
    training: onModel(M, (fresh) => usingTrainer(M, TRAINER_DATA, TRAINER_OPTIONS, (trainer) => trainer.steps(fresh, 3))),
    headScores: M.scoreModelHeads(model, [[1, 2, 3, 1, 2, 3]]),
  };
}

function liveValues(M) {
  return { allocatedBytes: M.memoryStats().allocatedBytes, embindHandles: M.count_emval_handles() };
}

test('every argument and option of every call, replaced by a hostile value: an Error naming it, or a documented valid value', async (t) => {
  const M = await loadModule();
  const layer = new M.SimpleAttention(D, HEADS, 42);
  const model = new M.TinyTransformer(MODEL);
  checkpointBytes = model.save();
  const before = reference(M, layer, model);
  const liveBefore = liveValues(M);
  const { problems, calls } = sweep(M);
  t.diagnostic(`${calls} calls over ${CALLS.length} functions and methods`);
  assert.deepEqual(problems, [], problems.join('\n'));
  assert.deepEqual(reference(M, layer, model), before, 'the module computes what it computed before the sweep');
  assert.deepEqual(liveValues(M), liveBefore, 'no malloc bytes and no Embind handles left behind');
  layer.delete();
  model.delete();
});

test('the public surface is the friendly API: the raw bindings are not on the module', async () => {
  const M = await loadModule();
  for (const name of ['RawSimpleAttention', 'rawEmbedTokens', 'rawAttention', 'rawScalingStudy', 'rawMultiHeadAttention',
    'RawTinyTransformer', 'rawScoreHeads', 'rawScoreRelation', 'rawRecipes', 'rawWorkshopCorpus', 'rawInductionCorpus',
    'rawBuildVocabulary', 'rawEncode', 'rawSplitWords', 'rawSplitCharacters', 'RawTrainer', 'rawWorkshopReport',
    'rawScoreModelHeads', 'rawScoreModelRelations']) {
    assert.equal(M[name], undefined, name);
  }
});

test('the API called before the module has started: an Error saying so, and it works once started', async () => {
  const createAttentionModule = require(modulePath);
  const early = {};
  const started = createAttentionModule(early);  // `early` becomes the module; the API is on it at once
  assert.throws(() => early.embedTokens(['a'], 4), /the module is still starting: await the promise/);
  assert.throws(() => new early.SimpleAttention(4, 1), /the module is still starting/);
  const M = await started;
  assert.equal(M, early);
  assert.equal(M.embedTokens(['a'], 4).length, 4);
});

test('a deleted SimpleAttention refuses every method with the same message', async () => {
  const M = await loadModule();
  const layer = new M.SimpleAttention(D, HEADS, 1);
  const x = randomFloats(NQ * D, 1);
  layer.delete();
  assert.equal(layer.isDeleted(), true);
  const calls = {
    forward: () => layer.forward(x, NQ),
    selfAttention: () => layer.selfAttention(x, NQ),
    crossAttention: () => layer.crossAttention(x, NQ, x, NQ),
    trace: () => layer.trace(x, NQ),
    getWeights: () => layer.getWeights(),
    setWeights: () => layer.setWeights({ bq: new Float32Array(D) }),
    designHead: () => layer.designHead(0, 'uniform'),
    embedDim: () => layer.embedDim,
    numHeads: () => layer.numHeads,
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(call, /this SimpleAttention was deleted; create a new one/, name);
  }
});

// The memory cap: read from the message and checked against the request's own numbers.
function assertRefused(call, floatsNeeded) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), String(error));
    const match = /need (\d+) bytes, more than the module's memory limit of (\d+) bytes/.exec(error.message);
    assert.ok(match, error.message);
    assert.equal(Number(match[1]), 4 * floatsNeeded, error.message);
    assert.ok(Number(match[1]) > Number(match[2]), error.message);
    return true;
  });
}

test('requests larger than the memory cap are refused with the bytes needed and the limit, and the module works on', async () => {
  const M = await loadModule();
  const heads = 8;
  const n = 100000;
  const layer = new M.SimpleAttention(8, heads, 1);
  const x = new Float32Array(n * 8).fill(0.5);
  const small = randomFloats(4 * 8, 3);
  const expected = layer.forward(small, 4);
  const liveBefore = liveValues(M);
  assertRefused(() => layer.forward(x, n), heads * n * n);
  assert.throws(() => layer.forward(x, n), /pass returnWeights: false/);
  assertRefused(() => layer.crossAttention(x.subarray(0, 8 * 1000), 1000, x, n), heads * 1000 * n);
  assertRefused(() => layer.trace(x.subarray(0, 8 * 20000), 20000), 5 * heads * 20000 * 20000);
  const m = 30000;
  const q = x.subarray(0, m * 8);
  assertRefused(() => M.scaledDotProductAttention(q, q, q, { nq: m, nk: m, dk: 8, dv: 8 }), m * m);
  assertRefused(() => M.multiHeadAttention(q, q, q, { nq: m, nk: m, dModel: 8, numHeads: 2 }), 2 * m * m);
  assertRefused(() => M.embedTokens(['a', 'b'], 2 ** 30), 2 * 2 ** 30);
  assertRefused(() => new M.SimpleAttention(40000, 1), 4 * 40000 * 40000);
  assertRefused(() => M.scalingStudy(2 ** 20, 4096), 2 * 4096 * 2 ** 20 + 4096 * 4096);
  assert.deepEqual(liveValues(M), liveBefore, 'a refused request leaves nothing behind');
  assert.deepEqual(layer.forward(small, 4), expected, 'and the module computes as before');
  layer.delete();
});

// The floats the bindings reserve for the tiny transformer's activations before they call the core
// (activation_floats in src/wasm/transformer_bindings.cpp): per layer 16 (n, d) blocks and the
// (batch heads T, T) weights, then 2 (n, d) and the logits; the backward 14 (n, d) and 2 logits more.
function activationFloats(c, batch, seqLen, backward) {
  const n = batch * seqLen;
  const forward = c.numLayers * (16 * n * c.embedDim + batch * c.numHeads * seqLen * seqLen) +
                  2 * n * c.embedDim + n * c.vocabSize;
  return backward ? forward + 14 * n * c.embedDim + 2 * n * c.vocabSize : forward;
}

test('TinyTransformer requests larger than the memory cap are refused before they allocate, and the models work on', async (t) => {
  const M = await loadModule();
  // 32 heads of width 1: a batch of 128 x 512 tokens keeps 1 G weights per layer.
  const wide = { vocabSize: 50, contextLength: 512, embedDim: 32, numHeads: 32, numLayers: 1 };
  // 16 layers of 64 heads: one forward at the full context keeps 2 x 268 M weights.
  const deep = { vocabSize: 50, contextLength: 512, embedDim: 64, numHeads: 64, numLayers: 16 };
  const wideModel = new M.TinyTransformer(wide);
  const deepModel = new M.TinyTransformer(deep);
  t.after(() => { wideModel.delete(); deepModel.delete(); });
  const parameterCount = (model) => model.parameterTable().reduce((total, entry) => total + entry.rows * entry.cols, 0);
  const tokens = new Int32Array(128 * 512);
  const small = deepModel.forward([1, 2, 3]);
  const liveBefore = liveValues(M);
  // The first step also sizes AdamW's two moments, one float per parameter each.
  const training = activationFloats(wide, 128, 512, true) + 2 * parameterCount(wideModel);
  assertRefused(() => wideModel.trainStep(tokens, tokens, { batch: 128, seqLen: 512 }), training);
  assert.throws(() => wideModel.trainStep(tokens, tokens, { batch: 128, seqLen: 512 }), /use a smaller batch or seqLen/);
  assertRefused(() => wideModel.lossAndGradients(tokens, tokens, { batch: 128, seqLen: 512 }), training);
  const maps = deep.numLayers * deep.numHeads * 512 * 512;
  assertRefused(() => deepModel.forward(tokens.subarray(0, 512)), activationFloats(deep, 1, 512, false) + maps);
  assertRefused(() => deepModel.generate(tokens.subarray(0, 500), 12), activationFloats(deep, 1, 512, false) + maps);
  // The Trainer checks each step as trainStep does, and the detectors each forward.
  const trainer = new M.Trainer({ sequences: [tokens.subarray(0, 600)], vocabSize: 50 }, { batch: 128, seqLen: 512 });
  assertRefused(() => trainer.step(wideModel), training);
  assertRefused(() => trainer.steps(wideModel, 5), training);
  assert.equal(trainer.stepsDone, 0, 'a refused step draws no batch');
  trainer.delete();
  assertRefused(() => M.scoreModelHeads(deepModel, [tokens.subarray(0, 512)]), activationFloats(deep, 1, 512, false) + maps);
  assert.deepEqual(liveValues(M), liveBefore, 'a refused request leaves nothing behind');
  assert.deepEqual(deepModel.forward([1, 2, 3]), small, 'and the model computes as before');
  assert.equal(wideModel.generate([1], 2, { temperature: 0 }).length, 2);
});
