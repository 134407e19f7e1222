// Attention that learns, in the page: the trained workshop model answering the three experiments,
// training in a Web Worker (loss, head scores, snapshots, pause, resume, reset), generation,
// model files, and hostile input - in both engines, from file:// and from 127.0.0.1. Figures (the
// time to the first trained heatmap, the longest main-thread stall while training) are reported
// in build/test-artifacts/browser/learn-figures-<engine>.json, never asserted.
'use strict';
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { forEachEngine, openPage, saveScreenshot, FILE_URL } = require('./harness');

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'build', 'test-artifacts', 'browser');
const PRESETS = [
  { id: 'cat', relation: 'coreference', query: 'it', key: 'cat' },
  { id: 'dogs', relation: 'agreement', query: 'are', key: 'dogs' },
  { id: 'book', relation: 'relative_clause', query: 'was', key: 'book' },
];

function report(engine, figures) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `learn-figures-${engine}.json`);
  const old = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  fs.writeFileSync(file, JSON.stringify(Object.assign(old, figures), null, 2));
  console.log(`# figures (${engine}): ${JSON.stringify(figures)}`);
}

// In the page: the shipped checkpoint loaded into a fresh module, its forward on the page's
// tokens, next to the heatmap's values and the pinned row.
async function trainedAgainstModule(page) {
  return page.evaluate(async () => {
    const snapshot = window.attentionSpotlight.snapshot();
    const M = await window.createAttentionModule();
    const embedded = globalThis.SpotlightModels.workshop;
    const model = M.TinyTransformer.load(Uint8Array.from(atob(embedded.bytes), (c) => c.charCodeAt(0)));
    const words = snapshot.tokens.slice(1);
    const ids = Int32Array.from([1].concat(Array.from(M.encode(model.vocabulary, words))));
    const { attention } = model.forward(ids);
    const n = ids.length;
    const { numHeads } = model.config;
    const start = (snapshot.layer * numHeads + snapshot.settings.head) * n * n;
    let maxDifference = 0;
    for (let i = 0; i < n * n; i += 1) {
      maxDifference = Math.max(maxDifference, Math.abs(attention.data[start + i] - snapshot.heatmap.values[i]));
    }
    model.delete();
    return { maxDifference, snapshot, metadata: embedded.metadata, n };
  });
}

// Starts a heartbeat in the page: the longest gap between 10 ms timer ticks is the longest time
// the main thread was busy.
async function startHeartbeat(page) {
  await page.evaluate(() => {
    window.__stall = { longest: 0, ticks: 0 };
    let last = performance.now();
    window.__stallTimer = setInterval(() => {
      const now = performance.now();
      window.__stall.longest = Math.max(window.__stall.longest, now - last - 10);
      window.__stall.ticks += 1;
      last = now;
    }, 10);
  });
}

async function training(page) {
  return page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }).training);
}

async function waitForTraining(page, predicate, arg, timeout = 120000) {
  await page.waitForFunction(predicate, arg, { polling: 100, timeout });
  return training(page);
}

// Sets a file input's files from bytes made in the page, as a user's pick would.
async function pickFile(page, selector, name, makeBytes, arg) {
  await page.evaluate(({ selector: s, name: n, source, argument }) => {
    // eslint-disable-next-line no-new-func
    const bytes = new Function('argument', `return (${source})(argument);`)(argument);
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], n));
    const input = document.querySelector(s);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, { selector, name, source: makeBytes.toString(), argument: arg });
}

