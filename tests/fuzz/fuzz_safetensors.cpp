// libFuzzer target over the safetensors reader and writer (src/core/formats/safetensors.h), built
// with AddressSanitizer and UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt), checked by the
// rules of fuzz_rules.h. The input is a whole file, read as the page reads one:
//   1. N from the first 8 bytes (an input shorter than 8 is padded with zeros, and must be
//      refused), then the header. Each step returns, or throws std::invalid_argument with a short
//      message.
//   2. A header that parses describes the file: its N is the one read, every tensor lies inside
//      the data section, in file order, the tensors tile it exactly, each tensor's byte count is
//      its element count (the product of its shape, within the limits) times its dtype's size,
//      and each is found by its name. The same header with a file one byte longer or shorter is
//      refused.
//   3. Every tensor is converted from its bytes in the input (libFuzzer's buffer is exactly the
//      input, so AddressSanitizer sees any read past it) into exactly element_count floats: F32
//      bit for bit, F16 and BF16 values that round back to their own bits; other dtypes are
//      refused, naming the dtype.
//   4. When every tensor is F32, F16 or BF16 and every value finite, the writer takes what the
//      reader gave: its file reads back to the same tensors (in the same order, values bit for
//      bit) and metadata, and writing that again gives the same bytes.
//
// The seeds in tests/fuzz/corpus/safetensors/seeds come from this target itself:
//   build/sanitize/tests/fuzz/fuzz_safetensors --write-seeds=tests/fuzz/corpus/safetensors/seeds
// (write_seeds below: small valid files of every dtype, gpt2's layout, and broken ones).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/safetensors.h"
#include "fuzz_input.h"
#include "fuzz_rules.h"

