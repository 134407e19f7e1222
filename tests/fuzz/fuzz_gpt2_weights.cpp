// libFuzzer target over GPT-2-family model.safetensors read piece by piece
// (src/core/pretrained/gpt2_checkpoint.h, Gpt2WeightsReader), built with AddressSanitizer and
// UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt), checked by the rules of fuzz_rules.h.
//
// The input:
//   byte 0        the config: byte % 4 of `configs` below (small, each with other options); and
//                 bit 7, the file's framing: raw (0) or framed (1)
//   byte 1        k = 1 + byte % 8 piece sizes; and s = byte / 8: when not 0, the reading also
//                 stops early, after s / 32 of the file
//   k bytes       each a piece's size: 0 an empty piece, 1 .. 200 that many bytes, 201 .. 255
//                 2^(byte - 192) bytes (512 and up: the rest of the file); the sizes repeat until
//                 the file is fed (all 0: the file in one piece)
//   the rest      model.safetensors: raw, the file's bytes as they are; framed, the header's JSON
//                 text, a NUL byte, then the data section, and the file is the 8 bytes of N (the
//                 text's length) followed by the rest without the NUL, so that a mutation can
//                 grow or shrink the header (JSON holds no NUL; without one, the file has no data)
// Bytes missing from the first two fields read as 0.
//
// The rules:
//   1. Every feed and finish returns or throws std::invalid_argument with a short message; after
//      a throw, or after finish, the reader refuses to go on. A reading that stops early is
//      refused by finish, if not before, saying where the file ended: in its header, or in the
//      first tensor with bytes missing.
//   2. The pieces do not matter: the file fed whole loads the same model, parameters bit for bit,
//      or is refused with the same message.
//   3. A model that loads has only finite parameters, each the value its file tensor holds
//      (converted whole by read_tensor_as_float, c_attn's columns split in q, k, v), and an
//      lm_head.weight in the file equals wte bit for bit.
//   4. Its logits of a fixed short sequence are finite, or refused as leaving float's range.
//
// The seeds in tests/fuzz/corpus/gpt2_weights/seeds come from this target itself:
//   build/sanitize/tests/fuzz/fuzz_gpt2_weights --write-seeds=tests/fuzz/corpus/gpt2_weights/seeds
// (write_seeds below: write_gpt2_weights's files for each config in F32, F16 and BF16, the same
// with the prefix, masked_bias, mask buffers and lm_head, and broken ones).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/safetensors.h"
#include "fuzz_input.h"
#include "fuzz_rules.h"
#include "model/language_model.h"
#include "pretrained/gpt2_checkpoint.h"

