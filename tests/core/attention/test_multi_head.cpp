#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "attention/multi_head.h"
#include "reference.h"
#include "test_support.h"

using spotlight::AttentionOptions;
using spotlight::Index;
using spotlight::Matrix;
using spotlight::Projection;
using spotlight::SimpleAttention;
using test_support::random_matrix;
using test_support::require_close;

namespace {

constexpr double relative = 1e-4;
constexpr double margin = 2e-5;

reference::Projections projections_of(const SimpleAttention& attention) {
  auto weight = [&](Projection p) { return reference::to_dense(attention.weight(p)); };
  auto bias = [&](Projection p) { return reference::to_dense(attention.bias(p)); };
  return {weight(Projection::query), weight(Projection::key),  weight(Projection::value),
          weight(Projection::output), bias(Projection::query), bias(Projection::key),
          bias(Projection::value),   bias(Projection::output)};
}

void set_random_biases(SimpleAttention& attention, std::uint64_t seed) {
  for (const Projection p : {Projection::query, Projection::key, Projection::value,
                             Projection::output}) {
    const Matrix bias = random_matrix(1, attention.embed_dim(), seed++, 0.5f);
    attention.set_bias(p, bias.data(), std::size_t(bias.size()));
  }
}

void check_forward(const SimpleAttention& attention, const Matrix& x_q, const Matrix& x_kv,
                   const AttentionOptions& options) {
  std::vector<reference::Dense> expected_weights;
  const reference::Dense expected = reference::multi_head(
      reference::to_dense(x_q), reference::to_dense(x_kv), projections_of(attention),
      int(attention.num_heads()), {options.causal, options.key_padding_mask},
      1.0 / options.temperature, expected_weights);

  const auto with_weights = attention.cross_attention(x_q, x_kv, options, true);
  require_close(with_weights.output, expected, relative, margin);
  REQUIRE(with_weights.weights.rows() == attention.num_heads() * x_q.rows());
  REQUIRE(with_weights.weights.cols() == x_kv.rows());
  for (Index h = 0; h < attention.num_heads(); ++h) {
    CAPTURE(h);
    require_close(with_weights.head_weights(h), expected_weights[std::size_t(h)], relative, margin);
  }
  const auto tiled = attention.cross_attention(x_q, x_kv, options, false);
  REQUIRE(tiled.weights.size() == 0);
  require_close(tiled.output, expected, relative, margin);
}

}  // namespace

TEST_CASE("multi-head attention matches the naive reference over heads, widths and lengths",
          "[multi_head]") {
  const Index n = GENERATE(1, 2, 7, 64, 257);
  const Index d_head = GENERATE(1, 4, 64);
  const Index n_heads = GENERATE(1, 2, 4, 8);
  const bool causal = GENERATE(false, true);
  CAPTURE(n, d_head, n_heads, causal);
  // Under the sanitizers, n = 257 (16 times the work of n = 64 for the naive reference) is left
  // to the Release build (test_support.h).
  if (test_support::under_sanitizers && n > 64) return;
  const SimpleAttention attention(d_head * n_heads, n_heads, 42);
  AttentionOptions options;
  options.causal = causal;
  const Matrix x = random_matrix(n, d_head * n_heads, 5 + std::uint64_t(n));
  check_forward(attention, x, x, options);
}

TEST_CASE("multi-head attention with biases, padding, temperature and cross-attention",
          "[multi_head]") {
  SimpleAttention attention(24, 4, 7);
  set_random_biases(attention, 100);
  AttentionOptions options;
  SECTION("biases") { check_forward(attention, random_matrix(9, 24, 1), random_matrix(9, 24, 1), options); }
  SECTION("key padding mask and causal") {
    options.causal = true;
    options.key_padding_mask = {0, 0, 1, 0, 1, 0, 0, 0, 0};
    const Matrix x = random_matrix(9, 24, 2);
    check_forward(attention, x, x, options);
  }
  SECTION("temperature") {
    options.temperature = 0.5f;
    const Matrix x = random_matrix(9, 24, 3);
    check_forward(attention, x, x, options);
  }
  SECTION("cross-attention, n_q != n_k, with padding") {
    options.key_padding_mask = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    check_forward(attention, random_matrix(5, 24, 4), random_matrix(11, 24, 5), options);
  }
}