namespace fuzz {

namespace {

using spotlight::SafetensorsDtype;
using spotlight::SafetensorsHeader;
using spotlight::SafetensorsLimits;
using spotlight::SafetensorsTensor;
using spotlight::SafetensorsTensorToWrite;

// A rejection says what is wrong in a sentence; it never dumps the header into the message.
constexpr std::size_t longest_message = 400;

bool is_float_dtype(SafetensorsDtype dtype) {
  return dtype == SafetensorsDtype::F32 || dtype == SafetensorsDtype::F16 ||
         dtype == SafetensorsDtype::BF16;
}

std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Whether `call` returned; a rejection must have a short message.
template <typename Call>
bool accepted(const char* entry_point, Call&& call) {
  const bool done = completes(entry_point, call);
  rule(done || last_rejection.size() <= longest_message, entry_point, ": a rejection of ",
       last_rejection.size(), " bytes: ", last_rejection.substr(0, longest_message));
  return done;
}

// Steps 1 and 2: the header of `bytes`, when it parses, checked against the file.
bool read_header(std::string_view bytes, SafetensorsHeader& header) {
  unsigned char first_eight[8] = {};
  std::memcpy(first_eight, bytes.data(), std::min<std::size_t>(8, bytes.size()));
  std::uint64_t n = 0;
  const bool length_read = accepted("safetensors_header_length", [&] {
    n = spotlight::safetensors_header_length(first_eight, bytes.size());
  });
  if (bytes.size() < 8) rule(!length_read, "a file of ", bytes.size(), " bytes gave a length");
  if (!length_read) return false;
  rule(n >= 2 && n <= SafetensorsLimits::max_header_bytes && 8 + n <= bytes.size(), "N = ", n,
       " accepted for a file of ", bytes.size(), " bytes");
  const std::string_view header_json = bytes.substr(8, static_cast<std::size_t>(n));
  if (!accepted("parse_safetensors_header",
                [&] { header = spotlight::parse_safetensors_header(header_json, bytes.size()); })) {
    return false;
  }

  rule(header.header_length == n && header.data_offset == 8 + n &&
           header.data_offset + header.data_length == bytes.size(),
       "the header's N ", header.header_length, ", data offset ", header.data_offset,
       " and data length ", header.data_length, " do not describe a file of ", bytes.size(),
       " bytes with N = ", n);
  rule(header.tensors.size() <= SafetensorsLimits::max_tensors, header.tensors.size(),
       " tensors passed");
  std::uint64_t position = 0;
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    const SafetensorsTensor& tensor = header.tensors[i];
    rule(!tensor.name.empty() && tensor.name.find('\0') == std::string::npos, "tensor ", i,
         ": a name that should have been refused");
    rule(tensor.shape.size() <= SafetensorsLimits::max_rank, tensor.name, ": rank ",
         tensor.shape.size());
    std::uint64_t count = 1;
    for (const std::uint64_t size : tensor.shape) {
      rule(size <= SafetensorsLimits::max_elements, tensor.name, ": a dimension ", size);
      count = (size == 0 || count == 0)
                  ? 0
                  : std::min(count * size, SafetensorsLimits::max_elements + 1);
    }
    rule(count == tensor.element_count && count <= SafetensorsLimits::max_elements, tensor.name,
         ": element count ", tensor.element_count, ", the shape's product ", count);
    rule(tensor.dtype_name == spotlight::dtype_name(tensor.dtype), tensor.name, ": dtype name ",
         tensor.dtype_name);
    const std::uint64_t bits = tensor.element_count * spotlight::dtype_bits(tensor.dtype);
    rule(bits % 8 == 0 && tensor.data_end >= tensor.data_begin && tensor.byte_count() == bits / 8,
         tensor.name, ": ", tensor.byte_count(), " bytes for ", tensor.element_count,
         " elements of ", tensor.dtype_name);
    rule(tensor.data_begin == position, tensor.name, ": begins at ", tensor.data_begin,
         " where the tensor before ends at ", position);
    position = tensor.data_end;
    rule(tensor.file_offset == header.data_offset + tensor.data_begin &&
             tensor.file_offset + tensor.byte_count() <= bytes.size(),
         tensor.name, ": bytes ", tensor.file_offset, " + ", tensor.byte_count(),
         " lie outside a file of ", bytes.size());
    rule(header.find(tensor.name) == &tensor && &header.tensor(tensor.name) == &tensor, tensor.name,
         ": not found by its name");
  }
  rule(position == header.data_length, "the tensors end at ", position, " in a data section of ",
       header.data_length);
  rule(header.find(std::string(1, '\0')) == nullptr, "a tensor found by a NUL name");
  for (const std::uint64_t other_size : {bytes.size() + 1, bytes.size() - 1}) {
    rule(!completes("parse_safetensors_header",
                    [&] { spotlight::parse_safetensors_header(header_json, other_size); }),
         "the header of a file of ", bytes.size(), " bytes also reads for ", other_size);
  }
  return true;
}

// Step 3: every tensor converted, or refused for its dtype. Returns the values (empty vectors for
// the refused ones).
std::vector<std::vector<float>> convert_all(std::string_view bytes,
                                            const SafetensorsHeader& header) {
  std::vector<std::vector<float>> values;
  for (const SafetensorsTensor& tensor : header.tensors) {
    values.emplace_back(
        static_cast<std::size_t>(is_float_dtype(tensor.dtype) ? tensor.element_count : 0));
    std::vector<float>& out = values.back();
    const auto* start = reinterpret_cast<const unsigned char*>(bytes.data()) + tensor.file_offset;
    const bool converted = completes("read_tensor_as_float", [&] {
      spotlight::read_tensor_as_float(tensor, start, static_cast<std::size_t>(tensor.byte_count()),
                                      out.data());
    });
    if (!is_float_dtype(tensor.dtype)) {
      rule(!converted && last_rejection.find(std::string("dtype ") + tensor.dtype_name +
                                             " is not supported") != std::string::npos,
           tensor.name, ": dtype ", tensor.dtype_name,
           " converted, or refused as: ", last_rejection);
      continue;
    }
    rule(converted, tensor.name, ": ", tensor.dtype_name, " refused: ", last_rejection);
    const std::size_t size = spotlight::dtype_bits(tensor.dtype) / 8;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const unsigned char* element = start + size * i;
      std::uint32_t stored = 0;
      for (std::size_t b = 0; b < size; ++b) stored |= std::uint32_t{element[b]} << (8 * b);
      bool right;
      if (tensor.dtype == SafetensorsDtype::F32) {
        right = bits_of(out[i]) == stored;
      } else if (std::isnan(out[i])) {
        // A NaN stays a NaN, of the same sign.
        const std::uint32_t magnitude = stored & 0x7FFFu;
        right =
            (tensor.dtype == SafetensorsDtype::F16 ? magnitude > 0x7C00u : magnitude > 0x7F80u) &&
            std::signbit(out[i]) == bool(stored & 0x8000u);
      } else {
        right = (tensor.dtype == SafetensorsDtype::F16
                     ? spotlight::float_to_half(out[i])
                     : spotlight::float_to_bfloat16(out[i])) == stored;
      }
      rule(right, tensor.name, ": element ", i, " of ", tensor.dtype_name, " (bits 0x", std::hex,
           stored, ") read as ", out[i]);
    }
  }
  return values;
}