namespace fuzz {

namespace {

using spotlight::Gpt2Tensor;
using spotlight::Gpt2WeightsReader;
using spotlight::LanguageModel;
using spotlight::SafetensorsDtype;
using spotlight::SafetensorsHeader;
using spotlight::SafetensorsTensor;
using spotlight::SafetensorsTensorToWrite;
using spotlight::TransformerConfig;

// A rejection says what is wrong in a sentence; it never dumps the header into the message.
constexpr std::size_t longest_message = 400;

// vocab_size, context_length, d_model, n_heads, n_layers, mlp, layer_norm, seed, mlp_width,
// layer_norm_epsilon, scale_attention, scale_attention_by_layer.
const TransformerConfig configs[] = {
    {5, 4, 4, 2, 1, true, true, 7},                         // GPT-2's options: d_mlp 4 d_model
    {6, 3, 6, 3, 2, true, true, 8, 5, 1e-3f, false, true},  // n_inner, epsilon, scales
    {4, 2, 2, 1, 2, false, true, 9},     // attention only: the file's MLP is zeros
    {1, 1, 1, 1, 1, true, true, 10, 1},  // every size 1
};
constexpr std::size_t config_count = sizeof configs / sizeof configs[0];

std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// The header of a file that has one.
SafetensorsHeader header_of(std::string_view file) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const std::uint64_t length = spotlight::safetensors_header_length(bytes, file.size());
  return spotlight::parse_safetensors_header(file.substr(8, length), file.size());
}

std::size_t piece_size(std::uint8_t code) {
  if (code <= 200) return code;
  return std::size_t{1} << (code - 192);
}

struct Input {
  TransformerConfig config;
  std::vector<std::size_t> pieces;  // sizes, repeated
  std::size_t stop_at_32nds = 0;    // 0, or where an extra reading stops: in 32nds of the file
  std::string_view file;            // the fuzzer's bytes, or `framed`
  // A framed file, exactly its size (AddressSanitizer sees a read past it, as past the input).
  std::vector<char> framed;
};

constexpr std::uint8_t framed_bit = 0x80;

// The 8 bytes of a u64, little-endian.
std::string u64_bytes(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

Input read_input(const std::uint8_t* data, std::size_t size) {
  const auto byte = [&](std::size_t at) { return at < size ? data[at] : std::uint8_t{0}; };
  Input input;
  input.config = configs[byte(0) % config_count];
  const std::size_t count = 1 + byte(1) % 8;
  input.stop_at_32nds = byte(1) / 8;
  bool any = false;
  for (std::size_t i = 0; i < count; ++i) {
    input.pieces.push_back(piece_size(byte(2 + i)));
    any = any || input.pieces.back() > 0;
  }
  if (!any) input.pieces = {std::numeric_limits<std::size_t>::max()};
  const std::size_t start = std::min(size, 2 + count);
  input.file = std::string_view(reinterpret_cast<const char*>(data) + start, size - start);
  if (byte(0) & framed_bit) {
    const std::size_t nul = std::min(input.file.find('\0'), input.file.size());
    const std::string length = u64_bytes(nul);
    input.framed.assign(length.begin(), length.end());
    input.framed.insert(input.framed.end(), input.file.begin(), input.file.begin() + nul);
    if (nul < input.file.size()) {
      input.framed.insert(input.framed.end(), input.file.begin() + nul + 1, input.file.end());
    }
    input.framed.shrink_to_fit();
    input.file = std::string_view(input.framed.data(), input.framed.size());
  }
  return input;
}

// What one reading gave: the model, or the message of the first throw.
struct Outcome {
  std::optional<LanguageModel> model;
  std::string error;
};

// Rule 1, for a reader that has thrown or finished: it refuses every later call.
void check_spent(Gpt2WeightsReader& reader, const char* what) {
  const unsigned char none = 0;
  for (const bool feed : {true, false}) {
    const bool refused =
        !completes(feed ? "Gpt2WeightsReader::feed" : "Gpt2WeightsReader::finish", [&] {
          if (feed) {
            reader.feed(&none, 0);
          } else {
            reader.finish();
          }
        });
    rule(refused && last_rejection.find("this reader has failed or finished") != std::string::npos,
         what, ": a reader that threw or finished took another ", feed ? "feed" : "finish", ": ",
         last_rejection);
  }
}

// What finish says of a file of `size` bytes of which only `end` were fed: where it ended, in the
// header or in the first tensor with bytes missing.
std::string early_end_message(const SafetensorsHeader* header, std::size_t end, std::size_t size) {
  std::string where = ", in its header";
  if (header != nullptr) {
    for (const SafetensorsTensor& tensor : header->tensors) {
      if (header->data_offset + tensor.data_end > end) {
        where = ", in " + tensor.name;
        break;
      }
    }
  }
  return spotlight::concat("model.safetensors ends after ", end, " of its ", size, " bytes", where);
}

// Reads the first `end` bytes of the file in pieces of the sizes `pieces` (repeated), as the wasm
// bindings feed a File, then finishes.
Outcome read_in_pieces(const Input& input, const std::vector<std::size_t>& pieces, std::size_t end,
                       const char* what) {
  const std::string_view file = input.file;
  Outcome outcome;
  std::optional<Gpt2WeightsReader> reader;
  rule(completes("Gpt2WeightsReader", [&] { reader.emplace(input.config, file.size()); }),
       "a reader of a valid config refused to start: ", last_rejection);
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  std::size_t at = 0;
  for (std::size_t i = 0; at < end; ++i) {
    const std::size_t count = std::min(pieces[i % pieces.size()], end - at);
    if (!completes("Gpt2WeightsReader::feed", [&] { reader->feed(bytes + at, count); })) {
      outcome.error = last_rejection;
      check_file_rejection(outcome.error, longest_message, what);
      check_spent(*reader, what);
      return outcome;
    }
    at += count;
    rule(reader->bytes_read() == at && reader->file_size() == file.size(), what, ": ",
         reader->bytes_read(), " bytes read of ", reader->file_size(), " after ", at, " of ",
         file.size());
  }
  if (completes("Gpt2WeightsReader::finish", [&] { outcome.model.emplace(reader->finish()); })) {
    rule(end == file.size() && reader->header() != nullptr, what, ": a model from ", end,
         " bytes of ", file.size(), reader->header() ? "" : ", without a header");
  } else {
    outcome.error = last_rejection;
    check_file_rejection(outcome.error, longest_message, what);
    if (end < file.size()) {
      rule(outcome.error == early_end_message(reader->header(), end, file.size()), what,
           ": a reading stopped early is refused as: ", outcome.error);
    }
  }
  check_spent(*reader, what);
  return outcome;
}

// Rule 3: each parameter holds what the file says, read here by the header and each tensor whole.
void check_values(const LanguageModel& model, std::string_view file) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const SafetensorsHeader header = header_of(file);
  const auto values_of = [&](const SafetensorsTensor& tensor) {
    std::vector<float> values(static_cast<std::size_t>(tensor.element_count));
    spotlight::read_tensor_as_float(tensor, bytes + tensor.file_offset,
                                    static_cast<std::size_t>(tensor.byte_count()), values.data());
    return values;
  };
  const std::string prefix = header.find("transformer.wte.weight") ? "transformer." : "";
  const std::vector<float> parameters = model.all_parameter_values();
  for (const Gpt2Tensor& tensor : spotlight::gpt2_tensors(model.config())) {
    const std::vector<float> values = values_of(header.tensor(prefix + tensor.name));
    const std::uint64_t columns = tensor.shape.back();
    const std::uint64_t width = columns / tensor.parameters.size();
    for (std::size_t block = 0; block < tensor.parameters.size(); ++block) {
      if (tensor.parameters[block].empty()) continue;
      const spotlight::ParameterInfo& info = model.parameter(tensor.parameters[block]);
      for (std::size_t i = 0; i < static_cast<std::size_t>(info.size()); ++i) {
        const std::size_t row = i / width, column = i % width;
        const float stored = values[row * columns + block * width + column];
        const float loaded = parameters[static_cast<std::size_t>(info.offset) + i];
        rule(bits_of(loaded) == bits_of(stored), info.name, "[", i, "] is ", loaded,
             ", but the file's ", tensor.name, " holds ", stored);
      }
    }
  }
  if (const SafetensorsTensor* head = header.find("lm_head.weight")) {
    const std::vector<float> values = values_of(*head);
    const spotlight::ParameterInfo& wte = model.parameter("wte");
    for (std::size_t i = 0; i < values.size(); ++i) {
      rule(bits_of(values[i]) == bits_of(parameters[static_cast<std::size_t>(wte.offset) + i]),
           "lm_head.weight [", i, "] is ", values[i], ", but wte's is ",
           parameters[static_cast<std::size_t>(wte.offset) + i]);
    }
  }
}

// Rules 3 and 4 for a model that loaded.
void check_model(const LanguageModel& model, std::string_view file) {
  const std::vector<float> parameters = model.all_parameter_values();
  const std::size_t bad = spotlight::first_non_finite(parameters.data(), parameters.size());
  rule(bad == parameters.size(), "parameter ", bad, " of the model is ",
       bad < parameters.size() ? parameters[bad] : 0.0f);
  check_values(model, file);
  const TransformerConfig& config = model.config();
  spotlight::TokenSequence tokens;
  for (spotlight::TokenId id : {0, 3, 1}) {
    if (static_cast<spotlight::Index>(tokens.size()) == config.context_length) break;
    tokens.push_back(id % static_cast<spotlight::TokenId>(config.vocab_size));
  }
  spotlight::Matrix logits;
  if (completes("LanguageModel::logits", [&] { logits = model.logits(tokens); })) {
    rule(all_finite(logits), "the logits of a model that loaded are not finite");
  } else {
    rule(last_rejection.find("float's range") != std::string::npos,
         "the logits were refused for another reason than float's range: ", last_rejection);
  }
}

void fuzz_one(const Input& input) {
  const std::size_t size = input.file.size();
  if (input.stop_at_32nds > 0) {
    read_in_pieces(input, input.pieces, size * input.stop_at_32nds / 32, "stopped early");
  }
  const Outcome pieces = read_in_pieces(input, input.pieces, size, "in pieces");
  const Outcome whole =
      read_in_pieces(input, {std::numeric_limits<std::size_t>::max()}, size, "whole");
  rule(pieces.model.has_value() == whole.model.has_value(), "in pieces the file ",
       pieces.model ? "loads" : "is refused (" + pieces.error + ")", ", whole it ",
       whole.model ? "loads" : "is refused (" + whole.error + ")");
  if (!pieces.model) {
    rule(pieces.error == whole.error, "refused in pieces as: ", pieces.error,
         "\nrefused whole as: ", whole.error);
    return;
  }
  const std::vector<float> pieces_values = pieces.model->all_parameter_values();
  const std::vector<float> whole_values = whole.model->all_parameter_values();
  rule(pieces.model->config() == whole.model->config() &&
           pieces_values.size() == whole_values.size() &&
           std::memcmp(pieces_values.data(), whole_values.data(),
                       pieces_values.size() * sizeof(float)) == 0,
       "the model read in pieces differs from the model read whole");
  check_model(*pieces.model, input.file);
}

// --- Seeds -------------------------------------------------------------------------------------

// One tensor of a seed's file, with its values in float.
struct SeedTensor {
  std::string name;
  std::vector<std::uint64_t> shape;
  SafetensorsDtype dtype;
  std::vector<float> values;
};

// write_gpt2_weights's file for `config` (its model's initial weights) in `dtype`.
std::string written_file(const TransformerConfig& config, SafetensorsDtype dtype) {
  const LanguageModel model(config);
  std::string file;
  spotlight::write_gpt2_weights(model, dtype, [&](const std::string& bytes) { file += bytes; });
  return file;
}

// The tensors of a file, read back with their values.
std::vector<SeedTensor> tensors_of(const std::string& file) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const SafetensorsHeader header = header_of(file);
  std::vector<SeedTensor> tensors;
  for (const SafetensorsTensor& tensor : header.tensors) {
    std::vector<float> values(static_cast<std::size_t>(tensor.element_count));
    spotlight::read_tensor_as_float(tensor, bytes + tensor.file_offset,
                                    static_cast<std::size_t>(tensor.byte_count()), values.data());
    tensors.push_back({tensor.name, tensor.shape, tensor.dtype, std::move(values)});
  }
  return tensors;
}

