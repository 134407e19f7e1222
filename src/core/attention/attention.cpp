#include "attention/attention.h"

#include <cmath>

#include "base/errors.h"
#include "kernels/attention_kernels.h"

namespace spotlight {

namespace {

void validate_options(const AttentionOptions& options) {
  require(!options.scale || std::isfinite(*options.scale), "scale must be finite, got ",
          options.scale.value_or(0.0f));
  require(std::isfinite(options.temperature) && options.temperature > 0.0f,
          "temperature must be finite and > 0, got ", options.temperature);
}

// Powers of two that keep every intermediate of the kernels in float's range, given scores that
// fit (require_scores_in_float_range). q and k shrink when their products before the scale could
// overflow (large inputs, a factor below 1), and the factor grows to match, which leaves every
// score unchanged. v shrinks when the tiled kernel's running sum of up to n_k rows of v, taken
// before it divides by the softmax's sum, could overflow; the output grows back afterwards.
struct RangeShifts {
  int q = 0, k = 0, v = 0;
};

// q_norm, k_norm: the largest |q_i| and |k_j|.
RangeShifts range_shifts(double q_norm, double k_norm, const MatrixView& v) {
  RangeShifts shifts;
  if (q_norm * k_norm > float_range_limit) {
    const double root_limit = std::sqrt(float_range_limit);
    shifts.q = power_of_two_to_fit(q_norm, root_limit);
    shifts.k = power_of_two_to_fit(k_norm, root_limit);
  }
  shifts.v =
      power_of_two_to_fit(max_magnitude(v) * static_cast<double>(v.rows()), float_range_limit);
  return shifts;
}

// values * 2^exponent: exact, except for values it takes into float's denormals.
Matrix times_power_of_two(const MatrixView& values, int exponent) {
  return values * std::ldexp(1.0f, exponent);
}

// q_norm, k_norm: the largest |q_i| and |k_j|.
void require_scores_fit(double q_norm, double k_norm, float logit_scale) {
  require_in_float_range(q_norm * k_norm * std::abs(static_cast<double>(logit_scale)),
                         "the scores q.k * scale", ": largest |q_i| ", q_norm, ", largest |k_j| ",
                         k_norm, ", scale / temperature ", logit_scale,
                         "; scale q or k down, or raise the temperature");
}

void run_kernel(const MatrixView& q, const MatrixView& k, const MatrixView& v, float logit_scale,
                const MaskSpec& masks, MatrixRef output, std::optional<MatrixRef> weights) {
  if (weights) {
    full_attention(q, k, v, logit_scale, masks, *weights, output);
  } else {
    tiled_attention(q, k, v, logit_scale, masks, output);
  }
}

}  // namespace

void validate_attention_inputs(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                               const AttentionOptions& options) {
  require(q.rows() > 0 && k.rows() > 0, "empty sequence: q has ", q.rows(), " rows and k has ",
          k.rows(), " rows; both need at least one");
  require(q.cols() > 0 && v.cols() > 0, "zero-width input: q has ", q.cols(),
          " columns (d_k) and v has ", v.cols(), " columns (d_v)");
  require(q.cols() == k.cols(), "q has ", q.cols(), " columns but k has ", k.cols(),
          "; queries and keys must share d_k");
  require(k.rows() == v.rows(), "k has ", k.rows(), " rows but v has ", v.rows(),
          "; every key needs one value (n_k)");
  require(options.key_padding_mask.empty() ||
              static_cast<Index>(options.key_padding_mask.size()) == k.rows(),
          "key_padding_mask has ", options.key_padding_mask.size(), " entries, expected n_k = ",
          k.rows());
  validate_options(options);
  require_finite(q, "q");
  require_finite(k, "k");
  require_finite(v, "v");
}

float logit_scale(const AttentionOptions& options, float default_scale) {
  validate_options(options);
  const float scale = options.scale.value_or(default_scale);
  const float factor = scale / options.temperature;
  require(std::isfinite(factor), "scale / temperature overflows float: ", scale, " / ",
          options.temperature, "; lower the scale or raise the temperature");
  return factor;
}

void require_scores_in_float_range(const MatrixView& q, const MatrixView& k, float logit_scale) {
  require_scores_fit(max_row_norm(q), max_row_norm(k), logit_scale);
}

void attention_into(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                    float default_scale, const AttentionOptions& options, MatrixRef output,
                    std::optional<MatrixRef> weights) {
  validate_attention_inputs(q, k, v, options);
  require(output.rows() == q.rows() && output.cols() == v.cols(), "output is (", output.rows(),
          ", ", output.cols(), "), expected (n_q, d_v) = (", q.rows(), ", ", v.cols(), ")");
  require(!weights || (weights->rows() == q.rows() && weights->cols() == k.rows()), "weights are (",
          weights ? weights->rows() : 0, ", ", weights ? weights->cols() : 0,
          "), expected (n_q, n_k) = (", q.rows(), ", ", k.rows(), ")");
  const MaskSpec masks{options.causal, options.key_padding_mask};
  const float scale = logit_scale(options, default_scale);
  const double q_norm = max_row_norm(q), k_norm = max_row_norm(k);
  require_scores_fit(q_norm, k_norm, scale);
  const RangeShifts shifts = range_shifts(q_norm, k_norm, v);
  if (shifts.q == 0 && shifts.k == 0 && shifts.v == 0) {
    run_kernel(q, k, v, scale, masks, output, weights);
    return;
  }
  // Inputs near float's limits: the same attention on rescaled copies.
  run_kernel(times_power_of_two(q, -shifts.q), times_power_of_two(k, -shifts.k),
             times_power_of_two(v, -shifts.v), std::ldexp(scale, shifts.q + shifts.k), masks,
             output, weights);
  output *= std::ldexp(1.0f, shifts.v);
  // A weighted average cannot pass the largest |v|; with values that close to float's largest,
  // rounding could carry it past, to inf, so it is clamped back to that bound.
  const auto v_magnitude = static_cast<float>(max_magnitude(v));
  output = output.cwiseMin(v_magnitude).cwiseMax(-v_magnitude);
}

AttentionResult attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                          float default_scale, const AttentionOptions& options,
                          bool return_weights) {
  AttentionResult result;
  result.output.resize(q.rows(), v.cols());
  if (return_weights) {
    result.weights.resize(q.rows(), k.rows());
    attention_into(q, k, v, default_scale, options, result.output, MatrixRef(result.weights));
  } else {
    attention_into(q, k, v, default_scale, options, result.output, std::nullopt);
  }
  return result;
}

AttentionResult dot_product_attention(const MatrixView& q, const MatrixView& k,
                                      const MatrixView& v, const AttentionOptions& options,
                                      bool return_weights) {
  return attention(q, k, v, 1.0f, options, return_weights);
}

AttentionResult scaled_dot_product_attention(const MatrixView& q, const MatrixView& k,
                                             const MatrixView& v,
                                             const AttentionOptions& options,
                                             bool return_weights) {
  const float inverse_sqrt_d_k = 1.0f / std::sqrt(static_cast<float>(q.cols()));
  return attention(q, k, v, inverse_sqrt_d_k, options, return_weights);
}

}  // namespace spotlight