TEST_CASE("the workshop's quick start: forward returns weights of shape (heads, n, n)",
          "[multi_head]") {
  const SimpleAttention attention(64, 4);  // SimpleAttention(embed_dim=64, num_heads=4)
  const Matrix x = random_matrix(10, 64, 3);
  const auto result = attention.forward(x, false, true);
  REQUIRE(result.output.rows() == 10);
  REQUIRE(result.output.cols() == 64);
  REQUIRE(result.n_heads == 4);
  REQUIRE(result.weights.size() == 4 * 10 * 10);
  for (Index h = 0; h < 4; ++h) {
    REQUIRE(result.head_weights(h).rows() == 10);
    REQUIRE(result.head_weights(h).cols() == 10);
  }
  REQUIRE_THROWS_AS(result.head_weights(4), std::out_of_range);
}

TEST_CASE("self_attention returns forward's output, computed by the tiled path",
          "[multi_head]") {
  const SimpleAttention attention(32, 4, 9);
  const Matrix x = random_matrix(70, 32, 4);
  for (const bool causal : {false, true}) {
    const Matrix output = attention.self_attention(x, causal);
    const auto full = attention.forward(x, causal, true);
    require_close(output, full.output.cast<double>(), 1e-5, 1e-6);
    REQUIRE(attention.forward(x, causal, false).weights.size() == 0);
  }
}

TEST_CASE("self-attention without masks is permutation-equivariant", "[multi_head][properties]") {
  const SimpleAttention attention(16, 2, 3);
  const Matrix x = random_matrix(8, 16, 5);
  std::vector<Index> order(8);
  std::iota(order.begin(), order.end(), 0);
  std::reverse(order.begin(), order.end());
  std::swap(order[1], order[5]);
  Matrix permuted(8, 16);
  for (Index i = 0; i < 8; ++i) permuted.row(i) = x.row(order[std::size_t(i)]);

  const auto original = attention.forward(x);
  const auto shuffled = attention.forward(permuted);
  reference::Dense expected(8, 16);
  for (Index i = 0; i < 8; ++i) {
    expected.row(i) = original.output.row(order[std::size_t(i)]).cast<double>();
  }
  require_close(shuffled.output, expected, 1e-5, 1e-6);
}

TEST_CASE("heads are contiguous column blocks: changing head 1's columns leaves head 0 alone",
          "[multi_head]") {
  SimpleAttention attention(8, 2, 11);
  const Matrix x = random_matrix(5, 8, 6);
  const auto before = attention.forward(x);
  Matrix w_q = attention.weight(Projection::query);
  w_q.rightCols(4) *= 3.0f;  // columns 4..7 belong to head 1
  attention.set_weight(Projection::query, w_q.data(), std::size_t(w_q.size()));
  const auto after = attention.forward(x);
  REQUIRE(Matrix(after.head_weights(0)) == Matrix(before.head_weights(0)));
  REQUIRE_FALSE(Matrix(after.head_weights(1)).isApprox(Matrix(before.head_weights(1)), 1e-3f));
}

TEST_CASE("trace exposes every intermediate and they agree with forward", "[multi_head]") {
  const SimpleAttention attention(12, 3, 5);
  const Matrix x = random_matrix(6, 12, 8);
  AttentionOptions options;
  options.causal = true;
  options.temperature = 2.0f;
  const auto trace = attention.trace(x, options);
  const auto forward = attention.forward(x, options);

  REQUIRE(trace.heads.size() == 3);
  REQUIRE(trace.scale == Approx(1.0 / std::sqrt(4.0) / 2.0));
  const Matrix q = x * attention.weight(Projection::query);
  for (Index h = 0; h < 3; ++h) {
    CAPTURE(h);
    const auto& step = trace.heads[std::size_t(h)];
    require_close(step.q, q.middleCols(h * 4, 4).cast<double>(), 1e-6, 1e-6);
    REQUIRE(step.k.rows() == 6);
    REQUIRE(step.v.cols() == 4);
    require_close(step.raw_scores, (step.q * step.k.transpose()).cast<double>(), 1e-6, 1e-6);
    require_close(step.scaled_scores, (step.raw_scores * trace.scale).cast<double>(), 1e-6, 1e-7);
    for (Index i = 0; i < 6; ++i) {
      for (Index j = 0; j < 6; ++j) {
        if (j > i) {
          REQUIRE(step.masked_scores(i, j) == -std::numeric_limits<float>::infinity());
          REQUIRE(step.weights(i, j) == 0.0f);
        } else {
          REQUIRE(step.masked_scores(i, j) == step.scaled_scores(i, j));
        }
      }
    }
    for (Index i = 0; i < 6; ++i) {
      REQUIRE(step.row_max(i) == step.masked_scores.row(i).maxCoeff());
      REQUIRE(step.row_sum(i) == Approx(step.exp_scores.row(i).sum()).epsilon(1e-6));
    }
    require_close(step.weights, Matrix(forward.head_weights(h)).cast<double>(), 1e-6, 1e-7);
    require_close(step.output, (step.weights * step.v).cast<double>(), 1e-6, 1e-6);
    require_close(trace.concat.middleCols(h * 4, 4), step.output.cast<double>(), 0, 0);
  }
  require_close(trace.output, forward.output.cast<double>(), 1e-5, 1e-6);
}

