// The tiny transformer as a whole (src/core/model/transformer.h): its loss, logits, attention and every
// gradient against the naive reference in double (tests/core/support/reference_transformer.h) with central
// finite differences, in every combination of the MLP and LayerNorm options; its initialisation,
// parameter access, errors, AdamW and the failure of a diverging step.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "base/random.h"
#include "model/transformer.h"
#include "reference_transformer.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using reference::Dense;
using spotlight::Index;
using spotlight::TinyTransformer;
using spotlight::TokenId;
using spotlight::TransformerConfig;

namespace {

TransformerConfig small_config(bool mlp, bool layer_norm) {
  TransformerConfig config;
  config.vocab_size = 7;
  config.context_length = 6;
  config.d_model = 8;
  config.n_heads = 2;
  config.n_layers = 2;
  config.mlp = mlp;
  config.layer_norm = layer_norm;
  config.seed = 3;
  return config;
}

// Parameters of order 1 / sqrt(fan_in) instead of GPT-2's 0.02, so that attention is far from
// uniform and every gradient is far from 0: a wrong term then shows.
std::vector<float> lively_parameters(const TinyTransformer& model, std::uint64_t seed) {
  spotlight::SplitMix64 random(seed);
  std::vector<float> values(model.parameters().size());
  for (const spotlight::ParameterInfo& info : model.parameter_table()) {
    const bool gain = info.role == spotlight::ParameterRole::norm_gain;
    const float limit = info.role == spotlight::ParameterRole::weight
                            ? 1.5f / std::sqrt(static_cast<float>(info.rows))
                            : (info.role == spotlight::ParameterRole::embedding ? 1.0f : 0.3f);
    for (Index i = 0; i < info.size(); ++i) {
      values[static_cast<std::size_t>(info.offset + i)] =
          (gain ? 1.0f : 0.0f) + random.uniform_symmetric(limit);
    }
  }
  return values;
}

struct Batch {
  Index batch = 2, seq_len = 5;
  std::vector<TokenId> inputs = {1, 4, 2, 2, 6, 0, 3, 5, 1, 1};
  std::vector<TokenId> targets = {4, 2, -1, 6, 0, 3, 5, 1, -1, 2};
};

}  // namespace

TEST_CASE("tiny transformer: loss, logits, attention and every gradient match the reference",
          "[transformer]") {
  const bool mlp = GENERATE(true, false);
  const bool layer_norm = GENERATE(true, false);
  CAPTURE(mlp, layer_norm);
  const TransformerConfig config = small_config(mlp, layer_norm);
  TinyTransformer model(config);
  model.set_all_parameters(lively_parameters(model, 11));
  const Batch batch;

  const double loss = model.loss_and_gradients(batch.inputs.data(), batch.targets.data(),
                                               batch.batch, batch.seq_len);
  const reference::NamedParameters named =
      reference::named_parameters(config, model.parameters());
  const reference::TransformerResult expected =
      reference::transformer(config, named, batch.inputs, batch.targets, 5);
  REQUIRE(loss == Approx(expected.loss).epsilon(1e-5));

  // The first sequence through forward(): logits and the attention of every layer and head.
  const spotlight::TokenSequence first(batch.inputs.begin(), batch.inputs.begin() + 5);
  const spotlight::TransformerOutput output = model.forward(first);
  test_support::require_close(output.logits, expected.logits.topRows(5), 1e-4, 1e-5);
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    for (Index head = 0; head < config.n_heads; ++head) {
      const Dense& weights = expected.attention[static_cast<std::size_t>(layer)]
                                               [static_cast<std::size_t>(head)];
      for (Index i = 0; i < 5; ++i) {
        for (Index j = 0; j < 5; ++j) {
          CAPTURE(layer, head, i, j);
          REQUIRE(output.attention.at(layer, head, i, j) == Approx(weights(i, j)).margin(1e-5));
        }
      }
    }
  }

  // Every gradient, entry by entry, by central differences of the reference's loss.
  for (const spotlight::ParameterInfo& info : model.parameter_table()) {
    CAPTURE(info.name);
    reference::NamedParameters shifted = named;
    const Dense numerical = reference::numerical_gradient(
        [&](const Dense& values) {
          shifted[info.name] = values;
          return reference::transformer(config, shifted, batch.inputs, batch.targets, 5).loss;
        },
        named.at(info.name));
    const Eigen::Map<const spotlight::Matrix> analytic(model.gradients().data() + info.offset,
                                                       info.rows, info.cols);
    test_support::require_close(analytic, numerical, 1e-3, 2e-5);
  }
}

