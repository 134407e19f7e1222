// The two kernel paths of the matrix products (src/wasm/kernel_paths.js), side by side in one
// process: the relaxed-SIMD module (fused multiply-add) and the module's own SIMD128 kernel
// (multiply, then add). Each is checked against a float64 reference over shapes that cover every
// edge of the blocked kernel (src/core/kernels/gemm_kernel.h): rows not a multiple of the row block, columns
// not a multiple of 4, 8 or 16, depth 1, transposed and plain b, alpha, accumulation into c, and a
// product large enough to grow the module's memory under the kernel module that imports it.
// (The rest of the Node suite runs on each path in turn: SPOTLIGHT_SIMD, tests/node/module.js.)
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const { modulePath, randomFloats, maxAbsDifference } = require('./module');  // sets the V8 flag

const createAttentionModule = require(modulePath);
const relaxedLoading = createAttentionModule({ simd: 'relaxed-simd' });
const plainLoading = createAttentionModule({ simd: 'simd128' });

function paths() {
  return Promise.all([relaxedLoading, plainLoading]).then(([relaxed, plain]) => [
    { name: 'relaxed-simd', module: relaxed },
    { name: 'simd128', module: plain },
  ]);
}

// alpha * a op(b) (+ c) in float64, and for each entry sum over p of |a_ip| |op(b)_pj|: the scale
// of its rounding error.
function reference(a, b, m, k, n, transposeB, alpha, c) {
  const exact = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i += 1) {
    for (let j = 0; j < n; j += 1) {
      let sum = 0;
      let size = 0;
      for (let p = 0; p < k; p += 1) {
        const term = a[i * k + p] * (transposeB ? b[j * k + p] : b[p * n + j]);
        sum += term;
        size += Math.abs(term);
      }
      exact[i * n + j] = alpha * sum + (c ? c[i * n + j] : 0);
      magnitude[i * n + j] = Math.abs(alpha) * size + (c ? Math.abs(c[i * n + j]) : 0);
    }
  }
  return { exact, magnitude };
}

// The tolerance, for fused and unfused rounding alike: a k-term float32 dot product accumulated in
// order is within gamma_(2k) * sum |a||b| of the exact value, gamma_j = j u / (1 - j u) with
// u = 2^-24, when each step rounds twice (the product, then the sum: SIMD128) - and within
// gamma_k when it rounds once (the fused multiply-add: relaxed SIMD). The test allows the larger,
// plus the rounding of alpha's product and of the addition to c (k + 3 steps in all), so both paths
// must meet the same bound; neither is allowed more.
function tolerance(k, magnitude) {
  const u = 2 ** -24;
  const steps = 2 * (k + 3);
  return ((steps * u) / (1 - steps * u)) * magnitude + 1e-30;
}

function checkProduct(module, m, k, n, options, seed) {
  const transposeB = Boolean(options.transposeB);
  const alpha = options.alpha === undefined ? 1 : options.alpha;
  const a = randomFloats(m * k, seed);
  const b = randomFloats(k * n, seed + 1);
  const c = options.accumulate ? randomFloats(m * n, seed + 2) : null;
  const got = module.matmul(a, b, { m, k, n, transposeB, alpha, c });
  assert.equal(got.length, m * n);
  const { exact, magnitude } = reference(a, b, m, k, n, transposeB, alpha, c);
  let worst = 0;
  for (let i = 0; i < m * n; i += 1) {
    const error = Math.abs(got[i] - exact[i]);
    const allowed = tolerance(k, magnitude[i]);
    if (!(error <= allowed)) {
      assert.fail(`${module.simd}: (${m}, ${k}) x (${k}, ${n}) ${JSON.stringify(options)}: entry ` +
                  `(${Math.floor(i / n)}, ${i % n}) is ${got[i]}, exact ${exact[i]}: error ${error} > ${allowed}`);
    }
    worst = Math.max(worst, error / allowed);
  }
  return worst;
}

