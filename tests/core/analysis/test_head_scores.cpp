// Head detectors on attention maps built by hand, where every score is known exactly
// (head_scores.h): pure previous-token, sink, uniform, self and induction heads, relation rows
// with ties, and every rejected input with its message.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "analysis/head_scores.h"
#include "base/random.h"

using Catch::Matchers::Contains;
using spotlight::AttentionMaps;
using spotlight::HeadScoreAccumulator;
using spotlight::Index;
using spotlight::Relation;
using spotlight::RelationScoreAccumulator;
using spotlight::TokenSequence;

namespace {

// One head's weight of (query, key); only keys <= query are asked for.
using Pattern = std::function<float(Index query, Index key)>;

// The maps of one sequence of n tokens: heads[layer][head] gives each head's weights, and keys
// past the query get 0, as under the causal mask.
AttentionMaps maps_of_heads(Index n, const std::vector<std::vector<Pattern>>& heads) {
  AttentionMaps maps;
  maps.n_layers = static_cast<Index>(heads.size());
  maps.n_heads = static_cast<Index>(heads.front().size());
  maps.seq_len = n;
  for (const auto& layer : heads) {
    for (const Pattern& head : layer) {
      for (Index query = 0; query < n; ++query) {
        for (Index key = 0; key < n; ++key)
          maps.weights.push_back(key <= query ? head(query, key) : 0.0f);
      }
    }
  }
  return maps;
}

// One layer of one head.
AttentionMaps maps_of(Index n, const Pattern& head) { return maps_of_heads(n, {{head}}); }

// All weight on key `target(query)`.
Pattern one_hot(const std::function<Index(Index query)>& target) {
  return [target](Index query, Index key) { return key == target(query) ? 1.0f : 0.0f; };
}

// Query 0 can only look at itself.
const Pattern previous_token_head = one_hot([](Index query) { return query == 0 ? 0 : query - 1; });
const Pattern sink_head = one_hot([](Index) { return Index{0}; });
const Pattern self_head = one_hot([](Index query) { return query; });
const Pattern uniform_head = [](Index query, Index) {
  return 1.0f / static_cast<float>(query + 1);
};

// The head that Olsson et al.'s repeated sequences reveal: from the second period on, all weight
// on the token after the query's copy one period back, i - period + 1; before it, on key 0.
Pattern induction_head(Index period) {
  return one_hot([period](Index query) { return query >= period ? query - period + 1 : 0; });
}

// `period` distinct random tokens of a vocabulary of 50, then the same again `repeats` - 1 times.
TokenSequence repeated_random_sequence(Index period, int repeats, std::uint64_t seed) {
  spotlight::SplitMix64 rng(seed);
  TokenSequence block;
  while (static_cast<Index>(block.size()) < period) {
    const auto token = static_cast<spotlight::TokenId>(rng.next() % 50);
    if (std::find(block.begin(), block.end(), token) == block.end()) block.push_back(token);
  }
  TokenSequence tokens;
  for (int r = 0; r < repeats; ++r) tokens.insert(tokens.end(), block.begin(), block.end());
  return tokens;
}

TokenSequence counting_tokens(Index n) {
  TokenSequence tokens;
  for (Index i = 0; i < n; ++i) tokens.push_back(static_cast<spotlight::TokenId>(i));
  return tokens;
}

spotlight::HeadScores scores_of(const AttentionMaps& maps, const TokenSequence& tokens) {
  return spotlight::score_heads({maps}, {tokens});
}

Relation relation(const char* name, Index query, Index key) { return Relation{name, query, key}; }

}  // namespace

TEST_CASE("head scores: a perfect previous-token head scores 1 on previous-token and 0 elsewhere",
          "[head_scores]") {
  const TokenSequence tokens = repeated_random_sequence(5, 3, 11);
  const auto scores = scores_of(maps_of(15, previous_token_head), tokens);
  REQUIRE(scores.previous_token[0] == 1.0);
  REQUIRE(scores.first_token[0] == 0.0);
  REQUIRE(scores.induction[0] == 0.0);
  REQUIRE(scores.positional_queries == 13);
  REQUIRE(scores.induction_queries == 10);
}

TEST_CASE("head scores: a head with all weight on key 0 is a perfect sink and nothing else",
          "[head_scores]") {
  const TokenSequence tokens = repeated_random_sequence(4, 3, 12);
  const auto scores = scores_of(maps_of(12, sink_head), tokens);
  REQUIRE(scores.first_token[0] == 1.0);
  REQUIRE(scores.previous_token[0] == 0.0);
  REQUIRE(scores.induction[0] == 0.0);
}

