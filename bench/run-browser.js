// The benchmark in headless Chromium (Debian's, driven by playwright-core): the same suite as
// run-node.js, run inside a page served from the repository on 127.0.0.1. The ONNX graphs are built
// here, in Node (onnx-proto), and handed to the page. Writes build/bench/chromium.json.
//   node bench/run-browser.js [--quick]      (./build.sh bench runs it)
'use strict';
const fs = require('fs');
const path = require('path');
const { onnx } = require('onnx-proto');
const peers = require('./peers');
const { startServer, launch } = require('../tests/browser/harness');

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.argv.includes('--quick');
const key = (c) => `${c.operation}/${c.n}/${c.d}/${c.heads}/${c.causal}/${c.returnWeights}`;

async function main() {
  const models = {};
  for (const c of peers.cases(QUICK)) models[key(c)] = Array.from(peers.onnxModel(onnx, c));
  const server = await startServer(ROOT);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.log(message.text()));
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${server.origin}/bench/browser.html`);
    const { results, products, longSequence, simd } = await page.evaluate(async ({ modelBytes, quick }) => {
      const keyOf = (c) => `${c.operation}/${c.n}/${c.d}/${c.heads}/${c.causal}/${c.returnWeights}`;
      const M = await window.createAttentionModule();
      const M128 = await window.createAttentionModule({ simd: 'simd128' });
      window.ort.env.wasm.numThreads = 1;
      window.ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
      window.tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
      await window.tf.setBackend('wasm');
      const P = window.benchPeers;
      const list = [P.oursPeer(M), P.oursPeer(M128, P.OURS_SIMD128), P.ortPeer(window.ort, (shape) => new Uint8Array(modelBytes[keyOf(shape)])),
        P.tfjsPeer(window.tf), P.plainJsPeer()];
      const clock = { now: () => performance.now(), log: (line) => console.log(line) };
      const products = await P.runProducts([{ name: M.simd, M }, { name: 'simd128', M: M128 }], clock);
      const results = await P.runSuite(list, Object.assign({ quick }, clock));
      const longSequence = quick ? [] : await P.runLongSequence(window.createAttentionModule, clock);
      return { results, products, longSequence, simd: M.simd };
    }, { modelBytes: models, quick: QUICK });
    const out = path.join(ROOT, 'build', 'bench');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'chromium.json'), JSON.stringify({
      where: `Chromium ${browser.version()}`, date: new Date().toISOString(), simd, results, products,
      longSequence,
    }, null, 1));
    console.log(`wrote ${path.join(out, 'chromium.json')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
