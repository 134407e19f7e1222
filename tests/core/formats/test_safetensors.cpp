#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "base/random.h"
#include "formats/safetensors.h"

using namespace spotlight;
using Catch::Contains;

namespace {

constexpr SafetensorsDtype every_dtype[] = {
    SafetensorsDtype::BOOL,        SafetensorsDtype::F4,          SafetensorsDtype::F6_E2M3,
    SafetensorsDtype::F6_E3M2,     SafetensorsDtype::U8,          SafetensorsDtype::I8,
    SafetensorsDtype::F8_E5M2,     SafetensorsDtype::F8_E4M3,     SafetensorsDtype::F8_E8M0,
    SafetensorsDtype::F8_E4M3FNUZ, SafetensorsDtype::F8_E5M2FNUZ, SafetensorsDtype::I16,
    SafetensorsDtype::U16,         SafetensorsDtype::F16,         SafetensorsDtype::BF16,
    SafetensorsDtype::I32,         SafetensorsDtype::U32,         SafetensorsDtype::F32,
    SafetensorsDtype::C64,         SafetensorsDtype::F64,         SafetensorsDtype::I64,
    SafetensorsDtype::U64,
};

std::string u64_bytes(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

// A file: N, the header text as given, then `data_bytes` bytes 0, 1, 2, ...
std::string file_of(const std::string& header_json, std::size_t data_bytes) {
  std::string file = u64_bytes(header_json.size()) + header_json;
  for (std::size_t i = 0; i < data_bytes; ++i) file += static_cast<char>(i & 0xFF);
  return file;
}

// One tensor's entry in a header.
std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  std::uint64_t begin, std::uint64_t end) {
  return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape +
         ", \"data_offsets\": [" + std::to_string(begin) + ", " + std::to_string(end) + "]}";
}

// The two steps a reader takes: N from the first 8 bytes, then the header.
SafetensorsHeader read_header(const std::string& file) {
  unsigned char first_eight[8] = {};
  std::memcpy(first_eight, file.data(), std::min<std::size_t>(8, file.size()));
  const std::uint64_t n = safetensors_header_length(first_eight, file.size());
  return parse_safetensors_header(std::string_view(file).substr(8, n), file.size());
}

// The message that reading `file`'s header throws, or "" when it reads.
std::string error_of(const std::string& file) {
  try {
    read_header(file);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

std::string header_error(const std::string& header_json, std::size_t data_bytes) {
  return error_of(file_of(header_json, data_bytes));
}

template <typename Call>
std::string message_of(Call&& call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

const unsigned char* bytes_at(const std::string& file, std::uint64_t offset) {
  return reinterpret_cast<const unsigned char*>(file.data()) + offset;
}

std::vector<float> read_floats(const std::string& file, const SafetensorsTensor& tensor) {
  std::vector<float> values(tensor.element_count);
  read_tensor_as_float(tensor, bytes_at(file, tensor.file_offset), tensor.byte_count(),
                       values.data());
  return values;
}

std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float float_of(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// --- The naive reference of the conversions: arithmetic in double, no bit tricks ---------------

// The value of a binary floating-point format's bit pattern: 1 sign bit, `exponent_bits`,
// `mantissa_bits`, IEEE 754 rules (bias 2^(e-1) - 1, subnormals, infinities, NaN).
double decode_reference(std::uint32_t bits, int exponent_bits, int mantissa_bits) {
  const std::uint32_t mantissa = bits & ((1u << mantissa_bits) - 1);
  const std::uint32_t exponent = (bits >> mantissa_bits) & ((1u << exponent_bits) - 1);
  const bool negative = (bits >> (mantissa_bits + exponent_bits)) & 1;
  const int bias = (1 << (exponent_bits - 1)) - 1;
  double magnitude;
  if (exponent == (1u << exponent_bits) - 1) {
    magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == 0) {
    magnitude = std::ldexp(static_cast<double>(mantissa), 1 - bias - mantissa_bits);
  } else {
    magnitude = std::ldexp(static_cast<double>(mantissa + (1u << mantissa_bits)),
                           static_cast<int>(exponent) - bias - mantissa_bits);
  }
  return negative ? -magnitude : magnitude;
}

// A finite x rounded to the nearest value of a format with `mantissa_bits` stored bits, smallest
// normal exponent `min_exponent` and largest finite value `largest`, ties to even; infinity past
// it. By arithmetic: the step between neighbours at x's binade, then nearbyint (ties to even in
// the default rounding mode).
double round_reference(double x, int mantissa_bits, int min_exponent, double largest) {
  const double magnitude = std::abs(x);
  int exponent = min_exponent;
  if (magnitude >= std::ldexp(1.0, min_exponent)) {
    std::frexp(magnitude, &exponent);  // magnitude = m 2^exponent, m in [0.5, 1)
    exponent -= 1;
  }
  const double step = std::ldexp(1.0, exponent - mantissa_bits);
  double rounded = std::nearbyint(magnitude / step) * step;
  if (rounded > largest) rounded = std::numeric_limits<double>::infinity();
  return std::copysign(rounded, x);
}

constexpr double half_largest = 65504.0;
const double bfloat16_largest = decode_reference(0x7F7F, 8, 7);

// Equal, of the same sign (0 and -0 differ); a NaN matches a NaN of the same sign.
bool same_value(double actual, double expected) {
  if (std::isnan(expected))
    return std::isnan(actual) && std::signbit(actual) == std::signbit(expected);
  return actual == expected && std::signbit(actual) == std::signbit(expected);
}

}  // namespace

// --- Conversions -------------------------------------------------------------------------------

// The bit patterns of a 16-bit format (1 sign bit, `exponent_bits`, the rest mantissa) whose float
// is not the reference's value, or that do not convert back to themselves (NaN aside). Counted
// rather than asserted one by one, which would cost more than the conversions.
std::vector<std::uint32_t> wrong_patterns(int exponent_bits, float (*to_float)(std::uint16_t),
                                          std::uint16_t (*from_float)(float)) {
  std::vector<std::uint32_t> wrong;
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto pattern = static_cast<std::uint16_t>(bits);
    const double expected = decode_reference(bits, exponent_bits, 15 - exponent_bits);
    const float actual = to_float(pattern);
    const bool right =
        same_value(actual, expected) && (std::isnan(actual) || from_float(actual) == pattern);
    if (!right) wrong.push_back(bits);
  }
  return wrong;
}

TEST_CASE("safetensors: every F16 bit pattern converts to float exactly, and back",
          "[safetensors]") {
  CHECK(wrong_patterns(5, half_to_float, float_to_half) == std::vector<std::uint32_t>{});
}

TEST_CASE("safetensors: every BF16 bit pattern converts to float exactly, and back",
          "[safetensors]") {
  CHECK(wrong_patterns(8, bfloat16_to_float, float_to_bfloat16) == std::vector<std::uint32_t>{});
}

TEST_CASE("safetensors: float to F16 and BF16 rounds to nearest, ties to even", "[safetensors]") {
  SECTION("midpoints between neighbouring halves, and the floats on either side") {
    // Every positive finite half and the next one up (the last pair: 65504 and infinity).
    std::vector<std::uint32_t> wrong;
    for (std::uint32_t bits = 0; bits < 0x7C00; ++bits) {
      const double low = decode_reference(bits, 5, 10);
      const double high = decode_reference(bits + 1, 5, 10);
      const double middle = bits + 1 == 0x7C00 ? 65520.0 : (low + high) / 2;  // exact in float
      const auto midpoint = static_cast<float>(middle);
      const std::uint32_t even = (bits & 1) ? bits + 1 : bits;
      const bool right = static_cast<double>(midpoint) == middle &&
                         float_to_half(midpoint) == even &&
                         float_to_half(-midpoint) == (even | 0x8000) &&
                         float_to_half(std::nextafter(midpoint, 0.0f)) == bits &&
                         float_to_half(std::nextafter(midpoint, 1e30f)) == bits + 1;
      if (!right) wrong.push_back(bits);
    }
    CHECK(wrong == std::vector<std::uint32_t>{});
  }
  SECTION("floats across the whole range, against the arithmetic reference") {
    // Every 16,411th bit pattern (a prime stride: every exponent, many mantissas) and random ones;
    // checked without an assertion each, which would cost more than the conversions.
    std::vector<std::uint32_t> patterns;
    for (std::uint64_t bits = 0; bits <= 0xFFFFFFFFu; bits += 16411) {
      patterns.push_back(static_cast<std::uint32_t>(bits));
    }
    SplitMix64 random(7);
    for (int i = 0; i < 100000; ++i) patterns.push_back(static_cast<std::uint32_t>(random.next()));
    std::size_t wrong = 0;
    std::uint32_t first_wrong = 0;
    for (const std::uint32_t bits : patterns) {
      const float value = float_of(bits);
      bool right;
      if (std::isnan(value)) {
        right = std::isnan(half_to_float(float_to_half(value))) &&
                std::isnan(bfloat16_to_float(float_to_bfloat16(value)));
      } else {
        const double half =
            std::isinf(value) ? value : round_reference(value, 10, -14, half_largest);
        const double bfloat16 =
            std::isinf(value) ? value : round_reference(value, 7, -126, bfloat16_largest);
        right = same_value(half_to_float(float_to_half(value)), half) &&
                same_value(bfloat16_to_float(float_to_bfloat16(value)), bfloat16);
      }
      if (!right && wrong++ == 0) first_wrong = bits;
    }
    CAPTURE(patterns.size(), first_wrong);
    CHECK(wrong == 0);
  }
  SECTION("the edges") {
    CHECK(float_to_half(65504.0f) == 0x7BFF);
    CHECK(float_to_half(65519.996f) == 0x7BFF);
    CHECK(float_to_half(65520.0f) == 0x7C00);
    CHECK(float_to_half(0x1p-24f) == 0x0001);
    CHECK(float_to_half(0x1p-25f) == 0x0000);  // a tie, to the even 0
    CHECK(float_to_half(std::nextafter(0x1p-25f, 1.0f)) == 0x0001);
    CHECK(float_to_half(0x1.ff8p-15f) == 0x03FF);  // the largest subnormal
    CHECK(float_to_half(0x1.ffcp-15f) == 0x0400);  // a tie, up to the even smallest normal
    CHECK(float_to_half(-0.0f) == 0x8000);
    CHECK(float_to_bfloat16(std::numeric_limits<float>::max()) == 0x7F80);
    CHECK(float_to_bfloat16(1.00390625f) == 0x3F80);  // 1 + 2^-8: a tie, to the even 1
    CHECK(float_to_bfloat16(1.01171875f) == 0x3F82);  // 1 + 3 x 2^-8: a tie, to the even 1 + 2^-6
    CHECK(float_to_bfloat16(std::numeric_limits<float>::denorm_min()) == 0x0000);
  }
}

// --- Reading real layouts ----------------------------------------------------------------------

TEST_CASE("safetensors: gpt2's layout reads: odd N, data at an odd offset, 0-d and empty tensors",
          "[safetensors]") {
  // As gpt2/model.safetensors is written: keys in no order, no padding, so that N is odd and the
  // data starts unaligned; a mask buffer; a 0-d tensor like masked_bias; a zero-sized tensor.
  const std::string json = "{" + entry("h.0.attn.bias", "F32", "[1, 1, 2, 2]", 16, 32) + ", " +
                           entry("wte", "F32", "[2, 2]", 0, 16) + ", " +
                           entry("h.0.attn.masked_bias", "F32", "[]", 32, 36) + ", " +
                           entry("empty", "F16", "[0, 768]", 36, 36) + ", " +
                           entry("h.0.ln_1.weight", "BF16", "[3]", 36, 42) + ", " +
                           entry("h.0.ln_1.bias", "F16", "[3]", 42, 48) +
                           ", \"__metadata__\": {\"format\": \"pt\"}}";
  REQUIRE(json.size() % 2 == 1);
  std::string file = file_of(json, 48);
  const std::uint64_t data_offset = 8 + json.size();
  // wte = [1, -2, 0.5, -0], the mask all ones, masked_bias -10000, ln_1 in BF16 and F16.
  const std::uint32_t floats[] = {0x3F800000, 0xC0000000, 0x3F000000, 0x80000000, 0x3F800000,
                                  0x3F800000, 0x3F800000, 0x3F800000, 0xC61C4000};
  for (int i = 0; i < 9; ++i) {
    for (int b = 0; b < 4; ++b)
      file[data_offset + 4 * i + b] = static_cast<char>(floats[i] >> (8 * b));
  }
  const std::uint16_t halves[] = {0x3F80, 0xC040, 0x0001, 0x3C00, 0xFC00, 0x0001};
  for (int i = 0; i < 6; ++i) {
    file[data_offset + 36 + 2 * i] = static_cast<char>(halves[i] & 0xFF);
    file[data_offset + 37 + 2 * i] = static_cast<char>(halves[i] >> 8);
  }

  const SafetensorsHeader header = read_header(file);
  CHECK(header.header_length == json.size());
  CHECK(header.data_offset == data_offset);
  CHECK(header.data_length == 48);
  CHECK(header.metadata == std::map<std::string, std::string>{{"format", "pt"}});
  // In file order; the zero-sized tensor before the one that starts where it is (by offsets, then
  // name).
  std::vector<std::string> names;
  for (const SafetensorsTensor& tensor : header.tensors) names.push_back(tensor.name);
  CHECK(names == std::vector<std::string>{"wte", "h.0.attn.bias", "h.0.attn.masked_bias", "empty",
                                          "h.0.ln_1.weight", "h.0.ln_1.bias"});

  const SafetensorsTensor& wte = header.tensor("wte");
  CHECK(wte.file_offset % 2 == 1);
  CHECK(wte.dtype == SafetensorsDtype::F32);
  CHECK(wte.dtype_name == "F32");
  CHECK(wte.shape == std::vector<std::uint64_t>{2, 2});
  CHECK(wte.element_count == 4);
  const std::vector<float> wte_values = read_floats(file, wte);
  CHECK(wte_values == std::vector<float>{1.0f, -2.0f, 0.5f, -0.0f});
  CHECK(std::signbit(wte_values[3]));

  const SafetensorsTensor& masked_bias = header.tensor("h.0.attn.masked_bias");
  CHECK(masked_bias.shape.empty());
  CHECK(masked_bias.element_count == 1);
  CHECK(masked_bias.file_offset == data_offset + 32);
  CHECK(read_floats(file, masked_bias) == std::vector<float>{-10000.0f});

  const SafetensorsTensor& empty = header.tensor("empty");
  CHECK(empty.element_count == 0);
  CHECK(empty.byte_count() == 0);
  CHECK(read_floats(file, empty).empty());

  CHECK(read_floats(file, header.tensor("h.0.attn.bias")) == std::vector<float>(4, 1.0f));
  CHECK(read_floats(file, header.tensor("h.0.ln_1.weight")) ==
        std::vector<float>{1.0f, -3.0f, bfloat16_to_float(0x0001)});
  const std::vector<float> bias = read_floats(file, header.tensor("h.0.ln_1.bias"));
  CHECK(bias[0] == 1.0f);
  CHECK(bias[1] == -std::numeric_limits<float>::infinity());
  CHECK(bias[2] == 0x1p-24f);

  CHECK(header.find("lm_head.weight") == nullptr);
  CHECK(header.find("wte") == &header.tensors[0]);
  CHECK(message_of([&] { header.tensor("lm_head.weight"); }) ==
        "safetensors: no tensor \"lm_head.weight\" among the file's 6 tensors");
}

TEST_CASE("safetensors: every dtype's header reads with its size in bits", "[safetensors]") {
  for (const SafetensorsDtype dtype : every_dtype) {
    const std::string name = dtype_name(dtype);
    const std::uint64_t bytes = 8 * dtype_bits(dtype) / 8;  // 8 elements
    CAPTURE(name);
    const SafetensorsHeader header =
        read_header(file_of("{" + entry("t", name, "[2, 4]", 0, bytes) + "}", bytes));
    REQUIRE(header.tensors.size() == 1);
    CHECK(header.tensors[0].dtype == dtype);
    CHECK(header.tensors[0].dtype_name == name);
    CHECK(header.tensors[0].element_count == 8);
    CHECK(header.tensors[0].byte_count() == bytes);
  }
  CHECK(dtype_bits(SafetensorsDtype::F4) == 4);
  CHECK(dtype_bits(SafetensorsDtype::BF16) == 16);
  CHECK(dtype_bits(SafetensorsDtype::C64) == 64);
}

TEST_CASE("safetensors: white space around the header is allowed, anything else after it not",
          "[safetensors]") {
  const std::string tensor = "{" + entry("a", "F32", "[1]", 0, 4) + "}";
  CHECK(header_error(tensor + "     ", 4) == "");
  CHECK(header_error(" \t\r\n" + tensor + "\n\t ", 4) == "");  // the reference allows both
  CHECK_THAT(header_error(tensor + std::string(3, '\0'), 4), Contains("is not valid JSON"));
  CHECK_THAT(header_error(tensor + " x", 4), Contains("is not valid JSON"));
  CHECK_THAT(header_error(tensor + "{}", 4), Contains("is not valid JSON"));
  CHECK_THAT(header_error("\xEF\xBB\xBF" + tensor, 4), Contains("byte order mark"));
}

TEST_CASE("safetensors: a header of 100 MB of spaces is read or refused quickly", "[safetensors]") {
  // The largest N there is: an empty object padded to the limit reads (as the reference reads
  // it), spaces alone are not JSON; neither builds anything for the spaces.
  const auto n = static_cast<std::size_t>(SafetensorsLimits::max_header_bytes);
  std::string padded = "{}" + std::string(n - 2, ' ');
  const auto start = std::chrono::steady_clock::now();
  const SafetensorsHeader header = parse_safetensors_header(padded, 8 + n);
  CHECK(header.tensors.empty());
  padded[0] = padded[1] = ' ';
  CHECK_THAT(message_of([&] { parse_safetensors_header(padded, 8 + n); }),
             Contains("is not valid JSON"));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 30.0);  // about 1 s in Release, a few under the sanitizers
}

// --- Hostile headers ---------------------------------------------------------------------------

TEST_CASE("safetensors: N past the file, beyond 100 MB or too small is refused with the numbers",
          "[safetensors]") {
  CHECK(
      error_of(u64_bytes(100) + "{}") ==
      "safetensors: the header (8 + N = 8 + 100 bytes) runs past the end of the file of 10 bytes");
  CHECK(error_of(u64_bytes(100'000'001) + "{}") ==
        "safetensors: the header length N = 100000001 is larger than the limit of 100000000 bytes "
        "(is this a safetensors file?)");
  CHECK_THAT(error_of(u64_bytes(std::numeric_limits<std::uint64_t>::max()) + "{}"),
             Contains("N = 18446744073709551615 is larger than the limit"));
  CHECK(error_of(u64_bytes(0) + "{}") ==
        "safetensors: the header length N = 0 is too small for a JSON object (at least 2 bytes, "
        "\"{}\")");
  CHECK_THAT(error_of(u64_bytes(1) + "{}"), Contains("N = 1 is too small"));
  CHECK(error_of(std::string("\x02\0\0\0", 4)) ==
        "safetensors: a file of 4 bytes is too short for the header's 8-byte length");
  // The second step checks N against the file too, for a caller that skips the first.
  CHECK_THAT(message_of([] { parse_safetensors_header("{}", 9); }),
             Contains("(8 + N = 8 + 2 bytes) runs past the end of the file of 9 bytes"));
}

TEST_CASE("safetensors: a header that is not an object of tensor objects is refused",
          "[safetensors]") {
  CHECK_THAT(header_error("[1, 2]", 0), Contains("must be a JSON object, got an array of 2"));
  CHECK_THAT(header_error("\"weights\"", 0), Contains("got the string \"weights\""));
  CHECK_THAT(header_error("12", 0), Contains("got the number 12"));
  CHECK_THAT(header_error("{\"a\": 1", 0), Contains("safetensors header is not valid JSON"));
  CHECK(header_error(R"({"wte": [0, 4]})", 4) ==
        "safetensors header: tensor \"wte\" must be an object with dtype, shape and "
        "data_offsets, got an array of 2");
  CHECK(header_error(R"({"wte": "F32"})", 4) ==
        "safetensors header: tensor \"wte\" must be an object with dtype, shape and "
        "data_offsets, got the string \"F32\"");
  CHECK_THAT(header_error(R"({"wte": null})", 4), Contains("got null"));
  CHECK_THAT(header_error("{\"a\": {\"b\": \"\xC3\x28\"}}", 0), Contains("is not valid JSON"));
}

TEST_CASE("safetensors: a JSON error quotes little of the header", "[safetensors]") {
  // fuzz_safetensors's finding (tests/fuzz/corpus/safetensors/regressions/long-parse-error): an
  // invalid literal after 70 carriage returns made nlohmann quote all of them, "<U+000D>" each,
  // in a message of 488 bytes; a string of 100 MB would have been quoted whole.
  const std::string message =
      header_error("{\"a\": {\"shape\": [2" + std::string(70, '\r') + "\x1d]}}", 0);
  CHECK_THAT(message, Contains("safetensors header is not valid JSON") &&
                          Contains("; last read: '2<U+000D><U+000D><U+000D><U+000D>"));
  CHECK(message.size() < 250);
}

TEST_CASE("safetensors: deep nesting, duplicate keys and too many values are refused",
          "[safetensors]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_THAT(header_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4], "
                          "\"extra\": " +
                              deep + "}}",
                          4),
             Contains("safetensors header nests deeper than 32 levels"));
  CHECK_THAT(
      header_error(
          "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("a", "F32", "[1]", 0, 4) + "}", 4),
      Contains("gives the key \"a\" twice in one object"));
  CHECK_THAT(header_error(R"({"a": {"dtype": "F32", "dtype": "F16", "shape": [1], )"
                          R"("data_offsets": [0, 4]}})",
                          4),
             Contains("gives the key \"dtype\" twice"));
  std::string zeros = "{\"a\": {\"dtype\": \"F32\", \"shape\": [0";
  for (std::size_t i = 0; i < SafetensorsLimits::max_header_values; ++i) zeros += ",0";
  zeros += "], \"data_offsets\": [0, 0]}}";
  CHECK(header_error(zeros, 0) == "safetensors header holds more than 2000000 JSON values");
}

