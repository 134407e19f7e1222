// Writes checkpoints with the core's GPT-2 writer (src/core/pretrained) for the PyTorch reference
// to read back: `write_gpt2_for_reference DIR` makes DIR/<case>/ with config.json,
// model.safetensors and expected.txt (the tokens and the core's logits, in the text format of
// tests/golden), and CTest then runs `make_gpt2_checkpoints.py --check DIR/<case>`, which must
// reproduce the logits from the files alone. Cases: GPT-2's options set (n_inner, epsilon,
// scaling by layer) in F32, F16 and BF16, and a tiny model without an MLP, which the writer
// gives an MLP of zeros.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "base/random.h"
#include "model/language_model.h"
#include "pretrained/gpt2_checkpoint.h"
#include "pretrained/gpt2_config.h"

namespace {

using namespace spotlight;

// Weights of order 1 / sqrt(fan_in), so attention is peaked and a misread tensor shows.
LanguageModel lively(const TransformerConfig& config) {
  LanguageModel model(config, LanguageModel::Weights::zeros);
  SplitMix64 random(config.seed);
  std::vector<float> values(model.parameters().size());
  for (const ParameterInfo& info : model.parameter_table()) {
    const bool gain = info.role == ParameterRole::norm_gain;
    const float limit = info.role == ParameterRole::weight
                            ? 2.0f / std::sqrt(static_cast<float>(info.rows))
                            : (info.role == ParameterRole::embedding ? 1.0f : 0.3f);
    for (Index i = 0; i < info.size(); ++i) {
      values[static_cast<std::size_t>(info.offset + i)] =
          (gain ? 1.0f : 0.0f) + random.uniform_symmetric(limit);
    }
  }
  model.set_all_parameters(values);
  return model;
}

void write_case(const std::filesystem::path& folder, const TransformerConfig& config,
                SafetensorsDtype dtype) {
  std::filesystem::create_directories(folder);
  const LanguageModel model = lively(config);
  std::ofstream(folder / "config.json") << write_gpt2_config(config);
  std::ofstream weights(folder / "model.safetensors", std::ios::binary);
  write_gpt2_weights(model, dtype, [&](const std::string& piece) { weights << piece; });
  weights.close();
  // The logits the files hold: of the model read back (F16 and BF16 round the weights).
  std::ifstream in(folder / "model.safetensors", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const LanguageModel read = read_gpt2_weights(
      read_gpt2_config(write_gpt2_config(config)),
      reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  const TokenSequence tokens = {3, 17, 4, 4, 22, 0, 9, 3, 17, 4, 1};
  const Matrix logits = read.logits(tokens);
  std::ofstream expected(folder / "expected.txt");
  expected << "tokens 1 " << tokens.size() << "\n";
  for (const TokenId token : tokens) expected << token << " ";
  expected << "\nlogits " << logits.rows() << " " << logits.cols() << "\n";
  char number[32];
  for (Index i = 0; i < logits.size(); ++i) {
    std::snprintf(number, sizeof number, "%.9g ", static_cast<double>(logits.data()[i]));
    expected << number;
  }
  expected << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_gpt2_for_reference DIR\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  try {
    TransformerConfig options;
    options.vocab_size = 23;
    options.context_length = 16;
    options.d_model = 12;
    options.n_heads = 3;
    options.n_layers = 3;
    options.mlp_width = 20;
    options.layer_norm_epsilon = 1e-3f;
    options.scale_attention_by_layer = true;
    options.seed = 5;
    write_case(root / "options_f32", options, SafetensorsDtype::F32);
    write_case(root / "options_f16", options, SafetensorsDtype::F16);
    write_case(root / "options_bf16", options, SafetensorsDtype::BF16);
    TransformerConfig attention_only = options;
    attention_only.mlp = false;
    attention_only.mlp_width = 0;
    attention_only.layer_norm_epsilon = 1e-5f;
    attention_only.scale_attention_by_layer = false;
    write_case(root / "attention_only", attention_only, SafetensorsDtype::F32);
  } catch (const std::exception& error) {
    std::cerr << "write_gpt2_for_reference: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
