// The Embind layer of the tiny GPT (src/core/model/transformer.h): the model and its training step,
// sampling, checkpoints as bytes, and the head detectors. Conversions and validation only, as in
// bindings.cpp; src/wasm/api.js checks the argument types and builds the friendly TinyTransformer,
// scoreHeads and scoreRelation on top. The class is declared in transformer_binding.h, which
// training_bindings.cpp shares.
//
// Token ids arrive as Int32Arrays, parameters as Float32Arrays, strings as emscripten::val (a
// std::string argument would leak when the call throws: see /work/shared/TOOLCHAIN.md).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/head_scores.h"
#include "base/errors.h"
#include "binding_support.h"
#include "model/checkpoint.h"
#include "model/sampling.h"
#include "model/transformer.h"
#include "transformer_binding.h"

namespace spotlight_wasm {

using emscripten::typed_memory_view;
using spotlight::concat;

TokenSequence to_tokens(const val& values, const char* name) {
  const auto count = values["length"].as<double>();
  require_memory(count, concat(name, ", ", static_cast<std::int64_t>(count), " token ids,"), "");
  TokenSequence tokens(static_cast<std::size_t>(count));
  val(typed_memory_view(tokens.size(), tokens.data())).call<void>("set", values);
  return tokens;
}

val to_string_array(const std::vector<std::string>& strings) {
  val array = val::array();
  for (const std::string& text : strings) array.call<void>("push", val(text));
  return array;
}

namespace {

val to_float64_array(const std::vector<double>& values) {
  return to_typed_array(values.data(), values.size());
}

}  // namespace

val head_scores_to_js(const spotlight::HeadScores& scores) {
  val out = val::object();
  out.set("numLayers", static_cast<double>(scores.n_layers));
  out.set("numHeads", static_cast<double>(scores.n_heads));
  out.set("sequences", static_cast<double>(scores.sequences));
  out.set("positionalQueries", static_cast<double>(scores.positional_queries));
  out.set("inductionQueries", static_cast<double>(scores.induction_queries));
  out.set("previousToken", to_float64_array(scores.previous_token));
  out.set("firstToken", to_float64_array(scores.first_token));
  out.set("induction", to_float64_array(scores.induction));
  out.set("duplicateToken", to_float64_array(scores.duplicate_token));
  return out;
}

val layer_trace_to_js(const spotlight::LayerTrace& trace) {
  val out = trace_to_js(trace.attention);
  out.set("layer", static_cast<double>(trace.layer));
  out.set("input", to_tensor(trace.input.data(), {trace.input.rows(), trace.input.cols()}));
  return out;
}

val relation_scores_to_js(const spotlight::RelationScores& scores) {
  val out = val::object();
  out.set("name", val(scores.name));
  out.set("numLayers", static_cast<double>(scores.n_layers));
  out.set("numHeads", static_cast<double>(scores.n_heads));
  out.set("sequences", static_cast<double>(scores.sequences));
  out.set("instances", static_cast<double>(scores.instances));
  out.set("accuracy", to_float64_array(scores.accuracy));
  out.set("meanWeight", to_float64_array(scores.mean_weight));
  return out;
}

}  // namespace spotlight_wasm