test('the module reports the kernel path it runs, and Node.js (with the flag) validates relaxed SIMD', async () => {
  const [relaxed, plain] = await paths();
  assert.equal(relaxed.module.simd, 'relaxed-simd');
  assert.equal(relaxed.module.relaxedSimdSupported, true);
  assert.match(relaxed.module.simdReason, /fused multiply-add/);
  assert.equal(plain.module.simd, 'simd128');
  assert.equal(plain.module.relaxedSimdSupported, true);  // supported, but not asked for
  assert.match(plain.module.simdReason, /as asked for/);
  const auto = await createAttentionModule();
  assert.equal(auto.simd, 'relaxed-simd', 'auto takes relaxed SIMD where it validates');
  // The raw hooks are not left on the module.
  for (const module of [relaxed.module, plain.module, auto]) {
    assert.equal(module.rawSetGemmKernel, undefined);
    assert.equal(module.rawGemmKernelName, undefined);
    assert.equal(module.rawMatmul, undefined);
  }
});

test('a wrong simd option rejects the module promise with the values allowed and the value seen', async () => {
  await assert.rejects(createAttentionModule({ simd: 'avx512' }),
                       /option simd must be one of auto, relaxed-simd, simd128, got "avx512"/);
  await assert.rejects(createAttentionModule({ simd: true }), /got true/);
});

test('both paths match the float64 reference at every edge of the blocked kernel', async () => {
  const shapes = [];
  for (const m of [1, 2, 3, 4, 5, 7, 8, 9, 33]) {
    for (const n of [1, 3, 4, 5, 8, 12, 15, 16, 17, 31, 33, 64]) shapes.push([m, 1 + ((m * n) % 9), n]);
  }
  shapes.push([64, 64, 512], [64, 512, 64], [65, 130, 47], [128, 256, 256], [1, 300, 1]);
  const variants = [{}, { transposeB: true }, { alpha: 0.125 }, { accumulate: true },
                    { transposeB: true, alpha: -2, accumulate: true }];
  for (const path of await paths()) {
    let worst = 0;
    let seed = 11;
    for (const [m, k, n] of shapes) {
      for (const options of variants) {
        worst = Math.max(worst, checkProduct(path.module, m, k, n, options, (seed += 3)));
      }
    }
    // The bound is loose by design; an error at its edge would mean a wrong term, not rounding.
    assert.ok(worst < 0.5, `${path.name}: worst error ${worst} of the tolerance`);
  }
});

test('the relaxed kernel keeps working after the module memory grows under it', async () => {
  const module = await createAttentionModule({ simd: 'relaxed-simd' });  // a fresh, small memory
  const before = module.memoryStats().heapBytes;
  // (1200 x 1000) x (1000 x 1100): about 5 MB for each input and the output, and the packed panels
  const m = 1200, k = 1000, n = 1100;
  const a = randomFloats(m * k, 5), b = randomFloats(k * n, 6);
  const got = module.matmul(a, b, { m, k, n });
  assert.ok(module.memoryStats().heapBytes > before, 'the product grew the memory');
  for (const [i, j] of [[0, 0], [m - 1, n - 1], [123, 456], [m - 1, 0], [0, n - 1], [650, 1093]]) {
    let exact = 0, size = 0;
    for (let p = 0; p < k; p += 1) {
      exact += a[i * k + p] * b[p * n + j];
      size += Math.abs(a[i * k + p] * b[p * n + j]);
    }
    assert.ok(Math.abs(got[i * n + j] - exact) <= tolerance(k, size), `entry (${i}, ${j})`);
  }
});

