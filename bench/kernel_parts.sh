#!/usr/bin/env bash
# Builds bench/kernel_parts.cpp with the module's compiler flags and runs it in Node.js, then
# natively with g++ -O3 for plain x86-64 (SSE2: 4-wide, no FMA, as wasm SIMD128): the breakdown of
# the tiled kernel's time behind docs/performance.md's "ceiling" section.
#   bench/kernel_parts.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NODE_PATH=/usr/share/nodejs  # Emscripten 3.1.6's optimiser needs Debian's acorn
out=build/kernel-parts
mkdir -p "$out"
em++ -std=c++17 -O3 -msimd128 -fwasm-exceptions -DNDEBUG -I src/core -I /usr/include/eigen3 \
  bench/kernel_parts.cpp src/core/*.cpp -o "$out/kernel_parts.js"
echo "== wasm SIMD128 in Node.js"
node --no-experimental-fetch "$out/kernel_parts.js"
g++ -std=c++17 -O3 -DNDEBUG -I src/core -I /usr/include/eigen3 bench/kernel_parts.cpp src/core/*.cpp \
  -o "$out/kernel_parts_native"
echo "== native, x86-64 baseline (SSE2)"
"$out/kernel_parts_native"
