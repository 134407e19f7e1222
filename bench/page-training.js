// The page's own training, timed as a learner meets it: opens web/index.html from disk in each
// engine (Debian's Chromium and Firefox ESR, through the tests' harness), starts "Train it
// yourself" with the task's default settings, and reports when the heads formed - for the
// workshop corpus the first snapshot at which every relation has a head at 95% or more on 200
// held-out sentences, and the final measurement on 600 held-out and 600 novel ones; for induction
// the first snapshot with a head scoring 0.5 - and the longest main-thread stall while it ran.
//
//   node bench/page-training.js [--quick] [--engines chromium,firefox]   (BENCH_ONLY=page ./build.sh bench)
// Writes build/bench/page-training.jsonl. Figures, not assertions: the machine is shared.
'use strict';
const fs = require('fs');
const path = require('path');
const { launchBrowser, openPage, FILE_URL } = require('../tests/browser/harness');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const enginesArg = args.indexOf('--engines');
const engines = enginesArg >= 0 ? args[enginesArg + 1].split(',') : ['chromium', 'firefox'];
const OUT = path.resolve(__dirname, '..', 'build', 'bench', 'page-training.jsonl');

const RUNS = [
  { task: 'workshop', fragment: 'task=workshop', steps: quick ? 300 : null },
  { task: 'induction', fragment: 'task=induction&layers=2&theads=2&dmodel=64&mlp=0&lr=0.003&batch=16&steps=2000', steps: quick ? 300 : null },
];

async function timeRun(browser, run) {
  const { page, context, problems } = await openPage(browser, `${FILE_URL}#${run.fragment}`);
  try {
    if (run.steps) {
      await page.fill('#train-steps', String(run.steps));
    }
    await page.evaluate(() => {
      window.__stall = { longest: 0 };
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        window.__stall.longest = Math.max(window.__stall.longest, now - last - 10);
        last = now;
      }, 10);
    });
    const started = Date.now();
    await page.click('#train-start');
    await page.waitForFunction(() => ['done', 'failed'].includes(window.attentionSpotlight.snapshot({ values: false }).training.status),
      null, { polling: 500, timeout: 20 * 60 * 1000 });
    const wall = Date.now() - started;
    const t = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }).training);
    const stall = await page.evaluate(() => window.__stall.longest);
    return {
      task: run.task, steps: t.step, status: t.status, trainingMs: t.doneMs, wallMs: wall,
      finalLoss: t.losses.slice(-50).reduce((a, b) => a + b, 0) / Math.min(50, t.losses.length),
      barMetAt: t.barMetAt, inductionAt: t.inductionAt,
      report: t.report ? { goalsMet: t.report.goalsMet, relations: (t.report.relations || []).map((r) => ({ name: r.name, head: `${r.layer}.${r.head}`,
        heldOut: r.heldOutAccuracy, novel: r.novelAccuracy })) } : null,
      bestInduction: t.snapshots.length ? Math.max(...(t.snapshots[t.snapshots.length - 1].scores.induction || [0])) : null,
      longestStallMs: Math.round(stall), problems,
    };
  } finally {
    await context.close();
  }
}

(async () => {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const lines = [];
  for (const engine of engines) {
    const browser = await launchBrowser(engine);
    try {
      const version = await browser.version();
      for (const run of RUNS) {
        const result = Object.assign({ engine, version, date: new Date().toISOString() }, await timeRun(browser, run));
        console.log(JSON.stringify(result));
        lines.push(JSON.stringify(result));
      }
    } finally {
      await browser.close();
    }
  }
  fs.writeFileSync(OUT, `${lines.join('\n')}\n`);
  console.log(`wrote ${OUT}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
