#include "formats/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "base/errors.h"
#include "base/json.h"

namespace spotlight {

namespace {

using Limits = SafetensorsLimits;

// Throws; for messages whose parts cost something to build, or are only valid once the check
// failed, behind an `if` (require builds its message's parts whether it fails or not).
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw std::invalid_argument(concat(parts...));
}

struct DtypeEntry {
  SafetensorsDtype dtype;
  const char* name;
  unsigned bits;
};

// In the enum's order, so that an enum value indexes its entry.
constexpr DtypeEntry dtype_table[] = {
    {SafetensorsDtype::BOOL, "BOOL", 8},
    {SafetensorsDtype::F4, "F4", 4},
    {SafetensorsDtype::F6_E2M3, "F6_E2M3", 6},
    {SafetensorsDtype::F6_E3M2, "F6_E3M2", 6},
    {SafetensorsDtype::U8, "U8", 8},
    {SafetensorsDtype::I8, "I8", 8},
    {SafetensorsDtype::F8_E5M2, "F8_E5M2", 8},
    {SafetensorsDtype::F8_E4M3, "F8_E4M3", 8},
    {SafetensorsDtype::F8_E8M0, "F8_E8M0", 8},
    {SafetensorsDtype::F8_E4M3FNUZ, "F8_E4M3FNUZ", 8},
    {SafetensorsDtype::F8_E5M2FNUZ, "F8_E5M2FNUZ", 8},
    {SafetensorsDtype::I16, "I16", 16},
    {SafetensorsDtype::U16, "U16", 16},
    {SafetensorsDtype::F16, "F16", 16},
    {SafetensorsDtype::BF16, "BF16", 16},
    {SafetensorsDtype::I32, "I32", 32},
    {SafetensorsDtype::U32, "U32", 32},
    {SafetensorsDtype::F32, "F32", 32},
    {SafetensorsDtype::C64, "C64", 64},
    {SafetensorsDtype::F64, "F64", 64},
    {SafetensorsDtype::I64, "I64", 64},
    {SafetensorsDtype::U64, "U64", 64},
};
constexpr std::size_t dtype_count = sizeof(dtype_table) / sizeof(dtype_table[0]);

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < dtype_count; ++i) {
    if (static_cast<std::size_t>(dtype_table[i].dtype) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(), "dtype_table must list the dtypes in the enum's order");

const DtypeEntry& dtype_entry(SafetensorsDtype dtype) {
  const auto index = static_cast<std::size_t>(dtype);
  require(index < dtype_count, "safetensors: ", index, " is not a dtype (there are ", dtype_count,
          ")");
  return dtype_table[index];
}

bool is_float_dtype(SafetensorsDtype dtype) {
  return dtype == SafetensorsDtype::F32 || dtype == SafetensorsDtype::F16 ||
         dtype == SafetensorsDtype::BF16;
}

constexpr std::uint64_t max_size = std::numeric_limits<std::size_t>::max();

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// "1 byte", "16 bytes".
std::string bytes_text(std::uint64_t count) {
  return concat(count, count == 1 ? " byte" : " bytes");
}

std::string offsets_text(std::uint64_t begin, std::uint64_t end) {
  return concat("data_offsets [", begin, ", ", end, "]");
}

// The element at row-major `index` of `shape`, as "[12, 5]".
std::string element_text(const std::vector<std::uint64_t>& shape, std::uint64_t index) {
  std::vector<std::uint64_t> position(shape.size());
  for (std::size_t axis = shape.size(); axis-- > 0;) {
    position[axis] = index % shape[axis];
    index /= shape[axis];
  }
  return shape_text(position);
}

// The checks of a name that the reader and the writer share.
void require_valid_name(const std::string& name, const char* where) {
  require(!name.empty(), where, ": a tensor has an empty name");
  if (name.find('\0') != std::string::npos) {
    fail(where, ": tensor ", quoted_name(name), ": the name holds a NUL character");
  }
}

// The reader checks the rank before it reads the dimensions, the writer with the rest of the shape.
void require_rank(std::size_t rank, const std::string& label) {
  require(rank <= Limits::max_rank, label, ": shape has ", rank,
          " dimensions, more than the limit of ", Limits::max_rank);
}

// The number of elements of `shape`, within the limits (rank, each dimension, the count, its bytes
// in size_t). A shape with a 0 has no elements, whatever its other dimensions.
std::uint64_t element_count(const std::vector<std::uint64_t>& shape, const DtypeEntry& dtype,
                            const std::string& label) {
  require_rank(shape.size(), label);
  for (const std::uint64_t size : shape) {
    if (size > Limits::max_elements) {
      fail(label, ": shape ", shape_text(shape), " has a dimension ", size,
           ", more than the limit of 2^53 = ", Limits::max_elements);
    }
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  std::uint64_t count = 1;
  for (const std::uint64_t size : shape) {
    if (size > Limits::max_elements / count) {
      fail(label, ": shape ", shape_text(shape), " has more than 2^53 = ", Limits::max_elements,
           " elements");
    }
    count *= size;
  }
  // count <= 2^53 and bits <= 64: no overflow.
  const std::uint64_t bits = count * dtype.bits;
  if (bits % 8 != 0) {
    fail(label, ": shape ", shape_text(shape), " of ", dtype.name, " is ", bits,
         " bits, not a whole number of bytes");
  }
  if (bits / 8 > max_size) {
    fail(label, ": shape ", shape_text(shape), " of ", dtype.name, " is ", bits / 8,
         " bytes, more than this platform can address (", max_size, ")");
  }
  return count;
}

std::uint64_t byte_count(std::uint64_t elements, const DtypeEntry& dtype) {
  return elements * dtype.bits / 8;
}

// --- Reading the header ------------------------------------------------------------------------

constexpr const char* header_what = "safetensors header";

void require_header_length(std::uint64_t n, std::uint64_t file_size) {
  require(n <= Limits::max_header_bytes, "safetensors: the header length N = ", n,
          " is larger than the limit of ", Limits::max_header_bytes,
          " bytes (is this a safetensors file?)");
  require(n >= 2, "safetensors: the header length N = ", n,
          " is too small for a JSON object (at least 2 bytes, \"{}\")");
  require(file_size >= 8 && n <= file_size - 8, "safetensors: the header (8 + N = 8 + ", n,
          " bytes) runs past the end of the file of ", bytes_text(file_size));
}

// A size or an offset: a JSON integer from 0 to `max`. Integers written as 2.0 or 1e3, and those
// past 2^64 - 1, are floats to nlohmann, as they are to the reference's serde_json, which refuses
// them for its usize fields.
std::uint64_t read_size(const Json& value, const std::string& name, std::uint64_t max) {
  bool valid = false;
  std::uint64_t number = 0;
  if (value.is_number_unsigned()) {
    number = value.get<std::uint64_t>();
    valid = number <= max;
  } else if (value.is_number_integer()) {
    const auto signed_number = value.get<std::int64_t>();  // -0 parses as 0
    number = static_cast<std::uint64_t>(signed_number);
    valid = signed_number >= 0 && number <= max;
  }
  if (!valid) {
    fail(name, " must be an integer from 0 to ", max, ", got ",
         value.is_number() ? value.dump() : describe_json(value));
  }
  return number;
}

const DtypeEntry& read_dtype(const Json& value, const std::string& label) {
  const std::string& name = json_string(value, label + ": dtype");
  for (const DtypeEntry& entry : dtype_table) {
    if (name == entry.name) return entry;
  }
  std::string known;
  for (const DtypeEntry& entry : dtype_table) {
    known += (known.empty() ? "" : ", ") + std::string(entry.name);
  }
  fail(label, ": dtype ", quoted_name(name), " is not a safetensors dtype (", known, ")");
}

// One tensor's entry, checked on its own: its dtype, shape and offsets agree, and its bytes lie
// inside the data section.
SafetensorsTensor read_tensor_entry(const std::string& name, const Json& entry,
                                    const SafetensorsHeader& header, std::uint64_t file_size) {
  require_valid_name(name, header_what);
  const std::string label = concat(header_what, ": tensor ", quoted_name(name));
  require(entry.is_object(), label, " must be an object with dtype, shape and data_offsets, got ",
          describe_json(entry));
  SafetensorsTensor tensor;
  tensor.name = name;
  const DtypeEntry& dtype = read_dtype(json_member(entry, "dtype", label), label);
  tensor.dtype = dtype.dtype;
  tensor.dtype_name = dtype.name;

  const Json& shape = json_member(entry, "shape", label);
  require(shape.is_array(), label, ": shape must be an array of integers, got ",
          describe_json(shape));
  require_rank(shape.size(), label);
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    tensor.shape.push_back(
        read_size(shape[axis], concat(label, ": shape[", axis, "]"), Limits::max_elements));
  }
  tensor.element_count = element_count(tensor.shape, dtype, label);
  const std::uint64_t bytes = byte_count(tensor.element_count, dtype);

  const Json& offsets = json_member(entry, "data_offsets", label);
  require(offsets.is_array() && offsets.size() == 2, label,
          ": data_offsets must be an array of two integers [begin, end], got ",
          describe_json(offsets));
  const std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
  tensor.data_begin = read_size(offsets[0], label + ": data_offsets[0]", no_limit);
  tensor.data_end = read_size(offsets[1], label + ": data_offsets[1]", no_limit);
  const std::string where = offsets_text(tensor.data_begin, tensor.data_end);
  require(tensor.data_begin <= tensor.data_end, label, ": ", where, " begin after they end");
  if (tensor.byte_count() != bytes) {
    fail(label, ": shape ", shape_text(tensor.shape), " of ", dtype.name, " is ", bytes_text(bytes),
         " (", tensor.element_count, " elements of ", dtype.bits, " bits), but ", where, " span ",
         tensor.byte_count());
  }
  require(tensor.data_end <= header.data_length, label, ": ", where,
          " end past the data section, which holds ", bytes_text(header.data_length),
          " (a file of ", bytes_text(file_size), " less 8 + N = ", header.data_offset, ")");
  tensor.file_offset = header.data_offset + tensor.data_begin;
  return tensor;
}

void read_metadata(const Json& value, std::map<std::string, std::string>& metadata) {
  if (value.is_null()) return;  // the reference reads null as no metadata
  require(value.is_object(), header_what, ": __metadata__ must be an object of strings, got ",
          describe_json(value));
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) {
      fail(header_what, ": __metadata__ ", quoted_name(key), " must be a string, got ",
           describe_json(text));
    }
    metadata.emplace(key, text.get<std::string>());
  }
}

