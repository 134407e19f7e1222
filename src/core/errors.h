// Input validation for the core. Every rejected input raises std::invalid_argument whose message
// names the problem and the values seen, e.g. "embed_dim 10 is not divisible by num_heads 4".
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include "matrix.h"

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

// Rejects NaN and +-Inf, naming the first offending cell.
void require_finite(const MatrixView& values, const char* name);

// Rejects an empty matrix or one whose width is not `expected_cols`.
void require_shape(const MatrixView& values, const char* name, Index expected_cols,
                   const char* cols_name);

}  // namespace spotlight
