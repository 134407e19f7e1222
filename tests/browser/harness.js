// Shared set-up of the browser tests: two engines, both Debian's own (never a downloaded browser) -
//   chromium: /usr/bin/chromium driven by playwright-core (CDP);
//   firefox:  /usr/bin/firefox-esr driven by puppeteer-core over WebDriver BiDi (playwright-core
//             can only drive Playwright's patched Firefox builds);
// and a minimal static server for web/ on 127.0.0.1.
//
// Neither driver's own objects reach a test. Both are wrapped in one small API (below) with the
// same methods and the same behaviour in both engines; the names follow Playwright's, so a test
// reads like a Playwright test, but only what is listed here exists. A test that needs more adds
// it here, for both engines (tests/browser/harness.test.js checks that the two adapters match).
//
// ---- API -----------------------------------------------------------------------------------------
// ENGINES                    ['chromium', 'firefox'], or what env BROWSER_ENGINES names
//                            (BROWSER_ENGINES=firefox, BROWSER_ENGINES=chromium,firefox).
// forEachEngine({ server }, (test, shared) => { ... })
//                            For each engine, a node:test suite named after it, with one browser
//                            (and, with server: true, one static server of web/) started before its
//                            first test and closed after its last: shared.engine, shared.browser,
//                            shared.server.origin. `test(name, [options], fn)` is node:test's test
//                            with the engine put before the name ("firefox: ...") and a time limit;
//                            options as node:test's (e.g. { todo: 'why' } for a known page bug in
//                            one engine: the test still runs and its failure is shown, as a TODO).
// openPage(browser, url, { viewport, prepare, ready }) -> { page, context, problems, requests }
//                            A new context (own cookies, storage, downloads) and page; `prepare`
//                            runs on the context before the page opens; then goto and, unless
//                            ready: false, waits for window.attentionSpotlight.ready. `problems`
//                            collects console errors, uncaught page errors and dialogs; `requests`
//                            every request URL the engine reports (see "request" below).
// saveScreenshot(pageOrLocator, name) -> file
//                            build/test-artifacts/browser/<name>-<engine>.png (full page for a page).
// startServer(root = WEB_ROOT) -> { origin, close() }
// launchBrowser(engine) -> browser   (sharedBrowser(engine, options) is forEachEngine's hook pair)
// FILE_URL, WEB_ROOT, CHROMIUM_ARGS, FIREFOX_PREFS
// launch() -> a bare Playwright Chromium browser, for the scripts outside the tests (docs/, bench/).
//
// browser:  engine, version(), newContext({ viewport }), close()
// context:  newPage(), addInitScript(fn), interceptRequests((url) => 'continue' | 'abort'),
//           setOffline(flag), close()
//           (interceptRequests never sees data: URLs: neither engine routes them.)
// page:     engine
//           goto(url)                         resolves at the load event
//           evaluate(fn, arg)                 one argument; returns structured values (typed arrays,
//                                             NaN, -0, undefined and Dates come back as they were)
//           waitForFunction(fn, arg, { polling, timeout })   polling: ms or 'raf' (the default)
//           waitForTimeout(ms)
//           click, hover, focus, check, uncheck (selector); fill(selector, text);
//           selectOption(selector, value)    by option value
//           setInputFiles(selector, paths)   a file input's files, as a user choosing them (input
//                                             and change events); paths of files on this machine
//           textContent, inputValue, isVisible, isDisabled (selector); getAttribute(selector, name)
//           $$eval(selector, fn, arg)         fn(elements, arg) in the page
//           keyboard.press(key); mouse.move(x, y); mouse.click(x, y)   (viewport CSS pixels)
//           locator(selector) -> { parent(), boundingBox(), scrollIntoViewIfNeeded(), screenshot({ path }) }
//           screenshot({ path, fullPage })
//           waitForDownload(action) -> { name, content }   runs action(), returns the file it saved
//           on(event, handler): 'console' (message.type(), message.text()), 'pageerror' (Error),
//                               'request' (request.url()), 'dialog' (dialog.message(), dismiss())
// .native on a browser, context, page or locator is the driver's own object: a test that uses it
// runs in one engine only, and should say why.
// Return plain data from evaluate (arrays, objects, strings, numbers): a Map or a Set comes back
// as {} from Playwright and as a Map from puppeteer.
//
// ---- what differs between the engines, and how it is handled --------------------------------------
// - Firefox's BiDi network events do not report file:// loads (only http(s) and data:), so from
//   file:// `requests` holds only data: URLs and any request that would leave the disk.
// - Firefox reports a Content-Security-Policy violation as an uncaught page error, Chromium as a
//   console error: either way it lands in `problems`.
// - Firefox's BiDi serialisation turns a typed array into undefined: evaluate converts typed arrays
//   in the page and rebuilds them here, as Playwright returns them.
// - Downloads: Playwright reports them as events; puppeteer has no download event, so in Firefox each
//   context saves into its own temporary folder and waitForDownload waits for the new file there.
// - fill: Playwright inserts the text through the editor (trusted input events); in Firefox the same
//   is done with document.execCommand('insertText') on the focused, selected field (puppeteer's own
//   fill would type key by key). Fields without an editor (range) get value + input + change, as
//   Playwright does.
// - Firefox is launched with MOZ_DISABLE_NONLOCAL_CONNECTIONS=1 and the FIREFOX_PREFS below: only
//   127.0.0.1 is reachable (strace of a whole run: no other connection, no DNS query).
// And what differs in the page itself, which a test may meet (each is handled where it matters):
// - Intl.Segmenter (the page's word tokenizer): Firefox follows UAX #29 and keeps "a.b" or
//   "constructor.constructor" one word; Chromium breaks at every '.'. The same text can have other
//   tokens in the two engines.
// - performance.now() has 1-ms steps in Firefox (the page is not cross-origin isolated), 0.1 ms
//   in Chromium: a short measurement can read 0 ms in Firefox.
'use strict';
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const nodeTest = require('node:test');
const { chromium } = require('playwright-core');
const puppeteer = require('puppeteer-core');