TEST_CASE("head scores: queries 0 and 1 are left out, so sequences under 3 tokens score nothing",
          "[head_scores]") {
  // Query 0 sees key 0 alone, and query 1's previous token is key 0: counting either would make
  // a previous-token head part sink and a sink part previous-token head.
  const auto three =
      scores_of(maps_of_heads(3, {{previous_token_head, sink_head}}), counting_tokens(3));
  REQUIRE(three.positional_queries == 1);
  REQUIRE(three.previous_token == std::vector<double>{1.0, 0.0});
  REQUIRE(three.first_token == std::vector<double>{0.0, 1.0});
  const Index n = GENERATE(as<Index>{}, 1, 2);
  CAPTURE(n);
  const auto shorter = scores_of(maps_of(n, sink_head), counting_tokens(n));
  REQUIRE(shorter.positional_queries == 0);
  REQUIRE(shorter.induction_queries == 0);
  REQUIRE(shorter.previous_token[0] == 0.0);
  REQUIRE(shorter.first_token[0] == 0.0);
}

TEST_CASE("head scores: uniform causal attention gives the harmonic means", "[head_scores]") {
  SECTION("previous-token and first-token: mean of 1 / (i + 1) over i = 2 .. n - 1") {
    const Index n = GENERATE(as<Index>{}, 3, 4, 9, 64);
    CAPTURE(n);
    double expected = 0.0;
    for (Index i = 2; i < n; ++i) expected += 1.0 / static_cast<double>(i + 1);
    expected /= static_cast<double>(n - 2);
    const auto scores = scores_of(maps_of(n, uniform_head), counting_tokens(n));
    REQUIRE(scores.previous_token[0] == Approx(expected).margin(1e-7));
    REQUIRE(scores.first_token[0] == Approx(expected).margin(1e-7));
  }
  SECTION("n = 4 by hand: (1/3 + 1/4) / 2 = 7/24") {
    const auto scores = scores_of(maps_of(4, uniform_head), counting_tokens(4));
    REQUIRE(scores.previous_token[0] == Approx(7.0 / 24.0).margin(1e-7));
  }
  SECTION("induction on a period of 3 repeated twice: (1/4 + 1/5 + 1/6) / 3 = 37/180") {
    const auto scores = scores_of(maps_of(6, uniform_head), {5, 9, 2, 5, 9, 2});
    REQUIRE(scores.induction_queries == 3);
    REQUIRE(scores.induction[0] == Approx(37.0 / 180.0).margin(1e-7));
  }
  SECTION("induction on one token four times: queries 2 and 3, (1/3 + 2/4) / 2 = 5/12") {
    // Query 2's keys: 1 (after j = 0); query 3's: 1, 2. Query 1's only copy is just before it.
    const auto scores = scores_of(maps_of(4, uniform_head), {7, 7, 7, 7});
    REQUIRE(scores.induction_queries == 2);
    REQUIRE(scores.induction[0] == Approx(5.0 / 12.0).margin(1e-7));
  }
}

TEST_CASE("head scores: on a repeated random sequence an induction head scores 1, others 0",
          "[head_scores]") {
  // Period >= 3: with period 2, t_{i-2} = t_i makes key i - 1 the induction key itself.
  const Index period = GENERATE(as<Index>{}, 3, 7, 20);
  const int repeats = GENERATE(2, 4);
  CAPTURE(period, repeats);
  const TokenSequence tokens = repeated_random_sequence(period, repeats, 100 + period);
  const auto n = static_cast<Index>(tokens.size());
  const auto scores = scores_of(
      maps_of_heads(n, {{induction_head(period), previous_token_head, sink_head}}), tokens);
  REQUIRE(scores.induction_queries == n - period);
  REQUIRE(scores.induction[0] == 1.0);
  REQUIRE(scores.induction[1] == 0.0);
  REQUIRE(scores.induction[2] == 0.0);
  REQUIRE(scores.previous_token[1] == 1.0);
  REQUIRE(scores.previous_token[0] < 0.5);
}

