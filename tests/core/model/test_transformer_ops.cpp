// Each operation of the tiny transformer against the naive reference (tests/core/support/reference_transformer.h):
// its forward against the reference's, and its hand-written backward against central finite
// differences of the reference in double. For an upstream gradient G (random), the backward of
// y = f(x) must give dL/dx of the scalar L = sum(G * f(x)).
//
// Tolerance: relative 1e-4 with a margin of 1e-5. The core computes in float (unit roundoff 6e-8)
// over sums of at most a few dozen terms; central differences in double with step 1e-6 are
// accurate to about 1e-9 here. So 1e-4 is loose enough for float and tight enough that a missing
// term (an error of whole percent) fails.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/transformer_ops.h"
#include "reference_transformer.h"
#include "test_support.h"

using reference::Dense;
using spotlight::Index;
using spotlight::Matrix;
using spotlight::TokenId;
using test_support::random_matrix;
using test_support::require_close;

namespace {

constexpr double relative = 1e-4;
constexpr double margin = 1e-5;


// sum(G * y) for the reference's output y.
double weighted_sum(const Dense& upstream, const Dense& y) { return (upstream.array() * y.array()).sum(); }

}  // namespace

TEST_CASE("transformer ops: LayerNorm's backward matches finite differences", "[transformer_ops]") {
  // Rows with a large mean and a small spread, where E[x^2] - E[x]^2 would cancel badly.
  Matrix x = random_matrix(6, 8, 1, 2.0f);
  x.row(2).array() += 30.0f;
  const Matrix gain = (random_matrix(1, 8, 2, 0.3f).array() + 1.0f).matrix();
  const Matrix bias = random_matrix(1, 8, 3, 0.2f);
  const Matrix upstream = random_matrix(6, 8, 4);
  const Dense x_d = reference::to_dense(x), gain_d = reference::to_dense(gain),
              bias_d = reference::to_dense(bias), g_d = reference::to_dense(upstream);

  Matrix out(6, 8);
  std::vector<float> mean(6), rstd(6);
  spotlight::layernorm_forward(x, gain.data(), bias.data(), out, mean.data(), rstd.data());
  require_close(out, reference::layernorm(x_d, gain_d, bias_d), 1e-5, 1e-5);

  Matrix dx = Matrix::Zero(6, 8), dgain = Matrix::Zero(1, 8), dbias = Matrix::Zero(1, 8);
  spotlight::layernorm_backward(upstream, x, gain.data(), mean.data(), rstd.data(), dx,
                                dgain.data(), dbias.data());
  require_close(dx, reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::layernorm(v, gain_d, bias_d));
                }, x_d), relative, margin);
  require_close(dgain, reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::layernorm(x_d, v, bias_d));
                }, gain_d), relative, margin);
  require_close(dbias, reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::layernorm(x_d, gain_d, v));
                }, bias_d), relative, margin);
}

TEST_CASE("transformer ops: a linear layer's backward matches finite differences and accumulates",
          "[transformer_ops]") {
  // 33 rows and 19 outputs: past the product's (2, 16) blocks, with ragged edges.
  const Matrix x = random_matrix(33, 7, 5), w = random_matrix(7, 19, 6), b = random_matrix(1, 19, 7);
  const Matrix upstream = random_matrix(33, 19, 8);
  const Dense x_d = reference::to_dense(x), w_d = reference::to_dense(w),
              b_d = reference::to_dense(b), g_d = reference::to_dense(upstream);
  spotlight::ProductScratch scratch;
  Matrix y(33, 19);
  spotlight::linear_forward(x, w, b.data(), y, scratch.panels);
  require_close(y, reference::linear(x_d, w_d, b_d), 1e-5, 1e-5);

  // Start from ones: the backward must add to them, not overwrite them.
  Matrix dx = Matrix::Ones(33, 7), dw = Matrix::Ones(7, 19), db = Matrix::Ones(1, 19);
  spotlight::linear_backward(upstream, x, w, dx, dw, db.data(), scratch);
  const Dense ones_x = Dense::Ones(33, 7), ones_w = Dense::Ones(7, 19), ones_b = Dense::Ones(1, 19);
  require_close(dx, ones_x + reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::linear(v, w_d, b_d));
                }, x_d), relative, margin);
  require_close(dw, ones_w + reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::linear(x_d, v, b_d));
                }, w_d), relative, margin);
  require_close(db, ones_b + reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::linear(x_d, w_d, v));
                }, b_d), relative, margin);
}

