#!/usr/bin/env bash
# Compiles bench/relaxed_simd_probe.c with -mrelaxed-simd and asks Node.js's V8 (with relaxed SIMD
# switched on) and headless Chromium to compile it: the measurement behind docs/performance.md's
# note that Emscripten 3.1.6 (LLVM 14) emits pre-standard relaxed-SIMD opcodes that engines reject.
#   bench/relaxed_simd_probe.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NODE_PATH=/usr/share/nodejs
out=build/relaxed-simd
mkdir -p "$out"
emcc -O2 -msimd128 -mrelaxed-simd --no-entry bench/relaxed_simd_probe.c -o "$out/probe.wasm"
echo "FMA encoding in the binary (0xfd prefix, then the opcode as LEB128; the standard relaxed_madd is 0x105 = 85 02):"
od -An -tx1 -v "$out/probe.wasm" | tr -s ' \n' ' ' | grep -oE 'fd [0-9a-f]{2} 0[0-9a-f]' | sort | uniq -c
node --experimental-wasm-relaxed-simd -e "
const bytes = require('fs').readFileSync('$out/probe.wasm');
WebAssembly.compile(bytes).then(() => console.log('Node.js ' + process.version + ': compiles'),
  (error) => console.log('Node.js ' + process.version + ': ' + error.message));"
node -e "
const { launch } = require('./tests/browser/harness');
(async () => {
  const browser = await launch();
  const page = await browser.newPage();
  const bytes = Array.from(require('fs').readFileSync('$out/probe.wasm'));
  const result = await page.evaluate((b) => WebAssembly.compile(new Uint8Array(b)).then(() => 'compiles', (e) => e.message), bytes);
  console.log('Chromium ' + browser.version() + ': ' + result);
  await browser.close();
})();"
