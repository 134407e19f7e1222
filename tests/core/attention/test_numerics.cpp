// Numerics at float's edges (attention.h, "Numerics"): huge scores, extreme temperatures and huge
// embeddings give finite weights on every path, or an error that says which result would leave
// float's range; NaN and Inf in the input are errors naming the cell.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "attention/attention.h"
#include "attention/designed_heads.h"
#include "attention/multi_head.h"
#include "base/errors.h"
#include "reference.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using spotlight::AttentionOptions;
using spotlight::Index;
using spotlight::Matrix;
using spotlight::MatrixView;
using spotlight::SimpleAttention;
using test_support::random_matrix;
using test_support::require_close;

namespace {

// Every weight finite and in [0, 1], every row summing to 1 (no key is masked in these tests).
void require_valid_weights(const MatrixView& weights) {
  for (Index row = 0; row < weights.rows(); ++row) {
    double sum = 0.0;
    for (Index col = 0; col < weights.cols(); ++col) {
      const float weight = weights(row, col);
      if (!(std::isfinite(weight) && weight >= 0.0f && weight <= 1.0f)) {
        CAPTURE(row, col, weight);
        FAIL("weight (row, col) is not a finite number in [0, 1]");
      }
      sum += weight;
    }
    CAPTURE(row);
    REQUIRE(sum == Approx(1.0).margin(1e-5));
  }
}

void require_all_finite(const MatrixView& values) {
  for (Index row = 0; row < values.rows(); ++row) {
    for (Index col = 0; col < values.cols(); ++col) {
      CAPTURE(row, col, values(row, col));
      REQUIRE(std::isfinite(values(row, col)));
    }
  }
}

// The key with the largest score q_i . k_j in double, and the gap to the runner-up relative to it.
std::pair<Index, double> top_key(const Matrix& q, const Matrix& k, Index query) {
  const reference::Dense scores =
      reference::to_dense(k) * reference::to_dense(q.row(query)).transpose();
  Index best = 0;
  for (Index j = 1; j < scores.rows(); ++j) {
    if (scores(j) > scores(best)) best = j;
  }
  double runner_up = -std::numeric_limits<double>::infinity();
  for (Index j = 0; j < scores.rows(); ++j) {
    if (j != best) runner_up = std::max(runner_up, scores(j));
  }
  return {best, (scores(best) - runner_up) / std::abs(scores(best))};
}

AttentionOptions at_temperature(float temperature, bool causal = false) {
  AttentionOptions options;
  options.temperature = temperature;
  options.causal = causal;
  return options;
}

}  // namespace

TEST_CASE("numerics: scores of +-1e30 give finite one-hot weights at temperatures 1e-6 to 1e6",
          "[numerics]") {
  const float temperature = GENERATE(1e-6f, 1e-3f, 1.0f, 1e3f, 1e6f);
  CAPTURE(temperature);
  // Entries of size 1e15 in d_k = 4 columns: scores q.k of size up to 4e30, scaled by 1/2.
  const Matrix q = random_matrix(6, 4, 1) * 1e15f, k = random_matrix(9, 4, 2) * 1e15f;
  const Matrix v = random_matrix(9, 3, 3);
  const AttentionOptions options = at_temperature(temperature);

  const spotlight::AttentionResult full = spotlight::scaled_dot_product_attention(q, k, v, options);
  require_valid_weights(full.weights);
  const Matrix tiled = spotlight::scaled_dot_product_attention(q, k, v, options, false).output;
  require_all_finite(tiled);
  for (Index query = 0; query < q.rows(); ++query) {
    // Logits of 1e24 and more apart: the softmax is one-hot on the key with the top score.
    const auto [best, gap] = top_key(q, k, query);
    CAPTURE(query, best, gap);
    REQUIRE(gap > 1e-6);
    REQUIRE(full.weights(query, best) == 1.0f);
    require_close(full.output.row(query), reference::to_dense(v.row(best)), 0.0, 1e-6);
    require_close(tiled.row(query), reference::to_dense(v.row(best)), 0.0, 1e-6);
  }
}

