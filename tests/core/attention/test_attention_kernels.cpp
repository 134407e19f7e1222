#include <catch2/catch.hpp>
#include <cmath>

#include "attention/attention.h"
#include "kernels/attention_kernels.h"
#include "reference.h"
#include "test_support.h"

using spotlight::AttentionOptions;
using spotlight::Index;
using spotlight::Matrix;
using test_support::random_matrix;
using test_support::require_close;

namespace {

// Float32 against the double reference: logits carry a relative rounding of about 1e-7 per term of
// the d_k-long dot product, and exp turns an absolute logit error into a relative weight error, so
// 1e-4 relative with a 1e-5 floor leaves room for d_k = 64 unscaled logits of size ~20.
constexpr double relative = 1e-4;
constexpr double margin = 1e-5;

spotlight::KeyPaddingMask every_third_key_padded(Index n_k) {
  spotlight::KeyPaddingMask mask(static_cast<std::size_t>(n_k), 0);
  for (Index j = 0; j < n_k; j += 3) mask[static_cast<std::size_t>(j)] = 1;
  return mask;
}

reference::Masks reference_masks(const AttentionOptions& options) {
  return {options.causal, options.key_padding_mask};
}

// Checks both kernels (full with weights, tiled without) against the reference.
void check_against_reference(const Matrix& q, const Matrix& k, const Matrix& v,
                             const AttentionOptions& options, bool scaled) {
  const double scale =
      options.scale.value_or(scaled ? 1.0 / std::sqrt(double(q.cols())) : 1.0) /
      options.temperature;
  reference::Dense expected_weights;
  const reference::Dense expected =
      reference::attention(reference::to_dense(q), reference::to_dense(k), reference::to_dense(v),
                           scale, reference_masks(options), expected_weights);
  const auto run = scaled ? spotlight::scaled_dot_product_attention
                          : spotlight::dot_product_attention;

  const spotlight::AttentionResult full = run(q, k, v, options, true);
  require_close(full.weights, expected_weights, relative, margin);
  require_close(full.output, expected, relative, margin);

  const spotlight::AttentionResult tiled = run(q, k, v, options, false);
  REQUIRE(tiled.weights.size() == 0);
  require_close(tiled.output, expected, relative, margin);
}

}  // namespace

TEST_CASE("scaled dot-product attention matches the naive reference over shapes and masks",
          "[kernels]") {
  const Index n = GENERATE(1, 2, 7, 64, 257);
  const Index d_head = GENERATE(1, 4, 64);
  const bool causal = GENERATE(false, true);
  const bool padded = GENERATE(false, true);
  CAPTURE(n, d_head, causal, padded);
  AttentionOptions options;
  options.causal = causal;
  if (padded) options.key_padding_mask = every_third_key_padded(n);
  const Matrix x = random_matrix(n, d_head, 1000 + std::uint64_t(n * d_head));
  check_against_reference(x, x, x, options, true);  // self-attention: q = k = v
  const Matrix k = random_matrix(n, d_head, 7);
  const Matrix v = random_matrix(n, d_head, 8);
  check_against_reference(x, k, v, options, true);
}

TEST_CASE("dot-product attention without scaling matches the naive reference", "[kernels]") {
  const Index n = GENERATE(1, 7, 64);
  const Index d_head = GENERATE(1, 4, 64);
  const bool causal = GENERATE(false, true);
  CAPTURE(n, d_head, causal);
  AttentionOptions options;
  options.causal = causal;
  check_against_reference(random_matrix(n, d_head, 1), random_matrix(n, d_head, 2),
                          random_matrix(n, 3, 3), options, false);
}

TEST_CASE("cross-attention with n_q != n_k matches the reference on both paths", "[kernels]") {
  const auto shape = GENERATE(std::pair<Index, Index>{1, 7}, std::pair<Index, Index>{7, 1},
                              std::pair<Index, Index>{5, 64}, std::pair<Index, Index>{257, 64},
                              std::pair<Index, Index>{64, 257});
  const bool causal = GENERATE(false, true);
  const bool padded = GENERATE(false, true);
  const Index n_q = shape.first, n_k = shape.second;
  CAPTURE(n_q, n_k, causal, padded);
  AttentionOptions options;
  options.causal = causal;
  if (padded) options.key_padding_mask = every_third_key_padded(n_k);
  check_against_reference(random_matrix(n_q, 16, 21), random_matrix(n_k, 16, 22),
                          random_matrix(n_k, 5, 23), options, true);
}

// Query tiles of any size; key tiles are rounded up to the packed panels' 16 columns (attention_kernels.h).
TEST_CASE("tiled attention agrees with full attention to 1e-5 relative for any tile size",
          "[kernels]") {
  const Index tile = GENERATE(1, 3, 16, 64, 100, 300);
  const bool causal = GENERATE(false, true);
  CAPTURE(tile, causal);
  const Matrix q = random_matrix(257, 32, 31), k = random_matrix(257, 32, 32);
  const Matrix v = random_matrix(257, 32, 33);
  const spotlight::KeyPaddingMask padding = every_third_key_padded(257);
  const spotlight::MaskSpec masks{causal, padding};
  Matrix weights(257, 257), full(257, 32), tiled(257, 32);
  spotlight::full_attention(q, k, v, 0.25f, masks, weights, full);
  spotlight::tiled_attention(q, k, v, 0.25f, masks, tiled, {tile, tile + 1});
  require_close(tiled, full.cast<double>(), 1e-5, 1e-6);
}

