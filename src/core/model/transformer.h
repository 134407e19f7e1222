// A tiny decoder-only transformer language model, GPT-2's architecture at toy scale, trained by
// the core itself: the language model of language_model.h (its inference: logits, maps, trace,
// decoding), plus what training needs: the gradients, a batched forward that keeps the
// activations for the hand-written backward (transformer_ops.h), and AdamW (optimizer.h).
// Its configuration must pass validate_config (TransformerLimits: small enough to train in a tab).
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

#include "base/matrix.h"
#include "base/sequences.h"
#include "model/language_model.h"
#include "model/optimizer.h"
#include "model/transformer_config.h"
#include "model/transformer_ops.h"

namespace spotlight {

class TinyTransformer : public LanguageModel {
 public:
  // Throws std::invalid_argument for a configuration that validate_config rejects.
  explicit TinyTransformer(const TransformerConfig& config);

  // The gradients of the last loss_and_gradients, in the parameter table's order. (Replacing
  // parameters, LanguageModel::set_parameters, keeps them and the optimizer state.)
  const std::vector<float>& gradients() const { return gradients_; }

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
  // Training reads and writes its weights row-major: they never become panels.
  using LanguageModel::store_weights_as_panels;

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

  Eigen::Map<Matrix> gradient_view(std::size_t index);
  float* gradient_data(std::size_t index) { return gradients_.data() + table_[index].offset; }
  // inputs_name: how the caller calls the token ids ("inputs", or forward's "tokens").
  void validate_batch(const TokenId* inputs, const TokenId* targets, Index batch, Index seq_len,
                      const char* inputs_name) const;
  void resize_activations(Activations& acts, Index batch, Index seq_len) const;
  // Fills acts up to the logits (not the loss).
  void forward_pass(const TokenId* inputs, Activations& acts, PackedPanels& panels) const;
  void backward_pass(const TokenId* inputs, Activations& acts);

  std::vector<float> gradients_;
  AdamWState optimizer_;
  double last_gradient_norm_ = 0.0;
  Activations activations_;
  ProductScratch scratch_;
};

}  // namespace spotlight
