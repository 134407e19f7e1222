// Takes the README's screenshot of the page, docs/images/page.png (1280 x 800), in headless
// Chromium from file:// (tests/browser/harness.js), after the page has computed. The page is laid
// out 1600 CSS pixels wide and drawn at 0.8 (as at 80% zoom), then scrolled so the picture holds
// the text, its tokens, the settings and the whole heatmap:
//
//   node docs/screenshot.js          ./build.sh screenshot runs it after building the module
//
// The view is a preset link, so the picture is the same on every run and machine: the workshop's
// first experiment under the causal mask, light theme.
'use strict';
const fs = require('fs');
const path = require('path');
const { launch, FILE_URL } = require('../tests/browser/harness');

const OUTPUT = path.join(__dirname, 'images', 'page.png');
const VIEW = '#text=The+cat+sat+on+the+mat+because+it+was+tired&causal=1&theme=light';
const LAYOUT = { width: 1600, height: 1000 };
const SCALE = 0.8;  // 1600 x 1000 CSS pixels -> a 1280 x 800 picture

async function main() {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: LAYOUT, deviceScaleFactor: SCALE });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${FILE_URL}${VIEW}`);
    await page.evaluate(() => window.attentionSpotlight.ready);
    await page.waitForFunction(() => !window.attentionSpotlight.snapshot({ values: false }).pending);
    const snapshot = await page.evaluate(() => window.attentionSpotlight.snapshot({ values: false }));
    if (problems.length > 0 || snapshot.linkProblems.length > 0) {
      throw new Error(`the page reported problems:\n${problems.concat(snapshot.linkProblems).join('\n')}`);
    }
    await page.evaluate(() => {
      const heatmap = document.getElementById('heatmap').getBoundingClientRect();
      window.scrollTo(0, window.scrollY + heatmap.bottom + 24 - window.innerHeight);
    });
    fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
    await page.screenshot({ path: OUTPUT });
  } finally {
    await browser.close();
  }
  const kilobytes = Math.round(fs.statSync(OUTPUT).size / 1024);
  console.log(`screenshot: ${path.relative(process.cwd(), OUTPUT)} (${LAYOUT.width * SCALE} x ${LAYOUT.height * SCALE}, ${kilobytes} KB)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
