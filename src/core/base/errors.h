// Input validation for the core. Every rejected input raises std::invalid_argument whose message
// names the problem and the values seen, e.g. "embed_dim 10 is not divisible by num_heads 4".
//
// Float range: NaN and +-Inf never enter the core (require_finite) and never leave it. A product
// whose magnitude could pass float_range_limit is either rescaled by a power of two, which is
// exact, or rejected before it is computed, with a message giving the bound and the values that
// make it (attention.h, multi_head.h). The bounds come from the Cauchy-Schwarz inequality,
// |x . y| <= |x| |y|, evaluated in double, so they never overflow themselves.
#pragma once

#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "base/matrix.h"

namespace spotlight {

template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

template <typename... Parts>
void require(bool condition, const Parts&... message) {
  if (!condition) throw std::invalid_argument(concat(message...));
}

// Half of float's largest value (3.4e38): a sum whose exact value stays below it cannot round past
// float's largest value, as every sum's rounding error is far smaller than a factor of 2.
inline constexpr double float_range_limit =
    0.5 * static_cast<double>(std::numeric_limits<float>::max());

// Rejects NaN and +-Inf, naming the first offending cell.
void require_finite(const MatrixView& values, const char* name);

// The largest Euclidean length of a row, of a column, and the largest |value| of `values`, in
// double; 0 for an empty matrix.
double max_row_norm(const MatrixView& values);
double max_column_norm(const MatrixView& values);
double max_magnitude(const MatrixView& values);

// Rejects a computation whose results can reach `bound` in magnitude, when bound passes
// float_range_limit: "<what> can reach <bound> in magnitude, beyond float's range ...<why>".
template <typename... Why>
void require_in_float_range(double bound, const char* what, const Why&... why) {
  require(bound <= float_range_limit, what, " can reach ", bound,
          " in magnitude, beyond float's range (results must stay below ", float_range_limit, ")",
          why...);
}

// The power of two that brings `bound` into range: s = 0 when bound <= limit, else the s with
// bound * 2^-s <= limit <= bound * 2^(1-s).
int power_of_two_to_fit(double bound, double limit);

// Rejects an empty matrix or one whose width is not `expected_cols`.
void require_shape(const MatrixView& values, const char* name, Index expected_cols,
                   const char* cols_name);

}  // namespace spotlight