TEST_CASE(
    "safetensors: missing members are named, extra members are ignored as the reference "
    "ignores them",
    "[safetensors]") {
  CHECK(header_error(R"({"wte": {"shape": [1], "data_offsets": [0, 4]}})", 4) ==
        "safetensors header: tensor \"wte\": \"dtype\" is missing");
  CHECK(header_error(R"({"wte": {"dtype": "F32", "data_offsets": [0, 4]}})", 4) ==
        "safetensors header: tensor \"wte\": \"shape\" is missing");
  CHECK(header_error(R"({"wte": {"dtype": "F32", "shape": [1]}})", 4) ==
        "safetensors header: tensor \"wte\": \"data_offsets\" is missing");
  const SafetensorsHeader header = read_header(
      file_of(R"({"wte": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "offsets": "x", )"
              R"("layout": {"order": ["C"]}}})",
              4));
  CHECK(header.tensors.at(0).element_count == 1);
}

TEST_CASE("safetensors: an unknown dtype, or one whose size does not match the bytes, is named",
          "[safetensors]") {
  CHECK_THAT(header_error("{" + entry("wte", "F33", "[1]", 0, 4) + "}", 4),
             Contains("safetensors header: tensor \"wte\": dtype \"F33\" is not a safetensors "
                      "dtype (BOOL, F4, F6_E2M3, F6_E3M2, U8,"));
  CHECK_THAT(header_error("{" + entry("wte", "f32", "[1]", 0, 4) + "}", 4),
             Contains("dtype \"f32\" is not a safetensors dtype"));
  CHECK(header_error(R"({"wte": {"dtype": 4, "shape": [1], "data_offsets": [0, 4]}})", 4) ==
        "safetensors header: tensor \"wte\": dtype must be a string, got the number 4");
  CHECK(header_error("{" + entry("wte", "F16", "[4]", 0, 16) + "}", 16) ==
        "safetensors header: tensor \"wte\": shape [4] of F16 is 8 bytes (4 elements of 16 bits), "
        "but data_offsets [0, 16] span 16");
  CHECK_THAT(header_error("{" + entry("q", "F4", "[3]", 0, 2) + "}", 2),
             Contains("tensor \"q\": shape [3] of F4 is 12 bits, not a whole number of bytes"));
}

