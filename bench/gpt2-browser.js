// The GPT-2 benchmark in headless Chromium (Debian's, driven by playwright-core): the same loops
// as bench/gpt2-node.js, run in bench/gpt2-browser.html served from the repository on 127.0.0.1;
// the page fetches the checkpoint folder's files. onnxruntime-web's graph is built here, in Node
// (onnx-proto), and written beside the checkpoint as gpt2-ort.onnx.
//   node bench/gpt2-browser.js [--quick] [--dir DIR]      (./build.sh bench runs it, BENCH_ONLY=gpt2)
// Then each peer's memory in a fresh browser: the page's renderer process's resident memory
// (/proc/<pid>/status VmRSS and its peak VmHWM; the pid from CDP SystemInfo.getProcessInfo) after
// fetching its files, after load and after one forward pass at the largest n. The page is not
// cross-origin isolated (as the project's page on GitHub Pages is not), so
// performance.measureUserAgentSpecificMemory is not available there.
// Writes build/bench/gpt2-<peer>-chromium.jsonl (the format: bench/gpt2-report.js).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { onnx } = require('onnx-proto');
const { gpt2OnnxModel } = require('./gpt2-onnx');
const { LENGTHS, QUICK_LENGTHS, resultFileName } = require('./gpt2-peers');
const { startServer, launch } = require('../tests/browser/harness');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'bench');
const PROBE = path.join(ROOT, 'build', 'bandwidth', 'bandwidth_probe.js');
const QUICK = process.argv.includes('--quick');
const DIR = path.resolve(process.argv.includes('--dir') ? process.argv[process.argv.indexOf('--dir') + 1] : path.join(OUT, 'gpt2-random'));

function buildOnnxFile() {
  const start = performance.now();
  const files = { 'config.json': fs.readFileSync(path.join(DIR, 'config.json')), 'model.safetensors': fs.readFileSync(path.join(DIR, 'model.safetensors')) };
  // bench/gpt2-browser.html hands model.safetensors to the session as the graph's external data.
  fs.writeFileSync(path.join(DIR, 'gpt2-ort.onnx'), gpt2OnnxModel(onnx, files, { weights: 'external' }));
  return performance.now() - start;
}

// In the page: fetches the files the peers read into {name: Uint8Array}.
async function fetchFiles(page, folderUrl, peerName) {
  return page.evaluate(async ({ folderUrl, peerName }) => {
    const list = window.gpt2BrowserPeers().filter((peer) => peerName === null || peer.name === peerName);
    const names = [...new Set(['config.json'].concat(...list.map((peer) => peer.files)))];
    window.gpt2Files = {};
    for (const name of names) {
      const response = await fetch(`${folderUrl}/${name}`);
      if (!response.ok) throw new Error(`${folderUrl}/${name}: HTTP ${response.status}`);
      window.gpt2Files[name] = new Uint8Array(await response.arrayBuffer());
    }
    window.gpt2VocabSize = JSON.parse(new TextDecoder().decode(window.gpt2Files['config.json'])).vocab_size;
    return names;
  }, { folderUrl, peerName });
}

