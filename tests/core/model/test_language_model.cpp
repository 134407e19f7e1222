// The language model's inference paths (src/core/model/language_model.h) against each other and
// against the full forward: logits without maps, one layer's maps, one query's row, decoding with
// the key-value cache, and generation (sampling.h) against a naive loop that recomputes the whole
// sequence for every token. The paths share the operations but not their order (tiled against
// materialised attention, one row against many), so they agree to float rounding, not bit for bit.
// The model's numbers against PyTorch's are tests/core/model/test_transformer_golden.cpp (the tiny
// model) and tests/core/pretrained (GPT-2's options, from Hugging Face's files).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "base/random.h"
#include "model/language_model.h"
#include "model/sampling.h"
#include "model/transformer.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using spotlight::Index;
using spotlight::LanguageModel;
using spotlight::Matrix;
using spotlight::TokenSequence;
using spotlight::TransformerConfig;

namespace {

// A model with GPT-2's options away from their defaults, so a path that ignores one shows.
TransformerConfig gpt2_options_config() {
  TransformerConfig config;
  config.vocab_size = 23;
  config.context_length = 12;
  config.d_model = 12;
  config.n_heads = 3;
  config.n_layers = 3;
  config.mlp_width = 20;
  config.layer_norm_epsilon = 1e-3f;
  config.scale_attention_by_layer = true;
  return config;
}

// Parameters of order 1 / sqrt(fan_in), so that attention is peaked and every path's mistakes
// show (test_transformer.cpp's lively_parameters, for any model).
LanguageModel lively_model(const TransformerConfig& config, std::uint64_t seed) {
  LanguageModel model(config, LanguageModel::Weights::zeros);
  spotlight::SplitMix64 random(seed);
  std::vector<float> values(model.parameters().size());
  for (const spotlight::ParameterInfo& info : model.parameter_table()) {
    const bool gain = info.role == spotlight::ParameterRole::norm_gain;
    const float limit = info.role == spotlight::ParameterRole::weight
                            ? 2.0f / std::sqrt(static_cast<float>(info.rows))
                            : (info.role == spotlight::ParameterRole::embedding ? 1.0f : 0.3f);
    for (Index i = 0; i < info.size(); ++i) {
      values[static_cast<std::size_t>(info.offset + i)] =
          (gain ? 1.0f : 0.0f) + random.uniform_symmetric(limit);
    }
  }
  model.set_all_parameters(values);
  return model;
}

const TokenSequence tokens = {3, 17, 4, 4, 22, 0, 9, 3, 17, 4};

void require_near(const spotlight::MatrixView& actual, const spotlight::MatrixView& expected,
                  float margin) {
  REQUIRE(actual.rows() == expected.rows());
  REQUIRE(actual.cols() == expected.cols());
  for (Index i = 0; i < actual.rows(); ++i) {
    for (Index j = 0; j < actual.cols(); ++j) {
      CAPTURE(i, j);
      REQUIRE(actual(i, j) == Approx(expected(i, j)).margin(margin));
    }
  }
}

// Query `query`'s row of head `head` in layer `layer` of forward's maps.
Matrix map_row(const spotlight::AttentionMaps& maps, Index layer, Index head, Index query,
               Index keys) {
  Matrix row(1, keys);
  for (Index key = 0; key < keys; ++key) row(0, key) = maps.at(layer, head, query, key);
  return row;
}

}  // namespace

TEST_CASE("language model: logits without maps equal forward's, from any first position",
          "[language_model]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 5);
  const spotlight::TransformerOutput full = model.forward(tokens);
  require_near(model.logits(tokens), full.logits, 1e-4f);
  require_near(model.logits(tokens, 7), full.logits.bottomRows(3), 1e-4f);
  // The logits move when an option does: the paths read them.
  TransformerConfig plain = gpt2_options_config();
  plain.scale_attention_by_layer = false;
  LanguageModel unscaled(plain, LanguageModel::Weights::zeros);
  unscaled.set_all_parameters(model.parameters());
  REQUIRE((unscaled.logits(tokens) - full.logits).cwiseAbs().maxCoeff() > 1e-2f);
}

TEST_CASE("language model: one layer's maps and one query's row equal forward's",
          "[language_model]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 6);
  const spotlight::TransformerOutput full = model.forward(tokens);
  const auto n = static_cast<Index>(tokens.size());
  for (Index layer = 0; layer < 3; ++layer) {
    const Matrix maps = model.attention(tokens, layer);
    REQUIRE(maps.rows() == 3 * n);
    for (Index head = 0; head < 3; ++head) {
      for (Index query = 0; query < n; ++query) {
        CAPTURE(layer, head, query);
        require_near(maps.block(head * n + query, 0, 1, n), map_row(full.attention, layer, head, query, n),
                     1e-6f);
      }
    }
    const Matrix row = model.attention_row(tokens, layer, 6);
    REQUIRE(row.rows() == 3);
    REQUIRE(row.cols() == 7);
    for (Index head = 0; head < 3; ++head) {
      require_near(row.row(head), map_row(full.attention, layer, head, 6, 7), 1e-5f);
    }
  }
  // Not uniform: a head that looked nowhere in particular would hide a swapped q and k.
  REQUIRE(model.attention(tokens, 1).maxCoeff() > 0.6f);
}

