// The peers of the benchmark, each with the same two operations on the same inputs:
//   attention(q, k, v)  multi-head attention on projected Q, K, V (n, dModel) -> (n, dModel)
//   layer(x)            the whole layer: projections, attention, output projection
// each with {causal, returnWeights}. A peer's setup returns null for a case it cannot run, with
// the reason, so the report shows the gap instead of hiding it.
'use strict';

const flops = {
  // Q K^T and weights V for every head: 2 n^2 d each.
  attention: (n, d) => 4 * n * n * d,
  // plus four (n, d) x (d, d) projections
  layer: (n, d) => 4 * n * n * d + 8 * n * d * d,
};

function randomFloats(count, seed) {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 2 ** 32 - 0.5) * 0.5;
  }
  return values;
}

// ---- this project's module ----------------------------------------------------------------------

// name: 'ours (wasm)' for the module's default path (relaxed SIMD where it validates), or
// 'ours (wasm, SIMD128)' for a module created with { simd: 'simd128' }: the path of engines
// without relaxed SIMD, measured beside it.
const OURS_SIMD128 = 'ours (wasm, SIMD128)';
function oursPeer(M, name = 'ours (wasm)') {
  return {
    name,
    setup({ n, d, heads, causal, returnWeights, operation, inputs }) {
      if (operation === 'attention') {
        const options = { nq: n, nk: n, dModel: d, numHeads: heads, causal, returnWeights };
        return () => M.multiHeadAttention(inputs.q, inputs.k, inputs.v, options).output;
      }
      const layer = new M.SimpleAttention(d, heads, 1);
      layer.setWeights({ wq: inputs.wq, wk: inputs.wk, wv: inputs.wv, wo: inputs.wo });
      return () => layer.forward(inputs.x, n, { causal, returnWeights }).output;
    },
  };
}

// ---- onnxruntime-web: the com.microsoft MultiHeadAttention op, or opset-23 Attention for weights

