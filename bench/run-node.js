// The benchmark in Node.js 20: this module against onnxruntime-web, tfjs-backend-wasm and plain
// JavaScript, all single-threaded, on the same inputs. Writes build/bench/node.json.
//   node bench/run-node.js [--quick]      (./build.sh bench runs it)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const peers = require('./peers');

// Node.js 20 validates relaxed SIMD only behind this flag (set before the module compiles), so that
// the module runs the path Chromium and Firefox run; the SIMD128 path is measured beside it.
require('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');

const ROOT = path.resolve(__dirname, '..');

async function loadPeers(M, M128) {
  const ort = require('onnxruntime-web');
  ort.env.wasm.numThreads = 1;  // as in a browser without cross-origin isolation
  ort.env.wasm.simd = true;
  const { onnx } = require('onnx-proto');
  const tf = require('@tensorflow/tfjs-core');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  return [peers.oursPeer(M), peers.oursPeer(M128, peers.OURS_SIMD128), peers.ortPeer(ort, (shape) => peers.onnxModel(onnx, shape)), peers.tfjsPeer(tf),
    peers.plainJsPeer()];
}

async function main() {
  const quick = process.argv.includes('--quick');
  const clock = { now: () => performance.now(), log: (line) => console.log(line) };
  const createModule = require(path.join(ROOT, 'web', 'generated', 'attention.js'));
  const M = await createModule({ simd: 'relaxed-simd' });
  const M128 = await createModule({ simd: 'simd128' });
  const products = await peers.runProducts([{ name: 'relaxed-simd', M }, { name: 'simd128', M: M128 }], clock);
  const results = await peers.runSuite(await loadPeers(M, M128), Object.assign({ quick }, clock));
  const longSequence = quick ? [] : await peers.runLongSequence(createModule, clock);
  const out = path.join(ROOT, 'build', 'bench');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'node.json'), JSON.stringify({
    where: 'Node.js', node: process.version, cpu: os.cpus()[0].model, cores: os.cpus().length,
    date: new Date().toISOString(), simd: M.simd, results, products, longSequence,
  }, null, 1));
  console.log(`wrote ${path.join(out, 'node.json')}`);
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