TEST_CASE("head scores: a duplicate-token head scores 1 on a repeated random sequence, others 0",
          "[head_scores]") {
  const Index period = GENERATE(as<Index>{}, 3, 9);
  CAPTURE(period);
  const TokenSequence tokens = repeated_random_sequence(period, 3, 200 + period);
  const auto n = static_cast<Index>(tokens.size());
  // All weight on the query's copy one period back (key 0 before the second period).
  const Pattern duplicate_head =
      one_hot([period](Index query) { return query >= period ? query - period : 0; });
  const auto scores = scores_of(
      maps_of_heads(n, {{duplicate_head, induction_head(period), previous_token_head}}), tokens);
  REQUIRE(scores.duplicate_token[0] == 1.0);
  REQUIRE(scores.induction[0] == 0.0);
  REQUIRE(scores.duplicate_token[1] == 0.0);
  REQUIRE(scores.induction[1] == 1.0);
  REQUIRE(scores.duplicate_token[2] == 0.0);
  // With two earlier copies (the third period), the copies' weights add: by hand on 5 1 5 2 5,
  // query 4's copies are keys 0 and 2, query 2's is key 0; a uniform head gives (2/5 + 1/3) / 2.
  const auto uniform = scores_of(maps_of(5, uniform_head), {5, 1, 5, 2, 5});
  REQUIRE(uniform.duplicate_token[0] == Approx((2.0 / 5.0 + 1.0 / 3.0) / 2.0).margin(1e-7));
  // A doubled token's previous position is not its duplicate key: a previous-token head scores 0.
  REQUIRE(scores_of(maps_of(3, previous_token_head), {7, 7, 7}).duplicate_token[0] == 0.0);
}

TEST_CASE("head scores: the key just after the query's own previous token is not an induction key",
          "[head_scores]") {
  // Doubled tokens, t_{i-1} = t_i: the token after that copy is the query itself. A head that
  // looks at itself scores 0; query 1 (whose only copy is key 0) is not counted.
  const auto scores = scores_of(maps_of_heads(3, {{self_head, previous_token_head}}), {7, 7, 7});
  REQUIRE(scores.induction_queries == 1);  // query 2, induction key 1
  REQUIRE(scores.induction[0] == 0.0);
  REQUIRE(scores.induction[1] == 1.0);
}

TEST_CASE("head scores: a sequence without repeated tokens has no induction query",
          "[head_scores]") {
  const auto scores = scores_of(maps_of(6, uniform_head), counting_tokens(6));
  REQUIRE(scores.induction_queries == 0);
  REQUIRE(scores.induction[0] == 0.0);
}

TEST_CASE("head scores: induction sums the weights on every earlier copy's next position",
          "[head_scores]") {
  // Tokens 3 1 3 2 3: query 4's copies are 0 and 2, its keys 1 and 3. The head puts 0.25 on
  // each and 0.5 on key 0; query 2 (keys: 1) puts all on key 1.
  const Pattern head = [](Index query, Index key) {
    if (query == 4) return key == 1 || key == 3 ? 0.25f : key == 0 ? 0.5f : 0.0f;
    return key == (query == 2 ? 1 : 0) ? 1.0f : 0.0f;
  };
  const auto scores = scores_of(maps_of(5, head), {3, 1, 3, 2, 3});
  REQUIRE(scores.induction_queries == 2);
  REQUIRE(scores.induction[0] == Approx((1.0 + 0.5) / 2.0).margin(1e-12));
}

TEST_CASE("head scores: scores are laid out layer-major and best_head finds the top one",
          "[head_scores]") {
  // 2 layers of 3 heads; only (layer 1, head 2) is a previous-token head.
  const TokenSequence tokens = repeated_random_sequence(6, 2, 5);
  const auto scores = scores_of(maps_of_heads(12, {{uniform_head, sink_head, uniform_head},
                                                   {sink_head, uniform_head, previous_token_head}}),
                                tokens);
  REQUIRE(scores.n_layers == 2);
  REQUIRE(scores.n_heads == 3);
  REQUIRE(scores.previous_token.size() == 6);
  REQUIRE(scores.previous_token[1 * 3 + 2] == 1.0);
  const spotlight::HeadLocation previous = spotlight::best_head(scores.previous_token, 3);
  REQUIRE(previous.layer == 1);
  REQUIRE(previous.head == 2);
  // Two perfect sinks, (0, 1) and (1, 0): the lower index wins.
  const spotlight::HeadLocation sink = spotlight::best_head(scores.first_token, 3);
  REQUIRE(sink.layer == 0);
  REQUIRE(sink.head == 1);
}

