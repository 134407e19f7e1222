// The tiny GPT through the JavaScript API: the config and its parameter table, forward's shapes
// and causal weights, training, determinism, checkpoints, sampling and the head detectors; then
// every kind of invalid call, each an Error with the core's or the API's message, after which the
// module still works.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule } = require('./module');

const SMALL = { vocabSize: 16, contextLength: 8, embedDim: 16, numHeads: 2, numLayers: 2 };
const BATCH = 2;
const SEQ_LEN = 8;

// A fixed batch the model can learn: each sequence counts up by 3 (mod vocab); the target is the
// next token.
function countingBatch(vocab = SMALL.vocabSize, batch = BATCH, seqLen = SEQ_LEN) {
  const inputs = new Int32Array(batch * seqLen);
  const targets = new Int32Array(batch * seqLen);
  for (let b = 0; b < batch; b += 1) {
    for (let t = 0; t < seqLen; t += 1) {
      inputs[b * seqLen + t] = (b + 3 * t) % vocab;
      targets[b * seqLen + t] = (b + 3 * (t + 1)) % vocab;
    }
  }
  return { inputs, targets, shape: { batch, seqLen } };
}

// The names the issue fixes, in the parameter table's order, for a config.
function expectedNames({ numLayers, mlp, layerNorm }) {
  const names = ['wte', 'wpe'];
  for (let l = 0; l < numLayers; l += 1) {
    const h = `h.${l}.`;
    if (layerNorm) names.push(`${h}ln_1.weight`, `${h}ln_1.bias`);
    for (const p of ['q', 'k', 'v', 'o']) names.push(`${h}attn.w${p}`, `${h}attn.b${p}`);
    if (mlp) {
      if (layerNorm) names.push(`${h}ln_2.weight`, `${h}ln_2.bias`);
      names.push(`${h}mlp.fc`, `${h}mlp.fc_bias`, `${h}mlp.proj`, `${h}mlp.proj_bias`);
    }
  }
  if (layerNorm) names.push('ln_f.weight', 'ln_f.bias');
  return names;
}

