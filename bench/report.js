// Merges the benchmark's runs (build/bench/*.json and *.jsonl) into one table of medians with the
// ratio of each peer's time to ours (above 1: we are faster), writes build/bench/summary.json and
// a plot, build/bench/attention-bench.svg.
//   node bench/report.js
'use strict';
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '..', 'build', 'bench');
const OURS = 'ours (wasm)';

// Rows of every run, each with `where` it ran: 'Node.js', 'Chromium ...', or 'native' for the
// native and PyTorch runs (which the Node.js table shows beside the wasm peers). The training
// benchmark's files (training-*) are bench/training-report.js's.
function load() {
  const rows = [];
  const longSequence = [];
  for (const file of fs.readdirSync(DIR).filter((name) => !name.startsWith('training-'))) {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    if (file.endsWith('.json') && file !== 'summary.json') {
      const report = JSON.parse(text);
      rows.push(...report.results.map((r) => Object.assign({ where: report.where }, r)));
      longSequence.push(...(report.longSequence || []).map((r) => Object.assign({ where: report.where }, r)));
    }
    if (file.endsWith('.jsonl')) {
      rows.push(...text.trim().split('\n').filter(Boolean).map((line) => Object.assign({ where: 'native' }, JSON.parse(line))));
    }
  }
  return { rows, longSequence };
}

const key = (r) => `${r.operation}|${r.n}|${r.d}|${r.heads}|${r.causal}|${r.returnWeights}`;
const environments = (rows) => [...new Set(rows.map((r) => r.where).filter((w) => w !== 'native'))];
// The rows of one environment, with the native runs beside them.
const within = (rows, where) => rows.filter((r) => r.where === where || r.where === 'native');

function table(rows) {
  const cases = new Map();
  for (const r of rows) {
    if (!cases.has(key(r))) cases.set(key(r), { case: r, peers: {} });
    cases.get(key(r)).peers[r.peer] = r;
  }
  const lines = [];
  const summary = [];
  for (const { case: c, peers } of cases.values()) {
    const ours = peers[OURS];
    const label = `${c.operation} n=${c.n} d=${c.d} h=${c.heads}${c.causal ? ' causal' : ''}${c.returnWeights ? ' +weights' : ''}`;
    for (const [name, r] of Object.entries(peers)) {
      const ratio = ours && ours.medianMs && r.medianMs ? r.medianMs / ours.medianMs : null;
      summary.push({ label, peer: name, medianMs: r.medianMs, gflops: r.gflops, skipped: r.skipped || r.failed, peerOverOurs: ratio });
      if (!(r.medianMs > 0) && !r.skipped && !r.failed) continue;  // nothing measured
      lines.push(`${label.padEnd(44)} ${name.padEnd(32)} ${r.skipped || r.failed ? `${r.failed ? 'failed' : 'skipped'}: ${r.skipped || r.failed}` :
        `${r.medianMs.toFixed(2).padStart(10)} ms ${r.gflops.toFixed(1).padStart(6)} GFLOP/s` +
        (ratio && name !== OURS ? `   ${name.startsWith('ours') ? 'wasm/native' : 'peer/ours'} ${ratio >= 1 ? '' : ' '}${(name.startsWith('ours') ? ours.medianMs / r.medianMs : ratio).toFixed(2)}x` : '')}`);
    }
  }
  return { lines, summary };
}