TEST_CASE("safetensors: a shape that is negative, fractional, too long or overflows is refused",
          "[safetensors]") {
  const auto shape_error = [](const std::string& shape) {
    return header_error("{" + entry("wte", "F32", shape, 0, 4) + "}", 4);
  };
  CHECK(shape_error("[-1]") ==
        "safetensors header: tensor \"wte\": shape[0] must be an integer from 0 to "
        "9007199254740992, got -1");
  CHECK_THAT(shape_error("[1, 1.5]"),
             Contains("shape[1] must be an integer") && Contains("got 1.5"));
  // Integral, but a float: the reference's usize refuses it as well.
  CHECK_THAT(shape_error("[1.0]"), Contains("shape[0] must be an integer") && Contains("got 1.0"));
  CHECK_THAT(shape_error("[1e0]"), Contains("got 1.0"));
  CHECK_THAT(shape_error("[\"1\"]"), Contains("got the string \"1\""));
  CHECK_THAT(shape_error("[true]"), Contains("got true"));
  CHECK_THAT(shape_error("{}"), Contains("shape must be an array of integers, got an object"));
  CHECK_THAT(shape_error("[18446744073709551616]"), Contains("got 1.8446744073709552e+19"));
  CHECK_THAT(shape_error("[2, 18446744073709551614]"),
             Contains("shape[1] must be an integer from 0 to 9007199254740992, got "
                      "18446744073709551614"));
  CHECK(shape_error("[1099511627776, 1099511627776]") ==
        "safetensors header: tensor \"wte\": shape [1099511627776, 1099511627776] has more than "
        "2^53 = 9007199254740992 elements");
  CHECK_THAT(shape_error("[1, 1, 1, 1, 1, 1, 1, 1, 1]"),
             Contains("shape has 9 dimensions, more than the limit of 8"));
  // A shape with a 0 has no elements, whatever its other dimensions.
  CHECK(header_error("{" + entry("wte", "F32", "[1099511627776, 1099511627776, 0]", 0, 0) + "}",
                     0) == "");
  // -0 is 0 (as the reference's serde_json reads it).
  CHECK(header_error("{" + entry("wte", "F32", "[-0]", 0, 0) + "}", 0) == "");
}

