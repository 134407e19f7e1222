// Hugging Face's GPT-2 checkpoints read into the model (src/core/pretrained/gpt2_checkpoint.h),
// against the project's PyTorch reference: tests/golden/make_gpt2_checkpoints.py writes one small
// checkpoint per variant of the published layout (no prefix, the "transformer." prefix with
// masked_bias and a tied lm_head, F32, F16, BF16, with and without mask buffers, n_inner set,
// an unaligned data section, GPT-2's real vocabulary, 12 layers of 12 heads, ...) with its logits,
// every attention map and 8 greedy tokens, computed in float64 from the stored values. CTest runs
// it first (fixture gpt2_checkpoints). Then hostile files, each refused with its reason, and the
// writer read back.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/sampling.h"
#include "pretrained/gpt2_checkpoint.h"
#include "pretrained/gpt2_config.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using spotlight::Index;
using spotlight::LanguageModel;
using spotlight::TokenSequence;

namespace {

std::string fixture_path(const std::string& variant, const std::string& file) {
  return std::string(SPOTLIGHT_GPT2_FIXTURES_DIR) + "/" + variant + "/" + file;
}

// The variant's model, its file fed in pieces of `piece` bytes (0: all at once).
LanguageModel load_variant(const std::string& variant, std::size_t piece = 0) {
  const spotlight::TransformerConfig config =
      spotlight::read_gpt2_config(test_support::read_file(fixture_path(variant, "config.json")));
  const std::string bytes = test_support::read_file(fixture_path(variant, "model.safetensors"));
  spotlight::Gpt2WeightsReader reader(config, bytes.size());
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t step = piece == 0 ? bytes.size() : piece;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    reader.feed(data + at, std::min(step, bytes.size() - at));
  }
  return reader.finish();
}

TokenSequence to_tokens(const reference::Dense& row) {
  TokenSequence tokens;
  for (Index i = 0; i < row.cols(); ++i) tokens.push_back(static_cast<spotlight::TokenId>(row(0, i)));
  return tokens;
}

// Ours against the reference: logits to 1e-5 of the largest |logit|, every attention weight to
// 1e-5 (weights lie in [0, 1]), and greedy generation token for token.
void check_against_reference(const std::string& variant, const LanguageModel& model) {
  CAPTURE(variant);
  const test_support::Fixture reference =
      test_support::load_fixture_file(fixture_path(variant, "reference.txt"));
  const TokenSequence tokens = to_tokens(reference.at("tokens"));
  const auto n = static_cast<Index>(tokens.size());
  const reference::Dense& expected = reference.at("logits");
  const spotlight::Matrix logits = model.logits(tokens);
  const double largest = expected.cwiseAbs().maxCoeff();
  REQUIRE(largest > 1.0);
  test_support::require_close(logits, expected, 0.0, 1e-5 * largest);
  for (Index layer = 0; layer < model.config().n_layers; ++layer) {
    CAPTURE(layer);
    const reference::Dense& maps = reference.at("attention." + std::to_string(layer));
    REQUIRE(maps.rows() == model.config().n_heads * n);
    test_support::require_close(model.attention(tokens, layer), maps, 0.0, 1e-5);
  }
  spotlight::SamplingOptions greedy;
  greedy.temperature = 0.0f;
  REQUIRE(spotlight::generate(model, tokens, 8, greedy) == to_tokens(reference.at("greedy")));
}

}  // namespace

TEST_CASE("gpt2 checkpoint: every variant of the published layout agrees with PyTorch",
          "[pretrained][checkpoint]") {
  const std::string variant =
      GENERATE(as<std::string>{}, "plain", "prefixed", "f16", "bf16", "no_buffers", "n_inner",
               "layer_norm_epsilon", "unaligned", "inverse_layer_scale", "real_vocab", "gpt2_depth");
  check_against_reference(variant, load_variant(variant));
}

TEST_CASE("gpt2 checkpoint: pieces of any size give the same model", "[pretrained][checkpoint]") {
  const std::string variant = GENERATE(as<std::string>{}, "plain", "f16", "prefixed");
  const LanguageModel whole = load_variant(variant);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{4093}}) {
    CAPTURE(variant, piece);
    REQUIRE(load_variant(variant, piece).all_parameter_values() == whole.all_parameter_values());
  }
}

