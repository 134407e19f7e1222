// A tiny decoder-only transformer language model, GPT-2's architecture at toy scale, trained by
// the core itself: forward, hand-written backward (transformer_ops.h) and AdamW (optimizer.h).
//
//   tokens (batch, T), T <= context_length
//   x = wte[tokens] + wpe[0 .. T-1]                                 (batch T, d_model)
//   each block (pre-LayerNorm):
//     x = x + attn(ln_1(x))     causal multi-head attention with biases, scaled by 1/sqrt(d_head)
//     x = x + mlp(ln_2(x))      fc (d_model, 4 d_model) + bias, GELU (tanh), proj + bias
//   logits = ln_f(x) wte^T                                          (batch T, vocab)
//   loss = mean cross-entropy of the next token over the targets that are not -1
// Options: mlp off (attention-only blocks), layer_norm off (no ln_1, ln_2, ln_f).
//
// Initial weights (GPT-2's scheme, from SplitMix64 seeded with config.seed, in the order of the
// parameter table): every matrix and embedding uniform with standard deviation 0.02 (limit
// 0.02 sqrt(3): the uniform keeps the draw bit-identical on every platform, where a normal would
// go through log and cos), the residual projections attn.wo and mlp.proj by 0.02 / sqrt(2
// n_layers), biases 0, LayerNorm gains 1.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attention/multi_head.h"
#include "base/matrix.h"
#include "base/sequences.h"
#include "model/optimizer.h"
#include "model/transformer_config.h"
#include "model/transformer_ops.h"

namespace spotlight {

// The logits and every layer's attention weights of one sequence.
struct TransformerOutput {
  Matrix logits;             // (T, vocab)
  AttentionMaps attention;   // (n_layers, n_heads, T, T)
};

// Every intermediate of one layer's attention on one sequence, for teaching: the attention's
// input (ln_1 of the residual stream, or the stream itself without LayerNorm) and the trace of
// SimpleAttention with the layer's W_q, W_k, W_v, W_o and biases, causal. Its weights are the
// layer's attention maps of forward (to float rounding), its output the attention branch that is
// added to the residual stream.
struct LayerTrace {
  Index layer = 0;
  Matrix input;            // (T, d_model)
  AttentionTrace attention;
};

class TinyTransformer {
 public:
  // Throws std::invalid_argument for a configuration that validate_config rejects.
  explicit TinyTransformer(const TransformerConfig& config);

  const TransformerConfig& config() const { return config_; }
  const std::vector<ParameterInfo>& parameter_table() const { return table_; }
  // The flat parameters and the gradients of the last loss_and_gradients, in the table's order.
  const std::vector<float>& parameters() const { return parameters_; }
  const std::vector<float>& gradients() const { return gradients_; }
  // The entry of `name`; throws std::invalid_argument naming it when the model has no such
  // parameter (disabled parts have none).
  const ParameterInfo& parameter(const std::string& name) const;

  // Replaces the named parameters, each by rows * cols values in row-major order. All are checked
  // (known name, no duplicate, count, finite values) before any is applied, so a rejected call
  // changes nothing. The optimizer state is kept.
  void set_parameters(const std::vector<std::pair<std::string, std::vector<float>>>& values);
  // Replaces every parameter at once (a checkpoint's), same checks.
  void set_all_parameters(const std::vector<float>& values);

  // Logits and attention of one sequence of 1 .. context_length tokens.
  TransformerOutput forward(const TokenSequence& tokens) const;
  // The attention of `layer` (0 .. n_layers - 1) on one sequence, every intermediate; throws
  // std::invalid_argument as forward does, and for a layer that does not exist.
  LayerTrace trace(const TokenSequence& tokens, Index layer) const;

  // Mean loss of `batch` sequences of seq_len tokens, inputs and targets (batch * seq_len)
  // row-major, targets -1 where ignored; fills gradients(). Throws std::invalid_argument for
  // sizes out of range, a token id outside the vocabulary, a target that is neither -1 nor a
  // token id, targets that are all ignored, or activations or gradients that leave float's
  // range.
  double loss_and_gradients(const TokenId* inputs, const TokenId* targets, Index batch,
                            Index seq_len);

