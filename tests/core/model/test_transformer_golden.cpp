// The whole tiny transformer against PyTorch autograd in float64 (tests/golden/
// make_transformer_fixtures.py writes pytorch_transformer.txt): loss, logits, every layer's
// attention and every gradient, with and without MLP and LayerNorm, with ignored targets; then
// three AdamW steps with clipping against torch.optim.AdamW.
//
// Tolerances (|ours - torch| <= margin + relative |torch|), from the script's own measurement of
// float32 PyTorch against the float64 reference (it asserts those errors stay within a third of
// these): our model computes in float32, so the loss and logits carry relative errors of about
// 1e-6; gradients sum over B*T positions and 2-3 layers, about 1e-5. AdamW's margin is the widest,
// 1e-4: Adam divides each step by the gradient's own size, so an entry whose gradient is near 0
// turns a tiny float error into a large step error. A missing weight decay or bias correction
// still moves parameters by far more than that.
#include <catch2/catch.hpp>

#include "model/transformer.h"
#include "test_support.h"

using reference::Dense;
using spotlight::Index;
using spotlight::TinyTransformer;
using spotlight::TokenId;
using spotlight::TransformerConfig;
using test_support::require_close;

namespace {

const test_support::Fixture& golden() {
  static const test_support::Fixture fixture = test_support::load_fixture("pytorch_transformer.txt");
  return fixture;
}

const Dense& tensor(const std::string& name_in_case) { return golden().at(name_in_case); }

TransformerConfig case_config(const std::string& name) {
  const Dense& c = tensor(name + ".config");
  TransformerConfig config;
  config.vocab_size = static_cast<Index>(c(0, 0));
  config.context_length = static_cast<Index>(c(0, 1));
  config.d_model = static_cast<Index>(c(0, 2));
  config.n_heads = static_cast<Index>(c(0, 3));
  config.n_layers = static_cast<Index>(c(0, 4));
  config.mlp = c(0, 5) != 0.0;
  config.layer_norm = c(0, 6) != 0.0;
  return config;
}

std::vector<TokenId> tokens(const Dense& values) {
  std::vector<TokenId> flat;
  for (Index i = 0; i < values.rows(); ++i) {
    for (Index j = 0; j < values.cols(); ++j) flat.push_back(static_cast<TokenId>(values(i, j)));
  }
  return flat;
}

// The case's model with the fixture's parameters, (in, out) row-major as ours.
TinyTransformer case_model(const std::string& name) {
  TinyTransformer model(case_config(name));
  std::vector<float> flat(model.parameters().size());
  for (const spotlight::ParameterInfo& info : model.parameter_table()) {
    const Dense& values = tensor(name + "." + info.name);
    REQUIRE(values.rows() == info.rows);
    REQUIRE(values.cols() == info.cols);
    for (Index i = 0; i < info.rows; ++i) {
      for (Index j = 0; j < info.cols; ++j) {
        flat[static_cast<std::size_t>(info.offset + i * info.cols + j)] = static_cast<float>(values(i, j));
      }
    }
  }
  model.set_all_parameters(flat);
  return model;
}

// One case of the fixture: its model, with the fixture's parameters, and its batch.
struct GoldenCase {
  explicit GoldenCase(const std::string& case_name)
      : name(case_name),
        model(case_model(case_name)),
        batch(static_cast<Index>(tensor(case_name + ".batch")(0, 0))),
        seq_len(static_cast<Index>(tensor(case_name + ".batch")(0, 1))),
        inputs(tokens(tensor(case_name + ".inputs"))),
        targets(tokens(tensor(case_name + ".targets"))) {}

  std::string name;
  TinyTransformer model;
  Index batch, seq_len;
  std::vector<TokenId> inputs, targets;
};

Eigen::Map<const spotlight::Matrix> entry(const std::vector<float>& flat,
                                          const spotlight::ParameterInfo& info) {
  return Eigen::Map<const spotlight::Matrix>(flat.data() + info.offset, info.rows, info.cols);
}

}  // namespace

