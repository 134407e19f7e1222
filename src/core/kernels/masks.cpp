#include "kernels/masks.h"

#include <algorithm>
#include <limits>

namespace spotlight {

void apply_masks(MatrixRef logits, Index first_query, Index first_key, bool causal,
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
    // Row `row` is query first_query + row: its keys from first_query + row + 1 on are masked,
    // which is one contiguous run at the end of the row.
    for (Index row = 0; row < logits.rows(); ++row) {
      const Index first_masked = std::max<Index>(0, first_query + row + 1 - first_key);
      if (first_masked < logits.cols()) {
        logits.row(row).tail(logits.cols() - first_masked).setConstant(masked);
      }
    }
  }
}

}  // namespace spotlight
