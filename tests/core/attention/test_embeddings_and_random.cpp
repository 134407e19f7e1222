#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "attention/embeddings.h"
#include "attention/multi_head.h"
#include "base/random.h"
#include "test_support.h"

using spotlight::Index;
using spotlight::Matrix;
using spotlight::RowVector;

TEST_CASE("random: SplitMix64 gives the published first outputs for seed 0", "[random]") {
  // From the reference description of SplitMix64 (Vigna's splitmix64.c), state 0.
  spotlight::SplitMix64 rng(0);
  REQUIRE(rng.next() == 0xE220A8397B1DCDAFULL);
  REQUIRE(rng.next() == 0x6E789E6AA1B965F4ULL);
  REQUIRE(rng.next() == 0x06C45D188009454FULL);
}

TEST_CASE("random: FNV-1a 64 gives its published values", "[random]") {
  REQUIRE(spotlight::fnv1a64("") == 0xCBF29CE484222325ULL);
  REQUIRE(spotlight::fnv1a64("a") == 0xAF63DC4C8601EC8CULL);
  REQUIRE(spotlight::fnv1a64("foobar") == 0x85944171F73967E8ULL);
}

TEST_CASE("random: uniform_symmetric stays within +-limit with mean 0 and variance limit^2/3",
          "[random]") {
  spotlight::SplitMix64 rng(5);
  double sum = 0.0, sum_squares = 0.0;
  const int count = 100000;
  for (int i = 0; i < count; ++i) {
    const float value = rng.uniform_symmetric(2.0f);
    REQUIRE(value >= -2.0f);
    REQUIRE(value < 2.0f);
    sum += value;
    sum_squares += double(value) * value;
  }
  REQUIRE(std::abs(sum / count) < 0.02);
  REQUIRE(sum_squares / count == Approx(4.0 / 3.0).epsilon(0.02));
}

TEST_CASE("seed 42 is pinned: weights and embeddings equal an independent Python implementation",
          "[random][golden]") {
  // tests/golden/make_fixtures.py reimplements SplitMix64, FNV-1a and the float construction in
  // Python from the documentation in random.h; a change of PRNG or of the draw order fails here.
  const auto fixture = test_support::load_fixture("seed42.txt");
  const spotlight::SimpleAttention attention(8, 2, 42);
  const char* names[] = {"w_q", "w_k", "w_v", "w_o"};
  for (int p = 0; p < 4; ++p) {
    CAPTURE(names[p]);
    test_support::require_close(attention.weight(spotlight::Projection(p)),
                                fixture.at(names[p]), 0.0, 0.0);  // bit-identical
  }
  test_support::require_close(spotlight::token_embedding("cat", 8, 42), fixture.at("embed_cat"),
                              0.0, 0.0);
  test_support::require_close(spotlight::token_embedding("日本語🙂", 8, 42),
                              fixture.at("embed_unicode"), 0.0, 0.0);
}

TEST_CASE("embeddings: the same token and seed give the same vector", "[embeddings]") {
  const RowVector a = spotlight::token_embedding("cat", 64, 42);
  REQUIRE(a == spotlight::token_embedding("cat", 64, 42));
  REQUIRE(a != spotlight::token_embedding("cat", 64, 43));
  REQUIRE(a != spotlight::token_embedding("Cat", 64, 42));
  REQUIRE(a != spotlight::token_embedding("cats", 64, 42));
  // Sizes in [0.75, 1.25) and both signs in the upper half; the lower half is left to position.
  REQUIRE(a.head(32).isZero(0.0f));
  REQUIRE(a.tail(32).cwiseAbs().minCoeff() >= 0.75f);
  REQUIRE(a.tail(32).cwiseAbs().maxCoeff() < 1.25f);
  REQUIRE(a.tail(32).minCoeff() < 0.0f);
  REQUIRE(a.tail(32).maxCoeff() > 0.0f);
}

TEST_CASE("embeddings: repeated words in a sentence get equal token vectors", "[embeddings]") {
  const std::vector<std::string> tokens{"the", "cat", "sat", "on", "the", "mat"};
  spotlight::EmbeddingOptions no_positions;
  no_positions.positional = false;
  const Matrix x = spotlight::embed_tokens(tokens, 16, 7, no_positions);
  REQUIRE(x.row(0) == x.row(4));
  REQUIRE(x.row(0) != x.row(1));
  spotlight::EmbeddingOptions with_positions;
  const Matrix y = spotlight::embed_tokens(tokens, 16, 7, with_positions);
  REQUIRE(y.row(0) != y.row(4));  // positions tell the two "the" apart
}

TEST_CASE("embeddings: any UTF-8 token (CJK, emoji, combining marks) has its own vector",
          "[embeddings]") {
  const std::vector<std::string> tokens{"猫", "🙂", "e\xCC\x81", "\xC3\xA9", "", " "};
  std::set<std::vector<float>> distinct;
  for (const auto& token : tokens) {
    const RowVector v = spotlight::token_embedding(token, 8, 1);
    REQUIRE(v.allFinite());
    distinct.insert(std::vector<float>(v.data(), v.data() + v.size()));
  }
  REQUIRE(distinct.size() == tokens.size());  // "e + combining acute" differs from precomposed "é"
}

TEST_CASE("positional encoding follows Vaswani et al.: sin on even columns, cos on odd",
          "[embeddings]") {
  const Index d_model = GENERATE(1, 6, 64);
  const Matrix pe = spotlight::positional_encoding(50, d_model);
  for (Index pos = 0; pos < 50; ++pos) {
    for (Index col = 0; col < d_model; ++col) {
      const double angle = pos / std::pow(10000.0, 2.0 * double(col / 2) / double(d_model));
      const double expected = col % 2 == 0 ? std::sin(angle) : std::cos(angle);
      CAPTURE(pos, col);
      REQUIRE(pe(pos, col) == Approx(expected).margin(1e-7));
    }
  }
}

TEST_CASE("positional encodings differ at every position", "[embeddings]") {
  const Matrix pe = spotlight::positional_encoding(1024, 64);
  for (Index a = 0; a < 1024; a += 7) {
    for (Index b = a + 1; b < 1024; ++b) {
      if ((pe.row(a) - pe.row(b)).norm() < 1e-3f) FAIL("positions " << a << " and " << b << " coincide");
    }
  }
}

TEST_CASE("embed_tokens: token vectors and positions are each switchable and add up",
          "[embeddings]") {
  const std::vector<std::string> tokens{"a", "b", "a"};
  auto embed = [&](bool token_vectors, bool positional) {
    spotlight::EmbeddingOptions options;
    options.token_vectors = token_vectors;
    options.positional = positional;
    return spotlight::embed_tokens(tokens, 10, 3, options);
  };
  const Matrix both = embed(true, true), token_only = embed(true, false);
  const Matrix positions_only = embed(false, true), neither = embed(false, false);
  REQUIRE(positions_only == spotlight::positional_encoding(3, 10));
  REQUIRE(token_only.row(1) == spotlight::token_embedding("b", 10, 3));
  REQUIRE(neither.isZero(0.0f));
  test_support::require_close(both, (token_only + positions_only).cast<double>(), 0.0, 0.0);
}
