#include "softmax.h"

#include <cmath>
#include <limits>

namespace spotlight {

void softmax_rows(Matrix& scores) {
  for (Index row = 0; row < scores.rows(); ++row) {
    auto logits = scores.row(row);

    // pass 1: the row max, so that exp never sees a positive argument
    const float row_max = logits.maxCoeff();
    if (row_max == -std::numeric_limits<float>::infinity()) {
      logits.setZero();  // every key masked: documented as all zeros
      continue;
    }

    // pass 2: exp and sum (masked entries: exp(-inf) = 0 exactly)
    float sum = 0.0f;
    for (Index col = 0; col < logits.size(); ++col) {
      logits(col) = std::exp(logits(col) - row_max);
      sum += logits(col);
    }

    // pass 3: normalise (sum >= 1 because the max entry contributes exp(0) = 1)
    logits /= sum;
  }
}

}  // namespace spotlight
