// Row-wise softmax, the normalisation at the heart of attention.
#pragma once

#include "base/matrix.h"

namespace spotlight {

// Replaces each row of `scores` (n_q, n_k) by its softmax, in place.
//
// Numerically stable: the row max is subtracted before exp, so no logit overflows and the result is
// unchanged (softmax(x + c) = softmax(x)). A masked entry is -inf and comes out exactly 0.
// A row whose entries are all -inf (every key masked) has no defined softmax; it comes out all zeros,
// never NaN, so a fully masked query contributes a zero vector to the output.
void softmax_rows(MatrixRef scores);

// out[i] = exp(logits[i] - shift) for i < count, exactly 0 where logits[i] is -inf; returns the
// sum of the outputs. `shift` >= every logit (the row max). Vectorised (simd.h); `out` may be
// `logits`. The one exponential of the softmax, the trace and the online softmax of the tiles.
float exp_shifted(const float* logits, float shift, float* out, Index count);

// The largest of values[0 .. count - 1] (-inf for count 0). Vectorised.
float row_maximum(const float* values, Index count);

// out[i] = values[i] * factor for i < count; `out` may be `values`. Vectorised.
void scale_row(const float* values, float factor, float* out, Index count);

// The same softmax with its steps kept, for teaching: for each row, its max, exp(logit - max),
// the sum of those, and the weights (exp / sum). A fully masked row has max -inf, exps and weights
// 0 and sum 0. The weights equal softmax_rows' bit for bit.
struct SoftmaxSteps {
  Eigen::VectorXf row_max;  // (n_q)
  Matrix exp_scores;        // (n_q, n_k)
  Eigen::VectorXf row_sum;  // (n_q)
  Matrix weights;           // (n_q, n_k)
};
SoftmaxSteps softmax_steps(const MatrixView& logits);

}  // namespace spotlight
