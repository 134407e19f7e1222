#include "model/transformer_config.h"

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

}  // namespace

bool TransformerConfig::operator==(const TransformerConfig& other) const {
  return vocab_size == other.vocab_size && context_length == other.context_length &&
         d_model == other.d_model && n_heads == other.n_heads && n_layers == other.n_layers &&
         mlp == other.mlp && layer_norm == other.layer_norm && seed == other.seed;
}

void validate_config(const TransformerConfig& config) {
  using Limits = TransformerLimits;
  require_size(config.vocab_size, Limits::max_vocab_size, "vocab_size");
  require_size(config.context_length, Limits::max_context_length, "context_length");
  require_size(config.d_model, Limits::max_d_model, "d_model");
  require_size(config.n_heads, Limits::max_n_heads, "n_heads");
  require_size(config.n_layers, Limits::max_n_layers, "n_layers");
  require(config.d_model % config.n_heads == 0, "d_model ", config.d_model,
          " is not divisible by n_heads ", config.n_heads);
  // Each factor is bounded above, so this cannot overflow 64 bits.
  const Index d = config.d_model;
  const Index per_layer = 4 * d * d + 4 * d + (config.layer_norm ? 2 * d : 0) +
                          (config.mlp ? 8 * d * d + 5 * d + (config.layer_norm ? 2 * d : 0) : 0);
  const Index total = (config.vocab_size + config.context_length) * d +
                      config.n_layers * per_layer + (config.layer_norm ? 2 * d : 0);
  require(total <= Limits::max_parameters, "the model would have ", total,
          " parameters, more than the limit of ", Limits::max_parameters,
          "; make d_model, n_layers or vocab_size smaller");
}

std::vector<ParameterInfo> parameter_table(const TransformerConfig& config) {
  validate_config(config);
  const Index d = config.d_model;
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
      add(table, prefix + "mlp.fc", d, 4 * d, ParameterRole::weight);
      add(table, prefix + "mlp.fc_bias", 1, 4 * d, ParameterRole::bias);
      add(table, prefix + "mlp.proj", 4 * d, d, ParameterRole::weight, true);
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
