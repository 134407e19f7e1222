// Every call of the JavaScript API: shapes, options and errors.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule, randomFloats, maxAbsDifference } = require('./module');

const TOKENS = ['The', 'cat', 'sat', 'on', 'the', 'mat'];

test('the factory is createAttentionModule and resolves to the API', async () => {
  const M = await loadModule();
  for (const name of ['SimpleAttention', 'embedTokens', 'scaledDotProductAttention',
    'dotProductAttention', 'memoryStats', 'scalingStudy', 'multiHeadAttention']) {
    assert.equal(typeof M[name], 'function', name);
  }
});

test('embedTokens returns Float32Array(n*embedDim); options switch each part', async () => {
  const M = await loadModule();
  const x = M.embedTokens(TOKENS, 16, 42, { positional: true });
  assert.ok(x instanceof Float32Array);
  assert.equal(x.length, 6 * 16);
  const tokensOnly = M.embedTokens(TOKENS, 16, 42, { positional: false });
  assert.deepEqual(tokensOnly.slice(16, 32), M.embedTokens(['cat'], 16, 42, { positional: false }));
  const positionsOnly = M.embedTokens(TOKENS, 16, 42, { tokenVectors: false });
  assert.equal(positionsOnly[0], 0);  // sin(0)
  assert.equal(positionsOnly[1], 1);  // cos(0)
  for (let i = 0; i < x.length; i += 1) {
    assert.ok(Math.abs(x[i] - (tokensOnly[i] + positionsOnly[i])) < 1e-6);
  }
  assert.deepEqual(M.embedTokens(TOKENS, 16, 42), x, 'positional is on by default');
  assert.notDeepEqual(M.embedTokens(TOKENS, 16, 43), x, 'the seed matters');
});

test('selfAttention returns Float32Array(n*embedDim), causal changes all but the last row', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(64, 4, 42);
  const x = M.embedTokens(['the', 'cat', 'sat'], 64, 42, { positional: true });
  const y = attn.selfAttention(x, 3, { causal: true });
  assert.ok(y instanceof Float32Array);
  assert.equal(y.length, 3 * 64);
  const full = attn.selfAttention(x, 3);
  assert.ok(maxAbsDifference(y.slice(0, 64), full.slice(0, 64)) > 1e-4, 'row 0 sees only itself');
  attn.delete();
});

test('forward returns output and weights (heads x query x key); rows sum to 1', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(64, 4, 42);
  const n = 10;
  const x = M.embedTokens('The cat sat on the mat because it was tired'.split(' '), 64, 42);
  const { output, weights } = attn.forward(x, n, { causal: false, returnWeights: true });
  assert.equal(output.length, n * 64);
  assert.equal(weights.length, 4 * n * n);
  for (let row = 0; row < 4 * n; row += 1) {
    let sum = 0;
    for (let key = 0; key < n; key += 1) sum += weights[row * n + key];
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
  }
  const withoutWeights = attn.forward(x, n, { returnWeights: false });
  assert.equal(withoutWeights.weights, null);
  assert.ok(maxAbsDifference(withoutWeights.output, output) < 1e-5, 'tiled path = full path');
  assert.deepEqual(attn.forward(x, n).weights, weights, 'weights are returned by default');
  assert.equal(attn.embedDim, 64);
  assert.equal(attn.numHeads, 4);
  assert.equal(attn.headDim, 16);
  attn.delete();
});

test('causal forward zeroes every weight above the diagonal', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(32, 2, 7);
  const n = 5;
  const { weights } = attn.forward(M.embedTokens(TOKENS.slice(0, n), 32, 7), n, { causal: true });
  for (let h = 0; h < 2; h += 1) {
    for (let q = 0; q < n; q += 1) {
      for (let k = q + 1; k < n; k += 1) assert.equal(weights[(h * n + q) * n + k], 0);
    }
  }
  attn.delete();
});