const WEB_ROOT = path.resolve(__dirname, '..', '..', 'web');
const FILE_URL = `file://${path.join(WEB_ROOT, 'index.html')}`;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const DEFAULT_VIEWPORT = { width: 1280, height: 900 };
// A test that hangs (a browser that stopped answering) fails after this instead of holding CI.
const TEST_TIMEOUT_MS = 10 * 60 * 1000;

const KNOWN_ENGINES = ['chromium', 'firefox'];
const ENGINES = (process.env.BROWSER_ENGINES || KNOWN_ENGINES.join(','))
  .split(',').map((name) => name.trim()).filter(Boolean);
for (const engine of ENGINES) {
  if (!KNOWN_ENGINES.includes(engine)) {
    throw new Error(`BROWSER_ENGINES names "${engine}"; known engines: ${KNOWN_ENGINES.join(', ')}`);
  }
}

// Flags from shared/TOOLCHAIN.md: without the background-networking ones Chromium floods the
// closed network with refused connections.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Preferences of the fresh temporary Firefox profile (puppeteer makes one per launch and deletes it
// at close), on top of puppeteer's own test preferences: nothing may reach for the network - no
// updates, telemetry, studies, captive-portal or connectivity probes, Safe Browsing lists, remote
// settings, DNS-over-HTTPS, prefetching, push, OCSP.
const FIREFOX_PREFS = {
  // puppeteer relaxes this (a file:// page may then read its neighbours); keep Firefox's default,
  // so a page opened from disk is tested as a user's Firefox opens it.
  'security.fileuri.strict_origin_policy': true,
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'toolkit.coverage.opt-out': true,
  'toolkit.coverage.endpoint.base': '',
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.crashReports.unsubmittedCheck.autoSubmit2': false,
  'browser.tabs.crashReporting.sendReport': false,
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google.gethashURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google4.gethashURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.mozilla.gethashURL': '',
  // Remote settings (blocklists, certificate data, ...): a release build ignores another server
  // URL unless MOZ_DISABLE_NONLOCAL_CONNECTIONS is set (launchBrowser sets it), and with this
  // dummy URL it then skips remote settings altogether - else it looks up
  // firefox.settings.services.mozilla.com a few times a minute.
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'security.OCSP.enabled': 0,
  'extensions.blocklist.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.update.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-widevinecdm.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.update': false,
  'geo.provider.network.url': '',
  'identity.fxaccounts.enabled': false,
  'browser.discovery.enabled': false,
  'browser.topsites.contile.enabled': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.proxy.type': 0,
  // Downloads go straight to the context's folder, with no panel.
  'browser.download.alwaysOpenPanel': false,
  'browser.download.always_ask_before_handling_new_types': false,
};

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