TEST_CASE("tiny transformer: positions past seq_len and unused tokens get zero gradient",
          "[transformer]") {
  TinyTransformer model(small_config(true, true));
  model.set_all_parameters(lively_parameters(model, 12));
  const Batch batch;
  model.loss_and_gradients(batch.inputs.data(), batch.targets.data(), batch.batch, batch.seq_len);
  const spotlight::ParameterInfo& wpe = model.parameter("wpe");
  for (Index j = 0; j < wpe.cols; ++j) {
    REQUIRE(model.gradients()[static_cast<std::size_t>(wpe.offset + 5 * wpe.cols + j)] == 0.0f);
  }
}

TEST_CASE("tiny transformer: the initialisation follows GPT-2 and is deterministic in the seed",
          "[transformer]") {
  TransformerConfig config = small_config(true, true);
  config.d_model = 32;
  config.n_layers = 4;
  config.vocab_size = 100;
  const TinyTransformer model(config), again(config);
  REQUIRE(model.parameters() == again.parameters());
  config.seed = 4;
  REQUIRE(TinyTransformer(config).parameters() != model.parameters());

  const auto std_of = [&](const std::string& name) {
    const spotlight::ParameterInfo& info = model.parameter(name);
    double squares = 0.0;
    for (Index i = 0; i < info.size(); ++i) {
      const double value = model.parameters()[static_cast<std::size_t>(info.offset + i)];
      squares += value * value;
    }
    return std::sqrt(squares / static_cast<double>(info.size()));
  };
  REQUIRE(std_of("wte") == Approx(0.02).epsilon(0.05));
  REQUIRE(std_of("h.1.attn.wq") == Approx(0.02).epsilon(0.1));
  REQUIRE(std_of("h.2.mlp.proj") == Approx(0.02 / std::sqrt(8.0)).epsilon(0.1));
  REQUIRE(std_of("h.3.attn.bq") == 0.0);
  REQUIRE(std_of("ln_f.weight") == 1.0);
}

TEST_CASE("tiny transformer: the parameter table names what each option leaves out",
          "[transformer]") {
  const TinyTransformer bare(small_config(false, false));
  REQUIRE_THROWS_WITH(bare.parameter("h.0.mlp.fc"),
                      Contains("no parameter \"h.0.mlp.fc\"") && Contains("mlp off") &&
                          Contains("it has: wte, wpe, h.0.attn.wq"));
  REQUIRE_THROWS_WITH(bare.parameter("ln_f.weight"), Contains("layerNorm off"));
  const TinyTransformer full(small_config(true, true));
  REQUIRE(full.parameter("h.1.mlp.proj").rows == 32);
  REQUIRE(full.parameter("h.1.mlp.proj").cols == 8);
  REQUIRE(spotlight::parameter_count(full.parameter_table()) ==
          static_cast<Index>(full.parameters().size()));
}

TEST_CASE("tiny transformer: bad configurations are errors naming the field", "[transformer]") {
  TransformerConfig config = small_config(true, true);
  SECTION("indivisible heads") {
    config.n_heads = 3;
    REQUIRE_THROWS_WITH(TinyTransformer(config), Contains("d_model 8 is not divisible by n_heads 3"));
  }
  SECTION("zero sizes") {
    config.n_layers = 0;
    REQUIRE_THROWS_WITH(TinyTransformer(config), Contains("n_layers must be between 1 and 16, got 0"));
  }
  SECTION("too many parameters") {
    config.vocab_size = 16384;
    config.d_model = 1024;
    config.n_heads = 8;
    REQUIRE_THROWS_WITH(TinyTransformer(config), Contains("parameters, more than the limit"));
  }
}