async function timing(browser, origin, folderUrl) {
  const page = await browser.newPage();
  page.on('console', (message) => console.log(message.text()));
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${origin}/bench/gpt2-browser.html`);
  // The wasm bandwidth probe, measured beside the generation (when bench/bandwidth_probe.sh built it).
  if (fs.existsSync(PROBE)) await page.addScriptTag({ content: fs.readFileSync(PROBE, 'utf8') });
  await fetchFiles(page, folderUrl, null);
  return page.evaluate(async ({ quick }) => {
    const P = window.gpt2Peers;
    const list = window.gpt2BrowserPeers();
    const clock = { now: () => performance.now(), log: (line) => console.log(line) };
    const rows = [];
    for (const peer of list) {
      const row = await P.timeLoad(peer, window.gpt2Files, clock.now);
      console.log(`load ${peer.name}: ${row.ms.toFixed(0)} ms ${JSON.stringify(row)}`);
      rows.push(row);
    }
    delete window.gpt2Files;
    const options = Object.assign({ vocabSize: window.gpt2VocabSize, quick, lengths: quick ? P.QUICK_LENGTHS : P.LENGTHS }, clock);
    rows.push(...await P.timeForward(list, options));
    const bandwidth = window.createBandwidthProbe ? await P.bandwidthProbe(window.createBandwidthProbe) : null;
    rows.push(...await P.timeGenerate(list, Object.assign({ bandwidth }, options)));
    for (const peer of list) if (peer.release) await peer.release();
    return rows;
  }, { quick: QUICK });
}

function processStatus(pid, field) {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((text) => text.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]) * 1024;
}

// The renderer that holds the most memory now: the page's, once it holds the checkpoint.
async function pageRenderer(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  const renderers = processInfo.filter((info) => info.type === 'renderer').map((info) => info.id);
  return renderers.reduce((best, pid) => (processStatus(pid, 'VmRSS') > processStatus(best, 'VmRSS') ? pid : best));
}

async function memory(origin, folderUrl, peerName) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${origin}/bench/gpt2-browser.html`);
    const cdp = await browser.newBrowserCDPSession();
    await fetchFiles(page, folderUrl, peerName);
    const pid = await pageRenderer(cdp);
    const filesRead = processStatus(pid, 'VmRSS');
    const n = (QUICK ? QUICK_LENGTHS : LENGTHS).slice(-1)[0];
    await page.evaluate((name) => {
      window.gpt2Peer = window.gpt2BrowserPeers().find((peer) => peer.name === name);
      return window.gpt2Peer.load(window.gpt2Files);
    }, peerName);
    const loaded = processStatus(pid, 'VmRSS');
    await page.evaluate((count) => window.gpt2Peer.forward(window.gpt2Peers.randomIds(count, window.gpt2VocabSize, count)).then(() => true), n);
    if (await pageRenderer(cdp) !== pid) throw new Error('the renderer holding the most memory changed during the run');
    return { peer: peerName, kind: 'memory', n, measure: 'renderer process RSS (/proc/<pid>/status VmRSS, VmHWM)',
      files_read_bytes: filesRead, loaded_bytes: loaded, after_forward_bytes: processStatus(pid, 'VmRSS'), peak_bytes: processStatus(pid, 'VmHWM') };
  } finally {
    await browser.close();
  }
}

async function main() {
  if (!DIR.startsWith(ROOT + path.sep)) throw new Error(`${DIR} is outside the repository, which the page's server serves`);
  const graphBuildMs = buildOnnxFile();
  console.log(`gpt2-ort.onnx built in Node in ${graphBuildMs.toFixed(0)} ms`);
  const server = await startServer(ROOT);
  const folderUrl = `/${path.relative(ROOT, DIR).split(path.sep).join('/')}`;
  let rows;
  let version;
  try {
    const browser = await launch();
    version = `Chromium ${browser.version()}`;
    try {
      rows = await timing(browser, server.origin, folderUrl);
    } finally {
      await browser.close();
    }
    const names = [...new Set(rows.map((row) => row.peer))];
    for (const name of names) {
      const row = await memory(server.origin, folderUrl, name);
      console.log(`memory ${name}: renderer peak RSS ${(row.peak_bytes / 2 ** 20).toFixed(0)} MiB ` +
        `(${(row.files_read_bytes / 2 ** 20).toFixed(0)} MiB with the files fetched, ${(row.loaded_bytes / 2 ** 20).toFixed(0)} MiB loaded)`);
      rows.push(row);
    }
  } finally {
    await server.close();
  }
  for (const row of rows) {
    // The page got the graph's bytes ready-made: the build's time is the one measured here.
    if (row.kind === 'load' && row.graph_build_ms !== undefined) Object.assign(row, { graph_build_ms: graphBuildMs, graph_built_in: 'Node.js' });
    Object.assign(row, { engine: 'chromium', engine_version: version, cpu: os.cpus()[0].model, quick: QUICK });
  }
  fs.mkdirSync(OUT, { recursive: true });
  for (const name of new Set(rows.map((row) => row.peer))) {
    const file = path.join(OUT, resultFileName(name, 'chromium'));
    fs.writeFileSync(file, rows.filter((row) => row.peer === name).map((row) => JSON.stringify(row)).join('\n') + '\n');
    console.log(`wrote ${path.relative(ROOT, file)}`);
  }
}

main().catch((error) => { console.error(error.stack || error); process.exit(1); });
