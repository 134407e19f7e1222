// libFuzzer target over config.json of the GPT-2 family (src/core/pretrained/gpt2_config.h),
// built with AddressSanitizer and UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt), checked
// by the rules of fuzz_rules.h. The input is the whole of config.json, any bytes:
//   1. read_gpt2_config returns, or throws std::invalid_argument with a short message that opens
//      with "config.json".
//   2. What it returns is a model the core can build: validate_model_config accepts it, with
//      LayerNorm and an MLP (config.json cannot turn them off) and the default seed.
//   3. write_gpt2_config of it reads back as the same configuration (operator==), with or
//      without an end-of-text id, and writing that again gives the same text.
//
// The seeds in tests/fuzz/corpus/gpt2_config/seeds come from this target itself:
//   build/sanitize/tests/fuzz/fuzz_gpt2_config --write-seeds=tests/fuzz/corpus/gpt2_config/seeds
// (write_seeds below: the family's published shapes, the reference checkpoints' variants, the
// writer's own files, and refused ones).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_rules.h"
#include "gpt2_config_text.h"
#include "model/transformer_config.h"
#include "pretrained/gpt2_config.h"

namespace fuzz {

namespace {

using spotlight::TransformerConfig;

// A rejection says what is wrong in a sentence; it never dumps the file into the message.
constexpr std::size_t longest_message = 400;

// Step 1: the configuration `text` describes, when it reads.
bool read_config(std::string_view text, TransformerConfig& config, const char* what) {
  if (completes("read_gpt2_config", [&] { config = spotlight::read_gpt2_config(text); })) {
    return true;
  }
  check_file_rejection(last_rejection, longest_message, what);
  rule(last_rejection.rfind("config.json", 0) == 0, what,
       ": a rejection that does not name config.json: ", last_rejection);
  return false;
}

// Steps 2 and 3.
void check_config(const TransformerConfig& config) {
  rule(completes("validate_model_config", [&] { spotlight::validate_model_config(config); }),
       "read_gpt2_config returned a configuration the model refuses: ", last_rejection);
  rule(config.mlp && config.layer_norm && config.seed == TransformerConfig().seed,
       "read_gpt2_config turned off the MLP or LayerNorm, or set a seed");
  for (const int end_of_text : {-1, static_cast<int>(config.vocab_size - 1)}) {
    std::string written;
    rule(completes("write_gpt2_config",
                   [&] { written = spotlight::write_gpt2_config(config, end_of_text); }),
         "write_gpt2_config refuses what read_gpt2_config returned: ", last_rejection);
    TransformerConfig again;
    rule(read_config(written, again, "the writer's config.json"),
         "the writer's config.json does not read back: ", last_rejection, "\n", written);
    rule(again == config, "the writer's config.json reads back as another configuration:\n",
         written);
    std::string rewritten;
    rule(completes("write_gpt2_config",
                   [&] { rewritten = spotlight::write_gpt2_config(again, end_of_text); }) &&
             rewritten == written,
         "writing what was written and read gives another text:\n", written, "\n", rewritten);
  }
}

// --- Seeds -------------------------------------------------------------------------------------

const std::string& gpt2 = spotlight::test::gpt2_config_json;

std::string with(const std::string& text, const std::string& key, const std::string& value) {
  return spotlight::test::with_config_value(text, key, value);
}

// The keys of the small checkpoints that tests/golden/make_gpt2_checkpoints.py writes (hf_config:
// GPT2Config.save_pretrained's keys, sorted), for one variant's values.
std::string reference_variant(const std::string& n_inner, const std::string& epsilon,
                              const std::string& n_layer, const std::string& by_layer,
                              const std::string& torch_dtype) {
  return R"({
  "activation_function": "gelu_new",
  "architectures": [
    "GPT2LMHeadModel"
  ],
  "attn_pdrop": 0.1,
  "bos_token_id": 296,
  "embd_pdrop": 0.1,
  "eos_token_id": 296,
  "initializer_range": 0.02,
  "layer_norm_epsilon": )" +
         epsilon + R"(,
  "model_type": "gpt2",
  "n_ctx": 32,
  "n_embd": 16,
  "n_head": 4,
  "n_inner": )" +
         n_inner + R"(,
  "n_layer": )" +
         n_layer + R"(,
  "n_positions": 32,
  "reorder_and_upcast_attn": )" +
         by_layer + R"(,
  "resid_pdrop": 0.1,
  "scale_attn_by_inverse_layer_idx": )" +
         by_layer + R"(,
  "scale_attn_weights": true,
  "summary_activation": null,
  "summary_first_dropout": 0.1,
  "summary_proj_to_labels": true,
  "summary_type": "cls_index",
  "summary_use_proj": true,
  "torch_dtype": ")" +
         torch_dtype + R"(",
  "use_cache": true,
  "vocab_size": 297
}
)";
}