forEachEngine({ server: true }, (test, shared) => {
  for (const where of ['file', 'server']) {
    test(`${where}: the page opens on the trained model, with each preset's head and weights the module's`, async () => {
      const url = where === 'file' ? FILE_URL : `${shared.server.origin}/index.html`;
      const { page, context, problems, requests } = await openPage(shared.browser, url);
      try {
        await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).heatmap !== null, null, { polling: 50 });
        const first = await trainedAgainstModule(page);
        assert.equal(first.snapshot.model, 'trained');
        assert.match(first.snapshot.intro, /8,000 sentences/);
        assert.match(first.snapshot.intro, /Clark et al\. 2019/);
        for (const preset of PRESETS) {
          if (preset.id !== 'cat') {
            await page.selectOption('#preset', preset.id);
            await page.waitForFunction((q) => window.attentionSpotlight.snapshot({ values: false }).tokens.includes(q), preset.query, { polling: 50 });
          }
          const { maxDifference, snapshot, metadata, n } = preset.id === 'cat' ? first : await trainedAgainstModule(page);
          const relation = metadata.relations.find((r) => r.name === preset.relation);
          assert.equal(snapshot.layer, relation.layer, `${preset.id}: the relation's layer is shown`);
          assert.equal(snapshot.settings.head, relation.head, `${preset.id}: the relation's head is shown`);
          assert.ok(maxDifference < 1e-6, `${preset.id}: heatmap = forward (max difference ${maxDifference})`);
          const row = snapshot.tokens.indexOf(preset.query);
          const col = snapshot.tokens.indexOf(preset.key);
          assert.deepEqual(snapshot.pinned, { row, col }, `${preset.id}: the "${preset.query}" row is pinned on "${preset.key}"`);
          const values = snapshot.heatmap.values.slice(row * n, (row + 1) * n);
          const largest = values.indexOf(Math.max(...values));
          assert.equal(snapshot.tokens[largest], preset.key, `${preset.id}: "${preset.query}" attends most to "${preset.key}"`);
          assert.match(snapshot.intro, new RegExp(`Head ${relation.layer}\\.${relation.head} links "${preset.query}" to "${preset.key}"`));
          assert.match(snapshot.intro, /held-out/);
        }
        if (where === 'file') {
          report(shared.engine, { firstTrainedHeatmapMs: Math.round(first.snapshot.firstHeatmapMs),
            modelLoadMs: Math.round(first.snapshot.modelLoadMs) });
        }
        // Every head is labelled by the detectors once they have run.
        await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).headLabels !== null, null, { polling: 100 });
        const labels = (await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }).headLabels));
        assert.equal(labels.length, 8);
        assert.ok(labels.some((l) => /coreference 1\.00/.test(l.label)), JSON.stringify(labels.map((l) => l.label)));
        const grid = await page.$$eval('#small-multiples .multiple', (buttons) => buttons.map((b) => `${b.dataset.layer}.${b.dataset.head}`));
        assert.deepEqual(grid, ['0.0', '0.1', '0.2', '0.3', '1.0', '1.1', '1.2', '1.3']);
        // The grid picks any layer and head; the views follow.
        await page.click('#small-multiples .multiple[data-layer="1"][data-head="3"]');
        await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).layer === 1, null, { polling: 50 });
        const picked = await trainedAgainstModule(page);
        assert.equal(picked.snapshot.settings.head, 3);
        assert.ok(picked.maxDifference < 1e-6);
        assert.deepEqual(problems, []);
        for (const request of requests) {
          assert.ok(/^(file|data|blob):/.test(request) || request.startsWith(shared.server.origin), `request left the page: ${request}`);
        }
        if (where === 'file') {
          await page.selectOption('#preset', 'cat');
          await saveScreenshot(page.locator('.input-panel'), 'learn-intro');
          await saveScreenshot(page.locator('#small-multiples').parent(), 'learn-model-grid');
          await saveScreenshot(page.locator('#weights-views').parent(), 'learn-random-designed-trained');
          await saveScreenshot(page.locator('#steps').parent(), 'learn-steps');
        }
      } finally {
        await context.close();
      }
    });
  }

  test('step by step on a trained head shows q_it . k_cat standing out, and the comparison has all three', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    try {
      const why = await page.$$eval('[data-step="why"] li', (items) => items.map((li) => ({ key: Number(li.dataset.key), text: li.textContent })));
      assert.ok(why.length > 0, 'the why-list is drawn');
      assert.match(why[0].text, /^q_it · k_cat \(2\)/, `largest score first: ${why[0].text}`);
      const compare = await page.evaluate(() => window.attentionSpotlight.snapshot().weightsCompare);
      const n = compare.tokens.length;
      const row = compare.tokens.indexOf('it');
      const argmax = (values) => { const r = values.slice(row * n, (row + 1) * n); return compare.tokens[r.indexOf(Math.max(...r))]; };
      assert.equal(argmax(compare.trained), 'cat');
      assert.equal(argmax(compare.designed), 'because', 'the designed previous-token head looks one back');
      assert.notDeepEqual(compare.random, compare.trained);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('training in the worker: the loss falls, charts and heads update, pause, resume and reset work', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    try {
      await startHeartbeat(page);
      await page.selectOption('#train-task', 'induction');
      await page.fill('#train-steps', '400');
      await page.selectOption('#train-speed', '100');
      await page.click('#train-start');
      let t = await waitForTraining(page, () => window.attentionSpotlight.snapshot({ values: false }).training.step >= 5);
      await page.click('#train-pause');
      t = await waitForTraining(page, () => window.attentionSpotlight.snapshot({ values: false }).training.status === 'paused');
      const pausedAt = t.step;
      await page.waitForTimeout(600);
      t = await training(page);
      assert.equal(t.step, pausedAt, 'no step is taken while paused');
      assert.equal(await page.textContent('#train-pause'), 'Resume');
      await page.click('#train-pause');
      await page.selectOption('#train-speed', '0');
      t = await waitForTraining(page, () => window.attentionSpotlight.snapshot({ values: false }).training.status === 'done');
      assert.equal(t.step, 400);
      assert.equal(t.losses.length, 400);
      const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
      const early = mean(t.losses.slice(0, 20));
      const late = mean(t.losses.slice(-20));
      assert.ok(late < early - 0.05, `the loss falls: ${early.toFixed(3)} -> ${late.toFixed(3)}`);
      assert.ok(t.snapshots.length >= 8, `snapshots: ${t.snapshots.length}`);
      assert.ok(t.snapshots.every((s) => s.scores.induction && s.scores.induction.length === 4), 'every snapshot scores the 4 heads');
      const lossLine = await page.$$eval('#train-loss polyline', (lines) => lines.map((l) => l.getAttribute('points').split(' ').length));
      assert.ok(lossLine.length === 1 && lossLine[0] > 50, `the loss curve is drawn: ${lossLine}`);
      const scoreLines = await page.$$eval('#train-scores polyline', (lines) => lines.map((l) => l.dataset.series));
      assert.deepEqual(scoreLines, ['0.0', '0.1', '1.0', '1.1']);
      const legend = await page.textContent('#train-legend');
      assert.match(legend, /0\.0.*0\.1.*1\.0.*1\.1/);
      assert.equal(await page.$$eval('#train-grid canvas', (c) => c.length), 4, 'every head of the probe is drawn');
      assert.equal(await page.inputValue('#train-heads'), '2', 'the heads control keeps its value');
      // The heads drawn follow the snapshot: the last one's maps differ from the first's.
      const lastProbe = t.probe;
      await page.fill('#train-scrub', '0');
      await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).training.shown === 0, null, { polling: 50 });
      const firstProbe = (await training(page)).probe;
      assert.deepEqual(firstProbe.shape, lastProbe.shape);
      assert.notDeepEqual(firstProbe.data, lastProbe.data, 'the heads changed while training');
      assert.match(await page.textContent('#train-scrub-label'), /showing step 0,/);
      await page.fill('#train-scrub', String(t.snapshots.length - 1));
      await saveScreenshot(page.locator('.train-panel'), 'learn-training');
      const stall = await page.evaluate(() => window.__stall);
      assert.ok(stall.ticks > 100, 'the heartbeat ran');
      report(shared.engine, { longestMainThreadStallMs: Math.round(stall.longest), inductionRunMs: t.doneMs, inductionSteps: t.step });
      await page.click('#train-reset');
      t = await waitForTraining(page, () => window.attentionSpotlight.snapshot({ values: false }).training.status === 'idle');
      assert.equal(t.losses.length, 0);
      assert.equal(t.snapshots.length, 0);
      assert.equal(await page.$$eval('#train-loss polyline', (lines) => lines.length), 0, 'reset clears the loss curve');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a workshop run: scrubbing shows the snapshot\'s weights, generation gives the vocabulary\'s words, save and open', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    try {
      await page.fill('#train-steps', '120');
      await page.click('#train-start');
      let t = await waitForTraining(page, () => window.attentionSpotlight.snapshot({ values: false }).training.status === 'done');
      assert.ok(t.snapshots.length >= 3);
      await page.click('#train-show');
      await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).model === 'yours', null, { polling: 50 });
      // Scrub to the first snapshot (step 0): the heatmap shows that checkpoint's weights.
      for (const index of [0, t.snapshots.length - 1]) {
        await page.fill('#train-scrub', String(index));
        await page.waitForTimeout(100);
        const check = await page.evaluate(async (i) => {
          const snapshot = window.attentionSpotlight.snapshot();
          const M = await window.createAttentionModule();
          const model = M.TinyTransformer.load(window.attentionSpotlight.trainingSnapshotBytes(i));
          const ids = Int32Array.from([1].concat(Array.from(M.encode(model.vocabulary, snapshot.tokens.slice(1)))));
          const n = ids.length;
          const { attention } = model.forward(ids);
          const start = (snapshot.layer * model.config.numHeads + snapshot.settings.head) * n * n;
          let max = 0;
          for (let k = 0; k < n * n; k += 1) max = Math.max(max, Math.abs(attention.data[start + k] - snapshot.heatmap.values[k]));
          model.delete();
          return { max, shown: snapshot.training.shown };
        }, index);
        assert.equal(check.shown, index);
        assert.ok(check.max < 1e-6, `snapshot ${index}: heatmap = its checkpoint's forward (${check.max})`);
      }
      await page.fill('#gen-prompt', 'the cat');
      await page.click('#gen-run');
      t = await waitForTraining(page, () => window.attentionSpotlight.snapshot({ values: false }).training.generated !== null);
      const vocabulary = await page.evaluate(async () => (await window.createAttentionModule()).workshopCorpus({ trainSentences: 0, evalSentences: 0 }).vocabulary);
      assert.equal(t.generated.words.length, 8);
      for (const word of t.generated.words) assert.ok(vocabulary.includes(word), `"${word}" is a word of the vocabulary`);
      await saveScreenshot(page.locator('#gen-output'), 'learn-generate');
      // Save the snapshot as a file, then open it back.
      const download = await page.waitForDownload(() => page.click('#train-save'));
      assert.match(download.name, /^spotlight-workshop-step-\d+\.spotlight$/);
      assert.equal(download.content.subarray(0, 8).toString('latin1'), 'SPOTLGPT');
      await pickFile(page, '#model-open', 'back.spotlight', (bytes) => Uint8Array.from(bytes), Array.from(download.content));
      await page.waitForFunction(() => /Opened "back\.spotlight"/.test(document.getElementById('train-messages').textContent), null, { polling: 50 });
      assert.equal((await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }))).model, 'yours');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('damaged model files, hostile own text and hostile links never break the page', async () => {
    const { page, context, problems, requests } = await openPage(shared.browser,
      `${FILE_URL}#model=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&layer=99&task=evil&lr=1e9&steps=-3&theads=3`);
    try {
      await page.evaluate(() => { window.__canary = 0; });
      let snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
      assert.equal(snapshot.model, 'trained', 'a bad model value falls back to the trained model');
      assert.equal(snapshot.settings.trainTask, 'workshop');
      assert.equal(snapshot.settings.trainLearningRate, 0.003);
      for (const key of ['model', 'layer', 'task', 'lr', 'steps', 'theads']) {
        assert.ok(snapshot.linkProblems.some((p) => p.startsWith(`${key} =`)), `link problem named: ${key} in ${snapshot.linkProblems}`);
      }
      // Damaged files: random bytes, a truncated checkpoint, a flipped byte, an empty file.
      const damaged = [
        ['noise.spotlight', () => Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)],
        ['truncated.spotlight', () => Uint8Array.from(atob(globalThis.SpotlightModels.workshop.bytes).slice(0, 1000), (c) => c.charCodeAt(0))],
        ['flipped.spotlight', () => { const b = Uint8Array.from(atob(globalThis.SpotlightModels.workshop.bytes), (c) => c.charCodeAt(0)); b[5000] ^= 0x55; return b; }],
        ['empty.spotlight', () => new Uint8Array(0)],
      ];
      for (const [name, make] of damaged) {
        await pickFile(page, '#model-open', name, make);
        await page.waitForFunction((n) => document.getElementById('train-messages').textContent.includes(`Could not open "${n}"`), name, { polling: 50 });
        const message = await page.textContent('#train-messages');
        assert.match(message, /The page goes on with what it had/);
        snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
        assert.equal(snapshot.model, 'trained', `${name}: the page keeps its model`);
      }
      // Hostile own text to train on: markup, RTL, emoji, 10,000 words.
      const hostile = '<img src=x onerror="window.__canary=1"> </textarea><script>window.__canary=2</script> ' +
        'مرحبا بالعالم \u202Eevil\u202C 👩‍👩‍👧 lone\uD800surrogate ' + Array.from({ length: 10000 }, (_, i) => `w${i % 300}`).join(' ');
      await page.selectOption('#train-task', 'text');
      await page.fill('#train-own-text', hostile);
      await page.fill('#train-steps', '20');
      await page.click('#train-start');
      const t = await waitForTraining(page, () => ['done', 'failed'].includes(window.attentionSpotlight.snapshot({ values: false }).training.status));
      assert.equal(t.status, 'done', t.messages);
      // The same text as the sentence the views show.
      await page.fill('#text', hostile.slice(0, 400));
      await page.waitForFunction(() => !window.attentionSpotlight.snapshot({ values: false }).pending, null, { polling: 50 });
      snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
      assert.ok(snapshot.unknownWords.length > 0);
      assert.match(await page.textContent('#messages'), /read as <unk>/);
      assert.equal(await page.evaluate(() => window.__canary), 0, 'nothing ran');
      assert.equal(await page.$$eval('img, script:not([src])', (nodes) => nodes.length), 0, 'no element was injected');
      const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
      assert.match(csp, /worker-src blob:;/);
      assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
      for (const request of requests) assert.ok(/^(file|data|blob):/.test(request), `request left the page: ${request}`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