TEST_CASE("safetensors: offsets reversed, past the data, leaving holes or overlapping are named",
          "[safetensors]") {
  CHECK(header_error("{" + entry("wte", "F32", "[1]", 8, 4) + "}", 8) ==
        "safetensors header: tensor \"wte\": data_offsets [8, 4] begin after they end");
  const std::string past = "{" + entry("wte", "F32", "[4]", 0, 16) + "}";
  CHECK(header_error(past, 8) ==
        "safetensors header: tensor \"wte\": data_offsets [0, 16] end past the data section, "
        "which holds 8 bytes (a file of " +
            std::to_string(8 + past.size() + 8) +
            " bytes less 8 + N = " + std::to_string(8 + past.size()) + ")");
  CHECK_THAT(
      header_error(R"({"wte": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 4),
      Contains("data_offsets must be an array of two integers [begin, end], got an array of 1"));
  CHECK_THAT(
      header_error(R"({"wte": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}})", 4),
      Contains("got an array of 3"));
  CHECK_THAT(header_error(R"({"wte": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}})", 4),
             Contains("data_offsets[0] must be an integer from 0 to 18446744073709551615, got -4"));
  CHECK_THAT(
      header_error(R"({"wte": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4.0]}})", 4),
      Contains("data_offsets[1] must be an integer") && Contains("got 4.0"));
  CHECK(header_error(
            "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("b", "F32", "[1]", 8, 12) + "}",
            12) ==
        "safetensors header: bytes [4, 8) of the data section belong to no tensor: they lie "
        "between tensor \"a\" (data_offsets [0, 4]) and tensor \"b\" (data_offsets [8, 12])");
  CHECK(header_error("{" + entry("b", "F32", "[1]", 4, 8) + "}", 8) ==
        "safetensors header: bytes [0, 4) of the data section belong to no tensor: they lie "
        "before the first tensor, \"b\" (data_offsets [4, 8])");
  CHECK(header_error(
            "{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("b", "F32", "[2]", 4, 12) + "}",
            12) ==
        "safetensors header: tensors \"a\" (data_offsets [0, 8]) and \"b\" (data_offsets [4, 12]) "
        "overlap");
  // Two names for the same bytes, and a zero-byte tensor inside another.
  CHECK_THAT(
      header_error(
          "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("b", "F32", "[1]", 0, 4) + "}", 4),
      Contains("tensors \"a\" (data_offsets [0, 4]) and \"b\" (data_offsets [0, 4]) overlap"));
  CHECK_THAT(
      header_error(
          "{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("z", "F32", "[0]", 4, 4) + "}", 8),
      Contains("\"a\" (data_offsets [0, 8]) and \"z\" (data_offsets [4, 4]) overlap"));
  // Zero-byte tensors may share a place, at the start, between tensors or at the end.
  CHECK(header_error("{" + entry("z1", "F32", "[0]", 0, 0) + ", " +
                         entry("z2", "F16", "[0, 3]", 0, 0) + ", " +
                         entry("a", "F32", "[1]", 0, 4) + ", " + entry("z3", "F32", "[0]", 4, 4) +
                         "}",
                     4) == "");
}

