// A GPT-2-family model opened in the page, in headless Chromium and Firefox, from file:// and from
// 127.0.0.1: the 12-layer, 12-head checkpoint that tests/golden/make_gpt2_checkpoints.py writes in
// Hugging Face's layout (build/native/gpt2-fixtures/gpt2_depth, made by the native stage), opened
// by the file input and by a drop. What the page draws is compared with what the same module
// computes here in Node.js on the same files: the tokens, the heatmap of any layer and head, the
// all-heads grid, the next tokens. Every bad file set gets its message and the page keeps the model
// it had; hostile text stays text; nothing leaves the page.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const harness = require('./harness');
const { forEachEngine, openPage } = harness;
const { loadModule } = require('../node/module');

const FIXTURE = path.join(__dirname, '..', '..', 'build', 'native', 'gpt2-fixtures', 'gpt2_depth');
const OTHER = path.join(__dirname, '..', '..', 'build', 'native', 'gpt2-fixtures', 'real_vocab');
const NAMES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
const TEXT = 'The cat sat on the mat because it was tired';

const filePaths = (dir = FIXTURE, names = NAMES) => names.map((name) => path.join(dir, name));

function assertNoProblems(problems) {
  assert.deepEqual(problems, [], problems.join('\n'));
}

// The same model in this process's module, for the expected numbers.
const references = new Map();
async function referenceModel(dir = FIXTURE) {
  if (!references.has(dir)) {
    const module = await loadModule();
    const files = {};
    for (const name of NAMES) files[name] = new Uint8Array(fs.readFileSync(path.join(dir, name)));
    references.set(dir, module.loadPretrained(files));
  }
  return references.get(dir);
}

