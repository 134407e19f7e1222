// Reading and writing safetensors files (Hugging Face's format for model weights), as bytes: no
// file I/O here. The page reads a File slice by slice and a native command reads a stream, so
// nothing below needs the whole file: the first 8 bytes give the header's length, the header
// gives every tensor's place, and each tensor's bytes are converted on their own.
//
// Format (as the reference reader, huggingface/safetensors safetensors/src/tensor.rs, reads it):
//
//   offset     size  field
//   ---------  ----  ------------------------------------------------------------------------
//           0     8  N, a u64, little-endian
//           8     N  the header: a UTF-8 JSON object, with white space allowed around it
//                    (writers pad it with spaces so that the data starts at a multiple of 8;
//                    gpt2's own file does not: N = 14,283, data at the odd offset 14,291)
//       8 + N     D  the data section: each tensor's elements row-major and little-endian,
//                    back to back, with no gap between tensors and nothing after the last
//
// The header maps each tensor's name to {"dtype": "F32", "shape": [768, 2304],
// "data_offsets": [begin, end]}, offsets in bytes relative to the data section; the optional key
// "__metadata__" maps to an object of strings ({"format": "pt"}).
//
// Checks of the header (parse_safetensors_header; every one before any data is read), each error
// a std::invalid_argument naming the tensor or field and the values seen:
//   - N: at least 2 ("{}"), at most max_header_bytes, and 8 + N no more than the file's size;
//   - the header: valid UTF-8 JSON (no byte order mark), one object, white space only around it
//     (space, tab, CR, LF: the reference's serde_json allows these on both sides and refuses any
//     other byte after the object, NUL padding included), no key twice in one object, nesting at
//     most 32 deep, at most max_header_values values;
//   - at most max_tensors tensors; each name non-empty and free of NUL characters;
//   - each tensor an object with "dtype", "shape" and "data_offsets"; other members are ignored,
//     as the reference ignores them;
//   - dtype: one of the safetensors dtypes below (an unknown one is named);
//   - shape: an array of at most max_rank integers, each from 0 to max_elements (integers written
//     as 2.0 or 1e3 are refused, as the reference refuses them); the element count, their product,
//     at most max_elements, and its bytes at most SIZE_MAX; sub-byte dtypes a whole number of
//     bytes;
//   - data_offsets: an array of two integers begin <= end, end - begin the tensor's byte count
//     (element count x dtype size), end within the data section;
//   - the tensors, sorted by (begin, end), tile the data section: the first begins at 0, each
//     begins where the one before ends (a gap or an overlap names both tensors), and
//     8 + N + the last end is the file's size exactly (zero-byte tensors may share a place);
//   - "__metadata__": absent, null, or an object whose values are strings.
//
// Where this differs from the reference reader (stricter but for the first, each for a reason):
//   - a shape with a 0 has no elements, whatever its other dimensions: the reference multiplies
//     the dimensions in usize from the first and refuses [2^40, 2^40, 0] for overflowing on the
//     way, which says nothing about the file;
//   - a name given twice is refused (the reference keeps the last silently, base/json.h);
//   - an empty name, a name with a NUL and a rank above 8 are refused (nothing real has them,
//     and every consumer of a name would have to think about them);
//   - element counts must fit in 2^53 (so that JavaScript numbers hold them exactly) and byte
//     counts in size_t (so that a tensor can be converted in memory: on wasm32, 4 GiB);
//   - at most max_tensors tensors and max_header_values JSON values;
//   - a leading byte order mark is refused by both, but nlohmann would skip it: refused here by
//     hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace spotlight {

struct SafetensorsLimits {
  static constexpr std::uint64_t max_header_bytes = 100'000'000;  // the reference's limit on N
  static constexpr std::size_t max_tensors = 100'000;             // gpt2: 160
  // Values of the header's JSON: 15 per tensor at rank 8, and room for metadata.
  static constexpr std::size_t max_header_values = 2'000'000;
  static constexpr std::size_t max_rank = 8;                             // gpt2's largest: 4
  static constexpr std::uint64_t max_elements = std::uint64_t{1} << 53;  // per dimension too
};

// Every dtype of the format, in the reference's order, with its size. F16 is IEEE 754 half, BF16
// bfloat16 (the upper half of a float32), C64 a complex number of two float32.
enum class SafetensorsDtype {
  BOOL,         // 1 byte
  F4,           // 4 bits
  F6_E2M3,      // 6 bits
  F6_E3M2,      // 6 bits
  U8,           // 1 byte
  I8,           // 1 byte
  F8_E5M2,      // 1 byte
  F8_E4M3,      // 1 byte
  F8_E8M0,      // 1 byte
  F8_E4M3FNUZ,  // 1 byte
  F8_E5M2FNUZ,  // 1 byte
  I16,          // 2 bytes
  U16,          // 2 bytes
  F16,          // 2 bytes
  BF16,         // 2 bytes
  I32,          // 4 bytes
  U32,          // 4 bytes
  F32,          // 4 bytes
  C64,          // 8 bytes
  F64,          // 8 bytes
  I64,          // 8 bytes
  U64,          // 8 bytes
};

// "F32", "BF16", ...: the dtype's name in the header.
const char* dtype_name(SafetensorsDtype dtype);
// The size of one element in bits (4, 6, 8, 16, 32 or 64).
unsigned dtype_bits(SafetensorsDtype dtype);

