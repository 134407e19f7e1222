// The GPT-2 benchmark's peers and its timing loops, for Node.js (bench/gpt2-node.js) and for a page
// in headless Chromium (bench/gpt2-browser.js, bench/gpt2-browser.html): plain CommonJS with no
// Node-only module, as bench/peers.js.
//
// A peer is one object:
//   name                     the report's column ('onnxruntime-web', 'ours', ...)
//   files                    the names of the checkpoint folder's files that load() reads
//   load(files) -> details?  files {name: Uint8Array}; returns nothing or an object of extra
//                            timings in ms (onnxruntime-web: {graph_build_ms, session_ms})
//   forward(ids) -> {logits} ids an Int32Array of n token ids; logits a Float32Array (n, vocab)
//   generate(ids, count) -> Int32Array of count new tokens, greedy (argmax, ties to the lowest
//                            id), with a key-value cache; optional
//   release()                optional: frees what load() made
// Every function may return a promise. The timing loops take a list of peers and alternate them
// call by call (timing on these shared machines drifts by 1.5x within minutes: only peers timed
// in turn within one process compare).
'use strict';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// The id of the largest value in row `row` of an (rows, width) array, ties to the lowest id.
function argmaxLowest(values, row, width) {
  let best = 0;
  for (let j = 1; j < width; j += 1) {
    if (values[row * width + j] > values[row * width + best]) best = j;
  }
  return best;
}

// n token ids below vocabSize from a fixed seed (a linear congruential generator).
function randomIds(n, vocabSize, seed) {
  let state = seed >>> 0;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    ids[i] = Math.floor((state / 2 ** 32) * vocabSize);
  }
  return ids;
}

// max |a - b| / max |b|: the cross-check's measure, relative to the largest logit of the reference.
function relativeDifference(a, b) {
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < b.length; i += 1) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    largest = Math.max(largest, Math.abs(b[i]));
  }
  return worst / Math.max(largest, 1e-30);
}

// ---- onnxruntime-web ------------------------------------------------------------------------------

// buildModel(files) -> {model, externalData}: the ONNX bytes (bench/gpt2-onnx.js's graph) and
// onnxruntime-web's externalData list for a graph whose weights stay in model.safetensors (else
// []); gpt2OnnxModel in Node, or the bytes Node built and served (files['gpt2-ort.onnx']) in the
// browser. fileNames: the files it reads.
// The graph's inputs besides input_ids are the key-value cache, past_* (fed empty, with the
// symbolic n_past as 0, for a forward pass), and each output present_* is the next step's past_*.
function ortGpt2Peer(ort, buildModel, { name = 'onnxruntime-web', fileNames, sessionOptions = {} }) {
  let session = null;
  let emptyCache = null;
  const idsTensor = (ids) => new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [1, ids.length]);
  return {
    name,
    files: fileNames,
    async load(files) {
      const start = performance.now();
      const { model, externalData } = await buildModel(files);
      const built = performance.now();
      session = await ort.InferenceSession.create(model, Object.assign({ executionProviders: ['wasm'], externalData }, sessionOptions));
      const sessionMs = performance.now() - built;
      emptyCache = {};
      for (const input of session.inputMetadata) {
        if (input.name === 'input_ids') continue;
        const dims = input.shape.map((d) => (typeof d === 'number' ? d : 0));
        emptyCache[input.name] = new ort.Tensor('float32', new Float32Array(0), dims);
      }
      return { graph_build_ms: built - start, session_ms: sessionMs };
    },
    async forward(ids) {
      const feeds = Object.assign({ input_ids: idsTensor(ids) }, emptyCache);
      const { logits } = await session.run(feeds, ['logits']);
      return { logits: logits.data };
    },
    async generate(ids, count) {
      const tokens = new Int32Array(count);
      let feeds = Object.assign({ input_ids: idsTensor(ids) }, emptyCache);
      for (let step = 0; step < count; step += 1) {
        const outputs = await session.run(feeds);
        const { data, dims } = outputs.logits;  // (1, n, vocab): only the last row is used
        tokens[step] = argmaxLowest(data, dims[1] - 1, dims[2]);
        feeds = { input_ids: idsTensor([tokens[step]]) };
        for (const cacheName of Object.keys(emptyCache)) feeds[cacheName] = outputs[cacheName.replace('past', 'present')];
      }
      return tokens;
    },
    async release() {
      await session.release();
      session = null;
    },
  };
}