namespace {

using emscripten::typed_memory_view;
using emscripten::val;
using spotlight::AttentionMaps;
using spotlight::concat;
using spotlight::Index;
using spotlight::ParameterInfo;
using spotlight::require;
using spotlight::TinyTransformer;
using spotlight::TokenSequence;
using spotlight::TransformerConfig;
using spotlight_wasm::guarded;
using spotlight_wasm::guarded_model;
using spotlight_wasm::require_memory;
using spotlight_wasm::to_float32_array;
using spotlight_wasm::to_string_array;
using spotlight_wasm::to_tokens;
using spotlight_wasm::to_typed_array;
using spotlight_wasm::TransformerBinding;

// An upper bound on the floats TinyTransformer allocates for `batch` sequences of seq_len tokens
// (its activations, transformer.h): per layer at most 16 (n, d_model) blocks (8 matrices of
// width d_model, 2 of width 4 d_model) and the weights (batch n_heads seq_len, seq_len); after
// the blocks 2 (n, d_model) and the logits (n, vocab). The backward adds at most 14 (n, d_model)
// blocks, the logits' gradient and their transposed copy.
double activation_floats(const TransformerConfig& config, double batch, double seq_len,
                         bool backward) {
  const double n = batch * seq_len, d = static_cast<double>(config.d_model);
  const double vocab = static_cast<double>(config.vocab_size);
  const double per_layer =
      16.0 * n * d + batch * static_cast<double>(config.n_heads) * seq_len * seq_len;
  const double forward = static_cast<double>(config.n_layers) * per_layer + 2.0 * n * d + n * vocab;
  return backward ? forward + 14.0 * n * d + 2.0 * n * vocab : forward;
}

// `values` (a typed array: api.js converts anything else first) must hold `expected` values;
// `formula` names expected in the JS API's words ("batch*seqLen = 2*8").
void require_length(const val& values, const char* name, Index expected,
                    const std::string& formula) {
  const auto count = values["length"].as<double>();
  require(count == static_cast<double>(expected), name, " has ", static_cast<std::int64_t>(count),
          " values, expected ", formula, " = ", expected);
}

// A copy of the floats of a Float32Array.
std::vector<float> to_floats(const val& values) {
  std::vector<float> floats(values["length"].as<std::size_t>());
  val(typed_memory_view(floats.size(), floats.data())).call<void>("set", values);
  return floats;
}

// api.js's canonical config: the eight keys, each present and of its type, sizes positive
// integers and the seed a safe integer; the core checks the bounds.
TransformerConfig to_config(const val& options) {
  TransformerConfig config;
  config.vocab_size = options["vocabSize"].as<int>();
  config.context_length = options["contextLength"].as<int>();
  config.d_model = options["embedDim"].as<int>();
  config.n_heads = options["numHeads"].as<int>();
  config.n_layers = options["numLayers"].as<int>();
  config.mlp = options["mlp"].as<bool>();
  config.layer_norm = options["layerNorm"].as<bool>();
  config.seed = static_cast<std::uint64_t>(options["seed"].as<double>());
  return config;
}

const char* role_name(spotlight::ParameterRole role) {
  switch (role) {
    case spotlight::ParameterRole::embedding:
      return "embedding";
    case spotlight::ParameterRole::weight:
      return "weight";
    case spotlight::ParameterRole::bias:
      return "bias";
    case spotlight::ParameterRole::norm_gain:
      return "norm_gain";
    case spotlight::ParameterRole::norm_bias:
      return "norm_bias";
  }
  return "weight";
}

// {name: Float32Array} of a flat buffer in the table's order (parameters or gradients).
val by_name(const std::vector<ParameterInfo>& table, const std::vector<float>& flat) {
  val out = val::object();
  for (const ParameterInfo& info : table) {
    out.set(info.name, to_float32_array(flat.data() + info.offset, info.size()));
  }
  return out;
}

// `options`: api.js's canonical {learningRate, beta1, beta2, epsilon, weightDecay, clipNorm},
// numbers all; the core checks their ranges (validate_adamw_options).
spotlight::AdamWOptions to_adamw_options(const val& options) {
  spotlight::AdamWOptions result;
  result.learning_rate = options["learningRate"].as<float>();
  result.beta1 = options["beta1"].as<float>();
  result.beta2 = options["beta2"].as<float>();
  result.epsilon = options["epsilon"].as<float>();
  result.weight_decay = options["weightDecay"].as<float>();
  result.clip_norm = options["clipNorm"].as<float>();
  return result;
}

// One batch's token ids, inputs and targets (batch * seq_len) row-major.
struct Batch {
  TokenSequence inputs;
  TokenSequence targets;
};

// The token ids of one batch, after checking their counts and that the step's memory fits.
Batch training_batch(const TransformerBinding& binding, const val& inputs, const val& targets,
                     int batch, int seq_len) {
  const std::string formula = concat("batch*seqLen = ", batch, "*", seq_len);
  const Index n = static_cast<Index>(batch) * seq_len;
  require_length(inputs, "inputs", n, formula);
  require_length(targets, "targets", n, formula);
  binding.require_training_fits(batch, seq_len, formula);
  return {to_tokens(inputs, "inputs"), to_tokens(targets, "targets")};
}

}  // namespace