std::string file_of(const std::vector<SeedTensor>& tensors) {
  std::vector<SafetensorsTensorToWrite> layout;
  for (const SeedTensor& tensor : tensors) {
    layout.push_back({tensor.name, tensor.shape, tensor.dtype, tensor.values.data()});
  }
  return spotlight::write_safetensors(layout, {{"format", "pt"}});
}

SeedTensor& named(std::vector<SeedTensor>& tensors, const std::string& name) {
  return *std::find_if(tensors.begin(), tensors.end(),
                       [&](const SeedTensor& tensor) { return tensor.name == name; });
}

// The causal mask buffer h.<layer>.attn.bias: ones on and below the diagonal.
SeedTensor mask_buffer(const std::string& name, Index positions, SafetensorsDtype dtype) {
  SeedTensor mask{name, {1, 1, std::uint64_t(positions), std::uint64_t(positions)}, dtype, {}};
  for (Index i = 0; i < positions; ++i) {
    for (Index j = 0; j < positions; ++j) mask.values.push_back(j <= i ? 1.0f : 0.0f);
  }
  return mask;
}

// The layouts besides the writer's own, of `config`'s file in `dtype`.
enum class Layout {
  buffers,   // every layer's mask buffer, in the weights' dtype (pytorch-transformers, 2019)
  prefixed,  // "transformer." before each name, masked_bias and the mask, lm_head (transformers 4)
};

