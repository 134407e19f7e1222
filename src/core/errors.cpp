#include "errors.h"

#include <cmath>

namespace spotlight {

void require_finite(const MatrixView& values, const char* name) {
  for (Index row = 0; row < values.rows(); ++row) {
    for (Index col = 0; col < values.cols(); ++col) {
      const float value = values(row, col);
      require(std::isfinite(value), name, " has a non-finite value ", value, " at (", row, ", ", col,
              "); inputs must be finite numbers");
    }
  }
}

void require_shape(const MatrixView& values, const char* name, Index expected_cols,
                   const char* cols_name) {
  require(values.rows() > 0, name, " is an empty sequence (0 rows); at least one token is needed");
  require(values.cols() == expected_cols, name, " has ", values.cols(), " columns, expected ",
          cols_name, " = ", expected_cols);
}

}  // namespace spotlight
