// The harness itself, without a browser: both engines' adapters offer the same API (so a test
// written against one runs in the other), and typed arrays survive Firefox's evaluate.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { adapters, encodeTypedArrays, decodeTypedArrays, ENGINES } = require('./harness');

const methods = (cls) => Object.getOwnPropertyNames(cls.prototype).filter((name) => name !== 'constructor').sort();

for (const kind of ['Browser', 'Context', 'Page', 'Locator']) {
  test(`the Chromium and Firefox ${kind.toLowerCase()} adapters have the same methods`, () => {
    assert.deepEqual(methods(adapters[`Firefox${kind}`]), methods(adapters[`Chromium${kind}`]));
  });
}

test('typed arrays are tagged in the page and rebuilt in Node, other values untouched', () => {
  const value = { a: new Float32Array([1, 2.5]), b: [new Int32Array([-3]), 'x', null, undefined, NaN],
    c: { d: new Uint8Array([255]) }, e: new Date(0) };
  const encoded = encodeTypedArrays(value);
  assert.equal(encoded.a.values.length, 2);
  assert.ok(value.a instanceof Float32Array, 'the original is not changed');
  assert.deepEqual(decodeTypedArrays(JSON.parse(JSON.stringify(encoded))).c, { d: new Uint8Array([255]) });
  const decoded = decodeTypedArrays(encoded);
  assert.deepEqual(decoded.a, new Float32Array([1, 2.5]));
  assert.deepEqual(decoded.b, [new Int32Array([-3]), 'x', null, undefined, NaN]);
  assert.deepEqual(decoded.e, new Date(0));
});

test('BROWSER_ENGINES names known engines only', () => {
  assert.ok(ENGINES.length > 0 && ENGINES.every((engine) => ['chromium', 'firefox'].includes(engine)));
});