function assertError(call, pattern) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), `not a plain Error: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

// A model that is deleted when the test ends, also when it fails.
function withModel(t, M, config) {
  const model = new M.TinyTransformer(config);
  t.after(() => model.delete());
  return model;
}

// ---- the API ---------------------------------------------------------------------------------------

test('transformer: the config has every default filled in', async (t) => {
  const M = await loadModule();
  assert.deepEqual(withModel(t, M).config, {
    vocabSize: 50, contextLength: 16, embedDim: 32, numHeads: 4, numLayers: 2, mlp: true, layerNorm: true, seed: 7,
  });
  assert.deepEqual(withModel(t, M, { embedDim: 8, mlp: false, seed: 0 }).config, {
    vocabSize: 50, contextLength: 16, embedDim: 8, numHeads: 4, numLayers: 2, mlp: false, layerNorm: true, seed: 0,
  });
  const model = withModel(t, M, SMALL);
  model.config.vocabSize = 3;
  assert.equal(model.config.vocabSize, 16, 'config is a copy');
});

test('transformer: getParameters has the table\'s names and sizes, with mlp and layerNorm on and off', async (t) => {
  const M = await loadModule();
  for (const mlp of [true, false]) {
    for (const layerNorm of [true, false]) {
      const config = Object.assign({}, SMALL, { mlp, layerNorm });
      const model = withModel(t, M, config);
      const table = model.parameterTable();
      assert.deepEqual(table.map((entry) => entry.name), expectedNames(config), `mlp ${mlp}, layerNorm ${layerNorm}`);
      const parameters = model.getParameters();
      assert.deepEqual(Object.keys(parameters), expectedNames(config));
      const d = SMALL.embedDim;
      const shapes = { wte: [SMALL.vocabSize, d], wpe: [SMALL.contextLength, d], 'h.1.attn.wq': [d, d],
                       'h.1.attn.bo': [1, d], 'h.0.mlp.fc': [d, 4 * d], 'h.0.mlp.proj': [4 * d, d],
                       'h.0.mlp.fc_bias': [1, 4 * d], 'ln_f.weight': [1, d] };
      for (const entry of table) {
        assert.ok(parameters[entry.name] instanceof Float32Array, entry.name);
        assert.equal(parameters[entry.name].length, entry.rows * entry.cols, entry.name);
        if (shapes[entry.name]) assert.deepEqual([entry.rows, entry.cols], shapes[entry.name], entry.name);
      }
      const roles = Object.fromEntries(table.map((entry) => [entry.name, entry.role]));
      assert.equal(roles.wte, 'embedding');
      assert.equal(roles['h.0.attn.wk'], 'weight');
      assert.equal(roles['h.0.attn.bk'], 'bias');
      if (layerNorm) {
        assert.equal(roles['ln_f.weight'], 'norm_gain');
        assert.equal(roles['ln_f.bias'], 'norm_bias');
        assert.ok(parameters['ln_f.weight'].every((gain) => gain === 1), 'LayerNorm gains start at 1');
      }
      assert.ok(parameters['h.0.attn.bq'].every((bias) => bias === 0), 'biases start at 0');
    }
  }
});

test('transformer: setParameters replaces a subset and leaves the rest', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const before = model.getParameters();
  const wq = Float32Array.from({ length: 16 * 16 }, (_, i) => (i % 5) / 10);
  model.setParameters({ 'h.0.attn.wq': wq, 'h.1.attn.bv': Array(16).fill(0.5) });
  const after = model.getParameters();
  assert.deepEqual(after['h.0.attn.wq'], wq);
  assert.deepEqual(after['h.1.attn.bv'], new Float32Array(16).fill(0.5));
  for (const name of Object.keys(before).filter((key) => key !== 'h.0.attn.wq' && key !== 'h.1.attn.bv')) {
    assert.deepEqual(after[name], before[name], name);
  }
  model.setParameters({});  // nothing to replace
  assert.deepEqual(model.getParameters(), after);
});

test('transformer: forward gives (seqLen, vocab) logits and causal (layers, heads, seqLen, seqLen) weights', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, Object.assign({}, SMALL, { numLayers: 3 }));
  const tokens = [3, 1, 4, 1, 5, 9];
  const T = tokens.length;
  const { logits, attention } = model.forward(tokens);
  assert.deepEqual(logits.shape, [T, SMALL.vocabSize]);
  assert.equal(logits.data.length, T * SMALL.vocabSize);
  assert.deepEqual(attention.shape, [3, SMALL.numHeads, T, T]);
  assert.equal(attention.data.length, 3 * SMALL.numHeads * T * T);
  assert.ok(logits.data.every(Number.isFinite));
  for (let l = 0; l < 3; l += 1) {
    for (let h = 0; h < SMALL.numHeads; h += 1) {
      for (let i = 0; i < T; i += 1) {
        const row = attention.data.subarray(((l * SMALL.numHeads + h) * T + i) * T, ((l * SMALL.numHeads + h) * T + i + 1) * T);
        for (let j = i + 1; j < T; j += 1) assert.equal(row[j], 0, `(${l}, ${h}, ${i}, ${j}) is in the future`);
        const sum = row.reduce((total, weight) => total + weight, 0);
        assert.ok(Math.abs(sum - 1) < 1e-6, `row (${l}, ${h}, ${i}) sums to ${sum}`);
      }
    }
  }
  assert.deepEqual(model.forward(Int32Array.from(tokens), { seqLen: T }), { logits, attention }, 'seqLen given, same');
  // Position t sees tokens 0 .. t only: changing the last token leaves the earlier rows alone.
  const changed = model.forward([3, 1, 4, 1, 5, 2]);
  assert.deepEqual(changed.logits.data.subarray(0, 5 * SMALL.vocabSize), logits.data.subarray(0, 5 * SMALL.vocabSize));
  assert.notDeepEqual(changed.logits.data, logits.data);
});

test('transformer: trace gives a layer\'s input and every intermediate, with forward\'s weights', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const tokens = [1, 4, 2, 2, 7, 3];
  const T = tokens.length;
  const dHead = SMALL.embedDim / SMALL.numHeads;
  const { attention } = model.forward(tokens);
  for (let layer = 0; layer < SMALL.numLayers; layer += 1) {
    const trace = model.trace(tokens, layer);
    assert.equal(trace.layer, layer);
    assert.deepEqual(trace.input.shape, [T, SMALL.embedDim]);
    assert.deepEqual(trace.q.shape, [SMALL.numHeads, T, dHead]);
    assert.deepEqual(trace.weights.shape, [SMALL.numHeads, T, T]);
    assert.deepEqual(trace.output.shape, [T, SMALL.embedDim]);
    assert.ok(Math.abs(trace.scale - 1 / Math.sqrt(dHead)) < 1e-7);
    const maps = attention.data.subarray(layer * SMALL.numHeads * T * T, (layer + 1) * SMALL.numHeads * T * T);
    for (let i = 0; i < maps.length; i += 1) {
      assert.ok(Math.abs(trace.weights.data[i] - maps[i]) < 1e-6, `weight ${i} of layer ${layer}`);
    }
    // The mask: future keys are -Infinity before the softmax.
    assert.equal(trace.maskedScores.data[0 * T + 1], -Infinity);
  }
  assertError(() => model.trace(tokens, 2), /layer 2 does not exist.*2 layers/);
  assertError(() => model.trace(tokens, -1), /layer must be an integer >= 0, got number -1/);
  assertError(() => model.trace([1, 99], 0), /99/);
  assertError(() => model.trace([], 0), /between 1 and the context length 8, got 0/);
});

test('transformer: lossAndGradients gives a loss near ln(vocab) at the start and one gradient per parameter', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const { inputs, targets, shape } = countingBatch();
  const { loss, gradients } = model.lossAndGradients(inputs, targets, shape);
  assert.ok(Math.abs(loss - Math.log(SMALL.vocabSize)) < 0.1, `loss ${loss} vs ln 16 = ${Math.log(16)}`);
  const table = model.parameterTable();
  assert.deepEqual(Object.keys(gradients), table.map((entry) => entry.name));
  for (const entry of table) assert.equal(gradients[entry.name].length, entry.rows * entry.cols, entry.name);
  assert.ok(Object.values(gradients).some((g) => g.some((value) => value !== 0)));
  // Ignored targets (-1) do not count, and arrays of numbers work as Int32Arrays do.
  const partly = Array.from(targets, (target, i) => (i % 2 ? -1 : target));
  const again = model.lossAndGradients(Array.from(inputs), partly, shape);
  assert.ok(Number.isFinite(again.loss) && again.loss !== loss);
  assert.equal(model.optimizerStep, 0, 'lossAndGradients takes no step');
});

test('transformer: 50 AdamW steps on a fixed batch lower the loss', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const { inputs, targets, shape } = countingBatch();
  const options = Object.assign({ learningRate: 1e-2 }, shape);
  const losses = [];
  for (let step = 0; step < 50; step += 1) losses.push(model.trainStep(inputs, targets, options));
  const final = model.lossAndGradients(inputs, targets, shape).loss;
  t.diagnostic(`loss ${losses[0].toFixed(3)} -> ${final.toFixed(3)} after 50 steps`);
  assert.ok(final < 0.25 * losses[0], `${losses[0]} -> ${final}`);
  assert.equal(model.optimizerStep, 50);
  assert.ok(model.lastGradientNorm > 0 && Number.isFinite(model.lastGradientNorm));
  // Defaults (learningRate 3e-3) train too.
  const slow = withModel(t, M, SMALL);
  for (let step = 0; step < 20; step += 1) slow.trainStep(inputs, targets, shape);
  assert.ok(slow.lossAndGradients(inputs, targets, shape).loss < losses[0]);
});

test('transformer: models with the same seed train to the same losses bit for bit', async (t) => {
  const M = await loadModule();
  const { inputs, targets, shape } = countingBatch();
  const run = (seed) => {
    const model = withModel(t, M, Object.assign({}, SMALL, { seed }));
    const losses = [];
    for (let step = 0; step < 10; step += 1) losses.push(model.trainStep(inputs, targets, shape));
    return { losses, parameters: model.getParameters() };
  };
  const first = run(5);
  assert.deepEqual(run(5), first);
  assert.notDeepEqual(run(6).losses, first.losses, 'another seed, other weights');
});

test('transformer: save then load gives back the parameters, the outputs and the checkpoint\'s texts', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, Object.assign({}, SMALL, { mlp: false, seed: 123 }));
  const { inputs, targets, shape } = countingBatch();
  for (let step = 0; step < 3; step += 1) model.trainStep(inputs, targets, shape);
  const vocabulary = Array.from({ length: SMALL.vocabSize }, (_, i) => (i === 0 ? '<bos>' : `w${i}`));
  vocabulary[5] = '猫';
  const metadata = JSON.stringify({ corpus: 'counting', steps: 3 });
  const bytes = model.save({ vocabulary, tokenizer: 'word', metadata });
  assert.ok(bytes instanceof Uint8Array);
  const again = M.TinyTransformer.load(bytes);
  t.after(() => again.delete());
  assert.deepEqual(again.config, model.config);
  assert.deepEqual(again.getParameters(), model.getParameters());
  assert.deepEqual(again.forward([1, 2, 3]), model.forward([1, 2, 3]));
  assert.deepEqual(again.vocabulary, vocabulary);
  assert.equal(again.tokenizer, 'word');
  assert.equal(again.metadata, metadata);
  assert.equal(again.optimizerStep, 0, 'without includeOptimizer, AdamW starts afresh');
  // A loaded model saves its own texts again, byte for byte; ArrayBuffers and Buffers load too.
  assert.deepEqual(again.save(), bytes);
  const fromBuffer = M.TinyTransformer.load(bytes.slice().buffer);
  t.after(() => fromBuffer.delete());
  assert.deepEqual(fromBuffer.getParameters(), model.getParameters());
  const fromNodeBuffer = M.TinyTransformer.load(Buffer.from(bytes));
  t.after(() => fromNodeBuffer.delete());
  assert.equal(fromNodeBuffer.metadata, metadata);
  // A model of its own has no texts.
  assert.deepEqual(model.vocabulary, []);
  assert.equal(model.tokenizer, '');
  assert.equal(model.metadata, '');
});

test('transformer: a checkpoint with the optimizer state resumes training exactly', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const { inputs, targets, shape } = countingBatch();
  const fresh = M.TinyTransformer.load(model.save({ includeOptimizer: true }));  // before any step
  t.after(() => fresh.delete());
  assert.equal(fresh.optimizerStep, 0);
  for (let step = 0; step < 4; step += 1) model.trainStep(inputs, targets, shape);
  const resumed = M.TinyTransformer.load(model.save({ includeOptimizer: true }));
  t.after(() => resumed.delete());
  assert.equal(resumed.optimizerStep, 4);
  for (let step = 0; step < 3; step += 1) {
    assert.equal(resumed.trainStep(inputs, targets, shape), model.trainStep(inputs, targets, shape), `step ${step + 5}`);
  }
  assert.deepEqual(resumed.getParameters(), model.getParameters());
  const restarted = fresh.trainStep(inputs, targets, shape);
  assert.equal(restarted, withModel(t, M, SMALL).trainStep(inputs, targets, shape), 'a step-0 state is a fresh start');
});

test('transformer: generate returns new ids in the vocabulary, the same for the same seed', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const prompt = [1, 4, 7];
  const tokens = model.generate(prompt, 20, { seed: 11 });
  assert.ok(tokens instanceof Int32Array);
  assert.equal(tokens.length, 20);
  assert.ok(tokens.every((id) => id >= 0 && id < SMALL.vocabSize));
  assert.deepEqual(model.generate(prompt, 20, { seed: 11 }), tokens);
  assert.notDeepEqual(model.generate(prompt, 20, { seed: 12 }), tokens);
  assert.equal(model.generate(prompt, 0).length, 0);
  // Greedy: the most likely next token of the prompt first.
  const { logits } = model.forward(prompt);
  const last = Array.from(logits.data.subarray(2 * SMALL.vocabSize));
  assert.equal(model.generate(prompt, 1, { temperature: 0 })[0], last.indexOf(Math.max(...last)));
  // topK 1 is greedy too; a prompt longer than the context keeps its last tokens.
  assert.deepEqual(model.generate(prompt, 5, { topK: 1, seed: 3 }), model.generate(prompt, 5, { temperature: 0 }));
  assert.equal(model.generate(Array(30).fill(2), 3).length, 3);
});

test('transformer: scoreHeads and scoreRelation score the heads of forward\'s maps', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const sequences = [[1, 2, 3, 1, 2, 3], [4, 5, 6, 7, 4, 5, 6, 7]];
  const maps = sequences.map((tokens) => model.forward(tokens).attention);
  const scores = M.scoreHeads(maps, sequences);
  assert.equal(scores.numLayers, SMALL.numLayers);
  assert.equal(scores.numHeads, SMALL.numHeads);
  assert.equal(scores.sequences, 2);
  assert.equal(scores.positionalQueries, 4 + 6);
  assert.ok(scores.inductionQueries > 0);
  for (const key of ['previousToken', 'firstToken', 'induction']) {
    assert.ok(scores[key] instanceof Float64Array, key);
    assert.equal(scores[key].length, SMALL.numLayers * SMALL.numHeads, key);
    assert.ok(scores[key].every((value) => value >= 0 && value <= 1), key);
  }
  const relation = M.scoreRelation(maps, [[{ name: 'coreference', query: 3, key: 0 }], []], 'coreference');
  assert.equal(relation.name, 'coreference');
  assert.equal(relation.instances, 1);
  assert.equal(relation.sequences, 1);
  assert.equal(relation.accuracy.length, SMALL.numLayers * SMALL.numHeads);
  assert.ok(relation.meanWeight.every((value) => value > 0 && value <= 1));
});

// ---- errors ----------------------------------------------------------------------------------------

test('transformer errors: config sizes, divisibility and unknown keys', async () => {
  const M = await loadModule();
  assertError(() => new M.TinyTransformer({ embedDim: 10, numHeads: 4 }), /d_model 10 is not divisible by n_heads 4/);
  assertError(() => new M.TinyTransformer({ vocabSize: 0 }), /vocabSize must be a positive integer, got number 0/);
  assertError(() => new M.TinyTransformer({ numHeads: 0 }), /numHeads must be a positive integer, got number 0/);
  assertError(() => new M.TinyTransformer({ numLayers: 17 }), /n_layers must be between 1 and 16, got 17/);
  assertError(() => new M.TinyTransformer({ contextLength: 513 }), /context_length must be between 1 and 512, got 513/);
  assertError(() => new M.TinyTransformer({ vocabSize: 16384, embedDim: 1024, numHeads: 1 }),
    /the model would have \d+ parameters, more than the limit of 16777216/);
  assertError(() => new M.TinyTransformer({ embed_dim: 8 }), /TinyTransformer: unknown option "embed_dim"; known options: vocabSize/);
  assertError(() => new M.TinyTransformer({ mlp: 1 }), /option mlp must be a boolean, got number 1/);
  assertError(() => new M.TinyTransformer({ embedDim: 6.5 }), /embedDim must be a positive integer, got number 6.5/);
  assertError(() => new M.TinyTransformer({ seed: -1 }), /seed must be an integer from 0/);
  assertError(() => new M.TinyTransformer('small'), /TinyTransformer: options must be an object/);
});

test('transformer errors: token ids, sequence lengths and batch sizes', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const { inputs, targets, shape } = countingBatch();
  assertError(() => model.forward([1, 16]), /tokens\[1\] is token 16, outside the vocabulary of 16 \(ids 0 to 15\)/);
  assertError(() => model.forward([-1]), /is token -1, outside the vocabulary/);
  assertError(() => model.forward(Array(9).fill(1)), /seq_len must be between 1 and the context length 8, got 9/);
  assertError(() => model.forward([]), /seq_len must be between 1 and the context length 8, got 0/);
  assertError(() => model.forward([1, 2, 3], { seqLen: 4 }), /tokens has 3 values, expected seqLen = 4/);
  assertError(() => model.forward([1, 2.5]), /tokens\[1\] is number 2.5; tokens must hold integer token ids \(int32\) only/);
  assertError(() => model.forward([1, '2']), /tokens\[1\] is the string "2"/);
  assertError(() => model.forward([1, , 2]), /tokens\[1\] is undefined/);  // eslint-disable-line no-sparse-arrays
  assertError(() => model.forward([2 ** 31]), /tokens\[0\] is number 2147483648/);
  assertError(() => model.forward(new Float32Array([0.5])), /tokens\[0\] is number 0.5/);
  assertError(() => model.forward('abc'), /tokens must be an Int32Array or an array of integer token ids, got the string "abc"/);
  const detached = Int32Array.of(1, 2);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  assertError(() => model.forward(detached), /tokens is a Int32Array over a detached ArrayBuffer/);
  assertError(() => model.lossAndGradients(inputs.subarray(1), targets, shape),
    /inputs has 15 values, expected batch\*seqLen = 2\*8 = 16/);
  assertError(() => model.lossAndGradients(inputs, targets, { batch: 1, seqLen: 8 }),
    /inputs has 16 values, expected batch\*seqLen = 1\*8 = 8/);
  assertError(() => model.trainStep(inputs, targets.subarray(0, 8), shape), /targets has 8 values, expected batch\*seqLen/);
  assertError(() => model.lossAndGradients(inputs, targets, { batch: 0, seqLen: 8 }), /batch must be a positive integer, got number 0/);
  assertError(() => model.lossAndGradients(inputs, targets, { batch: 1, seqLen: 16 }),
    /seq_len must be between 1 and the context length 8, got 16/);
  assertError(() => model.lossAndGradients(inputs, targets), /lossAndGradients: option batch is required/);
  assertError(() => model.trainStep(inputs, targets, { seqLen: 8 }), /trainStep: option batch is required/);
  const bad = Int32Array.from(targets);
  bad[3] = 16;
  assertError(() => model.trainStep(inputs, bad, shape), /targets\[3\] is 16, neither -1 \(ignored\) nor a token id 0 to 15/);
  assertError(() => model.trainStep(inputs, new Int32Array(16).fill(-1), shape),
    /every one of the 16 targets is -1 \(ignored\): there is nothing to learn/);
  assert.ok(Number.isFinite(model.trainStep(inputs, targets, shape)), 'still usable');
});

test('transformer errors: AdamW options and sampling options', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const { inputs, targets, shape } = countingBatch();
  const step = (options) => () => model.trainStep(inputs, targets, Object.assign({}, shape, options));
  assertError(step({ learningRate: NaN }), /learning rate must be finite and in \(0, 10\], got nan/);
  assertError(step({ learningRate: Infinity }), /learning rate must be finite and in \(0, 10\], got inf/);
  assertError(step({ learningRate: -1e-3 }), /learning rate must be finite and in \(0, 10\], got -0.001/);
  assertError(step({ learningRate: 0 }), /learning rate .* got 0/);
  assertError(step({ learningRate: 11 }), /learning rate .* got 11/);
  assertError(step({ learningRate: '1e-3' }), /option learningRate must be a number, got the string "1e-3"/);
  assertError(step({ beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
  assertError(step({ beta2: -0.5 }), /beta2 must be in \[0, 1\), got -0.5/);
  assertError(step({ epsilon: 0 }), /epsilon must be finite and > 0, got 0/);
  assertError(step({ weightDecay: -1 }), /weight decay must be finite and >= 0, got -1/);
  assertError(step({ clipNorm: NaN }), /clip norm must be finite and >= 0/);
  assertError(step({ learningrate: 1e-3 }), /trainStep: unknown option "learningrate"/);
  assert.equal(model.optimizerStep, 0, 'no rejected call took a step');
  assertError(() => model.generate([1], 5000), /count must be between 0 and 4096, got 5000/);
  assertError(() => model.generate([1], -1), /count must be an integer >= 0, got number -1/);
  assertError(() => model.generate([], 3), /the prompt is empty/);
  assertError(() => model.generate([99], 3), /prompt\[0\] is token 99, outside the vocabulary of 16/);
  assertError(() => model.generate([1], 3, { temperature: -1 }), /temperature must be finite and >= 0 \(0: greedy\), got -1/);
  assertError(() => model.generate([1], 3, { temperature: NaN }), /temperature must be finite/);
  assertError(() => model.generate([1], 3, { topK: 17 }), /top_k must be between 0 \(every token\) and the vocabulary size 16, got 17/);
  assertError(() => model.generate([1], 3, { topK: 1.5 }), /topK must be an integer >= 0, got number 1.5/);
  assertError(() => model.generate([1], 3, { top_k: 2 }), /generate: unknown option "top_k"/);
});

test('transformer errors: setParameters names, sizes and values, checked whole before any is applied', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, Object.assign({}, SMALL, { mlp: false }));
  const before = model.getParameters();
  const d = SMALL.embedDim;
  assertError(() => model.setParameters({ 'h.0.attn.wq': new Float32Array(d * d), 'h.0.attn.wz': new Float32Array(d * d) }),
    /setParameters: the model has no parameter "h.0.attn.wz"; it has: wte, wpe, h.0.ln_1.weight/);
  assertError(() => model.setParameters({ 'h.0.mlp.fc': new Float32Array(d * 4 * d) }), /no parameter "h.0.mlp.fc"/);
  assertError(() => model.setParameters({ 'h.0.attn.wq': new Float32Array(d * d), 'h.0.attn.bq': new Float32Array(d + 1) }),
    /h.0.attn.bq has 17 values, expected 1 x 16 = 16/);
  const nan = new Float32Array(d * d).fill(0.5);
  nan[40] = NaN;
  assertError(() => model.setParameters({ 'h.0.attn.bq': new Float32Array(d), 'h.1.attn.wv': nan }),
    /h.1.attn.wv\[40\] is nan; parameters must be finite numbers/);
  assertError(() => model.setParameters({ wte: ['x'] }), /wte\[0\] is the string "x"; wte must hold numbers only/);
  assertError(() => model.setParameters([new Float32Array(4)]), /setParameters expects an object of parameters/);
  assertError(() => model.setParameters(null), /setParameters expects an object/);
  assert.deepEqual(model.getParameters(), before, 'no rejected call changed a parameter');
});

test('transformer errors: a step that diverges throws and leaves the parameters and AdamW as they were', async (t) => {
  const M = await loadModule();
  const { inputs, targets, shape } = countingBatch();
  const huge = (scale) => Float32Array.from({ length: SMALL.vocabSize * SMALL.embedDim }, (_, i) => ((i * 7) % 11 - 5) * scale);
  // Activations past float's range (LayerNorm's variance of 3e38-sized embeddings), logits past it
  // (no LayerNorm), and an update whose second moment overflows (gradients of 1e34, no clipping).
  const cases = [
    { config: {}, scale: 6e37, options: {}, message: /the model's activations left float's range in layer 0/ },
    { config: { layerNorm: false }, scale: 3e18, options: {}, message: /the loss is -?nan: the model's logits left float's range/ },
    { config: { layerNorm: false }, scale: 1e17, options: { clipNorm: 0 },
      message: /training diverged at step 2: .* the parameters are kept as they were/ },
  ];
  for (const c of cases) {
    const model = withModel(t, M, Object.assign({}, SMALL, c.config));
    model.trainStep(inputs, targets, shape);  // one good step first, so the AdamW state is not empty
    model.setParameters({ wte: huge(c.scale) });
    const parameters = model.getParameters();
    const norm = model.lastGradientNorm;
    assertError(() => model.trainStep(inputs, targets, Object.assign({}, shape, c.options)), c.message);
    assert.deepEqual(model.getParameters(), parameters, `${c.message}: parameters unchanged`);
    assert.equal(model.optimizerStep, 1, `${c.message}: no step counted`);
    assert.equal(model.lastGradientNorm, norm);
    const saved = M.TinyTransformer.load(model.save({ includeOptimizer: true }));  // the state is still valid
    saved.delete();
  }
  const model = withModel(t, M, SMALL);
  assert.ok(Number.isFinite(model.trainStep(inputs, targets, shape)), 'the module still trains');
});

test('transformer errors: hostile checkpoint bytes', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const bytes = model.save({ metadata: 'hello' });
  let state = 12345;
  const random = Uint8Array.from({ length: 500 }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  });
  assertError(() => M.TinyTransformer.load(random), /not a checkpoint: its first 8 bytes are (0x[0-9a-f]{2} ?){8}, not "SPOTLGPT"/);
  assertError(() => M.TinyTransformer.load(bytes.subarray(0, bytes.length - 100)),
    new RegExp(`truncated: the header promises ${bytes.length} bytes, the file has ${bytes.length - 100}`));
  assertError(() => M.TinyTransformer.load(bytes.subarray(0, 63)), /checkpoint is 63 bytes, too short for its 64-byte header/);
  const trailing = new Uint8Array(bytes.length + 3);
  trailing.set(bytes);
  assertError(() => M.TinyTransformer.load(trailing), /oversized: .* \(3 trailing bytes\)/);
  for (const offset of [70, 1000, bytes.length - 1]) {
    const flipped = bytes.slice();
    flipped[offset] ^= 0x10;
    assertError(() => M.TinyTransformer.load(flipped), /damaged: checksum 0x[0-9a-f]{8} expected 0x[0-9a-f]{8} \(the checkpoint.s bytes were changed after it was saved\)/);
  }
  const version = bytes.slice();
  version[8] = 2;
  assertError(() => M.TinyTransformer.load(version), /unsupported checkpoint format version 2/);
  assertError(() => M.TinyTransformer.load(new Uint8Array(0)), /checkpoint is 0 bytes, too short/);
  assertError(() => M.TinyTransformer.load(new ArrayBuffer(0)), /checkpoint is 0 bytes/);
  assertError(() => M.TinyTransformer.load('SPOTLGPT'), /bytes must be a Uint8Array or an ArrayBuffer \(a checkpoint's bytes\), got the string "SPOTLGPT"/);
  assertError(() => M.TinyTransformer.load(Array.from(bytes)), /bytes must be a Uint8Array .* got an array of length \d+/);
  assertError(() => M.TinyTransformer.load(new Int8Array(bytes.buffer)), /bytes must be a Uint8Array .* got a Int8Array of length/);
  assertError(() => M.TinyTransformer.load(), /bytes must be a Uint8Array .* got undefined/);
  const transferred = bytes.slice().buffer;
  structuredClone(transferred, { transfer: [transferred] });
  assertError(() => M.TinyTransformer.load(transferred), /bytes is a detached ArrayBuffer/);
  const again = M.TinyTransformer.load(bytes);
  t.after(() => again.delete());
  assert.deepEqual(again.getParameters(), model.getParameters(), 'the real checkpoint still loads');
});

test('transformer errors: save checks its texts', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, Object.assign({}, SMALL, { vocabSize: 3 }));
  assertError(() => model.save({ vocabulary: ['a', 'b'], tokenizer: 'word' }), /the vocabulary has 2 entries, but vocab_size is 3/);
  assertError(() => model.save({ vocabulary: ['a', 'b', 'a'], tokenizer: 'word' }), /vocabulary entries 0 and 2 are both "a"/);
  assertError(() => model.save({ vocabulary: ['a', 'b', 'c'] }), /tokenizer must be "word" or "char" for a vocabulary, got ""/);
  assertError(() => model.save({ tokenizer: 'word' }), /tokenizer must be empty without a vocabulary, got "word"/);
  assertError(() => model.save({ vocabulary: ['a', 2, 'c'], tokenizer: 'char' }), /vocabulary\[1\] must be a string, got number 2/);
  assertError(() => model.save({ vocabulary: 'abc', tokenizer: 'char' }), /vocabulary must be an array of strings, got the string "abc"/);
  assertError(() => model.save({ metadata: 'x'.repeat(70000) }), /metadata is 70000 bytes, more than the limit of 65536/);
  assertError(() => model.save({ metadata: 'lone \ud800' }), /metadata has a lone surrogate \(0xd800\) at index 5, which is not text UTF-8 can encode/);
  assertError(() => model.save({ vocabulary: ['a', '\udc00b', 'c'], tokenizer: 'char' }), /vocabulary\[1\] has a lone surrogate \(0xdc00\) at index 0/);
  assert.ok(model.save({ metadata: 'a pair: \ud83d\ude42' }).length > 64, 'a surrogate pair is one character');
  assertError(() => model.save({ includeOptimizer: 'yes' }), /option includeOptimizer must be a boolean/);
  assert.ok(model.save({ vocabulary: ['a', 'b', 'c'], tokenizer: 'char' }).length > 64);
});

test('transformer errors: scoreHeads and scoreRelation', async (t) => {
  const M = await loadModule();
  const model = withModel(t, M, SMALL);
  const { attention } = model.forward([1, 2, 3, 4]);
  assertError(() => M.scoreHeads([], []), /score_heads: no sequences/);
  assertError(() => M.scoreHeads([attention], [[1, 2, 3, 4], [1]]), /score_heads: 1 attention maps but 2/);
  assertError(() => M.scoreHeads([attention], [[1, 2, 3]]), /tokens of sequence 0 hold 3 ids, its attention maps have seq_len 4/);
  assertError(() => M.scoreHeads([{ data: attention.data.subarray(1), shape: attention.shape }], [[1, 2, 3, 4]]),
    /attention maps of sequence 0 hold 63 weights, expected n_layers \* n_heads \* seq_len\^2 = 2 \* 2 \* 4\^2/);
  assertError(() => M.scoreHeads([{ data: attention.data, shape: [2, 2, 4, 5] }], [[1, 2, 3, 4]]),
    /attention\[0\].shape must be \[numLayers, numHeads, seqLen, seqLen\], got \[2, 2, 4, 5\]/);
  assertError(() => M.scoreHeads([attention.data], [[1]]), /attention\[0\] must be attention maps \{data, shape\}/);
  assertError(() => M.scoreHeads(attention, [[1]]), /attention must be an array of attention maps/);
  assertError(() => M.scoreHeads([attention], [[1, 2, 3, 0.5]]), /tokens\[0\]\[3\] is number 0.5/);
  const nan = Float32Array.from(attention.data);
  nan[5] = NaN;
  assertError(() => M.scoreHeads([{ data: nan, shape: attention.shape }], [[1, 2, 3, 4]]),
    /attention weight \(layer 0, head 0, query 1, key 1\) of sequence 0 is nan/);
  assertError(() => M.scoreRelation([attention], [[{ name: 'x', query: 1, key: 2 }]], 'x'),
    /relation 'x' of sequence 0 has query 1 and key 2, expected 0 <= key <= query < seq_len 4/);
  assertError(() => M.scoreRelation([attention], [[{ name: 'x', query: 1.5, key: 0 }]], 'x'),
    /relations\[0\]\[0\].query must be an integer >= 0, got number 1.5/);
  assertError(() => M.scoreRelation([attention], [[{ name: 'x', query: 1, key: 0 }]], 3), /name must be a string/);
  assertError(() => M.scoreRelation([attention], [[]], 'x'), /no sequence holds relation 'x'/);
});

test('transformer errors: a deleted model refuses every use with the same message', async () => {
  const M = await loadModule();
  const model = new M.TinyTransformer(SMALL);
  const { inputs, targets, shape } = countingBatch();
  model.delete();
  assert.equal(model.isDeleted(), true);
  const uses = {
    config: () => model.config,
    vocabulary: () => model.vocabulary,
    tokenizer: () => model.tokenizer,
    metadata: () => model.metadata,
    lastGradientNorm: () => model.lastGradientNorm,
    optimizerStep: () => model.optimizerStep,
    parameterTable: () => model.parameterTable(),
    getParameters: () => model.getParameters(),
    setParameters: () => model.setParameters({}),
    lossAndGradients: () => model.lossAndGradients(inputs, targets, shape),
    trainStep: () => model.trainStep(inputs, targets, shape),
    forward: () => model.forward([1]),
    generate: () => model.generate([1], 1),
    save: () => model.save(),
  };
  for (const [name, use] of Object.entries(uses)) {
    assertError(use, /this TinyTransformer was deleted; create a new one/, name);
  }
  model.delete();  // twice is harmless
});