namespace spotlight_wasm {

// `config`: api.js's canonical config (to_config). The core bounds a model's parameters
// (TransformerLimits::max_parameters), so its buffers stay far below the memory cap.
TransformerBinding* TransformerBinding::create(const val& config) {
  return guarded_model([&] { return new TransformerBinding(TinyTransformer(to_config(config))); });
}

// {model, vocabulary, tokenizer, metadata} of the checkpoint in `bytes`, a Uint8Array; the
// core checks the bytes (checkpoint.h) before the model is made.
val TransformerBinding::load(const val& bytes) {
  return guarded_model([&] {
    const auto size = bytes["length"].as<double>();
    require_memory(size / sizeof(float),
                   concat("the checkpoint's copy, ", static_cast<std::int64_t>(size), " bytes,"),
                   "");
    std::vector<std::uint8_t> data(static_cast<std::size_t>(size));
    val(typed_memory_view(data.size(), data.data())).call<void>("set", bytes);
    spotlight::Checkpoint checkpoint = spotlight::load_checkpoint(data.data(), data.size());
    TinyTransformer model(checkpoint.config);
    model.set_all_parameters(checkpoint.parameters);
    if (checkpoint.optimizer) model.set_optimizer_state(std::move(*checkpoint.optimizer));
    val loaded = val::object();
    loaded.set("vocabulary", to_string_array(checkpoint.vocabulary));
    loaded.set("tokenizer", val(checkpoint.tokenizer));
    loaded.set("metadata", val(checkpoint.metadata));
    // Last: from here on the JS object owns the model, and nothing can throw before it has it.
    loaded.set("model", val(TransformerBinding(std::move(model))));
    return loaded;
  });
}

// The seed as a Number: exact up to 2^53 (every seed JavaScript can pass; a checkpoint written
// elsewhere may hold a larger one, which is then rounded).
val TransformerBinding::config() const {
  const TransformerConfig& config = model_.config();
  val out = val::object();
  out.set("vocabSize", static_cast<double>(config.vocab_size));
  out.set("contextLength", static_cast<double>(config.context_length));
  out.set("embedDim", static_cast<double>(config.d_model));
  out.set("numHeads", static_cast<double>(config.n_heads));
  out.set("numLayers", static_cast<double>(config.n_layers));
  out.set("mlp", config.mlp);
  out.set("layerNorm", config.layer_norm);
  out.set("seed", static_cast<double>(config.seed));
  return out;
}

// [{name, rows, cols, role}] in the order of the flat buffers.
val TransformerBinding::parameter_table() const {
  val table = val::array();
  for (const ParameterInfo& info : model_.parameter_table()) {
    val entry = val::object();
    entry.set("name", info.name);
    entry.set("rows", static_cast<double>(info.rows));
    entry.set("cols", static_cast<double>(info.cols));
    entry.set("role", val(role_name(info.role)));
    table.call<void>("push", entry);
  }
  return table;
}

val TransformerBinding::get_parameters() const {
  return by_name(model_.parameter_table(), model_.parameters());
}

// names[i] (strings) and values[i] (Float32Arrays), as many of each. The core checks the whole
// set (known names, no duplicate, counts, finite values) before it applies any.
void TransformerBinding::set_parameters(const val& names, const val& values) {
  guarded_model([&] {
    const auto count = names["length"].as<std::size_t>();
    double floats = 0.0;
    for (std::size_t i = 0; i < count; ++i) floats += values[i]["length"].as<double>();
    require_memory(
        floats, concat("setParameters' copy, ", static_cast<std::int64_t>(floats), " values,"), "");
    std::vector<std::pair<std::string, std::vector<float>>> replacements;
    replacements.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      replacements.emplace_back(names[i].as<std::string>(), to_floats(values[i]));
    }
    model_.set_parameters(replacements);
  });
}

// {loss, gradients: {name: Float32Array}}.
val TransformerBinding::loss_and_gradients(const val& inputs, const val& targets, int batch,
                                           int seq_len) {
  return guarded_model([&] {
    const Batch tokens = training_batch(*this, inputs, targets, batch, seq_len);
    const double loss =
        model_.loss_and_gradients(tokens.inputs.data(), tokens.targets.data(), batch, seq_len);
    val out = val::object();
    out.set("loss", loss);
    out.set("gradients", by_name(model_.parameter_table(), model_.gradients()));
    return out;
  });
}

