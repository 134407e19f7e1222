#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "kernels/masks.h"
#include "kernels/softmax.h"
#include "test_support.h"

using spotlight::Index;
using spotlight::Matrix;

namespace {
constexpr float minus_infinity = -std::numeric_limits<float>::infinity();
}

TEST_CASE("softmax: each row matches exp(x) / sum exp(x) and sums to 1", "[softmax]") {
  const Index cols = GENERATE(1, 2, 7, 64, 257);
  const Matrix logits = test_support::random_matrix(5, cols, 11, 4.0f);
  Matrix weights = logits;
  spotlight::softmax_rows(weights);

  reference::Dense expected(5, cols);
  for (Index i = 0; i < 5; ++i) {
    double sum = 0.0;
    for (Index j = 0; j < cols; ++j) sum += std::exp(double(logits(i, j)));
    for (Index j = 0; j < cols; ++j) expected(i, j) = std::exp(double(logits(i, j))) / sum;
  }
  test_support::require_close(weights, expected, 1e-5, 1e-7);
  for (Index i = 0; i < 5; ++i) REQUIRE(weights.row(i).sum() == Approx(1.0).margin(1e-6));
}

TEST_CASE("softmax: huge logits do not overflow (the row max is subtracted)", "[softmax]") {
  Matrix logits(2, 3);
  logits << 1000.0f, 999.0f, 998.0f, -1000.0f, -1001.0f, -1002.0f;
  spotlight::softmax_rows(logits);
  REQUIRE(logits.allFinite());
  // Both rows are the same shape shifted by a constant, so they must be equal.
  REQUIRE(logits(0, 0) == Approx(logits(1, 0)).epsilon(1e-6));
  REQUIRE(logits(0, 0) == Approx(1.0 / (1.0 + std::exp(-1.0) + std::exp(-2.0))).epsilon(1e-6));
}

TEST_CASE("softmax: adding a constant to a row leaves its weights unchanged", "[softmax]") {
  const Matrix logits = test_support::random_matrix(4, 9, 3, 3.0f);
  Matrix shifted = logits;
  shifted.row(1).array() += 25.0f;
  shifted.row(3).array() -= 40.0f;
  Matrix weights = logits;
  spotlight::softmax_rows(weights);
  spotlight::softmax_rows(shifted);
  test_support::require_close(shifted, weights.cast<double>(), 1e-5, 1e-7);
}

TEST_CASE("softmax: masked entries (-inf) are exactly 0", "[softmax]") {
  Matrix logits = test_support::random_matrix(3, 6, 5);
  logits(0, 2) = minus_infinity;
  logits(1, 0) = minus_infinity;
  logits(1, 5) = minus_infinity;
  spotlight::softmax_rows(logits);
  REQUIRE(logits(0, 2) == 0.0f);
  REQUIRE(logits(1, 0) == 0.0f);
  REQUIRE(logits(1, 5) == 0.0f);
  for (Index i = 0; i < 3; ++i) REQUIRE(logits.row(i).sum() == Approx(1.0).margin(1e-6));
}

TEST_CASE("softmax: a row with every entry masked is all zeros, not NaN", "[softmax]") {
  Matrix logits = test_support::random_matrix(2, 4, 9);
  logits.row(1).setConstant(minus_infinity);
  spotlight::softmax_rows(logits);
  REQUIRE(logits.allFinite());
  REQUIRE(logits.row(1).isZero(0.0f));
  REQUIRE(logits.row(0).sum() == Approx(1.0).margin(1e-6));
}

TEST_CASE("masks: causal masking hides the future of a square sequence", "[masks]") {
  Matrix logits = Matrix::Zero(4, 4);
  spotlight::apply_masks(logits, 0, 0, true, {});
  for (Index i = 0; i < 4; ++i) {
    for (Index j = 0; j < 4; ++j) {
      CAPTURE(i, j);
      REQUIRE((logits(i, j) == minus_infinity) == (j > i));
    }
  }
}

TEST_CASE("masks: causal cross-attention is the top-left aligned lower triangle (PyTorch)",
          "[masks]") {
  SECTION("fewer queries than keys: query i still sees keys 0..i") {
    Matrix logits = Matrix::Zero(2, 5);
    spotlight::apply_masks(logits, 0, 0, true, {});
    REQUIRE(logits(0, 0) == 0.0f);
    REQUIRE(logits(0, 1) == minus_infinity);
    REQUIRE(logits(1, 1) == 0.0f);
    REQUIRE(logits(1, 2) == minus_infinity);
    REQUIRE(logits(1, 4) == minus_infinity);
  }
  SECTION("more queries than keys: queries past n_k see every key") {
    Matrix logits = Matrix::Zero(5, 2);
    spotlight::apply_masks(logits, 0, 0, true, {});
    REQUIRE(logits(0, 1) == minus_infinity);
    REQUIRE(logits.bottomRows(4).isZero(0.0f));
  }
}

