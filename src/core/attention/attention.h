// Single-head attention, the workshop's first variants, with validation.
//
//   q (n_q, d_k), k (n_k, d_k), v (n_k, d_v)
//   dot_product_attention:         softmax(q k^T) v
//   scaled_dot_product_attention:  softmax(q k^T / sqrt(d_k)) v
//
// Why scale: for q, k with unit-variance entries, q.k has variance d_k, so raw logits grow like
// sqrt(d_k) and the softmax turns near one-hot, where its gradient vanishes. Dividing by sqrt(d_k)
// keeps the logits' variance at 1 for every d_k.
//
// Self-attention passes the same sequence's projections as q, k and v; cross-attention passes queries
// of one sequence and keys and values of another (n_q != n_k is allowed).
//
// Numerics (errors.h, "Float range"). NaN or +-Inf anywhere in q, k or v is an error that names
// the first such cell: "q has a non-finite value nan at (2, 3); inputs must be finite numbers".
// Finite input never gives NaN or Inf in the weights or the output:
//   - the factor scale / temperature must be a finite float ("scale / temperature overflows
//     float: 1e+38 / 1e-06");
//   - the scores q.k * factor must fit: |q_i . k_j| <= |q_i| |k_j|, so when the largest |q_i| times
//     the largest |k_j| times |factor| passes float_range_limit (1.7e38) the call throws "the
//     scores q.k * scale can reach ... in magnitude, beyond float's range". Scores up to that,
//     +-1e30 and temperatures from 1e-6 to 1e6 included, give finite weights: the softmax
//     subtracts each row's max, so every exp has an argument <= 0. The bound is conservative
//     (nearly orthogonal huge q_i and k_j are rejected too), but only inputs near float's own
//     limits meet it;
//   - inputs whose products would overflow only before the factor (|q_i| |k_j| past the limit, a
//     factor below 1) or whose values would overflow the tiled kernel's running sums (n_k |v| past
//     the limit) are rescaled by powers of two, exactly, and give the same result as smaller ones;
//     as a weighted average of v cannot pass the largest |v|, the output of those is clamped to
//     it, so that v near float's largest value never rounds to Inf.
#pragma once

#include <optional>

#include "base/matrix.h"
#include "kernels/masks.h"

namespace spotlight {

struct AttentionOptions {
  bool causal = false;               // query i sees keys j <= i (top-left aligned, see masks.h)
  std::optional<float> scale;        // replaces the default factor on q.k (1/sqrt(d_k), or 1 unscaled)
  float temperature = 1.0f;          // logits = q.k * scale / temperature; must be finite and > 0
  KeyPaddingMask key_padding_mask;   // empty, or n_k entries: nonzero = ignore that key
};

struct AttentionResult {
  Matrix output;   // (n_q, d_v)
  Matrix weights;  // (n_q, n_k) when requested, else empty (0, 0)
};

// Throws std::invalid_argument naming the problem and the values seen for: an empty q, k or v;
// q and k of different widths; k and v of different lengths; a non-finite value; a key padding mask
// whose length is not n_k; a non-finite scale; a temperature that is not finite and positive.
void validate_attention_inputs(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                               const AttentionOptions& options);

// The factor applied to q.k before the softmax: options.scale, else `default_scale`, divided by
// the temperature. Throws std::invalid_argument for invalid options and for a quotient that
// overflows float.
float logit_scale(const AttentionOptions& options, float default_scale);

// Throws std::invalid_argument when the scores q.k * logit_scale can pass float_range_limit (see
// Numerics above), naming the bound and the norms that make it.
void require_scores_in_float_range(const MatrixView& q, const MatrixView& k, float logit_scale);

// Validates, then computes with the full kernel when weights are requested and with the tiled,
// memory-efficient kernel when they are not.
AttentionResult attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                          float default_scale, const AttentionOptions& options,
                          bool return_weights);

// The same into storage the caller owns (multi_head.h writes each head into its column block of
// the concatenation and its rows of the weights): output (n_q, d_v), and weights (n_q, n_k) when
// given, in which case the full kernel runs.
void attention_into(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                    float default_scale, const AttentionOptions& options, MatrixRef output,
                    std::optional<MatrixRef> weights);

AttentionResult dot_product_attention(const MatrixView& q, const MatrixView& k,
                                      const MatrixView& v, const AttentionOptions& options = {},
                                      bool return_weights = true);

AttentionResult scaled_dot_product_attention(const MatrixView& q, const MatrixView& k,
                                             const MatrixView& v,
                                             const AttentionOptions& options = {},
                                             bool return_weights = true);

}  // namespace spotlight