TEST_CASE("head scores: best_head breaks ties to the lowest index", "[head_scores]") {
  const auto location = spotlight::best_head({0.5, 0.9, 0.2, 0.9}, 2);
  REQUIRE(location.layer == 0);
  REQUIRE(location.head == 1);
  const auto last = spotlight::best_head({0.1, 0.2, 0.3, 0.4, 0.5, 0.9}, 2);
  REQUIRE(last.layer == 2);
  REQUIRE(last.head == 1);
}

TEST_CASE("head scores: means are pooled over the queries of all sequences", "[head_scores]") {
  // 1 scored query of a previous-token head, then 3 of a sink: previous-token 1 / 4 and
  // first-token 3 / 4, where the mean of the two sequences' means would be 1/2 for both.
  HeadScoreAccumulator accumulator;
  accumulator.add(maps_of(3, previous_token_head), {1, 2, 3});
  accumulator.add(maps_of(5, sink_head), {1, 2, 3, 4, 5});
  const auto scores = accumulator.result();
  REQUIRE(scores.sequences == 2);
  REQUIRE(scores.positional_queries == 4);
  REQUIRE(scores.previous_token[0] == Approx(0.25).margin(1e-12));
  REQUIRE(scores.first_token[0] == Approx(0.75).margin(1e-12));
}

TEST_CASE("head scores: the accumulator gives what score_heads gives on the whole list",
          "[head_scores]") {
  std::vector<AttentionMaps> maps;
  std::vector<TokenSequence> tokens;
  HeadScoreAccumulator accumulator;
  for (Index period = 3; period < 8; ++period) {
    tokens.push_back(repeated_random_sequence(period, 3, static_cast<std::uint64_t>(period)));
    maps.push_back(maps_of_heads(3 * period, {{uniform_head, induction_head(period)}}));
    accumulator.add(maps.back(), tokens.back());
  }
  const auto whole = spotlight::score_heads(maps, tokens);
  const auto incremental = accumulator.result();
  REQUIRE(incremental.induction == whole.induction);
  REQUIRE(incremental.previous_token == whole.previous_token);
  REQUIRE(incremental.first_token == whole.first_token);
  REQUIRE(whole.induction[1] == 1.0);
}

TEST_CASE("relation scores: accuracy 1 for a head on the key, 0 for one elsewhere",
          "[head_scores]") {
  // "the cat that sat , it": query 5 ("it") should look at key 1 ("cat").
  const Pattern on_cat = [](Index query, Index key) {
    if (query == 5) return key == 1 ? 0.7f : 0.06f;
    return key == 0 ? 1.0f : 0.0f;
  };
  const auto maps = maps_of_heads(6, {{on_cat, previous_token_head, sink_head}});
  const auto scores =
      spotlight::score_relation({maps}, {{relation("coreference", 5, 1)}}, "coreference");
  REQUIRE(scores.name == "coreference");
  REQUIRE(scores.sequences == 1);
  REQUIRE(scores.instances == 1);
  REQUIRE(scores.accuracy == std::vector<double>{1.0, 0.0, 0.0});
  REQUIRE(scores.mean_weight[0] == Approx(0.7).margin(1e-7));
  REQUIRE(scores.mean_weight[1] == 0.0);
  REQUIRE(scores.mean_weight[2] == 0.0);
}

TEST_CASE("relation scores: a head right in one sequence of two scores 0.5", "[head_scores]") {
  // The head looks at key 2 from query 4. Sequence 0 wants key 2, sequence 1 key 1.
  const Pattern head = [](Index query, Index key) {
    if (query == 4) return key == 2 ? 0.6f : 0.1f;
    return key == 0 ? 1.0f : 0.0f;
  };
  const auto maps = maps_of(5, head);
  const auto scores = spotlight::score_relation(
      {maps, maps}, {{relation("agreement", 4, 2)}, {relation("agreement", 4, 1)}}, "agreement");
  REQUIRE(scores.sequences == 2);
  REQUIRE(scores.accuracy[0] == 0.5);
  REQUIRE(scores.mean_weight[0] == Approx((0.6 + 0.1) / 2.0).margin(1e-7));
}

