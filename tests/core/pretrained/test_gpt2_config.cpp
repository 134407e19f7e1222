// config.json of the GPT-2 family (src/core/pretrained/gpt2_config.h): gpt2's own, the options
// it maps, what it refuses and why, and the writer read back.
#include <catch2/catch.hpp>

#include <string>

#include "gpt2_config_text.h"
#include "pretrained/gpt2_config.h"

using Catch::Matchers::Contains;
using spotlight::read_gpt2_config;
using spotlight::TransformerConfig;

namespace {

const std::string& gpt2_config = spotlight::test::gpt2_config_json;

std::string with(const std::string& key, const std::string& value) {
  return spotlight::test::with_config_value(gpt2_config, key, value);
}

std::string error_of(const std::string& text) {
  try {
    read_gpt2_config(text);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("gpt2 config: gpt2's config.json is GPT-2 small", "[pretrained][config]") {
  const TransformerConfig config = read_gpt2_config(gpt2_config);
  CHECK(config.d_model == 768);
  CHECK(config.n_heads == 12);
  CHECK(config.n_layers == 12);
  CHECK(config.context_length == 1024);
  CHECK(config.vocab_size == 50257);
  CHECK(config.d_mlp() == 3072);
  CHECK(config.layer_norm_epsilon == 1e-5f);
  CHECK(config.scale_attention);
  CHECK_FALSE(config.scale_attention_by_layer);
  CHECK(config.mlp);
  CHECK(config.layer_norm);
}

TEST_CASE("gpt2 config: GPT-2's options are read", "[pretrained][config]") {
  CHECK(read_gpt2_config(with("n_inner", "1000")).d_mlp() == 1000);
  CHECK(read_gpt2_config(with("n_inner", "null")).d_mlp() == 3072);
  CHECK(read_gpt2_config(with("layer_norm_epsilon", "0.001")).layer_norm_epsilon == 1e-3f);
  CHECK_FALSE(read_gpt2_config(with("scale_attn_weights", "false")).scale_attention);
  CHECK(read_gpt2_config(with("scale_attn_by_inverse_layer_idx", "true")).scale_attention_by_layer);
  CHECK_NOTHROW(read_gpt2_config(with("reorder_and_upcast_attn", "true")));
  CHECK_NOTHROW(read_gpt2_config(with("n_ctx", "")));
  CHECK_NOTHROW(read_gpt2_config(with("activation_function", "\"gelu_pytorch_tanh\"")));
}

TEST_CASE("gpt2 config: what the model cannot compute is refused by name", "[pretrained][config]") {
  CHECK(error_of(with("model_type", "\"llama\"")) ==
        "config.json: model_type \"llama\" is not supported; this reads checkpoints of the GPT-2 "
        "family (model_type \"gpt2\")");
  CHECK_THAT(error_of(with("model_type", "")), Contains("\"model_type\" is missing"));
  CHECK_THAT(error_of(with("activation_function", "\"relu\"")),
             Contains("activation_function \"relu\" is not supported"));
  CHECK_THAT(error_of(with("tie_word_embeddings", "false")),
             Contains("tie_word_embeddings false is not supported"));
  CHECK_THAT(error_of(with("add_cross_attention", "true")),
             Contains("add_cross_attention true is not supported"));
}

TEST_CASE("gpt2 config: missing, mistyped and contradictory values name the key and value",
          "[pretrained][config]") {
  CHECK(error_of(with("n_embd", "")) == "config.json: \"n_embd\" is missing");
  CHECK(error_of(with("n_head", "\"12\"")) ==
        "config.json: n_head must be an integer, got the string \"12\"");
  CHECK(error_of(with("n_layer", "0")) ==
        "config.json: n_layer must be an integer from 1 to 256, got 0");
  CHECK(error_of(with("n_head", "7")) == "config.json: n_embd 768 is not divisible by n_head 7");
  CHECK(error_of(with("n_ctx", "512")) == "config.json: n_ctx 512 contradicts n_positions 1024");
  CHECK_THAT(error_of(with("layer_norm_epsilon", "-1")),
             Contains("layer_norm_epsilon must be between 0 and 1, got -1"));
  CHECK_THAT(error_of(with("scale_attn_weights", "1")),
             Contains("scale_attn_weights must be true or false, got the number 1"));
  CHECK_THAT(error_of(with("vocab_size", "100000000")),
             Contains("vocab_size must be an integer from 1 to 262144, got 100000000"));
  // Sizes each within bounds whose product is not.
  CHECK_THAT(error_of(R"({"model_type": "gpt2", "n_embd": 8192, "n_head": 16, "n_layer": 256,
                          "n_positions": 1024, "vocab_size": 50257})"),
             Contains("parameters, more than the limit of 4294967296"));
  CHECK_THAT(error_of("[]"), Contains("config.json must be a JSON object"));
  CHECK_THAT(error_of("{\"model_type\": \"gpt2\", \"model_type\": \"gpt2\"}"),
             Contains("gives the key \"model_type\" twice"));
}

TEST_CASE("gpt2 config: layer_norm_epsilon is checked as the float the model adds",
          "[pretrained][config]") {
  // Below 1 in the file, 1 in float: the writer's config.json then said 1.0, which this refused.
  CHECK(error_of(with("layer_norm_epsilon", "0.99999999")) ==
        "config.json: layer_norm_epsilon must be between 0 and 1, got 0.99999999, 1 in float");
  CHECK(error_of(with("layer_norm_epsilon", "1e-50")) ==
        "config.json: layer_norm_epsilon must be between 0 and 1, got 1e-50, 0 in float");
  // Near each end: a float just below 1, and the smallest denormal.
  for (const char* epsilon : {"0.9999999", "1e-45"}) {
    CAPTURE(epsilon);
    const TransformerConfig config = read_gpt2_config(with("layer_norm_epsilon", epsilon));
    CHECK(read_gpt2_config(spotlight::write_gpt2_config(config)) == config);
  }
}

TEST_CASE("gpt2 config: a number past double's range is quoted in 40 bytes",
          "[pretrained][config]") {
  // fuzz_gpt2_config's finding (tests/fuzz/corpus/gpt2_config/regressions/
  // number-overflow-quoted-whole, a file of 451 digits): nlohmann quotes a number that overflows
  // double whole, and the message passed every digit on (508 bytes).
  const std::string message = error_of(with("n_embd", "1" + std::string(400, '0')));
  CHECK_THAT(message, Contains("config.json is not valid JSON: number overflow parsing '1" +
                               std::string(39, '0') + "...'"));
  CHECK(message.size() < 150);
}

TEST_CASE("gpt2 config: a long name is quoted in its first 80 bytes", "[pretrained][config]") {
  // fuzz_gpt2_config's finding (tests/fuzz/corpus/gpt2_config/regressions/
  // long-model-type-quoted-whole): a model_type of 326 bytes was quoted whole, in a message of 433.
  const std::string long_name(1000, 'x');
  const std::string quoted = "\"" + std::string(80, 'x') + "\"...";
  CHECK(error_of(with("model_type", "\"" + long_name + "\"")) ==
        "config.json: model_type " + quoted +
            " is not supported; this reads checkpoints of the GPT-2 family (model_type \"gpt2\")");
  CHECK_THAT(error_of(with("activation_function", "\"" + long_name + "\"")),
             Contains("activation_function " + quoted + " is not supported"));
  CHECK(error_of("{\"" + long_name + "\": 1, \"" + long_name + "\": 2}") ==
        "config.json gives the key " + quoted + " twice in one object");
}

TEST_CASE("gpt2 config: the writer's config.json reads back as the same model",
          "[pretrained][config]") {
  TransformerConfig config;
  config.vocab_size = 297;
  config.context_length = 32;
  config.d_model = 16;
  config.n_heads = 4;
  config.n_layers = 3;
  config.mlp_width = 48;
  config.layer_norm_epsilon = 1e-3f;
  config.scale_attention_by_layer = true;
  const std::string text = spotlight::write_gpt2_config(config, 296);
  CHECK_THAT(text, Contains("\"layer_norm_epsilon\": 0.001,"));
  CHECK_THAT(text, Contains("\"eos_token_id\": 296,"));
  TransformerConfig read = read_gpt2_config(text);
  read.seed = config.seed;
  CHECK(read == config);
  config.layer_norm = false;
  CHECK_THROWS_WITH(spotlight::write_gpt2_config(config), Contains("a model without LayerNorm"));
  config.layer_norm = true;
  CHECK_THROWS_WITH(spotlight::write_gpt2_config(config, static_cast<int>(config.vocab_size)),
                    Contains("end_of_text must be -1 (none) or a token id below the vocabulary's " +
                             std::to_string(config.vocab_size) + ", got " +
                             std::to_string(config.vocab_size)));
  CHECK_THROWS_WITH(spotlight::write_gpt2_config(config, -2), Contains("got -2"));
  CHECK_NOTHROW(spotlight::write_gpt2_config(config, static_cast<int>(config.vocab_size) - 1));
}