std::vector<SafetensorsTensorToWrite> to_write(const SafetensorsHeader& header,
                                               const std::vector<std::vector<float>>& values) {
  std::vector<SafetensorsTensorToWrite> tensors;
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    const SafetensorsTensor& tensor = header.tensors[i];
    tensors.push_back({tensor.name, tensor.shape, tensor.dtype, values[i].data()});
  }
  return tensors;
}

// Step 4: writer(reader(file)) reads back the same, and writes the same bytes again.
void check_round_trip(const SafetensorsHeader& header,
                      const std::vector<std::vector<float>>& values) {
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    if (!is_float_dtype(header.tensors[i].dtype)) return;
    for (const float value : values[i]) {
      if (!std::isfinite(value)) return;
    }
  }
  std::string written;
  rule(completes("write_safetensors",
                 [&] {
                   written =
                       spotlight::write_safetensors(to_write(header, values), header.metadata);
                 }),
       "the writer refuses what the reader gave: ", last_rejection);
  SafetensorsHeader again;
  rule(read_header(written, again), "the writer's file does not read: ", last_rejection);
  rule(again.metadata == header.metadata, "the metadata changed");
  rule(again.data_offset % 8 == 0, "the writer's data starts at ", again.data_offset);
  rule(again.tensors.size() == header.tensors.size(), again.tensors.size(),
       " tensors read back of ", header.tensors.size());
  const std::vector<std::vector<float>> values_again = convert_all(written, again);
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    const SafetensorsTensor& before = header.tensors[i];
    const SafetensorsTensor& after = again.tensors[i];
    rule(after.name == before.name && after.dtype == before.dtype && after.shape == before.shape,
         "tensor ", i, " was ", before.name, " ", before.dtype_name, ", reads back as ", after.name,
         " ", after.dtype_name);
    for (std::size_t j = 0; j < values[i].size(); ++j) {
      rule(bits_of(values_again[i][j]) == bits_of(values[i][j]), before.name, ": element ", j,
           " was ", values[i][j], ", reads back as ", values_again[i][j]);
    }
  }
  std::string written_again;
  rule(completes("write_safetensors",
                 [&] {
                   written_again =
                       spotlight::write_safetensors(to_write(again, values_again), again.metadata);
                 }) &&
           written_again == written,
       "writing what was written and read gives other bytes: ", last_rejection);
}

// --- Seeds -------------------------------------------------------------------------------------

