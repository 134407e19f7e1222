// Runs bench/bandwidth_probe.c's builds (bench/bandwidth_probe.sh makes them): natively, in
// Node.js and in a page of headless Chromium on 127.0.0.1. Prints one JSON line per engine:
//   {"peer":"memory read","engine":"native"|"node"|"chromium","kind":"bandwidth","bytes":...,
//    "passes":...,"best_gb_per_s":...,"median_gb_per_s":...,"engine_version":...,"cpu":...}
//   node bench/bandwidth-probe.js BUILD_DIR [--quick]      (1 GiB and 10 passes; quick: 256 MiB, 5)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startServer, launch } = require('../tests/browser/harness');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.resolve(process.argv[2] || path.join(ROOT, 'build', 'bandwidth'));
const ARGS = process.argv.includes('--quick') ? ['256', '5'] : ['1024', '10'];

// The module's main prints one JSON line; resolves with it parsed.
function runModule(createBandwidthProbe, args) {
  return new Promise((resolve, reject) => {
    createBandwidthProbe({ print: (line) => resolve(JSON.parse(line)), printErr: (line) => reject(new Error(line)) })
      .then((probe) => probe.callMain(args));
  });
}

async function main() {
  const row = (engine, engineVersion, result) => console.log(JSON.stringify(Object.assign(
    { peer: 'memory read', engine, kind: 'bandwidth' }, result, { engine_version: engineVersion, cpu: os.cpus()[0].model })));
  row('native', 'cc -O2 (SSE)', JSON.parse(execFileSync(path.join(BUILD, 'bandwidth_probe'), ARGS, { encoding: 'utf8' })));
  row('node', `Node.js ${process.version}`, await runModule(require(path.join(BUILD, 'bandwidth_probe.js')), ARGS));
  const server = await startServer(ROOT);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/bench/gpt2-browser.html`);
    await page.addScriptTag({ content: fs.readFileSync(path.join(BUILD, 'bandwidth_probe.js'), 'utf8') });
    const result = await page.evaluate((args) => new Promise((resolve, reject) => {
      window.createBandwidthProbe({ print: (line) => resolve(JSON.parse(line)), printErr: (line) => reject(new Error(line)) })
        .then((probe) => probe.callMain(args));
    }), ARGS);
    row('chromium', `Chromium ${browser.version()}`, result);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
