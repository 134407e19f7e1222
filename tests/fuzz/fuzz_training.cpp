// libFuzzer target over the tiny transformer's training (src/core/model/transformer.h, optimizer.h,
// sampling.h): random small configurations (some invalid), parameters replaced by values from the
// palette of fuzz_input.h (NaN, +-Inf, 1e38, denormals, raw bits), batches with token ids and
// targets inside and outside the vocabulary, sequences past the context, and AdamW options from
// the palette. Rules, beyond those of fuzz_rules.h (a call returns, or throws
// std::invalid_argument with a message):
//   - a train_step that returns gives a finite loss >= 0, leaves every parameter and moment
//     finite and counts one more step; one that throws leaves the parameters and the optimizer
//     state exactly as they were;
//   - loss_and_gradients that returns gives a finite loss and finite gradients;
//   - forward that returns gives finite logits and causal attention rows: finite, in [0, 1],
//     0 past the query, summing to 1;
//   - generate returns `count` ids inside the vocabulary;
//   - a rejected set_parameters changes nothing.
// Input layout (bytes front to back; see fuzz_input.h for values):
//   config: vocab 2 + b % 15, context 1 + b % 12, heads 1 + b % 4, d_head 1 + b % 8, layers
//     1 + b % 3, flags (bit 0 mlp, bit 1 layer norm, bit 2 d_model one more than heads * d_head,
//     so indivisible), seed (4 bytes)
//   parameter replacements: count b % 4, each: table index byte, magnitude byte, values
//   steps: b % 4 train steps, each: batch 1 + b % 3, seq_len b % (context + 2), tokens, targets,
//     learning rate (a value; b % 4 == 0 keeps 1e-2), weight decay, clip norm
//   then a forward of the first sequence and a short generation
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_rules.h"
#include "model/sampling.h"
#include "model/transformer.h"