TEST_CASE("language model: the overview is every map reduced, one layer in full and the last logits",
          "[language_model]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 7);
  const auto n = static_cast<Index>(tokens.size());
  // side >= T: the maps themselves (to rounding: attention() runs the layers below tiled).
  const spotlight::AttentionOverview whole = model.overview(tokens, 2, 64);
  REQUIRE(whole.side == n);
  REQUIRE(whole.layer == 2);
  REQUIRE(whole.reduced.rows() == 3 * 3 * n);
  require_near(whole.layer_maps, model.attention(tokens, 2), 1e-6f);
  for (Index layer = 0; layer < 3; ++layer) {
    CAPTURE(layer);
    require_near(whole.reduced.middleRows(layer * 3 * n, 3 * n), model.attention(tokens, layer), 1e-6f);
  }
  require_near(whole.last_logits, model.logits(tokens, n - 1), 1e-5f);
  // side < T: each cell the largest weight of its block of queries and keys. With T = 10 and
  // side 4 the blocks are 0-1, 2-4, 5-6, 7-9: uneven, so an off-by-one in a bound shows.
  const spotlight::AttentionOverview small = model.overview(tokens, 0, 4);
  REQUIRE(small.side == 4);
  REQUIRE(small.reduced.rows() == 3 * 3 * 4);
  const Index bounds[] = {0, 2, 5, 7, 10};
  for (Index layer = 0; layer < 3; ++layer) {
    const Matrix maps = model.attention(tokens, layer);
    for (Index head = 0; head < 3; ++head) {
      for (Index a = 0; a < 4; ++a) {
        for (Index b = 0; b < 4; ++b) {
          float largest = 0.0f;
          for (Index i = bounds[a]; i < bounds[a + 1]; ++i) {
            for (Index j = bounds[b]; j < bounds[b + 1]; ++j) largest = std::max(largest, maps(head * n + i, j));
          }
          CAPTURE(layer, head, a, b);
          REQUIRE(small.reduced((layer * 3 + head) * 4 + a, b) == Approx(largest).margin(1e-6));
        }
      }
    }
  }
  // Causal: the blocks wholly above the diagonal are zero, the diagonal's are not.
  REQUIRE(small.reduced(0, 3) == 0.0f);
  REQUIRE(small.reduced(3, 3) > 0.0f);
  REQUIRE_THROWS_WITH(model.overview(tokens, 3, 8), Contains("layer 3"));
  REQUIRE_THROWS_WITH(model.overview(tokens, 0, 0), "side must be at least 1, got 0");
  REQUIRE_THROWS_WITH(model.overview({}, 0, 8), Contains("got 0"));
}

TEST_CASE("language model: decoding with the cache gives the full sequence's logits at every step",
          "[language_model]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 7);
  const auto n = static_cast<Index>(tokens.size());
  const Matrix expected = model.logits(tokens);
  const spotlight::TransformerOutput full = model.forward(tokens);
  for (const Index prompt : {Index{1}, Index{4}}) {
    CAPTURE(prompt);
    spotlight::KvCache cache = model.start_decoding();
    spotlight::RowVector last =
        model.decode(TokenSequence(tokens.begin(), tokens.begin() + prompt), cache);
    for (Index position = prompt - 1; position < n; ++position) {
      CAPTURE(position);
      REQUIRE(cache.length == position + 1);
      require_near(last, expected.row(position), 1e-4f);
      // Where each head of the last position looked: its row of forward's maps.
      for (Index layer = 0; layer < 3; ++layer) {
        for (Index head = 0; head < 3; ++head) {
          require_near(cache.last_attention.row(layer * 3 + head),
                       map_row(full.attention, layer, head, position, position + 1), 1e-5f);
        }
      }
      if (position + 1 < n) last = model.decode({tokens[static_cast<std::size_t>(position + 1)]}, cache);
    }
  }
  // Several tokens after the first call go one by one, to the same result.
  spotlight::KvCache cache = model.start_decoding();
  model.decode({tokens[0], tokens[1]}, cache);
  require_near(model.decode(TokenSequence(tokens.begin() + 2, tokens.end()), cache),
               expected.row(n - 1), 1e-4f);
}

