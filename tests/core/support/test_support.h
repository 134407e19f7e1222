// Shared helpers of the native tests: random inputs, a matrix comparison that reports the failing
// cell, and the reader of the golden fixture files written by tests/golden/make_fixtures.py.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/matrix.h"
#include "reference.h"

namespace test_support {

// True in a build under AddressSanitizer (./build.sh test's build/sanitize), where the slowest
// sweeps run a sample of their cases: instrumented, they take minutes, and the sanitizers look
// for memory errors and undefined behaviour, which the same code paths on smaller inputs reach as
// well. The Release build runs every case.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool under_sanitizers = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool under_sanitizers = true;
#else
constexpr bool under_sanitizers = false;
#endif
#else
constexpr bool under_sanitizers = false;
#endif

// (rows, cols) uniform in [-limit, limit), deterministic in `seed`.
spotlight::Matrix random_matrix(spotlight::Index rows, spotlight::Index cols, std::uint64_t seed,
                                float limit = 1.0f);

// Every cell satisfies |actual - expected| <= margin + relative * |expected|; on failure the
// first offending cell (row, col) and both values are reported.
void require_close(const spotlight::MatrixView& actual, const reference::Dense& expected,
                   double relative, double margin);

// A fixture file: named 2-D tensors. Format, one tensor after another:
//   name rows cols
//   rows*cols numbers, row-major, whitespace-separated
// Lines starting with '#' are comments.
using Fixture = std::map<std::string, reference::Dense>;
Fixture load_fixture(const std::string& file_name);  // relative to tests/golden
Fixture load_fixture_file(const std::string& path);

// A whole file's bytes (the tests' checkpoints).
std::string read_file(const std::string& path);

}  // namespace test_support
