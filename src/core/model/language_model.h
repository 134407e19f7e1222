// A decoder-only transformer language model for inference: GPT-2's architecture at any size the
// core can hold (ModelLimits), from the workshop's tiny model to GPT-2 medium read from Hugging
// Face's files (pretrained/). It holds its parameters once, and nothing else: no gradients, no
// optimizer state (TinyTransformer, transformer.h, adds those to train it).
//
//   tokens (T), T <= context_length
//   x = wte[tokens] + wpe[0 .. T-1]                                          (T, d_model)
//   each block l (pre-LayerNorm):
//     x = x + attn(ln_1(x))   causal multi-head attention with biases, scores scaled by
//                             config.attention_scale(l) (1/sqrt(d_head) unless GPT-2's options say)
//     x = x + mlp(ln_2(x))    fc (d_model, d_mlp) + bias, GELU (tanh), proj (d_mlp, d_model) + bias
//   logits = ln_f(x) wte^T                                                   (T, vocab)
//
// What a caller asks for is all that is computed and held. At GPT-2's size the 144 attention maps
// of a 1,024-token text are 576 MB, so:
//   logits     the logits of chosen positions, without any map (each head's attention runs
//              tiled: attention_kernels.h), and the residual stream one layer at a time;
//   attention  one layer's maps (n_heads, T, T), computing nothing past that layer;
//   attention_row  one query's row in every head of one layer;
//   forward    logits and every map at once: for short texts (the workshop's model, the views);
//   attention_maps  every map, no logits (the detectors);
//   overview   in one pass, what the page's views of a text need at any length: every head's map
//              reduced to at most side x side, one layer's maps in full, the last position's
//              logits;
//   trace      every intermediate of one layer's attention (the step-by-step view);
//   decode     the next tokens with the keys and values of earlier ones kept (KvCache), for
//              generation (sampling.h): each new token costs one pass over the weights.
//
// Errors: std::invalid_argument for an empty sequence, one longer than context_length, a token
// outside the vocabulary, a layer or query that does not exist, and activations that leave
// float's range (naming the layer), never NaN or Inf in a result.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attention/multi_head.h"
#include "base/errors.h"
#include "base/matrix.h"
#include "base/sequences.h"
#include "model/transformer_config.h"

namespace spotlight {

// The logits and every layer's attention weights of one sequence.
struct TransformerOutput {
  Matrix logits;             // (T, vocab)
  AttentionMaps attention;   // (n_layers, n_heads, T, T)
};

// Every intermediate of one layer's attention on one sequence, for teaching: the attention's
// input (ln_1 of the residual stream, or the stream itself without LayerNorm) and the trace of
// SimpleAttention with the layer's W_q, W_k, W_v, W_o and biases, causal, with the layer's scale.
// Its weights are the layer's attention maps of forward (to float rounding), its output the
// attention branch that is added to the residual stream.
struct LayerTrace {
  Index layer = 0;
  Matrix input;            // (T, d_model)
  AttentionTrace attention;
};

// What the page's views of one text need, from one pass over the model (LanguageModel::overview).
// A reduced map's cell (a, b) is the largest weight of block a, b: queries
// floor(a T / side) .. floor((a + 1) T / side) - 1 against keys the same way, so a map of T <= side
// tokens is the map itself, and on a longer text a sharp pattern (a diagonal, one column) stays
// visible where a mean would fade it by T / side.
struct AttentionOverview {
  Index side = 0;          // min(T, the side asked for)
  Matrix reduced;          // (n_layers * n_heads * side, side): row (l n_heads + h) side + a
  Index layer = 0;
  Matrix layer_maps;       // (n_heads * T, T): `layer`'s maps in full, as attention() gives them
  RowVector last_logits;   // (vocab): the logits of the last position
};

// The keys and values of the positions decoded so far, per layer (length, d_model), head h in
// columns h d_head .. (h + 1) d_head - 1; and each head's attention row of the last position.
struct KvCache {
  Index length = 0;
  std::vector<Matrix> keys, values;  // n_layers of (context_length, d_model), rows 0 .. length-1 used
  // (n_layers * n_heads, length): the attention of the last decoded position, layer-major.
  Matrix last_attention;
};

class LanguageModel {
 public:
  enum class Weights {
    gpt2_initial,  // GPT-2's initial weights from config.seed (transformer.h says how)
    zeros,         // all zero, for a loader that fills every parameter
  };

