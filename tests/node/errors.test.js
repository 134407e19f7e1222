// Every invalid call throws an Error naming the problem and the values seen, and the module stays
// usable afterwards.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule, randomFloats } = require('./module');

function assertError(call, pattern) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof Error, `not an Error: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('constructor: sizes, divisibility and seeds', async () => {
  const M = await loadModule();
  assertError(() => new M.SimpleAttention(10, 4, 1), /embed_dim 10 is not divisible by num_heads 4/);
  assertError(() => new M.SimpleAttention(64, 0, 1), /numHeads must be a positive integer, got number 0/);
  assertError(() => new M.SimpleAttention(-64, 4, 1), /embedDim must be a positive integer, got number -64/);
  assertError(() => new M.SimpleAttention(6.5, 1, 1), /embedDim .* got number 6.5/);
  assertError(() => new M.SimpleAttention('64', 4, 1), /embedDim .* got the string "64"/);
  assertError(() => new M.SimpleAttention(undefined, 4, 1), /embedDim .* got undefined/);
  assertError(() => new M.SimpleAttention(64, 4, -1), /seed must be an integer .* got number -1/);
  assertError(() => new M.SimpleAttention(64, 4, 2 ** 60), /seed must be an integer/);
  assertError(() => new M.SimpleAttention(2 ** 31, 1, 0), /embedDim .* got number 2147483648/);
});

test('forward: input length, sequence length and values', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(64, 4, 42);
  const x = randomFloats(3 * 64, 1);
  assertError(() => attn.forward(x.slice(0, 190), 3),
    /x has 190 values, expected seqLen\*embedDim = 3\*64 = 192/);
  assertError(() => attn.forward(x, 0), /seqLen must be a positive integer, got number 0/);
  assertError(() => attn.forward(x, 1.5), /seqLen .* got number 1.5/);
  assertError(() => attn.forward(x), /seqLen .* got undefined/);
  assertError(() => attn.forward('abc', 3), /x must be a Float32Array or an array of numbers, got the string "abc"/);
  assertError(() => attn.forward({ length: 192 }, 3), /x must be a Float32Array .* got an object/);
  assertError(() => attn.forward([1, 2, 'x'], 3), /x\[2\] is the string "x"/);
  const bad = Float32Array.from(x);
  bad[70] = NaN;
  assertError(() => attn.forward(bad, 3), /non-finite value nan at \(1, 6\)/);
  bad[70] = Infinity;
  assertError(() => attn.selfAttention(bad, 3), /non-finite value inf/);
  const detached = Float32Array.from(x);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  assertError(() => attn.forward(detached, 3), /x is a Float32Array over a detached ArrayBuffer \(transferred elsewhere\)/);
  assert.equal(attn.forward(x, 3).output.length, 192, 'still usable');
  attn.delete();
});

test('options: types, unknown keys, temperature, scale and mask length', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 2, 1);
  const x = randomFloats(4 * 16, 2);
  assertError(() => attn.forward(x, 4, { casual: true }), /unknown option "casual"/);
  assertError(() => attn.forward(x, 4, { causal: 'yes' }), /option causal must be a boolean, got the string "yes"/);
  assertError(() => attn.forward(x, 4, 'causal'), /options must be an object/);
  assertError(() => attn.forward(x, 4, { temperature: 0 }), /temperature must be finite and > 0, got 0/);
  assertError(() => attn.forward(x, 4, { temperature: -2 }), /got -2/);
  assertError(() => attn.forward(x, 4, { temperature: NaN }), /temperature must be finite/);
  assertError(() => attn.forward(x, 4, { scale: Infinity }), /scale must be finite, got inf/);
  assertError(() => attn.forward(x, 4, { scale: '2' }), /option scale must be a number/);
  assertError(() => attn.forward(x, 4, { keyPaddingMask: [0, 1] }),
    /key_padding_mask has 2 entries, expected n_k = 4/);
  assertError(() => attn.forward(x, 4, { keyPaddingMask: 'mask' }), /keyPaddingMask must be an array/);
  assertError(() => attn.trace(x, 4, { keyPaddingMask: [1] }), /has 1 entries/);
  attn.delete();
});

test('embedTokens: token list, dimension and seed', async () => {
  const M = await loadModule();
  assertError(() => M.embedTokens([], 8, 1), /token list is empty/);
  assertError(() => M.embedTokens('the cat', 8, 1), /tokens must be an array of strings, got the string/);
  assertError(() => M.embedTokens(['a', 3], 8, 1), /tokens\[1\] must be a string, got number 3/);
  assertError(() => M.embedTokens(['a'], 0, 1), /embedDim must be a positive integer, got number 0/);
  assertError(() => M.embedTokens(['a'], 8, 1, { positions: true }), /unknown option "positions"/);
});

test('crossAttention, single-head functions and weights', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(8, 2, 1);
  const xq = randomFloats(2 * 8, 1);
  assertError(() => attn.crossAttention(xq, 2, randomFloats(7, 2), 1), /xkv has 7 values, expected nk\*embedDim = 1\*8 = 8/);
  assertError(() => attn.crossAttention(xq, 3, xq, 2), /xq has 16 values, expected nq\*embedDim = 3\*8 = 24/);
  const q = randomFloats(8, 3);
  assertError(() => M.scaledDotProductAttention(q, q, q, { nq: 2, nk: 2, dk: 4 }), /dv must be a positive integer, got number 0/);
  assertError(() => M.dotProductAttention(q, q, q.slice(0, 6), { nq: 2, nk: 2, dk: 4, dv: 4 }),
    /v has 6 values, expected nk\*dv = 2\*4 = 8/);
  assertError(() => attn.setWeights({ wq: new Float32Array(63) }), /wq has 63 values, expected embedDim\*embedDim = 8\*8 = 64/);
  assertError(() => attn.setWeights({ wz: new Float32Array(64) }), /unknown weight "wz"/);
  assertError(() => attn.setWeights(null), /setWeights expects an object/);
  const before = attn.getWeights();
  assertError(() => attn.setWeights({ wq: new Float32Array(64).fill(1), wk: new Float32Array(3) }), /wk has 3 values/);
  assert.deepEqual(attn.getWeights(), before, 'a rejected setWeights changes nothing');
  attn.delete();
  assertError(() => attn.forward(xq, 2), /deleted/);
  attn.delete();  // deleting twice is harmless
});

test('designHead and scalingStudy: names, heads and sizes', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(16, 2, 1);
  assertError(() => attn.designHead(2, 'uniform'), /head 2 does not exist: there are 2 heads/);
  assertError(() => attn.designHead(-1, 'uniform'), /head must be an integer >= 0, got number -1/);
  assertError(() => attn.designHead(0, 'next_token'), /unknown head pattern "next_token"; known: previous_token/);
  assertError(() => attn.designHead(0, 7), /pattern must be a string, got number 7/);
  assertError(() => attn.designHead(0, 'local_window', { window: -1 }), /window >= 0, got -1/);
  assertError(() => attn.designHead(0, 'local_window', { width: 1 }), /unknown option "width"/);
  const tiny = new M.SimpleAttention(2, 2, 1);
  assertError(() => tiny.designHead(0, 'previous_token'), /needs d_head >= 2 and d_model >= 4, got d_head = 1/);
  assertError(() => M.scalingStudy(0, 8), /d must be a positive integer, got number 0/);
  assertError(() => M.scalingStudy(8, 1), /n > 1 tokens, got 1/);
  attn.delete();
  tiny.delete();
});