test('every core option is reachable: scale, temperature, keyPaddingMask', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 2, 3);
  const n = 4;
  const x = M.embedTokens(TOKENS.slice(0, n), 16, 3);
  const base = attn.forward(x, n).weights;
  const hot = attn.forward(x, n, { temperature: 1e6 }).weights;
  for (const w of hot) assert.ok(Math.abs(w - 1 / n) < 1e-3, 'very hot is uniform');
  const scaleTwice = attn.forward(x, n, { scale: 2 / Math.sqrt(8) }).weights;
  const temperatureHalf = attn.forward(x, n, { temperature: 0.5 }).weights;
  assert.ok(maxAbsDifference(scaleTwice, temperatureHalf) < 1e-6);
  assert.ok(maxAbsDifference(scaleTwice, base) > 1e-3);
  for (const mask of [[0, 1, 0, 0], [false, true, false, false], Uint8Array.from([0, 1, 0, 0])]) {
    const padded = attn.forward(x, n, { keyPaddingMask: mask }).weights;
    for (let row = 0; row < 2 * n; row += 1) assert.equal(padded[row * n + 1], 0);
  }
  attn.delete();
});

test('trace returns every intermediate as {data, shape}, consistent with forward', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(12, 3, 5);
  const n = 4;
  const x = M.embedTokens(TOKENS.slice(0, n), 12, 5);
  const t = attn.trace(x, n, { causal: true });
  const shapes = {
    q: [3, n, 4], k: [3, n, 4], v: [3, n, 4], rawScores: [3, n, n], scaledScores: [3, n, n],
    maskedScores: [3, n, n], rowMax: [3, n], expScores: [3, n, n], rowSum: [3, n],
    weights: [3, n, n], headOutputs: [3, n, 4], concat: [n, 12],
    output: [n, 12],
  };
  for (const [name, shape] of Object.entries(shapes)) {
    assert.deepEqual(t[name].shape, shape, name);
    assert.ok(t[name].data instanceof Float32Array, name);
    assert.equal(t[name].data.length, shape.reduce((a, b) => a * b, 1), name);
  }
  assert.ok(Math.abs(t.scale - 1 / Math.sqrt(4)) < 1e-7);
  assert.equal(t.maskedScores.data[1], -Infinity, 'query 0 cannot see key 1');
  const forward = attn.forward(x, n, { causal: true });
  assert.ok(maxAbsDifference(t.weights.data, forward.weights) < 1e-6);
  assert.ok(maxAbsDifference(t.output.data, forward.output) < 1e-5);
  attn.delete();
});

test('getWeights and setWeights round-trip; plain arrays are accepted', async () => {
  const M = await loadModule();
  const a = new M.SimpleAttention(8, 2, 1);
  const b = new M.SimpleAttention(8, 2, 2);
  const weights = b.getWeights();
  for (const key of ['wq', 'wk', 'wv', 'wo']) assert.equal(weights[key].length, 64, key);
  for (const key of ['bq', 'bk', 'bv', 'bo']) assert.deepEqual(weights[key], new Float32Array(8));
  a.setWeights({ wq: weights.wq, wk: Array.from(weights.wk), wv: weights.wv, wo: weights.wo });
  assert.deepEqual(a.getWeights(), weights);
  const x = randomFloats(3 * 8, 9);
  assert.deepEqual(a.forward(x, 3).output, b.forward(x, 3).output);
  a.setWeights({ bo: new Float32Array(8).fill(1) });
  assert.ok(Math.abs(a.forward(x, 3).output[0] - b.forward(x, 3).output[0] - 1) < 1e-6);
  a.delete();
  b.delete();
});

