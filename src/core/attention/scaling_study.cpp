#include "attention/scaling_study.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attention/attention.h"
#include "base/errors.h"
#include "base/random.h"

namespace spotlight {

namespace {

Matrix unit_variance_matrix(Index rows, Index cols, SplitMix64& rng) {
  const auto limit = static_cast<float>(std::sqrt(3.0));
  Matrix m(rows, cols);
  for (Index i = 0; i < rows; ++i) {
    for (Index j = 0; j < cols; ++j) m(i, j) = rng.uniform_symmetric(limit);
  }
  return m;
}

double variance(const Matrix& values) {
  const Eigen::ArrayXXd v = values.cast<double>().array();
  return (v - v.mean()).square().mean();
}

}  // namespace

SoftmaxSummary summarise_softmax(const MatrixView& weights) {
  SoftmaxSummary summary;
  std::vector<double> gradient_norms;
  for (Index row = 0; row < weights.rows(); ++row) {
    double max = 0.0, entropy = 0.0, sum_p2 = 0.0, sum_p3 = 0.0;
    for (Index col = 0; col < weights.cols(); ++col) {
      const double p = weights(row, col);
      max = std::max(max, p);
      if (p > 0.0) entropy -= p * std::log2(p);
      sum_p2 += p * p;
      sum_p3 += p * p * p;
    }
    // ||diag(p) - p p^T||_F^2 = sum p_i^2 - 2 sum p_i^3 + (sum p_i^2)^2
    gradient_norms.push_back(std::sqrt(std::max(0.0, sum_p2 - 2.0 * sum_p3 + sum_p2 * sum_p2)));
    summary.max_weight += max;
    summary.entropy_bits += entropy;
  }
  const auto rows = static_cast<double>(weights.rows());
  summary.max_weight /= rows;
  summary.entropy_bits /= rows;
  // The median, not the mean: a few rows with two near-equal top scores keep a large gradient
  // even when almost every row is saturated, and the mean would hide that most rows learn nothing.
  std::nth_element(gradient_norms.begin(), gradient_norms.begin() + gradient_norms.size() / 2,
                   gradient_norms.end());
  summary.gradient_norm = gradient_norms[gradient_norms.size() / 2];
  return summary;
}

ScalingPoint scaling_study(Index d, Index n, std::uint64_t seed) {
  require(d > 0, "scaling_study needs d > 0, got ", d);
  require(n > 1, "scaling_study needs n > 1 tokens, got ", n);
  SplitMix64 rng(seed);
  const Matrix q = unit_variance_matrix(n, d, rng);
  const Matrix k = unit_variance_matrix(n, d, rng);

  ScalingPoint point;
  point.d = d;
  const Matrix raw = q * k.transpose();
  point.raw_score_variance = variance(raw);
  point.scaled_score_variance = point.raw_score_variance / static_cast<double>(d);
  point.unscaled = summarise_softmax(dot_product_attention(q, k, k).weights);
  point.scaled = summarise_softmax(scaled_dot_product_attention(q, k, k).weights);
  return point;
}

}  // namespace spotlight
