// docs/slides.md renders with marp-cli into one HTML file that needs no network: no external
// script, style, font or image, so it shows in a room without internet as the page does. The
// rendering keeps every live-demo link to the page. (tests/browser/docs-links.test.js opens the
// rendered deck in Chromium and checks that it requests nothing outside its folder.)
'use strict';
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert/strict');
const { ROOT, pageLinks } = require('./markdown');
const { renderSlides } = require('../../docs/render-slides');

const OUTPUT = path.join(ROOT, 'build', 'docs', 'slides');

let html = '';
test.before(() => {
  fs.rmSync(OUTPUT, { recursive: true, force: true });
  html = fs.readFileSync(renderSlides(OUTPUT), 'utf8');
});

test('the slides render to HTML with 20 to 30 slides for a 45-minute session', () => {
  const slides = html.match(/<section\b[^>]*\bid="\d+"/g) || [];
  assert.ok(slides.length >= 20 && slides.length <= 30, `${slides.length} slides`);
});

test('the rendered slides load nothing from outside: no external src, href, url() or @import', () => {
  const external = [
    ...html.matchAll(/\b(?:src|href|srcset|poster|data|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*/gi),
    ...html.matchAll(/url\(\s*["']?\s*(?:https?:)?\/\/[^)]*\)/gi),
    ...html.matchAll(/@import\b[^;]*;/gi),
  ].map((match) => match[0]);
  assert.deepEqual(external, []);
});

test('every image of the slides is rendered beside them', () => {
  const images = [...html.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]);
  for (const source of images) {
    assert.ok(!/^[a-z]+:/i.test(source), `${source} is not a relative path`);
    assert.ok(fs.existsSync(path.join(OUTPUT, decodeURI(source))), `${source} is missing beside the slides`);
  }
});

test('the rendered slides keep every live-demo link of docs/slides.md, unchanged', () => {
  const decode = (href) => href.replace(/&amp;/g, '&');
  const rendered = [...html.matchAll(/<a\b[^>]*\bhref="([^"]*index\.html#[^"]*)"/g)].map((match) => decode(match[1]));
  const source = pageLinks('docs/slides.md').map((link) => link.href);
  assert.deepEqual(rendered, source);
});