  // One AdamW step on one batch: loss_and_gradients, then the update. Returns the loss before the
  // update. A step whose loss or gradients are not finite, or that would make a parameter non-
  // finite, throws and leaves the parameters and the optimizer state as they were.
  double train_step(const TokenId* inputs, const TokenId* targets, Index batch, Index seq_len,
                    const AdamWOptions& options);
  // The gradients' norm before clipping, of the last train_step.
  double last_gradient_norm() const { return last_gradient_norm_; }

  const AdamWState& optimizer_state() const { return optimizer_; }
  // Replaces the optimizer state (a checkpoint's): step >= 0 and moments of parameter_count
  // finite values, v >= 0.
  void set_optimizer_state(AdamWState state);

 private:
  // The activations one batch keeps for its backward, resized only when (batch, seq_len) changes.
  struct LayerActivations {
    Matrix residual_in;                          // (n, d)  x entering the block
    Matrix ln_1;                                 // (n, d)
    std::vector<float> ln_1_mean, ln_1_rstd;     // (n)
    Matrix q, k, v;                              // (n, d)
    Matrix att;                                  // (batch n_heads T, T)
    Matrix heads;                                // (n, d)  the heads' outputs, concatenated
    Matrix residual_mid;                         // (n, d)  x after the attention
    Matrix ln_2;                                 // (n, d)
    std::vector<float> ln_2_mean, ln_2_rstd;     // (n)
    Matrix fc, fc_gelu;                          // (n, 4d)
  };
  struct Activations {
    Index batch = 0, seq_len = 0;
    std::vector<LayerActivations> layers;
    Matrix residual_out;                         // (n, d)  x after the last block
    Matrix ln_f;                                 // (n, d)
    std::vector<float> ln_f_mean, ln_f_rstd;     // (n)
    Matrix logits;                               // (n, vocab), the probabilities after the loss
    // The backward's gradients of the activations, reused layer after layer.
    Matrix d_residual, d_branch_in, d_q, d_k, d_v, d_heads, d_fc_gelu, d_fc, d_logits;
  };

  Eigen::Map<const Matrix> view(const ParameterInfo& info) const;
  Eigen::Map<Matrix> gradient_view(const ParameterInfo& info);
  const float* data(const ParameterInfo& info) const { return parameters_.data() + info.offset; }
  float* gradient_data(const ParameterInfo& info) { return gradients_.data() + info.offset; }
  // inputs_name: how the caller calls the token ids ("inputs", or forward's "tokens").
  void validate_batch(const TokenId* inputs, const TokenId* targets, Index batch, Index seq_len,
                      const char* inputs_name) const;
  void resize_activations(Activations& acts, Index batch, Index seq_len) const;
  // Fills acts up to the logits (not the loss).
  void forward_pass(const TokenId* inputs, Activations& acts, PackedPanels& panels) const;
  // One sequence's activations up to the logits, after checking its tokens: forward's and
  // trace's common start.
  Activations sequence_activations(const TokenSequence& tokens) const;
  void backward_pass(const TokenId* inputs, Activations& acts);

  TransformerConfig config_;
  std::vector<ParameterInfo> table_;
  std::vector<float> parameters_;
  std::vector<float> gradients_;
  AdamWState optimizer_;
  double last_gradient_norm_ = 0.0;
  Activations activations_;
  ProductScratch scratch_;
  // Per layer, the indices in table_ of its entries, so lookups by name happen once.
  struct LayerIndex {
    std::size_t ln_1_weight = 0, ln_1_bias = 0, wq = 0, bq = 0, wk = 0, bk = 0, wv = 0, bv = 0,
                wo = 0, bo = 0, ln_2_weight = 0, ln_2_bias = 0, fc = 0, fc_bias = 0, proj = 0,
                proj_bias = 0;
  };
  std::vector<LayerIndex> layer_index_;
  std::size_t wte_ = 0, wpe_ = 0, ln_f_weight_ = 0, ln_f_bias_ = 0;
};

}  // namespace spotlight
