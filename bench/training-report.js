// Merges the training benchmark's runs (build/bench/training-*.json and training-*.jsonl) into one
// table per environment: tokens/s, 6 x parameters x tokens/s, the median step and the ratio of our
// wasm module's tokens/s to each peer's (above 1: ours trains faster; for the native build, the
// share of native speed the wasm module reaches), and the loss check. Writes
// build/bench/training-report.md and training-summary.json.
//   node bench/training-report.js      (./build.sh bench runs it)
'use strict';
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '..', 'build', 'bench');
const OURS = 'ours (wasm)';

// Rows of every run, each with `where` it ran: 'Node.js', 'Chromium ...', or 'native' for the
// native and PyTorch runs, which every environment's table shows beside its wasm peers.
function load() {
  const rows = [];
  const environments = [];
  for (const file of fs.readdirSync(DIR).filter((name) => name.startsWith('training-')).sort()) {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    if (file.endsWith('.json') && file !== 'training-summary.json') {
      const report = JSON.parse(text);
      environments.push({ where: report.where, date: report.date, node: report.node, cpu: report.cpu,
        crossCheck: report.crossCheck });
      rows.push(...report.results.map((r) => Object.assign({ where: report.where }, r)));
    }
    if (file.endsWith('.jsonl')) {
      rows.push(...text.trim().split('\n').filter(Boolean).map((line) => Object.assign({ where: 'native' }, JSON.parse(line))));
    }
  }
  // Chromium first, as in docs/performance.md.
  environments.sort((a, b) => Number(b.where.startsWith('Chromium')) - Number(a.where.startsWith('Chromium')));
  return { rows, environments };
}

// Ours (wasm) first, then the JavaScript peers, the native build, PyTorch (a stable sort).
const rank = (r) => (r.peer === OURS ? 0 : r.peer.startsWith('ours (wasm') ? 1 : r.where !== 'native' ? 2 : r.peer.startsWith('ours') ? 3 : 4);
const within = (rows, where) => rows.filter((r) => r.where === where || r.where === 'native')
  .sort((a, b) => rank(a) - rank(b));
const models = (rows) => [...new Set(rows.map((r) => r.model))];

// One row per (model, peer) of an environment, with ours (wasm) / peer in tokens/s.
function entries(rows) {
  const out = [];
  for (const model of models(rows)) {
    const ofModel = rows.filter((r) => r.model === model);
    const ours = ofModel.find((r) => r.peer === OURS && !r.failed);
    for (const r of ofModel) {
      const ratio = ours && !r.failed && r.peer !== OURS ? ours.tokensPerSecond / r.tokensPerSecond : null;
      out.push({ model, peer: r.peer, row: r, oursOverPeer: ratio });
    }
  }
  return out;
}

// The model's name, size and batch, on its first row only.
function shape(r, first) {
  if (!first) return '';
  return `${r.model}: ${r.parameters.toLocaleString('en-US')} parameters, batch ${r.batch} x ${r.seqLen} tokens`;
}

function markdown(list) {
  const lines = ['| model | peer | tokens/s | GFLOP/s (6 P tokens/s) | step (ms) | ours (wasm) / peer, tokens/s |',
    '| --- | --- | --- | --- | --- | --- |'];
  list.forEach(({ peer, row: r, oursOverPeer }, i) => {
    const first = i === 0 || list[i - 1].model !== r.model;
    if (r.failed) {
      lines.push(`| ${first ? r.model : ''} | ${peer} | failed: ${r.failed} | | | |`);
      return;
    }
    lines.push(`| ${shape(r, first)} | ${peer} | ${Math.round(r.tokensPerSecond).toLocaleString('en-US')} | ` +
      `${r.gflops.toFixed(2)} | ${r.medianStepMs.toFixed(1)} | ${oursOverPeer === null ? '-' : `${oursOverPeer.toFixed(2)}x`} |`);
  });
  return lines.join('\n');
}

// Each run's first loss against log(vocab), and its loss after the warm-up steps (on the one
// batch every step trains on), by model and environment.
function lossMarkdown(rows, environments) {
  const lines = ['| model | where | peer | first loss | log V | loss after the warm-up (steps) |',
    '| --- | --- | --- | --- | --- | --- |'];
  const order = environments.map((e) => e.where).concat(['native']);
  for (const model of models(rows)) {
    for (const where of order) {
      for (const r of rows.filter((row) => row.model === model && row.where === where && !row.failed)) {
        lines.push(`| ${model} | ${where === 'native' ? 'native process' : where} | ${r.peer} | ` +
          `${r.initialLoss.toFixed(3)} | ${r.logVocab.toFixed(3)} | ${r.lossAfterWarmup.toFixed(3)} (${r.warmupSteps}) |`);
      }
    }
  }
  return lines.join('\n');
}

