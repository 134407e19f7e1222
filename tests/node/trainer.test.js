// Training and measuring in the module, through the JavaScript API: the Trainer on each kind of
// data (the loss falls, steps() is step() repeated bit for bit, the schedule, deleting in any
// order), the workshop report of an untrained model and of the page's trained checkpoint
// (web/generated/models/workshop.js, which ./build.sh makes with the native command), and the head
// detectors run on a model; then the invalid calls, each an Error with the core's or the API's
// message, after which the module still works.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule } = require('./module');

const checkpointScript = path.join(__dirname, '..', '..', 'web', 'generated', 'models', 'workshop.js');

// A small model of the workshop's vocabulary and context, and a short run for it.
const SMALL = { vocabSize: 96, contextLength: 24, embedDim: 16, numHeads: 2, numLayers: 2, seed: 3 };
const SHORT_RUN = { batch: 8, learningRate: 1e-2, warmupSteps: 10, totalSteps: 100 };
const WORKSHOP_DATA = { task: 'workshop', trainSentences: 2000 };

function assertError(call, pattern) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), `not a plain Error: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

// Objects deleted when the test ends, also when it fails.
function withModel(t, M, config = SMALL) {
  const model = new M.TinyTransformer(config);
  t.after(() => model.delete());
  return model;
}

function withTrainer(t, M, data, options) {
  const trainer = new M.Trainer(data, options);
  t.after(() => trainer.delete());
  return trainer;
}

const mean = (values) => values.reduce((total, value) => total + value, 0) / values.length;

// ---- training --------------------------------------------------------------------------------------

test('Trainer: 100 steps of a small model on the workshop corpus lower the loss from ln(96)', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M);
  const trainer = withTrainer(t, M, WORKSHOP_DATA, SHORT_RUN);
  const losses = trainer.steps(model, 100);
  assert.ok(losses instanceof Float64Array && losses.length === 100);
  const first = mean(losses.slice(0, 10));
  const last = mean(losses.slice(90));
  t.diagnostic(`loss ${first.toFixed(3)} -> ${last.toFixed(3)} (mean of the first and last 10 steps)`);
  assert.ok(Math.abs(losses[0] - Math.log(96)) < 0.1, `first loss ${losses[0]}`);
  assert.ok(last < 0.6 * first, `${first} -> ${last}`);
  assert.equal(trainer.stepsDone, 100);
  assert.equal(model.optimizerStep, 100);
});

test('Trainer: steps(model, n) is n calls of step(model), bit for bit', async (t) => {
  const M = await loadModule();
  const run = (train) => {
    const model = withModel(t, M);
    const trainer = withTrainer(t, M, WORKSHOP_DATA, SHORT_RUN);
    const losses = train(model, trainer);
    return { losses, parameters: model.getParameters(), stepsDone: trainer.stepsDone, rate: trainer.learningRate };
  };
  const oneByOne = run((model, trainer) => Array.from({ length: 30 }, () => trainer.step(model)));
  const inSlices = run((model, trainer) => [0, 1, 2].flatMap(() => Array.from(trainer.steps(model, 10))));
  assert.deepEqual(inSlices, oneByOne);
  assert.equal(run((model, trainer) => Array.from(trainer.steps(model, 0))).stepsDone, 0, 'zero steps');
});

test('Trainer: a task shorthand trains exactly as the corpus\'s sequences do', async (t) => {
  const M = await loadModule();
  const lossesOf = (data, config, options) => {
    const model = withModel(t, M, config);
    return Array.from(withTrainer(t, M, data, options).steps(model, 8));
  };
  const options = { batch: 4, totalSteps: 8, warmupSteps: 2, dataSeed: 9 };
  const workshop = M.workshopCorpus({ seed: 4, trainSentences: 100, evalSentences: 0 });
  assert.deepEqual(lossesOf({ task: 'workshop', seed: 4, trainSentences: 100 }, SMALL, options),
    lossesOf({ sequences: workshop.training.map((sentence) => sentence.tokens), vocabSize: 96 }, SMALL, options));
  const inductionOptions = { seed: 2, count: 50, symbols: 10, shortestPeriod: 3, longestPeriod: 6 };
  const induction = M.inductionCorpus(inductionOptions);
  const inductionModel = { vocabSize: 12, contextLength: 13, embedDim: 8, numHeads: 2, numLayers: 2, mlp: false };
  assert.deepEqual(lossesOf(Object.assign({ task: 'induction' }, inductionOptions), inductionModel, options),
    lossesOf({ sequences: induction.sequences, vocabSize: 12 }, inductionModel, options));
  // Own text: one sequence, <bos> then the tokens' ids, cut into windows of seqLen tokens.
  const tokens = M.splitWords('the cat sat on the mat and the dog sat on the log because it was warm there', true);
  const vocabulary = M.buildVocabulary(tokens, 10);
  const textModel = { vocabSize: 10, contextLength: 8, embedDim: 8, numHeads: 2, numLayers: 1 };
  const ids = Int32Array.from([1].concat(Array.from(M.encode(vocabulary, tokens))));
  assert.deepEqual(lossesOf({ task: 'text', tokens, vocabulary }, textModel, options),
    lossesOf({ sequences: [ids], vocabSize: 10 }, textModel, options));
  assert.deepEqual(lossesOf({ sequences: [Array.from(ids)], vocabSize: 10 }, textModel, options),
    lossesOf({ sequences: [ids], vocabSize: 10 }, textModel, options), 'arrays of numbers work as Int32Arrays do');
});

test('Trainer: options default to the recipe of the data\'s task; learningRate follows the schedule', async (t) => {
  const M = await loadModule();
  const recipes = M.recipes();
  assert.deepEqual(withTrainer(t, M, { task: 'workshop', trainSentences: 10 }, undefined).options, recipes.workshop.training);
  assert.deepEqual(withTrainer(t, M, { task: 'induction', count: 10 }, null).options, recipes.induction.training);
  assert.deepEqual(withTrainer(t, M, { sequences: [[1, 2]], vocabSize: 3 }, {}).options, recipes.text.training);
  const trainer = withTrainer(t, M, { sequences: [[1, 2, 3, 4, 5]], vocabSize: 6 },
    { batch: 2, learningRate: 0.01, warmupSteps: 4, totalSteps: 10, finalFraction: 0.2 });
  const model = withModel(t, M, { vocabSize: 6, contextLength: 4, embedDim: 4, numHeads: 1, numLayers: 1 });
  const rates = [];
  for (let step = 0; step < 12; step += 1) {
    rates.push(trainer.learningRate);
    trainer.step(model);
  }
  // Warm-up from 0.01/4 to 0.01 over 4 steps, then a cosine down to 0.2 * 0.01 at step 10. The
  // schedule computes in float: within two of its ulps (2^-23 relative each).
  const close = (actual, expected) => Math.abs(actual - expected) <= 2 ** -22 * expected;
  [0.0025, 0.005, 0.0075, 0.01].forEach((rate, step) => assert.ok(close(rates[step], rate), `step ${step}: ${rates[step]}`));
  for (let step = 4; step < 10; step += 1) {
    const expected = 0.01 * (0.2 + 0.8 * 0.5 * (1 + Math.cos(Math.PI * (step - 4) / 6)));
    assert.ok(close(rates[step], expected), `step ${step}: ${rates[step]} vs ${expected}`);
  }
  assert.equal(rates[10], 0.002);
  assert.equal(rates[11], 0.002);
  assert.equal(trainer.vocabSize, 6);
  assert.equal(trainer.sequenceCount, 1);
});

test('Trainer: it never keeps the model, so model and trainer may be deleted in either order', async () => {
  const M = await loadModule();
  const before = M.memoryStats().allocatedBytes;
  const first = new M.TinyTransformer(SMALL);
  const trainer = new M.Trainer({ task: 'workshop', trainSentences: 50 }, { batch: 2 });
  trainer.step(first);
  first.delete();
  assertError(() => trainer.step(first), /this TinyTransformer was deleted; create a new one/);
  assertError(() => trainer.steps(first, 3), /this TinyTransformer was deleted/);
  const second = new M.TinyTransformer(SMALL);
  assert.ok(Number.isFinite(trainer.step(second)), 'the trainer trains another model');
  assert.equal(trainer.stepsDone, 2);
  trainer.delete();
  assert.equal(trainer.isDeleted(), true);
  for (const use of [() => trainer.step(second), () => trainer.steps(second, 1), () => trainer.stepsDone,
    () => trainer.learningRate, () => trainer.options, () => trainer.vocabSize]) {
    assertError(use, /this Trainer was deleted; create a new one/);
  }
  trainer.delete();  // twice is harmless
  const tokens = Int32Array.of(1, 2, 3, 4);
  assert.ok(Number.isFinite(second.trainStep(tokens, Int32Array.of(2, 3, 4, 5), { batch: 1, seqLen: 4 })),
    'the model trains on without its trainer');
  assert.equal(second.optimizerStep, 2);
  second.delete();
  assert.equal(M.memoryStats().allocatedBytes, before, 'nothing left behind');
});

// ---- measurements ----------------------------------------------------------------------------------

test('workshopReport: an untrained model has low accuracies, a loss near ln(96), and misses the goals', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M);
  const report = M.workshopReport(model, { evalSentences: 200 });
  assert.equal(report.heldOutSentences, 200);
  assert.equal(report.novelSentences, 200);
  assert.ok(Math.abs(report.heldOutLoss - Math.log(96)) < 0.05, `held-out loss ${report.heldOutLoss}`);
  assert.equal(report.goalsMet, false);
  assert.deepEqual(report.goals, { heldOutAccuracy: 0.95, novelAccuracy: 0.9 });
  assert.deepEqual(report.relations.map((r) => [r.name, r.query, r.key]),
    [['coreference', 'it', 'cat'], ['agreement', 'are', 'dogs'], ['relative_clause', 'was', 'book']]);
  for (const relation of report.relations) {
    assert.ok(relation.heldOutAccuracy < 0.5 && relation.novelAccuracy < 0.5, JSON.stringify(relation));
    assert.ok(relation.layer < SMALL.numLayers && relation.head < SMALL.numHeads);
    assert.ok(relation.keyWeight > 0 && relation.keyWeight < 1 && relation.heldOutMeanWeight < 0.5);
    assert.equal(typeof relation.chosen, 'string');
  }
  const scores = report.headScores;
  assert.equal(scores.numLayers, SMALL.numLayers);
  assert.equal(scores.sequences, 200);
  for (const key of ['previousToken', 'firstToken', 'induction']) {
    assert.ok(scores[key] instanceof Float64Array && scores[key].length === SMALL.numLayers * SMALL.numHeads, key);
  }
  assert.deepEqual(M.workshopReport(model, { evalSentences: 200 }), report, 'deterministic');
  const defaults = M.workshopReport(model);
  assert.equal(defaults.heldOutSentences, M.recipes().workshop.evalSequences);
});

// The page's checkpoint, as the page loads it: a script that sets SpotlightModels.workshop.
function loadPageCheckpoint() {
  assert.ok(fs.existsSync(checkpointScript),
    `${checkpointScript} is missing: ./build.sh build makes it (spotlight_train workshop)`);
  const sandbox = {};
  vm.runInNewContext(fs.readFileSync(checkpointScript, 'utf8'), sandbox);
  const entry = sandbox.SpotlightModels.workshop;
  return { bytes: Buffer.from(entry.bytes, 'base64'), metadata: entry.metadata };
}

test('workshopReport: the page\'s checkpoint, made by the native command, meets the goals in wasm too', async (t) => {
  const M = await loadModule();
  const { bytes, metadata } = loadPageCheckpoint();
  const model = M.TinyTransformer.load(bytes);
  t.after(() => model.delete());
  const recipe = M.recipes().workshop;
  assert.deepEqual(model.config, recipe.config, 'the checkpoint is a model of the workshop recipe');
  assert.deepEqual(model.vocabulary, M.workshopCorpus({ trainSentences: 0, evalSentences: 0 }).vocabulary);
  assert.equal(model.tokenizer, 'word');
  const report = M.workshopReport(model);
  t.diagnostic(report.relations.map((r) => `${r.name} head ${r.layer}.${r.head}: held-out ${r.heldOutAccuracy}, ` +
    `novel ${r.novelAccuracy}, "${r.query}" -> "${r.chosen}" (${r.keyWeight.toFixed(3)})`).join('; '));
  assert.equal(report.goalsMet, true);
  assert.deepEqual(report.relations.map((r) => [r.name, r.query, r.chosen]),
    [['coreference', 'it', 'cat'], ['agreement', 'are', 'dogs'], ['relative_clause', 'was', 'book']]);
  // What the native command measured when it trained the checkpoint (its metadata, 4 decimals):
  // the same heads; the accuracies and loss up to the two builds' float rounding.
  assert.equal(metadata.goalsMet, true);
  assert.equal(report.heldOutSentences, metadata.heldOutSentences);
  assert.ok(Math.abs(report.heldOutLoss - metadata.heldOutLoss) < 1e-3, `${report.heldOutLoss} vs ${metadata.heldOutLoss}`);
  report.relations.forEach((relation, i) => {
    const native = metadata.relations[i];
    assert.deepEqual([relation.name, relation.layer, relation.head, relation.key],
      [native.name, native.layer, native.head, native.key]);
    assert.ok(Math.abs(relation.heldOutAccuracy - native.heldOutAccuracy) < 0.01, relation.name);
    assert.ok(Math.abs(relation.novelAccuracy - native.novelAccuracy) < 0.01, relation.name);
    assert.ok(Math.abs(relation.keyWeight - native.keyWeight) < 1e-3, relation.name);
  });
});

test('scoreModelHeads and scoreModelRelations score as scoreHeads and scoreRelation do on forward\'s maps', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M);
  withTrainer(t, M, WORKSHOP_DATA, SHORT_RUN).steps(model, 20);
  const { heldOut } = M.workshopCorpus({ trainSentences: 200, evalSentences: 30 });
  const tokens = heldOut.map((sentence) => sentence.tokens);
  const maps = tokens.map((ids) => model.forward(ids).attention);
  assert.deepEqual(M.scoreModelHeads(model, tokens), M.scoreHeads(maps, tokens));
  const relations = M.scoreModelRelations(model, heldOut);
  assert.deepEqual(relations.map((scores) => scores.name).sort(), ['agreement', 'coreference', 'relative_clause']);
  for (const scores of relations) {
    assert.deepEqual(scores, M.scoreRelation(maps, heldOut.map((sentence) => sentence.relations), scores.name));
  }
  assert.deepEqual(M.scoreModelRelations(model, []), []);
  // A sequence longer than the context is cut to it, as the core's score_model_heads does.
  const long = Int32Array.from({ length: 40 }, (_, i) => 2 + (i % 7));
  assert.deepEqual(M.scoreModelHeads(model, [long]), M.scoreHeads([model.forward(long.subarray(0, 24)).attention],
    [long.subarray(0, 24)]));
});

// ---- errors ----------------------------------------------------------------------------------------

test('Trainer errors: data and options, each an Error naming the value, and the module trains on', async (t) => {
  const M = await loadModule();
  const data = { sequences: [[1, 2, 3]], vocabSize: 4 };
  const before = M.memoryStats().allocatedBytes;
  assertError(() => new M.Trainer(data, { batch: 0 }), /batch must be a positive integer, got number 0/);
  assertError(() => new M.Trainer(data, { learningRate: NaN }), /the peak learning rate must be finite and in \(0, 10\], got nan/);
  assertError(() => new M.Trainer(data, { learningRate: 11 }), /the peak learning rate .* got 11/);
  assertError(() => new M.Trainer(data, { totalSteps: 0 }), /the schedule needs warmup_steps >= 0 and total_steps >= 1, got 50 and 0/);
  assertError(() => new M.Trainer(data, { warmupSteps: 1.5 }), /warmupSteps must be an integer >= 0, got number 1.5/);
  assertError(() => new M.Trainer(data, { finalFraction: 2 }), /the schedule's final fraction must be in \[0, 1\], got 2/);
  assertError(() => new M.Trainer(data, { beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
  assertError(() => new M.Trainer(data, { weightDecay: -1 }), /weight decay must be finite and >= 0, got -1/);
  assertError(() => new M.Trainer(data, { seqLen: -1 }), /seqLen must be an integer >= 0, got number -1/);
  assertError(() => new M.Trainer(data, { dataSeed: 0.5 }), /dataSeed must be an integer from 0 to 9007199254740991/);
  assertError(() => new M.Trainer(data, { learningrate: 1e-3 }), /Trainer: unknown option "learningrate"/);
  assertError(() => new M.Trainer(data, { batch: '8' }), /Trainer: option batch must be a number, got the string "8"/);
  assertError(() => new M.Trainer(), /Trainer: data must be an object, \{sequences, vocabSize\} or \{task: /);
  assertError(() => new M.Trainer({ task: 'poetry' }), /Trainer data: task must be 'workshop', 'induction' or 'text', got the string "poetry"/);
  assertError(() => new M.Trainer({ task: 'workshop', count: 5 }), /Trainer data \(task 'workshop'\): unknown option "count"/);
  assertError(() => new M.Trainer({ seed: 5 }), /Trainer data without a task \(\{sequences, vocabSize\}\): unknown option "seed"/);
  assertError(() => new M.Trainer({ sequences: [[1, 2]] }), /option vocabSize is required/);
  assertError(() => new M.Trainer({ sequences: [], vocabSize: 4 }), /a training set needs at least one sequence, got none/);
  assertError(() => new M.Trainer({ sequences: [[1, 2], [1]], vocabSize: 4 }),
    /training sequence 1 has 1 tokens; it needs at least 2 \(an input and its next token\)/);
  assertError(() => new M.Trainer({ sequences: [[1, 7]], vocabSize: 4 }),
    /training sequence 0 has token id 7 at position 1, outside the vocabulary of 4 words/);
  assertError(() => new M.Trainer({ sequences: [[1, 0.5]], vocabSize: 4 }), /sequences\[0\]\[1\] is number 0.5/);
  assertError(() => new M.Trainer({ sequences: 'abc', vocabSize: 4 }), /sequences must be an array of token id arrays/);
  assertError(() => new M.Trainer({ task: 'workshop', trainSentences: 200000 }), /trainSentences must be at most 100000/);
  assertError(() => new M.Trainer({ task: 'induction', symbols: 1 }), /induction data needs n_symbols in \[2, /);
  assertError(() => new M.Trainer({ task: 'text', tokens: ['a'] }), /option vocabulary is required/);
  assertError(() => new M.Trainer({ task: 'text', tokens: [], vocabulary: ['<unk>', '<bos>'] }), /own text has no tokens to train on/);
  assertError(() => new M.Trainer({ task: 'text', tokens: ['a'], vocabulary: ['a'] }), /vocabulary must start with "<unk>", "<bos>"/);
  assert.equal(M.memoryStats().allocatedBytes, before, 'no rejected construction left anything behind');

  const trainer = withTrainer(t, M, { task: 'workshop', trainSentences: 50 }, { batch: 2 });
  const small = withModel(t, M, Object.assign({}, SMALL, { vocabSize: 50 }));
  assertError(() => trainer.step(small), /the training set's vocabulary has 96 tokens, more than the model's vocab_size 50/);
  const short = withModel(t, M, Object.assign({}, SMALL, { contextLength: 8 }));
  const longWindows = withTrainer(t, M, { task: 'workshop', trainSentences: 50 }, { batch: 2, seqLen: 12 });
  assertError(() => longWindows.steps(short, 2), /seq_len must be between 1 and the context length 8, got 12/);
  assertError(() => trainer.step({}), /model must be a TinyTransformer, got an object/);
  assertError(() => trainer.step(), /model must be a TinyTransformer, got undefined/);
  const model = withModel(t, M);
  assertError(() => trainer.steps(model, -1), /count must be an integer >= 0, got number -1/);
  assertError(() => trainer.steps(model, 1000001), /count must be between 0 and 1000000 \(call steps in slices\), got 1000001/);
  assert.equal(trainer.stepsDone, 0, 'no rejected call took a step');
  assert.equal(model.optimizerStep, 0);
  assert.ok(Number.isFinite(trainer.step(model)), 'the trainer still trains');
});

test('Trainer errors: a step that diverges throws, the model keeps its parameters, the batch is used', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M);
  const trainer = withTrainer(t, M, { task: 'workshop', trainSentences: 50 }, { batch: 2 });
  trainer.step(model);
  // Embeddings of 6e37: LayerNorm's variance leaves float's range.
  model.setParameters({ wte: Float32Array.from({ length: 96 * 16 }, (_, i) => ((i * 7) % 11 - 5) * 6e37) });
  const parameters = model.getParameters();
  assertError(() => trainer.step(model), /the model's activations left float's range in layer 0/);
  assertError(() => trainer.steps(model, 5), /the model's activations left float's range/);
  assert.deepEqual(model.getParameters(), parameters, 'parameters unchanged');
  assert.equal(model.optimizerStep, 1);
  assert.equal(trainer.stepsDone, 3, 'each failed step used its batch');
  const fresh = withModel(t, M);
  assert.ok(Number.isFinite(trainer.step(fresh)), 'the trainer trains on');
});

test('measurement errors: wrong vocabularies and contexts, hostile sentences', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M);
  assertError(() => M.workshopReport(withModel(t, M, Object.assign({}, SMALL, { vocabSize: 50 }))),
    /the vocabulary has 96 words but the model's vocab_size is 50/);
  const short = withModel(t, M, Object.assign({}, SMALL, { contextLength: 8 }));
  assertError(() => M.workshopReport(short, { trainSentences: 50, evalSentences: 20 }), /tokens does not fit the context length 8/);
  assertError(() => M.workshopReport(model, { evalSentences: 0 }), /mean_loss needs a sequence of at least 2 tokens|no held-out sentence/);
  assertError(() => M.workshopReport(model, { trainSentences: 100001 }), /trainSentences must be at most 100000/);
  assertError(() => M.workshopReport(model, { evalsentences: 5 }), /workshopReport: unknown option "evalsentences"/);
  assertError(() => M.workshopReport('model'), /model must be a TinyTransformer, got the string "model"/);
  assertError(() => M.scoreModelHeads(model, []), /head scores of no sequence: add at least one/);
  assertError(() => M.scoreModelHeads(model, [[1, 2, 96]]), /token|96/);
  assertError(() => M.scoreModelHeads(model, [1, 2]), /sequences\[0\] must be an Int32Array or an array of integer token ids, got number 1/);
  assertError(() => M.scoreModelRelations(model, [{ tokens: [1, 2, 3], relations: [{ name: 'r', query: 1, key: 2 }] }]),
    /relation 'r' of sequence 0 has query 1 and key 2, expected 0 <= key <= query < seq_len 3/);
  assertError(() => M.scoreModelRelations(model, [{ tokens: Array(30).fill(2), relations: [] }]),
    /a sentence of 30 tokens does not fit the context length 24/);
  assertError(() => M.scoreModelRelations(model, [[1, 2]]), /sentences\[0\] must be an object \{tokens, relations\}, got an array/);
  assertError(() => M.scoreModelRelations(model, [{ tokens: [1, 2] }]), /sentences\[0\].relations must be an array of \{name, query, key\}/);
  assertError(() => M.scoreModelRelations(model, [{ tokens: [1, 2], relations: [{ name: 'r', query: -1, key: 0 }] }]),
    /sentences\[0\].relations\[0\].query must be an integer >= 0, got number -1/);
  assertError(() => M.scoreModelRelations(model, 'x'), /sentences must be an array of \{tokens, relations\}/);
  assert.equal(M.scoreModelHeads(model, [[1, 2, 3]]).sequences, 1, 'still usable');
});
