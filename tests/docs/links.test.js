// The documents' links: every link to the page points at web/index.html and carries a fragment
// that the page's own reader (web/js/share.js) accepts without a notice; every other relative
// link points at a file that exists. tests/browser/docs-links.test.js opens the page links in
// Chromium; this is the quick check, with share.js run in a bare JavaScript context.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const test = require('node:test');
const assert = require('node:assert/strict');
const { ROOT, WEB_PAGE, documents, read, allPageLinks } = require('./markdown');

function loadShare() {
  const context = vm.createContext({ window: {}, URLSearchParams });
  for (const script of ['namespace.js', 'settings.js', 'share.js']) {
    const file = path.join(ROOT, 'web', 'js', script);
    vm.runInContext(fs.readFileSync(file, 'utf8'), context, { filename: file });
  }
  return context.window.Spotlight;
}

const links = allPageLinks();

test('the documents link to the page with presets: README, Q&A, cheat sheet and slides', () => {
  const perDocument = {};
  for (const link of links) perDocument[link.document] = (perDocument[link.document] || 0) + 1;
  for (const document of ['README.md', 'docs/qna.md', 'docs/cheatsheet.md']) {
    assert.ok(perDocument[document] >= 1, `${document} has no link to the page`);
  }
  assert.ok(perDocument['docs/slides.md'] >= 5, `docs/slides.md has ${perDocument['docs/slides.md'] || 0} live-demo links, expected >= 5`);
});

test('every page link points at web/index.html and its fragment is accepted as it is', () => {
  const { share } = loadShare();
  for (const link of links) {
    const where = `${link.document}:${link.line} ${link.href}`;
    assert.equal(path.relative(ROOT, link.target), path.relative(ROOT, WEB_PAGE), `${where} does not point at the page`);
    const { settings: applied, problems } = share.fromFragment(`#${link.fragment}`);
    assert.deepEqual([...problems], [], `${where}: the page would ignore part of this link`);  // [...]: from the vm realm
    assert.ok(Object.keys(applied).length > 0, `${where} sets nothing`);
    // The text of a preset link is what the page will show: not empty.
    if (applied.text !== undefined) assert.ok(applied.text.trim().length > 0, `${where}: empty text`);
  }
});

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
function anchors(document) {
  const slugs = new Set();
  let inFence = false;
  for (const text of read(document).split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(text)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(text);
    if (heading) slugs.add(heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-'));
  }
  return slugs;
}

test('every relative link of the documents points at a file that exists, and its anchor at a heading', () => {
  for (const document of documents()) {
    const base = path.dirname(path.join(ROOT, document));
    let inFence = false;
    read(document).split('\n').forEach((text, index) => {
      if (/^\s*(`{3,}|~{3,})/.test(text)) inFence = !inFence;
      if (inFence) return;
      for (const match of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^()\s]+)\)/g)) {
        const href = match[1];
        if (/^[a-z]+:/i.test(href) || /index\.html#/.test(href)) continue;
        const [file, anchor] = href.split('#');
        const target = file === '' ? path.join(ROOT, document) : path.resolve(base, decodeURI(file));
        assert.ok(fs.existsSync(target), `${document}:${index + 1}: ${href} does not exist`);
        if (anchor !== undefined && target.endsWith('.md')) {
          const targetDocument = path.relative(ROOT, target);
          assert.ok(anchors(targetDocument).has(anchor), `${document}:${index + 1}: ${href}: no heading #${anchor} in ${targetDocument}`);
        }
      }
    });
  }
});
