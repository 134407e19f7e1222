// No leak: after warm-up, 10,000 calls leave the wasm heap and malloc's live bytes unchanged.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadModule, randomFloats } = require('./module');

test('10,000 forward calls leave the wasm heap and the allocated bytes unchanged', async () => {
  const M = await loadModule();
  const attn = new M.SimpleAttention(64, 4, 42);
  const n = 10;
  const x = randomFloats(n * 64, 1);
  const call = (i) => {
    const result = attn.forward(x, n, { causal: i % 2 === 0, returnWeights: i % 3 !== 0 });
    return result.output[0];
  };
  for (let i = 0; i < 10; i += 1) call(i);  // warm-up
  const before = M.memoryStats();
  for (let i = 0; i < 10000; i += 1) call(i);
  const after = M.memoryStats();
  assert.equal(after.heapBytes, before.heapBytes, 'wasm memory grew');
  assert.equal(after.allocatedBytes, before.allocatedBytes, 'malloc holds more bytes');
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