TEST_CASE("language model: weights kept as panels give the same numbers, bit for bit",
          "[language_model]") {
  // wq, wk, wv, wo and proj are 16 wide and become panels; fc, 20 wide, stays row-major.
  TransformerConfig config = gpt2_options_config();
  config.d_model = 16;
  config.n_heads = 4;
  config.mlp_width = 20;
  const LanguageModel row_major = lively_model(config, 11);
  LanguageModel panels = row_major;
  panels.store_weights_as_panels();
  REQUIRE(panels.weights_as_panels());
  REQUIRE(panels.all_parameter_values() == row_major.parameters());
  REQUIRE(panels.logits(tokens) == row_major.logits(tokens));
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    CAPTURE(layer);
    REQUIRE(panels.attention(tokens, layer) == row_major.attention(tokens, layer));
    const spotlight::LayerTrace a = panels.trace(tokens, layer), b = row_major.trace(tokens, layer);
    REQUIRE(a.attention.output == b.attention.output);
  }
  // Decoding multiplies one row at a time (gemv.h), from the panels too.
  spotlight::KvCache cache_a = panels.start_decoding(), cache_b = row_major.start_decoding();
  REQUIRE(panels.decode({tokens[0], tokens[1], tokens[2]}, cache_a) ==
          row_major.decode({tokens[0], tokens[1], tokens[2]}, cache_b));
  for (std::size_t i = 3; i < tokens.size(); ++i) {
    CAPTURE(i);
    REQUIRE(panels.decode({tokens[i]}, cache_a) == row_major.decode({tokens[i]}, cache_b));
    REQUIRE(cache_a.last_attention == cache_b.last_attention);
  }

  // The storage is no longer row-major: reading or writing it as such is refused.
  REQUIRE_THROWS_AS(panels.parameters(), std::logic_error);
  REQUIRE_THROWS_AS(panels.parameter_storage(panels.parameter("h.0.attn.wq")), std::logic_error);
  REQUIRE(panels.parameter_storage(panels.parameter("h.0.mlp.fc")) != nullptr);  // 20 wide
  // Parameters set are stored in the layout.
  const LanguageModel other = lively_model(config, 12);
  panels.set_all_parameters(other.parameters());
  REQUIRE(panels.all_parameter_values() == other.parameters());
  REQUIRE(panels.logits(tokens) == other.logits(tokens));
  const spotlight::ParameterInfo& wk = row_major.parameter("h.1.attn.wk");
  panels.set_parameters({{"h.1.attn.wk", row_major.parameter_values(wk)}});
  REQUIRE(panels.parameter_values(wk) == row_major.parameter_values(wk));
  REQUIRE(panels.parameter_values(panels.parameter("h.1.attn.wq")) ==
          other.parameter_values(other.parameter("h.1.attn.wq")));
}

TEST_CASE("language model: decoding refuses what does not fit, naming the values",
          "[language_model]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 8);
  spotlight::KvCache cache = model.start_decoding();
  model.decode(TokenSequence(10, 1), cache);
  REQUIRE_THROWS_WITH(model.decode(TokenSequence(3, 1), cache),
                      "the cache holds 10 positions and 3 more would pass the context length 12");
  REQUIRE_THROWS_WITH(model.decode({23}, cache), Contains("tokens[0] is token 23, outside the vocabulary of 23"));
  spotlight::KvCache foreign;
  REQUIRE_THROWS_WITH(model.decode({1}, foreign), Contains("does not belong to this model"));
  REQUIRE_THROWS_WITH(model.attention(tokens, 3), "layer 3 does not exist: the model has 3 layers (0 .. 2)");
  REQUIRE_THROWS_WITH(model.attention_row(tokens, 0, 10),
                      "query 10 does not exist: the sequence has 10 tokens (0 .. 9)");
  REQUIRE_THROWS_WITH(model.logits(tokens, 10), Contains("first_position must be between 0 and 9"));
}

TEST_CASE("language model: greedy generation equals the naive loop, past the context too",
          "[language_model][sampling]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 12);
  const TokenSequence prompt = {3, 17, 4};
  // 15 new tokens: the sequence outgrows the context of 12, and the cache is rebuilt.
  TokenSequence naive = prompt, expected;
  for (int step = 0; step < 15; ++step) {
    const auto start = naive.size() > 12 ? naive.end() - 12 : naive.begin();
    const Matrix logits = model.logits(TokenSequence(start, naive.end()));
    Index best = 0;
    logits.row(logits.rows() - 1).maxCoeff(&best);
    naive.push_back(static_cast<spotlight::TokenId>(best));
    expected.push_back(static_cast<spotlight::TokenId>(best));
  }
  spotlight::SamplingOptions greedy;
  greedy.temperature = 0.0f;
  REQUIRE(spotlight::generate(model, prompt, 15, greedy) == expected);
  // Varied enough that a stuck loop would not pass.
  REQUIRE(std::set<spotlight::TokenId>(expected.begin(), expected.end()).size() >= 3);
}

