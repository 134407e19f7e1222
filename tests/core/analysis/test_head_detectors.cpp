// The head detectors run on a model (src/core/analysis/head_detectors.h): the repeated random
// tokens test's sequences, and scores equal to head_scores.h's over the model's own maps. What
// the detectors find in a trained model is tests/core/training (an induction head forms) and, for
// GPT-2's files, the command's output on the user's own copy.
#include <catch2/catch.hpp>

#include <algorithm>

#include "analysis/head_detectors.h"

using Catch::Matchers::Contains;
using spotlight::Index;
using spotlight::TokenSequence;

TEST_CASE("head detectors: the repeated-tokens test is a start token, R random tokens, the same R",
          "[head_detectors]") {
  spotlight::RepeatedTokensTest test;
  test.repeat_length = 20;
  test.sequences = 3;
  test.start_token = 9;
  const auto sequences = spotlight::repeated_random_tokens(10, test);
  REQUIRE(sequences.size() == 3);
  for (const TokenSequence& sequence : sequences) {
    REQUIRE(sequence.size() == 41);
    REQUIRE(sequence[0] == 9);
    REQUIRE(std::equal(sequence.begin() + 1, sequence.begin() + 21, sequence.begin() + 21));
    REQUIRE(std::count(sequence.begin() + 1, sequence.end(), 9) == 0);
    REQUIRE(*std::max_element(sequence.begin() + 1, sequence.end()) <= 8);
  }
  REQUIRE(sequences[0] != sequences[1]);
  REQUIRE(spotlight::repeated_random_tokens(10, test) == sequences);
  test.seed = 2;
  REQUIRE(spotlight::repeated_random_tokens(10, test) != sequences);
  test.repeat_length = 2;
  REQUIRE_THROWS_WITH(spotlight::repeated_random_tokens(10, test), Contains("R >= 3"));
  test.repeat_length = 5;
  test.start_token = 10;
  REQUIRE_THROWS_WITH(spotlight::repeated_random_tokens(10, test),
                      "the start token 10 is outside the vocabulary of 10");
}

TEST_CASE("head detectors: a model's scores are head_scores' over its maps", "[head_detectors]") {
  spotlight::TransformerConfig config;
  config.vocab_size = 30;
  config.context_length = 24;
  config.d_model = 16;
  config.n_heads = 4;
  config.n_layers = 2;
  const spotlight::LanguageModel model(config);
  spotlight::RepeatedTokensTest test;
  test.repeat_length = 8;
  test.sequences = 4;
  const auto sequences = spotlight::repeated_random_tokens(30, test);
  const spotlight::HeadScores scores = spotlight::detect_heads(model, sequences);
  std::vector<spotlight::AttentionMaps> maps;
  for (const TokenSequence& sequence : sequences) maps.push_back(model.forward(sequence).attention);
  const spotlight::HeadScores expected = spotlight::score_heads(maps, sequences);
  REQUIRE(scores.n_layers == 2);
  REQUIRE(scores.n_heads == 4);
  REQUIRE(scores.induction_queries == expected.induction_queries);
  REQUIRE(scores.induction_queries >= 4 * 8);
  REQUIRE(scores.induction == expected.induction);
  REQUIRE(scores.duplicate_token == expected.duplicate_token);
  REQUIRE(scores.previous_token == expected.previous_token);
  REQUIRE(scores.first_token == expected.first_token);
  REQUIRE_THROWS_WITH(spotlight::detect_heads(model, {TokenSequence(3, 1), TokenSequence(25, 1)}),
                      Contains("sequence 1: seq_len must be between 1 and the context length 24"));
}
