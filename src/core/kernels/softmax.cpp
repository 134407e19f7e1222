#include "kernels/softmax.h"

#include "base/simd.h"

#include <cmath>
#include <algorithm>
#include <limits>
#include <utility>

namespace spotlight {

float exp_shifted(const float* logits, float shift, float* out, Index count) {
  const simd::Float4 shift4 = simd::broadcast(shift);
  simd::Float4 sum4 = simd::broadcast(0.0f);
  Index i = 0;
  for (; i + 4 <= count; i += 4) {
    const simd::Float4 e = simd::exp_nonpositive(simd::subtract(simd::load(logits + i), shift4));
    simd::store(out + i, e);
    sum4 = simd::add(sum4, e);
  }
  float lanes[4];
  simd::store(lanes, sum4);
  float sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  if (i < count) {  // the last 1 to 3 entries, padded with -inf (exp gives 0)
    float tail[4] = {-std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                     -std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
    for (Index j = i; j < count; ++j) tail[j - i] = logits[j];
    simd::store(tail, simd::exp_nonpositive(simd::subtract(simd::load(tail), shift4)));
    for (Index j = i; j < count; ++j) {
      out[j] = tail[j - i];
      sum += tail[j - i];
    }
  }
  return sum;
}

float row_maximum(const float* values, Index count) {
  simd::Float4 max4 = simd::broadcast(-std::numeric_limits<float>::infinity());
  Index i = 0;
  for (; i + 4 <= count; i += 4) max4 = simd::max(max4, simd::load(values + i));
  float lanes[4];
  simd::store(lanes, max4);
  float result = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  for (; i < count; ++i) result = std::max(result, values[i]);
  return result;
}

void scale_row(const float* values, float factor, float* out, Index count) {
  const simd::Float4 factor4 = simd::broadcast(factor);
  Index i = 0;
  for (; i + 4 <= count; i += 4) simd::store(out + i, simd::multiply(simd::load(values + i), factor4));
  for (; i < count; ++i) out[i] = values[i] * factor;
}

namespace {

// Softmax of one row in place; returns {max, sum of exps}. Shared by both entry points so the
// teaching trace shows exactly the arithmetic the kernels do.
template <typename Row>
std::pair<float, float> softmax_row(Row&& logits) {
  // pass 1: the row max, so that exp never sees a positive argument
  const float row_max = row_maximum(logits.data(), logits.size());
  if (row_max == -std::numeric_limits<float>::infinity()) {
    logits.setZero();  // every key masked: documented as all zeros
    return {row_max, 0.0f};
  }

  // pass 2: exp and sum (masked entries: exp(-inf) = 0 exactly)
  const float sum = exp_shifted(logits.data(), row_max, logits.data(), logits.size());

  // pass 3: normalise (sum >= 1 because the max entry contributes exp(0) = 1)
  scale_row(logits.data(), 1.0f / sum, logits.data(), logits.size());
  return {row_max, sum};
}

}  // namespace

void softmax_rows(MatrixRef scores) {
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
  const Matrix contiguous = logits;  // a view's rows need not be contiguous
  for (Index row = 0; row < logits.rows(); ++row) {
    if (steps.row_sum(row) == 0.0f) continue;
    exp_shifted(contiguous.row(row).data(), steps.row_max(row), steps.exp_scores.row(row).data(),
                logits.cols());
  }
  return steps;
}

}  // namespace spotlight