std::string layout_file(const TransformerConfig& config, SafetensorsDtype dtype, Layout layout) {
  std::vector<SeedTensor> tensors = tensors_of(written_file(config, dtype));
  const std::string prefix = layout == Layout::prefixed ? "transformer." : "";
  if (layout == Layout::prefixed) {
    const SeedTensor& wte = named(tensors, "wte.weight");
    tensors.push_back({"lm_head.weight", wte.shape, dtype, wte.values});
  }
  for (SeedTensor& tensor : tensors) {
    if (tensor.name != "lm_head.weight") tensor.name = prefix + tensor.name;
  }
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    const std::string h = prefix + "h." + std::to_string(layer) + ".attn.";
    tensors.push_back(mask_buffer(h + "bias", config.context_length, dtype));
    if (layout == Layout::prefixed) tensors.push_back({h + "masked_bias", {}, dtype, {-1e4f}});
  }
  // The data in name order, as the reference's writer sorts one dtype's tensors.
  std::sort(tensors.begin(), tensors.end(),
            [](const SeedTensor& a, const SeedTensor& b) { return a.name < b.name; });
  return file_of(tensors);
}

// `file` with element `index` of tensor `name` replaced by `bytes` (the writer refuses NaN and
// infinity).
std::string with_element(std::string file, const std::string& name, std::size_t index,
                         const std::string& bytes) {
  const SafetensorsHeader header = header_of(file);
  const SafetensorsTensor& tensor = header.tensor(name);
  return file.replace(tensor.file_offset + index * bytes.size(), bytes.size(), bytes);
}

