// No leak: after warm-up, 100,000 recomputes of the kinds the page makes, 10,000 training steps
// of a small TinyTransformer, and 1,000 Trainer.steps calls with the corpora, the workshop report
// and the detectors now and then, leave the wasm heap, malloc's live bytes and Embind's JavaScript
// value handles unchanged; so do rejected calls.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule, randomFloats } = require('./module');

function liveValues(M) {
  const { heapBytes, allocatedBytes } = M.memoryStats();
  return { heapBytes, allocatedBytes, embindHandles: M.count_emval_handles() };
}

test('100,000 mixed recomputes leave the wasm heap, the allocated bytes and the Embind handles unchanged', async (t) => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 2, 42);
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', '🙂', '猫'];
  const xs = [1, 2, 3, 5, 8].map((n, i) => ({ n, x: randomFloats(n * 16, i + 1) }));
  // One recompute: token vectors, then forward with or without weights, causal or not, or the
  // tiled self-attention, on 1 to 8 tokens; every 100th a trace and a cross-attention as well.
  const recompute = (i) => {
    const tokens = words.slice(0, 1 + (i % words.length));
    const x = M.embedTokens(tokens, 16, i % 7, { positional: i % 2 === 0 });
    const { n, x: other } = xs[i % xs.length];
    let checksum;
    if (i % 3 === 0) {
      checksum = attn.selfAttention(x, tokens.length, { causal: i % 2 === 1 })[0];
    } else {
      const result = attn.forward(other, n, { causal: i % 2 === 0, returnWeights: i % 3 === 1, temperature: 0.5 + (i % 4) });
      checksum = result.output[0] + (result.weights ? result.weights[0] : 0);
    }
    if (i % 100 === 0) {
      checksum += attn.trace(x, tokens.length, { causal: true }).weights.data[0];
      checksum += attn.crossAttention(x, tokens.length, other, n, { keyPaddingMask: Array(n).fill(0) }).output[0];
    }
    return checksum;
  };
  for (let i = 0; i < 1000; i += 1) recompute(i);  // warm-up: every shape and path once
  const before = liveValues(M);
  const started = Date.now();
  let sum = 0;
  for (let i = 0; i < 100000; i += 1) sum += recompute(i);
  t.diagnostic(`100,000 recomputes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(Number.isFinite(sum), 'every result is finite');
  assert.deepEqual(liveValues(M), before, 'wasm heap, malloc bytes and Embind handles after = before');
  attn.delete();
});

test('rejected calls leak nothing and leave the module usable', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 2, 1);
  const x = randomFloats(4 * 16, 2);
  const good = attn.forward(x, 4).output;
  const before = M.memoryStats();
  for (let i = 0; i < 1000; i += 1) {
    assert.throws(() => attn.forward(x.slice(0, 63), 4), /x has 63 values/);
    assert.throws(() => attn.forward(x, 4, { temperature: 0 }), /temperature/);
    assert.throws(() => new M.SimpleAttention(10, 3, 0), /not divisible/);
  }
  assert.equal(M.memoryStats().allocatedBytes, before.allocatedBytes);
  assert.deepEqual(attn.forward(x, 4).output, good);
  attn.delete();
});

test('10,000 training steps of a small TinyTransformer leave the wasm heap, the allocated bytes and the Embind handles unchanged', async (t) => {
  const M = await loadModule();
  const model = new M.TinyTransformer({ vocabSize: 16, contextLength: 8, embedDim: 16, numHeads: 2, numLayers: 1 });
  const inputs = Int32Array.from({ length: 16 }, (_, i) => (5 * i) % 16);
  const targets = Int32Array.from({ length: 16 }, (_, i) => (5 * i + 5) % 16);
  const shape = { batch: 2, seqLen: 8 };
  // One step of the page's loop: train, and now and then look at the model.
  const step = (i) => {
    const loss = model.trainStep(inputs, targets, shape);
    if (i % 1000 === 0) {
      model.forward(inputs.subarray(0, 8));
      model.generate([1, 2], 4, { seed: i });
      model.lossAndGradients(inputs, targets, shape);
      M.TinyTransformer.load(model.save({ includeOptimizer: true })).delete();
    }
    return loss;
  };
  for (let i = 0; i < 5; i += 1) step(i * 1000);  // warm-up: every call once, the buffers sized
  const before = liveValues(M);
  const started = Date.now();
  let last = 0;
  for (let i = 1; i <= 10000; i += 1) last = step(i);
  const seconds = (Date.now() - started) / 1000;
  const after = liveValues(M);
  t.diagnostic(`10,000 steps in ${seconds.toFixed(1)} s (final loss ${last.toFixed(4)}); heap ` +
               `${after.heapBytes} bytes, ${after.allocatedBytes} allocated, ${after.embindHandles} handles`);
  assert.ok(Number.isFinite(last) && last < 0.1, `the model learned the batch (loss ${last})`);
  assert.equal(model.optimizerStep, 10005);
  assert.deepEqual(after, before, 'wasm heap, malloc bytes and Embind handles after = before');
  model.delete();
});

test('rejected TinyTransformer calls leak nothing and leave the model usable', async () => {
  const M = await loadModule();
  const model = new M.TinyTransformer({ vocabSize: 16, contextLength: 8, embedDim: 16, numHeads: 2, numLayers: 1 });
  const inputs = Int32Array.from({ length: 16 }, (_, i) => i);
  const targets = Int32Array.from({ length: 16 }, (_, i) => (i + 1) % 16);
  const shape = { batch: 2, seqLen: 8 };
  model.trainStep(inputs, targets, shape);
  const bytes = model.save();
  const parameters = model.getParameters();
  const before = liveValues(M);
  const outOfVocabulary = Int32Array.from(inputs, (id, i) => (i === 9 ? 16 : id));
  const damaged = bytes.slice();
  damaged[100] ^= 1;
  for (let i = 0; i < 1000; i += 1) {
    assert.throws(() => model.trainStep(outOfVocabulary, targets, shape), /inputs\[9\] is token 16/);
    assert.throws(() => model.trainStep(inputs, targets, Object.assign({ learningRate: NaN }, shape)), /learning rate/);
    assert.throws(() => model.forward(Array(9).fill(0)), /context length 8/);
    assert.throws(() => model.setParameters({ wte: new Float32Array(256), 'h.0.attn.bq': new Float32Array(3) }), /bq has 3 values/);
    assert.throws(() => M.TinyTransformer.load(damaged), /damaged/);
    assert.throws(() => model.save({ vocabulary: ['a'], tokenizer: 'word', metadata: 'm' }), /vocabulary has 1 entries/);
    assert.throws(() => new M.TinyTransformer({ embedDim: 10, numHeads: 4 }), /not divisible/);
  }
  assert.deepEqual(liveValues(M), before);
  assert.deepEqual(model.getParameters(), parameters);
  assert.equal(model.optimizerStep, 1);
  model.delete();
});

test('1,000 Trainer.steps calls, with corpora, reports and detectors now and then, leave the wasm heap, the allocated bytes and the Embind handles unchanged', async (t) => {
  const M = await loadModule();
  const config = { vocabSize: 96, contextLength: 24, embedDim: 8, numHeads: 2, numLayers: 1 };
  const model = new M.TinyTransformer(config);
  const trainer = new M.Trainer({ task: 'workshop', trainSentences: 200 }, { batch: 2, seqLen: 12, totalSteps: 3000 });
  const small = { trainSentences: 40, evalSentences: 20 };
  // One slice of the page's worker: three steps, and now and then what its charts and views ask for.
  const slice = (i) => {
    const losses = trainer.steps(model, 3);
    if (i % 100 === 0) {
      const corpus = M.workshopCorpus(small);
      M.scoreModelHeads(model, corpus.heldOut.map((sentence) => sentence.tokens));
      M.scoreModelRelations(model, corpus.heldOut);
      M.workshopReport(model, small);
      M.inductionCorpus({ count: 20 });
      new M.Trainer({ task: 'induction', count: 20 }).delete();
      const tokens = M.splitWords('the cat sat on the mat, and the dog sat too', true);
      M.encode(M.buildVocabulary(tokens.concat(M.splitCharacters('猫 a')), 20), tokens);
      M.recipes();
    }
    return losses[2];
  };
  for (let i = 0; i < 5; i += 1) slice(i * 100);  // warm-up: every call once, the buffers sized
  const before = liveValues(M);
  const started = Date.now();
  let last = 0;
  for (let i = 1; i <= 1000; i += 1) last = slice(i);
  const after = liveValues(M);
  t.diagnostic(`1,000 slices of 3 steps in ${((Date.now() - started) / 1000).toFixed(1)} s (loss ${last.toFixed(3)}); ` +
               `heap ${after.heapBytes} bytes, ${after.allocatedBytes} allocated, ${after.embindHandles} handles`);
  assert.ok(Number.isFinite(last));
  assert.equal(trainer.stepsDone, 3 * 1005);
  assert.deepEqual(after, before, 'wasm heap, malloc bytes and Embind handles after = before');
  trainer.delete();
  model.delete();
});

test('rejected training calls leak nothing and leave the trainer and the model usable', async () => {
  const M = await loadModule();
  const model = new M.TinyTransformer({ vocabSize: 96, contextLength: 24, embedDim: 8, numHeads: 2, numLayers: 1 });
  const narrow = new M.TinyTransformer({ vocabSize: 50, contextLength: 8, embedDim: 8, numHeads: 2, numLayers: 1 });
  const trainer = new M.Trainer({ task: 'workshop', trainSentences: 50 }, { batch: 2 });
  trainer.step(model);
  const parameters = model.getParameters();
  const before = liveValues(M);
  for (let i = 0; i < 1000; i += 1) {
    assert.throws(() => new M.Trainer({ task: 'workshop', trainSentences: 50 }, { learningRate: NaN }), /learning rate/);
    assert.throws(() => new M.Trainer({ sequences: [[1, 2], [3]], vocabSize: 4 }), /training sequence 1 has 1 tokens/);
    assert.throws(() => new M.Trainer({ task: 'text', tokens: ['a'], vocabulary: ['<unk>', '<bos>', 'a', 'a'] }), /already id/);
    assert.throws(() => trainer.step(narrow), /vocabulary has 96 tokens/);
    assert.throws(() => trainer.steps(model, 2000000), /count must be between 0 and 1000000/);
    assert.throws(() => M.workshopCorpus({ trainSentences: 200000 }), /at most 100000/);
    assert.throws(() => M.inductionCorpus({ shortestPeriod: 9, longestPeriod: 8 }), /periods/);
    assert.throws(() => M.encode(['a'], ['a']), /must start with/);
    assert.throws(() => M.buildVocabulary(['a', ''], 4), /token 1 is empty/);
    assert.throws(() => M.workshopReport(narrow, { trainSentences: 10, evalSentences: 10 }), /vocab_size is 50/);
    assert.throws(() => M.scoreModelRelations(model, [{ tokens: [1, 2], relations: [{ name: 'r', query: 5, key: 0 }] }]),
      /expected 0 <= key <= query < seq_len 2/);
  }
  assert.deepEqual(liveValues(M), before);
  assert.deepEqual(model.getParameters(), parameters);
  assert.equal(trainer.stepsDone, 1);
  assert.ok(Number.isFinite(trainer.step(model)));
  trainer.delete();
  model.delete();
  narrow.delete();
});