namespace {

// A small GPT-2 configuration for hand-made files.
spotlight::TransformerConfig small_config() {
  spotlight::TransformerConfig config;
  config.vocab_size = 11;
  config.context_length = 8;
  config.d_model = 8;
  config.n_heads = 2;
  config.n_layers = 2;
  config.mlp_width = 12;
  return config;
}

struct FileTensor {
  std::string name;
  std::vector<std::uint64_t> shape;
  std::vector<float> values;
  spotlight::SafetensorsDtype dtype = spotlight::SafetensorsDtype::F32;
};

// The family's tensors for `config` with deterministic values (names with `prefix`).
std::vector<FileTensor> family_tensors(const spotlight::TransformerConfig& config,
                                       const std::string& prefix = "") {
  std::vector<FileTensor> tensors;
  float next = 0.01f;
  for (const spotlight::Gpt2Tensor& tensor : spotlight::gpt2_tensors(config)) {
    std::uint64_t count = 1;
    for (const std::uint64_t size : tensor.shape) count *= size;
    FileTensor file_tensor{prefix + tensor.name, tensor.shape, {}};
    for (std::uint64_t i = 0; i < count; ++i) {
      file_tensor.values.push_back(next);
      next = next > 0.9f ? -0.9f : next + 0.013f;
    }
    tensors.push_back(std::move(file_tensor));
  }
  return tensors;
}

std::string file_of(const std::vector<FileTensor>& tensors) {
  std::vector<spotlight::SafetensorsTensorToWrite> layout;
  for (const FileTensor& tensor : tensors) {
    layout.push_back({tensor.name, tensor.shape, tensor.dtype, tensor.values.data()});
  }
  return spotlight::write_safetensors(layout);
}

// The message of what reading `bytes` (fed at once, then finished) throws, or "".
std::string read_error(const spotlight::TransformerConfig& config, const std::string& bytes) {
  try {
    spotlight::read_gpt2_weights(config, reinterpret_cast<const unsigned char*>(bytes.data()),
                                 bytes.size());
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

// `bytes` with the 4 bytes of float `index` of tensor `name` replaced by `value`'s.
std::string with_float(std::string bytes, const std::string& name, std::size_t index, float value) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::uint64_t length = spotlight::safetensors_header_length(data, bytes.size());
  const spotlight::SafetensorsHeader header =
      spotlight::parse_safetensors_header(std::string_view(bytes).substr(8, length), bytes.size());
  std::memcpy(&bytes[header.tensor(name).file_offset + 4 * index], &value, 4);
  return bytes;
}

}  // namespace

TEST_CASE("gpt2 checkpoint: hand-made files of the family read, with or without the prefix",
          "[pretrained][checkpoint]") {
  const spotlight::TransformerConfig config = small_config();
  std::vector<FileTensor> tensors = family_tensors(config);
  CHECK(read_error(config, file_of(tensors)) == "");
  std::vector<FileTensor> prefixed = family_tensors(config, "transformer.");
  prefixed.push_back({"lm_head.weight", prefixed[0].shape, prefixed[0].values});
  prefixed.push_back({"transformer.h.0.attn.masked_bias", {}, {-1e4f}});
  prefixed.push_back({"transformer.h.1.attn.bias", {1, 1, 8, 8}, std::vector<float>(64, 1.0f)});
  const std::string bytes = file_of(prefixed);
  CHECK(read_error(config, bytes) == "");
  const LanguageModel model =
      spotlight::read_gpt2_weights(config, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  // c_attn's columns: q, then k, then v, each d_model wide.
  const FileTensor& c_attn = tensors[4];
  REQUIRE(c_attn.name == "h.0.attn.c_attn.weight");
  const auto at = [&](const char* name, Index row, Index col) {
    const spotlight::ParameterInfo& info = model.parameter(name);
    return model.parameter_values(info)[static_cast<std::size_t>(row * info.cols + col)];
  };
  CHECK(at("h.0.attn.wq", 3, 5) == c_attn.values[3 * 24 + 5]);
  CHECK(at("h.0.attn.wk", 3, 5) == c_attn.values[3 * 24 + 8 + 5]);
  CHECK(at("h.0.attn.wv", 7, 0) == c_attn.values[7 * 24 + 16]);
  CHECK(at("h.1.mlp.fc", 2, 11) == tensors[22].values[2 * 12 + 11]);
}

TEST_CASE("gpt2 checkpoint: hostile files are refused, naming the tensor and the values",
          "[pretrained][checkpoint]") {
  const spotlight::TransformerConfig config = small_config();
  const std::vector<FileTensor> good = family_tensors(config);
  SECTION("a tensor missing") {
    std::vector<FileTensor> tensors = good;
    tensors.erase(tensors.begin() + 5);
    CHECK(read_error(config, file_of(tensors)) ==
          "model.safetensors has no tensor \"h.0.attn.c_attn.bias\", which a GPT-2 of 2 layers "
          "has (27 tensors in the file)");
  }
  SECTION("a tensor the family does not have") {
    std::vector<FileTensor> tensors = good;
    tensors.push_back({"h.0.attn.rotary.inv_freq", {4}, {1, 2, 3, 4}});
    CHECK_THAT(read_error(config, file_of(tensors)),
               Contains("holds the tensor \"h.0.attn.rotary.inv_freq\", which GPT-2 does not have"));
  }
  SECTION("a shape the config contradicts") {
    spotlight::TransformerConfig wider = config;
    wider.mlp_width = 16;
    CHECK(read_error(wider, file_of(good)) ==
          "h.0.mlp.c_fc.weight has shape [8, 12], but config.json (n_embd 8, n_positions 8, "
          "vocab_size 11, n_inner 16) means [8, 16]");
  }
  SECTION("names with and without the prefix mixed") {
    std::vector<FileTensor> tensors = good;
    tensors[3].name = "transformer." + tensors[3].name;
    CHECK_THAT(read_error(config, file_of(tensors)),
               Contains("mixes names with and without the \"transformer.\" prefix"));
  }
  SECTION("a NaN or an infinite weight, in any dtype") {
    const std::string bytes = file_of(good);
    CHECK(read_error(config, with_float(bytes, "h.1.attn.c_attn.weight", 30, std::nanf(""))) ==
          "h.1.attn.c_attn.weight [element 30] is nan; a model's weights must be finite numbers");
    CHECK_THAT(read_error(config, with_float(bytes, "wte.weight", 87, INFINITY)),
               Contains("wte.weight [element 87] is inf"));
  }
  SECTION("lm_head.weight that is not wte.weight") {
    std::vector<FileTensor> tensors = good;
    tensors.push_back({"lm_head.weight", good[0].shape, good[0].values});
    tensors.back().values[40] += 1.0f;
    CHECK_THAT(read_error(config, file_of(tensors)),
               Contains("lm_head.weight differs from wte.weight"));
    tensors.back().values[40] -= 1.0f;
    tensors.back().dtype = spotlight::SafetensorsDtype::BF16;  // the same values, rounded
    CHECK_THAT(read_error(config, file_of(tensors)), Contains("differs from wte.weight"));
  }
  SECTION("a mask buffer of another size") {
    std::vector<FileTensor> tensors = good;
    tensors.push_back({"h.0.attn.bias", {1, 1, 4, 4}, std::vector<float>(16, 1.0f)});
    CHECK(read_error(config, file_of(tensors)) ==
          "h.0.attn.bias (the causal mask) has shape [1, 1, 4, 4], but config.json's n_positions 8 "
          "means [1, 1, 8, 8]");
  }
  SECTION("a buffer of a layer the config does not have, of another shape, or without the prefix") {
    std::vector<FileTensor> tensors = good;
    tensors.push_back({"h.2.attn.bias", {1, 1, 8, 8}, std::vector<float>(64, 1.0f)});
    CHECK(read_error(config, file_of(tensors)) ==
          "model.safetensors holds the tensor \"h.2.attn.bias\", which GPT-2 does not have (is "
          "this another architecture?)");
    tensors.back() = {"h.1.attn.masked_bias", {0}, {}};
    CHECK(read_error(config, file_of(tensors)) ==
          "h.1.attn.masked_bias has shape [0], but transformers' masked_bias is a scalar, []");
    std::vector<FileTensor> prefixed = family_tensors(config, "transformer.");
    prefixed.push_back({"h.0.attn.masked_bias", {}, {-1e4f}});
    CHECK_THAT(read_error(config, file_of(prefixed)),
               Contains("holds the tensor \"h.0.attn.masked_bias\", which GPT-2 does not have"));
  }
  SECTION("a long name is quoted in its first 80 bytes") {
    std::vector<FileTensor> tensors = good;
    tensors.push_back({"h.0." + std::string(10000, 'x'), {1}, {1.0f}});
    const std::string message = read_error(config, file_of(tensors));
    CHECK_THAT(message,
               Contains("holds the tensor \"h.0." + std::string(76, 'x') + "\"..., which"));
    CHECK(message.size() < 200);
  }
  SECTION("a parameter in a dtype the model cannot read") {
    std::string bytes = file_of(good);
    bytes.replace(bytes.find("\"F32\"") + 1, 3, "I32");  // one tensor, the same size, now I32
    CHECK_THAT(read_error(config, bytes), Contains(": dtype I32 is not supported; F32, F16 and BF16 are"));
  }
  SECTION("a file cut short, or longer than it said") {
    const std::string bytes = file_of(good);
    spotlight::Gpt2WeightsReader reader(config, bytes.size());
    reader.feed(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size() - 10);
    CHECK_THROWS_WITH(reader.finish(),
                      Contains("model.safetensors ends after " + std::to_string(bytes.size() - 10) +
                               " of its " + std::to_string(bytes.size()) + " bytes, in ln_f.bias"));
    CHECK_THROWS_WITH(reader.finish(), Contains("this reader has failed or finished"));
    spotlight::Gpt2WeightsReader longer(config, bytes.size() - 1);
    CHECK_THROWS_WITH(longer.feed(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
                      Contains("model.safetensors is " + std::to_string(bytes.size() - 1) + " bytes"));
    CHECK_THAT(read_error(config, bytes.substr(0, 5)),
               Contains("model.safetensors is 5 bytes, too short to hold its header"));
  }
}

TEST_CASE("gpt2 checkpoint: a config without LayerNorm is refused before any byte is read",
          "[pretrained][checkpoint]") {
  spotlight::TransformerConfig config = small_config();
  config.layer_norm = false;
  CHECK_THROWS_WITH(spotlight::Gpt2WeightsReader(config, 1000),
                    "a model without LayerNorm has no GPT-2 checkpoint: transformers' "
                    "GPT2LMHeadModel always normalises");
}

TEST_CASE("gpt2 checkpoint: the writer's files read back as the same model, in every dtype",
          "[pretrained][checkpoint]") {
  spotlight::TransformerConfig config = small_config();
  config.seed = 4;
  const bool mlp = GENERATE(true, false);
  config.mlp = mlp;
  const LanguageModel model(config);
  const TokenSequence tokens = {1, 5, 7, 2, 2, 9};
  for (const auto dtype : {spotlight::SafetensorsDtype::F32, spotlight::SafetensorsDtype::F16,
                           spotlight::SafetensorsDtype::BF16}) {
    CAPTURE(mlp, spotlight::dtype_name(dtype));
    std::string bytes;
    spotlight::write_gpt2_weights(model, dtype, [&](const std::string& piece) { bytes += piece; });
    const spotlight::TransformerConfig read_config =
        spotlight::read_gpt2_config(spotlight::write_gpt2_config(config));
    const LanguageModel read = spotlight::read_gpt2_weights(
        read_config, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    // Without an MLP, the file's is zeros: the same logits.
    const float margin = dtype == spotlight::SafetensorsDtype::F32 ? 1e-5f : 2e-2f;
    test_support::require_close(read.logits(tokens), model.logits(tokens).cast<double>(), 0.0, margin);
    if (mlp && dtype == spotlight::SafetensorsDtype::F32) {
      REQUIRE(read.all_parameter_values() == model.parameters());
    }
  }
}
