// gpt2's config.json as the Hugging Face Hub serves it, and edits of it, for the tests and the fuzz
// targets of the config reader (src/core/pretrained/gpt2_config.h).
#pragma once

#include <string>

namespace spotlight::test {

// gpt2's config.json (its keys; the values of the 124 M model).
inline const std::string gpt2_config_json = R"({
  "activation_function": "gelu_new",
  "architectures": ["GPT2LMHeadModel"],
  "attn_pdrop": 0.1,
  "bos_token_id": 50256,
  "embd_pdrop": 0.1,
  "eos_token_id": 50256,
  "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05,
  "model_type": "gpt2",
  "n_ctx": 1024,
  "n_embd": 768,
  "n_head": 12,
  "n_layer": 12,
  "n_positions": 1024,
  "resid_pdrop": 0.1,
  "summary_activation": null,
  "summary_first_dropout": 0.1,
  "summary_proj_to_labels": true,
  "summary_type": "cls_index",
  "summary_use_proj": true,
  "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
  "vocab_size": 50257
}
)";

// `text` with the value of `key` replaced by `value` (JSON text), or the key removed when `value`
// is empty; a key it lacks is added first.
inline std::string with_config_value(std::string text, const std::string& key,
                                     const std::string& value) {
  const std::size_t at = text.find("\"" + key + "\"");
  if (at == std::string::npos) {
    return value.empty() ? text : text.insert(1, "\n  \"" + key + "\": " + value + ",");
  }
  const std::size_t end = text.find_first_of(",}", text.find(':', at));
  if (!value.empty()) return text.replace(at, end - at, "\"" + key + "\": " + value);
  return text.erase(at, end + 1 - at);
}

}  // namespace spotlight::test
