#!/usr/bin/env bash
# Builds bench/bandwidth_probe.c natively (cc -O2, SSE) and as WebAssembly SIMD128 (emcc -O2
# -msimd128), then bench/bandwidth-probe.js runs it natively, in Node.js and in headless Chromium:
# the read bandwidth that bounds GPT-2's generation. Writes build/bench/gpt2-bandwidth.jsonl.
#   bench/bandwidth_probe.sh [--quick]      (./build.sh bench runs it, BENCH_ONLY=gpt2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NODE_PATH=/usr/share/nodejs  # Emscripten 3.1.6's optimiser needs Debian's acorn
out=build/bandwidth
mkdir -p "$out" build/bench
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic bench/bandwidth_probe.c -o "$out/bandwidth_probe"
# SINGLE_FILE: Node 20's fetch cannot load a .wasm by path (shared/TOOLCHAIN.md); INVOKE_RUN=0:
# bench/bandwidth-probe.js calls main with the array's size.
emcc -O2 -msimd128 -Wall -Wextra bench/bandwidth_probe.c -o "$out/bandwidth_probe.js" \
  -sMODULARIZE=1 -sEXPORT_NAME=createBandwidthProbe -sSINGLE_FILE=1 -sENVIRONMENT=node,web \
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sINVOKE_RUN=0 -sEXPORTED_RUNTIME_METHODS=callMain
node bench/bandwidth-probe.js "$out" "$@" | tee build/bench/gpt2-bandwidth.jsonl
