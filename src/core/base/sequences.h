// The types that the model, its training data and its head detectors share.
//
//   a token sequence: ids into a vocabulary (vocabulary.h), position 0 first
//   a relation: in one sequence, the position whose attention row is scored (the query: "it") and
//     the position it should look at (the key: "cat"), as Clark et al. (2019) score BERT's heads
//   attention maps: one sequence's softmax weights for every layer and head
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/matrix.h"

namespace spotlight {

using TokenId = std::int32_t;
using TokenSequence = std::vector<TokenId>;

// A target of -1 is ignored by the loss, as PyTorch's cross_entropy(ignore_index=-1).
inline constexpr TokenId ignored_target = -1;

struct Relation {
  std::string name;  // "coreference", "agreement", "relative_clause" (corpus.h)
  Index query = 0;   // position of the word whose attention row is scored ("it")
  Index key = 0;     // position of the word it should attend to ("cat"); key <= query
};

// One sequence's attention weights, (n_layers, n_heads, seq_len, seq_len) row-major: entry
// (layer, head, query, key) is the weight query gives key; each query row sums to 1 over
// key <= query (causal) and is 0 past it.
struct AttentionMaps {
  Index n_layers = 0;
  Index n_heads = 0;
  Index seq_len = 0;
  std::vector<float> weights;

  float at(Index layer, Index head, Index query, Index key) const {
    return weights[static_cast<std::size_t>(((layer * n_heads + head) * seq_len + query) * seq_len + key)];
  }
};

}  // namespace spotlight