// A file of `config` in F32 whose tensors `change` edits first.
template <typename Change>
std::string changed_file(const TransformerConfig& config, Change&& change) {
  std::vector<SeedTensor> tensors = tensors_of(written_file(config, SafetensorsDtype::F32));
  change(tensors);
  return file_of(tensors);
}

// The seed input: config `config_index`, the piece sizes' codes, where to stop early (in 32nds of
// the file, 0 for nowhere), then `file`, raw or framed.
std::string input_of(std::size_t config_index, const std::vector<std::uint8_t>& codes,
                     std::size_t stop_at_32nds, const std::string& file, bool framed) {
  std::string input(1, static_cast<char>(config_index | (framed ? framed_bit : 0)));
  input += static_cast<char>(stop_at_32nds * 8 + codes.size() - 1);
  for (const std::uint8_t code : codes) input += static_cast<char>(code);
  if (!framed) return input + file;
  const std::size_t data_offset = header_of(file).data_offset;
  return input + file.substr(8, data_offset - 8) + '\0' + file.substr(data_offset);
}

std::vector<std::pair<std::string, std::string>> seeds() {
  const std::vector<std::vector<std::uint8_t>> patterns = {
      {255}, {1}, {3}, {7, 0, 1}, {200, 13}, {2, 5, 11, 201}, {4}, {0, 64, 9}};
  const std::pair<SafetensorsDtype, const char*> dtypes[] = {{SafetensorsDtype::F32, "f32"},
                                                             {SafetensorsDtype::F16, "f16"},
                                                             {SafetensorsDtype::BF16, "bf16"}};
  std::vector<std::pair<std::string, std::string>> all;
  std::size_t pattern = 0;
  // Every seventh seed also stops early, at 1/32 of the file to 31/32; the valid ones are framed
  // too.
  const auto add = [&](const std::string& name, std::size_t config_index, const std::string& file) {
    const std::size_t stop = pattern % 7 == 6 ? 1 + pattern * 5 % 31 : 0;
    const std::vector<std::uint8_t>& codes = patterns[pattern % patterns.size()];
    all.emplace_back(name, input_of(config_index, codes, stop, file, false));
    if (name.rfind("valid-", 0) == 0) {
      all.emplace_back("framed-" + name, input_of(config_index, codes, stop, file, true));
    }
    ++pattern;
  };
  for (std::size_t c = 0; c < config_count; ++c) {
    for (const auto& [dtype, dtype_name] : dtypes) {
      const std::string suffix = std::string(dtype_name) + "-config-" + std::to_string(c);
      add("valid-written-" + suffix, c, written_file(configs[c], dtype));
      add("valid-buffers-" + suffix, c, layout_file(configs[c], dtype, Layout::buffers));
      add("valid-prefixed-" + suffix, c, layout_file(configs[c], dtype, Layout::prefixed));
    }
  }

  const TransformerConfig& config = configs[0];
  const std::string plain = written_file(config, SafetensorsDtype::F32);
  std::string i32 = plain;
  i32.replace(i32.find("\"F32\"") + 1, 3, "I32");  // one tensor, the same size, now I32
  const float nan = std::numeric_limits<float>::quiet_NaN();
  add("broken-nan-weight", 0,
      with_element(plain, "h.0.attn.c_attn.weight", 13,
                   std::string(reinterpret_cast<const char*>(&nan), 4)));
  add("broken-inf-f16", 0,
      with_element(written_file(config, SafetensorsDtype::F16), "wte.weight", 3,
                   std::string("\x00\x7C", 2)));
  add("broken-missing-tensor", 0,
      changed_file(config, [](std::vector<SeedTensor>& tensors) { tensors.pop_back(); }));
  add("broken-unknown-tensor", 0, changed_file(config, [](std::vector<SeedTensor>& tensors) {
        tensors.push_back({"h.0.attn.rotary.inv_freq", {2}, SafetensorsDtype::F32, {1, 2}});
      }));
  add("broken-mixed-prefix", 0, changed_file(config, [](std::vector<SeedTensor>& tensors) {
        tensors[3].name = "transformer." + tensors[3].name;
      }));
  add("broken-lm-head-differs", 0, changed_file(config, [](std::vector<SeedTensor>& tensors) {
        tensors.push_back(named(tensors, "wte.weight"));
        tensors.back().name = "lm_head.weight";
        tensors.back().values[7] += 1.0f;
      }));
  add("broken-mask-shape", 0, changed_file(config, [](std::vector<SeedTensor>& tensors) {
        tensors.push_back(mask_buffer("h.0.attn.bias", 3, SafetensorsDtype::F32));
      }));
  add("broken-masked-bias-shape", 0, changed_file(config, [](std::vector<SeedTensor>& tensors) {
        tensors.push_back({"h.0.attn.masked_bias", {0}, SafetensorsDtype::F32, {}});
      }));
  add("broken-buffer-past-the-layers", 0,
      changed_file(config, [&](std::vector<SeedTensor>& tensors) {
        tensors.push_back(
            mask_buffer("h.1.attn.bias", config.context_length, SafetensorsDtype::F32));
      }));
  add("broken-long-unknown-name", 0, changed_file(config, [](std::vector<SeedTensor>& tensors) {
        tensors.push_back({"h.0." + std::string(500, 'x'), {1}, SafetensorsDtype::F32, {1.0f}});
      }));
  add("broken-i32-parameter", 0, i32);
  add("broken-other-config", 0, written_file(configs[1], SafetensorsDtype::F32));
  add("broken-truncated", 0, plain.substr(0, plain.size() - 10));
  add("broken-trailing-byte", 0, plain + '\0');
  add("broken-header-only", 0, plain.substr(0, header_of(plain).data_offset));
  add("broken-short", 0, plain.substr(0, 5));
  add("broken-empty", 0, "");
  return all;
}

int write_seeds(const std::string& directory) {
  return write_seed_files(directory, seeds());
}

}  // namespace

}  // namespace fuzz

// `--write-seeds=DIR` writes the seeds and exits instead of fuzzing.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fuzz::write_seeds_if_asked(*argc, *argv, fuzz::write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::fuzz_one(fuzz::read_input(data, size));
  return 0;
}
