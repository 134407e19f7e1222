// The training benchmark in headless Chromium (Debian's, driven by playwright-core): the same
// peers as training-node.js, in a page served from the repository on 127.0.0.1, where the wasm
// backend of TensorFlow.js runs on one thread (no cross-origin isolation, so no SharedArrayBuffer).
// Writes build/bench/training-chromium.json.
//   node bench/training-browser.js [--quick]      (./build.sh bench runs it)
'use strict';
const fs = require('fs');
const path = require('path');
const { startServer, launch } = require('../tests/browser/harness');

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.argv.includes('--quick');

async function main() {
  const server = await startServer(ROOT);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.log(message.text()));
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${server.origin}/bench/training.html`);
    const results = await page.evaluate(async ({ quick }) => {
      const M = await window.createAttentionModule();
      const M128 = await window.createAttentionModule({ simd: 'simd128' });
      window.tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
      window.tf.wasm.setThreadsCount(1);
      const P = window.trainingPeers;
      const list = [P.oursPeer(M), P.oursPeer(M128, 'ours (wasm, SIMD128)'), P.tfjsPeer(window.tf, 'wasm'), P.tfjsPeer(window.tf, 'cpu')];
      const clock = { now: () => performance.now(), log: (line) => console.log(line) };
      return P.runTraining(list, Object.assign({ quick }, clock));
    }, { quick: QUICK });
    const out = path.join(ROOT, 'build', 'bench');
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, 'training-chromium.json');
    fs.writeFileSync(file, JSON.stringify({
      where: `Chromium ${browser.version()}`, date: new Date().toISOString(), results,
    }, null, 1));
    console.log(`wrote ${file}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