std::string u64_bytes(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

// N, the header as given, then `data_bytes` bytes of a simple pattern.
std::string file_of(const std::string& header_json, std::size_t data_bytes) {
  std::string file = u64_bytes(header_json.size()) + header_json;
  for (std::size_t i = 0; i < data_bytes; ++i) file += static_cast<char>((i * 37 + 11) & 0xFF);
  return file;
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  std::uint64_t begin, std::uint64_t end) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
         ",\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

std::vector<std::pair<std::string, std::string>> seeds() {
  const float small[] = {1.0f, -2.0f, 0.5f, -0.0f, 3.25f, 1e-3f};
  const float edges[] = {std::numeric_limits<float>::denorm_min(), 6e-8f, 65504.0f, -65504.0f,
                         std::numeric_limits<float>::min(),        1e-40f};
  const float special[] = {std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::infinity(), -0.0f, 1.0f};
  const std::map<std::string, std::string> pt = {{"format", "pt"}};
  const auto F32 = SafetensorsDtype::F32, F16 = SafetensorsDtype::F16,
             BF16 = SafetensorsDtype::BF16;

  // gpt2's layout: keys unsorted, no padding (odd N), a mask buffer, a 0-d and an empty tensor.
  const std::string gpt2_json = "{" + entry("wte", "F32", "[2,2]", 0, 16) + "," +
                                entry("h.0.attn.bias", "F32", "[1,1,2,2]", 16, 32) + "," +
                                entry("h.0.attn.masked_bias", "F32", "[]", 32, 36) + "," +
                                entry("empty", "F16", "[0,3]", 36, 36) + "," +
                                entry("h.0.ln_1.weight", "BF16", "[3]", 36, 42) +
                                ",\"__metadata__\":{\"format\":\"pt\"}}";
  // One tensor of every dtype (the enum's values, BOOL to U64), in whole bytes: 2 elements, or 4
  // of a 6-bit dtype.
  std::string every_json = "{";
  std::uint64_t offset = 0;
  for (int i = 0; i <= static_cast<int>(SafetensorsDtype::U64); ++i) {
    const auto dtype = static_cast<SafetensorsDtype>(i);
    const unsigned bits = spotlight::dtype_bits(dtype);
    const std::uint64_t count = bits == 6 ? 4 : 2;
    const std::string name = spotlight::dtype_name(dtype);
    every_json += (offset ? "," : "") + entry("t." + name, name, "[" + std::to_string(count) + "]",
                                              offset, offset + count * bits / 8);
    offset += count * bits / 8;
  }
  every_json += "}";
  const std::string one = "{" + entry("wte", "F32", "[2]", 0, 8) + "}";
  const std::string two =
      "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F16", "[2]", 4, 8) + "}";

  return {
      {"valid-f32",
       spotlight::write_safetensors({{"wte", {2, 3}, F32, small}, {"wpe", {2}, F32, edges}}, pt)},
      {"valid-f16", spotlight::write_safetensors(
                        {{"h.0.ln_1.weight", {6}, F16, edges}, {"scalar", {}, F16, small}})},
      {"valid-bf16",
       spotlight::write_safetensors({{"x", {3, 2}, BF16, small}, {"empty", {0}, BF16, nullptr}})},
      {"valid-empty", spotlight::write_safetensors({})},
      {"valid-metadata-only",
       spotlight::write_safetensors({}, {{"format", "pt"}, {"note", "caf\xC3\xA9"}})},
      {"valid-gpt2-layout", file_of(gpt2_json, 42)},
      {"valid-every-dtype", file_of(every_json, offset)},
      {"valid-special-values",
       file_of("{" + entry("s", "F32", "[4]", 0, 16) + "," + entry("h", "F16", "[4]", 16, 24) + "}",
               0) +
           std::string(reinterpret_cast<const char*>(special), 16) +
           std::string("\x00\x7C\x01\x7E\x00\x80\xFF\x7B", 8)},
      {"valid-whitespace", file_of(" \n" + one + "\t\r ", 8)},
      {"broken-empty", ""},
      {"broken-short", std::string("\x02\0\0\0\0", 5)},
      {"broken-n-too-large", u64_bytes(100'000'001) + one},
      {"broken-n-past-file", u64_bytes(1000) + one},
      {"broken-n-zero", u64_bytes(0) + "{}"},
      {"broken-not-object", file_of("[1,2]", 0)},
      {"broken-entry-array", file_of(R"({"wte":[0,8]})", 8)},
      {"broken-duplicate-key",
       file_of("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 0, 4) + "}",
               4)},
      {"broken-missing-dtype", file_of(R"({"a":{"shape":[1],"data_offsets":[0,4]}})", 4)},
      {"broken-unknown-dtype", file_of("{" + entry("a", "F33", "[1]", 0, 4) + "}", 4)},
      {"broken-size-mismatch", file_of("{" + entry("a", "F16", "[4]", 0, 16) + "}", 16)},
      {"broken-negative-shape", file_of("{" + entry("a", "F32", "[-1]", 0, 4) + "}", 4)},
      {"broken-overflow-shape",
       file_of("{" + entry("a", "F32", "[1099511627776,1099511627776]", 0, 4) + "}", 4)},
      {"broken-begin-after-end", file_of("{" + entry("a", "F32", "[1]", 8, 4) + "}", 8)},
      {"broken-hole",
       file_of("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}",
               12)},
      {"broken-overlap",
       file_of("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}",
               12)},
      {"broken-trailing-byte", file_of(two, 9)},
      {"broken-truncated", file_of(two, 7)},
      {"broken-metadata-number", file_of(R"({"__metadata__":{"format":1}})", 0)},
      {"broken-nul-name", file_of("{" + entry("a\\u0000b", "F32", "[1]", 0, 4) + "}", 4)},
      {"broken-nul-after-header", file_of(one + std::string("\0\0\0", 3), 8)},
      {"broken-byte-order-mark", file_of("\xEF\xBB\xBF" + one, 8)},
  };
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
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  spotlight::SafetensorsHeader header;
  if (!fuzz::read_header(bytes, header)) return 0;
  const std::vector<std::vector<float>> values = fuzz::convert_all(bytes, header);
  fuzz::check_round_trip(header, values);
  return 0;
}
