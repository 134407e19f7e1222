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

// The ids of the `kept` largest logits, largest first, ties by the lower id, so the order is the
// same everywhere.
std::vector<Index> largest(const float* logits, Index vocab, Index kept) {
  std::vector<Index> order(static_cast<std::size_t>(vocab));
  std::iota(order.begin(), order.end(), Index{0});
  const auto before = [&](Index a, Index b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  std::partial_sort(order.begin(), order.begin() + kept, order.end(), before);
  order.resize(static_cast<std::size_t>(kept));
  return order;
}

// Draws a token from one row of logits under the options; its probability under them.
TokenProbability draw(const float* logits, Index vocab, const SamplingOptions& options,
                      SplitMix64& random) {
  if (options.temperature == 0.0f) return {static_cast<TokenId>(largest(logits, vocab, 1)[0]), 1.0f};
  const std::vector<Index> order = largest(logits, vocab, options.top_k == 0 ? vocab : options.top_k);
  std::vector<double> weights(order.size());
  const double top = logits[order.front()];
  double total = 0.0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    weights[i] = std::exp((static_cast<double>(logits[order[i]]) - top) /
                          static_cast<double>(options.temperature));
    total += weights[i];
  }
  // Nucleus: the fewest most likely tokens whose probabilities reach top_p.
  std::size_t kept = order.size();
  if (options.top_p < 1.0f) {
    double reached = 0.0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      reached += weights[i];
      if (reached >= static_cast<double>(options.top_p) * total) {
        kept = i + 1;
        total = reached;
        break;
      }
    }
  }
  double threshold = static_cast<double>(uniform_unit(random)) * total;
  std::size_t chosen = kept - 1;
  for (std::size_t i = 0; i < kept; ++i) {
    threshold -= weights[i];
    if (threshold < 0.0) {
      chosen = i;
      break;
    }
  }
  return {static_cast<TokenId>(order[chosen]), static_cast<float>(weights[chosen] / total)};
}

}  // namespace

void validate_sampling(const LanguageModel& model, const TokenSequence& prompt, Index count,
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
  require(options.top_p > 0.0f && options.top_p <= 1.0f,
          "top_p must be in (0, 1] (1: every token), got ", options.top_p);
}

std::vector<GeneratedToken> generate_with_details(const LanguageModel& model,
                                                  const TokenSequence& prompt, Index count,
                                                  const SamplingOptions& options,
                                                  bool keep_attention) {
  validate_sampling(model, prompt, count, options);
  const Index context = model.config().context_length;
  SplitMix64 random(options.seed);
  TokenSequence sequence = prompt;
  std::vector<GeneratedToken> generated;
  if (count == 0) return generated;
  KvCache cache = model.start_decoding();
  // The prompt's last context_length tokens.
  const auto visible = [&](Index length) {
    return TokenSequence(sequence.end() - std::min<Index>(length, static_cast<Index>(sequence.size())),
                         sequence.end());
  };
  RowVector logits = model.decode(visible(context), cache);
  for (Index step = 0; step < count; ++step) {
    const TokenProbability next = draw(logits.data(), logits.size(), options, random);
    GeneratedToken token{next.token, next.probability, Matrix()};
    if (keep_attention) token.attention = cache.last_attention;
    generated.push_back(std::move(token));
    sequence.push_back(next.token);
    if (step + 1 == count) break;
    if (cache.length == context) {
      cache.length = 0;
      logits = model.decode(visible(context), cache);
    } else {
      logits = model.decode(TokenSequence{next.token}, cache);
    }
  }
  return generated;
}

TokenSequence generate(const LanguageModel& model, const TokenSequence& prompt, Index count,
                       const SamplingOptions& options) {
  TokenSequence tokens;
  for (const GeneratedToken& token : generate_with_details(model, prompt, count, options, false)) {
    tokens.push_back(token.token);
  }
  return tokens;
}

std::vector<TokenProbability> top_tokens(const float* logits, Index vocab, Index k) {
  require(k >= 1 && k <= vocab, "k must be between 1 and the vocabulary size ", vocab, ", got ", k);
  const float top = *std::max_element(logits, logits + vocab);
  double total = 0.0;
  for (Index i = 0; i < vocab; ++i) total += std::exp(static_cast<double>(logits[i] - top));
  std::vector<TokenProbability> result;
  for (const Index id : largest(logits, vocab, k)) {
    result.push_back({static_cast<TokenId>(id),
                      static_cast<float>(std::exp(static_cast<double>(logits[id] - top)) / total)});
  }
  return result;
}

std::vector<TokenProbability> top_next_tokens(const LanguageModel& model,
                                              const TokenSequence& tokens, Index position,
                                              Index k) {
  const auto n = static_cast<Index>(tokens.size());
  require(position >= 0 && position < n, "position ", position,
          " does not exist: the sequence has ", n, " tokens (0 .. ", n - 1, ")");
  const Index vocab = model.config().vocab_size;
  require(k >= 1 && k <= vocab, "k must be between 1 and the vocabulary size ", vocab, ", got ", k);
  const TokenSequence prefix(tokens.begin(), tokens.begin() + position + 1);
  const Matrix logits = model.logits(prefix, position);
  return top_tokens(logits.data(), vocab, k);
}

}  // namespace spotlight
