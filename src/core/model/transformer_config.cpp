#include "model/transformer_config.h"

#include <cmath>

#include "base/errors.h"

namespace spotlight {

namespace {

void require_size(Index value, Index max, const char* name) {
  require(value >= 1 && value <= max, name, " must be between 1 and ", max, ", got ", value);
}

// Appends one entry to `table`, at the offset after the previous one.
void add(std::vector<ParameterInfo>& table, std::string name, Index rows, Index cols,
         ParameterRole role, bool residual_projection = false) {
  const Index offset = table.empty() ? 0 : table.back().offset + table.back().size();
  table.push_back({std::move(name), rows, cols, offset, role, residual_projection});
}

// The sizes against one set of limits (ModelLimits or TransformerLimits).
template <typename Limits>
void validate_sizes(const TransformerConfig& config, Index max_d_mlp) {
  require_size(config.vocab_size, Limits::max_vocab_size, "vocab_size");
  require_size(config.context_length, Limits::max_context_length, "context_length");
  require_size(config.d_model, Limits::max_d_model, "d_model");
  require_size(config.n_heads, Limits::max_n_heads, "n_heads");
  require_size(config.n_layers, Limits::max_n_layers, "n_layers");
  require(config.mlp_width == 0 || (config.mlp_width >= 1 && config.mlp_width <= max_d_mlp),
          "mlp_width (n_inner) must be 0 (4 d_model) or between 1 and ", max_d_mlp, ", got ",
          config.mlp_width);
  require(config.d_model % config.n_heads == 0, "d_model ", config.d_model,
          " is not divisible by n_heads ", config.n_heads);
  const std::int64_t total = parameter_count(config);
  require(total <= Limits::max_parameters, "the model would have ", total,
          " parameters, more than the limit of ", Limits::max_parameters,
          "; make d_model, n_layers or vocab_size smaller");
}

}  // namespace

bool TransformerConfig::operator==(const TransformerConfig& other) const {
  return vocab_size == other.vocab_size && context_length == other.context_length &&
         d_model == other.d_model && n_heads == other.n_heads && n_layers == other.n_layers &&
         mlp == other.mlp && layer_norm == other.layer_norm && seed == other.seed &&
         d_mlp() == other.d_mlp() && layer_norm_epsilon == other.layer_norm_epsilon &&
         scale_attention == other.scale_attention &&
         scale_attention_by_layer == other.scale_attention_by_layer;
}

float TransformerConfig::attention_scale(Index layer) const {
  double scale = scale_attention ? 1.0 / std::sqrt(static_cast<double>(d_head())) : 1.0;
  if (scale_attention_by_layer) scale /= static_cast<double>(layer + 1);
  return static_cast<float>(scale);
}

std::int64_t parameter_count(const TransformerConfig& config) {
  const std::int64_t d = config.d_model, wide = config.d_mlp();
  const std::int64_t norm = config.layer_norm ? 2 * d : 0;
  const std::int64_t per_layer =
      4 * d * d + 4 * d + norm + (config.mlp ? 2 * d * wide + wide + d + norm : 0);
  return (std::int64_t{config.vocab_size} + config.context_length) * d +
         config.n_layers * per_layer + norm;
}

void validate_model_config(const TransformerConfig& config) {
  validate_sizes<ModelLimits>(config, ModelLimits::max_d_mlp);
  require(std::isfinite(config.layer_norm_epsilon) && config.layer_norm_epsilon > 0.0f,
          "layer_norm_epsilon must be finite and > 0, got ", config.layer_norm_epsilon);
}

void validate_config(const TransformerConfig& config) {
  validate_sizes<TransformerLimits>(config, 4 * TransformerLimits::max_d_model);
  const TransformerConfig defaults;
  require(config.d_mlp() == 4 * config.d_model && config.layer_norm_epsilon ==
              defaults.layer_norm_epsilon && config.scale_attention &&
              !config.scale_attention_by_layer,
          "a trainable model keeps GPT-2's defaults: an MLP 4 d_model wide (got ", config.d_mlp(),
          " for d_model ", config.d_model, "), layer_norm_epsilon 1e-5 (got ",
          config.layer_norm_epsilon, "), scores scaled by 1/sqrt(d_head) and not by layer");
}

std::vector<ParameterInfo> parameter_table(const TransformerConfig& config) {
  validate_model_config(config);
  const Index d = config.d_model, wide = config.d_mlp();
  std::vector<ParameterInfo> table;
  add(table, "wte", config.vocab_size, d, ParameterRole::embedding);
  add(table, "wpe", config.context_length, d, ParameterRole::embedding);
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    const std::string prefix = "h." + std::to_string(layer) + ".";
    if (config.layer_norm) {
      add(table, prefix + "ln_1.weight", 1, d, ParameterRole::norm_gain);
      add(table, prefix + "ln_1.bias", 1, d, ParameterRole::norm_bias);
    }
    for (const char* which : {"q", "k", "v", "o"}) {
      add(table, prefix + "attn.w" + which, d, d, ParameterRole::weight, *which == 'o');
      add(table, prefix + "attn.b" + which, 1, d, ParameterRole::bias);
    }
    if (config.mlp) {
      if (config.layer_norm) {
        add(table, prefix + "ln_2.weight", 1, d, ParameterRole::norm_gain);
        add(table, prefix + "ln_2.bias", 1, d, ParameterRole::norm_bias);
      }
      add(table, prefix + "mlp.fc", d, wide, ParameterRole::weight);
      add(table, prefix + "mlp.fc_bias", 1, wide, ParameterRole::bias);
      add(table, prefix + "mlp.proj", wide, d, ParameterRole::weight, true);
      add(table, prefix + "mlp.proj_bias", 1, d, ParameterRole::bias);
    }
  }
  if (config.layer_norm) {
    add(table, "ln_f.weight", 1, d, ParameterRole::norm_gain);
    add(table, "ln_f.bias", 1, d, ParameterRole::norm_bias);
  }
  return table;
}

Index parameter_count(const std::vector<ParameterInfo>& table) {
  return table.empty() ? 0 : table.back().offset + table.back().size();
}

}  // namespace spotlight
