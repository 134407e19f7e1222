// The wasm module and the native build of the same core agree: weights, embeddings and the tiny
// transformer's initial parameters bit for bit, attention outputs to 1e-6, the transformer's
// training and outputs to 1e-5 (below), the workshop corpus's sentences exactly and a Trainer's
// losses on them to 1e-5. The native results come from
// tests/node/write_wasm_fixtures.cpp, which ./build.sh test runs before these tests
// (SPOTLIGHT_FIXTURES overrides the path).
'use strict';
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule } = require('./module');

const fixturePath = process.env.SPOTLIGHT_FIXTURES ||
  path.join(__dirname, '..', '..', 'build', 'native', 'wasm_fixtures.json');
const fixtures = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));

function assertBitIdentical(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i += 1) {
    if (actual[i] !== Math.fround(expected[i])) {
      assert.fail(`${what}[${i}]: wasm ${actual[i]} != native ${expected[i]}`);
    }
  }
}

// |wasm - native| <= tolerance * max|native| for every entry: a norm-wise relative error. The two
// builds sum float32 products in different orders (Eigen's SSE packets natively, scalar code in
// wasm), so entries differ by a few ulps of the array's scale; measured here at most 5.3e-7 of it.
// An entry-wise relative error would be meaningless for entries near zero.
// floor: a least scale. The gradients of the keys' bias are zero but for rounding (softmax ignores
// a shift shared by every key), 1e-13 of nothing; there two roundings of the same sums (the relaxed
// path's fused multiply-add, the native build's multiply then add) differ by more than 1e-5 of the
// noise itself. So gradients are measured against at least 1e-3 of the largest gradient of any
// parameter (largestMagnitude), which leaves every tensor with real gradients its own scale.
function largestMagnitude(arrays) {
  return arrays.reduce((largest, values) => values.reduce((l, v) => Math.max(l, Math.abs(v)), largest), 0);
}

function assertClose(actual, expected, tolerance, what, floor = 0) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(floor, largestMagnitude([expected]));
  for (let i = 0; i < expected.length; i += 1) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) {
      assert.fail(`${what}[${i}]: wasm ${actual[i]} vs native ${expected[i]} ` +
                  `(tolerance ${tolerance} * max(max|native|, floor) ${scale})`);
    }
  }
}

for (const c of fixtures.cases) {
  const label = `dModel ${c.dModel}, ${c.heads} heads, seed ${c.seed}`;

  test(`parity (${label}): initial weights are bit-identical`, async () => {
    const M = await loadModule();
    const attn = new M.SimpleAttention(c.dModel, c.heads, c.seed);
    const weights = attn.getWeights();
    for (const key of ['wq', 'wk', 'wv', 'wo']) assertBitIdentical(weights[key], c[key], key);
    attn.delete();
  });

  test(`parity (${label}): token embeddings, with and without positions`, async () => {
    const M = await loadModule();
    assertBitIdentical(M.embedTokens(fixtures.tokens, c.dModel, c.seed, { positional: false }),
      c.xTokensOnly, 'token vectors');
    // Positions use sin and cos, computed in double by each platform's libm and rounded to float.
    assertClose(M.embedTokens(fixtures.tokens, c.dModel, c.seed), c.x, 1e-6, 'embeddings');
  });

  test(`parity (${label}): forward, masked forward and cross-attention agree to 1e-6`, async () => {
    const M = await loadModule();
    const attn = new M.SimpleAttention(c.dModel, c.heads, c.seed);
    const x = Float32Array.from(c.x);  // the native input, so only the attention is compared
    const n = fixtures.tokens.length;
    const plain = attn.forward(x, n);
    assertClose(plain.output, c.output, 1e-6, 'output');
    assertClose(plain.weights, c.weights, 1e-6, 'weights');
    const mask = new Array(n).fill(0);
    mask[2] = 1;
    const masked = attn.forward(x, n, { causal: true, temperature: 0.7, keyPaddingMask: mask });
    assertClose(masked.output, c.maskedOutput, 1e-6, 'masked output');
    assertClose(masked.weights, c.maskedWeights, 1e-6, 'masked weights');
    const cross = attn.crossAttention(x, n, x.slice(0, 5 * c.dModel), 5, { returnWeights: false });
    assertClose(cross.output, c.crossOutput, 1e-6, 'cross-attention output');
    attn.delete();
  });
}

// The tiny transformer (tests/node/write_wasm_fixtures.cpp: two configs, a batch of 2 x 8 tokens). Its
// initial parameters come from SplitMix64 through exact integer steps and one rounding, so they are
// bit-identical. Everything computed from them differs only by float rounding: products summed in
// other orders (SSE natively, SIMD128 or scalar in wasm) and libm's tanh (GELU) and exp (softmax,
// cross-entropy), whose last bits differ between glibc and Emscripten's musl. Measured here
// (2026-12-01, norm-wise relative as assertClose): loss 0, gradients 3.6e-9, logits 1.8e-9,
// attention 5e-10, the 20 losses of training 6e-8, the trained parameters 1.3e-6 and their logits
// 4e-7; the tests allow 1e-5.
const TRANSFORMER_TOLERANCE = 1e-5;

