// The workshop's question "why divide by sqrt(d)?", measured: for queries and keys with
// unit-variance entries, how the raw scores spread with d, and what that does to the softmax with
// and without the 1/sqrt(d) scaling.
#pragma once

#include <cstdint>

#include "base/matrix.h"

namespace spotlight {

// Over the rows of a weight matrix: means of the max weight and the entropy, and the median of the
// gradient norm.
struct SoftmaxSummary {
  double max_weight = 0.0;     // 1 = one-hot
  double entropy_bits = 0.0;   // log2(n_k) = uniform, 0 = one-hot
  double gradient_norm = 0.0;  // Frobenius norm of the softmax Jacobian diag(p) - p p^T:
                               // how much the weights still respond to the logits; 0 when one-hot
};

struct ScalingPoint {
  Index d = 0;
  double raw_score_variance = 0.0;     // variance of q . k over all pairs: about d
  double scaled_score_variance = 0.0;  // of q . k / sqrt(d): about 1
  SoftmaxSummary unscaled;             // softmax(q k^T)
  SoftmaxSummary scaled;               // softmax(q k^T / sqrt(d))
};

// q and k are (n, d) with entries uniform in [-sqrt(3), sqrt(3)) (unit variance) from `seed`.
// Throws std::invalid_argument unless d > 0 and n > 1.
ScalingPoint scaling_study(Index d, Index n, std::uint64_t seed);

// The summary of one (n_q, n_k) weight matrix.
SoftmaxSummary summarise_softmax(const MatrixView& weights);

}  // namespace spotlight
