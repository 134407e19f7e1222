#include "base/errors.h"

#include <algorithm>
#include <cmath>

#include "base/simd.h"

namespace spotlight {

namespace {

// Whether values[0 .. count - 1] are all finite: x * 0 + 0 is 0 for a finite x and NaN for NaN
// and +-Inf, and NaN survives the sum. Vectorised, as every input passes here.
bool all_finite(const float* values, Index count) {
  const simd::Float4 zero = simd::broadcast(0.0f);
  simd::Float4 sum = zero;
  Index i = 0;
  for (; i + 4 <= count; i += 4) sum = simd::multiply_add(simd::load(values + i), zero, sum);
  float lanes[4];
  simd::store(lanes, sum);
  float total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < count; ++i) total += values[i] * 0.0f;
  return total == 0.0f;
}

}  // namespace

void require_finite(const MatrixView& values, const char* name) {
  for (Index row = 0; row < values.rows(); ++row) {
    if (all_finite(values.row(row).data(), values.cols())) continue;
    for (Index col = 0; col < values.cols(); ++col) {
      const float value = values(row, col);
      require(std::isfinite(value), name, " has a non-finite value ", value, " at (", row, ", ", col,
              "); inputs must be finite numbers");
    }
  }
}

namespace {

// values[0]^2 + ... + values[count - 1]^2 in float, vectorised; +inf when it overflows.
float squared_norm(const float* values, Index count) {
  simd::Float4 sum = simd::broadcast(0.0f);
  Index i = 0;
  for (; i + 4 <= count; i += 4) {
    const simd::Float4 x = simd::load(values + i);
    sum = simd::multiply_add(x, x, sum);
  }
  float lanes[4];
  simd::store(lanes, sum);
  float total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < count; ++i) total += values[i] * values[i];
  return total;
}

}  // namespace

double max_row_norm(const MatrixView& values) {
  double largest = 0.0;
  for (Index row = 0; row < values.rows(); ++row) {
    // In float first, as every input passes here: a float sum of `count` squares is within
    // count * 2^-24 of the exact one, so the bound is widened by that. That holds only while no
    // square leaves float's range: past FLT_MAX the sum is inf, and below FLT_MIN a square
    // loses its digits or becomes 0 (1e-30 squared is 0 in float), which would make the bound
    // too small - a row of such values looked like a zero row, and its scores escaped the range
    // check. Each square below FLT_MIN is off by at most FLT_MIN (1.2e-38), so a float sum of at
    // least min_trusted_in_float (2^-60) is still within a relative count * 1.4e-20 of the exact
    // one, inside the widening. Anything else - inputs near float's limits, where the bound
    // decides - is summed again in double, where neither can happen.
    constexpr float min_trusted_in_float = 0x1p-60f;
    const float in_float = squared_norm(values.row(row).data(), values.cols());
    const double widen = 1.0 + 6e-8 * static_cast<double>(values.cols());
    const bool trusted = std::isfinite(in_float) && (in_float >= min_trusted_in_float);
    const double squared = trusted ? static_cast<double>(in_float) * widen
                                   : values.row(row).cast<double>().squaredNorm();
    largest = std::max(largest, squared);
  }
  return std::sqrt(largest);
}

double max_column_norm(const MatrixView& values) {
  Eigen::RowVectorXd squared_norms = Eigen::RowVectorXd::Zero(values.cols());
  for (Index row = 0; row < values.rows(); ++row) {
    squared_norms += values.row(row).cast<double>().cwiseAbs2();
  }
  return values.cols() == 0 ? 0.0 : std::sqrt(squared_norms.maxCoeff());
}

double max_magnitude(const MatrixView& values) {
  const simd::Float4 zero = simd::broadcast(0.0f);
  simd::Float4 largest4 = zero;
  float largest = 0.0f;
  for (Index row = 0; row < values.rows(); ++row) {
    const float* x = values.row(row).data();
    Index i = 0;
    for (; i + 4 <= values.cols(); i += 4) {
      const simd::Float4 value = simd::load(x + i);
      largest4 = simd::max(largest4, simd::max(value, simd::subtract(zero, value)));  // |value|
    }
    for (; i < values.cols(); ++i) largest = std::max(largest, std::abs(x[i]));
  }
  float lanes[4];
  simd::store(lanes, largest4);
  largest = std::max({largest, lanes[0], lanes[1], lanes[2], lanes[3]});
  return static_cast<double>(largest);
}

int power_of_two_to_fit(double bound, double limit) {
  if (bound <= limit) return 0;
  int exponent = 0;
  std::frexp(bound / limit, &exponent);  // bound / limit = m 2^exponent with m in [0.5, 1)
  return exponent;
}

void require_shape(const MatrixView& values, const char* name, Index expected_cols,
                   const char* cols_name) {
  require(values.rows() > 0, name, " is an empty sequence (0 rows); at least one token is needed");
  require(values.cols() == expected_cols, name, " has ", values.cols(), " columns, expected ",
          cols_name, " = ", expected_cols);
}

}  // namespace spotlight