TEST_CASE("safetensors: a file one byte too long or too short is refused", "[safetensors]") {
  const std::string json = "{" + entry("wte", "F32", "[2, 2]", 0, 16) + "}";
  CHECK(header_error(json, 16) == "");
  CHECK(header_error(json, 17) ==
        "safetensors header: the file goes on for 1 byte after the last tensor, \"wte\" "
        "(data_offsets [0, 16]), ends (a file of " +
            std::to_string(8 + json.size() + 17) + " bytes, data from byte " +
            std::to_string(8 + json.size()) + ")");
  CHECK_THAT(header_error(json, 15), Contains("tensor \"wte\": data_offsets [0, 16] end past the "
                                              "data section, which holds 15 bytes"));
  CHECK_THAT(header_error("{}", 4),
             Contains("the file goes on for 4 bytes after the header, which lists no tensor"));
}

TEST_CASE("safetensors: metadata must be an object of strings", "[safetensors]") {
  const std::string tensor = entry("wte", "F32", "[1]", 0, 4);
  CHECK(header_error("{\"__metadata__\": {\"format\": 1}, " + tensor + "}", 4) ==
        "safetensors header: __metadata__ \"format\" must be a string, got the number 1");
  CHECK(header_error("{\"__metadata__\": [\"pt\"], " + tensor + "}", 4) ==
        "safetensors header: __metadata__ must be an object of strings, got an array of 1");
  CHECK_THAT(header_error("{\"__metadata__\": {\"a\": {\"b\": \"c\"}}, " + tensor + "}", 4),
             Contains("__metadata__ \"a\" must be a string, got an object"));
  // null is no metadata, as the reference reads it.
  CHECK(read_header(file_of("{\"__metadata__\": null, " + tensor + "}", 4)).metadata.empty());
}