// A bare Playwright Chromium browser, as before the engine abstraction: docs/screenshot.js and the
// benchmarks in bench/ use it. Tests use launchBrowser(engine).
async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

// Resolves with `promise`, or rejects after `ms` (so a hung close cannot hold the run).
function within(promise, ms, what) {
  let timer;
  const limit = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Builds a function from its source text, here in Node: used to compose a page function from a
// test's function (its source is what the driver sends to the page). Nothing is evaluated in the
// page by eval, which its Content-Security-Policy forbids.
function functionFromSource(source) {
  return new Function(`return (${source});`)();  // eslint-disable-line no-new-func
}

// ---- Chromium (Playwright) ---------------------------------------------------------------------------

class ChromiumBrowser {
  constructor(browser) {
    this.engine = 'chromium';
    this.native = browser;
  }

  version() { return this.native.version(); }

  async newContext({ viewport = DEFAULT_VIEWPORT } = {}) {
    return new ChromiumContext(await this.native.newContext({ viewport, acceptDownloads: true }));
  }

  close() { return within(this.native.close(), 30000, 'closing Chromium'); }
}

class ChromiumContext {
  constructor(context) { this.native = context; }

  async newPage() { return new ChromiumPage(await this.native.newPage()); }

  addInitScript(fn) { return this.native.addInitScript(fn); }

  interceptRequests(decide) {
    return this.native.route('**/*', (route) => (decide(route.request().url()) === 'abort'
      ? route.abort('internetdisconnected') : route.continue()));
  }

  setOffline(offline) { return this.native.setOffline(offline); }

  close() { return this.native.close(); }
}

class ChromiumLocator {
  constructor(locator) {
    this.engine = 'chromium';
    this.native = locator;
  }

  parent() { return new ChromiumLocator(this.native.locator('..')); }

  boundingBox() { return this.native.boundingBox(); }

  scrollIntoViewIfNeeded() { return this.native.scrollIntoViewIfNeeded(); }

  screenshot({ path: file }) { return this.native.screenshot({ path: file }); }
}

class ChromiumPage {
  constructor(page) {
    this.engine = 'chromium';
    this.native = page;
    this.keyboard = { press: (key) => page.keyboard.press(key) };
    this.mouse = { move: (x, y) => page.mouse.move(x, y), click: (x, y) => page.mouse.click(x, y) };
  }

  async goto(url) { await this.native.goto(url, { waitUntil: 'load' }); }

  evaluate(fn, arg) { return this.native.evaluate(fn, arg); }

  async waitForFunction(fn, arg, options = {}) {
    const handle = await this.native.waitForFunction(fn, arg, options);
    await handle.dispose();
  }

  waitForTimeout(ms) { return sleep(ms); }

  click(selector) { return this.native.click(selector); }

  hover(selector) { return this.native.hover(selector); }

  focus(selector) { return this.native.focus(selector); }

  check(selector) { return this.native.check(selector); }

  uncheck(selector) { return this.native.uncheck(selector); }

  fill(selector, text) { return this.native.fill(selector, text); }

  async selectOption(selector, value) { await this.native.selectOption(selector, { value }); }

  setInputFiles(selector, paths) { return this.native.setInputFiles(selector, paths); }

  textContent(selector) { return this.native.textContent(selector); }

  inputValue(selector) { return this.native.inputValue(selector); }

  getAttribute(selector, name) { return this.native.getAttribute(selector, name); }

  isVisible(selector) { return this.native.isVisible(selector); }

  isDisabled(selector) { return this.native.isDisabled(selector); }

  $$eval(selector, fn, arg) { return this.native.$$eval(selector, fn, arg); }

  locator(selector) { return new ChromiumLocator(this.native.locator(selector)); }

  screenshot({ path: file, fullPage = false }) { return this.native.screenshot({ path: file, fullPage }); }

  async waitForDownload(action) {
    const [download] = await Promise.all([this.native.waitForEvent('download'), action()]);
    return { name: download.suggestedFilename(), content: fs.readFileSync(await download.path()) };
  }

  on(event, handler) {
    const adapters = {
      console: (message) => handler({ type: () => message.type(), text: () => message.text() }),
      pageerror: (error) => handler(error),
      request: (request) => handler({ url: () => request.url() }),
      dialog: (dialog) => handler({ message: () => dialog.message(), dismiss: () => dialog.dismiss() }),
    };
    if (!adapters[event]) throw new Error(`page.on: no event "${event}" in the harness API`);
    this.native.on(event, adapters[event]);
  }
}

// ---- Firefox (puppeteer over WebDriver BiDi) -------------------------------------------------------

// Typed arrays cross BiDi as undefined. evaluate runs this on the page's result (in the page), and
// decodeTypedArrays on what arrives (here). Only arrays and plain objects are walked.
const TYPED_ARRAY_TAG = '__harnessTypedArray';
function encodeTypedArrays(value) {
  const tag = '__harnessTypedArray';
  const seen = new Set();
  const walk = (item) => {
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) {
      return { [tag]: item.constructor.name, values: Array.from(item) };
    }
    if (item === null || typeof item !== 'object' || seen.has(item)) return item;
    const plain = Array.isArray(item) || Object.getPrototypeOf(item) === Object.prototype ||
      Object.getPrototypeOf(item) === null;
    if (!plain) return item;
    seen.add(item);
    if (Array.isArray(item)) {
      let copy = null;
      for (let i = 0; i < item.length; i += 1) {
        const walked = walk(item[i]);
        if (walked !== item[i]) {
          if (!copy) copy = item.slice();
          copy[i] = walked;
        }
      }
      return copy || item;
    }
    const copy = {};
    for (const key of Object.keys(item)) copy[key] = walk(item[key]);
    return copy;
  };
  return walk(value);
}

