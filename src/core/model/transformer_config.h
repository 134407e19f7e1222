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
//     h.L.mlp.fc (d_model, 4 d_model), h.L.mlp.fc_bias (1, 4 d_model)           [mlp]
//     h.L.mlp.proj (4 d_model, d_model), h.L.mlp.proj_bias (1, d_model)         [mlp]
//   ln_f.weight, ln_f.bias (1, d_model)                      [layer_norm]
//
// Matrices are (in, out) row-major, as SimpleAttention's: y = x W + b. PyTorch's nn.Linear
// stores W^T.
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

  Index d_head() const { return d_model / n_heads; }
  bool operator==(const TransformerConfig& other) const;
  bool operator!=(const TransformerConfig& other) const { return !(*this == other); }
};

// Bounds of a configuration: generous for a model trained in a browser tab, small enough that no
// size product overflows and the buffers stay far below the wasm module's memory.
struct TransformerLimits {
  static constexpr Index max_vocab_size = 16384;
  static constexpr Index max_context_length = 512;
  static constexpr Index max_d_model = 1024;
  static constexpr Index max_n_heads = 64;
  static constexpr Index max_n_layers = 16;
  static constexpr Index max_parameters = Index{1} << 24;  // 16,777,216 floats: 64 MiB
};

// Throws std::invalid_argument naming the field and the value for a size out of its bounds, a
// d_model that n_heads does not divide, or too many parameters in all.
void validate_config(const TransformerConfig& config);

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

// The table for `config` (validated first), in the order above.
std::vector<ParameterInfo> parameter_table(const TransformerConfig& config);

// The number of floats in the flat buffers: the sum of the table's sizes.
Index parameter_count(const std::vector<ParameterInfo>& table);

}  // namespace spotlight
