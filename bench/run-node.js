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
const QUICK = process.argv.includes('--quick');
const SHAPES = QUICK ? [[16, 64, 4], [128, 256, 4]]
  : [[16, 64, 4], [128, 256, 4], [512, 512, 8], [1024, 768, 12], [4096, 512, 8]];
const MAX_WEIGHT_BYTES = 256 * 2 ** 20;  // returning more weights than this is skipped, and said

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function repeatsFor(n) {
  if (n >= 4096) return 3;
  if (n >= 1024) return 3;
  if (n >= 512) return 5;
  return 15;
}

function maxDifference(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

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
  return [peers.oursPeer(M), peers.ortPeer(ort, onnx), peers.tfjsPeer(tf), peers.plainJsPeer()];
}

async function main() {
  const all = await loadPeers();
  const results = [];
  for (const [n, d, heads] of SHAPES) {
    const inputs = peers.makeInputs(n, d);
    for (const operation of ['attention', 'layer']) {
      for (const causal of [false, true]) {
        for (const returnWeights of [false, true]) {
          const shape = { n, d, heads, causal, returnWeights, operation, inputs };
          const label = `${operation} n=${n} d=${d} h=${heads}${causal ? ' causal' : ''}${returnWeights ? ' +weights' : ''}`;
          let reference = null;
          for (const peer of all) {
            const row = { n, d, heads, operation, causal, returnWeights, peer: peer.name };
            if (returnWeights && heads * n * n * 4 > MAX_WEIGHT_BYTES) {
              row.skipped = `the weights alone are ${(heads * n * n * 4 / 2 ** 20).toFixed(0)} MB`;
              results.push(row);
              continue;
            }
            const run = await peer.setup(shape);
            if (!run || run.skipped) {
              row.skipped = run ? run.skipped : 'not supported';
              results.push(row);
              console.log(`${label.padEnd(48)} ${peer.name.padEnd(24)} skipped: ${row.skipped}`);
              continue;
            }
            let output;
            try {
              output = await run();  // warm-up, and the output for the cross-check
            } catch (error) {
              row.failed = String(error.message || error).split('\n')[0].slice(0, 200);
              results.push(row);
              console.log(`${label.padEnd(48)} ${peer.name.padEnd(24)} failed: ${row.failed}`);
              continue;
            }
            if (reference === null) reference = output;
            else row.maxDifferenceFromOurs = maxDifference(output, reference);
            const times = [];
            for (let r = 0; r < repeatsFor(n); r += 1) {
              const start = performance.now();
              await run();
              times.push(performance.now() - start);
            }
            row.medianMs = median(times);
            row.gflops = peers.flops[operation](n, d) / row.medianMs / 1e6;
            results.push(row);
            console.log(`${label.padEnd(48)} ${peer.name.padEnd(24)} ${row.medianMs.toFixed(2).padStart(10)} ms ` +
              `${row.gflops.toFixed(1).padStart(6)} GFLOP/s` +
              (row.maxDifferenceFromOurs !== undefined ? `  (max |diff| from ours ${row.maxDifferenceFromOurs.toExponential(1)})` : ''));
          }
        }
      }
    }
  }
  const out = path.join(ROOT, 'build', 'bench');
  fs.mkdirSync(out, { recursive: true });
  const report = {
    where: 'Node.js', node: process.version, cpu: os.cpus()[0].model, cores: os.cpus().length,
    date: new Date().toISOString(), results,
  };
  fs.writeFileSync(path.join(out, 'node.json'), JSON.stringify(report, null, 1));
  console.log(`wrote ${path.join(out, 'node.json')}`);
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
