// Products of one row by a matrix, for decoding one token at a time: there a full gemm (gemm.h)
// would pack the whole weight matrix for a single row, reading and writing every weight once more
// than the product needs. These read each weight once, in memory order, which is what bounds
// generation's speed (memory bandwidth, not arithmetic).
//
//   row_times_matrix:            y (n) = beta y + alpha x (k) b (k, n)     b row-major: rows of b
//                                are streamed and added in, scaled by x's entries
//   row_times_transposed_matrix: y (n) = beta y + alpha x (k) b^T, b (n, k) row-major: one dot
//                                product per row of b (the logits against the embedding, q k^T)
#pragma once

#include "base/matrix.h"

namespace spotlight {

// beta is 0 (y overwritten) or 1 (accumulated into), as in gemm.h.
void row_times_matrix(const float* x, const MatrixView& b, float alpha, bool accumulate, float* y);
void row_times_transposed_matrix(const float* x, const MatrixView& b, float alpha, bool accumulate,
                                 float* y);

}  // namespace spotlight