std::string tensor_place(const SafetensorsTensor& tensor) {
  return concat(quoted_name(tensor.name), " (", offsets_text(tensor.data_begin, tensor.data_end),
                ")");
}

// The tensors, sorted by their offsets, tile the data section: no gap, no overlap, nothing after.
void require_tiling(const SafetensorsHeader& header, std::uint64_t file_size) {
  std::uint64_t position = 0;
  const SafetensorsTensor* previous = nullptr;
  for (const SafetensorsTensor& tensor : header.tensors) {
    if (tensor.data_begin > position) {
      fail(header_what, ": bytes [", position, ", ", tensor.data_begin,
           ") of the data section belong to no tensor: they lie ",
           previous ? concat("between tensor ", tensor_place(*previous), " and tensor ")
                    : std::string("before the first tensor, "),
           tensor_place(tensor));
    }
    // position > 0 here, so a tensor came before.
    if (tensor.data_begin < position) {
      fail(header_what, ": tensors ", tensor_place(*previous), " and ", tensor_place(tensor),
           " overlap");
    }
    position = tensor.data_end;
    previous = &tensor;
  }
  if (position != header.data_length) {
    fail(header_what, ": the file goes on for ", bytes_text(header.data_length - position),
         " after ",
         previous ? concat("the last tensor, ", tensor_place(*previous), ", ends")
                  : std::string("the header, which lists no tensor"),
         " (a file of ", bytes_text(file_size), ", data from byte ", header.data_offset, ")");
  }
}

