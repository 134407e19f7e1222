#!/usr/bin/env bash
# Builds the wasm module with each exception mode and optimisation level, and prints its size
# (raw and gzipped) and forward() medians in Node.js: the measurement behind the choice of
# -fwasm-exceptions and -O3 in CMakeLists.txt.
#   bench/wasm_build_options.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NODE_PATH=/usr/share/nodejs  # Emscripten 3.1.6's optimiser needs Debian's acorn
out=build/wasm-options
for exceptions in -fwasm-exceptions -fexceptions; do
  for optimize in -O3 -Os; do
    name="${exceptions#-f}${optimize}"
    dir="$out/$name"
    emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release \
      -DSPOTLIGHT_WASM_EXCEPTIONS="$exceptions" -DSPOTLIGHT_WASM_OPTIMIZE="$optimize" \
      -DSPOTLIGHT_WASM_OUTPUT_DIR="$PWD/$dir/out" >/dev/null
    cmake --build "$dir" -j "$(nproc)" >/dev/null
    module="$dir/out/attention.js"
    printf '%-22s %8d bytes %8d gzipped  ' "$name" "$(wc -c <"$module")" "$(gzip -9c "$module" | wc -c)"
    node bench/forward_timing.js "$module" 5
  done
done
