// Multi-head attention, the workshop's SimpleAttention(embed_dim, num_heads).
//
//   x_q (n_q, d_model), x_kv (n_k, d_model); self-attention is x_q = x_kv = x
//   Q = x_q W_q + b_q,  K = x_kv W_k + b_k,  V = x_kv W_v + b_v          each (n, d_model)
//   head h owns columns h*d_head .. (h+1)*d_head - 1 of Q, K and V (as in PyTorch)
//   head_h = softmax(Q_h K_h^T / sqrt(d_head)) V_h                        (n_q, d_head)
//   concat = [head_0 | head_1 | ... ]                                     (n_q, d_model)
//   output = concat W_o + b_o                                             (n_q, d_model)
//
// Each W is (d_model, d_model) stored (in, out) row-major, so Q = X W. PyTorch's nn.Linear and
// nn.MultiheadAttention store (out, in): their in_proj_weight rows 0..d_model-1 are W_q transposed.
//
// Initial weights: Xavier/Glorot uniform, U(-sqrt(6 / (fan_in + fan_out)), ...) = U(-sqrt(3/d_model),
// ...), drawn from one SplitMix64 stream seeded with `seed` (random.h), W_q then W_k, W_v, W_o, each
// in row-major order; biases start at zero. Bit-identical on every platform.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "attention/attention.h"
#include "attention/designed_heads.h"
#include "base/matrix.h"

namespace spotlight {

enum class Projection { query = 0, key = 1, value = 2, output = 3 };

struct ForwardResult {
  Matrix output;   // (n_q, d_model)
  Matrix weights;  // (n_heads * n_q, n_k) when requested: head h is rows h*n_q .. (h+1)*n_q - 1;
                   // read as a flat array it is (n_heads, n_q, n_k). Empty when not requested.
  Index n_heads = 0;

  // The (n_q, n_k) weights of one head; throws std::out_of_range for a head that does not exist or
  // when weights were not requested.
  MatrixView head_weights(Index head) const;
};

// Every intermediate of one head, for teaching.
struct HeadTrace {
  Matrix q, k, v;         // (n_q, d_head), (n_k, d_head), (n_k, d_head)
  Matrix raw_scores;      // q k^T                                   (n_q, n_k)
  Matrix scaled_scores;   // raw_scores * scale / temperature        (n_q, n_k)
  Matrix masked_scores;   // scaled_scores, -inf where masked        (n_q, n_k)
  Eigen::VectorXf row_max;  // max of each row of masked_scores    (n_q)
  Matrix exp_scores;      // exp(masked_scores - row_max)            (n_q, n_k)
  Eigen::VectorXf row_sum;  // sum of each row of exp_scores       (n_q)
  Matrix weights;         // exp_scores / row_sum: the softmax       (n_q, n_k)
  Matrix output;          // weights v                               (n_q, d_head)
};

struct AttentionTrace {
  float scale = 0.0f;  // the factor on q.k actually used: (scale or 1/sqrt(d_head)) / temperature
  std::vector<HeadTrace> heads;
  Matrix concat;  // (n_q, d_model)
  Matrix output;  // (n_q, d_model)
};

// Multi-head attention on queries, keys and values already projected: split each into n_heads
// column blocks, attend per head (scaled by 1/sqrt(d_head) unless options.scale says otherwise),
// concatenate. q (n_q, d_model), k (n_k, d_model), v (n_k, d_model) -> concat (n_q, d_model), and
// the weights (n_heads * n_q, n_k) when requested. Throws std::invalid_argument for n_heads that
// does not divide d_model, widths that differ, and every case validate_attention_inputs rejects.
ForwardResult multi_head_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                                   Index n_heads, const AttentionOptions& options = {},
                                   bool return_weights = true);

class SimpleAttention {
 public:
  // Throws std::invalid_argument unless embed_dim > 0, num_heads > 0 and num_heads divides embed_dim.
  SimpleAttention(Index embed_dim, Index num_heads, std::uint64_t seed = 0);

  Index embed_dim() const { return embed_dim_; }
  Index num_heads() const { return num_heads_; }
  Index head_dim() const { return embed_dim_ / num_heads_; }

  // The workshop's API. Weights are returned by default, as in its forward(x, return_weights=True).
  // Each throws std::invalid_argument for input of the wrong width, empty or non-finite input,
  // invalid options (attention.h), and input or weights so large that a projection (x W + b,
  // bounded by |x_i| |W column| + |b|) or the scores could leave float's range (errors.h); the
  // trace also needs its unscaled scores q k^T in range, which forward does not compute.
  Matrix self_attention(const MatrixView& x, bool causal = false) const;
  ForwardResult forward(const MatrixView& x, bool causal, bool return_weights = true) const;
  ForwardResult forward(const MatrixView& x, const AttentionOptions& options = {},
                        bool return_weights = true) const;
  ForwardResult cross_attention(const MatrixView& x_q, const MatrixView& x_kv,
                                const AttentionOptions& options = {},
                                bool return_weights = true) const;
  AttentionTrace trace(const MatrixView& x, const AttentionOptions& options = {}) const;
  AttentionTrace trace(const MatrixView& x_q, const MatrixView& x_kv,
                       const AttentionOptions& options = {}) const;

  // Weights (d_model, d_model), (in, out) row-major: .data() is the flat array.
  const Matrix& weight(Projection which) const { return weights_[index(which)]; }
  const RowVector& bias(Projection which) const { return biases_[index(which)]; }
  // Replace from a flat row-major array of d_model*d_model (weights) or d_model (biases) values.
  void set_weight(Projection which, const float* values, std::size_t count);
  void set_bias(Projection which, const float* values, std::size_t count);

  // Replaces head `head`'s columns of W_q, W_k, b_q and b_k (designed_heads.h); W_v, W_o and the
  // other heads are unchanged. Throws std::invalid_argument for a head out of range or a
  // projection whose shape is not (d_model, d_head) or that holds a non-finite value.
  void set_head(Index head, const HeadProjection& projection);

 private:
  static std::size_t index(Projection which) { return static_cast<std::size_t>(which); }
  void validate_inputs(const MatrixView& x_q, const MatrixView& x_kv) const;
  Matrix project(const MatrixView& x, Projection which) const;
  // Columns first_col .. first_col + cols - 1 of x W + b.
  Matrix project_head(const MatrixView& x, Projection which, Index first_col, Index cols) const;
  // concat (n, d_model) becomes the output projection of itself, a block of rows at a time, so
  // the layer never holds the concatenation and the output as two (n, d_model) matrices.
  void project_output_in_place(Matrix& concat) const;
  float default_scale() const;

  Index embed_dim_;
  Index num_heads_;
  std::array<Matrix, 4> weights_;
  std::array<RowVector, 4> biases_;
  // The largest column length of each W, for the float-range bound of its projection
  // (errors.h): kept up to date by the constructor and every setter, so no call pays O(d_model^2).
  std::array<double, 4> max_column_norms_{};
};

}  // namespace spotlight
