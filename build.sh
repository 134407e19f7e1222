#!/usr/bin/env bash
# Attention Spotlight: one script for setting up, building and testing.
#
#   ./build.sh          install what is missing, build (the main job)
#   ./build.sh test     install what is missing, build, run every test (native and sanitizer builds)
#   ./build.sh help     this text
#
# Needs Debian 12 (or a Debian-like system with apt-get); installing packages needs root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

readonly NATIVE_PACKAGES=(cmake make g++ libeigen3-dev catch2)
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

run_native_tests() {
  log "native tests (Release)"
  ctest --test-dir build/native --output-on-failure -j "$JOBS"

  configure_and_build build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPOTLIGHT_SANITIZE=ON
  log "native tests under AddressSanitizer and UndefinedBehaviorSanitizer"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/sanitize --output-on-failure -j "$JOBS"
}

main() {
  local command=${1:-build}
  case "$command" in
    build)
      ensure_packages "${NATIVE_PACKAGES[@]}"
      build_native
      log "built: the core library and its tests are in build/native; run ./build.sh test to test"
      ;;
    test)
      ensure_packages "${NATIVE_PACKAGES[@]}"
      build_native
      run_native_tests
      log "all tests passed"
      ;;
    help | -h | --help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      ;;
    *)
      echo "error: unknown command '$command'; expected one of: (none), test, help" >&2
      exit 2
      ;;
  esac
}

main "$@"
