// The page's scripts stay split by concern (README.md, "Folders"): no hand-written script of web/js
// passes 400 lines, and each opens with a comment saying what it holds. The generated module
// (web/generated) is not hand-written and is not counted.
'use strict';

const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { test } = require('node:test');

const JS = path.join(__dirname, '..', '..', 'web', 'js');
const MAX_LINES = 400;

function scripts(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return scripts(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

test(`page scripts: none of web/js passes ${MAX_LINES} lines, and each says what it holds`, () => {
  const found = scripts(JS);
  assert.ok(found.length >= 20, `only ${found.length} scripts found in ${JS}`);
  for (const file of found) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const name = path.relative(JS, file);
    assert.ok(lines <= MAX_LINES, `web/js/${name} has ${lines} lines; split it by concern (at most ${MAX_LINES})`);
    assert.match(text, /^\/\/ \S/, `web/js/${name} does not open with a comment saying what it holds`);
  }
});

test('page scripts: every script of web/js is loaded by index.html, and every one it loads exists', () => {
  const html = fs.readFileSync(path.join(JS, '..', 'index.html'), 'utf8');
  const loaded = [...html.matchAll(/<script src="js\/([^"]+)"/g)].map((match) => match[1]);
  const present = scripts(JS).map((file) => path.relative(JS, file).split(path.sep).join('/'));
  const unloaded = present.filter((name) => !loaded.includes(name));
  assert.deepStrictEqual(unloaded, [], `scripts index.html does not load: ${unloaded.join(', ')}`);
  for (const name of loaded) assert.ok(present.includes(name), `index.html loads js/${name}, which does not exist`);
});
