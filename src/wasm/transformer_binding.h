// The tiny transformer's Embind class and the conversions its bindings share: the model's own
// calls (transformer_bindings.cpp) and those that train and measure it (training_bindings.cpp),
// which take the model per call and never keep it.
#pragma once

#include <emscripten/val.h>

#include <string>
#include <utility>
#include <vector>

#include "analysis/head_scores.h"
#include "binding_support.h"
#include "model/transformer.h"

namespace spotlight_wasm {

using spotlight::TinyTransformer;
using spotlight::TokenSequence;

// guarded() with the out-of-memory advice of the model's calls.
template <typename Body>
auto guarded_model(Body&& body) -> decltype(body()) {
  return guarded(std::forward<Body>(body), "try a smaller batch, seqLen or model");
}

// A copy of the token ids of an Int32Array; `name` names it in the memory check's message.
TokenSequence to_tokens(const val& values, const char* name);

val to_string_array(const std::vector<std::string>& strings);

// {numLayers, numHeads, sequences, positionalQueries, inductionQueries, previousToken,
// firstToken, induction, duplicateToken}: the scores as Float64Arrays, layer-major.
val head_scores_to_js(const spotlight::HeadScores& scores);

// trace_to_js's members for the layer's heads, with {layer, input (T, d_model)}.
val layer_trace_to_js(const spotlight::LayerTrace& trace);

// {name, numLayers, numHeads, sequences, instances, accuracy, meanWeight}.
val relation_scores_to_js(const spotlight::RelationScores& scores);

// The JS object behind TinyTransformer (api.js): the model and its calls. Every method validates
// what it reads and throws a JS Error (guarded) with the core's message.
class TransformerBinding {
 public:
  explicit TransformerBinding(TinyTransformer model) : model_(std::move(model)) {}

  static TransformerBinding* create(const val& config);
  static val load(const val& bytes);

  val config() const;
  val parameter_table() const;
  val get_parameters() const;
  void set_parameters(const val& names, const val& values);
  val loss_and_gradients(const val& inputs, const val& targets, int batch, int seq_len);
  double train_step(const val& inputs, const val& targets, int batch, int seq_len,
                    const val& options);
  val forward(const val& tokens, int seq_len) const;
  val trace(const val& tokens, int seq_len, int layer) const;
  val generate(const val& prompt, int count, const val& options) const;
  val save(const val& options) const;
  double last_gradient_norm() const { return model_.last_gradient_norm(); }
  double optimizer_step() const { return static_cast<double>(model_.optimizer_state().step); }

  TinyTransformer& model() { return model_; }
  const TinyTransformer& model() const { return model_; }

  // Refuses, before anything is allocated, a training step of `batch` sequences of seq_len tokens
  // whose activations, gradients and (on the first step) AdamW moments exceed the memory cap;
  // `formula` names the sizes in the JS API's words ("batch*seqLen = 2*8"). The activations are
  // sized for at most context_length tokens a sequence: a longer seq_len is refused by the core
  // (with its message) before it allocates them.
  void require_training_fits(Index batch, Index seq_len, const std::string& formula) const;

  // The same for the forward of one sequence of seq_len tokens (at most context_length, as
  // above) and the copy of its attention maps; `what` names the call ("forward's").
  void require_forward_fits(double seq_len, const char* what) const;

 private:
  TinyTransformer model_;
};

}  // namespace spotlight_wasm