TEST_CASE("tiny transformer: bad batches are errors naming the values", "[transformer]") {
  TinyTransformer model(small_config(true, true));
  Batch batch;
  const auto run = [&] {
    return model.loss_and_gradients(batch.inputs.data(), batch.targets.data(), batch.batch,
                                    batch.seq_len);
  };
  SECTION("a token id outside the vocabulary") {
    batch.inputs[3] = 7;
    REQUIRE_THROWS_WITH(run(), Contains("inputs[3] is token 7, outside the vocabulary of 7"));
    batch.inputs[3] = -2;
    REQUIRE_THROWS_WITH(run(), Contains("inputs[3] is token -2"));
  }
  SECTION("a target that is neither -1 nor a token") {
    batch.targets[9] = -5;
    REQUIRE_THROWS_WITH(run(), Contains("targets[9] is -5, neither -1 (ignored) nor a token id 0 to 6"));
  }
  SECTION("every target ignored") {
    std::fill(batch.targets.begin(), batch.targets.end(), -1);
    REQUIRE_THROWS_WITH(run(), Contains("every one of the 10 targets is -1"));
  }
  SECTION("a sequence longer than the context") {
    REQUIRE_THROWS_WITH(model.forward(spotlight::TokenSequence(7, 1)),
                        Contains("seq_len must be between 1 and the context length 6, got 7"));
    REQUIRE_THROWS_WITH(model.forward({}), Contains("got 0"));
  }
  SECTION("zero batch") {
    batch.batch = 0;
    REQUIRE_THROWS_WITH(run(), Contains("batch must be >= 1, got 0"));
  }
  SECTION("parameters of the wrong size, unknown or non-finite, checked before any is set") {
    const std::vector<float> before = model.parameters();
    REQUIRE_THROWS_WITH(model.set_parameters({{"wte", std::vector<float>(56, 0.5f)},
                                              {"h.0.attn.wq", std::vector<float>(63, 0.5f)}}),
                        Contains("h.0.attn.wq has 63 values, expected 8 x 8 = 64"));
    std::vector<float> with_nan(64, 0.5f);
    with_nan[17] = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(model.set_parameters({{"wte", std::vector<float>(56, 0.5f)},
                                              {"h.0.attn.wq", with_nan}}),
                        Contains("h.0.attn.wq[17] is nan"));
    REQUIRE_THROWS_WITH(model.set_parameters({{"wte", std::vector<float>(56, 0.5f)},
                                              {"wte", std::vector<float>(56, 0.5f)}}),
                        Contains("\"wte\" is given twice"));
    REQUIRE(model.parameters() == before);
    model.set_parameters({{"h.0.attn.bq", std::vector<float>(8, 0.25f)}});
    REQUIRE(model.parameters()[static_cast<std::size_t>(model.parameter("h.0.attn.bq").offset)] ==
            0.25f);
  }
}

TEST_CASE("tiny transformer: AdamW lowers the loss, deterministically", "[transformer]") {
  const TransformerConfig config = small_config(true, true);
  const Batch batch;
  const auto losses = [&] {
    TinyTransformer model(config);
    spotlight::AdamWOptions options;
    options.learning_rate = 1e-2f;
    std::vector<double> values;
    for (int step = 0; step < 60; ++step) {
      values.push_back(model.train_step(batch.inputs.data(), batch.targets.data(), batch.batch,
                                        batch.seq_len, options));
    }
    REQUIRE(model.optimizer_state().step == 60);
    return values;
  };
  const std::vector<double> first = losses(), second = losses();
  REQUIRE(first == second);
  CAPTURE(first.front(), first.back());
  // Near log(7) = 1.95 at the start; one batch of 8 targets is learned almost by heart.
  REQUIRE(first.front() == Approx(std::log(7.0)).epsilon(0.05));
  REQUIRE(first.back() < 0.5 * first.front());
}