  // Throws std::invalid_argument for a configuration that validate_model_config rejects.
  explicit LanguageModel(const TransformerConfig& config, Weights weights = Weights::gpt2_initial);
  virtual ~LanguageModel() = default;
  LanguageModel(const LanguageModel&) = default;
  LanguageModel& operator=(const LanguageModel&) = default;
  // Declared, as the copy is: a model of GPT-2's size is moved, never copied, out of its loader.
  LanguageModel(LanguageModel&&) noexcept = default;
  LanguageModel& operator=(LanguageModel&&) noexcept = default;

  const TransformerConfig& config() const { return config_; }
  const std::vector<ParameterInfo>& parameter_table() const { return table_; }
  // The flat parameters, in the table's order, row-major: the storage itself, so only while no
  // weight is kept as panels (below); throws std::logic_error after store_weights_as_panels.
  const std::vector<float>& parameters() const;
  // One parameter's values (rows * cols, row-major), and all of them in the table's order, as
  // copies, however they are stored.
  std::vector<float> parameter_values(const ParameterInfo& info) const;
  std::vector<float> all_parameter_values() const;
  // The entry of `name`; throws std::invalid_argument naming it when the model has no such
  // parameter (disabled parts have none), listing those it has.
  const ParameterInfo& parameter(const std::string& name) const;
  // The storage of one parameter (rows * cols floats, row-major) for a loader that writes it in
  // place, piece by piece; the loader checks the values (every one finite) before the model runs.
  // Throws std::logic_error for a weight kept as panels.
  float* parameter_storage(const ParameterInfo& info);

  // For inference: keeps each linear weight (attention's wq, wk, wv, wo, the MLP's fc and proj)
  // whose width is a multiple of 16 as gemm.h's panels - the same floats, in the order the
  // products read them - so that no call packs them again: at gpt2's size and a short text,
  // packing the 340 MB of them on every forward took a third of its time. Products then give the
  // same values bit for bit. A model that trains (TinyTransformer) keeps them row-major.
  void store_weights_as_panels();
  bool weights_as_panels() const { return weights_as_panels_; }

  // Replaces the named parameters, each by rows * cols values in row-major order. All are checked
  // (known name, no duplicate, count, finite values) before any is applied, so a rejected call
  // changes nothing.
  void set_parameters(const std::vector<std::pair<std::string, std::vector<float>>>& values);
  // Replaces every parameter at once (a checkpoint's), same checks.
  void set_all_parameters(const std::vector<float>& values);

  // The logits of positions first_position .. T-1 of one sequence of 1 .. context_length tokens:
  // (T - first_position, vocab). No attention map is kept.
  Matrix logits(const TokenSequence& tokens, Index first_position = 0) const;
  // The attention maps of `layer`: (n_heads * T, T), row h T + i is head h's query i.
  Matrix attention(const TokenSequence& tokens, Index layer) const;
  // Query `query`'s attention in every head of `layer`: (n_heads, query + 1).
  Matrix attention_row(const TokenSequence& tokens, Index layer, Index query) const;
  // Logits and every layer's maps.
  TransformerOutput forward(const TokenSequence& tokens) const;
  // Every layer's maps without the logits (at gpt2's size the logits against its 50,257 tokens are
  // a third of a short text's work): what the detectors read.
  AttentionMaps attention_maps(const TokenSequence& tokens) const;
  // Every head's map reduced to at most side x side (side >= 1), `layer`'s maps in full and the
  // last position's logits, holding one layer's maps at a time.
  AttentionOverview overview(const TokenSequence& tokens, Index layer, Index side) const;
  // The attention of `layer` on one sequence, every intermediate.
  LayerTrace trace(const TokenSequence& tokens, Index layer) const;