// This project's module (src/wasm/pretrained_api.js): `createModule()` resolves to it (the module
// is made at the first load, so a page or a process that times another peer alone never starts it).
function oursGpt2Peer(createModule, { name = 'ours' } = {}) {
  let M = null;
  let model = null;
  return {
    name,
    files: ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'],
    async load(files) {
      if (!M) M = await createModule();
      const start = performance.now();
      model = M.loadPretrained(files);
      return { load_ms: performance.now() - start };
    },
    async forward(ids) {
      return { logits: model.forward(ids).logits.data };
    },
    async generate(ids, count) {
      return model.generate(ids, count, { temperature: 0 }).ids;
    },
    async release() {
      model.delete();
      model = null;
    },
  };
}

// ---- the timing loops -------------------------------------------------------------------------------

// The benchmark's sequence lengths and the timed runs at each (after one warm-up call per peer).
const LENGTHS = [16, 64, 256, 1024];
const QUICK_LENGTHS = [16, 64];
function runsFor(n, quick) {
  if (quick) return 3;
  return n >= 1024 ? 3 : n >= 256 ? 5 : 9;
}

// forward(ids) of every peer at each length, the peers alternating call by call (and which goes
// first alternating run by run). The first peer's logits are the cross-check's reference.
// Returns JSON rows {peer, kind: 'forward', n, median_ms, min_ms, runs, times_ms,
// difference_from_first}; `engine` is the caller's to add.
async function timeForward(peers, { vocabSize, lengths = LENGTHS, quick = false, now, log = () => {} }) {
  const rows = [];
  for (const n of lengths) {
    const ids = randomIds(n, vocabSize, n);
    let reference = null;
    const difference = [];
    for (const peer of peers) {  // warm-up, and the cross-check
      const { logits } = await peer.forward(ids);
      if (logits.length !== n * vocabSize) throw new Error(`${peer.name}: ${logits.length} logits for n = ${n}, expected ${n * vocabSize}`);
      if (reference === null) reference = logits;
      difference.push(reference === logits ? 0 : relativeDifference(logits, reference));
    }
    reference = null;
    const times = peers.map(() => []);
    for (let run = 0; run < runsFor(n, quick); run += 1) {
      const order = peers.map((_, i) => i);
      if (run % 2 === 1) order.reverse();
      for (const i of order) {
        const start = now();
        await peers[i].forward(ids);
        times[i].push(now() - start);
      }
    }
    peers.forEach((peer, i) => {
      const row = { peer: peer.name, kind: 'forward', n, median_ms: median(times[i]), min_ms: Math.min(...times[i]),
        runs: times[i].length, times_ms: times[i].map((t) => Math.round(t * 10) / 10), difference_from_first: difference[i] };
      rows.push(row);
      log(`forward n=${String(n).padStart(4)}  ${peer.name.padEnd(28)} ${row.median_ms.toFixed(1).padStart(9)} ms` +
        (i > 0 ? `  (logits within ${difference[i].toExponential(1)} of ${peers[0].name}'s, relative to the largest)` : ''));
    });
  }
  return rows;
}