TEST_CASE("numerics: huge embeddings (entries 1e18) give valid weights on every path",
          "[numerics]") {
  const float temperature = GENERATE(1.0f, 1e3f, 1e6f);
  const bool causal = GENERATE(false, true);
  CAPTURE(temperature, causal);
  const AttentionOptions options = at_temperature(temperature, causal);
  // d_model = 64: q.k reaches about 1e37, within float's range.
  const Matrix q = random_matrix(12, 64, 4) * 1e18f, k = random_matrix(12, 64, 5) * 1e18f;
  const Matrix v = random_matrix(12, 64, 6) * 1e18f;

  SECTION("single head, full and tiled") {
    const spotlight::AttentionResult full =
        spotlight::scaled_dot_product_attention(q, k, v, options);
    require_valid_weights(full.weights);
    require_all_finite(full.output);
    const Matrix tiled = spotlight::scaled_dot_product_attention(q, k, v, options, false).output;
    require_all_finite(tiled);
    // Both stay weighted averages of v: within its range, a few ulps of 1e18 apart.
    require_close(tiled, reference::to_dense(full.output), 1e-5, 1e13);
  }
  SECTION("multi-head") {
    const Index n_heads = GENERATE(1, 4, 8);
    const spotlight::ForwardResult full =
        spotlight::multi_head_attention(q, k, v, n_heads, options);
    for (Index head = 0; head < n_heads; ++head) require_valid_weights(full.head_weights(head));
    require_all_finite(full.output);
    const Matrix tiled = spotlight::multi_head_attention(q, k, v, n_heads, options, false).output;
    require_close(tiled, reference::to_dense(full.output), 1e-5, 1e13);
  }
  SECTION("the layer, forward and trace") {
    const SimpleAttention layer(64, 4, 7);
    const Matrix x = random_matrix(12, 64, 8) * 1e18f;
    const spotlight::ForwardResult forward = layer.forward(x, options);
    const spotlight::AttentionTrace trace = layer.trace(x, options);
    for (Index head = 0; head < 4; ++head) {
      require_valid_weights(forward.head_weights(head));
      require_valid_weights(trace.heads[static_cast<std::size_t>(head)].weights);
    }
    require_all_finite(forward.output);
    require_all_finite(trace.output);
  }
}

TEST_CASE("numerics: scores beyond float's range are an error naming the bound", "[numerics]") {
  SECTION("huge embeddings at a low temperature") {
    const Matrix x = random_matrix(8, 64, 9) * 1e18f;
    const bool return_weights = GENERATE(true, false);
    REQUIRE_THROWS_WITH(
        spotlight::scaled_dot_product_attention(x, x, x, at_temperature(1e-6f), return_weights),
        Contains("the scores q.k * scale can reach") && Contains("beyond float's range") &&
            Contains("scale / temperature 125000"));
    REQUIRE_THROWS_WITH(spotlight::multi_head_attention(x, x, x, 4, at_temperature(1e-6f)),
                        Contains("the scores q.k * scale can reach"));
  }
  SECTION("entries of 1e20") {
    const Matrix x = random_matrix(3, 4, 10) * 1e20f;
    REQUIRE_THROWS_WITH(spotlight::dot_product_attention(x, x, x),
                        Contains("the scores q.k * scale can reach") &&
                            Contains("largest |q_i| ") && Contains("largest |k_j| "));
  }
  SECTION("a scale / temperature that overflows float") {
    AttentionOptions options = at_temperature(1e-6f);
    options.scale = 1e38f;
    const Matrix x = random_matrix(3, 4, 11);
    REQUIRE_THROWS_WITH(spotlight::dot_product_attention(x, x, x, options),
                        Contains("scale / temperature overflows float: 1e+38 / 1e-06"));
  }
}