// One tensor of a parsed header.
struct SafetensorsTensor {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::string dtype_name;            // as in the header, "F32"
  std::vector<std::uint64_t> shape;  // empty for a 0-d tensor (one element)
  std::uint64_t element_count = 0;   // the product of shape
  std::uint64_t data_begin = 0;      // data_offsets, relative to the data section
  std::uint64_t data_end = 0;
  std::uint64_t file_offset = 0;  // 8 + N + data_begin: where its bytes start in the file

  std::uint64_t byte_count() const { return data_end - data_begin; }
};

struct SafetensorsHeader {
  std::uint64_t header_length = 0;  // N
  std::uint64_t data_offset = 0;    // 8 + N: where the data section starts in the file
  std::uint64_t data_length = 0;    // the data section's bytes: file size - 8 - N
  // Sorted by data_offsets (file order); zero-byte tensors at one place by name.
  std::vector<SafetensorsTensor> tensors;
  std::map<std::string, std::string> metadata;  // "__metadata__", empty when absent

  // The tensor called `name`, or nullptr.
  const SafetensorsTensor* find(std::string_view name) const;
  // The tensor called `name`; throws "no tensor \"name\" among the file's 160 tensors".
  const SafetensorsTensor& tensor(std::string_view name) const;

 private:
  friend SafetensorsHeader parse_safetensors_header(std::string_view header_json,
                                                    std::uint64_t file_size);
  std::map<std::string, std::size_t, std::less<>> index_by_name_;
};

// --- Reading -----------------------------------------------------------------------------------

// N, from the file's first 8 bytes and the file's size. Throws when the file is shorter than 8
// bytes, or N is below 2, above max_header_bytes, or runs past the end of the file.
std::uint64_t safetensors_header_length(const unsigned char first_eight[8],
                                        std::uint64_t file_size);

// The header (the file's bytes 8 .. 8 + N, N = header_json.size()) of a file of `file_size`
// bytes, with every check listed at the top. Allocates only for the header's own contents.
SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::uint64_t file_size);

// Converts one tensor's bytes (`byte_count` bytes at `bytes`, which must be tensor.byte_count(),
// at any alignment) to tensor.element_count floats at `out`: F32 as it is, F16 exactly (every
// half, subnormals, infinities and NaN included, is a float), BF16 exactly. Other dtypes throw
// "h.0.attn.bias: dtype I64 is not supported; F32, F16 and BF16 are". Does not check finiteness:
// first_non_finite / require_finite_tensor do, where the caller wants it.
void read_tensor_as_float(const SafetensorsTensor& tensor, const unsigned char* bytes,
                          std::size_t byte_count, float* out);

// `count` whole elements of `dtype` (F32, F16 or BF16) at `bytes`, at any alignment, converted
// to floats at `out` as read_tensor_as_float converts them: for a reader that takes a tensor's
// bytes in pieces (pretrained/gpt2_checkpoint.h).
void convert_to_float(SafetensorsDtype dtype, const unsigned char* bytes, std::size_t count,
                      float* out);

// The index of the first NaN or infinity among values[0 .. count - 1], or count if none.
std::size_t first_non_finite(const float* values, std::size_t count);

// Throws "wte: element [12, 5] (index 9221) is nan; the model's values must be finite" when
// `values` (tensor.element_count floats) holds a NaN or an infinity.
void require_finite_tensor(const SafetensorsTensor& tensor, const float* values);

// --- Writing -----------------------------------------------------------------------------------

// One tensor to write: `values` holds the product of `shape` floats (row-major), stored as
// dtype F32, F16 or BF16.
struct SafetensorsTensorToWrite {
  std::string name;
  std::vector<std::uint64_t> shape;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  const float* values = nullptr;
};

// The file's first 8 + N bytes for `tensors`, whose data follows in the order given, back to back
// (the first at data offset 0). The JSON has its keys sorted ("__metadata__" among them, only
// when `metadata` is not empty) and is padded with spaces to a multiple of 8 bytes, as current
// writers do, so that the data starts 8-aligned. Throws for a name that is empty, holds a NUL, is
// "__metadata__", is not valid UTF-8 or is given twice; a dtype other than F32, F16 and BF16; a
// shape past the limits; metadata that is not valid UTF-8; a header past max_header_bytes. The
// tensors' values are not read (they may be null): a large model's are gathered one tensor at a
// time, after the header is written.
std::string safetensors_header_bytes(const std::vector<SafetensorsTensorToWrite>& tensors,
                                     const std::map<std::string, std::string>& metadata = {});

// Appends tensor.values in tensor.dtype's bytes, little-endian, to `out`: F32 as it is, F16 and
// BF16 rounded to nearest, ties to even. Throws, naming the tensor, the element and its value,
// for a NaN or an infinity (which never leave the core) and for a value that F16 or BF16 would
// round to infinity (F16's largest is 65504).
void append_tensor_bytes(const SafetensorsTensorToWrite& tensor, std::string& out);

// A whole file: safetensors_header_bytes, then each tensor's bytes. For small models; a large one
// is written piece by piece with the two functions above.
std::string write_safetensors(const std::vector<SafetensorsTensorToWrite>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// The conversions, one value at a time (the tests check them over every bit pattern).
float half_to_float(std::uint16_t half);
float bfloat16_to_float(std::uint16_t bfloat16);
// Round to nearest, ties to even; infinity for what lies beyond the format's largest value; NaN
// for NaN.
std::uint16_t float_to_half(float value);
std::uint16_t float_to_bfloat16(float value);

}  // namespace spotlight
