// The two attention kernels for one head, without input validation (attention.h validates).
//
//   q (n_q, d_k), k (n_k, d_k), v (n_k, d_v)  ->  output (n_q, d_v), weights (n_q, n_k)
//   logits  = (q k^T) * logit_scale, then masked (masks.h), then softmax over each row
//   output  = weights v
//
// Both write into storage the caller owns (a head's block of the concatenation and of the weights),
// and both pack k and v once (gemm.h) for all their products.
//
// full_attention materialises the (n_q, n_k) weights (under a causal mask it computes them in
// blocks of query rows that stop at their last visible key). tiled_attention never does: it walks
// tiles of queries and keys with an online softmax (Milakov & Gimelshein 2018, as in
// FlashAttention), so its memory grows with n*d rather than n^2, and under a causal mask it skips
// the key tiles that lie wholly in the future of a query tile.
#pragma once

#include "base/matrix.h"
#include "kernels/masks.h"

namespace spotlight {

struct MaskSpec {
  bool causal = false;
  const KeyPaddingMask& key_padding_mask;
};

// Measured in wasm (Node.js 20) at n = 512, 1024, 2048, d_head 64, among 32..256 queries x
// 128..1024 keys: without a mask every choice is within 3%; under the causal mask smaller query
// tiles waste less on the diagonal, and (64, 512) was 4-10% faster than (128, 256) there.
// Key tiles are rounded up to a multiple of 16, the width of the packed panels of k (gemm.h).
struct TileSizes {
  Index queries = 64;
  Index keys = 512;
};

// Writes weights (n_q, n_k) and output (n_q, d_v); both must have those shapes.
void full_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                    float logit_scale, const MaskSpec& masks, MatrixRef weights, MatrixRef output);

// Writes output (n_q, d_v), equal to full_attention's up to float rounding.
void tiled_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                     float logit_scale, const MaskSpec& masks, MatrixRef output,
                     TileSizes tiles = {});

}  // namespace spotlight
