// Continuing a prompt with the tiny transformer (transformer.h), one token at a time.
//
// Each new token is drawn from softmax(logits / temperature) of the last position, over the
// top_k most likely tokens (all of them when top_k is 0), or is the most likely one when the
// temperature is 0 (greedy). The model sees at most its context_length last tokens. Draws come
// from SplitMix64 seeded with `seed`, so a continuation is reproducible.
#pragma once

#include <cstdint>

#include "base/sequences.h"
#include "model/transformer.h"

namespace spotlight {

struct SamplingOptions {
  float temperature = 1.0f;  // 0: greedy; else finite and > 0
  Index top_k = 0;           // 0: every token
  std::uint64_t seed = 0;
};

// The `count` new tokens (not the prompt). Throws std::invalid_argument for an empty prompt, a
// prompt token outside the vocabulary, a count outside 0 .. 4096, a temperature that is negative
// or not finite, or a top_k outside 0 .. vocab_size.
TokenSequence generate(const TinyTransformer& model, const TokenSequence& prompt, Index count,
                       const SamplingOptions& options = {});

}  // namespace spotlight