TEST_CASE("tiny transformer: loss, logits, attention and gradients equal PyTorch autograd's",
          "[transformer][golden]") {
  const std::string name = GENERATE(as<std::string>{}, "full", "attention_only", "no_layer_norm", "bare");
  CAPTURE(name);
  GoldenCase golden_case(name);
  TinyTransformer& model = golden_case.model;
  const Index batch = golden_case.batch, seq_len = golden_case.seq_len;
  const std::vector<TokenId>& inputs = golden_case.inputs;
  const std::vector<TokenId>& targets = golden_case.targets;

  const double loss = model.loss_and_gradients(inputs.data(), targets.data(), batch, seq_len);
  REQUIRE(loss == Approx(tensor(name + ".loss")(0, 0)).epsilon(1e-5).margin(1e-6));
  for (const spotlight::ParameterInfo& info : model.parameter_table()) {
    CAPTURE(info.name);
    require_close(entry(model.gradients(), info), tensor(name + ".grad." + info.name), 1e-4, 5e-6);
  }

  // Sequence by sequence through forward(): its rows of the logits and of each layer's attention.
  const TransformerConfig& config = model.config();
  for (Index b = 0; b < batch; ++b) {
    CAPTURE(b);
    const spotlight::TokenSequence sequence(inputs.begin() + b * seq_len,
                                            inputs.begin() + (b + 1) * seq_len);
    const spotlight::TransformerOutput output = model.forward(sequence);
    require_close(output.logits, tensor(name + ".logits").middleRows(b * seq_len, seq_len), 1e-5,
                  1e-5);
    for (Index layer = 0; layer < config.n_layers; ++layer) {
      const Dense& attention = tensor(name + ".attention." + std::to_string(layer));
      for (Index head = 0; head < config.n_heads; ++head) {
        spotlight::Matrix ours(seq_len, seq_len);
        for (Index i = 0; i < seq_len; ++i) {
          for (Index j = 0; j < seq_len; ++j) ours(i, j) = output.attention.at(layer, head, i, j);
        }
        CAPTURE(layer, head);
        require_close(ours, attention.middleRows((b * config.n_heads + head) * seq_len, seq_len),
                      1e-5, 2e-6);
      }
    }
  }
}

TEST_CASE("AdamW: three steps with clipping and decoupled weight decay equal torch.optim.AdamW's",
          "[transformer][golden]") {
  const std::string name = GENERATE(as<std::string>{}, "full", "attention_only", "no_layer_norm", "bare");
  CAPTURE(name);
  GoldenCase golden_case(name);
  TinyTransformer& model = golden_case.model;
  spotlight::AdamWOptions options;
  options.learning_rate = 1e-2f;
  options.beta1 = 0.9f;
  options.beta2 = 0.95f;
  options.epsilon = 1e-8f;
  options.weight_decay = 0.1f;
  options.clip_norm = 1.0f;
  for (Index step = 0; step < 3; ++step) {
    CAPTURE(step);
    const double loss = model.train_step(golden_case.inputs.data(), golden_case.targets.data(),
                                         golden_case.batch, golden_case.seq_len, options);
    REQUIRE(loss == Approx(tensor(name + ".adamw.losses")(0, step)).epsilon(1e-5).margin(1e-6));
    REQUIRE(model.last_gradient_norm() ==
            Approx(tensor(name + ".adamw.grad_norms")(0, step)).epsilon(1e-5).margin(1e-6));
  }
  for (const spotlight::ParameterInfo& info : model.parameter_table()) {
    // attn.bk's exact gradient is 0 (softmax ignores the q_i . b_k that a row's scores share);
    // ours, like autograd's, is rounding noise of about 1e-9, which Adam, dividing by its own
    // size, turns into steps of up to the learning rate. The fixture holds the exact 0 (bk
    // unchanged); ours is not comparable there, so bk is left out of this check (its gradient is
    // checked against 0 in the test above, within 5e-6).
    if (info.name.find("attn.bk") != std::string::npos) continue;
    CAPTURE(info.name);
    require_close(entry(model.parameters(), info), tensor(name + ".adamw." + info.name), 1e-5, 1e-4);
  }
}
