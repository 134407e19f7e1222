// The sqrt(d) experiment: raw scores spread like sqrt(d); without scaling the softmax turns one-hot
// and its gradient vanishes, with scaling it does not.
#include <catch2/catch.hpp>
#include <cmath>

#include "attention/scaling_study.h"

using spotlight::Index;

TEST_CASE("scaling study: raw score variance grows like d, scaled variance stays near 1",
          "[scaling]") {
  for (const Index d : {4, 16, 64, 256, 1024}) {
    CAPTURE(d);
    const auto point = spotlight::scaling_study(d, 64, 7);
    REQUIRE(point.d == d);
    REQUIRE(point.raw_score_variance == Approx(double(d)).epsilon(0.25));
    REQUIRE(point.scaled_score_variance == Approx(1.0).epsilon(0.25));
  }
}

TEST_CASE("scaling study: unscaled softmax turns one-hot with vanishing gradient; scaled does not",
          "[scaling]") {
  const auto small = spotlight::scaling_study(4, 64, 3);
  const auto large = spotlight::scaling_study(1024, 64, 3);
  REQUIRE(large.unscaled.max_weight > 0.9);
  REQUIRE(large.unscaled.entropy_bits < 0.3);
  REQUIRE(large.unscaled.gradient_norm < 0.1 * large.scaled.gradient_norm);
  REQUIRE(large.unscaled.max_weight > small.unscaled.max_weight);
  for (const auto& point : {small, large}) {
    REQUIRE(point.scaled.max_weight < 0.5);
    REQUIRE(point.scaled.entropy_bits > 3.0);  // log2(64) = 6 would be uniform
  }
  // At d = 1 scaling changes nothing.
  const auto one = spotlight::scaling_study(1, 16, 5);
  REQUIRE(one.unscaled.max_weight == Approx(one.scaled.max_weight));
}

TEST_CASE("softmax summary of known weights", "[scaling]") {
  spotlight::Matrix uniform = spotlight::Matrix::Constant(2, 4, 0.25f);
  const auto flat = spotlight::summarise_softmax(uniform);
  REQUIRE(flat.max_weight == Approx(0.25));
  REQUIRE(flat.entropy_bits == Approx(2.0));
  // Jacobian of uniform p over 4: diag(1/4) - 1/16; Frobenius^2 = 4*(3/16)^2 + 12*(1/16)^2 = 48/256
  REQUIRE(flat.gradient_norm == Approx(std::sqrt(48.0 / 256.0)));
  spotlight::Matrix one_hot = spotlight::Matrix::Zero(1, 4);
  one_hot(0, 2) = 1.0f;
  const auto peaked = spotlight::summarise_softmax(one_hot);
  REQUIRE(peaked.max_weight == 1.0);
  REQUIRE(peaked.entropy_bits == 0.0);
  REQUIRE(peaked.gradient_norm == 0.0);
}

TEST_CASE("scaling study: errors name the values", "[scaling][errors]") {
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_WITH(spotlight::scaling_study(0, 8, 1), Contains("d > 0, got 0"));
  REQUIRE_THROWS_WITH(spotlight::scaling_study(8, 1, 1), Contains("n > 1 tokens, got 1"));
}
