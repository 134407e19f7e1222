// Float's edges through the JavaScript API (issue 12): finite input whose scores q.k * scale pass
// float's range is an Error naming the bound on every entry point, never NaN weights. The inputs
// are the fuzzer's finding (tests/fuzz/corpus/core/regressions/tiny-keys-huge-scale): keys of
// 1e-30, whose squares vanish in float, against queries near float's largest and a scale of 1e38.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule, randomFloats } = require('./module');

const FLT_MAX = 3.4028234663852886e38;
const BEYOND_RANGE = /the scores q\.k \* scale can reach .* beyond float's range/;

function tinyKeysHugeQueries() {
  const q = randomFloats(8 * 3, 1).map((value) => value * 1e15);
  q.set([FLT_MAX, 1e18, 1e38], 0);
  const k = randomFloats(59 * 3, 2).map((value) => value * 1e-30);
  const v = randomFloats(59 * 126, 3);
  return { q, k, v };
}

test('numerics: tiny keys cannot hide scores beyond float\'s range, on every entry point', async () => {
  const M = await loadModule();
  const { q, k, v } = tinyKeysHugeQueries();
  for (const causal of [false, true]) {
    for (const returnWeights of [true, false]) {
      const options = { nq: 8, nk: 59, dk: 3, dv: 126, scale: 1e38, causal, returnWeights };
      assert.throws(() => M.dotProductAttention(q, k, v, options), BEYOND_RANGE);
      assert.throws(() => M.scaledDotProductAttention(q, k, v, options), BEYOND_RANGE);
    }
  }
  // Multi-head: the same rows, 8 wide, 2 heads.
  const q8 = randomFloats(6 * 8, 4).map((value) => value * 1e30);
  const k8 = randomFloats(6 * 8, 5).map((value) => value * 1e-30);
  const v8 = randomFloats(6 * 8, 6);
  assert.throws(() => M.multiHeadAttention(q8, k8, v8,
    { nq: 6, nk: 6, dModel: 8, numHeads: 2, scale: 1e38 }), BEYOND_RANGE);
  // The layer: W_q of 1e31 and W_k of 1e-31 make such queries and keys from ordinary x.
  const layer = new M.SimpleAttention(8, 2, 36);
  layer.setWeights({ wq: randomFloats(64, 7).map((value) => value * 1e31),
                     wk: randomFloats(64, 8).map((value) => value * 1e-31) });
  const x = randomFloats(6 * 8, 9);
  assert.throws(() => layer.forward(x, 6, { scale: 1e38 }), BEYOND_RANGE);
  assert.throws(() => layer.trace(x, 6, { scale: 1e38 }), BEYOND_RANGE);
  layer.designHead(1, 'previous_token');
  assert.throws(() => layer.forward(x, 6, { scale: 1e38, causal: true }), BEYOND_RANGE);
  // At an ordinary scale the same inputs are computed, every weight finite.
  const { weights } = M.dotProductAttention(q8, k8, v8, { nq: 6, nk: 6, dk: 8, dv: 8 });
  assert.ok(weights.every((w) => Number.isFinite(w) && w >= 0 && w <= 1));
  layer.delete();
});