TEST_CASE("sampling: a seed repeats; top-k and top-p keep only the likeliest tokens",
          "[language_model][sampling]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 10);
  const TokenSequence prompt = {3, 17, 4};
  spotlight::SamplingOptions options;
  options.seed = 42;
  const TokenSequence first = spotlight::generate(model, prompt, 8, options);
  REQUIRE(spotlight::generate(model, prompt, 8, options) == first);
  options.seed = 43;
  REQUIRE(spotlight::generate(model, prompt, 8, options) != first);

  // Every draw under top-k 1 or top-p tiny is the greedy choice.
  spotlight::SamplingOptions greedy;
  greedy.temperature = 0.0f;
  const TokenSequence greedy_tokens = spotlight::generate(model, prompt, 8, greedy);
  spotlight::SamplingOptions top_k_1;
  top_k_1.top_k = 1;
  top_k_1.seed = 5;
  REQUIRE(spotlight::generate(model, prompt, 8, top_k_1) == greedy_tokens);
  spotlight::SamplingOptions nucleus;
  nucleus.top_p = 1e-6f;
  nucleus.seed = 5;
  REQUIRE(spotlight::generate(model, prompt, 8, nucleus) == greedy_tokens);

  // With top-p 0.5, each token is among the fewest likeliest reaching half the probability.
  nucleus.top_p = 0.5f;
  const auto details = spotlight::generate_with_details(model, prompt, 6, nucleus, true);
  TokenSequence sequence = prompt;
  for (const spotlight::GeneratedToken& token : details) {
    const auto top = spotlight::top_next_tokens(model, sequence, static_cast<Index>(sequence.size()) - 1, 23);
    double reached = 0.0;
    std::set<spotlight::TokenId> nucleus_tokens;
    for (const auto& candidate : top) {
      nucleus_tokens.insert(candidate.token);
      reached += candidate.probability;
      if (reached >= 0.5) break;
    }
    CAPTURE(sequence, token.token);
    REQUIRE(nucleus_tokens.count(token.token) == 1);
    REQUIRE(token.probability > 0.0f);
    REQUIRE(token.attention.rows() == 9);
    REQUIRE(token.attention.cols() == static_cast<Index>(sequence.size()));
    sequence.push_back(token.token);
  }
}

TEST_CASE("sampling: the most likely next tokens are the softmax of the position's logits",
          "[language_model][sampling]") {
  const LanguageModel model = lively_model(gpt2_options_config(), 11);
  const Matrix logits = model.logits(tokens);
  const auto top = spotlight::top_next_tokens(model, tokens, 5, 4);
  REQUIRE(top.size() == 4);
  const spotlight::RowVector row = logits.row(5);
  const double total = (row.array() - row.maxCoeff()).exp().sum();
  for (std::size_t i = 0; i < top.size(); ++i) {
    const double expected = std::exp(row(top[i].token) - row.maxCoeff()) / total;
    REQUIRE(top[i].probability == Approx(expected).epsilon(1e-5));
    if (i > 0) REQUIRE(top[i].probability <= top[i - 1].probability);
  }
  Index best = 0;
  row.maxCoeff(&best);
  REQUIRE(top[0].token == best);
  REQUIRE_THROWS_WITH(spotlight::top_next_tokens(model, tokens, 10, 4),
                      Contains("position 10 does not exist"));
  REQUIRE_THROWS_WITH(spotlight::top_next_tokens(model, tokens, 2, 24),
                      Contains("k must be between 1 and the vocabulary size 23, got 24"));
  spotlight::SamplingOptions options;
  options.top_p = 0.0f;
  REQUIRE_THROWS_WITH(spotlight::generate(model, {1}, 2, options),
                      "top_p must be in (0, 1] (1: every token), got 0");
}

TEST_CASE("language model: GPT-2's sizes are a model's, not a trainable one's",
          "[language_model]") {
  TransformerConfig gpt2;
  gpt2.vocab_size = 50257;
  gpt2.context_length = 1024;
  gpt2.d_model = 768;
  gpt2.n_heads = 12;
  gpt2.n_layers = 12;
  REQUIRE_NOTHROW(spotlight::validate_model_config(gpt2));
  REQUIRE(spotlight::parameter_count(gpt2) == 124439808);  // gpt2's published count
  REQUIRE_THROWS_WITH(spotlight::TinyTransformer(gpt2),
                      "vocab_size must be between 1 and 16384, got 50257");
  TransformerConfig options = gpt2_options_config();
  REQUIRE_THROWS_WITH(spotlight::TinyTransformer(options), Contains("a trainable model keeps GPT-2's defaults"));
  options.layer_norm_epsilon = 0.0f;
  REQUIRE_THROWS_WITH(LanguageModel(options), "layer_norm_epsilon must be finite and > 0, got 0");
}