TEST_CASE("masks: a tile at an offset is masked as its place in the full matrix", "[masks]") {
  Matrix full = Matrix::Zero(6, 6);
  const spotlight::KeyPaddingMask padding{0, 0, 1, 0, 0, 1};
  spotlight::apply_masks(full, 0, 0, true, padding);
  Matrix tile = Matrix::Zero(3, 2);
  spotlight::apply_masks(tile, 2, 3, true, padding);
  REQUIRE(tile == full.block(2, 3, 3, 2));
}

TEST_CASE("masks: a nonzero key padding entry hides that key from every query", "[masks]") {
  Matrix logits = Matrix::Zero(3, 4);
  spotlight::apply_masks(logits, 0, 0, false, {0, 1, 0, 7});
  for (Index i = 0; i < 3; ++i) {
    REQUIRE(logits(i, 0) == 0.0f);
    REQUIRE(logits(i, 1) == minus_infinity);
    REQUIRE(logits(i, 2) == 0.0f);
    REQUIRE(logits(i, 3) == minus_infinity);
  }
}

TEST_CASE("softmax steps: max, exp, sum and weights, the weights equal softmax_rows bit for bit",
          "[softmax]") {
  Matrix logits = test_support::random_matrix(4, 7, 21, 5.0f);
  logits(1, 3) = minus_infinity;
  logits.row(3).setConstant(minus_infinity);
  const spotlight::SoftmaxSteps steps = spotlight::softmax_steps(logits);
  Matrix weights = logits;
  spotlight::softmax_rows(weights);
  REQUIRE(steps.weights == weights);
  for (Index i = 0; i < 3; ++i) {
    CAPTURE(i);
    REQUIRE(steps.row_max(i) == logits.row(i).maxCoeff());
    REQUIRE(steps.row_sum(i) == Approx(steps.exp_scores.row(i).sum()).epsilon(1e-6));
    for (Index j = 0; j < 7; ++j) {
      if (logits(i, j) == minus_infinity) continue;  // checked exactly below
      CAPTURE(j);
      REQUIRE(steps.exp_scores(i, j) == Approx(std::exp(double(logits(i, j)) - steps.row_max(i))).epsilon(1e-6));
      REQUIRE(steps.weights(i, j) == Approx(steps.exp_scores(i, j) / steps.row_sum(i)).epsilon(1e-6));
    }
  }
  REQUIRE(steps.exp_scores(1, 3) == 0.0f);
  REQUIRE(steps.row_sum(3) == 0.0f);
  REQUIRE(steps.exp_scores.row(3).isZero(0.0f));
  REQUIRE(steps.weights.row(3).isZero(0.0f));
}

TEST_CASE("exp_shifted: within 2 float ulps of exp, exact zeros for -inf, any length", "[softmax]") {
  const Index count = GENERATE(1, 3, 4, 5, 64, 101);
  CAPTURE(count);
  Matrix logits = test_support::random_matrix(1, count, 91, 80.0f);
  logits(0, 0) = 0.0f;
  if (count > 2) logits(0, 2) = minus_infinity;
  const float shift = logits.maxCoeff();
  Matrix out(1, count);
  const float sum = spotlight::exp_shifted(logits.data(), shift, out.data(), count);
  double expected_sum = 0.0;
  for (Index i = 0; i < count; ++i) {
    // exp of the float argument the kernel sees: at |x| ~ 80 the float subtraction alone moves
    // the result by ~1e-5 relative, which is not exp's error.
    const float argument = logits(0, i) - shift;
    const double expected = std::exp(double(argument));
    CAPTURE(i, logits(0, i), argument);
    if (logits(0, i) == minus_infinity || argument < -87.0f) {
      REQUIRE(out(0, i) == 0.0f);  // masked, or below the float range we keep: exactly 0
      continue;
    }
    expected_sum += expected;
    REQUIRE(out(0, i) == Approx(expected).epsilon(2.5e-7));
  }
  REQUIRE(sum == Approx(expected_sum).epsilon(1e-6));
}
