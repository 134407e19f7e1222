// The teaching views: step by step, why sqrt(d), designed heads, compare, export and share, comfort.
'use strict';
const assert = require('node:assert/strict');
const { forEachEngine, openPage, saveScreenshot } = require('./harness');
const harness = require('./harness');
// These tests are of the random-weight views; the page opens on the trained model unless
// the link says model=random (tests/browser/learn.test.js tests the trained one).
const RANDOM = 'model=random';
const FILE_URL = `${harness.FILE_URL}#${RANDOM}`;
// A URL of the page with the fragment's settings and model=random.
const withRandom = (base, fragment = '') => `${base}#${RANDOM}${fragment.replace(/^#/, '&')}`;


function assertNoProblems(problems) {
  assert.deepEqual(problems, [], problems.join('\n'));
}

async function settle(page) {
  await page.waitForFunction(() => !window.attentionSpotlight.snapshot({ values: false }).pending);
}

// The module's weights (all heads) for the page's current tokens and settings, computed in the
// page through the public API, with the designed heads applied the same way.
function moduleWeights(page, overrides = {}) {
  return page.evaluate(async (changes) => {
    const snapshot = window.attentionSpotlight.snapshot({ values: false });
    const s = Object.assign({}, snapshot.settings, changes);
    const M = await window.createAttentionModule();
    const x = M.embedTokens(snapshot.tokens, s.embedDim, s.seed, { positional: s.positional });
    const layer = new M.SimpleAttention(s.embedDim, s.numHeads, s.seed);
    s.headPatterns.forEach((p, h) => { if (p !== 'random') layer.designHead(h, p, { window: s.window }); });
    const options = { causal: s.causal, temperature: s.temperature, scale: s.scaled ? null : 1 };
    const { weights } = layer.forward(x, snapshot.n, options);
    const trace = snapshot.n <= 16 ? layer.trace(x, snapshot.n, options) : null;
    layer.delete();
    return { n: snapshot.n, tokens: snapshot.tokens, weights: Array.from(weights),
      trace: trace && { raw: Array.from(trace.rawScores.data), weights: Array.from(trace.weights.data),
        rowSum: Array.from(trace.rowSum.data), rowMax: Array.from(trace.rowMax.data), scale: trace.scale } };
  }, overrides);
}