function decodeTypedArrays(value) {
  if (value === null || typeof value !== 'object') return value;
  if (typeof value[TYPED_ARRAY_TAG] === 'string') return new globalThis[value[TYPED_ARRAY_TAG]](value.values);
  if (Array.isArray(value)) return value.map(decodeTypedArrays);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  for (const key of Object.keys(value)) value[key] = decodeTypedArrays(value[key]);
  return value;
}

// fn's result with its typed arrays kept (see above): fn's source inlined into a wrapper.
function portable(fn) {
  if (typeof fn !== 'function') throw new TypeError('evaluate takes a function');
  return functionFromSource(`async (arg) => (${encodeTypedArrays})(await (${fn})(arg))`);
}

class FirefoxBrowser {
  constructor(browser) {
    this.engine = 'firefox';
    this.native = browser;
    this.versionText = null;
    this.downloadFolders = new Set();  // removed at close, also those of contexts left open
  }

  version() { return this.versionText; }

  async newContext({ viewport = DEFAULT_VIEWPORT } = {}) {
    const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-firefox-downloads-'));
    this.downloadFolders.add(downloads);
    const context = await this.native.createBrowserContext({
      downloadBehavior: { policy: 'allow', downloadPath: downloads },
    });
    return new FirefoxContext(context, { viewport, downloads });
  }

  async close() {
    try {
      await within(this.native.close(), 30000, 'closing Firefox');
    } catch (error) {
      // A Firefox that does not close would keep the test run alive: end its process.
      const child = this.native.process();
      if (child) child.kill('SIGKILL');
      throw error;
    } finally {
      for (const folder of this.downloadFolders) fs.rmSync(folder, { recursive: true, force: true });
    }
  }
}

