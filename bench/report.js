// Merges the benchmark's runs (build/bench/*.json and *.jsonl) into one table of medians with the
// ratio of each peer's time to ours (above 1: we are faster), writes build/bench/summary.json and
// a plot, build/bench/attention-bench.svg.
//   node bench/report.js
'use strict';
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '..', 'build', 'bench');
const OURS = 'ours (wasm)';
const OURS_SIMD128 = 'ours (wasm, SIMD128)';
const NATIVE = 'ours (native, -march=native)';
const ORT = 'onnxruntime-web (wasm)';

// Rows of every run, each with `where` it ran: 'Node.js', 'Chromium ...', or 'native' for the
// native and PyTorch runs (which the Node.js table shows beside the wasm peers). The training
// benchmark's files (training-*) are bench/training-report.js's.
function load() {
  const rows = [];
  const longSequence = [];
  const products = [];
  let cpu = null;
  for (const file of fs.readdirSync(DIR).filter((name) => !name.startsWith('training-') && !name.startsWith('page-'))) {
    if (file === 'cpu-peak.json') {
      cpu = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
      continue;
    }
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    if (file.endsWith('.json') && file !== 'summary.json') {
      const report = JSON.parse(text);
      rows.push(...report.results.map((r) => Object.assign({ where: report.where }, r)));
      longSequence.push(...(report.longSequence || []).map((r) => Object.assign({ where: report.where }, r)));
      products.push(...(report.products || []).map((r) => Object.assign({ where: report.where }, r)));
    }
    if (file.endsWith('.jsonl')) {
      rows.push(...text.trim().split('\n').filter(Boolean).map((line) => Object.assign({ where: 'native' }, JSON.parse(line))));
    }
  }
  return { rows, longSequence, products, cpu };
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
        (ratio && name !== OURS ? `   ${name === NATIVE ? 'wasm/native' : 'peer/ours'} ${ratio >= 1 ? '' : ' '}${(name === NATIVE ? ours.medianMs / r.medianMs : ratio).toFixed(2)}x` : '')}`);
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
  const peersOrder = [OURS, OURS_SIMD128, ORT, 'tfjs-backend-wasm', 'plain JavaScript', NATIVE,
    'PyTorch CPU (1 thread)'];
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
      const ratio = name === NATIVE ? ours.medianMs / r.medianMs : r.medianMs / ours.medianMs;
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

// The products alone (M.matmul) on each path, against the machine's 128-bit limits (cpu-peak.json:
// the clock measured by a chain of dependent adds, and 16 flops a cycle: two 4-wide FMAs).
function productsMarkdown(products, cpu) {
  if (products.length === 0) return '';
  const peak = cpu ? cpu.theoreticalPeakGflops : null;
  const lines = ['### The products alone (`M.matmul`, copies and packing included)\n'];
  if (cpu) {
    lines.push(`Clock ${cpu.clockGhz.toFixed(2)}-${cpu.clockGhzAfter.toFixed(2)} GHz (a chain of dependent adds); 128-bit peak ` +
      `16 flops a cycle = ${peak.toFixed(1)} GFLOP/s; measured natively: ${cpu.fmaPeakGflops.toFixed(1)} GFLOP/s with ` +
      `4-wide FMAs, ${cpu.mulAddPeakGflops.toFixed(1)} with a multiply and an add (\`bench/cpu_peak.cpp\`).\n`);
  }
  lines.push('| where | m x k x n | relaxed SIMD (GFLOP/s) | SIMD128 (GFLOP/s) | relaxed / SIMD128 | relaxed, share of the peak |',
    '| --- | --- | --- | --- | --- | --- |');
  const cases = new Map();
  for (const r of products) {
    const k = `${r.where}|${r.m}x${r.k}x${r.n}${r.transposeB ? ' (b^T)' : ''}`;
    if (!cases.has(k)) cases.set(k, {});
    cases.get(k)[r.path === 'simd128' ? 'simd128' : 'relaxed'] = r;
  }
  for (const [k, { relaxed, simd128 }] of cases) {
    const [where, shape] = k.split('|');
    lines.push(`| ${where} | ${shape} | ${relaxed ? relaxed.gflops.toFixed(1) : '-'} | ${simd128 ? simd128.gflops.toFixed(1) : '-'} | ` +
      `${relaxed && simd128 ? (relaxed.gflops / simd128.gflops).toFixed(2) + 'x' : '-'} | ${relaxed && peak ? (100 * relaxed.gflops / peak).toFixed(0) + '%' : '-'} |`);
  }
  return `${lines.join('\n')}\n`;
}

// The issue's goals, from 128 tokens: the smallest ratio of onnxruntime-web's time to ours over
// each group of cases, and the smallest SIMD128 / relaxed ratio (below 1: the fused path lost).
function goalsMarkdown(rows) {
  const lines = ['### Against the goals (cases from 128 tokens; the smallest ratio of each group, and where)\n',
    '| where | group | goal | smallest ratio | at |', '| --- | --- | --- | --- | --- |'];
  const groups = [
    ['layer, causal and not', (c) => c.operation === 'layer', ORT, 1.5],
    ['attention, non-causal', (c) => c.operation === 'attention' && !c.causal, ORT, 1.5],
    ['attention, causal', (c) => c.operation === 'attention' && c.causal, ORT, 2.5],
    ['every case: SIMD128 path / relaxed path', () => true, OURS_SIMD128, null],
    ['every case: wasm / native', () => true, NATIVE, 2],
  ];
  for (const where of environments(rows)) {
    const here = within(rows, where);
    const ours = new Map(here.filter((r) => r.peer === OURS && r.medianMs).map((r) => [key(r), r]));
    for (const [label, select, peer, goal] of groups) {
      let worst = null;
      for (const r of here) {
        if (r.peer !== peer || !(r.medianMs > 0) || r.n < 128 || !select(r) || !ours.has(key(r))) continue;
        const ratio = peer === NATIVE ? ours.get(key(r)).medianMs / r.medianMs : r.medianMs / ours.get(key(r)).medianMs;
        if (!worst || (peer === NATIVE ? ratio > worst.ratio : ratio < worst.ratio)) worst = { ratio, r };
      }
      if (!worst) continue;
      const c = worst.r;
      const goalText = goal === null ? 'above 1' : peer === NATIVE ? `at most ${goal}x` : `at least ${goal}x`;
      lines.push(`| ${where} | ${label} | ${goalText} | ${worst.ratio.toFixed(2)}x | ${c.operation} ${c.n}/${c.d}/${c.heads}${c.causal ? ' causal' : ''}${c.returnWeights ? ' +weights' : ''} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const { rows, longSequence, products, cpu } = load();
const summary = [];
const sections = [];
for (const where of environments(rows)) {
  const part = table(within(rows, where));
  console.log(`\n${where}\n${part.lines.join('\n')}`);
  summary.push(...part.summary.map((entry) => Object.assign({ where }, entry)));
  sections.push(`### ${where}\n\n${markdown(within(rows, where))}\n`);
}
sections.push(goalsMarkdown(rows));
sections.push(productsMarkdown(products, cpu));
sections.push(longSequenceMarkdown(longSequence));
fs.writeFileSync(path.join(DIR, 'report.md'), sections.join('\n'));
fs.writeFileSync(path.join(DIR, 'summary.json'), JSON.stringify({ cases: summary, products, cpu, longSequence }, null, 1));
fs.writeFileSync(path.join(DIR, 'attention-bench.svg'), plot(within(rows, 'Node.js')));
console.log(`wrote ${path.join(DIR, 'summary.json')} and attention-bench.svg`);
