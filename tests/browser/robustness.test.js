// The page under hostile conditions, in headless Chromium and Firefox: its Content-Security-Policy
// holds (and is enforced) from file:// and from 127.0.0.1; it works with the network off; 10,000
// random Unicode strings go through its pipeline (tokenizer -> embeddings -> module -> heatmap), a few
// hundred of them through the real text input; random and malformed URL fragments neither break
// it nor run anything. Random inputs come from fixed seeds, so a failure names a reproducible case;
// each runs in one of the engines (share, below).
'use strict';
const assert = require('node:assert/strict');
const { forEachEngine, openPage } = require('./harness');
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

// Every Content-Security-Policy violation of the page, from its first script on (openPage's
// `prepare`); the engines also report them (Chromium as console errors, Firefox as page errors),
// which openPage records as problems.
function recordViolations(context) {
  return context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(`${event.effectiveDirective}: ${String(event.blockedURI).slice(0, 80)}`);
    });
  });
}

const violations = (page) => page.evaluate(() => window.cspViolations.slice());

async function settle(page) {
  await page.waitForFunction(() => !window.attentionSpotlight.snapshot({ values: false }).pending);
}

// The page computed: n tokens, every heatmap value finite and each row summing to 1.
function computed(page) {
  return page.evaluate(() => {
    const snapshot = window.attentionSpotlight.snapshot();
    const values = snapshot.heatmap ? snapshot.heatmap.values : [];
    const n = snapshot.n;
    let worstRow = 0;
    for (let i = 0; i < n; i += 1) {
      let sum = 0;
      for (let j = 0; j < n; j += 1) sum += values[i * n + j];
      worstRow = Math.max(worstRow, Math.abs(sum - 1));
    }
    return { n, tokens: snapshot.tokens, finite: values.every(Number.isFinite), worstRow };
  });
}

async function typeText(page, text) {
  await page.fill('#text', text);
  await page.waitForFunction((expected) => {
    const snapshot = window.attentionSpotlight.snapshot({ values: false });
    return snapshot.settings.text === expected && !snapshot.pending;
  }, text);
}

