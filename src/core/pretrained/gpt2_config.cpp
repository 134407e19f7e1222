#include "pretrained/gpt2_config.h"

#include <cstdio>
#include <cstdlib>

#include "base/errors.h"
#include "base/json.h"

namespace spotlight {

namespace {

const std::string file = "config.json";

// The member `key`, or nullptr when it is absent or null (a default applies).
const Json* optional_member(const Json& config, const char* key) {
  const auto found = config.find(key);
  return found == config.end() || found->is_null() ? nullptr : &*found;
}

Index integer_member(const Json& config, const char* key, Index max) {
  return json_integer(json_member(config, key, file), file + ": " + key, 1, max);
}

bool boolean_member(const Json& config, const char* key, bool default_value) {
  const Json* value = optional_member(config, key);
  return value == nullptr ? default_value : json_boolean(*value, file + ": " + key);
}

// The shortest decimal that reads back as `value` in float (1e-5f as 1e-05, not as the double
// 9.99999974737875e-06 it widens to), so config.json says what its writer meant.
double shortest_decimal(float value) {
  for (int digits = 1; digits < 9; ++digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    const double parsed = std::strtod(text, nullptr);
    if (static_cast<float>(parsed) == value) return parsed;
  }
  return static_cast<double>(value);
}

}  // namespace

TransformerConfig read_gpt2_config(std::string_view config_json) {
  using Limits = ModelLimits;
  const Json config = parse_json_object(config_json, file);
  const Json* model_type = optional_member(config, "model_type");
  require(model_type != nullptr, file, ": \"model_type\" is missing; this reads checkpoints of ",
          "the GPT-2 family (model_type \"gpt2\")");
  const std::string& type = json_string(*model_type, file + ": model_type");
  require(type == "gpt2", file, ": model_type ", quoted_name(type), " is not supported; this ",
          "reads checkpoints of the GPT-2 family (model_type \"gpt2\")");

  TransformerConfig result;
  result.d_model = integer_member(config, "n_embd", Limits::max_d_model);
  result.n_heads = integer_member(config, "n_head", Limits::max_n_heads);
  result.n_layers = integer_member(config, "n_layer", Limits::max_n_layers);
  result.context_length = integer_member(config, "n_positions", Limits::max_context_length);
  result.vocab_size = integer_member(config, "vocab_size", Limits::max_vocab_size);
  if (const Json* n_ctx = optional_member(config, "n_ctx")) {
    const Index context = json_integer(*n_ctx, file + ": n_ctx", 1, Limits::max_context_length);
    require(context == result.context_length, file, ": n_ctx ", context,
            " contradicts n_positions ", result.context_length);
  }
  if (const Json* n_inner = optional_member(config, "n_inner")) {
    result.mlp_width = json_integer(*n_inner, file + ": n_inner", 1, Limits::max_d_mlp);
  }
  if (const Json* epsilon = optional_member(config, "layer_norm_epsilon")) {
    const double value = json_number(*epsilon, file + ": layer_norm_epsilon");
    // Checked as the float the model adds: 0.99999999 rounds to 1 and 1e-50 to 0 in float.
    const auto in_float = static_cast<float>(value);
    require(in_float > 0.0f && in_float < 1.0f, file,
            ": layer_norm_epsilon must be between 0 and 1, got ", epsilon->dump(),
            static_cast<double>(in_float) == value ? "" : concat(", ", in_float, " in float"));
    result.layer_norm_epsilon = in_float;
  }
  result.scale_attention = boolean_member(config, "scale_attn_weights", true);
  result.scale_attention_by_layer =
      boolean_member(config, "scale_attn_by_inverse_layer_idx", false);
  boolean_member(config, "reorder_and_upcast_attn", false);  // checked, and the same here

  if (const Json* activation = optional_member(config, "activation_function")) {
    const std::string& name = json_string(*activation, file + ": activation_function");
    require(name == "gelu_new" || name == "gelu_pytorch_tanh", file, ": activation_function ",
            quoted_name(name), " is not supported; GPT-2's is \"gelu_new\" (GELU, tanh ",
            "approximation)");
  }
  require(boolean_member(config, "tie_word_embeddings", true), file,
          ": tie_word_embeddings false is not supported; GPT-2's output head is its token "
          "embedding (wte)");
  require(!boolean_member(config, "add_cross_attention", false), file,
          ": add_cross_attention true is not supported; GPT-2 is a decoder without an encoder");

  require(result.d_model % result.n_heads == 0, file, ": n_embd ", result.d_model,
          " is not divisible by n_head ", result.n_heads);
  try {
    validate_model_config(result);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(concat(file, ": ", error.what()));
  }
  return result;
}

std::string write_gpt2_config(const TransformerConfig& config, int end_of_text) {
  validate_model_config(config);
  // Without an MLP, the checkpoint holds an MLP of zeros (gpt2_checkpoint.h), which adds exactly 0.
  require(config.layer_norm, "a model without LayerNorm has no GPT-2 configuration: ",
          "transformers' GPT2LMHeadModel always normalises");
  require(end_of_text >= -1 && end_of_text < config.vocab_size,
          "end_of_text must be -1 (none) or a token id below the vocabulary's ", config.vocab_size,
          ", got ", end_of_text);
  Json json;
  json["activation_function"] = "gelu_new";
  json["architectures"] = Json::array({"GPT2LMHeadModel"});
  json["bos_token_id"] = end_of_text >= 0 ? Json(end_of_text) : Json(nullptr);
  json["eos_token_id"] = end_of_text >= 0 ? Json(end_of_text) : Json(nullptr);
  json["layer_norm_epsilon"] = shortest_decimal(config.layer_norm_epsilon);
  json["model_type"] = "gpt2";
  json["n_ctx"] = config.context_length;
  json["n_embd"] = config.d_model;
  json["n_head"] = config.n_heads;
  json["n_inner"] = config.mlp_width == 0 ? Json(nullptr) : Json(config.mlp_width);
  json["n_layer"] = config.n_layers;
  json["n_positions"] = config.context_length;
  json["reorder_and_upcast_attn"] = false;
  json["scale_attn_by_inverse_layer_idx"] = config.scale_attention_by_layer;
  json["scale_attn_weights"] = config.scale_attention;
  json["tie_word_embeddings"] = true;
  json["torch_dtype"] = "float32";
  json["vocab_size"] = config.vocab_size;
  return json.dump(2) + "\n";
}

}  // namespace spotlight
