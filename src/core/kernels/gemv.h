// Products of one row by a matrix, for decoding one token at a time: there a full gemm (gemm.h)
// would pack the whole weight matrix for a single row, reading and writing every weight once more
// than the product needs. These read each weight once, in memory order, which is what bounds
// generation's speed (memory bandwidth, not arithmetic).
//
//   row_times_matrix:            y (n) = beta y + alpha x (k) b (k, n)     b row-major: rows of b
//                                are streamed and added in, scaled by x's entries
//   row_times_transposed_matrix: y (n) = beta y + alpha x (k) b^T, b (n, k) row-major: one dot
//                                product per row of b (the logits against the embedding, q k^T)
//   row_times_panels:            y (n) = beta y + alpha x (k) b (k, n), b in panels (gemm.h): each
//                                panel read once, in memory order, into 16 columns of y; the same
//                                sums in the same order as row_times_matrix (bit for bit when n
//                                is a multiple of 4)
#pragma once

#include "base/matrix.h"
#include "kernels/gemm.h"

namespace spotlight {

// beta is 0 (y overwritten) or 1 (accumulated into), as in gemm.h.
void row_times_matrix(const float* x, const MatrixView& b, float alpha, bool accumulate, float* y);
void row_times_transposed_matrix(const float* x, const MatrixView& b, float alpha, bool accumulate,
                                 float* y);
void row_times_panels(const float* x, const PanelsView& b, float alpha, bool accumulate, float* y);

}  // namespace spotlight