TEST_CASE("tiny transformer: a step that diverges is an error and changes nothing",
          "[transformer]") {
  TinyTransformer model(small_config(true, true));
  const Batch batch;
  spotlight::AdamWOptions options;
  model.train_step(batch.inputs.data(), batch.targets.data(), 2, 5, options);
  const std::vector<float> parameters = model.parameters();
  const spotlight::AdamWState state = model.optimizer_state();

  SECTION("a learning rate that is not finite") {
    options.learning_rate = std::numeric_limits<float>::infinity();
    REQUIRE_THROWS_WITH(model.train_step(batch.inputs.data(), batch.targets.data(), 2, 5, options),
                        Contains("learning rate must be finite and in (0, 10], got inf"));
    options.learning_rate = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(model.train_step(batch.inputs.data(), batch.targets.data(), 2, 5, options),
                        Contains("learning rate must be finite"));
  }
  SECTION("parameters so large that the activations overflow") {
    const spotlight::ParameterInfo& wq = model.parameter("h.0.attn.wq");
    std::vector<float> huge(static_cast<std::size_t>(wq.size()), 3e37f);
    model.set_parameters({{"h.0.attn.wq", huge}, {"h.0.attn.wk", huge}});
    const std::vector<float> set = model.parameters();
    REQUIRE_THROWS_WITH(model.train_step(batch.inputs.data(), batch.targets.data(), 2, 5, options),
                        Contains("the model's activations left float's range in layer 0"));
    REQUIRE(model.parameters() == set);
    REQUIRE(model.optimizer_state().step == state.step);
    return;
  }
  REQUIRE(model.parameters() == parameters);
  REQUIRE(model.optimizer_state().m == state.m);
  REQUIRE(model.optimizer_state().step == state.step);
}

TEST_CASE("AdamW: a step whose update would overflow a parameter is refused whole", "[transformer]") {
  // Two parameters: one at float's largest, pushed past it by the step; one ordinary.
  std::vector<spotlight::ParameterInfo> table = {{"a", 1, 1, 0, spotlight::ParameterRole::bias},
                                                 {"b", 1, 1, 1, spotlight::ParameterRole::bias}};
  std::vector<float> parameters = {1.0f, -std::numeric_limits<float>::max()};
  const std::vector<float> gradients = {0.5f, 1.0f};
  spotlight::AdamWState state;
  spotlight::AdamWOptions options;
  options.learning_rate = 10.0f;
  options.clip_norm = 0.0f;
  // -FLT_MAX - 10 rounds back to -FLT_MAX in float: no overflow there. So: a gradient of the
  // other sign and a parameter at the limit, updated by lr * 1 = 10 -> still FLT_MAX. Use NaN
  // through the norm instead: an infinite gradient.
  const std::vector<float> infinite = {0.5f, std::numeric_limits<float>::infinity()};
  REQUIRE_THROWS_WITH(spotlight::adamw_step(table, infinite, options, parameters, state),
                      Contains("training diverged at step 1: the gradients' norm is inf"));
  REQUIRE(parameters[0] == 1.0f);
  REQUIRE(state.step == 0);
  spotlight::adamw_step(table, gradients, options, parameters, state);
  REQUIRE(state.step == 1);
  REQUIRE(parameters[0] == Approx(1.0f - 10.0f).epsilon(1e-5));  // first Adam step: lr sign(g)
}

TEST_CASE("learning-rate schedule: warm-up, cosine, floor", "[transformer]") {
  const spotlight::LearningRateSchedule schedule{1e-2f, 10, 110, 0.1f};
  REQUIRE(schedule.at(0) == Approx(1e-3));
  REQUIRE(schedule.at(9) == Approx(1e-2));
  REQUIRE(schedule.at(60) == Approx(1e-2 * (0.1 + 0.9 * 0.5)));
  REQUIRE(schedule.at(110) == Approx(1e-3));
  REQUIRE(schedule.at(5000) == Approx(1e-3));
}

TEST_CASE("AdamW: a failed first step leaves the optimizer state empty", "[transformer][regression]") {
  // fuzz_training's finding (tests/fuzz/corpus/training/regressions/failed-first-step-sized-moments):
  // the first step sized the moments before checking the update, so a refused first step left
  // them as zeros instead of empty. Here the decay factor 1 - lr * weight_decay = -9 takes a
  // decayed parameter of 3e38 past float's largest.
  const std::vector<spotlight::ParameterInfo> table = {
      {"w", 1, 2, 0, spotlight::ParameterRole::weight}};
  std::vector<float> parameters = {3e38f, 1.0f};
  spotlight::AdamWState state;
  spotlight::AdamWOptions options;
  options.learning_rate = 10.0f;
  options.weight_decay = 1.0f;
  REQUIRE_THROWS_WITH(spotlight::adamw_step(table, {0.5f, 0.5f}, options, parameters, state),
                      Contains("w[0] would become -inf"));
  REQUIRE(state.m.empty());
  REQUIRE(state.v.empty());
  REQUIRE(state.step == 0);
  REQUIRE(parameters == std::vector<float>{3e38f, 1.0f});
}