TEST_CASE("safetensors: names that are empty or hold NUL are refused", "[safetensors]") {
  CHECK(header_error("{" + entry("", "F32", "[1]", 0, 4) + "}", 4) ==
        "safetensors header: a tensor has an empty name");
  CHECK(header_error("{" + entry("h.0\\u0000bias", "F32", "[1]", 0, 4) + "}", 4) ==
        "safetensors header: tensor \"h.0\\u0000bias\": the name holds a NUL character");
  // A NUL byte as it is: not even JSON.
  CHECK_THAT(header_error(std::string("{\"h.0\0bias\": {}}", 16), 0),
             Contains("is not valid JSON") && Contains("NUL"));
  // A long name is cut in messages.
  const std::string long_name(1000, 'x');
  const std::string message = header_error("{" + entry(long_name, "F99", "[1]", 0, 4) + "}", 4);
  CHECK_THAT(message, Contains("tensor \"" + std::string(80, 'x') + "\"...: dtype \"F99\""));
  CHECK(message.size() < 400);
}

TEST_CASE("safetensors: more tensors than the limit are refused", "[safetensors]") {
  std::string json = "{";
  for (std::size_t i = 0; i <= SafetensorsLimits::max_tensors; ++i) {
    json += (i ? "," : "") + entry("t" + std::to_string(i), "F32", "[0]", 0, 0);
  }
  json += "}";
  CHECK(header_error(json, 0) ==
        "safetensors header lists 100001 tensors, more than the limit of 100000");
}

