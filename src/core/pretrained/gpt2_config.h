// Hugging Face's config.json of the GPT-2 family (gpt2, distilgpt2, gpt2-medium and the many
// fine-tuned or other-language checkpoints that share GPT2LMHeadModel), read into the model's
// configuration and written back from one.
//
//   config.json          TransformerConfig
//   n_embd               d_model
//   n_head               n_heads
//   n_layer              n_layers
//   n_positions          context_length (n_ctx, in older files, must agree when both are given)
//   vocab_size           vocab_size
//   n_inner              mlp_width (null: 4 n_embd)
//   layer_norm_epsilon   layer_norm_epsilon (default 1e-5)
//   scale_attn_weights   scale_attention (default true)
//   scale_attn_by_inverse_layer_idx   scale_attention_by_layer (default false)
//
// Honoured without a field of its own: reorder_and_upcast_attn (it computes the scores in float32
// with the scale applied first, which is what this core does in any case). Refused by name, since
// the model would compute something else: a model_type other than gpt2, an activation_function
// other than gelu_new (or its synonym gelu_pytorch_tanh), tie_word_embeddings false,
// add_cross_attention true. Every other key (dropouts, summary_*, task_specific_params, ...) is
// about training or other heads and is ignored.
#pragma once

#include <string>
#include <string_view>

#include "model/transformer_config.h"

namespace spotlight {

// The configuration config.json describes, validated (validate_model_config); throws
// std::invalid_argument naming the key and the value for anything missing, of the wrong kind,
// out of range or refused above. "config.json" opens every message.
TransformerConfig read_gpt2_config(std::string_view config_json);

// config.json for `config`, as transformers writes a GPT2Config (the keys above, model_type gpt2,
// architectures GPT2LMHeadModel, bos and eos end_of_text), so that read_gpt2_config and
// transformers' GPT2LMHeadModel.from_pretrained read it back. end_of_text: the id of
// <|endoftext|>, or -1 when the model has none (the keys are then null).
std::string write_gpt2_config(const TransformerConfig& config, int end_of_text = -1);

}  // namespace spotlight
