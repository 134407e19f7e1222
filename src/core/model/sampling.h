// Continuing a prompt with a language model (language_model.h), one token at a time, and the
// most likely next tokens at any position.
//
// Each new token is drawn from softmax(logits / temperature) of the last position, over the
// top_k most likely tokens (all of them when top_k is 0), then over the smallest set of those
// whose probabilities reach top_p (nucleus sampling, Holtzman et al. 2019; 1 keeps them all), or
// is the most likely one when the temperature is 0 (greedy; ties go to the lowest id). Draws come
// from SplitMix64 seeded with `seed`, so a continuation is reproducible.
//
// The model's keys and values are kept from token to token (LanguageModel::decode), so each new
// token costs one pass over the weights. The model sees at most its context_length last tokens:
// when the sequence outgrows the context, the cache is rebuilt from its last context_length
// tokens (exact, and as costly as a fresh prompt).
#pragma once

#include <cstdint>
#include <vector>

#include "base/sequences.h"
#include "model/language_model.h"

namespace spotlight {

struct SamplingOptions {
  float temperature = 1.0f;  // 0: greedy; else finite and > 0
  Index top_k = 0;           // 0: every token
  float top_p = 1.0f;        // in (0, 1]; 1: every token top_k kept
  std::uint64_t seed = 0;
};

struct GeneratedToken {
  TokenId token = 0;
  float probability = 0.0f;  // under the options' distribution (1 when greedy)
  // (n_layers * n_heads, keys): where each head of the position before it looked when the model
  // chose it (the last row of each map, over the keys the model saw), when asked for.
  Matrix attention;
};

// Throws std::invalid_argument for an empty prompt, a prompt token outside the vocabulary, a
// count outside 0 .. 4096, a temperature that is negative or not finite, a top_k outside 0 ..
// vocab_size, or a top_p outside (0, 1].
void validate_sampling(const LanguageModel& model, const TokenSequence& prompt, Index count,
                       const SamplingOptions& options);

// The `count` new tokens (not the prompt).
TokenSequence generate(const LanguageModel& model, const TokenSequence& prompt, Index count,
                       const SamplingOptions& options = {});

// The same, each new token with its probability and, with keep_attention, the attention rows
// that produced it.
std::vector<GeneratedToken> generate_with_details(const LanguageModel& model,
                                                  const TokenSequence& prompt, Index count,
                                                  const SamplingOptions& options,
                                                  bool keep_attention);

struct TokenProbability {
  TokenId token = 0;
  float probability = 0.0f;
};

// The k most likely of one row of `vocab` logits, most likely first, ties by the lower id, with
// their probabilities under the softmax at temperature 1.
std::vector<TokenProbability> top_tokens(const float* logits, Index vocab, Index k);

// The k most likely next tokens after position `position` of `tokens` (what the model predicts
// for position + 1), most likely first, ties by the lower id; the softmax at temperature 1.
// Computes the model up to that position only.
std::vector<TokenProbability> top_next_tokens(const LanguageModel& model,
                                              const TokenSequence& tokens, Index position,
                                              Index k);

}  // namespace spotlight
