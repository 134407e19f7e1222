#include "kernels/attention_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/gemm.h"
#include "kernels/softmax.h"

namespace spotlight {

namespace {

constexpr float minus_infinity = -std::numeric_limits<float>::infinity();

// logits (rows, cols) = the scaled, masked logits of queries first_query.. against keys
// first_key.. (keys is k packed as k^T, so its columns are keys).
void masked_logits(const MatrixView& q_rows, const PackedPanels& keys, float logit_scale,
                   Index first_query, Index first_key, const MaskSpec& masks, MatrixRef logits) {
  gemm(q_rows, keys, 0, first_key, logits.cols(), Accumulate::no, logits, logit_scale);
  apply_masks(logits, first_query, first_key, masks.causal, masks.key_padding_mask);
}

// The state of the online softmax for one tile of queries, over the key tiles seen so far:
//   running_max, running_sum (rows); accumulator (rows, d_v) = sum_j exp(logit_j - running_max) v_j.
struct OnlineSoftmax {
  Eigen::VectorXf running_max;
  Eigen::VectorXf running_sum;
  Matrix accumulator;

  void reset(Index rows, Index d_v) {
    running_max.setConstant(rows, minus_infinity);
    running_sum.setZero(rows);
    accumulator.setZero(rows, d_v);
  }

  // Takes in the next tile of keys: logits (rows, cols) of keys first_key.., overwritten by
  // exp(logit - new running max). When a row's max grows, what it accumulated so far is rescaled
  // by exp(old max - new max) (0 when the old max was -inf: nothing had been accumulated).
  void add_tile(MatrixRef logits, const PackedPanels& values, Index first_key) {
    for (Index row = 0; row < logits.rows(); ++row) {
      float* logit_row = logits.row(row).data();
      const float new_max = std::max(running_max(row), row_maximum(logit_row, logits.cols()));
      if (new_max == minus_infinity) {  // every key so far masked: nothing to add yet
        std::fill(logit_row, logit_row + logits.cols(), 0.0f);
        continue;
      }
      if (new_max > running_max(row)) {
        const float correction = std::exp(running_max(row) - new_max);
        float* accumulated = accumulator.row(row).data();
        scale_row(accumulated, correction, accumulated, accumulator.cols());
        running_sum(row) *= correction;
        running_max(row) = new_max;
      }
      running_sum(row) += exp_shifted(logit_row, new_max, logit_row, logits.cols());
    }
    gemm(logits, values, first_key, 0, accumulator.cols(), Accumulate::yes, accumulator);
  }

  // output (rows, d_v) = accumulator / running_sum; zeros for a query whose keys were all masked
  // (running_sum 0), as in softmax_rows.
  void write_output(MatrixRef output) const {
    for (Index row = 0; row < output.rows(); ++row) {
      const float inverse_sum = running_sum(row) > 0.0f ? 1.0f / running_sum(row) : 0.0f;
      scale_row(accumulator.row(row).data(), inverse_sum, output.row(row).data(), output.cols());
    }
  }
};

Index round_up(Index value, Index multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

void full_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                    float logit_scale, const MaskSpec& masks, MatrixRef weights, MatrixRef output) {
  const Index n_q = q.rows(), n_k = k.rows();
  const PackedPanels keys(k, true);     // k^T: (d_k, n_k)
  const PackedPanels values(v, false);  // (n_k, d_v)
  // Blocks of query rows, so that a block's logits are still in cache for the softmax and the
  // product with v. Causal: a block sees only the keys up to its last row, so its scores, softmax
  // and product stop there and its weights past that are exactly 0: nearly half the work.
  constexpr Index block_rows = 64;
  for (Index first_row = 0; first_row < n_q; first_row += block_rows) {
    const Index rows = std::min(block_rows, n_q - first_row);
    const Index key_end = masks.causal ? std::min(n_k, first_row + rows) : n_k;
    auto block = weights.block(first_row, 0, rows, key_end);
    masked_logits(q.middleRows(first_row, rows), keys, logit_scale, first_row, 0, masks, block);
    softmax_rows(block);
    weights.block(first_row, key_end, rows, n_k - key_end).setZero();
    gemm(block, values, 0, 0, v.cols(), Accumulate::no, output.middleRows(first_row, rows));
  }
}

void tiled_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                     float logit_scale, const MaskSpec& masks, MatrixRef output, TileSizes tiles) {
  const Index n_q = q.rows(), n_k = k.rows();
  const Index tile_queries = std::max<Index>(tiles.queries, 1);
  const Index tile_keys = round_up(std::max<Index>(tiles.keys, 1), PackedPanels::panel_width);
  const PackedPanels keys(k, true);     // k^T: (d_k, n_k)
  const PackedPanels values(v, false);  // (n_k, d_v)
  Matrix logits(std::min(tile_queries, n_q), std::min(tile_keys, n_k));
  OnlineSoftmax softmax;

  for (Index first_query = 0; first_query < n_q; first_query += tile_queries) {
    const Index rows = std::min(tile_queries, n_q - first_query);
    // Under the causal mask no query of this tile sees a key past its last query: skip those tiles.
    const Index key_end = masks.causal ? std::min(n_k, first_query + rows) : n_k;
    softmax.reset(rows, v.cols());
    for (Index first_key = 0; first_key < key_end; first_key += tile_keys) {
      auto tile = logits.topLeftCorner(rows, std::min(tile_keys, key_end - first_key));
      masked_logits(q.middleRows(first_query, rows), keys, logit_scale, first_query, first_key,
                    masks, tile);
      softmax.add_tile(tile, values, first_key);
    }
    softmax.write_output(output.middleRows(first_query, rows));
  }
}

}  // namespace spotlight
