// The two attention masks, applied to a tile of logits by writing -inf into the masked cells.
//
// Causal: query i may attend to key j only when j <= i. When n_q != n_k (cross-attention) this is the
// top-left aligned lower triangle, as PyTorch's is_causal / torch.ones(n_q, n_k).tril(): query i
// always sees keys 0..i, whatever n_k is. Queries i >= n_k see every key.
//
// Key padding: one entry per key; a nonzero entry means "ignore this key" (PyTorch's
// key_padding_mask convention for bool masks: True = padding).
#pragma once

#include <cstdint>
#include <vector>

#include "base/matrix.h"

namespace spotlight {

using KeyPaddingMask = std::vector<std::uint8_t>;  // n_k entries, nonzero = ignore the key; or empty

// Masks `logits`, the tile of rows first_query.. and columns first_key.. of the full (n_q, n_k)
// logit matrix. The offsets let the full and the tiled path share this one definition.
void apply_masks(MatrixRef logits, Index first_query, Index first_key, bool causal,
                 const KeyPaddingMask& key_padding_mask);

}  // namespace spotlight