function onnxModel(onnx, { n, d, heads, causal, returnWeights, operation }) {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT = onnx.AttributeProto.AttributeType.INT;
  const tensorType = (dims) => ({ tensorType: { elemType: FLOAT, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } });
  const io = (name, dims) => ({ name, type: tensorType(dims) });
  const nodes = [];
  const inputs = [];
  let q = 'q';
  let k = 'k';
  let v = 'v';
  if (operation === 'layer') {
    inputs.push(io('x', [1, n, d]));
    for (const name of ['wq', 'wk', 'wv', 'wo']) inputs.push(io(name, [d, d]));
    nodes.push({ opType: 'MatMul', input: ['x', 'wq'], output: ['pq'] }, { opType: 'MatMul', input: ['x', 'wk'], output: ['pk'] },
      { opType: 'MatMul', input: ['x', 'wv'], output: ['pv'] });
    [q, k, v] = ['pq', 'pk', 'pv'];
  } else {
    inputs.push(io('q', [1, n, d]), io('k', [1, n, d]), io('v', [1, n, d]));
  }
  const attentionOut = operation === 'layer' ? 'attended' : 'y';
  const outputs = [io('y', [1, n, d])];
  if (returnWeights) {
    nodes.push({ opType: 'Attention', input: [q, k, v], output: [attentionOut, '', '', 'w'],
      attribute: [{ name: 'q_num_heads', type: INT, i: heads }, { name: 'kv_num_heads', type: INT, i: heads },
        { name: 'is_causal', type: INT, i: causal ? 1 : 0 }, { name: 'qk_matmul_output_mode', type: INT, i: 3 }] });
    outputs.push(io('w', [1, heads, n, n]));
  } else {
    nodes.push({ opType: 'MultiHeadAttention', domain: 'com.microsoft', input: [q, k, v], output: [attentionOut],
      attribute: [{ name: 'num_heads', type: INT, i: heads }, { name: 'unidirectional', type: INT, i: causal ? 1 : 0 }] });
  }
  if (operation === 'layer') nodes.push({ opType: 'MatMul', input: ['attended', 'wo'], output: ['y'] });
  const model = onnx.ModelProto.create({
    irVersion: 10,
    opsetImport: [{ domain: '', version: 23 }, { domain: 'com.microsoft', version: 1 }],
    graph: { name: 'attention', node: nodes, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(model).finish();
}

// buildModel(shape) -> the ONNX bytes: onnxModel with onnx-proto in Node; in the browser, bytes
// that Node built and handed over (onnx-proto is a Node package).
function ortPeer(ort, buildModel) {
  return {
    name: 'onnxruntime-web (wasm)',
    async setup(shape) {
      const { n, d, operation, inputs } = shape;
      let session;
      try {
        session = await ort.InferenceSession.create(buildModel(shape), { executionProviders: ['wasm'] });
      } catch (error) {
        return { skipped: `session creation failed: ${String(error.message || error).slice(0, 120)}` };
      }
      const tensor = (data, dims) => new ort.Tensor('float32', data, dims);
      const feeds = operation === 'attention'
        ? { q: tensor(inputs.q, [1, n, d]), k: tensor(inputs.k, [1, n, d]), v: tensor(inputs.v, [1, n, d]) }
        : { x: tensor(inputs.x, [1, n, d]), wq: tensor(inputs.wq, [d, d]), wk: tensor(inputs.wk, [d, d]),
          wv: tensor(inputs.wv, [d, d]), wo: tensor(inputs.wo, [d, d]) };
      return async () => (await session.run(feeds)).y.data;
    },
  };
}

// ---- tfjs with the wasm backend (XNNPACK for batch-1 matMul): per head, K transposed explicitly

function tfjsPeer(tf) {
  return {
    name: 'tfjs-backend-wasm',
    setup({ n, d, heads, causal, returnWeights, operation, inputs }) {
      const dHead = d / heads;
      const mask = causal ? tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([n, n]), -1, 0)), -1e9)) : null;
      const weights = operation === 'layer'
        ? ['wq', 'wk', 'wv', 'wo'].map((name) => tf.tensor2d(inputs[name], [d, d])) : null;
      const x = operation === 'layer' ? tf.tensor2d(inputs.x, [n, d]) : null;
      const [q0, k0, v0] = operation === 'attention'
        ? [inputs.q, inputs.k, inputs.v].map((data) => tf.tensor2d(data, [n, d])) : [null, null, null];
      return () => {
        const heldWeights = [];
        const result = tf.tidy(() => {
          const [q, k, v] = operation === 'layer' ? weights.slice(0, 3).map((w) => tf.matMul(x, w)) : [q0, k0, v0];
          const outs = [];
          for (let h = 0; h < heads; h += 1) {
            const qh = tf.slice(q, [0, h * dHead], [n, dHead]);
            const kt = tf.transpose(tf.slice(k, [0, h * dHead], [n, dHead]));
            const vh = tf.slice(v, [0, h * dHead], [n, dHead]);
            let scores = tf.mul(tf.matMul(qh, kt), 1 / Math.sqrt(dHead));
            if (mask) scores = tf.add(scores, mask);
            const p = tf.softmax(scores);
            if (returnWeights) heldWeights.push(p.dataSync());
            outs.push(tf.matMul(p, vh));
          }
          const concat = tf.concat(outs, 1);
          return operation === 'layer' ? tf.matMul(concat, weights[3]) : concat;
        });
        const data = result.dataSync();
        result.dispose();
        return data;
      };
    },
  };
}

// ---- plain JavaScript loops --------------------------------------------------------------------

function plainJsPeer() {
  const project = (x, w, n, d) => {
    const y = new Float32Array(n * d);
    for (let i = 0; i < n; i += 1) {
      for (let p = 0; p < d; p += 1) {
        const xv = x[i * d + p];
        for (let j = 0; j < d; j += 1) y[i * d + j] += xv * w[p * d + j];
      }
    }
    return y;
  };
  const attend = (q, k, v, n, d, heads, causal) => {
    const dHead = d / heads;
    const out = new Float32Array(n * d);
    const row = new Float32Array(n);
    for (let h = 0; h < heads; h += 1) {
      const c0 = h * dHead;
      for (let i = 0; i < n; i += 1) {
        const last = causal ? i : n - 1;
        let max = -Infinity;
        for (let j = 0; j <= last; j += 1) {
          let s = 0;
          for (let c = 0; c < dHead; c += 1) s += q[i * d + c0 + c] * k[j * d + c0 + c];
          row[j] = s / Math.sqrt(dHead);
          if (row[j] > max) max = row[j];
        }
        let sum = 0;
        for (let j = 0; j <= last; j += 1) { row[j] = Math.exp(row[j] - max); sum += row[j]; }
        for (let j = 0; j <= last; j += 1) {
          const w = row[j] / sum;
          for (let c = 0; c < dHead; c += 1) out[i * d + c0 + c] += w * v[j * d + c0 + c];
        }
      }
    }
    return out;
  };
  return {
    name: 'plain JavaScript',
    setup({ n, d, heads, causal, operation, inputs }) {
      if (n * n * d > 512 * 512 * 512) return { skipped: 'too slow to be worth timing (over 10 s a run)' };
      if (operation === 'attention') return () => attend(inputs.q, inputs.k, inputs.v, n, d, heads, causal);
      return () => {
        const [q, k, v] = ['wq', 'wk', 'wv'].map((w) => project(inputs.x, inputs[w], n, d));
        return project(attend(q, k, v, n, d, heads, causal), inputs.wo, n, d);
      };
    },
  };
}