namespace fuzz {

namespace {

using spotlight::TinyTransformer;
using spotlight::TokenId;

spotlight::TransformerConfig read_config(ByteReader& in) {
  spotlight::TransformerConfig config;
  config.vocab_size = 2 + in.byte() % 15;
  config.context_length = 1 + in.byte() % 12;
  config.n_heads = 1 + in.byte() % 4;
  const Index d_head = 1 + in.byte() % 8;
  config.n_layers = 1 + in.byte() % 3;
  const std::uint8_t flags = in.byte();
  config.mlp = (flags & 1) != 0;
  config.layer_norm = (flags & 2) != 0;
  config.d_model = config.n_heads * d_head + ((flags & 4) != 0 ? 1 : 0);
  config.seed = in.word();
  return config;
}

// A token id from one byte: -1 .. vocab, so both neighbours of the valid range occur.
TokenId read_token(ByteReader& in, Index vocab) {
  return static_cast<TokenId>(in.byte() % (vocab + 2)) - 1;
}

// A target from one byte: -2 .. vocab (-1 is ignored, -2 and vocab are invalid).
TokenId read_target(ByteReader& in, Index vocab) {
  return static_cast<TokenId>(in.byte() % (vocab + 3)) - 2;
}

bool all_finite_values(const std::vector<float>& values) {
  for (const float value : values) {
    if (!std::isfinite(value)) return false;
  }
  return true;
}

void replace_parameters(ByteReader& in, TinyTransformer& model) {
  const int count = in.byte() % 4;
  for (int r = 0; r < count; ++r) {
    const auto& table = model.parameter_table();
    const spotlight::ParameterInfo& info = table[in.byte() % table.size()];
    const Matrix values = in.matrix(info.rows, info.cols);
    const std::vector<float> flat(values.data(), values.data() + values.size());
    const std::vector<float> before = model.parameters();
    if (!completes("set_parameters", [&] { model.set_parameters({{info.name, flat}}); })) {
      rule(model.parameters() == before, "a rejected set_parameters changed the parameters");
    }
  }
}

void train_steps(ByteReader& in, TinyTransformer& model, std::vector<TokenId>& first_sequence) {
  const spotlight::TransformerConfig& config = model.config();
  const int steps = in.byte() % 4;
  for (int step = 0; step < steps; ++step) {
    const Index batch = 1 + in.byte() % 3;
    const Index seq_len = in.byte() % (config.context_length + 2);
    std::vector<TokenId> inputs(static_cast<std::size_t>(batch * seq_len));
    std::vector<TokenId> targets(inputs.size());
    for (TokenId& token : inputs) token = read_token(in, config.vocab_size);
    for (TokenId& target : targets) target = read_target(in, config.vocab_size);
    if (step == 0) first_sequence.assign(inputs.begin(), inputs.begin() + seq_len);
    spotlight::AdamWOptions options;
    const std::uint8_t lr_code = in.byte();
    options.learning_rate = lr_code % 4 == 0 ? 1e-2f : in.value();
    options.weight_decay = in.byte() % 2 == 0 ? 0.1f : in.value();
    options.clip_norm = in.byte() % 2 == 0 ? 1.0f : in.value();

    // The batch's loss and gradients alone, on a copy (it must not touch the optimizer).
    TinyTransformer probe = model;
    if (completes("loss_and_gradients", [&] {
          const double loss = probe.loss_and_gradients(inputs.data(), targets.data(), batch, seq_len);
          rule(std::isfinite(loss) && loss >= 0.0, "loss_and_gradients returned the loss ", loss);
        })) {
      rule(all_finite_values(probe.gradients()), "loss_and_gradients returned non-finite gradients");
    }

    const std::vector<float> parameters = model.parameters();
    const spotlight::AdamWState state = model.optimizer_state();
    double loss = 0.0;
    if (completes("train_step", [&] {
          loss = model.train_step(inputs.data(), targets.data(), batch, seq_len, options);
        })) {
      rule(std::isfinite(loss) && loss >= 0.0, "train_step returned the loss ", loss);
      rule(all_finite_values(model.parameters()), "train_step left a non-finite parameter");
      rule(all_finite_values(model.optimizer_state().m) && all_finite_values(model.optimizer_state().v),
           "train_step left a non-finite moment");
      rule(model.optimizer_state().step == state.step + 1, "train_step did not count its step");
    } else {
      rule(model.parameters() == parameters, "a failed train_step changed the parameters: ",
           last_rejection);
      rule(model.optimizer_state().step == state.step && model.optimizer_state().m == state.m &&
               model.optimizer_state().v == state.v,
           "a failed train_step changed the optimizer state: ", last_rejection);
    }
  }
}

void check_forward(const TinyTransformer& model, const std::vector<TokenId>& tokens) {
  spotlight::TransformerOutput output;
  if (!completes("forward", [&] { output = model.forward(tokens); })) return;
  rule(all_finite(output.logits), "forward returned non-finite logits");
  const spotlight::AttentionMaps& maps = output.attention;
  for (Index layer = 0; layer < maps.n_layers; ++layer) {
    for (Index head = 0; head < maps.n_heads; ++head) {
      for (Index i = 0; i < maps.seq_len; ++i) {
        double sum = 0.0;
        for (Index j = 0; j < maps.seq_len; ++j) {
          const float weight = maps.at(layer, head, i, j);
          rule(std::isfinite(weight) && weight >= 0.0f && weight <= 1.0f, "attention (", layer,
               ", ", head, ", ", i, ", ", j, ") is ", weight);
          rule(j <= i || weight == 0.0f, "attention (", layer, ", ", head, ", ", i, ", ", j,
               ") looks into the future: ", weight);
          sum += weight;
        }
        rule(std::abs(sum - 1.0) < 1e-4, "attention row (", layer, ", ", head, ", ", i,
             ") sums to ", sum);
      }
    }
  }
}

void check_generate(ByteReader& in, const TinyTransformer& model,
                    const std::vector<TokenId>& prompt) {
  spotlight::SamplingOptions options;
  options.temperature = in.byte() % 2 == 0 ? 1.0f : in.value();
  options.top_k = in.byte() % (model.config().vocab_size + 2);
  options.seed = in.word();
  const Index count = in.byte() % 4;
  spotlight::TokenSequence generated;
  if (!completes("generate", [&] { generated = spotlight::generate(model, prompt, count, options); })) {
    return;
  }
  rule(static_cast<Index>(generated.size()) == count, "generate returned ", generated.size(),
       " tokens, asked for ", count);
  for (const TokenId token : generated) {
    rule(token >= 0 && token < model.config().vocab_size, "generate returned the token ", token);
  }
}

}  // namespace

}  // namespace fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(data, size);
  const spotlight::TransformerConfig config = fuzz::read_config(in);
  std::unique_ptr<spotlight::TinyTransformer> model;
  if (!fuzz::completes("TinyTransformer", [&] {
        model = std::make_unique<spotlight::TinyTransformer>(config);
      })) {
    return 0;
  }
  fuzz::replace_parameters(in, *model);
  std::vector<spotlight::TokenId> first_sequence;
  fuzz::train_steps(in, *model, first_sequence);
  fuzz::check_forward(*model, first_sequence);
  fuzz::check_generate(in, *model, first_sequence);
  return 0;
}