TEST_CASE("a query whose keys are all masked outputs zeros on both paths", "[kernels]") {
  // Causal and key 0 padded: query 0 has no visible key.
  AttentionOptions options;
  options.causal = true;
  options.key_padding_mask = {1, 0, 0, 0};
  const Matrix x = random_matrix(4, 8, 41);
  for (const bool return_weights : {true, false}) {
    const auto result = spotlight::scaled_dot_product_attention(x, x, x, options, return_weights);
    REQUIRE(result.output.allFinite());
    REQUIRE(result.output.row(0).isZero(0.0f));
    REQUIRE_FALSE(result.output.row(1).isZero(0.0f));
    if (return_weights) REQUIRE(result.weights.row(0).isZero(0.0f));
  }
}

TEST_CASE("causal weights above the diagonal are exactly 0 and every row sums to 1",
          "[kernels][properties]") {
  const Index n = GENERATE(2, 7, 64);
  AttentionOptions options;
  options.causal = true;
  const Matrix x = random_matrix(n, 16, 51, 3.0f);
  const auto result = spotlight::scaled_dot_product_attention(x, x, x, options);
  for (Index i = 0; i < n; ++i) {
    CAPTURE(i);
    REQUIRE(result.weights.row(i).sum() == Approx(1.0).margin(1e-6));
    for (Index j = i + 1; j < n; ++j) REQUIRE(result.weights(i, j) == 0.0f);
  }
}

TEST_CASE("the scale override replaces 1/sqrt(d_k) and the temperature divides the logits",
          "[kernels]") {
  const Matrix q = random_matrix(6, 8, 61), k = random_matrix(9, 8, 62), v = random_matrix(9, 4, 63);
  SECTION("scale override") {
    AttentionOptions options;
    options.scale = 0.7f;
    check_against_reference(q, k, v, options, true);
    check_against_reference(q, k, v, options, false);  // overrides the unscaled 1 too
  }
  SECTION("temperature") {
    AttentionOptions options;
    options.temperature = 2.5f;
    check_against_reference(q, k, v, options, true);
  }
  SECTION("temperature T is the same as scale / T") {
    AttentionOptions hot, scaled;
    hot.temperature = 4.0f;
    scaled.scale = 1.0f / std::sqrt(8.0f) / 4.0f;
    const auto a = spotlight::scaled_dot_product_attention(q, k, v, hot);
    const auto b = spotlight::scaled_dot_product_attention(q, k, v, scaled);
    require_close(a.weights, b.weights.cast<double>(), 1e-6, 1e-7);
  }
  SECTION("a very high temperature gives uniform weights, a very low one picks the max") {
    AttentionOptions hot, cold;
    hot.temperature = 1e6f;
    cold.temperature = 1e-4f;
    const auto uniform = spotlight::scaled_dot_product_attention(q, k, v, hot);
    const auto peaked = spotlight::scaled_dot_product_attention(q, k, v, cold);
    for (Index i = 0; i < 6; ++i) {
      REQUIRE(uniform.weights.row(i).minCoeff() == Approx(1.0 / 9).epsilon(1e-3));
      Index best = 0;
      (q.row(i) * k.transpose()).maxCoeff(&best);
      REQUIRE(peaked.weights(i, best) == Approx(1.0).margin(1e-6));
    }
  }
}

TEST_CASE("as d grows, unscaled attention turns near one-hot while scaled attention does not",
          "[kernels][properties]") {
  // q and k with unit-variance entries: q.k has variance d, so unscaled logits spread like sqrt(d).
  const float unit_variance = std::sqrt(3.0f);
  auto mean_max_weight = [&](Index d, bool scaled) {
    const Matrix q = random_matrix(32, d, 71, unit_variance);
    const Matrix k = random_matrix(32, d, 72, unit_variance);
    const auto run = scaled ? spotlight::scaled_dot_product_attention
                            : spotlight::dot_product_attention;
    return run(q, k, k, {}, true).weights.rowwise().maxCoeff().mean();
  };
  for (const Index d : {4, 16, 64, 256, 1024}) {
    CAPTURE(d);
    REQUIRE(mean_max_weight(d, true) < 0.5f);
  }
  REQUIRE(mean_max_weight(1024, false) > 0.95f);
  REQUIRE(mean_max_weight(1024, false) > mean_max_weight(16, false));
  REQUIRE(mean_max_weight(16, false) > mean_max_weight(16, true));
}

TEST_CASE("a masked key contributes exactly nothing, even with values near FLT_MAX", "[kernels]") {
  // Eigen's vectorised exp turns -inf into about 1e-39, not 0; times 3e38 that would add 0.3.
  const Matrix q = random_matrix(9, 8, 81), k = random_matrix(9, 8, 82);
  Matrix v = random_matrix(9, 4, 83);
  AttentionOptions options;
  options.key_padding_mask = {0, 0, 0, 1, 0, 0, 0, 0, 0};
  options.causal = GENERATE(false, true);
  for (const bool return_weights : {true, false}) {
    CAPTURE(options.causal, return_weights);
    v.row(3).setZero();
    const Matrix reference_output =
        spotlight::scaled_dot_product_attention(q, k, v, options, return_weights).output;
    v.row(3).setConstant(3e38f);
    const auto result = spotlight::scaled_dot_product_attention(q, k, v, options, return_weights);
    REQUIRE(result.output == reference_output);
    if (return_weights) REQUIRE(result.weights.col(3).isZero(0.0f));
  }
}
