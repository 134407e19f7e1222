// The wasm module and the native build of the same core agree: weights and embeddings bit for bit,
// attention outputs to 1e-6. The native results come from tests/write_wasm_fixtures.cpp, which
// ./build.sh test runs before these tests (SPOTLIGHT_FIXTURES overrides the path).
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
function assertClose(actual, expected, tolerance, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = expected.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
  for (let i = 0; i < expected.length; i += 1) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) {
      assert.fail(`${what}[${i}]: wasm ${actual[i]} vs native ${expected[i]} ` +
                  `(tolerance ${tolerance} * max|native| ${scale})`);
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