// --- Converting --------------------------------------------------------------------------------

TEST_CASE("safetensors: only F32, F16 and BF16 convert, from exactly their bytes",
          "[safetensors]") {
  const std::string json = "{" + entry("h.0.attn.bias", "I64", "[2]", 0, 16) + ", " +
                           entry("wte", "F32", "[2]", 16, 24) + "}";
  const std::string file = file_of(json, 24);
  const SafetensorsHeader header = read_header(file);
  float out[2];
  const SafetensorsTensor& bias = header.tensor("h.0.attn.bias");
  CHECK(
      message_of([&] { read_tensor_as_float(bias, bytes_at(file, bias.file_offset), 16, out); }) ==
      "safetensors tensor \"h.0.attn.bias\": dtype I64 is not supported; F32, F16 and BF16 are");
  const SafetensorsTensor& wte = header.tensor("wte");
  CHECK(message_of([&] { read_tensor_as_float(wte, bytes_at(file, wte.file_offset), 12, out); }) ==
        "safetensors tensor \"wte\": 12 bytes given, but the tensor has 8 (data_offsets [16, 24])");
  // A tensor description that contradicts itself is caught before anything is written to `out`.
  SafetensorsTensor inconsistent = wte;
  inconsistent.element_count = 3;
  CHECK_THAT(message_of([&] {
               read_tensor_as_float(inconsistent, bytes_at(file, wte.file_offset), 8, out);
             }),
             Contains("3 elements of F32 are not 8 bytes"));
}

TEST_CASE("safetensors: the first non-finite value is found and named by its position",
          "[safetensors]") {
  SafetensorsTensor tensor;
  tensor.name = "wte";
  tensor.shape = {2, 3};
  tensor.element_count = 6;
  std::vector<float> values = {0, 1, 2, 3, 4, 5};
  CHECK(first_non_finite(values.data(), values.size()) == 6);
  CHECK_NOTHROW(require_finite_tensor(tensor, values.data()));
  values[4] = std::numeric_limits<float>::quiet_NaN();
  values[5] = std::numeric_limits<float>::infinity();
  CHECK(first_non_finite(values.data(), values.size()) == 4);
  CHECK(message_of([&] { require_finite_tensor(tensor, values.data()); }) ==
        "safetensors tensor \"wte\": element [1, 1] (index 4) is nan; the model's values must be "
        "finite");
}

// --- Writing -----------------------------------------------------------------------------------

TEST_CASE("safetensors: the writer's bytes are the reference writer's for one tensor or none",
          "[safetensors]") {
  // The reference's own tests (tensor.rs: test_empty, and its metadata case) give these bytes.
  CHECK(write_safetensors({}) == u64_bytes(8) + "{}      ");
  CHECK(write_safetensors({}, {{"framework", "pt"}}) ==
        u64_bytes(40) + "{\"__metadata__\":{\"framework\":\"pt\"}}     ");
  // One tensor: the same length and padding as the reference's (its keys come in another order):
  // 64 bytes of JSON need no padding, 65 get 7 spaces.
  const float values[] = {0, 1, 2, 3, 4, 5};
  const std::string file =
      write_safetensors({{"attn.0", {1, 2, 3}, SafetensorsDtype::F32, values}});
  CHECK(file.substr(0, 8) == u64_bytes(64));
  CHECK(file.substr(8, 64) ==
        "{\"attn.0\":{\"data_offsets\":[0,24],\"dtype\":\"F32\",\"shape\":[1,2,3]}}");
  CHECK(file.size() == 8 + 64 + 24);
  CHECK(file.substr(8 + 64 + 4, 4) == std::string("\x00\x00\x80\x3F", 4));  // 1.0f
  const std::string padded =
      write_safetensors({{"attn0", {1, 1, 2, 3}, SafetensorsDtype::F32, values}});
  CHECK(padded.substr(0, 8) == u64_bytes(72));
  CHECK(padded.substr(8, 72) ==
        "{\"attn0\":{\"data_offsets\":[0,24],\"dtype\":\"F32\",\"shape\":[1,1,2,3]}}       ");
}

