// The tiny GPT-style language model's configuration and its table of parameters.
//
// One table (name, shape, role) drives everything that touches parameters: initialisation, the
// flat parameter and gradient buffers, save and load (checkpoint.h), getParameters and
// setParameters in JavaScript, AdamW's weight decay and the gradient checks. Its order is the
// order of the flat buffers:
//
//   wte (vocab_size, d_model)              token embedding; also the output head (tied)
//   wpe (context_length, d_model)          learned positions
//   for each layer L:
//     h.L.ln_1.weight, h.L.ln_1.bias (1, d_model)            [layer_norm]
//     h.L.attn.wq (d_model, d_model), h.L.attn.bq (1, d_model)
//     h.L.attn.wk, h.L.attn.bk, h.L.attn.wv, h.L.attn.bv, h.L.attn.wo, h.L.attn.bo
//     h.L.ln_2.weight, h.L.ln_2.bias (1, d_model)            [layer_norm and mlp]
//     h.L.mlp.fc (d_model, d_mlp), h.L.mlp.fc_bias (1, d_mlp)                   [mlp]
//     h.L.mlp.proj (d_mlp, d_model), h.L.mlp.proj_bias (1, d_model)             [mlp]
//   ln_f.weight, ln_f.bias (1, d_model)                      [layer_norm]
//
// Matrices are (in, out) row-major, as SimpleAttention's: y = x W + b. PyTorch's nn.Linear
// stores W^T; Hugging Face's GPT-2 (its Conv1D) stores W, as here.
//
// Two sets of bounds: any model (ModelLimits: what the core can load and run, GPT-2 XL included;
// the wasm bindings check the module's memory themselves) and a trainable one (TransformerLimits:
// small enough that its gradients, AdamW's moments and a batch's activations fit in a browser tab,
// and with GPT-2's options at their defaults, which its backward pass assumes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/matrix.h"

namespace spotlight {

struct TransformerConfig {
  Index vocab_size = 50;
  Index context_length = 16;
  Index d_model = 32;
  Index n_heads = 4;
  Index n_layers = 2;
  bool mlp = true;         // off: attention-only blocks (Elhage et al. 2021)
  bool layer_norm = true;  // off: no ln_1, ln_2, ln_f
  std::uint64_t seed = 7;  // initial weights (and nothing else)
  // GPT-2's options, which checkpoints of the family may set (pretrained/gpt2_config.h):
  Index mlp_width = 0;                    // the MLP's hidden width d_mlp; 0: 4 d_model (n_inner)
  float layer_norm_epsilon = 1e-5f;       // added to the variance (layer_norm_epsilon)
  bool scale_attention = true;            // scores / sqrt(d_head) (scale_attn_weights)
  bool scale_attention_by_layer = false;  // and / (layer + 1) (scale_attn_by_inverse_layer_idx)

  Index d_head() const { return d_model / n_heads; }
  Index d_mlp() const { return mlp_width == 0 ? 4 * d_model : mlp_width; }
  // The factor on q.k in layer `layer` (0-based), as GPT-2 applies its two options.
  float attention_scale(Index layer) const;
  bool operator==(const TransformerConfig& other) const;
  bool operator!=(const TransformerConfig& other) const { return !(*this == other); }
};

// Bounds of any model's configuration: past GPT-2 XL (1,600 wide, 48 layers of 25 heads, 50,257
// tokens, 1,024 positions), and small enough that every size the model computes in Index (32 bits
// in wasm32) fits: one layer's maps, n_heads * T^2 <= 2^30; the logits, T * vocab_size <= 2^30;
// and the parameters, at most the 4 GiB a wasm32 module can address (16 GiB natively).
struct ModelLimits {
  static constexpr Index max_vocab_size = Index{1} << 18;
  static constexpr Index max_context_length = 4096;
  static constexpr Index max_d_model = 8192;
  static constexpr Index max_d_mlp = 32768;
  static constexpr Index max_n_heads = 64;
  static constexpr Index max_n_layers = 256;
  static constexpr std::int64_t max_parameters = sizeof(Index) >= 8 ? std::int64_t{1} << 32
                                                                     : std::int64_t{1} << 30;
};

// Bounds of a trainable model's configuration: generous for a model trained in a browser tab,
// small enough that its buffers stay far below the wasm module's memory.
struct TransformerLimits {
  static constexpr Index max_vocab_size = 16384;
  static constexpr Index max_context_length = 512;
  static constexpr Index max_d_model = 1024;
  static constexpr Index max_n_heads = 64;
  static constexpr Index max_n_layers = 16;
  static constexpr Index max_parameters = Index{1} << 24;  // 16,777,216 floats: 64 MiB
};

// Throws std::invalid_argument naming the field and the value for a size out of ModelLimits, a
// d_model that n_heads does not divide, a layer_norm_epsilon that is not finite and > 0, or too
// many parameters in all.
void validate_model_config(const TransformerConfig& config);

// The same for a trainable model: TransformerLimits, and GPT-2's options at their defaults.
void validate_config(const TransformerConfig& config);

// The number of parameters of `config`, computed in 64 bits without building its table (each size
// within ModelLimits, so that nothing overflows).
std::int64_t parameter_count(const TransformerConfig& config);

enum class ParameterRole {
  embedding,  // wte, wpe: decayed by AdamW
  weight,     // a matrix of a projection: decayed
  bias,       // not decayed
  norm_gain,  // LayerNorm's weight, starts at 1: not decayed
  norm_bias,  // LayerNorm's bias: not decayed
};

struct ParameterInfo {
  std::string name;  // as in nanoGPT / the wasm API: "h.0.attn.wq"
  Index rows = 0;
  Index cols = 0;
  Index offset = 0;  // of its first value in the flat buffers
  ParameterRole role = ParameterRole::weight;
  // The projections that write into the residual stream (attn.wo, mlp.proj): GPT-2 starts them
  // smaller, by 1/sqrt(2 n_layers), so the stream's variance does not grow with depth.
  bool residual_projection = false;

  Index size() const { return rows * cols; }
  bool decayed() const { return role == ParameterRole::embedding || role == ParameterRole::weight; }
};

// The table for `config` (validate_model_config first), in the order above.
std::vector<ParameterInfo> parameter_table(const TransformerConfig& config);

// The number of floats in the flat buffers: the sum of the table's sizes.
Index parameter_count(const std::vector<ParameterInfo>& table);

}  // namespace spotlight
