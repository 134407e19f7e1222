// The "Scaling" panel: measures the module on this device, shows progress, can be stopped, and
// yields to the page between measurements.
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

const scaling = (page) => page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }).deviceScaling);

forEachEngine({}, (test, shared) => {
  // Both engines here (Chromium 156, Firefox ESR 153) validate relaxed SIMD; the panel says which
  // kernel runs the products, and the page runs the SIMD128 one where the engine lacks it (Safari),
  // simulated by a WebAssembly.validate that refuses the kernel module.
  test('scaling: the panel names the kernel of the products: relaxed SIMD here, SIMD128 where it is missing', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    assert.match(await page.textContent('#device-kernel'), /relaxed SIMD, whose fused multiply-add \(f32x4\.relaxed_madd\)/);
    const fused = await page.evaluate(() => window.attentionSpotlight.snapshot().heatmap.values);
    await context.close();
    assert.deepEqual(problems, []);

    const without = await openPage(shared.browser, FILE_URL, {
      prepare: (c) => c.addInitScript(() => {
        const validate = WebAssembly.validate;
        // The kernel module is the only small one: refuse it as an engine without relaxed SIMD would.
        WebAssembly.validate = (bytes) => (bytes.byteLength < 100000 ? false : validate.call(WebAssembly, bytes));
      }),
    });
    assert.match(await without.page.textContent('#device-kernel'), /SIMD128, a multiply then an add \(this browser has no relaxed SIMD/);
    // and the page computes the same weights on that path, to float rounding
    const unfused = await without.page.evaluate(() => window.attentionSpotlight.snapshot().heatmap.values);
    assert.equal(unfused.length, fused.length);
    assert.ok(fused.length >= 4);
    const worst = Math.max(...fused.map((value, i) => Math.abs(value - unfused[i])));
    assert.ok(worst < 1e-4, `the heatmaps differ by up to ${worst}`);
    assert.deepEqual(without.problems, []);
    await without.context.close();
  });

  test('scaling: measures both paths at every size up to the chosen one, and plots them', async (t) => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    await page.selectOption('#device-up-to', '256');
    await page.click('#device-start');
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).deviceScaling.status === 'done',
      null, { polling: 50 });
    const { results } = await scaling(page);
    assert.deepEqual(results.map((r) => `${r.n}/${r.path}`),
      ['64/full', '64/tiled', '128/full', '128/tiled', '256/full', '256/tiled']);
    for (const r of results) {
      assert.ok(r.ms > 0, `${r.n}/${r.path} took ${r.ms} ms`);
      assert.ok(r.heapBytes > 0);
    }
    assert.ok(results.some((r) => r.ms > 0), 'some measurement took time');
    const bytes = (n, path) => results.find((r) => r.n === n && r.path === path).bytes;
    assert.ok(bytes(256, 'full') > bytes(256, 'tiled'), 'the full path holds more');
    assert.ok(bytes(256, 'full') / bytes(64, 'full') > 8, 'and its memory grows faster than linearly');
    for (const r of results) t.diagnostic(`${r.n} tokens, ${r.path}: ${r.ms.toFixed(2)} ms`);
    assert.equal(await page.$$eval('#device-charts svg.chart', (svgs) => svgs.length), 2);
    assert.equal(await page.$$eval('#device-table tr', (rows) => rows.length), 1 + 6);
    assert.match(await page.textContent('#device-status'), /Done: 6 measurements/);
    await saveScreenshot(page.locator('#device-heading').parent(), 'view-device-scaling');
    assert.deepEqual(problems, []);
    await context.close();
  });

  // Firefox's 1-ms clock (above) read the smallest sizes as 0 ms, which the page showed as "0.00"
  // and put on the log-scale chart as a coordinate that is not finite; each sample now times
  // enough forwards to take 10 ms.
  test('scaling: every time shown is above 0 ms and every point of the charts is finite', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    await page.selectOption('#device-up-to', '256');
    await page.click('#device-start');
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).deviceScaling.status === 'done',
      null, { polling: 50 });
    const shown = await page.$$eval('#device-table tr', (rows) => rows.slice(1).map((row) => row.cells[2].textContent));
    assert.equal(shown.length, 6);
    const coordinates = await page.$$eval('#device-charts svg.chart', (svgs) => svgs.flatMap((svg) => [
      ...Array.from(svg.querySelectorAll('polyline'), (line) => line.getAttribute('points').split(/[ ,]/)),
      ...Array.from(svg.querySelectorAll('circle'), (circle) => [circle.getAttribute('cx'), circle.getAttribute('cy')]),
    ].flat()));
    assert.ok(coordinates.length > 0);
    const found = [
      ...shown.filter((ms) => !(Number(ms) > 0)).map((ms) => `the table shows ${ms} ms`),
      ...coordinates.filter((value) => !Number.isFinite(Number(value))).map((value) => `a chart coordinate is ${value}`),
    ];
    assert.deepEqual(found, []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('scaling: the stop button ends the run early and says so', async () => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL);
    await page.selectOption('#device-up-to', '4096');
    await page.click('#device-start');
    // Polling on a timer: animation frames are throttled in headless Chromium while tasks run.
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).deviceScaling.results.length >= 2,
      null, { polling: 20 });
    // The page answers while the run is going: the run yields between measurements.
    assert.equal((await scaling(page)).status, 'running', 'a call made during the run is answered before it ends');
    // A DOM click, not page.click: Playwright's click first waits for animation frames, which
    // headless Chromium throttles while the page is busy; this still proves the page's handlers run
    // between measurements.
    await page.evaluate(() => document.getElementById('device-stop').click());
    await page.waitForFunction(() => window.attentionSpotlight.snapshot({ values: false }).deviceScaling.status === 'stopped',
      null, { polling: 50 });
    const { results } = await scaling(page);
    assert.ok(results.length < 14, `stopped after ${results.length} of 14`);
    assert.match(await page.textContent('#device-status'), /Stopped after/);
    assert.equal(await page.isDisabled('#device-start'), false, 'it can run again');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
