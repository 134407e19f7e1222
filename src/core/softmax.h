// Row-wise softmax, the normalisation at the heart of attention.
#pragma once

#include "matrix.h"

namespace spotlight {

// Replaces each row of `scores` (n_q, n_k) by its softmax, in place.
//
// Numerically stable: the row max is subtracted before exp, so no logit overflows and the result is
// unchanged (softmax(x + c) = softmax(x)). A masked entry is -inf and comes out exactly 0.
// A row whose entries are all -inf (every key masked) has no defined softmax; it comes out all zeros,
// never NaN, so a fully masked query contributes a zero vector to the output.
void softmax_rows(Matrix& scores);

}  // namespace spotlight