TEST_CASE("relation scores: ties go to the lowest position", "[head_scores]") {
  // Row 3 holds 0.4 on keys 1 and 3, 0.2 on key 0: the argmax is key 1.
  const Pattern tied = [](Index query, Index key) {
    if (query == 3) return key == 1 || key == 3 ? 0.4f : key == 0 ? 0.2f : 0.0f;
    return key == 0 ? 1.0f : 0.0f;
  };
  const auto maps = maps_of_heads(4, {{tied, uniform_head}});
  SECTION("the first maximum is right") {
    const auto scores = spotlight::score_relation({maps}, {{relation("r", 3, 1)}}, "r");
    REQUIRE(scores.accuracy[0] == 1.0);
    REQUIRE(scores.accuracy[1] == 0.0);
  }
  SECTION("the later maximum is not") {
    const auto scores = spotlight::score_relation({maps}, {{relation("r", 3, 3)}}, "r");
    REQUIRE(scores.accuracy[0] == 0.0);
    REQUIRE(scores.mean_weight[0] == Approx(0.4).margin(1e-7));
  }
  SECTION("a uniform row points at key 0") {
    const auto scores = spotlight::score_relation({maps}, {{relation("r", 3, 0)}}, "r");
    REQUIRE(scores.accuracy[1] == 1.0);
    REQUIRE(scores.mean_weight[1] == Approx(0.25).margin(1e-7));
  }
}

TEST_CASE("relation scores: other relations are skipped, and every instance counts once",
          "[head_scores]") {
  // Sequence 0 holds two coreferences (one right for the previous-token head, one not) and an
  // agreement; sequence 1 none; sequence 2 one (right).
  const auto maps = maps_of(6, previous_token_head);
  RelationScoreAccumulator accumulator("coreference");
  accumulator.add(maps, {relation("coreference", 4, 3), relation("agreement", 5, 4),
                         relation("coreference", 5, 1)});
  accumulator.add(maps, {relation("agreement", 2, 1)});
  accumulator.add(maps, {relation("coreference", 2, 1)});
  const auto scores = accumulator.result();
  REQUIRE(scores.sequences == 2);
  REQUIRE(scores.instances == 3);
  REQUIRE(scores.accuracy[0] == Approx(2.0 / 3.0).margin(1e-12));
  REQUIRE(scores.mean_weight[0] == Approx(2.0 / 3.0).margin(1e-12));
}

TEST_CASE("head scores errors: maps of the wrong size name the size and the shape",
          "[head_scores]") {
  AttentionMaps maps = maps_of_heads(3, {{uniform_head, uniform_head}});
  maps.weights.pop_back();
  REQUIRE_THROWS_WITH(scores_of(maps, {1, 2, 3}),
                      Contains("attention maps of sequence 0 hold 17 weights") &&
                          Contains("n_layers * n_heads * seq_len^2 = 1 * 2 * 3^2"));
  RelationScoreAccumulator relations("r");
  REQUIRE_THROWS_WITH(relations.add(maps, {}), Contains("hold 17 weights"));
  // Sizes whose product wraps around to 0 in 64 bits do not match an empty buffer.
  maps.weights.clear();
  maps.n_layers = maps.n_heads = Index{1} << 32;
  maps.seq_len = 1;
  REQUIRE_THROWS_WITH(scores_of(maps, {1}), Contains("hold 0 weights"));
}

TEST_CASE("head scores errors: zero or negative sizes", "[head_scores]") {
  AttentionMaps maps = maps_of(2, uniform_head);
  maps.n_heads = 0;
  REQUIRE_THROWS_WITH(scores_of(maps, {1, 2}),
                      Contains("n_layers 1, n_heads 0, seq_len 2; each must be > 0"));
  maps.n_heads = 1;
  maps.seq_len = -2;
  REQUIRE_THROWS_WITH(scores_of(maps, {1, 2}), Contains("seq_len -2"));
}

TEST_CASE("head scores errors: a sequence of other layer or head counts than the first",
          "[head_scores]") {
  HeadScoreAccumulator accumulator;
  accumulator.add(maps_of_heads(3, {{uniform_head, sink_head}}), {1, 2, 1});
  const auto before = accumulator.result();
  REQUIRE_THROWS_WITH(
      accumulator.add(maps_of_heads(3, {{uniform_head}, {sink_head}}), {1, 2, 1}),
      Contains("attention maps of sequence 1 have n_layers 2 and n_heads 1, the first "
               "sequence's have n_layers 1 and n_heads 2"));
  // The rejected sequence left nothing behind.
  const auto after = accumulator.result();
  REQUIRE(after.sequences == 1);
  REQUIRE(after.first_token == before.first_token);

  RelationScoreAccumulator relations("r");
  relations.add(maps_of(3, uniform_head), {});
  REQUIRE_THROWS_WITH(relations.add(maps_of_heads(3, {{uniform_head, uniform_head}}), {}),
                      Contains("sequence 1 have n_layers 1 and n_heads 2"));
}

