// GPT-2 in the page, timed as a learner meets it: web/index.html opened from disk in each engine
// (Debian's Chromium and Firefox ESR, through the tests' harness), the benchmark's gpt2-shaped
// checkpoint (bench/gpt2_random_checkpoint.py: gpt2's files and shapes, random weights) chosen in
// the file input, and then:
//   open      the files chosen -> the first heatmap of the model drawn (the page's own read time too)
//   keystroke one character typed -> the heatmap of the new text drawn, at 32 and 256 tokens (the
//             page waits 60 ms after a keystroke before it asks; that wait is included)
//   generate  32 greedy tokens after a 16-token text, tokens a second in the page, against the same
//             module's generate() in Node.js on the same files, the two alternating
//   stall     the longest main-thread stall in each phase: the largest gap beyond 10 ms between the
//             ticks of a 10 ms timer (the goal: under 50 ms)
// Each engine opens the model ROUNDS times in fresh pages; medians are reported.
//
//   node bench/page-gpt2.js [--quick] [--engines chromium,firefox] [--dir DIR]
//                                                   (BENCH_ONLY=page-gpt2 ./build.sh bench)
// Writes build/bench/page-gpt2.jsonl and build/bench/page-gpt2.md. Figures, not assertions.
'use strict';
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const { launchBrowser, openPage, FILE_URL } = require('../tests/browser/harness');
const { loadModule } = require('../tests/node/module');

const args = process.argv.slice(2);
const argument = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const QUICK = args.includes('--quick');
const ENGINES = argument('--engines', 'chromium,firefox').split(',');
const ROOT = path.resolve(__dirname, '..');
const DIR = path.resolve(argument('--dir', path.join(ROOT, 'build', 'bench', 'gpt2-random')));
const OUT = path.join(ROOT, 'build', 'bench', 'page-gpt2');
const NAMES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
const ROUNDS = QUICK ? 1 : 3;
const KEYSTROKES = QUICK ? 2 : 5;
const GENERATED = 32;
const SENTENCE = 'The cat sat on the mat because it was tired, and the dog that I saw yesterday was playing in the park. ';

const median = (values) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// A text of exactly `count` GPT-2 tokens (the first count tokens of a repeated sentence, decoded).
function textOf(model, count) {
  const ids = model.encode(SENTENCE.repeat(Math.ceil(count / 10) + 2)).ids.slice(0, count);
  const text = model.decode(ids);
  if (model.encode(text).ids.length !== count) throw new Error(`no text of ${count} tokens`);
  return text;
}

async function installStallMonitor(page) {
  await page.evaluate(() => {
    window.stall = { longest: 0 };
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      window.stall.longest = Math.max(window.stall.longest, now - last - 10);
      last = now;
    }, 10);
  });
}

// The longest stall since the last call, then reset.
const takeStall = (page) => page.evaluate(() => {
  const longest = window.stall.longest;
  window.stall.longest = 0;
  return longest;
});

async function shown(page, text) {
  await page.waitForFunction((expected) => {
    const s = window.attentionSpotlight.snapshot({ values: false });
    return s.model === 'gpt2' && s.pretrained.open && s.settings.text === expected && !s.pending && s.n > 0;
  }, text, { polling: 5, timeout: 120000 });
}

// One character typed at the end of the text, timed in the page to the heatmap of the new text.
function keystroke(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const area = document.querySelector('#text');
    const expected = `${area.value}s`;
    const started = performance.now();
    area.value = expected;
    area.dispatchEvent(new Event('input', { bubbles: true }));
    const poll = () => {
      const s = window.attentionSpotlight.snapshot({ values: false });
      if (s.settings.text === expected && !s.pending && s.n > 0) resolve(performance.now() - started);
      else if (performance.now() - started > 60000) reject(new Error('no heatmap within 60 s'));
      else setTimeout(poll, 1);
    };
    poll();
  }));
}

async function generateInPage(page) {
  await page.evaluate(() => { document.querySelector('#pgen-status').textContent = ''; });
  await page.click('#pgen-start');
  await page.waitForFunction(() => /tokens in/.test(document.querySelector('#pgen-status').textContent), null,
    { polling: 20, timeout: 120000 });
  const g = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }).pretrained.generation);
  return g;
}

