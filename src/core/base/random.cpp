#include "base/random.h"

namespace spotlight {

namespace {
constexpr std::uint64_t golden_gamma = 0x9E3779B97F4A7C15ULL;
}

std::uint64_t mix64(std::uint64_t value) {
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

std::uint64_t SplitMix64::next() {
  state_ += golden_gamma;
  return mix64(state_);
}

float SplitMix64::uniform_symmetric(float limit) {
  const auto top24 = static_cast<std::int32_t>(next() >> 40);  // in [0, 2^24)
  const auto centred = static_cast<float>(top24 - (1 << 23));  // exact: |value| <= 2^23
  const float step = limit * 0x1p-23f;                          // exact: a power-of-two scaling
  return centred * step;
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

}  // namespace spotlight
