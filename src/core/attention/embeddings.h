// Token embeddings for text, so any sentence becomes an (n, d_model) input without a trained model.
//
// Token vector: a deterministic function of the token's UTF-8 bytes and a seed, the same on every
// platform. A SplitMix64 stream (random.h) seeded with fnv1a64(bytes) ^ mix64(seed) gives one
// value per upper column d_model/2 .. d_model-1: a random sign (the output's top bit) times a
// magnitude uniform in [0.75, 1.25) (the next 22 bits, j: (3 * 2^21 + j) * 2^-23, exact in float).
// The lower columns 0 .. d_model/2 - 1 are zero. Equal strings get equal vectors, so a repeated
// word is recognisable; different strings get unrelated vectors. Entries have mean 0 and variance
// about 1.02, and nearly constant size: a token's squared length over any m of its columns is
// m * (1.02 +- 0.29 / sqrt(m)), so "is this the same token?" (t_i . t_j) has no unlucky short
// vectors, as it would with entries uniform around 0.
//
// Why the lower half is left to position: the positional encoding's fast-turning columns (the low
// indices) are what tell neighbouring positions apart, but adjacent positions differ there by only
// about 1 in summed cosines, while a unit-variance token vector added to the same columns would
// swamp that with noise several times larger. Keeping content out of those columns gives content
// and position separate subspaces - what a trained model learns to do - so that designed heads
// (designed_heads.h) can attend by position (previous token, first token, a window) or by content
// (same token) on any text. Random heads read both halves, as before.
//
// Positional encoding (Vaswani et al. 2017, section 3.5), for position pos and column c:
//   PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
//   PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))
// computed in double and rounded to float (platforms' sin and cos agree to well under a float ulp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/matrix.h"

namespace spotlight {

// First column of the token vector: columns before it carry only the positional encoding.
inline Index first_token_column(Index d_model) { return d_model / 2; }

struct EmbeddingOptions {
  bool token_vectors = true;  // include the per-token vector
  bool positional = true;     // add the sinusoidal positional encoding
};

// (1, d_model), zero in columns 0 .. d_model/2 - 1. Throws std::invalid_argument unless d_model > 0.
RowVector token_embedding(std::string_view token, Index d_model, std::uint64_t seed);

// (n, d_model). Throws std::invalid_argument unless n > 0 and d_model > 0.
Matrix positional_encoding(Index n, Index d_model);

// (tokens.size(), d_model): row i is token_embedding(tokens[i]) + PE(i), each part switchable.
// With both parts off the rows are zeros. Throws std::invalid_argument for no tokens or d_model <= 0.
Matrix embed_tokens(const std::vector<std::string>& tokens, Index d_model, std::uint64_t seed,
                    const EmbeddingOptions& options = {});

}  // namespace spotlight