// The training step's effective rate (6 P tokens/s) against the products alone at that model's
// shapes, from the attention benchmark's products (node.json, chromium.json: M.matmul on the
// module's default path) when that benchmark ran too: the mean rate of the shapes, weighted as a
// step weighs them (the MLP's products have four times the work of each projection).
const PRODUCT_SHAPES = {
  workshop: [[768, 64, 64, 4], [768, 64, 256, 1], [768, 256, 64, 1]],
  larger: [[1024, 128, 128, 4], [1024, 128, 512, 1], [1024, 512, 128, 1]],
};
function productRates() {
  const rates = {};
  for (const file of ['node.json', 'chromium.json']) {
    if (!fs.existsSync(path.join(DIR, file))) continue;
    const report = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    for (const [model, shapes] of Object.entries(PRODUCT_SHAPES)) {
      let work = 0;
      let time = 0;
      for (const [m, k, n, count] of shapes) {
        const r = (report.products || []).find((p) => p.m === m && p.k === k && p.n === n && p.path !== 'simd128');
        if (!r) { work = 0; break; }
        work += count * 2 * m * k * n;
        time += count * r.medianMs;
      }
      if (work > 0) rates[`${report.where}|${model}`] = work / time / 1e6;
    }
  }
  return rates;
}

function effectiveRateMarkdown(rows, rates) {
  const lines = ['### A step\'s effective rate against the products alone\n',
    '| where | model | ours (wasm): 6 P tokens/s (GFLOP/s) | products alone at its shapes (GFLOP/s) | share |',
    '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const rate = rates[`${r.where}|${r.model}`];
    if (r.peer !== OURS || r.failed || !rate) continue;
    lines.push(`| ${r.where} | ${r.model} | ${r.gflops.toFixed(2)} | ${rate.toFixed(2)} | ${(100 * r.gflops / rate).toFixed(0)}% |`);
  }
  return lines.length > 3 ? `${lines.join('\n')}\n` : '';
}

const { rows, environments } = load();
const sections = [];
const summary = [];
for (const { where } of environments) {
  const list = entries(within(rows, where));
  console.log(`\n${where}`);
  for (const { peer, row: r, oursOverPeer } of list) {
    console.log(`${r.model.padEnd(9)} ${peer.padEnd(30)} ${r.failed ? `failed: ${r.failed}` :
      `${r.tokensPerSecond.toFixed(0).padStart(7)} tokens/s ${r.gflops.toFixed(2).padStart(6)} GFLOP/s` +
      `${oursOverPeer === null ? '' : `   ours (wasm) / peer ${oursOverPeer.toFixed(2)}x`}`}`);
    summary.push({ where, model: r.model, peer, tokensPerSecond: r.tokensPerSecond, gflops: r.gflops,
      medianStepMs: r.medianStepMs, failed: r.failed, oursOverPeer });
  }
  sections.push(`### ${where}\n\n${markdown(list)}\n`);
}
const checks = environments.filter((e) => e.crossCheck).map(({ where, crossCheck: c }) =>
  `Cross-check (${where}): ${c.peer} started from ours's initial parameters and trained beside ours for ` +
  `${c.steps} steps of the ${c.model} model: losses ${c.firstLosses.map((l) => l.toFixed(4)).join(' / ')} -> ` +
  `${c.lastLosses.map((l) => l.toFixed(4)).join(' / ')} (ours / tfjs), largest difference ` +
  `${c.maxLossDifference.toExponential(1)}.`);
sections.push(effectiveRateMarkdown(rows, productRates()));
sections.push(`### Loss check\n\n${lossMarkdown(rows, environments)}\n${checks.map((line) => `\n${line}\n`).join('')}`);
checks.forEach((line) => console.log(line));
fs.writeFileSync(path.join(DIR, 'training-report.md'), sections.join('\n'));
fs.writeFileSync(path.join(DIR, 'training-summary.json'), JSON.stringify({ environments, rows: summary }, null, 1));
console.log(`wrote ${path.join(DIR, 'training-report.md')} and training-summary.json`);