// Playwright applies init scripts, routes and offline mode to a whole context; in puppeteer they
// belong to a page, so the context keeps them and applies them to each page it opens.
class FirefoxContext {
  constructor(context, { viewport, downloads }) {
    this.native = context;
    this.viewport = viewport;
    this.downloads = downloads;
    this.initScripts = [];
    this.decide = null;
    this.offline = false;
    this.pages = [];
  }

  async newPage() {
    const native = await this.native.newPage();
    await native.setViewport(this.viewport);
    for (const script of this.initScripts) await native.evaluateOnNewDocument(script);
    if (this.decide) await this.#routePage(native);
    if (this.offline) await native.setOfflineMode(true);
    const page = new FirefoxPage(native, this);
    this.pages.push(page);
    return page;
  }

  async addInitScript(fn) {
    this.initScripts.push(fn);
    for (const page of this.pages) await page.native.evaluateOnNewDocument(fn);
  }

  async interceptRequests(decide) {
    if (this.decide) throw new Error('interceptRequests: one decision function per context');
    this.decide = decide;
    for (const page of this.pages) await this.#routePage(page.native);
  }

  async #routePage(native) {
    await native.setRequestInterception(true);
    native.on('request', (request) => {
      const url = request.url();
      // data: URLs are not routed in Playwright either; BiDi reports them but cannot block them.
      if (url.startsWith('data:') || this.decide(url) !== 'abort') request.continue();
      else request.abort('internetdisconnected');
    });
  }

  async setOffline(offline) {
    this.offline = offline;
    for (const page of this.pages) await page.native.setOfflineMode(offline);
  }

  async close() {
    try {
      await this.native.close();
    } finally {
      fs.rmSync(this.downloads, { recursive: true, force: true });
    }
  }
}

class FirefoxLocator {
  // `up`: how many parentElement steps above the element `selector` finds.
  constructor(page, selector, up = 0) {
    this.engine = 'firefox';
    this.page = page;
    this.selector = selector;
    this.up = up;
  }

  parent() { return new FirefoxLocator(this.page, this.selector, this.up + 1); }

