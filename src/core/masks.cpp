#include "masks.h"

#include <limits>

namespace spotlight {

bool causal_masks(Index query, Index key) { return key > query; }

void apply_masks(Matrix& logits, Index first_query, Index first_key, bool causal,
                 const KeyPaddingMask& key_padding_mask) {
  constexpr float masked = -std::numeric_limits<float>::infinity();
  if (!key_padding_mask.empty()) {
    for (Index col = 0; col < logits.cols(); ++col) {
      if (key_padding_mask[static_cast<std::size_t>(first_key + col)] != 0) {
        logits.col(col).setConstant(masked);
      }
    }
  }
  if (causal) {
    for (Index row = 0; row < logits.rows(); ++row) {
      for (Index col = 0; col < logits.cols(); ++col) {
        if (causal_masks(first_query + row, first_key + col)) logits(row, col) = masked;
      }
    }
  }
}

}  // namespace spotlight