TEST_CASE("numerics: keys whose squares vanish in float cannot hide scores beyond its range",
          "[numerics][regression]") {
  // Issue 12's fuzz finding (tests/fuzz/corpus/core/regressions/tiny-keys-huge-scale): keys of
  // 1e-30, whose squares (1e-60) are 0 in float, made the largest |k_j| look like 0, so the bound
  // |q_i| |k_j| scale missed scores of 1e47 (q near FLT_MAX, scale 1e38) and the weights came out
  // NaN. The same class of inputs on every path must be rejected naming the bound.
  const float largest = std::numeric_limits<float>::max();
  const bool return_weights = GENERATE(true, false);
  CAPTURE(return_weights);
  AttentionOptions huge_scale;
  huge_scale.scale = 1e38f;
  huge_scale.causal = GENERATE(false, true);
  CAPTURE(huge_scale.causal);

  SECTION("single head, full and tiled, and the fuzzer's own shapes") {
    Matrix q = random_matrix(8, 3, 30) * 1e15f;
    q.row(0) << largest, 1e18f, 1e38f;
    const Matrix k = random_matrix(59, 3, 31) * 1e-30f, v = random_matrix(59, 126, 32);
    REQUIRE(spotlight::max_row_norm(k) > 1e-31);
    REQUIRE_THROWS_WITH(spotlight::dot_product_attention(q, k, v, huge_scale, return_weights),
                        Contains("the scores q.k * scale can reach") &&
                            Contains("beyond float's range") && Contains("largest |k_j| "));
    REQUIRE_THROWS_WITH(
        spotlight::scaled_dot_product_attention(q, k, v, huge_scale, return_weights),
        Contains("the scores q.k * scale can reach"));
  }
  // Rows of tiny keys against huge queries for the multi-head paths: 1e-30 x 1e30 x 1e38 x d.
  const Matrix q = random_matrix(6, 8, 33) * 1e30f, k = random_matrix(6, 8, 34) * 1e-30f;
  const Matrix v = random_matrix(6, 8, 35);
  SECTION("multi-head") {
    REQUIRE_THROWS_WITH(spotlight::multi_head_attention(q, k, v, 2, huge_scale, return_weights),
                        Contains("the scores q.k * scale can reach"));
  }
  SECTION("the layer (forward, self-attention, cross-attention and trace) and designed heads") {
    // W_q of 1e31 and W_k of 1e-31 make Q of about 1e31 and K of about 1e-31 from x of about 1:
    // scores q.k near 10, times the scale of 1e38, in every head.
    SimpleAttention layer(8, 2, 36);
    const Matrix w_q = random_matrix(8, 8, 37) * 1e31f, w_k = random_matrix(8, 8, 38) * 1e-31f;
    layer.set_weight(spotlight::Projection::query, w_q.data(), w_q.size());
    layer.set_weight(spotlight::Projection::key, w_k.data(), w_k.size());
    const Matrix x = random_matrix(6, 8, 39);
    REQUIRE_THROWS_WITH(layer.forward(x, huge_scale, return_weights),
                        Contains("the scores q.k * scale can reach"));
    REQUIRE_THROWS_WITH(layer.cross_attention(x, x, huge_scale, return_weights),
                        Contains("the scores q.k * scale can reach"));
    REQUIRE_THROWS_WITH(layer.trace(x, huge_scale), Contains("the scores q.k * scale can reach"));
    // A designed head on head 1 keeps W_q, W_k of head 0: still rejected.
    layer.set_head(1, spotlight::designed_head(spotlight::HeadPattern::previous_token, 8, 4));
    REQUIRE_THROWS_WITH(layer.forward(x, huge_scale, return_weights),
                        Contains("the scores q.k * scale can reach"));
  }
  SECTION("at an ordinary scale the same inputs are computed, finite") {
    const spotlight::AttentionResult full =
        spotlight::dot_product_attention(q, k, v, at_temperature(1.0f, huge_scale.causal));
    require_valid_weights(full.weights);
    require_all_finite(full.output);
  }
}

TEST_CASE("numerics: products that overflow only before the scale are rescaled exactly",
          "[numerics]") {
  // Entries of 1e19 in d_k = 16: q.k reaches 1e39 and more, past float, but at temperature 1e6
  // the scores are about 1e32. The same scores come from q and k 2^40 times smaller with a scale
  // 2^80 times larger, which needs no rescaling: every weight must be the same, bit for bit.
  const Matrix q = random_matrix(10, 16, 12) * 1e19f, k = random_matrix(10, 16, 13) * 1e19f;
  const Matrix v = random_matrix(10, 5, 14);
  const AttentionOptions hot = at_temperature(1e6f);
  AttentionOptions small_inputs = hot;
  small_inputs.scale = 0.25f * 0x1p80f;  // the default 1/sqrt(16), times 2^80
  const float shrink = 0x1p-40f;

  const spotlight::AttentionResult rescaled = spotlight::scaled_dot_product_attention(q, k, v, hot);
  const spotlight::AttentionResult expected =
      spotlight::scaled_dot_product_attention(q * shrink, k * shrink, v, small_inputs);
  require_valid_weights(rescaled.weights);
  require_close(rescaled.weights, reference::to_dense(expected.weights), 0.0, 0.0);
  require_close(rescaled.output, reference::to_dense(expected.output), 0.0, 0.0);
  const Matrix tiled = spotlight::scaled_dot_product_attention(q, k, v, hot, false).output;
  require_close(tiled, reference::to_dense(expected.output), 1e-5, 1e-6);
}

