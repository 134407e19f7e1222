// Matrix types shared by the whole core.
//
// Everything is float32 and row-major, so a flat JavaScript Float32Array of n*d values maps onto an
// (n, d) matrix with Eigen::Map and no copy. Shape symbols used across the project:
//   n_q, n_k  sequence lengths of queries and keys
//   d_model   embedding dimension, n_heads heads of d_head = d_model / n_heads columns each
//   d_k, d_v  width of one head's keys and values
#pragma once

#include <Eigen/Core>

namespace spotlight {

using Index = Eigen::Index;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

// Read-only view of a row-major matrix or of a block of one (for example one head's column block),
// accepted by every function so callers never copy to pass a slice.
using MatrixView = Eigen::Ref<const Matrix>;

// Writable view of a row-major matrix or of a block of one: kernels write into the caller's storage
// (a head's column block of the concatenation, its rows of the weights) instead of returning copies.
using MatrixRef = Eigen::Ref<Matrix>;

}  // namespace spotlight
