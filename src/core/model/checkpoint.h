// Saving and loading the tiny GPT's checkpoint: its config, vocabulary, metadata, parameters and,
// optionally, AdamW's state, as bytes (no file I/O here: the page hands in a file's bytes, and
// downloads the bytes it gets back).
//
// Format, version 1. Every integer is little-endian whatever the host, every float an IEEE 754
// float32 written by its bit pattern, also little-endian. Nothing is padded or aligned.
//
//   offset  size  field
//   ------  ----  ---------------------------------------------------------------------------
//        0     8  magic, the ASCII bytes "SPOTLGPT"
//        8     4  u32 format version: 1
//       12     4  u32 flags: bit 0 config.mlp, bit 1 config.layer_norm, bit 2 optimizer state
//                 follows; the other bits are 0
//       16     8  u64 config.seed
//       24     4  u32 config.vocab_size
//       28     4  u32 config.context_length
//       32     4  u32 config.d_model
//       36     4  u32 config.n_heads
//       40     4  u32 config.n_layers
//       44     4  u32 P, the parameter count: parameter_count(parameter_table(config))
//       48     4  u32 the number of vocabulary entries: 0 or config.vocab_size
//       52     4  u32 V, the vocabulary section's length in bytes
//       56     4  u32 T, the tokenizer's length in bytes
//       60     4  u32 M, the metadata's length in bytes
//   ------  ----  --------------------------------------------------- 64-byte header ends here
//       64     V  vocabulary: per entry, by token id, a u32 length then that many UTF-8 bytes
//     64+V     T  tokenizer: "word", "char", or nothing when there is no vocabulary
//   64+V+T     M  metadata: UTF-8 text
//            4 P  parameters: P float32, in the parameter table's order (transformer_config.h)
//       [    8    i64 AdamW step                        only when flag bit 2 is set
//          4 P    P float32, AdamW's first moments m    (same order as the parameters)
//          4 P ]  P float32, AdamW's second moments v
//              4  u32 CRC-32 (crc32.h) of every byte before it
//
// The file's size is therefore 64 + V + T + M + 4 P [+ 8 + 8 P] + 4, and a loader knows it from
// the header alone: it compares that size with the bytes it has before it computes or allocates
// anything, then checks the CRC, and only then reads the sections. A new layout gets a new version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/optimizer.h"
#include "model/transformer_config.h"

namespace spotlight {

struct Checkpoint {
  TransformerConfig config;
  // Token strings by id: empty, or config.vocab_size distinct, valid UTF-8 strings.
  std::vector<std::string> vocabulary;
  // How text splits into the vocabulary's tokens: "word" or "char"; empty without a vocabulary.
  std::string tokenizer;
  // Free UTF-8 text, e.g. JSON saying what the model was trained on.
  std::string metadata;
  // parameter_count(parameter_table(config)) finite floats, in the table's order.
  std::vector<float> parameters;
  // AdamW's state, to resume training: a step >= 0, finite m and finite, non-negative v, each of
  // as many floats as the parameters.
  std::optional<AdamWState> optimizer;
};

struct CheckpointLimits {
  static constexpr std::uint32_t format_version = 1;
  static constexpr std::size_t header_bytes = 64;
  static constexpr std::size_t max_metadata_bytes = 64 * 1024;
  static constexpr std::size_t max_token_bytes = 1024;  // one vocabulary entry
};

// The checkpoint's bytes in the format above. Validates `checkpoint` first and throws
// std::invalid_argument naming what is wrong: the config (validate_config's message), a parameter
// or moment count that does not match the config's table, the vocabulary (its size, an invalid
// UTF-8, duplicate or oversized entry), the tokenizer, the metadata (its size, invalid UTF-8),
// a non-finite parameter or moment, a negative v or step.
std::vector<std::uint8_t> save_checkpoint(const Checkpoint& checkpoint);

// Reads a checkpoint from `size` bytes at `data` (untrusted: e.g. a file the user picked). Throws
// std::invalid_argument saying what is wrong, with the values seen: too short for the header, not
// a checkpoint (magic), an unsupported version, truncated or with trailing bytes, damaged (the
// CRC-32 does not match), unknown flags, and every check of save_checkpoint. Never reads outside
// the bytes, and allocates only for sections that the bytes present actually contain.
Checkpoint load_checkpoint(const std::uint8_t* data, std::size_t size);

// Whether `a` and `b` hold the same contents, floats compared by their bit patterns (so 0 and -0
// differ): what a save and load must give back.
bool identical(const Checkpoint& a, const Checkpoint& b);

}  // namespace spotlight
