// Hugging Face's model.safetensors of the GPT-2 family, read piece by piece into a language model
// (language_model.h) and written from one.
//
// The names, as gpt2's file has them (other checkpoints of the family put "transformer." before
// each; the model's own parameter on the right, transformer_config.h):
//
//   wte.weight                 (vocab, d)        wte
//   wpe.weight                 (positions, d)    wpe
//   h.L.ln_1.weight, .bias     (d)               h.L.ln_1.weight, h.L.ln_1.bias
//   h.L.attn.c_attn.weight     (d, 3d)           h.L.attn.wq | wk | wv, column blocks of d
//   h.L.attn.c_attn.bias       (3d)              h.L.attn.bq | bk | bv
//   h.L.attn.c_proj.weight     (d, d)            h.L.attn.wo        (.bias: h.L.attn.bo)
//   h.L.ln_2.weight, .bias     (d)               h.L.ln_2.weight, h.L.ln_2.bias
//   h.L.mlp.c_fc.weight        (d, d_mlp)        h.L.mlp.fc         (.bias: h.L.mlp.fc_bias)
//   h.L.mlp.c_proj.weight      (d_mlp, d)        h.L.mlp.proj       (.bias: h.L.mlp.proj_bias)
//   ln_f.weight, .bias         (d)               ln_f.weight, ln_f.bias
//
// transformers' Conv1D stores its weight (in, out) and computes x W + b, the model's own layout,
// so no matrix is transposed. Also in such files, and not parameters: h.L.attn.bias (1, 1,
// positions, positions), the causal mask kept as a buffer, and h.L.attn.masked_bias (a scalar,
// shape []), for each of the config's layers, under the parameters' prefix; both are read past.
// lm_head.weight, when present, is the output head, which GPT-2 ties to wte: it must equal
// wte.weight (compared by CRC-32 of the floats as they are read, so that neither is held twice); a
// different one is refused, as the model has no untied head.
//
// Reading: Gpt2WeightsReader takes the file's bytes in order, in pieces of any size, and writes
// each tensor's values straight into the model's parameters as they arrive. The model is
// allocated once, when the header has been read and checked against the config; at no time are
// more than the model's parameters and the piece being fed held (the wasm bindings feed pieces of
// a few MB from a browser File).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "formats/safetensors.h"
#include "model/language_model.h"

namespace spotlight {

// One tensor of the family's files and the model parameters it holds.
struct Gpt2Tensor {
  std::string name;                   // without the "transformer." prefix
  std::vector<std::uint64_t> shape;   // as the file stores it
  // The model's parameters that hold its columns, in order, each an equal block of them
  // (c_attn: wq, wk, wv); an empty name is a block of zeros (a model without an MLP, written).
  std::vector<std::string> parameters;
};

// The file's tensors for `config`, in the order of the model's parameter table: the one mapping
// that reading and writing share.
std::vector<Gpt2Tensor> gpt2_tensors(const TransformerConfig& config);

class Gpt2WeightsReader {
 public:
  // config: config.json's (read_gpt2_config); file_size: model.safetensors's length in bytes.
  // Throws for a config that validate_model_config refuses, or without LayerNorm (GPT-2 always
  // has it).
  Gpt2WeightsReader(const TransformerConfig& config, std::uint64_t file_size);
  ~Gpt2WeightsReader();
  Gpt2WeightsReader(Gpt2WeightsReader&&) noexcept;
  Gpt2WeightsReader& operator=(Gpt2WeightsReader&&) noexcept;

  // The next `count` bytes of the file. Throws std::invalid_argument, naming the tensor or field
  // and the values, at the first problem: everything safetensors.h checks in the header; a
  // tensor of the family missing, or of another shape than the config says; a tensor the family
  // does not have (a buffer of a layer the config does not have among them); a buffer of
  // another shape than the one above; names with and without the prefix mixed; a dtype other than
  // F32, F16, BF16 for a parameter; a NaN or infinite weight; more bytes than the file's size.
  // After a throw the reader is spent (every later call throws too).
  void feed(const unsigned char* bytes, std::size_t count);

  std::uint64_t bytes_read() const;
  std::uint64_t file_size() const;
  // The header, once the first 8 + N bytes have been fed (nullptr before).
  const SafetensorsHeader* header() const;

  // The model, once every byte has been fed: throws when bytes are missing (naming how many of
  // which tensor) or lm_head.weight differs from wte.weight. The reader is spent afterwards. The
  // model is for inference: its weights are kept as panels (LanguageModel::store_weights_as_panels;
  // read them with parameter_values).
  LanguageModel finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads a whole file held in memory (the tests, small models): a reader fed once.
LanguageModel read_gpt2_weights(const TransformerConfig& config, const unsigned char* bytes,
                                std::size_t size);

// Writes `model` as the family's model.safetensors (the names without prefix, as gpt2's file; no
// buffers, no lm_head, as transformers writes them today), in `dtype` (F32, F16 or BF16): the
// header, then one tensor's bytes at a time, each handed to `write` (so a large model is never
// held twice). A model without an MLP gets one of zeros, 4 d_model wide, which adds exactly 0.
// Throws for a model without LayerNorm (GPT-2 always has it) and for a value F16 or BF16 cannot
// hold.
void write_gpt2_weights(const LanguageModel& model, SafetensorsDtype dtype,
                        const std::function<void(const std::string& bytes)>& write);

}  // namespace spotlight