forEachEngine({}, (test, shared) => {
  test('step by step: every stage labelled with its shape, numbers from the trace, hover explains', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    const stages = await page.$$eval('#steps figure', (figures) => figures.map((f) => ({
      step: f.dataset.step, caption: f.querySelector('figcaption').textContent })));
    assert.deepEqual(stages.map((s) => s.step),
      ['x', 'q', 'k', 'v', 'raw', 'scaled', 'masked', 'weights', 'head-output', 'concat', 'output']);
    assert.match(stages[0].caption, /10 × 64/);
    assert.match(stages[1].caption, /10 × d_head = 10 × 16/);
    assert.match(stages[7].caption, /10 × 10/);

    const expected = await moduleWeights(page);
    const n = expected.n;
    const shown = await page.$$eval('#steps figure[data-step="weights"] td[data-row]', (cells) =>
      cells.map((c) => ({ row: Number(c.dataset.row), col: Number(c.dataset.col), text: c.textContent })));
    assert.ok(shown.length >= n * 8);
    for (const { row, col, text } of shown) {
      assert.equal(text, expected.trace.weights[row * n + col].toFixed(3), `weight (${row}, ${col})`);
    }

    await page.hover('#steps figure[data-step="weights"] td[data-row="7"][data-col="1"]');
    const lines = await page.$$eval('#step-explain div', (divs) => divs.map((d) => d.textContent));
    const at = (array) => array[7 * n + 1];
    assert.match(lines[0], /query 7 "it" on key 1 "cat"/);
    assert.equal(lines[1], `q_7 · k_1 = ${at(expected.trace.raw).toPrecision(5)}`);
    assert.match(lines[2], new RegExp(`× ${expected.trace.scale.toPrecision(4)}`));
    assert.match(lines[4], new RegExp(`÷ row sum ${expected.trace.rowSum[7].toPrecision(5)} = ${at(expected.trace.weights).toPrecision(5)}`));
    await saveScreenshot(page.locator('#steps-heading').parent(), 'view-step-by-step');

    await page.fill('#text', Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '));
    await settle(page);
    assert.match(await page.textContent('#steps'), /up to 16 tokens; this one has 20/);
    assertNoProblems(problems);
    await context.close();
  });

  test('why sqrt(d): the panel shows the module\'s scaling study at d = 4 ... 1024', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    const { shown, expected } = await page.evaluate(async () => {
      const snapshot = window.attentionSpotlight.snapshot({ values: false });
      const M = await window.createAttentionModule();
      return { shown: snapshot.scaling, expected: [4, 16, 64, 256, 1024].map((d) => M.scalingStudy(d, 64, snapshot.settings.seed)) };
    });
    assert.deepEqual(shown, expected);
    const rows = await page.$$eval('.scaling-table tr[data-d]', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.equal(rows.length, 5);
    assert.equal(rows[4][0], '1024');
    assert.equal(rows[4][1], expected[4].rawScoreVariance.toFixed(1));
    assert.ok(expected[4].unscaled.maxWeight > 0.9 && expected[4].scaled.maxWeight < 0.5);
    assert.equal(await page.$$eval('#scaling svg.chart', (svgs) => svgs.length), 4);
    await saveScreenshot(page.locator('#scaling-heading').parent(), 'view-why-sqrt-d');
    assertNoProblems(problems);
    await context.close();
  });

  test('designed heads: the patterns show in the page\'s data and equal the module\'s', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    await page.selectOption('#head-patterns select[data-head="0"]', 'previous_token');
    await page.selectOption('#head-patterns select[data-head="1"]', 'first_token');
    await page.selectOption('#head-patterns select[data-head="3"]', 'uniform');
    await settle(page);
    const snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ allHeads: true }));
    const n = snapshot.n;
    assert.deepEqual(snapshot.settings.headPatterns, ['previous_token', 'first_token', 'random', 'uniform']);
    for (let i = 1; i < n; i += 1) assert.ok(snapshot.weights[0][i * n + i - 1] >= 0.9, `previous token, row ${i}`);
    for (let i = 0; i < n; i += 1) assert.ok(snapshot.weights[1][i * n] >= 0.9, `first token, row ${i}`);
    for (const w of snapshot.weights[3]) assert.ok(Math.abs(w - 1 / n) < 1e-6, 'uniform');
    const expected = await moduleWeights(page);
    assert.deepEqual(snapshot.weights.flat(), expected.weights);
    await saveScreenshot(page.locator('#heads-heading').parent(), 'view-designed-heads');

    // Same token, with room for content (d_head 32) and repeated words.
    await page.selectOption('#embed-dim', '128');
    await page.selectOption('#num-heads', '4');
    await page.selectOption('#head-patterns select[data-head="2"]', 'same_token');
    await page.fill('#text', 'the cat saw the dog and the dog saw the cat');
    await settle(page);
    const same = await page.evaluate(() => window.attentionSpotlight.snapshot({ allHeads: true }));
    const m = same.n;
    for (let i = 0; i < m; i += 1) {
      let onSame = 0;
      for (let j = 0; j < m; j += 1) if (same.tokens[j] === same.tokens[i]) onSame += same.weights[2][i * m + j];
      assert.ok(onSame >= 0.9, `row ${i} "${same.tokens[i]}": ${onSame}`);
    }
    assertNoProblems(problems);
    await context.close();
  });

  test('compare: two settings side by side with their difference', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    for (const [mode, change] of [['causal', { causal: true }], ['scaled', { scaled: false }],
      ['seed', { seed: 7 }], ['temperature', { temperature: 0.5 }]]) {
      await page.selectOption('#compare', mode);
      await settle(page);
      const snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot());
      assert.equal(snapshot.compare.mode, mode);
      const n = snapshot.n;
      const other = await moduleWeights(page, change);
      const head = snapshot.settings.head;
      assert.deepEqual(snapshot.compare.a, snapshot.heatmap.values);
      assert.deepEqual(snapshot.compare.b, other.weights.slice(head * n * n, (head + 1) * n * n), mode);
      snapshot.compare.diff.forEach((d, i) => {
        assert.ok(Math.abs(d - (snapshot.compare.a[i] - snapshot.compare.b[i])) < 1e-7);
      });
      assert.ok(snapshot.compare.diff.some((d) => Math.abs(d) > 1e-3), `${mode} changes something`);
    }
    await saveScreenshot(page.locator('#compare-heading').parent(), 'view-compare');
    await page.selectOption('#compare', 'off');
    assert.equal(await page.isVisible('#compare-views'), false);
    assertNoProblems(problems);
    await context.close();
  });

  const downloadOf = (page, button) => page.waitForDownload(() => page.click(button));

  test('export: PNG, SVG of heatmap and arcs, CSV and JSON parse and equal the module\'s output', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    await page.fill('#text', 'He said "=1+2", then <b>@home</b>; left.');
    await settle(page);
    const expected = await moduleWeights(page);
    const n = expected.n;
    const heads = 4;

    const png = await downloadOf(page, '#export-png');
    assert.equal(png.name, 'attention-heatmap.png');
    assert.deepEqual([...png.content.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');

    const csv = await downloadOf(page, '#export-csv');
    const allLines = csv.content.toString('utf8').trim().split('\n');
    assert.match(allLines[0], /^# Attention Spotlight weights; rows are queries, columns keys; settings \{/);
    const settings = JSON.parse(allLines[0].slice(allLines[0].indexOf('{')));
    assert.equal(settings.seed, 42);
    assert.equal(settings.text, 'He said "=1+2", then <b>@home</b>; left.');
    const lines = allLines.slice(1);
    assert.equal(lines[0], 'head,query_index,query,key_index,key,weight');
    assert.equal(lines.length, 1 + heads * n * n);
    const parse = (line) => {  // quoted fields may hold commas and doubled quotes
      const fields = [];
      const pattern = /"((?:[^"]|"")*)"|([^,]+)/g;
      let match;
      while ((match = pattern.exec(line)) !== null) fields.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]);
      return fields;
    };
    lines.slice(1).forEach((line, index) => {
      const [head, query, queryToken, key, keyToken, weight] = parse(line);
      const h = Number(head);
      const i = Number(query);
      const j = Number(key);
      assert.equal(h * n * n + i * n + j, index);
      assert.equal(Number(weight), expected.weights[index], `weight ${index}`);
      const defuse = (token) => (/^[=+\-@]/.test(token) ? `'${token}` : token);
      assert.equal(queryToken, defuse(expected.tokens[i]));
      assert.equal(keyToken, defuse(expected.tokens[j]));
    });

    const json = JSON.parse((await downloadOf(page, '#export-json')).content.toString('utf8'));
    assert.deepEqual(json.tokens, expected.tokens);
    assert.equal(json.settings.seed, 42);
    assert.equal(json.weights.length, heads);
    assert.deepEqual(json.weights.flat(2), expected.weights);

    const svg = (await downloadOf(page, '#export-svg')).content.toString('utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<rect /g) || []).length, n * n);
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => Number(m[1].split(': ').pop()));
    assert.deepEqual(titles, expected.weights.slice(0, n * n), 'head 0 in the SVG');
    assert.ok(svg.includes('>&lt;</text>') && !svg.includes('<b>'), 'labels are escaped text');

    const arcs = (await downloadOf(page, '#export-arcs')).content.toString('utf8');
    assert.match(arcs, /^<svg/);
    assert.ok((arcs.match(/<line /g) || []).length > n, 'arc lines');
    assertNoProblems(problems);
    await context.close();
  });

  test('share: the URL fragment holds the state, and a shared link restores the same view', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    await page.fill('#text', 'Sharing is caring');
    await page.selectOption('#embed-dim', '32');
    await page.selectOption('#num-heads', '8');
    await page.check('#causal');
    await page.fill('#seed', '1234');
    await page.selectOption('#head', '5');
    await page.selectOption('#head-patterns select[data-head="2"]', 'previous_token');
    await page.selectOption('#compare', 'scaled');
    await page.selectOption('#theme', 'dark');
    await settle(page);
    const original = await page.evaluate(() => window.attentionSpotlight.snapshot({ allHeads: true }));
    assert.match(original.fragment, /text=Sharing\+is\+caring/);
    assert.match(original.fragment, /seed=1234/);

    const { page: copy, context: copyContext, problems: copyProblems } =
      await openPage(shared.browser, harness.FILE_URL + original.fragment);
    const restored = await copy.evaluate(() => window.attentionSpotlight.snapshot({ allHeads: true }));
    assert.deepEqual(restored.settings, original.settings);
    assert.deepEqual(restored.tokens, original.tokens);
    assert.deepEqual(restored.heatmap, original.heatmap);
    assert.deepEqual(restored.weights, original.weights);
    assert.deepEqual(restored.compare, original.compare);
    assert.deepEqual(restored.linkProblems, []);
    assert.equal(await copy.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await copy.inputValue('#text'), 'Sharing is caring');
    assertNoProblems(problems);
    assertNoProblems(copyProblems);
    await copyContext.close();
    await context.close();
  });

  test('share: malformed and hostile fragments are ignored with a notice and run nothing', async () => {
    const fragments = [
      '#d=abc', '#h=3', '#d=64&h=5', '#head=99', '#t=1e999', '#t=-1', '#seed=-4', '#seed=99999999999',
      '#heads=evil,previous_token', '#mode=<script>', '#%E0%A4%A', '#%', '#&&&==&', '#__proto__=x',
      '#constructor=1', '#<img src=x onerror=alert(1)>', '#text=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E',
      '#javascript:alert(1)', `#text=${'a'.repeat(200001)}`, '#text=ok&compare=all&theme=neon&projector=2',
    ];
    for (const fragment of fragments) {
      const { page, context, problems } = await openPage(shared.browser, withRandom(harness.FILE_URL, fragment));
      const snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
      const injected = await page.evaluate(() => document.querySelectorAll('img').length);
      assert.equal(injected, 0, fragment);
      assertNoProblems(problems);
      assert.ok(snapshot.n > 0 || snapshot.settings.text.trim() === '', `${fragment.slice(0, 40)}: the page still works`);
      if (fragment.startsWith('#text=%3Cimg')) {
        assert.equal(await page.inputValue('#text'), '<img src=x onerror=alert(1)>');
        assert.deepEqual(snapshot.linkProblems, []);
      } else if (!['#%E0%A4%A', '#&&&==&'].includes(fragment)) {
        assert.ok(snapshot.linkProblems.length > 0, `${fragment.slice(0, 40)}: a notice`);
        assert.match(await page.textContent('#messages'), /This link had settings that were ignored/);
      }
      await context.close();
    }
  });

  test('comfort: keyboard reaches the controls, themes switch, projector mode enlarges', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    const focusable = await page.evaluate(() => ['text', 'embed-dim', 'num-heads', 'seed', 'temperature', 'causal',
      'scaled', 'positional', 'head', 'colour-range', 'theme', 'projector', 'heatmap', 'compare', 'export-csv', 'copy-link']
      .filter((id) => { const el = document.getElementById(id); el.focus(); return document.activeElement !== el; }));
    assert.deepEqual(focusable, [], 'every control takes keyboard focus');
    await page.focus('#heatmap');
    await page.keyboard.press('ArrowDown');  // the first arrow pins the first cell
    assert.match(await page.textContent('#pinned'), /query "The" \(0\) → key "The" \(0\)/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent('#pinned'), /query "cat" \(1\) → key "cat" \(1\)/);
    await page.keyboard.press('Escape');
    assert.match(await page.textContent('#pinned'), /Click a cell/);

    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.selectOption('#theme', 'dark');
    const dark = await background();
    await page.selectOption('#theme', 'light');
    const light = await background();
    assert.notEqual(dark, light);
    await saveScreenshot(page, 'theme-light');
    await page.selectOption('#theme', 'dark');
    await saveScreenshot(page, 'theme-dark');
    await page.check('#projector');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontSize), '20px');
    await saveScreenshot(page, 'projector-mode');
    assertNoProblems(problems);
    await context.close();
  });
});
