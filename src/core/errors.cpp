#include "errors.h"

#include <algorithm>
#include <cmath>

#include "simd.h"

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

double max_row_norm(const MatrixView& values) {
  double largest = 0.0;
  for (Index row = 0; row < values.rows(); ++row) {
    largest = std::max(largest, values.row(row).cast<double>().squaredNorm());
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
  return values.size() == 0 ? 0.0 : static_cast<double>(values.cwiseAbs().maxCoeff());
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
