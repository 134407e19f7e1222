// Deterministic random numbers, bit-identical on every platform and compiler.
//
// std::uniform_real_distribution is not used: its algorithm is left to the standard library, so the
// same seed gives different numbers under libstdc++, libc++ and the wasm build's libc++. Instead:
//
//   SplitMix64 (Steele, Lea & Flood 2014): state += 0x9E3779B97F4A7C15, then the output is the state
//   mixed by  z = (z ^ z>>30) * 0xBF58476D1CE4E5B9;  z = (z ^ z>>27) * 0x94D049BB133111EB;  z ^ z>>31.
//
//   A float uniform in [-limit, limit) is made from the top 24 bits of one output, k in [0, 2^24):
//   float(k - 2^23) * (limit * 2^-23). Every step is exact except the one final multiplication, which
//   IEEE 754 rounds the same way everywhere (and a single product leaves nothing to fuse into an FMA).
#pragma once

#include <cstdint>
#include <string_view>

namespace spotlight {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next();

  // Uniform in [-limit, limit), with 2^24 evenly spaced values; see the header comment.
  float uniform_symmetric(float limit);

 private:
  std::uint64_t state_;
};

// The SplitMix64 output function applied once to `value`: a well-mixed 64-bit hash of it.
std::uint64_t mix64(std::uint64_t value);

// FNV-1a, 64-bit, over the bytes of `bytes` (for tokens: their UTF-8 encoding).
std::uint64_t fnv1a64(std::string_view bytes);

}  // namespace spotlight
