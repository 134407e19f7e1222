// CRC-32 as IEEE 802.3, zlib, PNG and gzip compute it: the reflected polynomial 0xEDB88320,
// register preset to 0xFFFFFFFF and the result inverted. Its check value, the CRC-32 of the nine
// ASCII bytes "123456789", is 0xCBF43926. It detects every error burst of up to 32 bits, so every
// damaged byte of a checkpoint (checkpoint.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace spotlight {

// The CRC-32 of `size` bytes at `data` (data may be null when size is 0). With `previous`, the
// CRC-32 of bytes that came before: crc32(b, crc32(a)) is the CRC-32 of a then b, so a stream read
// piece by piece is checked without holding it.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t previous = 0);

}  // namespace spotlight
