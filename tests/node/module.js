// Loads the built module once per test file. SPOTLIGHT_MODULE overrides the path.
'use strict';
const path = require('path');

const modulePath = process.env.SPOTLIGHT_MODULE ||
  path.join(__dirname, '..', '..', 'web', 'generated', 'attention.js');

let loading = null;
function loadModule() {
  if (!loading) loading = require(modulePath)();
  return loading;
}

// Deterministic pseudo-random floats in [-1, 1) for test inputs.
function randomFloats(count, seed) {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

function maxAbsDifference(a, b) {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

module.exports = { loadModule, modulePath, randomFloats, maxAbsDifference };