TEST_CASE("transformer ops: GELU's backward matches finite differences", "[transformer_ops]") {
  const Matrix x = random_matrix(4, 10, 9, 4.0f), upstream = random_matrix(4, 10, 10);
  const Dense x_d = reference::to_dense(x), g_d = reference::to_dense(upstream);
  Matrix y(4, 10), dx = Matrix::Zero(4, 10);
  spotlight::gelu_forward(x, y);
  require_close(y, reference::gelu(x_d), 1e-6, 1e-6);
  spotlight::gelu_backward(upstream, x, dx);
  require_close(dx, reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::gelu(v));
                }, x_d), relative, margin);
}

TEST_CASE("transformer ops: GELU's derivative is 1 or 0 far from 0, never NaN", "[transformer_ops]") {
  // Inputs whose cube or square overflows float (fuzz_training's finding, gelu-huge-bias).
  Matrix x(1, 6);
  x << -7e30f, -1e20f, -11.0f, 11.0f, 1e20f, 3e38f;
  const Matrix upstream = Matrix::Ones(1, 6);
  Matrix y(1, 6), dx = Matrix::Zero(1, 6);
  spotlight::gelu_forward(x, y);
  spotlight::gelu_backward(upstream, x, dx);
  for (Index j = 0; j < 6; ++j) {
    CAPTURE(j, x(0, j), y(0, j), dx(0, j));
    REQUIRE(std::isfinite(y(0, j)));
    REQUIRE(dx(0, j) == (x(0, j) > 0.0f ? 1.0f : 0.0f));
  }
  REQUIRE(y(0, 3) == Approx(11.0));
  REQUIRE(y(0, 0) == 0.0f);
}

TEST_CASE("transformer ops: causal attention's backward matches finite differences",
          "[transformer_ops]") {
  const int seq_len = GENERATE(1, 5, 19);
  const Index n_heads = GENERATE(1, 2);
  CAPTURE(seq_len, n_heads);
  const Index batch = 2, n = batch * seq_len, d = 8;
  // Entries of size 1.5: weights far from uniform and from one-hot.
  const Matrix q = random_matrix(n, d, 11, 1.5f), k = random_matrix(n, d, 12, 1.5f),
               v = random_matrix(n, d, 13), upstream = random_matrix(n, d, 14);
  const Dense q_d = reference::to_dense(q), k_d = reference::to_dense(k),
              v_d = reference::to_dense(v), g_d = reference::to_dense(upstream);

  Matrix y(n, d), att(batch * n_heads * seq_len, seq_len);
  spotlight::attention_forward(q, k, v, seq_len, n_heads, y, att);
  std::vector<Dense> expected_weights;
  require_close(y, reference::causal_attention(q_d, k_d, v_d, seq_len, static_cast<int>(n_heads),
                                               &expected_weights),
                1e-5, 1e-6);
  for (std::size_t block = 0; block < expected_weights.size(); ++block) {
    CAPTURE(block);
    require_close(att.middleRows(static_cast<Index>(block) * seq_len, seq_len),
                  expected_weights[block], 1e-5, 1e-6);
  }

  Matrix dq = Matrix::Zero(n, d), dk = Matrix::Zero(n, d), dv = Matrix::Zero(n, d);
  spotlight::ProductScratch scratch;
  spotlight::attention_backward(upstream, q, k, v, att, seq_len, n_heads, dq, dk, dv, scratch);
  const int heads = static_cast<int>(n_heads);
  require_close(dq, reference::numerical_gradient([&](const Dense& x) {
                  return weighted_sum(g_d, reference::causal_attention(x, k_d, v_d, seq_len, heads));
                }, q_d), relative, margin);
  require_close(dk, reference::numerical_gradient([&](const Dense& x) {
                  return weighted_sum(g_d, reference::causal_attention(q_d, x, v_d, seq_len, heads));
                }, k_d), relative, margin);
  require_close(dv, reference::numerical_gradient([&](const Dense& x) {
                  return weighted_sum(g_d, reference::causal_attention(q_d, k_d, x, seq_len, heads));
                }, v_d), relative, margin);
}

