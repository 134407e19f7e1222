// Matrix products for the attention kernels and the projections, on a register-blocked SIMD
// micro-kernel (simd.h), so the wasm build does not fall back to Eigen's scalar products.
//
//   c = beta * c + alpha * a op(b),   a (m, k), op(b) (k, n), c (m, n), beta 0 or 1
//   op(b) = b (k, n), or b^T when b_transposed (b is then (n, k), as keys are for q k^T)
//
// Scheme: op(b) is packed 16 columns at a time into a contiguous (k, 16) panel, zero-padded past
// n; each panel then meets every pair of rows of a in a micro-kernel that keeps the (2, 16) block
// of c in 8 vector registers through the whole k loop: per step, 4 loads of the panel, 2
// broadcasts of a, 8 multiply-adds. (The block size was measured: gemm.cpp.)
#pragma once

#include "matrix.h"

namespace spotlight {

enum class Accumulate { no, yes };  // beta = 0 (c is overwritten and resized) or beta = 1

void gemm(const MatrixView& a, const MatrixView& b, bool b_transposed, Accumulate accumulate,
          Matrix& c, float alpha = 1.0f);

// alpha * a op(b) as a new matrix.
Matrix multiply(const MatrixView& a, const MatrixView& b, bool b_transposed = false,
                float alpha = 1.0f);

}  // namespace spotlight
