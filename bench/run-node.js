// The benchmark in Node.js 20: this module against onnxruntime-web, tfjs-backend-wasm and plain
// JavaScript, all single-threaded, on the same inputs. Writes build/bench/node.json.
//   node bench/run-node.js [--quick]      (./build.sh bench runs it)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const peers = require('./peers');

const ROOT = path.resolve(__dirname, '..');

async function loadPeers() {
  const M = await require(path.join(ROOT, 'web', 'generated', 'attention.js'))();
  const ort = require('onnxruntime-web');
  ort.env.wasm.numThreads = 1;  // as in a browser without cross-origin isolation
  ort.env.wasm.simd = true;
  const { onnx } = require('onnx-proto');
  const tf = require('@tensorflow/tfjs-core');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  return [peers.oursPeer(M), peers.ortPeer(ort, (shape) => peers.onnxModel(onnx, shape)), peers.tfjsPeer(tf),
    peers.plainJsPeer()];
}

async function main() {
  const quick = process.argv.includes('--quick');
  const clock = { now: () => performance.now(), log: (line) => console.log(line) };
  const results = await peers.runSuite(await loadPeers(), Object.assign({ quick }, clock));
  const createModule = require(path.join(ROOT, 'web', 'generated', 'attention.js'));
  const longSequence = quick ? [] : await peers.runLongSequence(createModule, clock);
  const out = path.join(ROOT, 'build', 'bench');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'node.json'), JSON.stringify({
    where: 'Node.js', node: process.version, cpu: os.cpus()[0].model, cores: os.cpus().length,
    date: new Date().toISOString(), results, longSequence,
  }, null, 1));
  console.log(`wrote ${path.join(out, 'node.json')}`);
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