TEST_CASE("tiny transformer: an MLP unit saturated by a huge bias has finite gradients",
          "[transformer][regression]") {
  // fuzz_training's finding (tests/fuzz/corpus/training/regressions/gelu-huge-bias): fc_bias of
  // -7e30 makes every GELU input -7e30, whose forward is -0 but whose backward computed
  // 0.5 z (1 - tanh^2 u) du with du overflowing to inf: 0 * inf, NaN gradients.
  TransformerConfig config = small_config(true, false);
  config.vocab_size = 6;
  config.context_length = 10;
  config.d_model = 1;
  config.n_heads = 1;
  config.n_layers = 1;
  TinyTransformer model(config);
  model.set_parameters({{"h.0.mlp.fc_bias", std::vector<float>(4, -7.0625e30f)}});
  const std::vector<TokenId> inputs = {0, 0}, targets = {5, 5};
  const double loss = model.loss_and_gradients(inputs.data(), targets.data(), 2, 1);
  REQUIRE(std::isfinite(loss));
  for (const float gradient : model.gradients()) REQUIRE(std::isfinite(gradient));
  // The saturated units pass no gradient to their weights.
  const spotlight::ParameterInfo& fc = model.parameter("h.0.mlp.fc");
  for (Index i = 0; i < fc.size(); ++i) {
    REQUIRE(model.gradients()[static_cast<std::size_t>(fc.offset + i)] == 0.0f);
  }
}

TEST_CASE("tiny transformer: a layer's trace is the attention its forward computes",
          "[transformer]") {
  const bool mlp = GENERATE(false, true);
  const bool layer_norm = GENERATE(false, true);
  CAPTURE(mlp, layer_norm);
  TinyTransformer model(small_config(mlp, layer_norm));
  model.set_all_parameters(lively_parameters(model, 21));
  const spotlight::TokenSequence tokens = {1, 4, 2, 2, 6};
  const spotlight::TransformerOutput output = model.forward(tokens);
  const Index n = 5, d = 8, d_head = 4;
  for (Index layer = 0; layer < 2; ++layer) {
    const spotlight::LayerTrace trace = model.trace(tokens, layer);
    REQUIRE(trace.layer == layer);
    REQUIRE(trace.input.rows() == n);
    REQUIRE(trace.input.cols() == d);
    REQUIRE(trace.attention.heads.size() == 2);
    REQUIRE(trace.attention.scale == Approx(1.0 / std::sqrt(static_cast<double>(d_head))));
    // q = input W_q + b_q, head h its columns h d_head .. (h + 1) d_head - 1.
    const std::string prefix = "h." + std::to_string(layer) + ".attn.";
    const spotlight::ParameterInfo& wq = model.parameter(prefix + "wq");
    const spotlight::ParameterInfo& bq = model.parameter(prefix + "bq");
    const Eigen::Map<const spotlight::Matrix> w(model.parameters().data() + wq.offset, d, d);
    const Eigen::Map<const spotlight::RowVector> b(model.parameters().data() + bq.offset, d);
    const spotlight::Matrix q = (trace.input * w).rowwise() + b;
    for (Index h = 0; h < 2; ++h) {
      const spotlight::HeadTrace& head = trace.attention.heads[static_cast<std::size_t>(h)];
      REQUIRE((head.q - q.middleCols(h * d_head, d_head)).cwiseAbs().maxCoeff() < 1e-5f);
      for (Index i = 0; i < n; ++i) {
        for (Index j = 0; j < n; ++j) {
          CAPTURE(layer, h, i, j);
          REQUIRE(head.weights(i, j) == Approx(output.attention.at(layer, h, i, j)).margin(1e-6));
          if (j > i) REQUIRE(head.masked_scores(i, j) == -std::numeric_limits<float>::infinity());
        }
      }
    }
  }
  REQUIRE_THROWS_WITH(model.trace(tokens, 2), Contains("layer 2 does not exist") && Contains("2 layers"));
  REQUIRE_THROWS_WITH(model.trace(tokens, -1), Contains("layer -1 does not exist"));
  REQUIRE_THROWS_WITH(model.trace({1, 9}, 0), Contains("9"));
}