test('crossAttention takes queries and keys of different lengths', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 4, 11);
  const xq = randomFloats(3 * 16, 1);
  const xkv = randomFloats(7 * 16, 2);
  const { output, weights } = attn.crossAttention(xq, 3, xkv, 7, { returnWeights: true });
  assert.equal(output.length, 3 * 16);
  assert.equal(weights.length, 4 * 3 * 7);
  const tiled = attn.crossAttention(xq, 3, xkv, 7, { returnWeights: false });
  assert.equal(tiled.weights, null);
  assert.ok(maxAbsDifference(tiled.output, output) < 1e-5);
  attn.delete();
});

test('scaledDotProductAttention and dotProductAttention take q, k, v with their shapes', async () => {
  const M = await loadModule();
  const q = randomFloats(2 * 4, 1);
  const k = randomFloats(3 * 4, 2);
  const v = randomFloats(3 * 5, 3);
  const shape = { nq: 2, nk: 3, dk: 4, dv: 5 };
  const scaled = M.scaledDotProductAttention(q, k, v, shape);
  assert.equal(scaled.output.length, 2 * 5);
  assert.equal(scaled.weights.length, 2 * 3);
  // Reference in plain JS for the first query.
  const logits = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, c) => s + q[c] * k[j * 4 + c], 0));
  const expSum = logits.reduce((s, l) => s + Math.exp(l / 2), 0);
  logits.forEach((l, j) => assert.ok(Math.abs(scaled.weights[j] - Math.exp(l / 2) / expSum) < 1e-6));
  const unscaled = M.dotProductAttention(q, k, v, shape);
  const expSumRaw = logits.reduce((s, l) => s + Math.exp(l), 0);
  logits.forEach((l, j) => assert.ok(Math.abs(unscaled.weights[j] - Math.exp(l) / expSumRaw) < 1e-6));
  const options = Object.assign({ causal: true, scale: 0.3, temperature: 2,
    keyPaddingMask: [0, 0, 1], returnWeights: false }, shape);
  const masked = M.scaledDotProductAttention(q, k, v, options);
  assert.equal(masked.weights, null);
  assert.deepEqual(Array.from(masked.output.slice(0, 5)), Array.from(v.slice(0, 5)),
    'query 0 sees only key 0');
});

test('returned arrays are copies that survive growth of the wasm heap', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 2, 1);
  const x = randomFloats(5 * 16, 4);
  const { output } = attn.forward(x, 5);
  const before = Float32Array.from(output);
  const heap = M.memoryStats().heapBytes;
  const big = new M.SimpleAttention(512, 8, 1);
  big.forward(randomFloats(1500 * 512, 5), 1500, { returnWeights: true });  // ~72 MB of weights
  assert.ok(M.memoryStats().heapBytes > heap, 'the heap grew');
  assert.deepEqual(output, before);
  assert.equal(output.buffer.byteLength, before.byteLength, 'not a view of the wasm heap');
  big.delete();
  attn.delete();
});

test('designHead sets one head to a designed pattern, visible in its weights', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(64, 4, 42);
  const tokens = 'the cat sat on the mat because the cat was tired'.split(' ');
  const n = tokens.length;
  const x = M.embedTokens(tokens, 64, 42);
  const before = attn.forward(x, n).weights;
  attn.designHead(1, 'previous_token');
  attn.designHead(2, 'first_token');
  attn.designHead(3, 'local_window', { window: 1 });
  const { weights } = attn.forward(x, n);
  const at = (h, i, j) => weights[(h * n + i) * n + j];
  for (let i = 1; i < n; i += 1) assert.ok(at(1, i, i - 1) >= 0.9, `previous token, row ${i}`);
  for (let i = 0; i < n; i += 1) assert.ok(at(2, i, 0) >= 0.9, `first token, row ${i}`);
  for (let i = 0; i < n; i += 1) {
    let inside = 0;
    for (let j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 1); j += 1) inside += at(3, i, j);
    assert.ok(inside >= 0.9, `window, row ${i}`);
  }
  assert.deepEqual(weights.subarray(0, n * n), before.subarray(0, n * n), 'head 0 untouched');
  attn.designHead(0, 'uniform');
  const uniform = attn.forward(x, n).weights;
  for (let i = 0; i < n * n; i += 1) assert.ok(Math.abs(uniform[i] - 1 / n) < 1e-6);
  attn.delete();
});

