// Median time of SimpleAttention.forward in Node.js for a few shapes, for one build of the module.
//   node bench/forward_timing.js path/to/attention.js [repeats]
// Prints one JSON line: {module, results: [{n, dModel, heads, causal, returnWeights, medianMs}]}.
'use strict';
const path = require('path');
const { performance } = require('perf_hooks');

const SHAPES = [
  { n: 16, dModel: 64, heads: 4 },
  { n: 128, dModel: 256, heads: 4 },
  { n: 512, dModel: 512, heads: 8 },
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const modulePath = path.resolve(process.argv[2] || 'web/generated/attention.js');
  const repeats = Number(process.argv[3] || 15);
  const M = await require(modulePath)();
  const results = [];
  for (const { n, dModel, heads } of SHAPES) {
    const attention = new M.SimpleAttention(dModel, heads, 1);
    const tokens = Array.from({ length: n }, (_, i) => `token${i}`);
    const x = M.embedTokens(tokens, dModel, 1);
    for (const causal of [false, true]) {
      for (const returnWeights of [true, false]) {
        const times = [];
        attention.forward(x, n, { causal, returnWeights });  // warm-up
        for (let r = 0; r < repeats; r += 1) {
          const start = performance.now();
          attention.forward(x, n, { causal, returnWeights });
          times.push(performance.now() - start);
        }
        results.push({ n, dModel, heads, causal, returnWeights, medianMs: +median(times).toFixed(3) });
      }
    }
    attention.delete();
  }
  console.log(JSON.stringify({ module: modulePath, results }));
}

main().catch((error) => { console.error(error); process.exit(1); });
