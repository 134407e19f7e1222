#include "attention/embeddings.h"

#include <cmath>

#include "base/errors.h"
#include "base/random.h"

namespace spotlight {

RowVector token_embedding(std::string_view token, Index d_model, std::uint64_t seed) {
  require(d_model > 0, "d_model must be > 0, got ", d_model);
  SplitMix64 rng(fnv1a64(token) ^ mix64(seed));
  RowVector embedding = RowVector::Zero(d_model);
  for (Index col = first_token_column(d_model); col < d_model; ++col) {
    const std::uint64_t bits = rng.next();
    const auto magnitude_steps = static_cast<std::int32_t>((bits >> 41) & ((1u << 22) - 1));
    const float magnitude = static_cast<float>(3 * (1 << 21) + magnitude_steps) * 0x1p-23f;
    embedding(col) = (bits >> 63) != 0 ? magnitude : -magnitude;
  }
  return embedding;
}

Matrix positional_encoding(Index n, Index d_model) {
  require(n > 0, "positional_encoding needs n > 0 positions, got ", n);
  require(d_model > 0, "d_model must be > 0, got ", d_model);
  Matrix encoding(n, d_model);
  for (Index col = 0; col < d_model; ++col) {
    const Index pair = col / 2;  // columns 2i and 2i+1 share one frequency
    const double inverse_wavelength =
        std::pow(10000.0, -2.0 * static_cast<double>(pair) / static_cast<double>(d_model));
    for (Index pos = 0; pos < n; ++pos) {
      const double angle = static_cast<double>(pos) * inverse_wavelength;
      encoding(pos, col) = static_cast<float>(col % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
  return encoding;
}

Matrix embed_tokens(const std::vector<std::string>& tokens, Index d_model, std::uint64_t seed,
                    const EmbeddingOptions& options) {
  require(!tokens.empty(), "no tokens to embed: the token list is empty");
  require(d_model > 0, "d_model must be > 0, got ", d_model);
  const auto n = static_cast<Index>(tokens.size());
  Matrix embeddings = Matrix::Zero(n, d_model);
  if (options.token_vectors) {
    for (Index pos = 0; pos < n; ++pos) {
      embeddings.row(pos) = token_embedding(tokens[static_cast<std::size_t>(pos)], d_model, seed);
    }
  }
  if (options.positional) embeddings += positional_encoding(n, d_model);
  return embeddings;
}

}  // namespace spotlight
