#include "model/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/errors.h"
#include "base/random.h"

namespace spotlight {

namespace {

constexpr Index max_generated = 4096;

// A uniform draw in [0, 1) from the top 24 bits of one output (exact in float).
float uniform_unit(SplitMix64& random) {
  return static_cast<float>(random.next() >> 40) * 0x1p-24f;
}

// Draws a token from one row of logits under the options.
TokenId draw(const float* logits, Index vocab, const SamplingOptions& options, SplitMix64& random) {
  std::vector<Index> order(static_cast<std::size_t>(vocab));
  std::iota(order.begin(), order.end(), Index{0});
  // Most likely first; ties by the lower id, so the order is the same everywhere.
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return logits[a] > logits[b]; });
  if (options.temperature == 0.0f) return static_cast<TokenId>(order.front());
  const Index kept = options.top_k == 0 ? vocab : options.top_k;
  std::vector<double> weights(static_cast<std::size_t>(kept));
  const double top = logits[order.front()];
  double total = 0.0;
  for (Index i = 0; i < kept; ++i) {
    weights[static_cast<std::size_t>(i)] =
        std::exp((static_cast<double>(logits[order[static_cast<std::size_t>(i)]]) - top) /
                 static_cast<double>(options.temperature));
    total += weights[static_cast<std::size_t>(i)];
  }
  double threshold = static_cast<double>(uniform_unit(random)) * total;
  for (Index i = 0; i < kept; ++i) {
    threshold -= weights[static_cast<std::size_t>(i)];
    if (threshold < 0.0) return static_cast<TokenId>(order[static_cast<std::size_t>(i)]);
  }
  return static_cast<TokenId>(order[static_cast<std::size_t>(kept - 1)]);
}

}  // namespace

TokenSequence generate(const TinyTransformer& model, const TokenSequence& prompt, Index count,
                       const SamplingOptions& options) {
  const TransformerConfig& config = model.config();
  require(!prompt.empty(), "the prompt is empty; give at least one token (such as <bos>)");
  for (std::size_t i = 0; i < prompt.size(); ++i) {
    require(prompt[i] >= 0 && prompt[i] < config.vocab_size, "prompt[", i, "] is token ",
            prompt[i], ", outside the vocabulary of ", config.vocab_size);
  }
  require(count >= 0 && count <= max_generated, "count must be between 0 and ", max_generated,
          ", got ", count);
  require(std::isfinite(options.temperature) && options.temperature >= 0.0f,
          "temperature must be finite and >= 0 (0: greedy), got ", options.temperature);
  require(options.top_k >= 0 && options.top_k <= config.vocab_size, "top_k must be between 0 ",
          "(every token) and the vocabulary size ", config.vocab_size, ", got ", options.top_k);

  SplitMix64 random(options.seed);
  TokenSequence sequence = prompt, generated;
  for (Index step = 0; step < count; ++step) {
    const auto start = sequence.size() > static_cast<std::size_t>(config.context_length)
                           ? sequence.end() - config.context_length
                           : sequence.begin();
    const TransformerOutput output = model.forward(TokenSequence(start, sequence.end()));
    const TokenId next =
        draw(output.logits.row(output.logits.rows() - 1).data(), config.vocab_size, options, random);
    sequence.push_back(next);
    generated.push_back(next);
  }
  return generated;
}

}  // namespace spotlight
