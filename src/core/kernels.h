// The two attention kernels for one head, without input validation (attention.h validates).
//
//   q (n_q, d_k), k (n_k, d_k), v (n_k, d_v)  ->  output (n_q, d_v), weights (n_q, n_k)
//   logits  = (q k^T) * logit_scale, then masked (masks.h), then softmax over each row
//   output  = weights v
//
// full_attention materialises the (n_q, n_k) weights (under a causal mask it computes them in
// blocks of query rows that stop at their last visible key). tiled_attention never does: it walks tiles of
// queries and keys with an online softmax (Milakov & Gimelshein 2018, as in FlashAttention), so its
// memory grows with n*d rather than n^2, and under a causal mask it skips the key tiles that lie
// wholly in the future of a query tile.
#pragma once

#include "masks.h"
#include "matrix.h"

namespace spotlight {

struct MaskSpec {
  bool causal = false;
  const KeyPaddingMask& key_padding_mask;
};

// Measured in wasm at n = 128, 512, 2048 (d_head 64) among 64..256 queries x 64..1024 keys:
// (128, 256) was fastest or within 5% of it everywhere, 15% faster than (64, 64) at n = 2048.
struct TileSizes {
  Index queries = 128;
  Index keys = 256;
};

// The logits of the tile of q rows first_query.. against k rows first_key.., scaled and masked.
Matrix masked_logits(const MatrixView& q_tile, const MatrixView& k_tile, float logit_scale,
                     Index first_query, Index first_key, const MaskSpec& masks);

// Writes weights (n_q, n_k) and returns output (n_q, d_v).
Matrix full_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                      float logit_scale, const MaskSpec& masks, Matrix& weights);

// Returns output (n_q, d_v), equal to full_attention's up to float rounding.
Matrix tiled_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                       float logit_scale, const MaskSpec& masks, TileSizes tiles = {});

}  // namespace spotlight