function makeInputs(n, d) {
  return {
    q: randomFloats(n * d, 1), k: randomFloats(n * d, 2), v: randomFloats(n * d, 3), x: randomFloats(n * d, 4),
    wq: randomFloats(d * d, 5), wk: randomFloats(d * d, 6), wv: randomFloats(d * d, 7), wo: randomFloats(d * d, 8),
  };
}


const SHAPES = [[16, 64, 4], [128, 256, 4], [512, 512, 8], [1024, 768, 12], [4096, 512, 8]];
const QUICK_SHAPES = [[16, 64, 4], [128, 256, 4]];
const MAX_WEIGHT_BYTES = 256 * 2 ** 20;  // returning more weights than this is skipped, and said
const OPERATIONS = ['attention', 'layer'];

// Every case of the benchmark, in order: {n, d, heads, operation, causal, returnWeights}.
function cases(quick) {
  const all = [];
  for (const [n, d, heads] of quick ? QUICK_SHAPES : SHAPES) {
    for (const operation of OPERATIONS) {
      for (const causal of [false, true]) {
        for (const returnWeights of [false, true]) all.push({ n, d, heads, operation, causal, returnWeights });
      }
    }
  }
  return all;
}

function caseLabel(c) {
  return `${c.operation} n=${c.n} d=${c.d} h=${c.heads}${c.causal ? ' causal' : ''}${c.returnWeights ? ' +weights' : ''}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function repeatsFor(n) {
  if (n >= 1024) return 3;
  if (n >= 512) return 5;
  return 15;
}

function maxDifference(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// Runs every case on every peer (the first peer is the reference for the cross-check), with
// now() a millisecond clock and log(line) for progress. Returns the result rows.
async function runSuite(peerList, { quick = false, now, log = () => {} }) {
  const results = [];
  let inputs = null;
  let inputsFor = '';
  for (const c of cases(quick)) {
    if (inputsFor !== `${c.n}/${c.d}`) {
      inputs = makeInputs(c.n, c.d);
      inputsFor = `${c.n}/${c.d}`;
    }
    const shape = Object.assign({ inputs }, c);
    let reference = null;
    for (const peer of peerList) {
      const row = Object.assign({ peer: peer.name }, c);
      if (c.returnWeights && c.heads * c.n * c.n * 4 > MAX_WEIGHT_BYTES) {
        row.skipped = `the weights alone are ${(c.heads * c.n * c.n * 4 / 2 ** 20).toFixed(0)} MB`;
        results.push(row);
        continue;
      }
      const run = await peer.setup(shape);
      if (!run || run.skipped) {
        row.skipped = run ? run.skipped : 'not supported';
      } else {
        try {
          const output = await run();  // warm-up, and the output for the cross-check
          if (reference === null) reference = output;
          else row.maxDifferenceFromOurs = maxDifference(output, reference);
          // Each sample runs the case often enough to last about 2 ms: a page's clock ticks in
          // 0.1 ms steps without cross-origin isolation, too coarse for the small cases.
          const once = now();
          await run();
          const perSample = Math.max(1, Math.ceil(2 / Math.max(now() - once, 0.01)));
          const times = [];
          for (let r = 0; r < repeatsFor(c.n); r += 1) {
            const start = now();
            for (let i = 0; i < perSample; i += 1) await run();
            times.push((now() - start) / perSample);
          }
          row.medianMs = median(times);
          row.gflops = flops[c.operation](c.n, c.d) / row.medianMs / 1e6;
        } catch (error) {
          row.failed = String(error.message || error).split('\n')[0].slice(0, 200);
        }
      }
      results.push(row);
      log(`${caseLabel(c).padEnd(48)} ${peer.name.padEnd(24)} ${row.skipped ? `skipped: ${row.skipped}`
        : row.failed ? `failed: ${row.failed}` : `${row.medianMs.toFixed(2).padStart(10)} ms ${row.gflops.toFixed(1).padStart(6)} GFLOP/s` +
          (row.maxDifferenceFromOurs !== undefined ? `  (max |diff| from ours ${row.maxDifferenceFromOurs.toExponential(1)})` : '')}`);
    }
  }
  return results;
}

// ---- the products alone: M.matmul on each kernel path -------------------------------------------

// (m, k, n, b transposed): square; a projection of the 1,024-token layer; one head's q k^T and its
// weights v at 1,024 tokens (d_head 64); the training benchmark's products: the workshop model's
// (768 tokens, d_model 64, MLP 256) and the larger one's (1,024 tokens, d_model 128, MLP 512). M.matmul copies its inputs in and its output out and packs b each call, all
// counted: O(n^2) beside the O(n^3) product.
const PRODUCT_SHAPES = [[512, 512, 512, false], [1024, 768, 768, false], [1024, 64, 1024, true],
  [1024, 1024, 64, false], [768, 64, 64, false], [768, 64, 256, false], [768, 256, 64, false],
  [1024, 128, 128, false], [1024, 128, 512, false], [1024, 512, 128, false]];

async function runProducts(paths, { now, log = () => {} }) {
  const results = [];
  for (const [m, k, n, transposeB] of PRODUCT_SHAPES) {
    const a = randomFloats(m * k, 5);
    const b = randomFloats(k * n, 6);
    for (const { name, M } of paths) {
      const run = () => M.matmul(a, b, { m, k, n, transposeB });
      run();
      const once = now();
      run();
      const perSample = Math.max(1, Math.ceil(20 / Math.max(now() - once, 0.01)));
      const times = [];
      for (let r = 0; r < 9; r += 1) {
        const start = now();
        for (let i = 0; i < perSample; i += 1) run();
        times.push((now() - start) / perSample);
      }
      const ms = median(times);
      const row = { m, k, n, transposeB, path: name, simd: M.simd, medianMs: ms, gflops: 2 * m * k * n / ms / 1e6 };
      results.push(row);
      log(`product ${m}x${k}x${n}${transposeB ? ' (b transposed)' : ''} ${name.padEnd(24)} ${ms.toFixed(3).padStart(9)} ms ${row.gflops.toFixed(1).padStart(6)} GFLOP/s`);
    }
  }
  return results;
}

// ---- the long sequence: n = 16,384, d = 512, 8 heads, without weights -----------------------------

const LONG_SEQUENCE = { n: 16384, d: 512, heads: 8 };

// The whole layer at LONG_SEQUENCE on a fresh instance of the module per case, so that the size
// of its wasm memory afterwards (memory only grows) is the case's peak. One timed run each: the
// case lasts tens of seconds. createModule() returns a new instance.
async function runLongSequence(createModule, { now, log = () => {} }) {
  const { n, d, heads } = LONG_SEQUENCE;
  const x = randomFloats(n * d, 4);
  const results = [];
  for (const causal of [false, true]) {
    const M = await createModule();
    const layer = new M.SimpleAttention(d, heads, 1);
    const before = M.memoryStats().heapBytes;
    const start = now();
    const { output } = layer.forward(x, n, { causal, returnWeights: false });
    const ms = now() - start;
    const row = {
      n, d, heads, causal, operation: 'layer', returnWeights: false, ms,
      gflops: flops.layer(n, d) * (causal ? 0.5 : 1) / ms / 1e6,
      heapBytesBefore: before, heapBytesPeak: M.memoryStats().heapBytes,
      outputFinite: output.every(Number.isFinite),
    };
    layer.delete();
    results.push(row);
    log(`long sequence ${n}/${d}/${heads}${causal ? ' causal' : ''}: ${(ms / 1000).toFixed(1)} s, ` +
      `wasm memory ${(row.heapBytesBefore / 2 ** 20).toFixed(0)} MiB at start, ` +
      `${(row.heapBytesPeak / 2 ** 20).toFixed(0)} MiB at peak, output finite: ${row.outputFinite}`);
  }
  return results;
}

module.exports = {
  OURS_SIMD128, runProducts, flops, makeInputs, oursPeer, ortPeer, tfjsPeer, plainJsPeer, onnxModel, cases, runSuite, runLongSequence,
};
