// Token embeddings for text, so any sentence becomes an (n, d_model) input without a trained model.
//
// Token vector: a deterministic function of the token's UTF-8 bytes and a seed, the same on every
// platform. A SplitMix64 stream (random.h) seeded with fnv1a64(bytes) ^ mix64(seed) gives d_model
// values uniform in [-sqrt(3), sqrt(3)) (unit variance). Equal strings get equal vectors, so a
// repeated word is recognisable; different strings get unrelated vectors.
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

#include "matrix.h"

namespace spotlight {

struct EmbeddingOptions {
  bool token_vectors = true;  // include the per-token vector
  bool positional = true;     // add the sinusoidal positional encoding
};

// (1, d_model). Throws std::invalid_argument unless d_model > 0.
RowVector token_embedding(std::string_view token, Index d_model, std::uint64_t seed);

// (n, d_model). Throws std::invalid_argument unless n > 0 and d_model > 0.
Matrix positional_encoding(Index n, Index d_model);

// (tokens.size(), d_model): row i is token_embedding(tokens[i]) + PE(i), each part switchable.
// With both parts off the rows are zeros. Throws std::invalid_argument for no tokens or d_model <= 0.
Matrix embed_tokens(const std::vector<std::string>& tokens, Index d_model, std::uint64_t seed,
                    const EmbeddingOptions& options = {});

}  // namespace spotlight
