// Editing a checkpoint file's bytes (src/core/model/checkpoint.h) for the tests that damage one:
// the Catch2 tests of the format and its fuzz target. Little-endian fields, and the CRC-32 of the
// last 4 bytes written again so that a load reaches the check under test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/crc32.h"

namespace checkpoint_bytes {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t crc_bytes = 4;

inline std::uint32_t get_u32(const Bytes& bytes, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 4; i-- > 0;) value = value << 8 | bytes[offset + i];
  return value;
}

inline void put_u32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

inline void put_f32(Bytes& bytes, std::size_t offset, float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  put_u32(bytes, offset, bits);
}

// `bytes` with its last 4 replaced by the CRC-32 of the others.
inline Bytes resealed(Bytes bytes) {
  put_u32(bytes, bytes.size() - crc_bytes, spotlight::crc32(bytes.data(), bytes.size() - crc_bytes));
  return bytes;
}

}  // namespace checkpoint_bytes
