#include "attention.h"

#include <cmath>

#include "errors.h"
#include "kernels.h"

namespace spotlight {

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
  require(!options.scale || std::isfinite(*options.scale), "scale must be finite, got ",
          options.scale.value_or(0.0f));
  require(std::isfinite(options.temperature) && options.temperature > 0.0f,
          "temperature must be finite and > 0, got ", options.temperature);
  require_finite(q, "q");
  require_finite(k, "k");
  require_finite(v, "v");
}

float logit_scale(const AttentionOptions& options, float default_scale) {
  return options.scale.value_or(default_scale) / options.temperature;
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
  if (weights) {
    full_attention(q, k, v, scale, masks, *weights, output);
  } else {
    tiled_attention(q, k, v, scale, masks, output);
  }
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
