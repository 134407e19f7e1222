#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gemm.h"
#include "softmax.h"

namespace spotlight {

namespace {

constexpr float minus_infinity = -std::numeric_limits<float>::infinity();

// One step of the online softmax over a new tile of keys.
//   logits (rows, cols) of this key tile, overwritten by exp(logit - new running max);
//   v_tile (cols, d_v); running_max, running_sum (rows); accumulator (rows, d_v) holds
//   sum_j exp(logit_j - running_max) v_j over the keys seen so far.
// When a row's max grows, what was accumulated is rescaled by exp(old max - new max).
void online_softmax_tile(Matrix& logits, const MatrixView& v_tile, Eigen::VectorXf& running_max,
                         Eigen::VectorXf& running_sum, Matrix& accumulator) {
  Eigen::VectorXf correction(logits.rows());
  for (Index row = 0; row < logits.rows(); ++row) {
    const float new_max = std::max(running_max(row), logits.row(row).maxCoeff());
    if (new_max == minus_infinity) {  // every key so far masked: nothing to add yet
      logits.row(row).setZero();
      correction(row) = 1.0f;
      continue;
    }
    correction(row) = std::exp(running_max(row) - new_max);  // 0 on the first unmasked tile
    const float tile_sum = exp_shifted(logits.row(row).data(), new_max, logits.row(row).data(),
                                       logits.cols());
    running_sum(row) = running_sum(row) * correction(row) + tile_sum;
    running_max(row) = new_max;
  }
  accumulator = correction.asDiagonal() * accumulator;
  gemm(logits, v_tile, false, Accumulate::yes, accumulator);
}

}  // namespace

Matrix masked_logits(const MatrixView& q_tile, const MatrixView& k_tile, float logit_scale,
                     Index first_query, Index first_key, const MaskSpec& masks) {
  Matrix logits = multiply(q_tile, k_tile, true, logit_scale);
  apply_masks(logits, first_query, first_key, masks.causal, masks.key_padding_mask);
  return logits;
}

Matrix full_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                      float logit_scale, const MaskSpec& masks, Matrix& weights) {
  if (!masks.causal) {
    weights = masked_logits(q, k, logit_scale, 0, 0, masks);
    softmax_rows(weights);
    return multiply(weights, v);
  }
  // Causal: a block of query rows sees only the keys up to its last row, so its scores, softmax and
  // product with V stop there; its weights past that stay exactly 0. Nearly halves the work.
  constexpr Index block_rows = 128;
  const Index n_q = q.rows(), n_k = k.rows();
  weights.setZero(n_q, n_k);
  Matrix output(n_q, v.cols());
  for (Index first_row = 0; first_row < n_q; first_row += block_rows) {
    const Index rows = std::min(block_rows, n_q - first_row);
    const Index key_end = std::min(n_k, first_row + rows);
    Matrix block = masked_logits(q.middleRows(first_row, rows), k.topRows(key_end), logit_scale,
                                 first_row, 0, masks);
    softmax_rows(block);
    output.middleRows(first_row, rows) = multiply(block, v.topRows(key_end));
    weights.block(first_row, 0, rows, key_end) = block;
  }
  return output;
}

Matrix tiled_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                       float logit_scale, const MaskSpec& masks, TileSizes tiles) {
  const Index n_q = q.rows(), n_k = k.rows(), d_v = v.cols();
  Matrix output(n_q, d_v);
  Eigen::VectorXf running_max, running_sum;
  Matrix accumulator;

  for (Index first_query = 0; first_query < n_q; first_query += tiles.queries) {
    const Index rows = std::min(tiles.queries, n_q - first_query);
    // Under the causal mask no query of this tile sees a key past its last query: skip those tiles.
    const Index key_end = masks.causal ? std::min(n_k, first_query + rows) : n_k;

    running_max.setConstant(rows, minus_infinity);
    running_sum.setZero(rows);
    accumulator.setZero(rows, d_v);
    for (Index first_key = 0; first_key < key_end; first_key += tiles.keys) {
      const Index cols = std::min(tiles.keys, key_end - first_key);
      Matrix logits = masked_logits(q.middleRows(first_query, rows), k.middleRows(first_key, cols),
                                    logit_scale, first_query, first_key, masks);
      online_softmax_tile(logits, v.middleRows(first_key, cols), running_max, running_sum,
                          accumulator);
    }

    for (Index row = 0; row < rows; ++row) {
      // running_sum is 0 only when every key of this query is masked: zeros, as in softmax_rows.
      if (running_sum(row) > 0.0f) {
        output.row(first_query + row) = accumulator.row(row) / running_sum(row);
      } else {
        output.row(first_query + row).setZero();
      }
    }
  }
  return output;
}

}  // namespace spotlight
