// Shared set-up of the browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), and a minimal static server for web/ on 127.0.0.1.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');

const WEB_ROOT = path.resolve(__dirname, '..', '..', 'web');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Flags from shared/TOOLCHAIN.md: without the background-networking ones Chromium floods the
// closed network with refused connections.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.md': 'text/markdown; charset=utf-8', '.wasm': 'application/wasm',
  '.mjs': 'text/javascript; charset=utf-8',
};

// Serves `root` (web/ by default) on 127.0.0.1 at a free port. Returns {origin, close()}.
function startServer(root = WEB_ROOT) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const file = path.join(root, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

const FILE_URL = `file://${path.join(WEB_ROOT, 'index.html')}`;

// One browser for a test file (and with { server: true } one static server of web/), started
// before its first test and closed after its last: `shared.browser`, `shared.server`.
function sharedBrowser(test, { server = false } = {}) {
  const shared = { browser: null, server: null };
  test.before(async () => {
    shared.browser = await launch();
    if (server) shared.server = await startServer();
  });
  test.after(async () => {
    if (shared.browser) await shared.browser.close();
    if (shared.server) await shared.server.close();
  });
  return shared;
}

// Screenshots are test artifacts, kept out of git under build/: look at them after a run.
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'build', 'test-artifacts', 'browser');

async function saveScreenshot(target, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await target.screenshot({ path: file, ...(target.mainFrame ? { fullPage: true } : {}) });
  return file;
}

// Opens the page and records console errors, page errors and every request.
async function openPage(browser, url, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    dialog.dismiss();
  });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  await page.evaluate(() => window.attentionSpotlight.ready);
  return { page, context, problems, requests };
}

module.exports = {
  startServer, launch, sharedBrowser, openPage, saveScreenshot, FILE_URL, WEB_ROOT, CHROMIUM_ARGS,
};