// --- Conversions -------------------------------------------------------------------------------

std::uint32_t float_bits(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float bits_float(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Little-endian loads and stores, byte by byte: the data may lie at any offset (gpt2's starts at
// 14,291), and the host's byte order does not matter. Compilers make each a single move.
std::uint16_t load_u16(const unsigned char* bytes) {
  return static_cast<std::uint16_t>(bytes[0] | (bytes[1] << 8));
}

std::uint32_t load_u32(const unsigned char* bytes) {
  return std::uint32_t{bytes[0]} | (std::uint32_t{bytes[1]} << 8) |
         (std::uint32_t{bytes[2]} << 16) | (std::uint32_t{bytes[3]} << 24);
}

void store_le(std::uint64_t value, unsigned byte_count, char* out) {
  for (unsigned i = 0; i < byte_count; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

}  // namespace

const char* dtype_name(SafetensorsDtype dtype) { return dtype_entry(dtype).name; }

unsigned dtype_bits(SafetensorsDtype dtype) { return dtype_entry(dtype).bits; }

const SafetensorsTensor* SafetensorsHeader::find(std::string_view name) const {
  const auto found = index_by_name_.find(name);
  return found == index_by_name_.end() ? nullptr : &tensors[found->second];
}

const SafetensorsTensor& SafetensorsHeader::tensor(std::string_view name) const {
  const SafetensorsTensor* found = find(name);
  if (found == nullptr) {
    fail("safetensors: no tensor ", quoted_name(name), " among the file's ", tensors.size(),
         " tensors");
  }
  return *found;
}

std::uint64_t safetensors_header_length(const unsigned char first_eight[8],
                                        std::uint64_t file_size) {
  require(file_size >= 8, "safetensors: a file of ", bytes_text(file_size),
          " is too short for the header's 8-byte length");
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t{first_eight[i]} << (8 * i);
  require_header_length(n, file_size);
  return n;
}

SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::uint64_t file_size) {
  SafetensorsHeader header;
  header.header_length = header_json.size();
  require_header_length(header.header_length, file_size);
  header.data_offset = 8 + header.header_length;
  header.data_length = file_size - header.data_offset;
  // nlohmann skips a byte order mark; JSON (RFC 8259) and the reference do not allow one.
  require(header_json.substr(0, 3) != "\xEF\xBB\xBF", header_what,
          " starts with a UTF-8 byte order mark, which JSON does not allow");
  const Json document = parse_json_object(header_json, header_what, default_max_json_depth,
                                          Limits::max_header_values);

  const std::size_t tensor_count = document.size() - document.count("__metadata__");
  require(tensor_count <= Limits::max_tensors, header_what, " lists ", tensor_count,
          " tensors, more than the limit of ", Limits::max_tensors);
  header.tensors.reserve(tensor_count);
  for (const auto& [name, entry] : document.items()) {
    if (name == "__metadata__") {
      read_metadata(entry, header.metadata);
    } else {
      header.tensors.push_back(read_tensor_entry(name, entry, header, file_size));
    }
  }
  // The entries come sorted by name; stable, so that zero-byte tensors at one place stay so.
  std::stable_sort(header.tensors.begin(), header.tensors.end(),
                   [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
                     return std::pair(a.data_begin, a.data_end) <
                            std::pair(b.data_begin, b.data_end);
                   });
  require_tiling(header, file_size);
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    header.index_by_name_.emplace(header.tensors[i].name, i);
  }
  return header;
}

float half_to_float(std::uint16_t half) {
  const std::uint32_t sign = std::uint32_t{half & 0x8000u} << 16;
  const std::uint32_t exponent = (half >> 10) & 0x1Fu;
  const std::uint32_t mantissa = half & 0x3FFu;
  if (exponent == 0x1F) return bits_float(sign | 0x7F800000u | (mantissa << 13));  // inf, NaN
  if (exponent != 0) {
    // Rebias the exponent from 15 to 127; the 10 mantissa bits become the top of float's 23.
    return bits_float(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
  }
  // Zero or subnormal: mantissa x 2^-24, exact in float (a normal float from 2^-24 up).
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

float bfloat16_to_float(std::uint16_t bfloat16) {
  return bits_float(std::uint32_t{bfloat16} << 16);
}

std::uint16_t float_to_half(float value) {
  const std::uint32_t bits = float_bits(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) return sign | 0x7E00u;  // NaN, quiet
  // From 65520 (65504 + half its step, a tie that goes to the even infinity) up: infinity.
  if (magnitude >= 0x477FF000u) return sign | 0x7C00u;
  std::uint32_t half = 0, rest = 0, halfway = 0;
  if (magnitude >= 0x38800000u) {
    // A normal half (from 2^-14): rebias the exponent from 127 to 15 and keep 10 mantissa bits.
    const std::uint32_t rebiased = magnitude - ((127u - 15u) << 23);
    half = rebiased >> 13;
    rest = rebiased & 0x1FFFu;
    halfway = 0x1000u;
  } else {
    // A subnormal half or zero, in units of 2^-24: the float is mantissa x 2^(exponent - 150)
    // with the implicit bit, so (mantissa >> (126 - exponent)) units. Below 2^-25 (exponent <
    // 102) it is less than half a unit: 0.
    const std::uint32_t exponent = magnitude >> 23;
    if (exponent < 102) return sign;
    const std::uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
    const std::uint32_t shift = 126 - exponent;  // 14 .. 24
    half = mantissa >> shift;
    rest = mantissa & ((1u << shift) - 1);
    halfway = 1u << (shift - 1);
  }
  // Round to nearest, ties to even; a carry out of the mantissa raises the exponent, as it should.
  if (rest > halfway || (rest == halfway && (half & 1))) ++half;
  return static_cast<std::uint16_t>(sign | half);
}

std::uint16_t float_to_bfloat16(float value) {
  const std::uint32_t bits = float_bits(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) {
    return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // NaN, quiet
  }
  // Round to nearest, ties to even, on the lower 16 bits; past BF16's largest this carries into
  // infinity.
  const std::uint32_t rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>(rounded >> 16);
}

void read_tensor_as_float(const SafetensorsTensor& tensor, const unsigned char* bytes,
                          std::size_t byte_count, float* out) {
  const std::string label = concat("safetensors tensor ", quoted_name(tensor.name));
  require(is_float_dtype(tensor.dtype), label, ": dtype ", dtype_name(tensor.dtype),
          " is not supported; F32, F16 and BF16 are");
  require(byte_count == tensor.byte_count(), label, ": ", byte_count,
          " bytes given, but the tensor has ", tensor.byte_count(), " (",
          offsets_text(tensor.data_begin, tensor.data_end), ")");
  // The element count from the bytes, which are all that is read: `out` gets element_count floats.
  const std::size_t size = dtype_bits(tensor.dtype) / 8;
  require(byte_count % size == 0 && byte_count / size == tensor.element_count, label, ": ",
          tensor.element_count, " elements of ", dtype_name(tensor.dtype), " are not ", byte_count,
          " bytes");
  convert_to_float(tensor.dtype, bytes, byte_count / size, out);
}

void convert_to_float(SafetensorsDtype dtype, const unsigned char* bytes, std::size_t count,
                      float* out) {
  require(is_float_dtype(dtype), "dtype ", dtype_name(dtype),
          " is not supported; F32, F16 and BF16 are");
  switch (dtype) {
    case SafetensorsDtype::F32:
      for (std::size_t i = 0; i < count; ++i) out[i] = bits_float(load_u32(bytes + 4 * i));
      break;
    case SafetensorsDtype::F16:
      for (std::size_t i = 0; i < count; ++i) out[i] = half_to_float(load_u16(bytes + 2 * i));
      break;
    default:  // BF16
      for (std::size_t i = 0; i < count; ++i) out[i] = bfloat16_to_float(load_u16(bytes + 2 * i));
      break;
  }
}

std::size_t first_non_finite(const float* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) return i;
  }
  return count;
}

void require_finite_tensor(const SafetensorsTensor& tensor, const float* values) {
  const auto count = static_cast<std::size_t>(tensor.element_count);
  const std::size_t index = first_non_finite(values, count);
  if (index < count) {
    fail("safetensors tensor ", quoted_name(tensor.name), ": element ",
         element_text(tensor.shape, index), " (index ", index, ") is ", values[index],
         "; the model's values must be finite");
  }
}

// --- Writing -----------------------------------------------------------------------------------

namespace {

constexpr const char* writer_what = "safetensors writer";

// `text` dumps as JSON only when it is valid UTF-8.
void require_utf8(const std::string& text, const std::string& what) {
  try {
    static_cast<void>(Json(text).dump());
  } catch (const Json::type_error&) {
    fail(what, " is not valid UTF-8");
  }
}

// `value` in `dtype`'s bits (F32, F16 or BF16); `written` gets the value those bits hold.
std::uint32_t encode(SafetensorsDtype dtype, float value, float& written) {
  if (dtype == SafetensorsDtype::F16) {
    const std::uint16_t half = float_to_half(value);
    written = half_to_float(half);
    return half;
  }
  if (dtype == SafetensorsDtype::BF16) {
    const std::uint16_t bfloat16 = float_to_bfloat16(value);
    written = bfloat16_to_float(bfloat16);
    return bfloat16;
  }
  written = value;
  return float_bits(value);
}

// The checks of one tensor to write; its element count.
std::uint64_t checked_element_count(const SafetensorsTensorToWrite& tensor) {
  require_valid_name(tensor.name, writer_what);
  const std::string label = concat(writer_what, ": tensor ", quoted_name(tensor.name));
  require(tensor.name != "__metadata__", label, ": the name is the header's key for metadata");
  require_utf8(tensor.name, label + ": the name");
  const DtypeEntry& dtype = dtype_entry(tensor.dtype);
  require(is_float_dtype(tensor.dtype), label, ": dtype ", dtype.name,
          " cannot be written from floats; F32, F16 and BF16 can");
  return element_count(tensor.shape, dtype, label);
}

}  // namespace

std::string safetensors_header_bytes(const std::vector<SafetensorsTensorToWrite>& tensors,
                                     const std::map<std::string, std::string>& metadata) {
  require(tensors.size() <= Limits::max_tensors, writer_what, ": ", tensors.size(),
          " tensors, more than the limit of ", Limits::max_tensors);
  Json header = Json::object();
  std::uint64_t offset = 0;
  for (const SafetensorsTensorToWrite& tensor : tensors) {
    const DtypeEntry& dtype = dtype_entry(tensor.dtype);
    const std::uint64_t bytes = byte_count(checked_element_count(tensor), dtype);
    if (header.contains(tensor.name)) {
      fail(writer_what, ": tensor ", quoted_name(tensor.name), " is given twice");
    }
    if (bytes > std::numeric_limits<std::uint64_t>::max() - offset) {
      fail(writer_what, ": the data passes 2^64 bytes at tensor ", quoted_name(tensor.name));
    }
    header[tensor.name] = {
        {"dtype", dtype.name}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  if (!metadata.empty()) {
    for (const auto& [key, value] : metadata) {
      require_utf8(key, concat(writer_what, ": a __metadata__ key"));
      require_utf8(value, concat(writer_what, ": __metadata__ ", quoted_name(key)));
    }
    header["__metadata__"] = metadata;
  }
  std::string json = header.dump();
  json.resize((json.size() + 7) / 8 * 8, ' ');
  require(json.size() <= Limits::max_header_bytes, writer_what, ": the header is ", json.size(),
          " bytes, more than the limit of ", Limits::max_header_bytes);
  std::string bytes(8, '\0');
  store_le(json.size(), 8, bytes.data());
  return bytes + json;
}

void append_tensor_bytes(const SafetensorsTensorToWrite& tensor, std::string& out) {
  const std::uint64_t count = checked_element_count(tensor);
  if (count > 0 && tensor.values == nullptr) {
    fail(writer_what, ": tensor ", quoted_name(tensor.name), ": no values for shape ",
         shape_text(tensor.shape));
  }
  const unsigned size = dtype_bits(tensor.dtype) / 8;
  const std::size_t start = out.size();
  out.resize(start + static_cast<std::size_t>(count) * size);
  char* bytes = out.data() + start;
  for (std::size_t i = 0; i < count; ++i) {
    const float value = tensor.values[i];
    float written = value;
    const std::uint32_t stored = encode(tensor.dtype, value, written);
    if (!std::isfinite(written)) {
      out.resize(start);
      // A finite value that became infinite went past the format's largest.
      fail(writer_what, ": tensor ", quoted_name(tensor.name), ": element ",
           element_text(tensor.shape, i), " (index ", i, ") is ", value,
           std::isfinite(value)
               ? concat(", beyond ", dtype_name(tensor.dtype), "'s largest value ",
                        tensor.dtype == SafetensorsDtype::F16 ? "65504" : "3.3895314e38")
               : std::string("; NaN and infinity are not written"));
    }
    store_le(stored, size, bytes + i * size);
  }
}

std::string write_safetensors(const std::vector<SafetensorsTensorToWrite>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  std::string file = safetensors_header_bytes(tensors, metadata);
  for (const SafetensorsTensorToWrite& tensor : tensors) append_tensor_bytes(tensor, file);
  return file;
}

}  // namespace spotlight