  async #withElement(use) {
    let handle = await this.page.native.waitForSelector(this.selector);
    for (let i = 0; i < this.up; i += 1) {
      const parent = await handle.evaluateHandle((element) => element.parentElement);
      await handle.dispose();
      handle = parent.asElement();
      if (!handle) throw new Error(`${this.selector} has no parent element ${i + 1} up`);
    }
    try {
      return await use(handle);
    } finally {
      await handle.dispose();
    }
  }

  boundingBox() { return this.#withElement((element) => element.boundingBox()); }

  scrollIntoViewIfNeeded() { return this.#withElement((element) => element.scrollIntoView()); }

  screenshot({ path: file }) { return this.#withElement((element) => element.screenshot({ path: file })); }
}

class FirefoxPage {
  constructor(page, context) {
    this.engine = 'firefox';
    this.native = page;
    this.context = context;
    this.keyboard = { press: (key) => page.keyboard.press(key) };
    this.mouse = { move: (x, y) => page.mouse.move(x, y), click: (x, y) => page.mouse.click(x, y) };
  }

  async goto(url) { await this.native.goto(url, { waitUntil: 'load' }); }

  async evaluate(fn, arg) { return decodeTypedArrays(await this.native.evaluate(portable(fn), arg)); }

  async waitForFunction(fn, arg, options = {}) {
    const handle = await this.native.waitForFunction(fn, options, arg);
    await handle.dispose();
  }

  waitForTimeout(ms) { return sleep(ms); }

  // The element, once attached (and, for an action, visible), as Playwright waits for it.
  async #element(selector, { visible = false } = {}) {
    return this.native.waitForSelector(selector, visible ? { visible: true } : {});
  }

  async #onElement(selector, fn, arg, options) {
    const handle = await this.#element(selector, options);
    try {
      return await handle.evaluate(fn, arg);
    } finally {
      await handle.dispose();
    }
  }

  async click(selector) {
    await (await this.#element(selector, { visible: true })).dispose();
    await this.native.click(selector);
  }

  async hover(selector) {
    await (await this.#element(selector, { visible: true })).dispose();
    await this.native.hover(selector);
  }

  async focus(selector) {
    await (await this.#element(selector)).dispose();
    await this.native.focus(selector);
  }

  async #setChecked(selector, checked) {
    const isChecked = () => this.#onElement(selector, (element) => element.checked);
    if (await isChecked() !== checked) await this.click(selector);
    if (await isChecked() !== checked) throw new Error(`clicking ${selector} did not make it ${checked ? '' : 'un'}checked`);
  }

  check(selector) { return this.#setChecked(selector, true); }

  uncheck(selector) { return this.#setChecked(selector, false); }

  async fill(selector, text) {
    await (await this.#element(selector, { visible: true })).dispose();
    const problem = await this.#onElement(selector, (element, value) => {
      const editable = element instanceof HTMLTextAreaElement || (element instanceof HTMLInputElement &&
        ['text', 'search', 'url', 'tel', 'password', 'email', 'number'].includes(element.type));
      if (!editable && !(element instanceof HTMLInputElement)) return `${element.tagName} cannot be filled`;
      element.focus();
      if (editable) {
        element.select();
        if (value === '') document.execCommand('delete');
        else document.execCommand('insertText', false, value);
      } else {
        element.value = value;
        element.dispatchEvent(new Event('input', { bubbles: true }));
        element.dispatchEvent(new Event('change', { bubbles: true }));
      }
      const got = element.value.replace(/\r\n/g, '\n');
      return got === value.replace(/\r\n/g, '\n') ? null : `holds ${JSON.stringify(got.slice(0, 80))}`;
    }, text);
    if (problem) throw new Error(`fill ${selector}: ${problem}`);
  }

  async setInputFiles(selector, paths) {
    const handle = await this.#element(selector);
    try {
      await handle.uploadFile(...paths);
    } finally {
      await handle.dispose();
    }
  }

  async selectOption(selector, value) {
    await (await this.#element(selector)).dispose();
    const selected = await this.native.select(selector, value);
    if (!selected.includes(value)) throw new Error(`selectOption: ${selector} has no option with value ${value}`);
  }

  textContent(selector) { return this.#onElement(selector, (element) => element.textContent); }

  inputValue(selector) { return this.#onElement(selector, (element) => element.value); }

  getAttribute(selector, name) { return this.#onElement(selector, (element, n) => element.getAttribute(n), name); }

  // As Playwright: a non-empty box and not visibility:hidden; no element is not visible (no wait).
  isVisible(selector) {
    return this.evaluate((s) => {
      const element = document.querySelector(s);
      if (!element) return false;
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    }, selector);
  }

  isDisabled(selector) {
    return this.#onElement(selector, (element) => element.disabled === true ||
      element.getAttribute('aria-disabled') === 'true' || Boolean(element.closest('fieldset:disabled')));
  }

  $$eval(selector, fn, arg) {
    const inPage = functionFromSource(
      `({ selector, arg }) => (${fn})(Array.from(document.querySelectorAll(selector)), arg)`);
    return this.evaluate(inPage, { selector, arg });
  }

  locator(selector) { return new FirefoxLocator(this, selector); }

  screenshot({ path: file, fullPage = false }) { return this.native.screenshot({ path: file, fullPage }); }

  // The context's folder gets the file under its suggested name (Firefox writes `<name>.part` and
  // renames it when done); it is read, then removed, so the next download of that name keeps it.
  async waitForDownload(action, { timeout = 30000 } = {}) {
    const folder = this.context.downloads;
    const before = new Set(fs.readdirSync(folder));
    await action();
    const started = Date.now();
    let lastSize = -1;
    for (;;) {
      const entries = fs.readdirSync(folder);
      const fresh = entries.filter((name) => !before.has(name) && !name.endsWith('.part'));
      const writing = entries.some((name) => name.endsWith('.part'));
      if (fresh.length > 1) throw new Error(`waitForDownload: several new files: ${fresh.join(', ')}`);
      if (fresh.length === 1 && !writing) {
        const file = path.join(folder, fresh[0]);
        const { size } = fs.statSync(file);
        if (size === lastSize) {
          const content = fs.readFileSync(file);
          fs.rmSync(file);
          return { name: fresh[0], content };
        }
        lastSize = size;
      }
      if (Date.now() - started > timeout) throw new Error(`waitForDownload: no file after ${timeout} ms`);
      await sleep(50);
    }
  }

  on(event, handler) {
    const adapters = {
      // puppeteer says 'warn' where Playwright says 'warning'.
      console: (message) => handler({
        type: () => (message.type() === 'warn' ? 'warning' : message.type()), text: () => message.text(),
      }),
      pageerror: (error) => handler(error instanceof Error ? error : new Error(String(error))),
      request: (request) => handler({ url: () => request.url() }),
      dialog: (dialog) => handler({ message: () => dialog.message(), dismiss: () => dialog.dismiss() }),
    };
    if (!adapters[event]) throw new Error(`page.on: no event "${event}" in the harness API`);
    this.native.on(event, adapters[event]);
  }
}

// ---- launching, suites, pages --------------------------------------------------------------------

async function launchBrowser(engine) {
  if (engine === 'chromium') return new ChromiumBrowser(await launch());
  if (engine === 'firefox') {
    const native = await puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: FIREFOX_PREFS,
      defaultViewport: null,
      // Firefox's own test switch: connections to anything but this machine are refused.
      env: Object.assign({}, process.env, { MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' }),
    });
    const browser = new FirefoxBrowser(native);
    browser.versionText = await native.version();
    return browser;
  }
  throw new Error(`unknown engine ${engine}`);
}

// One browser of `engine` for the current suite (and with { server: true } one static server of
// web/), started before its first test and closed after its last: `shared.browser`, `shared.server`.
function sharedBrowser(engine, { server = false } = {}) {
  const shared = { engine, browser: null, server: null };
  nodeTest.before(async () => {
    shared.browser = await launchBrowser(engine);
    if (server) shared.server = await startServer();
  });
  nodeTest.after(async () => {
    try {
      if (shared.browser) await shared.browser.close();
    } finally {
      if (shared.server) await shared.server.close();
    }
  });
  return shared;
}

// A suite per engine: body(test, shared) declares the tests (see the API above).
function forEachEngine(options, body) {
  for (const engine of ENGINES) {
    nodeTest.describe(engine, () => {
      const shared = sharedBrowser(engine, options);
      const test = (name, options, fn) => (typeof options === 'function'
        ? nodeTest.test(`${engine}: ${name}`, { timeout: TEST_TIMEOUT_MS }, options)
        : nodeTest.test(`${engine}: ${name}`, Object.assign({ timeout: TEST_TIMEOUT_MS }, options), fn));
      body(test, shared);
    });
  }
}

// Screenshots are test artifacts, kept out of git under build/: look at them after a run.
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'build', 'test-artifacts', 'browser');

async function saveScreenshot(target, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}-${target.engine}.png`);
  const isPage = typeof target.goto === 'function';
  await target.screenshot(isPage ? { path: file, fullPage: true } : { path: file });
  return file;
}

// Opens the page and records console errors, page errors, dialogs and every request.
async function openPage(browser, url, { viewport = DEFAULT_VIEWPORT, prepare = null, ready = true } = {}) {
  const context = await browser.newContext({ viewport });
  if (prepare) await prepare(context);
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
  if (ready) await page.evaluate(() => window.attentionSpotlight.ready);
  return { page, context, problems, requests };
}

module.exports = {
  ENGINES, forEachEngine, sharedBrowser, launchBrowser, openPage, saveScreenshot, startServer, launch,
  FILE_URL, WEB_ROOT, CHROMIUM_ARGS, FIREFOX_PREFS,
  // for harness.test.js
  adapters: { ChromiumBrowser, ChromiumContext, ChromiumPage, ChromiumLocator,
    FirefoxBrowser, FirefoxContext, FirefoxPage, FirefoxLocator },
  encodeTypedArrays, decodeTypedArrays,
};
