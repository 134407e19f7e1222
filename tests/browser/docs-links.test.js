// Every link to the page in README.md and docs/*.md (the slides' live demos included) opens in
// headless Chromium or Firefox (each link in one of them) from file:// with its preset applied: no
// "ignored" notice, the text and the settings of the fragment are what the page shows, no console
// error. The rendered slides themselves load nothing from outside their folder and link to the
// page they sit beside, in both engines.
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');
const test = require('node:test');
const assert = require('node:assert/strict');
const harness = require('./harness');
const { forEachEngine, openPage, FILE_URL } = harness;
const { allPageLinks, SLIDES_OUTPUT } = require('../docs/markdown');
const { renderSlides } = require('../../docs/render-slides');

async function settle(page) {
  await page.waitForFunction(() => !window.attentionSpotlight.snapshot({ values: false }).pending);
}

// What the controls show, read from the DOM, keyed like the fragment.
function shownControls(page) {
  return page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    return {
      text: $('text').value,
      mode: document.querySelector('input[name="mode"]:checked').value,
      model: document.querySelector('input[name="model"]:checked').value,
      lower: $('lowercase').checked,
      d: Number($('embed-dim').value),
      h: Number($('num-heads').value),
      seed: Number($('seed').value),
      causal: $('causal').checked,
      scaled: $('scaled').checked,
      pos: $('positional').checked,
      head: $('head').value,
      layer: $('layer').value,
      colours: $('colour-range').value,
      t: Number($('temperature-value').textContent),
      compare: $('compare').value,
      seedB: Number($('compare-seed').value),
      tB: Number($('compare-temperature').value),
      theme: $('theme').value,
      projector: $('projector').checked,
      window: Number($('window').value),
      heads: Array.from(document.querySelectorAll('#head-patterns select'), (select) => select.value),
      // the training panel's
      task: $('train-task').value,
      layers: Number($('train-layers').value),
      theads: Number($('train-heads').value),
      dmodel: Number($('train-dmodel').value),
      mlp: $('train-mlp').checked,
      lr: Number($('train-lr').value),
      batch: Number($('train-batch').value),
      steps: Number($('train-steps').value),
      tseed: Number($('train-seed').value),
      messages: $('messages').textContent,
    };
  });
}

// The fragment's own values, decoded here (not by the page's reader), in the form shownControls
// reports them.
function expectedControls(fragment) {
  const expected = {};
  const flags = ['lower', 'causal', 'scaled', 'pos', 'projector', 'mlp'];
  const numbers = ['d', 'h', 'seed', 'window', 'seedB', 'tB', 'layers', 'theads', 'dmodel', 'lr', 'batch', 'steps', 'tseed'];
  for (const [key, value] of new URLSearchParams(fragment)) {
    if (flags.includes(key)) expected[key] = value === '1';
    else if (numbers.includes(key)) expected[key] = Number(value);
    else if (key === 't') expected.t = Number(Number(value).toPrecision(2));
    else if (key === 'heads') expected.heads = value.split(',');
    else expected[key] = value;
  }
  return expected;
}

const links = allPageLinks();
const byFragment = new Map();
for (const link of links) {
  if (!byFragment.has(link.fragment)) byFragment.set(link.fragment, []);
  byFragment.get(link.fragment).push(`${link.document}:${link.line}`);
}

test('the documents have links to the page', () => {
  assert.ok(links.length >= 8, `only ${links.length} links to the page found`);
});

// Each link is opened in one engine, in turn (the first in Chromium, the next in Firefox, ...), so
// that every link is checked once and the suite takes half the time; an engine tested alone
// (BROWSER_ENGINES) opens them all. The fragment's reader is the page's own script in both.
const fragments = Array.from(byFragment);

forEachEngine({}, (test, shared) => {
  const engines = harness.ENGINES;
  const mine = fragments.filter((_, i) => i % engines.length === engines.indexOf(shared.engine));
  test(`this engine opens ${mine.length} of the ${fragments.length} links (each link in one engine)`, () => {
    assert.ok(mine.length > 0 && mine.length >= Math.floor(fragments.length / engines.length));
  });
  for (const [fragment, places] of mine) {
    test(`preset link opens as written: ${places.join(', ')}`, async () => {
      const { page, context, problems } = await openPage(shared.browser, `${FILE_URL}#${fragment}`);
      try {
        await settle(page);
        const snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
        assert.deepEqual(snapshot.linkProblems, [], `the page ignored part of #${fragment}`);
        const shown = await shownControls(page);
        assert.doesNotMatch(shown.messages, /ignored/i);
        const expected = expectedControls(fragment);
        const heads = expected.heads;
        delete expected.heads;
        if (expected.model === 'gpt2') {
          // A link to GPT-2's view: its files cannot be in the link, so the page names them and shows
          // the text on the workshop model; the model's layer and heads wait for the files.
          assert.match(shown.messages, new RegExp(`This link shows ${expected.name || 'a GPT-2 model'}, which is opened from its files`));
          for (const key of ['model', 'name', 'layer', 'head', 'layerB', 'headB']) delete expected[key];
        }
        for (const [key, value] of Object.entries(expected)) {
          assert.deepEqual(shown[key], value, `${key} from #${fragment}`);
        }
        if (heads) assert.deepEqual(shown.heads.slice(0, heads.length), heads, `heads from #${fragment}`);
        assert.ok(snapshot.n > 0 && snapshot.tokens.length === snapshot.n, 'the text was tokenised and computed');
        assert.ok(snapshot.heads > 0, 'attention was computed');
        assert.deepEqual(problems, [], problems.join('\n'));
      } finally {
        await context.close();
      }
    });
  }

  test('the rendered slides load only files beside them, and their demo links open the page', async () => {
    renderSlides(path.dirname(SLIDES_OUTPUT));
    const { page, context, problems, requests } = await openPage(shared.browser, pathToFileURL(SLIDES_OUTPUT).href,
      { viewport: { width: 1280, height: 720 }, ready: false });
    try {
      // Firefox reports no file:// loads (harness.js), so there `requests` holds what would leave
      // the disk - exactly what this looks for.
      const outside = requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'));
      assert.deepEqual(outside, [], 'the slides requested something outside their folder');
      const hrefs = await page.$$eval('a[href*="index.html#"]', (anchors) => anchors.map((a) => a.href));
      assert.ok(hrefs.length >= 5, `${hrefs.length} live-demo links in the rendered slides`);
      for (const href of hrefs) assert.ok(href.startsWith(`${FILE_URL}#`), `${href} does not open web/index.html`);

      // Follow the first demo link from the slides, as a presenter would.
      await page.goto(hrefs[0]);
      await page.evaluate(() => window.attentionSpotlight.ready);
      await settle(page);
      const snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
      assert.deepEqual(snapshot.linkProblems, []);
      assert.ok(snapshot.n > 0);
      assert.deepEqual(problems, [], problems.join('\n'));
    } finally {
      await context.close();
    }
  });
});