// Greedy generation after a prompt: each run times generate(prompt, count) and generate(prompt, 1),
// peers alternating (and which goes first alternating run by run). tokens_per_s = count / the
// first (the prompt's pass included); decode_tokens_per_s = (count - 1) / (the first - the
// second): the steps that read one new token each, the bandwidth-bound part. Peers without
// generate are left out. bandwidth(), if given (bandwidthProbe below), runs once a run, so that
// the bound is measured beside the generation on a machine whose load changes by the minute:
// the rows get its median over the runs, bandwidth_gb_per_s.
async function timeGenerate(peers, { vocabSize, promptLength = 16, count = 32, quick = false, now, log = () => {}, bandwidth = null }) {
  const generating = peers.filter((peer) => typeof peer.generate === 'function');
  const prompt = randomIds(promptLength, vocabSize, 7);
  const first = [];
  for (const peer of generating) first.push(Array.from(await peer.generate(prompt, count)));  // warm-up
  const full = generating.map(() => []);
  const single = generating.map(() => []);
  const rates = [];
  for (let run = 0; run < (quick ? 2 : 5); run += 1) {
    if (bandwidth) rates.push(bandwidth().best_gb_per_s);
    const order = generating.map((_, i) => i);
    if (run % 2 === 1) order.reverse();
    for (const i of order) {
      let start = now();
      await generating[i].generate(prompt, count);
      full[i].push(now() - start);
      start = now();
      await generating[i].generate(prompt, 1);
      single[i].push(now() - start);
    }
  }
  return generating.map((peer, i) => {
    const total = median(full[i]);
    const prefill = median(single[i]);
    const row = { peer: peer.name, kind: 'generate', prompt: promptLength, new_tokens: count, median_ms: total,
      first_token_ms: prefill, runs: full[i].length, tokens_per_s: count / (total / 1000),
      decode_tokens_per_s: (count - 1) / ((total - prefill) / 1000),
      same_tokens_as_first: first[i].every((token, j) => token === first[0][j]) };
    if (rates.length) row.bandwidth_gb_per_s = median(rates);
    log(`generate ${count} after ${promptLength}  ${peer.name.padEnd(28)} ${total.toFixed(0).padStart(7)} ms, ` +
      `${row.tokens_per_s.toFixed(1)} tokens/s, ${row.decode_tokens_per_s.toFixed(1)} tokens/s decoding alone` +
      (rates.length ? ` (read bandwidth meanwhile ${row.bandwidth_gb_per_s.toFixed(1)} GB/s)` : '') +
      (i > 0 ? `, tokens ${row.same_tokens_as_first ? 'the same as' : 'NOT the same as'} ${generating[0].name}'s` : ''));
    return row;
  });
}

// bench/bandwidth_probe.c's wasm build (createBandwidthProbe, from bench/bandwidth_probe.sh) as a
// function that measures once: {bytes, passes, best_gb_per_s, median_gb_per_s}. Each call
// allocates and fills its array anew (256 MiB, 3 passes by default: about a second).
async function bandwidthProbe(createBandwidthProbe, args = ['256', '3']) {
  let line = null;
  const probe = await createBandwidthProbe({ print: (text) => { line = text; } });
  return () => {
    probe.callMain(args);
    return JSON.parse(line);
  };
}

// load(files) of one peer, timed: {peer, kind: 'load', ms, ...the peer's own details}.
async function timeLoad(peer, files, now) {
  const start = now();
  const details = await peer.load(files);
  return Object.assign({ peer: peer.name, kind: 'load', ms: now() - start }, details || {});
}

// Where a runner writes a peer's rows: build/bench/gpt2-<peer>-<engine>.jsonl, the peer's name in
// lower case with runs of other characters as '-' ('PyTorch (1 thread)' -> 'pytorch-1-thread').
function resultFileName(peerName, engine) {
  const slug = peerName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `gpt2-${slug}-${engine}.jsonl`;
}

module.exports = { LENGTHS, QUICK_LENGTHS, ortGpt2Peer, oursGpt2Peer, timeForward, timeGenerate, timeLoad, bandwidthProbe, resultFileName, randomIds,
  argmaxLowest, relativeDifference, median };