async function round(browser, reference, texts, nodeGenerate) {
  const { page, context, problems } = await openPage(browser, FILE_URL);
  try {
    await installStallMonitor(page);
    await takeStall(page);
    const started = performance.now();
    await page.setInputFiles('#model-files', NAMES.map((name) => path.join(DIR, name)));
    await shown(page, await page.evaluate(() => document.querySelector('#text').value));
    const openMs = performance.now() - started;
    const opened = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }).pretrained);
    const result = { openMs, readMs: opened.openMs, heapBytes: opened.memory.heapBytes, stallOpenMs: await takeStall(page) };
    // The detectors measure the heads in the worker after the open; the keystrokes wait for them
    // to end, so that they time the view alone.
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).pretrained.labelsMeasured,
      null, { polling: 50, timeout: 300000 });
    await takeStall(page);
    for (const [count, text] of Object.entries(texts)) {
      await page.fill('#text', text);
      await shown(page, text);
      const times = [];
      for (let k = 0; k < KEYSTROKES; k += 1) times.push(await keystroke(page));
      result[`keystroke${count}Ms`] = median(times);
      result[`stallKeystroke${count}Ms`] = await takeStall(page);
    }
    // Generation after 16 tokens, greedy, alternating with Node.js's.
    await page.fill('#text', texts.prompt16);
    await shown(page, texts.prompt16);
    await page.fill('#pgen-count', String(GENERATED));
    await page.fill('#pgen-temperature', '0');
    const pageRates = [];
    const nodeRates = [];
    for (let k = 0; k < (QUICK ? 1 : 3); k += 1) {
      const g = await generateInPage(page);
      const ms = await page.evaluate(() => Number(/in ([\d.]+) s/.exec(document.querySelector('#pgen-status').textContent)[1]) * 1000);
      pageRates.push(g.ids.length / (ms / 1000));
      nodeRates.push(nodeGenerate());
    }
    result.generatePerSecond = median(pageRates);
    result.nodeGeneratePerSecond = median(nodeRates);
    result.stallGenerateMs = await takeStall(page);
    result.problems = problems.slice();
    return result;
  } finally {
    await context.close();
  }
}

function table(results) {
  const lines = ['| | ' + results.map((r) => `${r.engine} ${r.version}`).join(' | ') + ' |',
    '| --- |' + results.map(() => ' --- |').join('')];
  const row = (label, key, format) => lines.push(`| ${label} | ${results.map((r) => format(r[key])).join(' | ')} |`);
  const ms = (v) => `${Math.round(v).toLocaleString('en')} ms`;
  row('open: files chosen to first heatmap', 'openMs', ms);
  row('of which the worker reads the files', 'readMs', ms);
  row('keystroke to heatmap, 32 tokens', 'keystroke32Ms', ms);
  row('keystroke to heatmap, 256 tokens', 'keystroke256Ms', ms);
  row('generation in the page, tokens/s', 'generatePerSecond', (v) => v.toFixed(1));
  row('the module in Node.js, tokens/s', 'nodeGeneratePerSecond', (v) => v.toFixed(1));
  row('page / Node.js', 'ratio', (v) => v.toFixed(2));
  row('longest stall: opening', 'stallOpenMs', ms);
  row('longest stall: keystrokes at 32', 'stallKeystroke32Ms', ms);
  row('longest stall: keystrokes at 256', 'stallKeystroke256Ms', ms);
  row('longest stall: generating', 'stallGenerateMs', ms);
  row('the worker\'s wasm memory', 'heapBytes', (v) => `${Math.round(v / 1048576).toLocaleString('en')} MiB`);
  return lines.join('\n');
}

(async () => {
  for (const name of NAMES) {
    if (!fs.existsSync(path.join(DIR, name))) throw new Error(`${DIR}/${name} is missing: run /usr/bin/python3 bench/gpt2_random_checkpoint.py`);
  }
  const M = await loadModule();
  const files = {};
  for (const name of NAMES) files[name] = new Uint8Array(fs.readFileSync(path.join(DIR, name)));
  const reference = M.loadPretrained(files);
  const texts = { 32: textOf(reference, 32), 256: textOf(reference, 256), prompt16: textOf(reference, 16) };
  const prompt = reference.encode(texts.prompt16).ids;
  const nodeGenerate = () => {
    const started = performance.now();
    const out = reference.generate(prompt, GENERATED, { temperature: 0 });
    return out.ids.length / ((performance.now() - started) / 1000);
  };
  const results = [];
  for (const engine of ENGINES) {
    const browser = await launchBrowser(engine);
    try {
      const version = await browser.version();
      const rounds = [];
      for (let r = 0; r < ROUNDS; r += 1) {
        const one = await round(browser, reference, texts, nodeGenerate);
        console.log(JSON.stringify(Object.assign({ engine, round: r }, one)));
        rounds.push(one);
      }
      const summary = { engine, version, date: new Date().toISOString(), rounds: rounds.length };
      for (const key of Object.keys(rounds[0])) {
        if (typeof rounds[0][key] === 'number') {
          summary[key] = key.startsWith('stall') ? Math.max(...rounds.map((r) => r[key])) : median(rounds.map((r) => r[key]));
        }
      }
      summary.ratio = summary.generatePerSecond / summary.nodeGeneratePerSecond;
      summary.problems = [].concat(...rounds.map((r) => r.problems));
      results.push(summary);
    } finally {
      await browser.close();
    }
  }
  reference.delete();
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(`${OUT}.jsonl`, `${results.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const report = `# GPT-2 in the page (${new Date().toISOString().slice(0, 10)})\n\n` +
    `Checkpoint: ${DIR} (gpt2's shapes, random weights). Medians of ${ROUNDS} opens; stalls are the largest of any round.\n\n${table(results)}\n`;
  fs.writeFileSync(`${OUT}.md`, report);
  console.log(report);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