TEST_CASE("transformer ops: cross-entropy's backward matches finite differences, ignoring -1",
          "[transformer_ops]") {
  const Matrix logits = random_matrix(6, 7, 15, 3.0f);
  const std::vector<TokenId> targets = {3, -1, 0, 6, -1, 2};
  Matrix probs = logits;
  Index counted = 0;
  const double loss = spotlight::cross_entropy_forward(probs, targets.data(), counted);
  const Dense logits_d = reference::to_dense(logits);
  REQUIRE(counted == 4);
  REQUIRE(loss == Approx(reference::cross_entropy(logits_d, targets)).epsilon(1e-6));
  for (Index row = 0; row < 6; ++row) REQUIRE(probs.row(row).sum() == Approx(1.0).epsilon(1e-6));

  Matrix dlogits(6, 7);
  spotlight::cross_entropy_backward(probs, targets.data(), counted, dlogits);
  require_close(dlogits, reference::numerical_gradient([&](const Dense& x) {
                  return reference::cross_entropy(x, targets);
                }, logits_d), relative, margin);
  REQUIRE(dlogits.row(1).isZero(0.0f));
  REQUIRE(dlogits.row(4).isZero(0.0f));
}

TEST_CASE("transformer ops: a logit that underflows its probability still gives a finite loss",
          "[transformer_ops]") {
  // The target's logit is 200 below the max: exp(-200) is 0 in float, log of it would be -inf.
  Matrix logits = Matrix::Zero(1, 3);
  logits(0, 0) = 100.0f;
  logits(0, 2) = -100.0f;
  const std::vector<TokenId> targets = {2};
  Index counted = 0;
  const double loss = spotlight::cross_entropy_forward(logits, targets.data(), counted);
  REQUIRE(loss == Approx(200.0).epsilon(1e-6));
}

TEST_CASE("transformer ops: the embedding's backward adds each row to its token and position",
          "[transformer_ops]") {
  const std::vector<TokenId> tokens = {1, 4, 1, 0, 2, 1};  // two sequences of 3; token 1 repeats
  const int seq_len = 3;
  const Matrix wte = random_matrix(5, 4, 16), wpe = random_matrix(3, 4, 17);
  const Matrix upstream = random_matrix(6, 4, 18);
  const Dense wte_d = reference::to_dense(wte), wpe_d = reference::to_dense(wpe),
              g_d = reference::to_dense(upstream);
  Matrix x(6, 4);
  spotlight::embedding_forward(tokens.data(), seq_len, wte, wpe, x);
  require_close(x, reference::embedding(tokens, seq_len, wte_d, wpe_d), 0.0, 1e-6);
  Matrix dwte = Matrix::Zero(5, 4), dwpe = Matrix::Zero(3, 4);
  spotlight::embedding_backward(tokens.data(), seq_len, upstream, dwte, dwpe);
  require_close(dwte, reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::embedding(tokens, seq_len, v, wpe_d));
                }, wte_d), relative, margin);
  require_close(dwpe, reference::numerical_gradient([&](const Dense& v) {
                  return weighted_sum(g_d, reference::embedding(tokens, seq_len, wte_d, v));
                }, wpe_d), relative, margin);
  REQUIRE(dwte.row(3).isZero(0.0f));  // token 3 never occurs
}
