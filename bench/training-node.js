// The training benchmark in Node.js 20: this module's TinyTransformer.trainStep against the same
// model in TensorFlow.js 4.22 (wasm backend on one thread, and the cpu backend). Writes
// build/bench/training-node.json.
//   node bench/training-node.js [--quick]      (./build.sh bench runs it)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const training = require('./training-peers');

const ROOT = path.resolve(__dirname, '..');

// Node.js 20 validates relaxed SIMD only behind this flag, set before the module compiles.
require('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');

async function main() {
  const quick = process.argv.includes('--quick');
  const createModule = require(path.join(ROOT, 'web', 'generated', 'attention.js'));
  const M = await createModule({ simd: 'relaxed-simd' });
  const M128 = await createModule({ simd: 'simd128' });
  // The full package: tfjs-core alone registers no gradients.
  const tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);  // as in a browser without cross-origin isolation
  const peers = [training.oursPeer(M), training.oursPeer(M128, 'ours (wasm, SIMD128)'),
    training.tfjsPeer(tf, 'wasm'), training.tfjsPeer(tf, 'cpu')];

  const check = await training.crossCheck(M, peers[2]);
  console.log(`cross-check: ${check.peer} from ours's initial parameters, ${check.steps} steps of the ` +
    `${check.model} model: losses ${check.firstLosses.map((l) => l.toFixed(5)).join(' / ')} -> ` +
    `${check.lastLosses.map((l) => l.toFixed(5)).join(' / ')} (ours / tfjs), largest difference ` +
    `${check.maxLossDifference.toExponential(1)}`);
  const clock = { now: () => performance.now(), log: (line) => console.log(line) };
  const results = await training.runTraining(peers, Object.assign({ quick }, clock));
  const out = path.join(ROOT, 'build', 'bench');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'training-node.json');
  fs.writeFileSync(file, JSON.stringify({
    where: 'Node.js', node: process.version, cpu: os.cpus()[0].model, cores: os.cpus().length,
    date: new Date().toISOString(), simd: M.simd, adamw: training.ADAMW, crossCheck: check, results,
  }, null, 1));
  console.log(`wrote ${file}`);
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
