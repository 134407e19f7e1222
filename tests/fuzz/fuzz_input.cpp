#include "fuzz_input.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>

namespace fuzz {

namespace {

constexpr std::uint8_t raw_bits_code = 20;

float palette(std::uint8_t code) {
  using limits = std::numeric_limits<float>;
  constexpr std::array<float, raw_bits_code> values = {limits::quiet_NaN(),
                                                       limits::infinity(),
                                                       -limits::infinity(),
                                                       1e38f,
                                                       -1e38f,
                                                       limits::max(),
                                                       -limits::max(),
                                                       limits::denorm_min(),
                                                       -limits::denorm_min(),
                                                       limits::min(),
                                                       1e-40f,
                                                       0.0f,
                                                       -0.0f,
                                                       1e30f,
                                                       -1e30f,
                                                       1e18f,
                                                       -1e18f,
                                                       1.0f,
                                                       -1.0f,
                                                       1e-30f};
  return values[code];
}

float magnitude_of(std::uint8_t code) {
  constexpr std::array<float, 8> magnitudes = {1e18f, 1e30f, 1e-30f, 1e-40f,
                                               1e15f, 1e19f, 1e37f,  0x1p-140f};
  const int index = code % 16;
  return index < 8 ? 1.0f : magnitudes[static_cast<std::size_t>(index - 8)];
}

}  // namespace

ByteReader::ByteReader(const std::uint8_t* data, std::size_t size)
    : data_(data),
      size_(size),
      filler_(spotlight::fnv1a64(std::string_view(reinterpret_cast<const char*>(data), size))) {}

std::uint8_t ByteReader::byte() { return exhausted() ? 0 : data_[position_++]; }

std::uint32_t ByteReader::word() {
  std::uint32_t result = 0;
  for (int shift = 0; shift < 32; shift += 8) result |= static_cast<std::uint32_t>(byte()) << shift;
  return result;
}

Index ByteReader::size(Index max) { return static_cast<Index>(byte()) % (max + 1); }

std::string ByteReader::text(std::size_t max_length) {
  const std::size_t length = byte() % (max_length + 1);
  std::string result;
  for (std::size_t i = 0; i < length && !exhausted(); ++i)
    result.push_back(static_cast<char>(byte()));
  return result;
}

float ByteReader::value(float magnitude) {
  if (exhausted()) return filler_.uniform_symmetric(2.0f) * magnitude;
  const std::uint8_t code = byte();
  if (code < raw_bits_code) return palette(code);
  if (code == raw_bits_code) {
    const std::uint32_t bits = word();
    float raw;
    std::memcpy(&raw, &bits, sizeof raw);
    return raw;
  }
  return static_cast<float>(static_cast<int>(code) - 138) / 16.0f * magnitude;
}

float ByteReader::magnitude() { return magnitude_of(byte()); }

Matrix ByteReader::matrix(Index rows, Index cols) { return matrix(rows, cols, magnitude()); }

Matrix ByteReader::matrix(Index rows, Index cols, float magnitude) {
  Matrix result(rows, cols);
  for (Index row = 0; row < rows; ++row) {
    for (Index col = 0; col < cols; ++col) result(row, col) = value(magnitude);
  }
  return result;
}

AttentionCase read_attention_case(ByteReader& reader, Index n_k) {
  AttentionCase result;
  const std::uint8_t flags = reader.byte();
  result.options.causal = (flags & 1) != 0;
  if ((flags & 2) != 0) result.options.scale = reader.value();
  const std::uint8_t temperature = reader.byte();
  if (temperature < 13) {
    result.options.temperature = std::pow(10.0f, static_cast<float>(temperature) - 6.0f);
  } else if (temperature < 20) {
    result.options.temperature = reader.value();
  }
  if ((flags & 4) != 0) {
    const Index length = reader.byte() % 8 == 7 ? n_k + 1 : n_k;
    for (Index key = 0; key < length; ++key) {
      result.options.key_padding_mask.push_back(reader.byte() & 1);
    }
  }
  result.unscaled = (flags & 8) != 0;
  result.run_kernels = (flags & 16) != 0;
  result.tiles.queries = 1 + reader.byte() % 70;
  result.tiles.keys = 1 + reader.byte() % 70;
  return result;
}

int write_seed_files(const std::string& directory, const Seeds& seeds) {
  std::filesystem::create_directories(directory);
  for (const auto& [name, bytes] : seeds) {
    std::ofstream file(std::filesystem::path(directory) / name, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file) {
      std::fprintf(stderr, "could not write %s/%s\n", directory.c_str(), name.c_str());
      return 1;
    }
  }
  std::printf("wrote %zu seeds to %s\n", seeds.size(), directory.c_str());
  return 0;
}

void write_seeds_if_asked(int argc, char** argv, int (*write_seeds)(const std::string& directory)) {
  const std::string_view flag = "--write-seeds=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument.substr(0, flag.size()) == flag) {
      std::exit(write_seeds(std::string(argument.substr(flag.size()))));
    }
  }
}

}  // namespace fuzz