TEST_CASE("weights can be read and set as flat row-major arrays", "[multi_head]") {
  SimpleAttention attention(6, 2, 1);
  const SimpleAttention other(6, 2, 2);
  const Matrix x = random_matrix(4, 6, 9);
  for (const Projection p : {Projection::query, Projection::key, Projection::value,
                             Projection::output}) {
    const Matrix& source = other.weight(p);
    const std::vector<float> flat(source.data(), source.data() + source.size());
    attention.set_weight(p, flat.data(), flat.size());
    REQUIRE(attention.weight(p) == source);
    REQUIRE(attention.weight(p)(1, 2) == flat[1 * 6 + 2]);  // (in, out) row-major
  }
  REQUIRE(attention.forward(x).output == other.forward(x).output);
}

TEST_CASE("the same seed gives the same weights and a different seed different ones",
          "[multi_head][random]") {
  const SimpleAttention a(16, 4, 123), b(16, 4, 123), c(16, 4, 124);
  for (const Projection p : {Projection::query, Projection::key, Projection::value,
                             Projection::output}) {
    REQUIRE(a.weight(p) == b.weight(p));
    REQUIRE(a.weight(p) != c.weight(p));
    REQUIRE(a.bias(p).isZero(0.0f));
  }
  REQUIRE(a.weight(Projection::query) != a.weight(Projection::key));
}

TEST_CASE("initial weights are Xavier/Glorot uniform in +-sqrt(6 / (fan_in + fan_out))",
          "[multi_head][random]") {
  const Index d_model = GENERATE(8, 64, 256);
  const SimpleAttention attention(d_model, 4, 42);
  const double limit = std::sqrt(6.0 / double(2 * d_model));
  for (const Projection p : {Projection::query, Projection::key, Projection::value,
                             Projection::output}) {
    const Matrix& w = attention.weight(p);
    REQUIRE(w.cwiseAbs().maxCoeff() <= limit);
    REQUIRE(w.cwiseAbs().maxCoeff() > 0.8 * limit);
    const double mean = w.cast<double>().mean();
    const double variance = (w.cast<double>().array() - mean).square().mean();
    REQUIRE(std::abs(mean) < 4.0 * limit / std::sqrt(3.0 * double(w.size())));
    REQUIRE(variance == Approx(limit * limit / 3.0).epsilon(0.2));  // U(-a, a) has variance a^2/3
  }
}

TEST_CASE("multi_head_attention on projected q, k, v: split, attend per head, concatenate",
          "[multi_head]") {
  const Index n_heads = GENERATE(1, 3, 4);
  const bool causal = GENERATE(false, true);
  CAPTURE(n_heads, causal);
  const Index d_model = 12, d_head = d_model / n_heads;
  const Matrix q = random_matrix(7, d_model, 1), k = random_matrix(9, d_model, 2);
  const Matrix v = random_matrix(9, d_model, 3);
  AttentionOptions options;
  options.causal = causal;
  const auto result = spotlight::multi_head_attention(q, k, v, n_heads, options, true);
  const auto tiled = spotlight::multi_head_attention(q, k, v, n_heads, options, false);
  REQUIRE(result.output.rows() == 7);
  REQUIRE(result.output.cols() == d_model);
  for (Index h = 0; h < n_heads; ++h) {
    CAPTURE(h);
    const auto head = spotlight::scaled_dot_product_attention(
        q.middleCols(h * d_head, d_head), k.middleCols(h * d_head, d_head),
        v.middleCols(h * d_head, d_head), options, true);
    REQUIRE(Matrix(result.output.middleCols(h * d_head, d_head)) == head.output);
    REQUIRE(Matrix(result.head_weights(h)) == head.weights);
    require_close(tiled.output.middleCols(h * d_head, d_head), head.output.cast<double>(), 1e-5, 1e-6);
  }
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_WITH(spotlight::multi_head_attention(q, k, v, 5), Contains("d_model 12 is not divisible by num_heads 5"));
  REQUIRE_THROWS_WITH(spotlight::multi_head_attention(q, k, random_matrix(9, 8, 4), 4),
                      Contains("must share d_model, got 12, 12 and 8"));
}