function maxDifference(actual, expected) {
  assert.equal(actual.length, expected.length, 'lengths');
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

const snapshot = (page, options = { values: true }) => page.evaluate((o) => window.attentionSpotlight.snapshot(o), options);

// Waits until the page shows the opened model's result for `text` (no computation pending).
async function shown(page, text = TEXT) {
  // Compared with each surrogate as "?": a driver may pass a lone one on as U+FFFD.
  await page.waitForFunction((expected) => {
    const s = window.attentionSpotlight.snapshot({ values: false });
    const plain = (t) => t.replace(/[\uD800-\uDFFF\uFFFD]/g, '?');
    return s.model === 'gpt2' && s.pretrained.open && plain(s.settings.text) === plain(expected) && !s.pending && s.n > 0 &&
      s.pretrained.spans !== null;
  }, text, { polling: 50, timeout: 30000 });
  return snapshot(page);
}

async function openByInput(page, paths = filePaths()) {
  await page.setInputFiles('#model-files', paths);
  return shown(page);
}

// The heatmap shown against the reference's maps of `layer`, head `head`, on the page's ids.
async function assertHeatmap(page, layer, head) {
  const model = await referenceModel();
  const s = await snapshot(page);
  assert.equal(s.layer, layer);
  assert.equal(s.heatmap.head, head);
  const ids = Int32Array.from(s.pretrained.ids);
  const n = ids.length;
  const maps = model.attention(ids, layer).data;
  const worst = maxDifference(s.heatmap.values, maps.subarray(head * n * n, (head + 1) * n * n));
  assert.ok(worst < 1e-5, `layer ${layer} head ${head}: the heatmap differs from the module's by ${worst}`);
  return s;
}

forEachEngine({ server: true }, (test, shared) => {
  test('GPT-2\'s files opened by the file input from file://: its tokens, every layer and head, the grid, the next tokens', async () => {
    const { page, context, problems, requests } = await openPage(shared.browser, harness.FILE_URL);
    assert.equal(await page.isVisible('#next-panel'), false);
    const s = await openByInput(page);
    const model = await referenceModel();
    // The tokens: GPT-2's, with the part of the text each covers.
    const encoded = model.encode(TEXT);
    assert.deepEqual(s.pretrained.ids, Array.from(encoded.ids));
    assert.deepEqual(s.pretrained.spans.map((t) => TEXT.slice(t.start, t.end)), encoded.tokens.map((t) => t.text));
    assert.equal(s.tokens[1], '␣cat', 'a leading space shows as ␣');
    assert.match(await page.textContent('#token-count'), new RegExp(`^${s.n} of 32 tokens`));
    assert.match(await page.textContent('#model-status'), /Opened GPT-2-family model \(12 x 12\): 12 layers of 12 heads, 355,152 parameters/);
    assert.equal(s.pretrained.config.numLayers, 12);
    // Layer 0 head 0, then another layer and head through the controls.
    await assertHeatmap(page, 0, 0);
    await page.selectOption('#layer', '7');
    await shown(page);
    await page.selectOption('#head', '5');
    await assertHeatmap(page, 7, 5);
    // The grid: every layer's heads; a text this short is drawn unreduced.
    const grid = await snapshot(page, { values: false, allHeads: true });
    assert.equal(grid.pretrained.side, grid.n);
    assert.equal(grid.pretrained.grid.length, 12);
    const ids = Int32Array.from(grid.pretrained.ids);
    const n = ids.length;
    for (const layer of [0, 11]) {
      const maps = model.attention(ids, layer).data;
      for (const head of [0, 11]) {
        const worst = maxDifference(grid.pretrained.grid[layer][head], maps.subarray(head * n * n, (head + 1) * n * n));
        assert.ok(worst < 1e-5, `grid ${layer}.${head} differs by ${worst}`);
      }
    }
    assert.equal(await page.$$eval('#small-multiples button.multiple', (buttons) => buttons.length), 144);
    // The next tokens after the last token, then after a pinned row.
    assert.equal(await page.isVisible('#next-panel'), true);
    const top = model.topNext(ids);
    assert.deepEqual(grid.pretrained.next.top.map((t) => t.id), top.map((t) => t.id));
    assert.ok(maxDifference(grid.pretrained.next.top.map((t) => t.probability), top.map((t) => t.probability)) < 1e-5);
    // Arrow keys on the heatmap: the first pins query 0, each next moves the row down.
    await page.focus('#heatmap');
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowDown');
    const position = 3;
    await page.waitForFunction((p) => {
      const next = window.attentionSpotlight.snapshot({ values: false }).pretrained.next;
      return next && next.position === p;
    }, position, { polling: 50, timeout: 10000 });
    const pinned = await snapshot(page, { values: false });
    const expected = model.topNext(ids, { position });
    assert.deepEqual(pinned.pretrained.next.top.map((t) => t.id), expected.map((t) => t.id));
    assert.match(await page.textContent('#next-caption'), new RegExp(`after token ${position} `));
    // The labels of the heads, measured in the worker.
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).pretrained.labelsMeasured,
      null, { polling: 100, timeout: 30000 });
    const labelled = await snapshot(page, { values: false });
    assert.equal(labelled.headLabels.length, 144);
    assert.ok(labelled.headLabels.every((l) => Number.isFinite(l.scores.induction) && l.label.length > 0));
    await harness.saveScreenshot(page, 'gpt2-opened');
    assert.deepEqual(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:') && !url.startsWith('blob:')), []);
    assertNoProblems(problems);
    await context.close();
  });

  test('GPT-2\'s files dropped on the page served from 127.0.0.1; typing recomputes in the worker', async () => {
    const { page, context, problems, requests } = await openPage(shared.browser, `${shared.server.origin}/index.html`);
    const files = NAMES.map((name) => [name, fs.readFileSync(path.join(FIXTURE, name)).toString('base64')]);
    await page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const [name, base64] of list) {
        const binary = atob(base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
        transfer.items.add(new File([bytes], name));
      }
      document.querySelector('#heatmap').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, files);
    await shown(page);
    await assertHeatmap(page, 0, 0);
    const text = 'Once upon a time, there was a small dog';
    await page.fill('#text', text);
    const s = await shown(page, text);
    const model = await referenceModel();
    assert.deepEqual(s.pretrained.ids, Array.from(model.encode(text).ids));
    await assertHeatmap(page, 0, 0);
    assert.deepEqual(requests.filter((url) => !url.startsWith(shared.server.origin) && !url.startsWith('data:') && !url.startsWith('blob:')), []);
    assertNoProblems(problems);
    await context.close();
  });

  test('every view on the opened model: arcs, step by step, compare with another head, exports, a link', async () => {
    const { page, context, problems } = await openPage(shared.browser, harness.FILE_URL);
    await openByInput(page);
    await page.fill('#text', 'the cat sat');
    const s = await shown(page, 'the cat sat');
    const model = await referenceModel();
    const ids = Int32Array.from(s.pretrained.ids);
    const n = ids.length;
    assert.ok(n <= 16, `${n} tokens: short enough for the step-by-step view`);
    // Arcs: one line per query and key of the head shown.
    assert.ok(await page.$$eval('#arcs path, #arcs line', (lines) => lines.length) > 0);
    // Step by step: the layer's trace, on the real numbers of the model.
    assert.match(await page.textContent('#steps'), /layer 0/);
    const trace = model.trace(ids, 0);
    const weights = await page.evaluate(() => window.attentionSpotlight.snapshot().heatmap.values);
    assert.ok(maxDifference(weights, trace.weights.data.subarray(0, n * n)) < 1e-5, 'the trace\'s weights are the heatmap\'s');
    // Compare with another head of another layer.
    await page.selectOption('#compare', 'head');
    await page.selectOption('#compare-layer', '9');
    await page.selectOption('#compare-head', '4');
    await page.waitForFunction(() => {
      const c = window.attentionSpotlight.snapshot({ values: true }).compare;
      return c && c.mode === 'head' && !window.attentionSpotlight.snapshot({ values: false }).pending;
    }, null, { polling: 50, timeout: 20000 });
    const compared = await snapshot(page);
    const layer9 = model.attention(ids, 9).data.subarray(4 * n * n, 5 * n * n);
    assert.ok(maxDifference(compared.compare.b, layer9) < 1e-5, 'B is head 9.4');
    assert.ok(maxDifference(compared.compare.a, compared.heatmap.values) === 0, 'A is the view');
    assert.match(await page.textContent('#compare-b-caption'), /^B: head 9\.4$/);
    // Exports: the layer's heads, the tokens as GPT-2 reads them, the model's shape.
    const json = JSON.parse((await page.waitForDownload(() => page.click('#export-json'))).content.toString('utf8'));
    assert.deepEqual(json.tokens, s.tokens);
    assert.equal(json.weights.length, 12);
    assert.equal(json.settings.model, 'gpt2');
    assert.equal(json.settings.modelConfig.numLayers, 12);
    const csv = (await page.waitForDownload(() => page.click('#export-csv'))).content.toString('utf8').trim().split('\n');
    assert.equal(csv.length, 2 + 12 * n * n);
    const png = await page.waitForDownload(() => page.click('#export-png'));
    assert.deepEqual([...png.content.subarray(0, 4)], [137, 80, 78, 71]);
    const svg = (await page.waitForDownload(() => page.click('#export-svg'))).content.toString('utf8');
    assert.match(svg, /^<svg/);
    // The link names the model; opened without its files it says which to open, then the files
    // open the linked view.
    await page.selectOption('#layer', '3');
    await shown(page, 'the cat sat');
    const fragment = (await snapshot(page, { values: false })).fragment;
    assert.match(fragment, /model=gpt2/);
    assert.match(fragment, /layer=3/);
    assert.match(fragment, /name=GPT-2-family/);
    const other = await openPage(shared.browser, `${harness.FILE_URL}${fragment}`);
    const messages = await other.page.textContent('#messages');
    assert.match(messages, /This link shows GPT-2-family model \(12 x 12\), which is opened from its files: open them \(config\.json, model\.safetensors, vocab\.json and merges\.txt\)/);
    const meanwhile = await snapshot(other.page, { values: false });
    assert.equal(meanwhile.model, 'trained', 'the rest of the view, on the workshop model');
    assert.deepEqual(meanwhile.linkProblems, [], 'nothing of the link was ignored');
    assert.equal(meanwhile.settings.text, 'the cat sat');
    await other.page.setInputFiles('#model-files', filePaths());
    const linked = await shown(other.page, 'the cat sat');
    assert.equal(linked.layer, 3, 'the linked layer');
    assertNoProblems(other.problems);
    await other.context.close();
    assertNoProblems(problems);
    await context.close();
  });

  test('generation with a seed repeats and equals the module\'s; each token shows where the heads looked', async () => {
    const { page, context, problems } = await openPage(shared.browser, harness.FILE_URL);
    const s = await openByInput(page);
    const model = await referenceModel();
    const ids = Int32Array.from(s.pretrained.ids);
    const options = { temperature: 0.8, topK: 40, topP: 0.95, seed: 3 };
    for (const [id, value] of [['#pgen-count', '5'], ['#pgen-temperature', '0.8'], ['#pgen-top-k', '40'], ['#pgen-top-p', '0.95'], ['#pgen-seed', '3']]) {
      await page.fill(id, value);
    }
    const generated = async () => {
      await page.click('#pgen-start');
      await page.waitForFunction(() => /tokens in/.test(document.querySelector('#pgen-status').textContent) &&
        !document.querySelector('#pgen-start').disabled, null, { polling: 50, timeout: 30000 });
      const g = (await snapshot(page, { values: false })).pretrained.generation;
      await page.evaluate(() => { document.querySelector('#pgen-status').textContent = ''; });
      return g;
    };
    const first = await generated();
    const expected = model.generate(ids, 5, Object.assign({ attention: true }, options));
    assert.deepEqual(first.ids, Array.from(expected.ids));
    assert.ok(maxDifference(first.probabilities, expected.probabilities) < 1e-6);
    assert.equal(first.text, model.decode(expected.ids));
    const again = await generated();
    assert.deepEqual(again.ids, first.ids, 'the same seed gives the same tokens');
    // Greedy: the likeliest token each time.
    await page.fill('#pgen-temperature', '0');
    const greedy = await generated();
    assert.deepEqual(greedy.ids, Array.from(model.generate(ids, 5, { temperature: 0 }).ids));
    // Where the heads looked: the first generated token's rows in layer 0, as the module gives them.
    const chips = await page.$$eval('#pgen-tokens .generated', (elements) => elements.map((e) => e.textContent));
    assert.equal(chips.length, 5);
    await page.click('#pgen-tokens .generated');
    const look = await page.evaluate(() => ({ caption: document.querySelector('#pgen-look-caption').textContent,
      selected: window.attentionSpotlight.snapshot({ values: false }).pretrained.generation.selected }));
    assert.equal(look.selected, 0);
    assert.match(look.caption, new RegExp(`Where each head of layer 0 looked when the model chose .*over the ${ids.length} tokens before`));
    // A setting out of range is named, and nothing is generated.
    await page.fill('#pgen-top-p', '0');
    await page.click('#pgen-start');
    assert.match(await page.textContent('#pgen-status'), /Top-p must be above 0 and at most 1; got "0"/);
    assertNoProblems(problems);
    await context.close();
  });

  // With GPT-2's own tokenizer (the 2-layer, 4-head checkpoint of real_vocab), so that the workshop's
  // sentences fit the test model's context of 32 tokens as they fit gpt2's.
  test('the workshop\'s relations measured in every head equal the module\'s; a preset then shows the best head', async () => {
    const { page, context, problems } = await openPage(shared.browser, harness.FILE_URL);
    await openByInput(page, filePaths(OTHER));
    assert.equal(await page.isVisible('#relations-table'), false);
    await page.click('#relations-start');
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).pretrained.relations !== null,
      null, { polling: 100, timeout: 60000 });
    const measured = (await snapshot(page, { values: false })).pretrained.relations;
    const model = await referenceModel(OTHER);
    const expected = model.workshopRelations({ set: 'heldOut', first: 0, count: 600 }).relations;
    const novel = model.workshopRelations({ set: 'novel', first: 0, count: 600 }).relations;
    assert.deepEqual(measured.map((r) => r.name), ['coreference', 'agreement', 'relative_clause']);
    for (const entry of measured) {
      const whole = expected.find((r) => r.name === entry.name);
      // Summed over pieces of 20 sentences, the same accuracy in every head as one call over all 600.
      assert.ok(maxDifference(entry.accuracy, Array.from(whole.accuracy)) < 1e-9, entry.name);
      const best = entry.layer * 4 + entry.head;
      assert.equal(entry.heldOutAccuracy, Math.max(...whole.accuracy));
      assert.equal(whole.accuracy.indexOf(entry.heldOutAccuracy), best, 'the first best head');
      assert.ok(Math.abs(entry.novelAccuracy - novel.find((r) => r.name === entry.name).accuracy[best]) < 1e-9);
      assert.equal(entry.heldOutSentences, whole.sequences);
    }
    const rows = await page.$$eval('#relations-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.equal(rows.length, 3);
    assert.match(rows[0][2], new RegExp(`^head ${measured[0].layer}\\.${measured[0].head}$`));
    assert.match(rows[0][3], /^\d+\.\d% of \d+$/);
    assert.match(rows[0][5], /^head \d\.\d: \d+\.\d% held out/, 'the workshop model beside it');
    // The "dogs" preset: its best head shown, the query row of " are" pinned on " dogs".
    await page.selectOption('#preset', 'dogs');
    const dogs = await shown(page, 'The dogs in the park are playing');
    const agreement = measured[1];
    assert.equal(dogs.layer, agreement.layer);
    assert.equal(dogs.heatmap.head, agreement.head);
    assert.deepEqual(dogs.pinned, { row: dogs.tokens.indexOf('␣are'), col: dogs.tokens.indexOf('␣dogs') });
    assert.match(await page.textContent('#model-intro'), new RegExp(`best head for agreement, ${agreement.layer}\\.${agreement.head}, gives "are" → "dogs"`));
    assertNoProblems(problems);
    await context.close();
  });

  test('a bad file set gets a message naming the problem, and the page keeps the model it had', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-bad-model-'));
    const write = (name, folder, bytes) => {
      fs.mkdirSync(path.join(dir, folder), { recursive: true });
      fs.writeFileSync(path.join(dir, folder, name), bytes);
      return path.join(dir, folder, name);
    };
    const config = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'config.json'), 'utf8'));
    const weights = fs.readFileSync(path.join(FIXTURE, 'model.safetensors'));
    const good = filePaths();
    const CASES = [
      ['a missing file', good.filter((p) => !p.endsWith('merges.txt')), /merges\.txt is missing \(given: config\.json, model\.safetensors, vocab\.json\)/],
      ['no weights', good.filter((p) => !p.endsWith('model.safetensors')), /model\.safetensors is missing/],
      ['another architecture', [write('config.json', 'llama', JSON.stringify(Object.assign({}, config, { model_type: 'llama' })))]
        .concat(good.slice(1)), /model_type "llama" is not supported/],
      ['a damaged file', [good[0], write('model.safetensors', 'damaged', weights.subarray(0, 100000))].concat(good.slice(2)),
        /end past the data section/],
      ['another model\'s tokenizer', good.slice(0, 2).concat(filePaths(OTHER, ['vocab.json', 'merges.txt'])),
        /the tokenizer has 50257 tokens but config\.json's vocab_size is 297: these files are not of one model/],
      ['a model too large for the tab', [write('config.json', 'large', JSON.stringify(Object.assign({}, config,
        { n_embd: 1280, n_layer: 36, n_head: 20, vocab_size: 50257, n_positions: 1024, n_ctx: 1024 })))].concat(good.slice(1)),
      /774030080 parameters \(3096120320 bytes\) and its working memory at up to 1024 tokens need 3973061632 bytes, more than the module's memory limit/],
      ['a tokenizer that is not JSON', good.slice(0, 2).concat([write('vocab.json', 'garbage', 'not json'), good[3]]), /vocab\.json is not valid JSON/],
    ];
    try {
      const { page, context, problems } = await openPage(shared.browser, harness.FILE_URL);
      const before = await openByInput(page);
      for (const [what, paths, message] of CASES) {
        await page.setInputFiles('#model-files', paths);
        await page.waitForFunction(() => /^Could not open the model/.test(document.querySelector('#model-status').textContent),
          null, { polling: 50, timeout: 30000 });
        const status = await page.textContent('#model-status');
        assert.match(status, message, what);
        assert.match(status, /GPT-2-family model \(12 x 12\) stays open\.$/, what);
        const after = await snapshot(page, { values: false });
        assert.equal(after.pretrained.name, before.pretrained.name, what);
        assert.equal(after.pretrained.progressShown, false, what);
      }
      // The model it kept still computes.
      await page.fill('#text', 'still here');
      const s = await shown(page, 'still here');
      assert.equal(s.tokens.join(''), 'still␣here');
      await assertHeatmap(page, 0, 0);
      assertNoProblems(problems);
      await context.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hostile text stays text in GPT-2\'s tokens; a long text is cut at the context with a message', async () => {
    const { page, context, problems } = await openPage(shared.browser, harness.FILE_URL);
    await openByInput(page);
    const hostile = '<img src=x onerror="window.pwned=1"> \u202Eevil\u202C &lt;b&gt; \uD800 end';
    await page.fill('#text', hostile);
    const s = await shown(page, hostile);
    const model = await referenceModel();
    // The page sends its text as it is (a lone surrogate reaches the module as U+FFFD).
    assert.deepEqual(s.pretrained.ids, Array.from(model.encode(s.settings.text).ids).slice(0, 32));
    assert.ok(s.tokens.join('').startsWith('<img␣src=x␣onerror="window.pwned=1">'), s.tokens.join(''));
    const chips = await page.$$eval('#tokens .token-text', (elements) => elements.map((e) => e.textContent));
    assert.deepEqual(chips, s.tokens);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#tokens img, #tokens b').length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    // A right-to-left override shows as its code point, a lone surrogate as U+FFFD.
    const short = '<b>\u202Eevil\uD800';
    await page.fill('#text', short);
    const t = await shown(page, short);
    assert.deepEqual(t.pretrained.ids, Array.from(model.encode(t.settings.text).ids));
    assert.equal(t.tokens.slice(0, 4).join(''), '<b>⟨U+202E⟩', t.tokens.join(' '));
    assert.ok(t.tokens.join('').includes('evil\uFFFD'), t.tokens.join(' '));
    assert.deepEqual(await page.$$eval('#tokens .token-text', (elements) => elements.map((e) => e.textContent)), t.tokens);
    const long = Array.from({ length: 10000 }, (_, i) => `word${i % 97}`).join(' ');
    await page.fill('#text', long);
    const cut = await shown(page, long);
    assert.equal(cut.n, 32);
    assert.ok(cut.pretrained.ids.length === 32);
    assert.match(await page.textContent('#messages'), /reads at most 32 tokens \(its context\); the last [\d,]+ of [\d,]+ are left out/);
    assert.match(await page.textContent('#token-count'), /^32 of 32 tokens/);
    assertNoProblems(problems);
    await context.close();
  });
});