forEachEngine({ server: true }, (test, shared) => {
  // ---- Content-Security-Policy --------------------------------------------------------------------

  test('CSP: a strict policy is in the page, and the page computes under it with no violation', async () => {
    const policy = await (async () => {
      const { page, context } = await openPage(shared.browser, FILE_URL);
      const content = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      await context.close();
      return Object.fromEntries(content.split(';').map((part) => part.trim().split(/\s+/))
        .map(([directive, ...sources]) => [directive, sources]));
    })();
    assert.deepEqual(policy['default-src'], ["'none'"]);
    assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'"], 'no unsafe-eval, no unsafe-inline');
    assert.deepEqual(policy['style-src'], ["'self'"]);
    assert.deepEqual(policy['img-src'], ['data:'], 'the inline icon and the picture in a large SVG export');
    assert.deepEqual(policy['connect-src'], ['data:'], 'the module reading its own embedded wasm');
    for (const directive of ['base-uri', 'form-action', 'object-src']) assert.deepEqual(policy[directive], ["'none'"]);
    const lax = ["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', 'file:'];
    assert.ok(!Object.values(policy).flat().some((source) => lax.includes(source)), JSON.stringify(policy));

    for (const url of [FILE_URL, withRandom(`${shared.server.origin}/index.html`)]) {
      const { page, context, problems } = await openPage(shared.browser, url, { prepare: recordViolations });
      const result = await computed(page);
      assert.equal(result.n, 10, url);
      assert.ok(result.finite && result.worstRow < 1e-5, url);
      // Exports under the policy too: the PNG, the SVG of a heatmap too large for one rect a cell
      // (it embeds the picture as a data: URL), the CSV.
      await typeText(page, Array.from({ length: 140 }, (_, i) => `w${i}`).join(' '));
      for (const id of ['export-png', 'export-svg', 'export-csv']) {
        const download = await page.waitForDownload(() => page.click(`#${id}`));
        assert.ok(download.content.length > 0, `${id}: ${download.name} is empty`);
      }
      assert.deepEqual(await violations(page), [], url);
      assertNoProblems(problems);
      await context.close();
    }
  });

  test('CSP: the policy is enforced - eval, inline script and a connection elsewhere are refused', async () => {
    for (const url of [FILE_URL, withRandom(`${shared.server.origin}/index.html`)]) {
      const { page, context } = await openPage(shared.browser, url, { prepare: recordViolations });
      // Scheduled as a task of the page's own: code evaluated by the test driver itself is exempt.
      await page.evaluate(() => setTimeout(() => {
        try {
          window.evalResult = new Function('return "ran"')();
        } catch (error) {
          window.evalResult = error.name;
        }
        const script = document.createElement('script');
        script.textContent = 'window.pwned = true';
        document.body.appendChild(script);
        const image = document.createElement('img');
        image.src = 'http://127.0.0.1:9/pixel.png';
        fetch('http://127.0.0.1:9/data').catch(() => {});
      }, 0));
      await page.waitForFunction(() => window.cspViolations.length >= 4);
      assert.equal(await page.evaluate(() => window.evalResult), 'EvalError', url);
      assert.equal(await page.evaluate(() => window.pwned), undefined, url);
      const seen = (await violations(page)).map((v) => v.split(':')[0]).sort();
      assert.deepEqual(seen, ['connect-src', 'img-src', 'script-src', 'script-src-elem'], url);
      await context.close();
    }
  });

  // ---- network off ----------------------------------------------------------------------------------

  test('network off: every request beyond the page\'s own files aborted, then offline - the page works', async () => {
    const aborted = [];
    const ownOnly = async (context) => {
      await recordViolations(context);
      await context.interceptRequests((url) => {
        if (url.startsWith(`${shared.server.origin}/`)) return 'continue';
        aborted.push(url);
        return 'abort';
      });
    };
    const { page, context, problems, requests } = await openPage(shared.browser, withRandom(`${shared.server.origin}/index.html`),
      { prepare: ownOnly });
    assert.equal((await computed(page)).n, 10);
    await context.setOffline(true);
    await typeText(page, 'Offline, the module still runs in this tab');
    await page.check('#causal');
    await page.selectOption('#embed-dim', '32');
    await settle(page);
    const result = await computed(page);
    assert.deepEqual(result.tokens, ['Offline', ',', 'the', 'module', 'still', 'runs', 'in', 'this', 'tab']);
    assert.ok(result.finite && result.worstRow < 1e-5);
    assert.deepEqual(aborted, [], 'the page asked for nothing outside its origin');
    assert.deepEqual(requests.filter((r) => !r.startsWith(shared.server.origin) && !r.startsWith('data:')), []);
    assert.deepEqual(await violations(page), []);
    assertNoProblems(problems);
    await context.close();

    // From disk with the browser offline before the page is even opened.
    const offline = async (c) => {
      await recordViolations(c);
      await c.setOffline(true);
    };
    const fromDisk = await openPage(shared.browser, withRandom(harness.FILE_URL, "#text=no+network+needed&causal=1"), { prepare: offline });
    const diskResult = await computed(fromDisk.page);
    assert.deepEqual(diskResult.tokens, ['no', 'network', 'needed']);
    assert.ok(diskResult.finite && diskResult.worstRow < 1e-5);
    assert.deepEqual(await violations(fromDisk.page), []);
    assertNoProblems(fromDisk.problems);
    await fromDisk.context.close();
  });

  // ---- random Unicode --------------------------------------------------------------------------------

  // Installs window.unicodeStrings(seed, index): the index-th random string of a seeded stream.
  // Runs in the page (page.evaluate ships the source), so lone surrogates and NUL reach the page
  // as they are rather than through the driver's JSON.
  function installUnicodeStrings() {
    function generator(seed) {
      let state = seed >>> 0;
      const next = () => {  // mulberry32
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const int = (low, high) => low + Math.floor(next() * (high - low + 1));
      const pick = (list) => list[int(0, list.length - 1)];
      const char = (low, high) => String.fromCodePoint(int(low, high));
      const run = (make, low, high) => Array.from({ length: int(low, high) }, make).join('');
      const PAYLOADS = ['<img src=x onerror="window.pwned=true">', '<script>window.pwned=true</script>',
        '"><svg onload=window.pwned=true>', 'javascript:window.pwned=true', '${window.pwned=true}',
        '{{constructor.constructor("window.pwned=true")()}}', '&amp;', '&lt;b&gt;', '</textarea>', '<!--'];
      const EMOJI = ['🙂', '😀', '🐈', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🏴‍☠️', '❤️', '🇫🇷', '🇯🇵', '🇺🇳', '1️⃣', '🧑🏿‍🚀',
        '👩‍❤️‍💋‍👨', '🫠', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'];
      const WHITESPACE = [' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\u2029', '\u3000', '\u200b', '\ufeff',
        '\u180e', '\u2003'];
      const PIECES = [
        () => run(() => char(0x61, 0x7a), 1, 9),                                   // a word
        () => run(() => char(0x41, 0x5a), 1, 4) + run(() => char(0x61, 0x7a), 0, 6),
        () => pick(['.', ',', ';', '!', '?', '¿', '¡', '—', '…', '"', "'", '(', ')', '[', '{', '<', '>', '/', '\\', '@',
          '#', '%', '&', '*', '+', '=', '~', '`', '|']),
        () => pick(EMOJI),
        () => run(() => pick(EMOJI), 2, 6),                                        // emoji without spaces
        () => run(() => char(0x1f1e6, 0x1f1ff), 1, 5),                             // regional indicators, odd too
        () => char(0x61, 0x7a) + run(() => char(0x300, 0x36f), 1, 24),            // stacked combining marks
        () => run(() => char(0x300, 0x36f), 1, 3),                                 // marks with no base
        () => run(() => char(0x621, 0x64a) + (next() < 0.5 ? char(0x64b, 0x652) : ''), 2, 8),  // Arabic
        () => run(() => char(0x5d0, 0x5ea) + (next() < 0.3 ? char(0x5b0, 0x5bc) : ''), 2, 7),  // Hebrew
        () => pick(['\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067',
          '\u2068', '\u2069', '\u061c']),                                          // bidi controls
        () => run(() => String.fromCharCode(pick([int(0, 0x1f), 0x7f, int(0x80, 0x9f)])), 1, 3),  // C0, DEL, C1, NUL
        () => String.fromCharCode(int(0xd800, 0xdfff)),                            // a lone surrogate
        () => run(() => char(0x4e00, 0x9fff), 1, 6),                               // CJK
        () => run(() => char(0xac00, 0xd7a3), 1, 4),                               // Hangul
        () => run(() => char(0x3041, 0x30ff), 1, 6),                               // kana
        () => run(() => char(0x1d400, 0x1d7ff), 1, 5),                             // astral letters
        () => pick(['\ufffe', '\uffff', '\u{10ffff}', '\ue000', '\ufffd', '\u0000']),
        () => run(() => char(0x30, 0x39), 1, 12),                                  // digits
        () => pick(PAYLOADS),
        () => pick(['İ', 'ß', 'ǅ', 'ﬃ', 'Σ', 'ΐ']),                               // changes length when lowercased
      ];
      return (index) => {
        // one stream per string: string i is reproducible on its own
        state = (Math.imul(seed, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
        const kind = next();
        if (kind < 0.02) return '';
        if (kind < 0.06) return run(() => pick(WHITESPACE), 1, 8);
        if (kind < 0.07) return run(() => char(0x61, 0x7a), 200, 6000);           // one very long word
        if (kind < 0.075) return run(() => pick(EMOJI), 200, 1500);                // a long run of emoji
        const parts = [];
        for (let i = int(1, 30); i > 0; i -= 1) {
          parts.push(pick(PIECES)());
          const gap = next();
          if (gap < 0.6) parts.push(' ');
          else if (gap < 0.75) parts.push(pick(WHITESPACE));
        }
        return parts.join('');
      };
    }
    window.unicodeStrings = generator;
  }

  // In the page: strings [start, start + count) of stream `seed` through the page's own pipeline -
  // Spotlight.tokenize, Engine.compute (embedTokens, forward, trace) on the page's module code, a
  // Heatmap drawn on a canvas - with settings varied per string. Returns the problems found.
  function runPipeline({ seed, start, count }) {
    const Spotlight = window.Spotlight;
    const { settings: config } = Spotlight;
    if (!window.pipeline) {
      window.pipeline = window.createAttentionModule().then((module) => ({
        engine: new Spotlight.Engine(module),
        heatmap: new Spotlight.Heatmap(document.createElement('canvas'), { fixedSize: 300 }),
      }));
    }
    return window.pipeline.then(({ engine, heatmap }) => {
      const strings = window.unicodeStrings(seed);
      const problems = [];
      const shown = (text) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
      for (let i = start; i < start + count; i += 1) {
        const text = strings(i);
        const mode = i % 3 === 0 ? 'char' : 'word';
        const lowercase = i % 5 === 0;
        const where = `string ${i} (${mode}${lowercase ? ', lowercase' : ''}) ${shown(text)}`;
        try {
          const { tokens, total } = Spotlight.tokenize(text, { mode, lowercase, limit: config.MAX_TOKENS });
          const source = lowercase ? text.toLowerCase() : text;
          if (tokens.length !== Math.min(total, config.MAX_TOKENS)) problems.push(`${where}: ${tokens.length} of ${total} tokens`);
          if (tokens.some((token) => typeof token !== 'string' || token === '')) problems.push(`${where}: an empty token`);
          // The tokens cover the text: in word mode all but whitespace, in order; in character mode
          // every grapheme but line breaks and tabs, with a space shown as ␣.
          const joined = tokens.join('');
          const covered = mode === 'word'
            ? [joined.replace(/\s/g, ''), source.replace(/\s/g, '')]
            : [tokens.map((t) => (t === '␣' ? ' ' : t)).join(''), source.replace(/[\n\r\t]/g, '')];
          if (total <= config.MAX_TOKENS ? covered[0] !== covered[1] : !covered[1].startsWith(covered[0])) {
            problems.push(`${where}: the tokens do not cover the text`);
          }
          if (tokens.length === 0) continue;
          const settings = Object.assign({}, config.DEFAULTS, {
            embedDim: i % 2 === 0 ? 16 : 64, numHeads: i % 2 === 0 ? 2 : 4, seed: i % 7, causal: i % 4 === 1,
            scaled: i % 6 !== 5, temperature: [0.5, 1, 2][i % 3], positional: i % 8 !== 3,
            headPatterns: i % 10 === 0 ? ['previous_token', 'local_window'] : [],
          });
          const result = engine.compute(tokens, settings);
          const n = tokens.length;
          if (result.n !== n || result.weights.length !== settings.numHeads) problems.push(`${where}: wrong shape`);
          if (!result.output.every(Number.isFinite)) problems.push(`${where}: non-finite output`);
          for (const head of result.weights) {
            if (!head.every(Number.isFinite)) problems.push(`${where}: non-finite weights`);
            for (let row = 0; row < n; row += Math.max(1, Math.floor(n / 8))) {
              let sum = 0;
              for (let col = 0; col < n; col += 1) sum += head[row * n + col];
              if (Math.abs(sum - 1) > 1e-4) problems.push(`${where}: row ${row} sums to ${sum}`);
            }
          }
          heatmap.draw(result.weights[0], tokens, tokens, 1);
        } catch (error) {
          problems.push(`${where}: ${error && error.message}`);
        }
      }
      return problems;
    });
  }

  const UNICODE_SEED = 20240607;

  // The random inputs below are shared out between the engines the run tests: with both, each
  // takes its own half (Chromium the first), so that every input runs once, in one engine, and the
  // suite takes half the time; an engine tested alone (BROWSER_ENGINES) takes them all. Every kind
  // of input the generators make still reaches both engines.
  const share = (count) => {
    const index = harness.ENGINES.indexOf(shared.engine);
    const per = Math.ceil(count / harness.ENGINES.length);
    return { start: index * per, end: Math.min(count, (index + 1) * per) };
  };

  test('10,000 random Unicode strings, shared out between the engines, through the page\'s pipeline: tokens cover the text, results finite, no error', async (t) => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL, { prepare: recordViolations });
    await page.evaluate(installUnicodeStrings);
    const sample = await page.evaluate((seed) => Array.from({ length: 12 }, (_, i) => window.unicodeStrings(seed)(i)),
      UNICODE_SEED);
    assert.equal(new Set(sample).size, sample.length, 'the stream varies');
    const started = Date.now();
    const found = [];
    const batch = 500;
    const mine = share(10000);
    for (let start = mine.start; start < mine.end; start += batch) {
      found.push(...await page.evaluate(runPipeline, { seed: UNICODE_SEED, start, count: Math.min(batch, mine.end - start) }));
    }
    t.diagnostic(`strings ${mine.start} to ${mine.end - 1} of the 10,000 through tokenize -> compute -> heatmap in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(found, [], found.slice(0, 20).join('\n'));
    assert.deepEqual(await violations(page), []);
    assertNoProblems(problems);
    await context.close();
  });

  // In the page: strings of stream `seed` typed into the real text box (its value set and an input
  // event sent, as typing does), each checked once the page has recomputed: the chips hold the
  // tokens as text and nothing else, nothing was injected, no canary ran, the view is finite.
  function typeIntoPage({ seed, start, count }) {
    const strings = window.unicodeStrings(seed);
    const box = document.getElementById('text');
    const dangerous = () => document.querySelectorAll('img, script, iframe, object, embed, base, form, meta').length;
    const before = dangerous();
    const problems = [];
    const idle = () => new Promise((resolve) => {
      const poll = () => (window.attentionSpotlight.snapshot({ values: false }).pending ? setTimeout(poll, 5) : resolve());
      setTimeout(poll, 0);
    });
    const typeOne = async (i) => {
      const text = strings(i);
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await idle();
      const where = `string ${i} ${JSON.stringify(text.slice(0, 60))}`;
      const snapshot = window.attentionSpotlight.snapshot();
      const chips = Array.from(document.querySelectorAll('#tokens > li'));
      const chipTexts = chips.map((chip) => chip.querySelector('.token-text').textContent);
      if (snapshot.settings.text !== box.value) problems.push(`${where}: the page did not take the text`);
      if (JSON.stringify(chipTexts) !== JSON.stringify(snapshot.tokens)) problems.push(`${where}: chips differ from tokens`);
      if (document.querySelectorAll('#tokens *').length !== 3 * chips.length) problems.push(`${where}: markup in the chips`);
      if (dangerous() !== before) problems.push(`${where}: an element was injected`);
      if (window.pwned !== undefined) problems.push(`${where}: a payload ran`);
      if (snapshot.n !== snapshot.tokens.length) problems.push(`${where}: n ${snapshot.n} for ${snapshot.tokens.length} tokens`);
      if (snapshot.n > 0 && !snapshot.heatmap.values.every(Number.isFinite)) problems.push(`${where}: non-finite heatmap`);
      if (snapshot.n === 0 && !/Type some text/.test(document.getElementById('messages').textContent)) {
        problems.push(`${where}: no prompt for an empty text`);
      }
    };
    return (async () => {
      for (let i = start; i < start + count; i += 1) await typeOne(i);
      return problems;
    })();
  }

  test('200 of the random strings, shared out between the engines, through the real text box: chips are the tokens as text, nothing runs', async (t) => {
    const { page, context, problems } = await openPage(shared.browser, FILE_URL, { prepare: recordViolations });
    await page.evaluate(installUnicodeStrings);
    const started = Date.now();
    const found = [];
    const mine = share(100);
    for (const mode of ['word', 'char']) {
      await page.check(`input[name="mode"][value="${mode}"]`);
      const offset = mode === 'word' ? 0 : 100;
      found.push(...await page.evaluate(typeIntoPage,
        { seed: UNICODE_SEED + 1, start: offset + mine.start, count: mine.end - mine.start }));
    }
    t.diagnostic(`${2 * (mine.end - mine.start)} of the 200 strings typed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(found, [], found.slice(0, 20).join('\n'));
    assert.deepEqual(await violations(page), []);
    assertNoProblems(problems);
    await context.close();
  });

  // ---- URL fragments ----------------------------------------------------------------------------------

  // The fragment's keys the page knows (web/js/share.js); any other key must be named in a notice.
  const KNOWN_KEYS = ['text', 'mode', 'lower', 'd', 'h', 'seed', 'causal', 'scaled', 't', 'pos', 'head', 'colours',
    'heads', 'window', 'compare', 'seedB', 'tB', 'theme', 'projector'];

  // Random and malformed fragments from a seed: known and unknown keys, prototype names, random and
  // broken percent-escapes, huge values, script payloads that would set window.pwned.
  function randomFragments(seed, count) {
    let state = seed >>> 0;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const int = (low, high) => low + Math.floor(next() * (high - low + 1));
    const pick = (list) => list[int(0, list.length - 1)];
    const PROTOTYPE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
    const PAYLOADS = ['<script>window.pwned=true</script>', '"><img src=x onerror=window.pwned=true>',
      'javascript:window.pwned=true', "';window.pwned=true;//", '${window.pwned=true}', '<svg onload=window.pwned=true>',
      '</textarea><img src=x onerror=window.pwned=true>'];
    const randomBytes = () => Array.from({ length: int(1, 24) },
      () => `%${int(0, 255).toString(16).padStart(2, '0').toUpperCase()}`).join('');
    const brokenEscapes = () => pick(['%', '%E', '%E0%A4', '%ZZ', '%%%', '%u0041', '%C0%80', '%ED%A0%80', '%F4%90%80%80']);
    const values = [
      randomBytes, brokenEscapes, () => pick(PAYLOADS), () => encodeURIComponent(pick(PAYLOADS)), () => pick(PROTOTYPE),
      () => pick(['9'.repeat(400), '1e999', '-0', '0x40', ' 64', '64 ', '6.4e1', 'Infinity', 'NaN', '-1', '1.5', '']),
      () => pick(['word', 'char', 'mean', 'max', 'auto', 'dark', 'stretch', 'causal', 'previous_token,uniform', '0', '1', '2', '64', '8']),
      () => encodeURIComponent(pick(['🙂 👨‍👩‍👧‍👦 🇫🇷', 'مرحبا بالعالم', 'שלום', '\u202eevil', 'a\u0000b', '猫が好き'])),
      () => 'a'.repeat(pick([10, 1000, 100001])),
      () => 'x+'.repeat(pick([3, 300, 1500])),
      () => String.fromCharCode(...Array.from({ length: int(1, 12) }, () => int(0x21, 0x7e))),
    ];
    const keys = [() => pick(KNOWN_KEYS), () => pick(KNOWN_KEYS), () => pick(KNOWN_KEYS), () => pick(PROTOTYPE),
      randomBytes, brokenEscapes,
      () => String.fromCharCode(...Array.from({ length: int(1, 6) }, () => int(0x61, 0x7a))), () => ''];
    const fragments = [];
    for (let i = 0; i < count; i += 1) {
      if (next() < 0.1) {
        fragments.push(`#${pick(values)()}`);  // not key=value at all
        continue;
      }
      const pairs = Array.from({ length: int(1, 6) }, () => `${pick(keys)()}${next() < 0.9 ? '=' : ''}${pick(values)()}`);
      fragments.push(`#${pairs.join(pick(['&', '&', '&&', ';', '&=&']))}`);
    }
    return fragments;
  }

  // Installs window.applyFragment(fragment, knownKeys): applies `fragment` as a link would
  // (location.hash; '' for the one the page was opened with), waits for the recompute, and returns
  // what the page made of it.
  function installFragmentProbe() {
    const dangerous = () => document.querySelectorAll('img, script, iframe, object, embed, base, form, meta').length;
    const cleanCount = dangerous();
    function inspect(fragment, knownKeys) {
      const snapshot = window.attentionSpotlight.snapshot({ values: false });
      const s = snapshot.settings;
      const config = window.Spotlight.settings;
      // The keys as the page reads them (share.js): URLSearchParams of the fragment without its '#'.
      const keys = Array.from(new URLSearchParams(fragment.replace(/^#/, '')).keys());
      return {
        unknownKeys: keys.filter((key) => !knownKeys.includes(key)),
        linkProblems: snapshot.linkProblems,
        notice: /This link had settings that were ignored/.test(document.getElementById('messages').textContent),
        injected: dangerous() - cleanCount,
        pwned: window.pwned !== undefined,
        consistent: snapshot.n === snapshot.tokens.length,
        valid: config.EMBED_DIMS.includes(s.embedDim) && s.embedDim % s.numHeads === 0 &&
          Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= 2147483647 &&
          s.temperature >= 0.1 && s.temperature <= 10 && ['word', 'char'].includes(s.mode) &&
          typeof s.text === 'string' && s.text.length <= 100000 &&
          (s.head === 'mean' || s.head === 'max' || (Number.isInteger(s.head) && s.head < s.numHeads)),
      };
    }
    const idle = () => new Promise((resolve) => {
      const poll = () => (window.attentionSpotlight.snapshot({ values: false }).pending ? setTimeout(poll, 5) : resolve());
      poll();
    });
    window.applyFragment = (fragment, knownKeys, opened) => new Promise((resolve) => {
      const done = () => idle().then(() => resolve(inspect(fragment, knownKeys)));
      if (opened) {
        done();
        return;
      }
      // No hashchange when the fragment is the current one: then there is nothing to wait for.
      const timer = setTimeout(done, 300);
      window.addEventListener('hashchange', () => {
        clearTimeout(timer);
        setTimeout(done, 0);
      }, { once: true });
      location.hash = fragment;
    });
  }

  function checkFragmentOutcome(fragment, outcome) {
    const where = fragment.length > 80 ? `${fragment.slice(0, 80)}…` : fragment;
    assert.equal(outcome.pwned, false, `${where}: a payload ran`);
    assert.equal(outcome.injected, 0, `${where}: an element was injected`);
    assert.ok(outcome.consistent && outcome.valid, `${where}: the page holds an invalid state`);
    if (outcome.unknownKeys.length > 0) assert.ok(outcome.linkProblems.length > 0, `${where}: no notice of unknown keys`);
    assert.equal(outcome.notice, outcome.linkProblems.length > 0, `${where}: notice shown ${outcome.notice}`);
  }

  test('320 random and malformed URL fragments, shared out between the engines: the page stays up, names what it ignored, runs nothing', async (t) => {
    const fragments = randomFragments(77, 320);
    const { page, context, problems } = await openPage(shared.browser, FILE_URL, { prepare: recordViolations });
    await page.evaluate(installFragmentProbe);
    const apply = (fragment) => page.evaluate(({ f, keys }) => window.applyFragment(f, keys), { f: fragment, keys: KNOWN_KEYS });
    let notices = 0;
    const byHashchange = share(300);
    for (const fragment of fragments.slice(byHashchange.start, byHashchange.end)) {
      const outcome = await apply(fragment);
      checkFragmentOutcome(fragment, outcome);
      if (outcome.notice) notices += 1;
    }
    t.diagnostic(`fragments ${byHashchange.start} to ${byHashchange.end - 1} of the 300 by hashchange, ${notices} with a notice`);
    const recovered = await apply('#text=all+is+well&causal=1');
    assert.deepEqual(recovered.linkProblems, []);
    const result = await computed(page);
    assert.deepEqual(result.tokens, ['all', 'is', 'well'], 'a good link after all that still works');
    assert.ok(result.finite && result.worstRow < 1e-5);
    assert.deepEqual(await violations(page), []);
    assertNoProblems(problems);
    await context.close();

    // The rest as the link the page is opened with.
    const opened20 = share(20);
    for (const fragment of fragments.slice(300 + opened20.start, 300 + opened20.end)) {
      const opened = await openPage(shared.browser, withRandom(harness.FILE_URL, fragment), { prepare: recordViolations });
      await opened.page.evaluate(installFragmentProbe);
      const outcome = await opened.page.evaluate(({ f, keys }) => window.applyFragment(f, keys, true),
        { f: fragment, keys: KNOWN_KEYS });
      checkFragmentOutcome(fragment, outcome);
      assert.deepEqual(await violations(opened.page), [], fragment.slice(0, 80));
      assertNoProblems(opened.problems);
      await opened.context.close();
    }
  });
});