TEST_CASE("safetensors: written files read back: exact for F32, exact for what F16 and BF16 hold",
          "[safetensors]") {
  // F32: every kind of float; F16 and BF16: every finite value of the format.
  std::vector<float> f32 = {0.0f,
                            -0.0f,
                            1.0f,
                            -1.5f,
                            std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::min(),
                            std::numeric_limits<float>::denorm_min(),
                            1e-40f,
                            3.14159265f};
  std::vector<float> halves, bfloat16s;
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const float half = half_to_float(static_cast<std::uint16_t>(bits));
    const float bfloat16 = bfloat16_to_float(static_cast<std::uint16_t>(bits));
    if (std::isfinite(half)) halves.push_back(half);
    if (std::isfinite(bfloat16)) bfloat16s.push_back(bfloat16);
  }
  const std::vector<SafetensorsTensorToWrite> tensors = {
      {"z.f32", {2, 5}, SafetensorsDtype::F32, f32.data()},
      {"a.f16", {halves.size()}, SafetensorsDtype::F16, halves.data()},
      {"scalar", {}, SafetensorsDtype::F32, f32.data() + 2},
      {"empty", {3, 0}, SafetensorsDtype::BF16, nullptr},
      {"m.bf16", {bfloat16s.size() / 2, 2}, SafetensorsDtype::BF16, bfloat16s.data()},
  };
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "caf\xC3\xA9"}};
  const std::string file = write_safetensors(tensors, metadata);

  const SafetensorsHeader header = read_header(file);
  CHECK(header.data_offset % 8 == 0);
  CHECK(header.metadata == metadata);
  REQUIRE(header.tensors.size() == tensors.size());
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    // The data lies in the order given.
    const SafetensorsTensor& read = header.tensors[i];
    CAPTURE(read.name);
    CHECK(read.name == tensors[i].name);
    CHECK(read.dtype == tensors[i].dtype);
    CHECK(read.shape == tensors[i].shape);
    CHECK(read.data_begin == offset);
    offset = read.data_end;
    const std::vector<float> values = read_floats(file, read);
    for (std::size_t j = 0; j < values.size(); ++j) {
      REQUIRE(bits_of(values[j]) == bits_of(tensors[i].values[j]));
    }
  }
}

TEST_CASE("safetensors: the writer refuses what a reader would refuse or could not hold",
          "[safetensors]") {
  const float values[] = {1.0f, 70000.0f, std::numeric_limits<float>::quiet_NaN(), 3.4e38f};
  const auto error = [](const std::vector<SafetensorsTensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata = {}) {
    return message_of([&] { write_safetensors(tensors, metadata); });
  };
  const auto F32 = SafetensorsDtype::F32;
  CHECK(error({{"wte", {2}, SafetensorsDtype::F16, values}}) ==
        "safetensors writer: tensor \"wte\": element [1] (index 1) is 70000, beyond F16's largest "
        "value 65504");
  CHECK(error({{"wte", {1, 4}, SafetensorsDtype::BF16, values}}) ==
        "safetensors writer: tensor \"wte\": element [0, 2] (index 2) is nan; NaN and infinity are "
        "not written");
  CHECK(error({{"wte", {1}, SafetensorsDtype::BF16, values + 3}}) ==
        "safetensors writer: tensor \"wte\": element [0] (index 0) is 3.4e+38, beyond BF16's "
        "largest value 3.3895314e38");
  CHECK(error({{"wte", {1}, SafetensorsDtype::I32, values}}) ==
        "safetensors writer: tensor \"wte\": dtype I32 cannot be written from floats; F32, F16 "
        "and BF16 can");
  CHECK(error({{"", {1}, F32, values}}) == "safetensors writer: a tensor has an empty name");
  CHECK(error({{std::string("a\0b", 3), {1}, F32, values}}) ==
        "safetensors writer: tensor \"a\\u0000b\": the name holds a NUL character");
  CHECK(error({{"__metadata__", {1}, F32, values}}) ==
        "safetensors writer: tensor \"__metadata__\": the name is the header's key for metadata");
  CHECK(error({{"wte", {1}, F32, values}, {"wte", {1}, F32, values}}) ==
        "safetensors writer: tensor \"wte\" is given twice");
  CHECK(error({{"w\xFF", {1}, F32, values}}) ==
        "safetensors writer: tensor \"w\xEF\xBF\xBD\": the name is not valid UTF-8");
  CHECK(error({{"wte", {1}, F32, values}}, {{"format", "\xC0"}}) ==
        "safetensors writer: __metadata__ \"format\" is not valid UTF-8");
  CHECK(error({{"wte", {2}, F32, nullptr}}) ==
        "safetensors writer: tensor \"wte\": no values for shape [2]");
  CHECK_THAT(error({{"wte", {1, 1, 1, 1, 1, 1, 1, 1, 1}, F32, values}}),
             Contains("9 dimensions, more than the limit of 8"));
  CHECK_THAT(error({{"wte", {1u << 30, 1u << 30, 1u << 30}, F32, values}}),
             Contains("has more than 2^53"));
  // A failed append leaves `out` as it was.
  std::string out = "abc";
  CHECK_THROWS(append_tensor_bytes({"wte", {4}, SafetensorsDtype::F16, values}, out));
  CHECK(out == "abc");
}
