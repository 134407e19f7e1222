// Every rejected input raises std::invalid_argument whose message names the problem and the values.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "attention/attention.h"
#include "attention/embeddings.h"
#include "attention/multi_head.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using spotlight::AttentionOptions;
using spotlight::Matrix;
using spotlight::SimpleAttention;
using test_support::random_matrix;

TEST_CASE("errors: embed_dim not divisible by num_heads names both", "[errors]") {
  REQUIRE_THROWS_WITH(SimpleAttention(10, 4, 0), Contains("embed_dim 10") && Contains("num_heads 4"));
  REQUIRE_THROWS_AS(SimpleAttention(10, 4, 0), std::invalid_argument);
}

TEST_CASE("errors: zero or negative heads and dimensions", "[errors]") {
  REQUIRE_THROWS_WITH(SimpleAttention(64, 0, 0), Contains("num_heads must be > 0, got 0"));
  REQUIRE_THROWS_WITH(SimpleAttention(64, -2, 0), Contains("got -2"));
  REQUIRE_THROWS_WITH(SimpleAttention(0, 1, 0), Contains("embed_dim must be > 0, got 0"));
  REQUIRE_THROWS_WITH(spotlight::token_embedding("a", 0, 1), Contains("d_model must be > 0, got 0"));
  REQUIRE_THROWS_WITH(spotlight::positional_encoding(0, 8), Contains("got 0"));
}

TEST_CASE("errors: an empty sequence is rejected everywhere", "[errors]") {
  const SimpleAttention attention(8, 2, 1);
  const Matrix empty(0, 8);
  REQUIRE_THROWS_WITH(attention.forward(empty), Contains("empty sequence"));
  REQUIRE_THROWS_WITH(attention.self_attention(empty), Contains("0 rows"));
  REQUIRE_THROWS_WITH(attention.cross_attention(random_matrix(2, 8, 1), empty), Contains("x_kv"));
  REQUIRE_THROWS_WITH(spotlight::embed_tokens({}, 8, 1), Contains("token list is empty"));
  const Matrix q = random_matrix(3, 4, 1);
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(q, Matrix(0, 4), Matrix(0, 4)),
                      Contains("k has 0 rows"));
}

TEST_CASE("errors: wrong input widths name the widths seen and expected", "[errors]") {
  const SimpleAttention attention(8, 2, 1);
  REQUIRE_THROWS_WITH(attention.forward(random_matrix(3, 7, 1)),
                      Contains("x_q has 7 columns, expected embed_dim = 8"));
  REQUIRE_THROWS_WITH(attention.cross_attention(random_matrix(3, 8, 1), random_matrix(3, 9, 1)),
                      Contains("x_kv has 9 columns, expected embed_dim = 8"));
  const Matrix q = random_matrix(3, 4, 1);
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(q, random_matrix(5, 3, 2),
                                                              random_matrix(5, 4, 3)),
                      Contains("q has 4 columns but k has 3"));
  REQUIRE_THROWS_WITH(spotlight::dot_product_attention(q, random_matrix(5, 4, 2),
                                                       random_matrix(6, 4, 3)),
                      Contains("k has 5 rows but v has 6"));
}

TEST_CASE("errors: NaN or Inf in any input is rejected with its position", "[errors]") {
  const float bad = GENERATE(std::numeric_limits<float>::quiet_NaN(),
                             std::numeric_limits<float>::infinity(),
                             -std::numeric_limits<float>::infinity());
  CAPTURE(bad);
  const SimpleAttention attention(8, 2, 1);
  Matrix x = random_matrix(4, 8, 1);
  x(2, 5) = bad;
  REQUIRE_THROWS_WITH(attention.forward(x), Contains("x_q has a non-finite value") &&
                                                Contains("at (2, 5)"));
  REQUIRE_THROWS_AS(attention.trace(x), std::invalid_argument);
  Matrix v = random_matrix(4, 8, 2);
  v(0, 0) = bad;
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(x.topRows(2), x.topRows(2), v.topRows(2)),
                      Contains("v has a non-finite value"));
  SimpleAttention settable(8, 2, 1);
  Matrix w = settable.weight(spotlight::Projection::key);
  w(1, 1) = bad;
  REQUIRE_THROWS_WITH(settable.set_weight(spotlight::Projection::key, w.data(), 64),
                      Contains("weight has a non-finite value"));
}

TEST_CASE("errors: a key padding mask of the wrong length names both lengths", "[errors]") {
  const SimpleAttention attention(8, 2, 1);
  AttentionOptions options;
  options.key_padding_mask = {0, 1, 0};
  REQUIRE_THROWS_WITH(attention.forward(random_matrix(5, 8, 1), options),
                      Contains("key_padding_mask has 3 entries, expected n_k = 5"));
  REQUIRE_THROWS_WITH(attention.trace(random_matrix(5, 8, 1), options), Contains("has 3 entries"));
  const Matrix q = random_matrix(2, 4, 1);
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(q, q, q, options, false),
                      Contains("expected n_k = 2"));
}

TEST_CASE("errors: temperature and scale must be usable numbers", "[errors]") {
  const Matrix q = random_matrix(2, 4, 1);
  AttentionOptions options;
  const float temperature = GENERATE(0.0f, -1.0f, std::numeric_limits<float>::quiet_NaN(),
                                     std::numeric_limits<float>::infinity());
  options.temperature = temperature;
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(q, q, q, options),
                      Contains("temperature must be finite and > 0"));
  options.temperature = 1.0f;
  options.scale = std::numeric_limits<float>::infinity();
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(q, q, q, options),
                      Contains("scale must be finite, got inf"));
}

TEST_CASE("errors: weights and biases of the wrong size name the counts", "[errors]") {
  SimpleAttention attention(8, 2, 1);
  const std::vector<float> values(63, 0.5f);
  REQUIRE_THROWS_WITH(attention.set_weight(spotlight::Projection::query, values.data(), 63),
                      Contains("weight has 63 values, expected embed_dim*embed_dim = 8*8 = 64"));
  REQUIRE_THROWS_WITH(attention.set_bias(spotlight::Projection::output, values.data(), 7),
                      Contains("bias has 7 values, expected embed_dim = 8"));
  // A rejected call leaves the object as it was.
  REQUIRE(attention.weight(spotlight::Projection::query) ==
          SimpleAttention(8, 2, 1).weight(spotlight::Projection::query));
}