TEST_CASE("numerics: values near float's limit give finite outputs on both paths", "[numerics]") {
  // 64 keys with values of size 1e37: the tiled kernel's running sum, taken before it divides by
  // the softmax's sum, would reach 6e38 without the rescaling of v.
  const Matrix q = random_matrix(5, 8, 15) * 1e-3f, k = random_matrix(64, 8, 16);
  const Matrix v = random_matrix(64, 4, 17) * 1e37f;
  const spotlight::AttentionResult full = spotlight::scaled_dot_product_attention(q, k, v);
  const Matrix tiled = spotlight::scaled_dot_product_attention(q, k, v, {}, false).output;
  require_valid_weights(full.weights);
  require_all_finite(tiled);
  require_close(tiled, reference::to_dense(full.output), 1e-5, 1e32);

  // Every value float's largest, under uniform weights of 1/7 (q = 0): the weighted average is
  // exactly that value, but rounding 7 times 1/7 can carry it past float's largest, to Inf.
  const float largest = std::numeric_limits<float>::max();
  const Matrix at_limit = Matrix::Constant(7, 3, largest);
  const Matrix zeros = Matrix::Zero(2, 8);
  for (const bool return_weights : {true, false}) {
    CAPTURE(return_weights);
    const Matrix output = spotlight::scaled_dot_product_attention(zeros, random_matrix(7, 8, 18),
                                                                  at_limit, {}, return_weights)
                              .output;
    require_all_finite(output);
    require_close(output, reference::to_dense(at_limit.topRows(2)), 1e-6, 0.0);
  }
}

TEST_CASE("numerics: NaN or Inf in q, k or v is an error naming the input and the cell",
          "[numerics]") {
  const float bad =
      GENERATE(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
               -std::numeric_limits<float>::infinity());
  const bool return_weights = GENERATE(true, false);
  CAPTURE(bad, return_weights);
  Matrix q = random_matrix(4, 8, 18), k = random_matrix(5, 8, 19), v = random_matrix(5, 8, 20);
  const char* expected = nullptr;
  SECTION("q") {
    q(2, 3) = bad;
    expected =
        std::isnan(bad) ? "q has a non-finite value nan at (2, 3)" : "q has a non-finite value";
  }
  SECTION("k") {
    k(4, 0) = bad;
    expected =
        std::isnan(bad) ? "k has a non-finite value nan at (4, 0)" : "k has a non-finite value";
  }
  SECTION("v") {
    v(0, 7) = bad;
    expected =
        std::isnan(bad) ? "v has a non-finite value nan at (0, 7)" : "v has a non-finite value";
  }
  REQUIRE_THROWS_WITH(spotlight::scaled_dot_product_attention(q, k, v, {}, return_weights),
                      Contains(expected) && Contains("inputs must be finite numbers"));
  REQUIRE_THROWS_WITH(spotlight::multi_head_attention(q, k, v, 2, {}, return_weights),
                      Contains("has a non-finite value"));
}

TEST_CASE("numerics: the layer rejects projections beyond float's range, naming them",
          "[numerics]") {
  const SimpleAttention layer(16, 2, 21);
  SECTION("an input that overflows x W_q + b_q") {
    const Matrix x = random_matrix(4, 16, 22) * 1e38f;
    REQUIRE_THROWS_WITH(layer.forward(x), Contains("the queries x_q W_q + b_q can reach") &&
                                              Contains("largest |input row| "));
    REQUIRE_THROWS_WITH(layer.trace(x), Contains("x_q W_q + b_q"));
  }
  SECTION("raw scores only the trace shows") {
    // Entries of 1e19: q k^T passes float's range, the scores at temperature 100 do not.
    const Matrix x = random_matrix(6, 16, 23) * 1e19f;
    const AttentionOptions options = at_temperature(100.0f);
    const spotlight::ForwardResult forward = layer.forward(x, options);
    for (Index head = 0; head < 2; ++head) require_valid_weights(forward.head_weights(head));
    require_all_finite(forward.output);
    REQUIRE_THROWS_WITH(layer.trace(x, options),
                        Contains("the raw scores q k^T that the trace shows can reach"));
  }
  SECTION("a designed head with a non-finite weight") {
    SimpleAttention settable(16, 2, 21);
    spotlight::HeadProjection head =
        spotlight::designed_head(spotlight::HeadPattern::uniform, 16, 8);
    head.w_q(3, 1) = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(settable.set_head(0, head),
                        Contains("w_q has a non-finite value nan at (3, 1)"));
  }
}

TEST_CASE("numerics: a local window is bounded, so its sum over shifts stays short", "[numerics]") {
  using spotlight::HeadPattern;
  REQUIRE_NOTHROW(spotlight::designed_head(HeadPattern::local_window, 64, 16, 8));
  REQUIRE_THROWS_WITH(
      spotlight::designed_head(HeadPattern::local_window, 64, 16, spotlight::max_local_window + 1),
      Contains("local_window needs a window <= 4096, got 4097"));
  REQUIRE_THROWS_WITH(
      spotlight::designed_head(HeadPattern::local_window, 64, 16, std::numeric_limits<int>::max()),
      Contains("local_window needs a window <= 4096, got 2147483647"));
}
