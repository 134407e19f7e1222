#include "softmax.h"

#include <cmath>
#include <limits>
#include <utility>

namespace spotlight {

namespace {

// Softmax of one row in place; returns {max, sum of exps}. Shared by both entry points so the
// teaching trace shows exactly the arithmetic the kernels do.
template <typename Row>
std::pair<float, float> softmax_row(Row&& logits) {
  // pass 1: the row max, so that exp never sees a positive argument
  const float row_max = logits.maxCoeff();
  if (row_max == -std::numeric_limits<float>::infinity()) {
    logits.setZero();  // every key masked: documented as all zeros
    return {row_max, 0.0f};
  }

  // pass 2: exp and sum (masked entries: exp(-inf) = 0 exactly)
  float sum = 0.0f;
  for (Index col = 0; col < logits.size(); ++col) {
    logits(col) = std::exp(logits(col) - row_max);
    sum += logits(col);
  }

  // pass 3: normalise (sum >= 1 because the max entry contributes exp(0) = 1)
  logits /= sum;
  return {row_max, sum};
}

}  // namespace

void softmax_rows(Matrix& scores) {
  for (Index row = 0; row < scores.rows(); ++row) softmax_row(scores.row(row));
}

SoftmaxSteps softmax_steps(const MatrixView& logits) {
  SoftmaxSteps steps;
  steps.weights = logits;
  steps.row_max.resize(logits.rows());
  steps.row_sum.resize(logits.rows());
  for (Index row = 0; row < logits.rows(); ++row) {
    const auto [row_max, row_sum] = softmax_row(steps.weights.row(row));
    steps.row_max(row) = row_max;
    steps.row_sum(row) = row_sum;
  }
  // exp(logit - max) = weight * sum, but recomputed as exp so the trace shows the real step.
  steps.exp_scores = Matrix::Zero(logits.rows(), logits.cols());
  for (Index row = 0; row < logits.rows(); ++row) {
    if (steps.row_sum(row) == 0.0f) continue;
    // select, not a bare exp: Eigen's vectorised exp(-inf) is about 1e-39, not 0 (see kernels.cpp)
    const auto row_logits = logits.row(row).array();
    steps.exp_scores.row(row) =
        (row_logits == -std::numeric_limits<float>::infinity())
            .select(0.0f, (row_logits - steps.row_max(row)).exp());
  }
  return steps;
}

}  // namespace spotlight