// The loss before the update; `options` as to_adamw_options.
double TransformerBinding::train_step(const val& inputs, const val& targets, int batch, int seq_len,
                                      const val& options) {
  return guarded_model([&] {
    const spotlight::AdamWOptions adamw = to_adamw_options(options);
    const Batch tokens = training_batch(*this, inputs, targets, batch, seq_len);
    return model_.train_step(tokens.inputs.data(), tokens.targets.data(), batch, seq_len, adamw);
  });
}

// {logits: {data, shape: [seqLen, vocabSize]}, attention: {data, shape: [numLayers, numHeads,
// seqLen, seqLen]}} of one sequence of seq_len tokens.
val TransformerBinding::forward(const val& tokens, int seq_len) const {
  return guarded_model([&] {
    require_length(tokens, "tokens", seq_len, "seqLen");
    require_forward_fits(seq_len, "forward's");
    const spotlight::TransformerOutput output = model_.forward(to_tokens(tokens, "tokens"));
    const TransformerConfig& config = model_.config();
    const Index n = output.attention.seq_len;
    val out = val::object();
    out.set("logits", spotlight_wasm::to_tensor(output.logits.data(), {n, config.vocab_size}));
    out.set("attention", spotlight_wasm::to_tensor(output.attention.weights.data(),
                                                   {config.n_layers, config.n_heads, n, n}));
    return out;
  });
}

// {layer, input: {data, shape: [seqLen, dModel]}} and trace_to_js's members of the layer's
// attention on one sequence.
val TransformerBinding::trace(const val& tokens, int seq_len, int layer) const {
  return guarded_model([&] {
    require_length(tokens, "tokens", seq_len, "seqLen");
    require_forward_fits(seq_len, "the trace's");
    return layer_trace_to_js(model_.trace(to_tokens(tokens, "tokens"), layer));
  });
}

// An Int32Array of the `count` new tokens; `options`: api.js's canonical {temperature, topK,
// seed}.
val TransformerBinding::generate(const val& prompt, int count, const val& options) const {
  return guarded_model([&] {
    spotlight::SamplingOptions sampling;
    sampling.temperature = options["temperature"].as<float>();
    sampling.top_k = options["topK"].as<int>();
    sampling.seed = static_cast<std::uint64_t>(options["seed"].as<double>());
    const double longest = std::min(prompt["length"].as<double>() + count,
                                    static_cast<double>(model_.config().context_length));
    require_forward_fits(longest, "each step's forward");
    const TokenSequence generated =
        spotlight::generate(model_, to_tokens(prompt, "prompt"), count, sampling);
    return to_typed_array(generated.data(), generated.size());
  });
}

// A Uint8Array; `options`: api.js's canonical {vocabulary (strings), tokenizer, metadata,
// includeOptimizer}. Before the first training step the optimizer state is saved as step 0
// with zero moments, which is what AdamW starts from.
val TransformerBinding::save(const val& options) const {
  return guarded_model([&] {
    spotlight::Checkpoint checkpoint;
    checkpoint.config = model_.config();
    checkpoint.vocabulary = emscripten::vecFromJSArray<std::string>(options["vocabulary"]);
    checkpoint.tokenizer = options["tokenizer"].as<std::string>();
    checkpoint.metadata = options["metadata"].as<std::string>();
    checkpoint.parameters = model_.parameters();
    if (options["includeOptimizer"].as<bool>()) {
      spotlight::AdamWState state = model_.optimizer_state();
      if (state.m.empty()) {
        state.m.assign(model_.parameters().size(), 0.0f);
        state.v.assign(model_.parameters().size(), 0.0f);
      }
      checkpoint.optimizer = std::move(state);
    }
    const std::vector<std::uint8_t> bytes = spotlight::save_checkpoint(checkpoint);
    return to_typed_array(bytes.data(), bytes.size());
  });
}

void TransformerBinding::require_training_fits(Index batch, Index seq_len,
                                               const std::string& formula) const {
  const TransformerConfig& config = model_.config();
  const double in_context = static_cast<double>(std::min(seq_len, config.context_length));
  const double first_step_moments = model_.optimizer_state().m.empty()
                                        ? 2.0 * static_cast<double>(model_.parameters().size())
                                        : 0.0;
  require_memory(
      activation_floats(config, static_cast<double>(batch), in_context, true) + first_step_moments,
      concat("the activations and gradients of ", formula, " tokens,"),
      "; use a smaller batch or seqLen");
}