TEST_CASE("head scores errors: tokens of another length than seq_len", "[head_scores]") {
  HeadScoreAccumulator accumulator;
  REQUIRE_THROWS_WITH(
      accumulator.add(maps_of(4, uniform_head), {1, 2, 3}),
      Contains("tokens of sequence 0 hold 3 ids, its attention maps have seq_len 4"));
  // Nothing was added: the accumulator still has no sequence.
  REQUIRE_THROWS_WITH(accumulator.result(), Contains("head scores of no sequence"));
}

TEST_CASE("head scores errors: a non-finite weight names its cell", "[head_scores]") {
  const float bad =
      GENERATE(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
               -std::numeric_limits<float>::infinity());
  CAPTURE(bad);
  // 2 layers of 2 heads, n = 3; cell (layer 1, head 0, query 2, key 1), a future key of no score.
  AttentionMaps maps =
      maps_of_heads(3, {{uniform_head, uniform_head}, {uniform_head, uniform_head}});
  maps.weights[((1 * 2 + 0) * 3 + 2) * 3 + 1] = bad;
  REQUIRE_THROWS_WITH(
      scores_of(maps, {1, 2, 3}),
      Contains("attention weight (layer 1, head 0, query 2, key 1) of sequence 0 is"));
  RelationScoreAccumulator relations("r");
  REQUIRE_THROWS_WITH(relations.add(maps, {}), Contains("(layer 1, head 0, query 2, key 1)"));
}

TEST_CASE("head scores errors: relation positions outside 0 <= key <= query < seq_len",
          "[head_scores]") {
  const auto maps = maps_of(4, uniform_head);
  RelationScoreAccumulator accumulator("coreference");
  SECTION("key after the query") {
    REQUIRE_THROWS_WITH(accumulator.add(maps, {relation("coreference", 1, 2)}),
                        Contains("relation 'coreference' of sequence 0 has query 1 and key 2, "
                                 "expected 0 <= key <= query < seq_len 4"));
  }
  SECTION("query past the sequence, also in a relation not scored") {
    REQUIRE_THROWS_WITH(accumulator.add(maps, {relation("agreement", 4, 0)}),
                        Contains("relation 'agreement' of sequence 0 has query 4 and key 0"));
  }
  SECTION("negative key") {
    REQUIRE_THROWS_WITH(accumulator.add(maps, {relation("coreference", 2, -1)}),
                        Contains("has query 2 and key -1"));
  }
  // The rejected sequence was not counted.
  REQUIRE_THROWS_WITH(accumulator.result(), Contains("(0 sequences added)"));
}

TEST_CASE("head scores errors: empty input and lists of different lengths", "[head_scores]") {
  const auto maps = maps_of(2, uniform_head);
  REQUIRE_THROWS_WITH(spotlight::score_heads({}, {}), Contains("score_heads: no sequences"));
  REQUIRE_THROWS_WITH(spotlight::score_heads({maps, maps}, {{1, 2}}),
                      Contains("score_heads: 2 attention maps but 1 token sequences"));
  REQUIRE_THROWS_WITH(spotlight::score_relation({}, {}, "r"),
                      Contains("score_relation: no sequences"));
  REQUIRE_THROWS_WITH(spotlight::score_relation({maps}, {{}, {}}, "r"),
                      Contains("score_relation: 1 attention maps but 2 relation lists"));
  REQUIRE_THROWS_WITH(HeadScoreAccumulator().result(), Contains("head scores of no sequence"));
  REQUIRE_THROWS_WITH(RelationScoreAccumulator(""), Contains("empty name"));
  REQUIRE_THROWS_WITH(
      spotlight::score_relation({maps}, {{relation("agreement", 1, 0)}}, "coreference"),
      Contains("no sequence holds relation 'coreference' (1 sequences added)"));
}

TEST_CASE("head scores errors: best_head rejects a malformed score list", "[head_scores]") {
  REQUIRE_THROWS_WITH(spotlight::best_head({0.5}, 0), Contains("n_heads must be > 0, got 0"));
  REQUIRE_THROWS_WITH(spotlight::best_head({}, 2),
                      Contains("0 scores are not n_layers * n_heads for n_heads 2"));
  REQUIRE_THROWS_WITH(spotlight::best_head({0.1, 0.2, 0.3}, 2), Contains("3 scores are not"));
  REQUIRE_THROWS_WITH(spotlight::best_head({0.1, std::nan("")}, 2), Contains("score 1 is nan"));
}
