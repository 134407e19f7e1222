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
#pragma once

#include <optional>

#include "masks.h"
#include "matrix.h"

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
// the temperature.
float logit_scale(const AttentionOptions& options, float default_scale);

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