test('scalingStudy: raw score variance grows with d; unscaled softmax saturates', async () => {
  const M = await loadModule();
  const points = [4, 64, 1024].map((d) => M.scalingStudy(d, 64, 7));
  points.forEach((p, i) => {
    assert.equal(p.d, [4, 64, 1024][i]);
    assert.ok(Math.abs(p.rawScoreVariance / p.d - 1) < 0.25, `variance ${p.rawScoreVariance} at d ${p.d}`);
    assert.ok(Math.abs(p.scaledScoreVariance - 1) < 0.25);
    assert.ok(p.scaled.maxWeight < 0.5);
  });
  assert.ok(points[2].unscaled.maxWeight > 0.9);
  assert.ok(points[2].unscaled.gradientNorm < points[2].scaled.gradientNorm);
  assert.ok(points[2].unscaled.entropyBits < points[0].unscaled.entropyBits);
});

test('trace includes the softmax steps: row max, exp scores and row sums', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(8, 2, 1);
  const n = 3;
  const t = attn.trace(M.embedTokens(['a', 'b', 'c'], 8, 1), n, { causal: true });
  assert.deepEqual(t.rowMax.shape, [2, n]);
  assert.deepEqual(t.rowSum.shape, [2, n]);
  assert.deepEqual(t.expScores.shape, [2, n, n]);
  for (let h = 0; h < 2; h += 1) {
    for (let i = 0; i < n; i += 1) {
      let sum = 0;
      for (let j = 0; j < n; j += 1) {
        const e = t.expScores.data[(h * n + i) * n + j];
        sum += e;
        assert.ok(Math.abs(t.weights.data[(h * n + i) * n + j] - e / t.rowSum.data[h * n + i]) < 1e-6);
      }
      assert.ok(Math.abs(sum - t.rowSum.data[h * n + i]) < 1e-5);
    }
  }
  assert.equal(t.expScores.data[1], 0, 'masked: exp is exactly 0');
  attn.delete();
});

test('multiHeadAttention on projected q, k, v equals per-head scaledDotProductAttention', async () => {
  const M = await loadModule();
  const nq = 5;
  const nk = 6;
  const dModel = 8;
  const numHeads = 2;
  const q = randomFloats(nq * dModel, 1);
  const k = randomFloats(nk * dModel, 2);
  const v = randomFloats(nk * dModel, 3);
  const { output, weights } = M.multiHeadAttention(q, k, v, { nq, nk, dModel, numHeads, causal: true });
  assert.equal(output.length, nq * dModel);
  assert.equal(weights.length, numHeads * nq * nk);
  const columns = (data, rows, h) => {
    const out = new Float32Array(rows * 4);
    for (let r = 0; r < rows; r += 1) for (let c = 0; c < 4; c += 1) out[r * 4 + c] = data[r * dModel + h * 4 + c];
    return out;
  };
  for (let h = 0; h < numHeads; h += 1) {
    const head = M.scaledDotProductAttention(columns(q, nq, h), columns(k, nk, h), columns(v, nk, h),
      { nq, nk, dk: 4, dv: 4, causal: true });
    assert.deepEqual(weights.subarray(h * nq * nk, (h + 1) * nq * nk), head.weights);
    assert.ok(maxAbsDifference(columns(output, nq, h), head.output) < 1e-6);
  }
  const tiled = M.multiHeadAttention(q, k, v, { nq, nk, dModel, numHeads, returnWeights: false });
  assert.equal(tiled.weights, null);
  assert.throws(() => M.multiHeadAttention(q, k, v, { nq, nk, dModel, numHeads: 3 }),
    /d_model 8 is not divisible by num_heads 3/);
});
