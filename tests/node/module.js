// Loads the built module once per test file. SPOTLIGHT_MODULE overrides the path.
//
// The products' kernel path (src/wasm/kernel_paths.js) is SPOTLIGHT_SIMD's: "relaxed-simd" by
// default, required rather than merely preferred, so that a build or an engine without it fails
// here instead of quietly testing the other path; ./build.sh test runs the suite a second time with
// SPOTLIGHT_SIMD=simd128. Node.js 20 validates relaxed SIMD only behind a V8 flag, set here before
// any module is compiled.
'use strict';
const path = require('path');

require('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
const simdPath = process.env.SPOTLIGHT_SIMD || 'relaxed-simd';

const modulePath = process.env.SPOTLIGHT_MODULE ||
  path.join(__dirname, '..', '..', 'web', 'generated', 'attention.js');

let loading = null;
function loadModule() {
  if (!loading) loading = require(modulePath)({ simd: simdPath });
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

module.exports = { loadModule, modulePath, simdPath, randomFloats, maxAbsDifference };