// Time against n for the attention (non-causal, no weights), one line per peer, log-log.
function plot(rows) {
  const selected = rows.filter((r) => r.operation === 'attention' && !r.causal && !r.returnWeights && r.medianMs);
  const peers = [...new Set(selected.map((r) => r.peer))];
  const ns = [...new Set(selected.map((r) => r.n))].sort((a, b) => a - b);
  const width = 640;
  const height = 400;
  const m = { left: 60, right: 200, top: 30, bottom: 40 };
  const times = selected.map((r) => r.medianMs);
  const lo = Math.floor(Math.log10(Math.min(...times)));
  const hi = Math.ceil(Math.log10(Math.max(...times)));
  const x = (n) => m.left + (Math.log2(n) - Math.log2(ns[0])) / (Math.log2(ns[ns.length - 1]) - Math.log2(ns[0])) * (width - m.left - m.right);
  const y = (t) => height - m.bottom - (Math.log10(t) - lo) / (hi - lo) * (height - m.top - m.bottom);
  const colours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${m.left}" y="18">Multi-head attention, single thread: median ms against tokens (log-log)</text>`];
  for (let e = lo; e <= hi; e += 1) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`,
      `<text x="${m.left - 6}" y="${y(10 ** e) + 4}" text-anchor="end">${10 ** e} ms</text>`);
  }
  for (const n of ns) parts.push(`<text x="${x(n)}" y="${height - m.bottom + 16}" text-anchor="middle">${n}</text>`);
  peers.forEach((peer, i) => {
    const points = selected.filter((r) => r.peer === peer).sort((a, b) => a.n - b.n);
    parts.push(`<polyline fill="none" stroke="${colours[i % colours.length]}" stroke-width="2" points="${points.map((r) => `${x(r.n)},${y(r.medianMs)}`).join(' ')}"/>`,
      `<text x="${width - m.right + 10}" y="${m.top + 18 * i + 10}" fill="${colours[i % colours.length]}">${peer.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

// One markdown row per case: ours (wasm) in ms, then each peer in ms with peer/ours in brackets
// (above 1: we are faster), and the native build with wasm/native.
function markdown(rows) {
  const peersOrder = ['ours (wasm)', 'onnxruntime-web (wasm)', 'tfjs-backend-wasm', 'plain JavaScript',
    'ours (native, -march=native)', 'PyTorch CPU (1 thread)'];
  const cases = new Map();
  for (const r of rows) {
    if (!cases.has(key(r))) cases.set(key(r), { c: r, peers: {} });
    cases.get(key(r)).peers[r.peer] = r;
  }
  const out = [`| case | ${peersOrder.join(' | ')} |`, `|${' --- |'.repeat(peersOrder.length + 1)}`];
  for (const { c, peers } of cases.values()) {
    const ours = peers['ours (wasm)'];
    const cells = peersOrder.map((name) => {
      const r = peers[name];
      if (!r) return '-';
      if (r.failed) return 'failed';
      if (r.skipped) return 'skipped';
      if (name === 'ours (wasm)') return r.medianMs.toFixed(2);
      if (!ours || !ours.medianMs) return r.medianMs.toFixed(2);
      const ratio = name.startsWith('ours') ? ours.medianMs / r.medianMs : r.medianMs / ours.medianMs;
      return `${r.medianMs.toFixed(2)} (${ratio.toFixed(2)}x)`;
    });
    out.push(`| ${c.operation} ${c.n}/${c.d}/${c.heads}${c.causal ? ' causal' : ''}${c.returnWeights ? ' +weights' : ''} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

// The long-sequence runs: time and the wasm memory's size at the start and at the peak.
function longSequenceMarkdown(runs) {
  if (runs.length === 0) return '';
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
  const lines = ['### Long sequence: the layer at n = 16,384, d = 512, 8 heads, without weights (tiled path)\n',
    '| where | mask | time (s) | GFLOP/s | wasm memory at start (MiB) | at peak (MiB) | output finite |',
    '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of runs) {
    lines.push(`| ${r.where} | ${r.causal ? 'causal' : 'none'} | ${(r.ms / 1000).toFixed(1)} | ${r.gflops.toFixed(1)} | ` +
      `${mib(r.heapBytesBefore)} | ${mib(r.heapBytesPeak)} | ${r.outputFinite} |`);
  }
  return `${lines.join('\n')}\n`;
}

const { rows, longSequence } = load();
const summary = [];
const sections = [];
for (const where of environments(rows)) {
  const part = table(within(rows, where));
  console.log(`\n${where}\n${part.lines.join('\n')}`);
  summary.push(...part.summary.map((entry) => Object.assign({ where }, entry)));
  sections.push(`### ${where}\n\n${markdown(within(rows, where))}\n`);
}
sections.push(longSequenceMarkdown(longSequence));
fs.writeFileSync(path.join(DIR, 'report.md'), sections.join('\n'));
fs.writeFileSync(path.join(DIR, 'summary.json'), JSON.stringify({ cases: summary, longSequence }, null, 1));
fs.writeFileSync(path.join(DIR, 'attention-bench.svg'), plot(within(rows, 'Node.js')));
console.log(`wrote ${path.join(DIR, 'summary.json')} and attention-bench.svg`);