// attn.bk is left out of the trained parameters: a key bias adds the same amount to every score of
// a softmax row, which the softmax ignores, so its gradient is exactly 0 in exact arithmetic and
// rounding noise in float. AdamW divides m by sqrt(v), which turns noise of any size into steps of
// about the learning rate, in directions the two builds do not share (measured: 2x its scale).
const NOISE_ONLY = /\.attn\.bk$/;

for (const c of fixtures.transformers) {
  const label = `TinyTransformer (mlp ${c.config.mlp}, layerNorm ${c.config.layerNorm}, seed ${c.config.seed})`;
  const shape = { batch: c.batch, seqLen: c.seqLen };

  test(`parity (${label}): initial parameters are bit-identical`, async () => {
    const M = await loadModule();
    const model = new M.TinyTransformer(c.config);
    const parameters = model.getParameters();
    assert.deepEqual(Object.keys(parameters), Object.keys(c.parameters));
    for (const name of Object.keys(c.parameters)) assertBitIdentical(parameters[name], c.parameters[name], name);
    model.delete();
  });

  test(`parity (${label}): loss, gradients, forward and sampling agree to ${TRANSFORMER_TOLERANCE}`, async () => {
    const M = await loadModule();
    const model = new M.TinyTransformer(c.config);
    const { loss, gradients } = model.lossAndGradients(c.inputs, c.targets, shape);
    assert.ok(Math.abs(loss - c.loss) <= TRANSFORMER_TOLERANCE * Math.abs(c.loss), `loss: wasm ${loss}, native ${c.loss}`);
    const floor = 1e-3 * largestMagnitude(Object.values(c.gradients));
    for (const name of Object.keys(c.gradients)) {
      assertClose(gradients[name], c.gradients[name], TRANSFORMER_TOLERANCE, `gradient of ${name}`, floor);
    }
    const { logits, attention } = model.forward(c.prompt);
    assertClose(logits.data, c.logits, TRANSFORMER_TOLERANCE, 'logits');
    assertClose(attention.data, c.attention, TRANSFORMER_TOLERANCE, 'attention');
    // Draws compare a uniform number with sums of probabilities: a difference of 1e-9 would flip a
    // draw only at a threshold, so the tokens are expected equal.
    assert.deepEqual(Array.from(model.generate(c.prompt, c.generated.length, { seed: 3 })), c.generated);
    model.delete();
  });

  test(`parity (${label}): 20 AdamW steps give the same losses, parameters and logits to ${TRANSFORMER_TOLERANCE}`, async () => {
    const M = await loadModule();
    const model = new M.TinyTransformer(c.config);
    const options = Object.assign({ learningRate: c.learningRate }, shape);
    c.trainLosses.forEach((expected, step) => {
      const loss = model.trainStep(c.inputs, c.targets, options);
      assert.ok(Math.abs(loss - expected) <= TRANSFORMER_TOLERANCE * Math.abs(expected),
        `step ${step + 1}: wasm ${loss}, native ${expected}`);
    });
    const trained = model.getParameters();
    for (const name of Object.keys(c.trainedParameters).filter((key) => !NOISE_ONLY.test(key))) {
      assertClose(trained[name], c.trainedParameters[name], TRANSFORMER_TOLERANCE, `trained ${name}`);
    }
    assertClose(model.forward(c.prompt).logits.data, c.trainedLogits, TRANSFORMER_TOLERANCE, 'trained logits');
    model.delete();
  });
}

// The workshop corpus and a Trainer on it (tests/node/write_wasm_fixtures.cpp, "workshop"). Sentences
// are drawn by integer steps of SplitMix64, so both builds draw the same ones; the Trainer's batches
// too, and its losses then differ only by the float rounding of the training steps above.
const workshop = fixtures.workshop;

test('parity (workshop corpus): the vocabulary and the first sentences of every split are the native ones', async () => {
  const M = await loadModule();
  const corpus = M.workshopCorpus({ seed: workshop.seed, trainSentences: workshop.trainSentences,
                                    evalSentences: workshop.evalSentences });
  assert.deepEqual(corpus.vocabulary, workshop.vocabulary);
  for (const split of ['training', 'heldOut', 'novel', 'experiments']) {
    const expected = workshop[split];
    const actual = corpus[split].slice(0, expected.length).map((sentence) => ({
      words: sentence.words, tokens: Array.from(sentence.tokens), relations: sentence.relations,
    }));
    assert.deepEqual(actual, expected, split);
  }
});

test(`parity (Trainer): 20 steps of a small model on the workshop corpus give the native losses to ${TRANSFORMER_TOLERANCE}`, async (t) => {
  const M = await loadModule();
  const c = workshop.trainer;
  const model = new M.TinyTransformer(c.config);
  const trainer = new M.Trainer({ task: 'workshop', seed: workshop.seed, trainSentences: c.trainSentences }, c.options);
  t.after(() => { model.delete(); trainer.delete(); });
  const losses = trainer.steps(model, c.losses.length);
  c.losses.forEach((expected, step) => {
    assert.ok(Math.abs(losses[step] - expected) <= TRANSFORMER_TOLERANCE * Math.abs(expected),
      `step ${step + 1}: wasm ${losses[step]}, native ${expected}`);
  });
  const worst = c.losses.reduce((largest, expected, step) => Math.max(largest, Math.abs(losses[step] - expected) / expected), 0);
  t.diagnostic(`largest relative difference of the 20 losses: ${worst.toExponential(1)}`);
});