// Which rounding the relaxed path gets is the CPU's: V8 emits a fused multiply-add on x86-64 with
// FMA3 (and on arm64), else a multiply and an add - bit for bit the SIMD128 path.
function cpuHasFma() {
  if (process.arch === 'arm64') return true;
  try {
    return /\bfma\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch (error) {
    return null;
  }
}

test('the relaxed path rounds once per multiply-add where the CPU has FMA, and so differs in the last bits', async (t) => {
  const fma = cpuHasFma();
  if (fma === null) {
    t.skip('cannot tell whether this CPU has FMA (no /proc/cpuinfo)');
    return;
  }
  const [relaxed, plain] = await paths();
  const m = 32, k = 256, n = 48;
  const a = randomFloats(m * k, 21), b = randomFloats(k * n, 22);
  const fused = relaxed.module.matmul(a, b, { m, k, n });
  const unfused = plain.module.matmul(a, b, { m, k, n });
  let differing = 0;
  for (let i = 0; i < fused.length; i += 1) if (fused[i] !== unfused[i]) differing += 1;
  if (fma) {
    assert.ok(differing > fused.length / 4, `only ${differing} of ${fused.length} entries differ`);
    assert.ok(maxAbsDifference(fused, unfused) < 1e-4);
  } else {
    assert.equal(differing, 0, 'without FMA, relaxed_madd is a multiply and an add');
  }
});

test('attention, the layer and a training step agree across the paths to float rounding', async () => {
  const [relaxed, plain] = await paths();
  const n = 40, d = 32, heads = 4;
  const q = randomFloats(n * d, 31), k = randomFloats(n * d, 32), v = randomFloats(n * d, 33);
  for (const causal of [false, true]) {
    const options = { nq: n, nk: n, dModel: d, numHeads: heads, causal };
    const one = relaxed.module.multiHeadAttention(q, k, v, options);
    const two = plain.module.multiHeadAttention(q, k, v, options);
    assert.ok(maxAbsDifference(one.output, two.output) < 1e-5);
    assert.ok(maxAbsDifference(one.weights, two.weights) < 1e-5);
  }
  const x = randomFloats(n * d, 34);
  const layers = [relaxed, plain].map((p) => new p.module.SimpleAttention(d, heads, 3));
  const forwards = layers.map((layer) => layer.forward(x, n, { returnWeights: true }));
  assert.ok(maxAbsDifference(forwards[0].output, forwards[1].output) < 1e-5);
  layers.forEach((layer) => layer.delete());

  const config = { vocabSize: 20, contextLength: 8, embedDim: 16, numHeads: 2, numLayers: 2, seed: 4 };
  const losses = [relaxed, plain].map((p) => {
    const model = new p.module.TinyTransformer(config);
    const tokens = Int32Array.from({ length: 4 * 8 }, (_, i) => (i * 7) % 20);
    const targets = Int32Array.from({ length: 4 * 8 }, (_, i) => (i * 7 + 7) % 20);
    const result = [];
    for (let step = 0; step < 5; step += 1) result.push(model.trainStep(tokens, targets, { batch: 4, seqLen: 8, learningRate: 1e-2 }));
    model.delete();
    return result;
  });
  for (let step = 0; step < 5; step += 1) {
    assert.ok(Math.abs(losses[0][step] - losses[1][step]) < 1e-4, `step ${step}: ${losses[0][step]} vs ${losses[1][step]}`);
  }
  assert.ok(losses[0][4] < losses[0][0], 'the loss falls on the relaxed path');
});

test('matmul names its wrong arguments and the values seen', async () => {
  const [relaxed] = await paths();
  const { module } = relaxed;
  assert.throws(() => module.matmul([1, 2, 3], [1, 2], { m: 1, k: 2, n: 1 }), /a has 3 values, expected m\*k = 1\*2 = 2/);
  assert.throws(() => module.matmul([1, 2], [1, 2, 3], { m: 1, k: 2, n: 1, transposeB: true }),
                /b has 3 values, expected n\*k = 1\*2 = 2/);
  assert.throws(() => module.matmul([1], [1], { m: 1, k: 1, n: 1, c: [1, 2] }), /c has 2 values, expected m\*n/);
  assert.throws(() => module.matmul([1], [1], { m: 1, k: 1, n: 1, alpha: NaN }), /alpha must be a finite number, got number NaN/);
  assert.throws(() => module.matmul([1], [1], { m: 0, k: 1, n: 1 }), /m must be a positive integer, got number 0/);
  assert.throws(() => module.matmul([1], [1], { m: 1, k: 1 }), /option n is required/);
  assert.throws(() => module.matmul([1], [1], { m: 1, k: 1, n: 1, transpose: true }), /unknown option "transpose"/);
  // Still usable afterwards.
  assert.deepEqual(Array.from(module.matmul([1, 2], [3, 4], { m: 1, k: 2, n: 1 })), [11]);
});