void TransformerBinding::require_forward_fits(double seq_len, const char* what) const {
  const TransformerConfig& config = model_.config();
  const double n = std::min(seq_len, static_cast<double>(config.context_length));
  const double maps = static_cast<double>(config.n_layers * config.n_heads) * n * n;
  require_memory(activation_floats(config, 1.0, n, false) + maps,
                 concat(what, " activations and attention maps of ", n, " tokens,"),
                 "; use fewer layers or heads");
}

}  // namespace spotlight_wasm

namespace {

// ---- head detectors (head_scores.h)
// ----------------------------------------------------------------

// Each entry of `list`: {data: Float32Array, shape: [n_layers, n_heads, seq_len, seq_len]}, the
// shape's sizes integers >= 0 (api.js checks the types and that the last two are equal).
std::vector<AttentionMaps> to_maps(const val& list) {
  const auto count = list["length"].as<std::size_t>();
  double floats = 0.0;
  for (std::size_t i = 0; i < count; ++i) floats += list[i]["data"]["length"].as<double>();
  require_memory(
      floats, concat("the attention maps' copy, ", static_cast<std::int64_t>(floats), " weights,"),
      "");
  std::vector<AttentionMaps> maps(count);
  for (std::size_t i = 0; i < count; ++i) {
    const val entry = list[i];
    const val shape = entry["shape"];
    maps[i].n_layers = static_cast<Index>(shape[0].as<double>());
    maps[i].n_heads = static_cast<Index>(shape[1].as<double>());
    maps[i].seq_len = static_cast<Index>(shape[2].as<double>());
    maps[i].weights = to_floats(entry["data"]);
  }
  return maps;
}

// `attention`: as to_maps; `tokens`: Int32Arrays, one per sequence.
val score_heads(const val& attention, const val& tokens) {
  return guarded([&] {
    const std::vector<AttentionMaps> maps = to_maps(attention);
    std::vector<TokenSequence> sequences;
    const auto count = tokens["length"].as<std::size_t>();
    for (std::size_t i = 0; i < count; ++i) sequences.push_back(to_tokens(tokens[i], "tokens"));
    return spotlight_wasm::head_scores_to_js(spotlight::score_heads(maps, sequences));
  });
}

// `attention`: as to_maps; `relations`: per sequence an array of {name (string), query, key
// (integers)}; `name`: the relation scored, a string.
val score_relation(const val& attention, const val& relations, const val& name) {
  return guarded([&] {
    const std::vector<AttentionMaps> maps = to_maps(attention);
    std::vector<std::vector<spotlight::Relation>> instances;
    const auto count = relations["length"].as<std::size_t>();
    for (std::size_t s = 0; s < count; ++s) {
      const val list = relations[s];
      std::vector<spotlight::Relation>& sequence = instances.emplace_back();
      const auto length = list["length"].as<std::size_t>();
      for (std::size_t i = 0; i < length; ++i) {
        const val relation = list[i];
        sequence.push_back({relation["name"].as<std::string>(),
                            static_cast<Index>(relation["query"].as<double>()),
                            static_cast<Index>(relation["key"].as<double>())});
      }
    }
    return spotlight_wasm::relation_scores_to_js(
        spotlight::score_relation(maps, instances, name.as<std::string>()));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(tiny_transformer) {
  emscripten::class_<TransformerBinding>("RawTinyTransformer")
      .constructor(&TransformerBinding::create, emscripten::allow_raw_pointers())
      .class_function("load", &TransformerBinding::load)
      .property("lastGradientNorm", &TransformerBinding::last_gradient_norm)
      .property("optimizerStep", &TransformerBinding::optimizer_step)
      .function("config", &TransformerBinding::config)
      .function("parameterTable", &TransformerBinding::parameter_table)
      .function("getParameters", &TransformerBinding::get_parameters)
      .function("setParameters", &TransformerBinding::set_parameters)
      .function("lossAndGradients", &TransformerBinding::loss_and_gradients)
      .function("trainStep", &TransformerBinding::train_step)
      .function("forward", &TransformerBinding::forward)
      .function("trace", &TransformerBinding::trace)
      .function("generate", &TransformerBinding::generate)
      .function("save", &TransformerBinding::save);
  emscripten::function("rawScoreHeads", &score_heads);
  emscripten::function("rawScoreRelation", &score_relation);
}
