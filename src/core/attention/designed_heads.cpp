#include "attention/designed_heads.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attention/embeddings.h"
#include "base/errors.h"

namespace spotlight {

namespace {

constexpr float position_gain = 16.0f;
constexpr float content_gain = 32.0f;
constexpr float window_gain = 16.0f;

double frequency(Index pair, Index d_model) {
  return std::pow(10000.0, -2.0 * static_cast<double>(pair) / static_cast<double>(d_model));
}

// The factor on W_q and W_k that makes the logit (q.k / sqrt(d_head)) equal gain * f / normaliser.
float amplitude(float gain, Index d_head, double normaliser) {
  return static_cast<float>(std::sqrt(gain * std::sqrt(static_cast<double>(d_head)) / normaliser));
}

HeadProjection zero_head(Index d_model, Index d_head) {
  return {Matrix::Zero(d_model, d_head), Matrix::Zero(d_model, d_head),
          RowVector::Zero(d_head), RowVector::Zero(d_head)};
}

Index positional_pairs(Index d_model, Index d_head, const char* pattern) {
  require(d_head >= 2 && d_model >= 4, "the ", pattern, " head needs d_head >= 2 and d_model >= 4, got d_head = ",
          d_head, ", d_model = ", d_model);
  return std::min(d_head / 2, d_model / 4);
}

// Pair m of the head copies input pair p into k, and into q rotated back by `shift` positions and
// scaled by `weight`: (sin, cos)(w (i - shift)) = R(-shift w) (sin, cos)(w i).
void place_pair(HeadProjection& head, Index m, Index p, double omega, double shift, double weight,
                float scale) {
  const auto c = static_cast<float>(weight * std::cos(shift * omega)) * scale;
  const auto s = static_cast<float>(weight * std::sin(shift * omega)) * scale;
  head.w_q(2 * p, 2 * m) = c;
  head.w_q(2 * p + 1, 2 * m) = -s;
  head.w_q(2 * p, 2 * m + 1) = s;
  head.w_q(2 * p + 1, 2 * m + 1) = c;
  head.w_k(2 * p, 2 * m) = scale;
  head.w_k(2 * p + 1, 2 * m + 1) = scale;
}

}  // namespace

HeadProjection designed_head(HeadPattern pattern, Index d_model, Index d_head, int window) {
  require(d_model > 0 && d_head > 0 && d_head <= d_model, "designed_head needs 0 < d_head <= d_model, got d_head = ",
          d_head, ", d_model = ", d_model);
  HeadProjection head = zero_head(d_model, d_head);
  switch (pattern) {
    case HeadPattern::uniform:
      return head;
    case HeadPattern::previous_token: {
      const Index pairs = positional_pairs(d_model, d_head, "previous_token");
      const float scale = amplitude(position_gain, d_head, 1.0);
      for (Index m = 0; m < pairs; ++m) place_pair(head, m, m, frequency(m, d_model), 1.0, 1.0, scale);
      return head;
    }
    case HeadPattern::first_token: {
      const Index pairs = positional_pairs(d_model, d_head, "first_token");
      const float scale = amplitude(position_gain, d_head, 1.0);
      for (Index m = 0; m < pairs; ++m) {
        place_pair(head, m, m, frequency(m, d_model), 0.0, 1.0, scale);
        head.b_q(2 * m + 1) = scale;  // q = (sin, cos)(0) for every query: position 0's pattern
      }
      head.w_q.setZero();
      return head;
    }
    case HeadPattern::same_token: {
      const Index columns = std::min(d_head, d_model - first_token_column(d_model));
      const float scale = amplitude(content_gain, d_head, static_cast<double>(columns));
      const Matrix position_zero = positional_encoding(1, d_model);
      for (Index m = 0; m < columns; ++m) {
        const Index input = d_model - columns + m;
        head.w_q(input, m) = scale;
        head.w_k(input, m) = scale;
        head.b_q(m) = -scale * position_zero(0, input);
        head.b_k(m) = -scale * position_zero(0, input);
      }
      return head;
    }
    case HeadPattern::local_window: {
      require(window >= 0, "local_window needs a window >= 0, got ", window);
      // The bound also keeps the sum over shifts short (2 window + 1 terms per pair) and its
      // loop counter from overflowing int.
      require(window <= max_local_window, "local_window needs a window <= ", max_local_window,
              ", got ", window);
      const Index pairs = positional_pairs(d_model, d_head, "local_window");
      const Index band = d_model / 4;  // input pairs in the lower half
      double normaliser = 0.0;
      std::vector<double> dirichlet(static_cast<std::size_t>(pairs));
      for (Index m = 0; m < pairs; ++m) {
        const double omega = frequency(m * band / pairs, d_model);
        double weight = 0.0;
        for (int shift = -window; shift <= window; ++shift) weight += std::cos(shift * omega);
        dirichlet[static_cast<std::size_t>(m)] = weight;
        normaliser += weight;
      }
      require(normaliser > 0.0, "local_window ", window, " is too wide for d_model = ", d_model);
      const float scale = amplitude(window_gain, d_head, normaliser);
      for (Index m = 0; m < pairs; ++m) {
        const Index p = m * band / pairs;
        place_pair(head, m, p, frequency(p, d_model), 0.0, dirichlet[static_cast<std::size_t>(m)], scale);
      }
      return head;
    }
  }
  throw std::invalid_argument("unknown head pattern");
}

HeadPattern head_pattern_from_name(const std::string& name) {
  if (name == "previous_token") return HeadPattern::previous_token;
  if (name == "same_token") return HeadPattern::same_token;
  if (name == "first_token") return HeadPattern::first_token;
  if (name == "local_window") return HeadPattern::local_window;
  if (name == "uniform") return HeadPattern::uniform;
  throw std::invalid_argument(concat("unknown head pattern \"", name,
                                     "\"; known: previous_token, same_token, first_token, "
                                     "local_window, uniform"));
}

}  // namespace spotlight