  // An empty cache for this model.
  KvCache start_decoding() const;
  // Appends `tokens` to the decoded sequence and returns the logits of the last one (vocab).
  // The cache's positions plus the new ones must fit in context_length; fills last_attention.
  RowVector decode(const TokenSequence& tokens, KvCache& cache) const;

 protected:
  // Per layer, the indices in table_ of its entries, so lookups by name happen once.
  struct LayerIndex {
    std::size_t ln_1_weight = 0, ln_1_bias = 0, wq = 0, bq = 0, wk = 0, bk = 0, wv = 0, bv = 0,
                wo = 0, bo = 0, ln_2_weight = 0, ln_2_bias = 0, fc = 0, fc_bias = 0, proj = 0,
                proj_bias = 0;
  };

  // Throws naming `name`[i] and the value for the first value that is not finite.
  static void require_finite_parameters(const float* values, std::size_t count,
                                        const std::string& name);
  // Runs `function`, rethrowing an error of the attention (its activations left float's range)
  // with the layer named, so a user learns where the model went wrong rather than about an input
  // they never passed.
  template <typename Function>
  static void in_layer(Index layer, const char* part, Function&& function) {
    try {
      function();
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(concat("the model's activations left float's range in layer ",
                                         layer, " (", part, "): ", error.what()));
    }
  }

  Eigen::Map<const Matrix> view(std::size_t index) const;
  const float* data(std::size_t index) const { return parameters_.data() + table_[index].offset; }
  std::vector<float>& mutable_parameters() { return parameters_; }
  // Throws for an empty sequence, one past the context, or a token outside the vocabulary;
  // `name` is how the caller calls the ids ("tokens").
  void validate_tokens(const TokenId* tokens, Index count, const char* name) const;
  void validate_layer(Index layer) const;

  TransformerConfig config_;
  std::vector<ParameterInfo> table_;
  std::vector<LayerIndex> layer_index_;
  std::size_t wte_ = 0, wpe_ = 0, ln_f_weight_ = 0, ln_f_bias_ = 0;

 private:
  struct Workspace;
  // x (T, d_model): the residual stream of `tokens` at positions first_position.., embedded.
  void embed(const TokenId* tokens, Index count, Index first_position, Matrix& x) const;
  // x = x + attn(ln_1(x)) for block `layer`, causal over the stream's own rows; maps (n_heads T,
  // T) when not null.
  void attention_block(Index layer, Workspace& work, Matrix* maps) const;
  // x = x + heads wo + bo, the heads' outputs in work.heads.
  void add_attention_output(Index layer, Workspace& work) const;
  // x = x + mlp(ln_2(x)) for block `layer` (nothing without an MLP).
  void mlp_block(Index layer, Workspace& work) const;
  // work.normed = ln_1(x) (or x), then q, k, v of block `layer`.
  void project_qkv(Index layer, Workspace& work) const;
  // The stream after blocks 0 .. layers-1 (the input of block `layers`).
  void run_blocks(const TokenSequence& tokens, Index layers, Workspace& work,
                  std::vector<Matrix>* maps) const;
  // Every layer's maps of `tokens`, the stream left in work.x.
  AttentionMaps all_maps(const TokenSequence& tokens, Workspace& work) const;
  // logits (rows, vocab) of the stream's rows first_row..
  Matrix final_logits(Workspace& work, Index first_row) const;
  // y (T, cols) = x weight + bias, from the weight's row-major values or its panels; y sized.
  void linear(const Matrix& x, std::size_t weight, std::size_t bias, Matrix& y,
              Workspace& work) const;
  bool stored_as_panels(const ParameterInfo& info) const;
  // Writes rows * cols row-major values into a parameter's storage, in its layout.
  void store(const ParameterInfo& info, const float* values);

  std::vector<float> parameters_;
  bool weights_as_panels_ = false;
};

}  // namespace spotlight