std::vector<std::pair<std::string, std::string>> seeds() {
  // distilgpt2: 6 layers, and the label keys of its sequence-classification head.
  const std::string distilgpt2 =
      with(with(with(gpt2, "n_layer", "6"), "_num_labels", "1"), "id2label", R"({"0": "LABEL_0"})");
  // gpt2-medium: 1,024 wide, 16 heads, 24 layers, and two keys of the old OpenAI GPT config.
  const std::string gpt2_medium =
      with(with(with(with(with(gpt2, "n_embd", "1024"), "n_head", "16"), "n_layer", "24"),
                "n_special", "0"),
           "predict_special_tokens", "true");

  TransformerConfig options;
  options.vocab_size = 297;
  options.context_length = 32;
  options.d_model = 16;
  options.n_heads = 4;
  options.n_layers = 3;
  options.mlp_width = 48;
  options.layer_norm_epsilon = 1e-3f;
  options.scale_attention = false;
  options.scale_attention_by_layer = true;
  TransformerConfig smallest = options;
  smallest.vocab_size = smallest.context_length = smallest.d_model = smallest.n_heads = 1;
  smallest.n_layers = smallest.mlp_width = 1;
  smallest.layer_norm_epsilon = 1e-40f;  // a denormal float
  const TransformerConfig defaults;

  return {
      {"valid-gpt2", gpt2},
      {"valid-distilgpt2", distilgpt2},
      {"valid-gpt2-medium", gpt2_medium},
      {"valid-reference-plain", reference_variant("null", "1e-05", "2", "false", "float32")},
      {"valid-reference-n-inner", reference_variant("48", "1e-05", "2", "false", "float32")},
      {"valid-reference-epsilon", reference_variant("null", "0.001", "2", "false", "float16")},
      {"valid-reference-inverse-layer-scale",
       reference_variant("null", "1e-05", "3", "true", "bfloat16")},
      {"valid-written-defaults", spotlight::write_gpt2_config(defaults)},
      {"valid-written-options", spotlight::write_gpt2_config(options, 296)},
      {"valid-written-smallest", spotlight::write_gpt2_config(smallest)},
      {"valid-minimal",
       R"({"model_type":"gpt2","n_embd":8,"n_head":2,"n_layer":1,"n_positions":4,"vocab_size":3})"},
      {"valid-integral-floats", with(with(gpt2, "n_embd", "768.0"), "n_positions", "1.024e3")},
      {"valid-nulls-for-defaults",
       with(with(with(gpt2, "layer_norm_epsilon", "null"), "n_inner", "null"), "n_ctx", "null")},
      {"valid-gelu-pytorch-tanh", with(gpt2, "activation_function", "\"gelu_pytorch_tanh\"")},
      {"valid-largest-epsilon", with(gpt2, "layer_norm_epsilon", "0.9999999")},
      {"valid-no-scale", with(gpt2, "scale_attn_weights", "false")},
      {"valid-white-space", "\r\n\t " + gpt2 + " \t\r\n"},
      {"broken-llama", with(gpt2, "model_type", "\"llama\"")},
      {"broken-no-model-type", with(gpt2, "model_type", "")},
      {"broken-untied", with(gpt2, "tie_word_embeddings", "false")},
      {"broken-relu", with(gpt2, "activation_function", "\"relu\"")},
      {"broken-cross-attention", with(gpt2, "add_cross_attention", "true")},
      {"broken-n-ctx-contradicts", with(gpt2, "n_ctx", "512")},
      {"broken-no-n-embd", with(gpt2, "n_embd", "")},
      {"broken-n-head-string", with(gpt2, "n_head", "\"12\"")},
      {"broken-n-head-divides-not", with(gpt2, "n_head", "7")},
      {"broken-n-layer-zero", with(gpt2, "n_layer", "0")},
      {"broken-n-inner-fraction", with(gpt2, "n_inner", "3072.5")},
      {"broken-huge-vocabulary", with(gpt2, "vocab_size", "18446744073709551615")},
      {"broken-too-many-parameters",
       with(with(with(gpt2, "n_embd", "8192"), "n_head", "16"), "n_layer", "256")},
      {"broken-negative-epsilon", with(gpt2, "layer_norm_epsilon", "-1")},
      {"broken-epsilon-one", with(gpt2, "layer_norm_epsilon", "1")},
      {"broken-epsilon-underflows", with(gpt2, "layer_norm_epsilon", "1e-50")},
      {"broken-epsilon-rounds-to-one", with(gpt2, "layer_norm_epsilon", "0.99999999")},
      {"broken-boolean-number", with(gpt2, "scale_attn_weights", "1")},
      {"broken-duplicate-key", with(gpt2, "vocab_size", "50257, \"vocab_size\": 50257")},
      {"broken-array", "[" + gpt2 + "]"},
      {"broken-deep",
       with(gpt2, "task_specific_params", std::string(40, '[') + std::string(40, ']'))},
      {"broken-truncated", gpt2.substr(0, gpt2.size() / 2)},
      {"broken-nul", gpt2 + std::string(1, '\0') + "{}"},
      {"broken-byte-order-mark", "\xEF\xBB\xBF" + gpt2},
      {"broken-invalid-utf8", with(gpt2, "summary_type", "\"cls\xC3\x28\"")},
      {"broken-empty", ""},
  };
}

int write_seeds(const std::string& directory) {
  return write_seed_files(directory, seeds());
}

}  // namespace

}  // namespace fuzz

// `--write-seeds=DIR` writes the seeds and exits instead of fuzzing.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fuzz::write_seeds_if_asked(*argc, *argv, fuzz::write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  spotlight::TransformerConfig config;
  if (fuzz::read_config(text, config, "config.json")) fuzz::check_config(config);
  return 0;
}
