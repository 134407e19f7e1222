// Turns the fuzzer's bytes into the core's arguments: sizes, options and float values.
//
// Bytes are read front to back. Past the end, every byte reads as 0 and every value comes from a
// SplitMix64 stream seeded by the input, so a short input still gives full matrices of ordinary
// numbers and the fuzzer spends its bytes on the fields that matter. tests/fuzz/make_seeds.py
// writes inputs in this format; keep the two in step.
//
// A value is one byte c:
//   c <= 20   the palette below; c == 20 reads 4 more bytes as the raw bits of a float
//   c >= 21   an ordinary number (c - 138) / 16, in [-7.3, 7.3], times the matrix's magnitude
// Palette: NaN, +Inf, -Inf, 1e38, -1e38, FLT_MAX, -FLT_MAX, the smallest denormal and its
// negative, FLT_MIN, 1e-40 (denormal), 0, -0, 1e30, -1e30, 1e18, -1e18, 1, -1, 1e-30, raw bits.
//
// A matrix's magnitude is one byte m, m % 16: 0-7 -> 1, 8 -> 1e18, 9 -> 1e30, 10 -> 1e-30,
// 11 -> 1e-40, 12 -> 1e15, 13 -> 1e19, 14 -> 1e37, 15 -> 2^-140: huge embeddings and denormals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attention/attention.h"
#include "base/matrix.h"
#include "base/random.h"
#include "kernels/attention_kernels.h"

namespace fuzz {

// Hand-made inputs of a target, by file name.
using Seeds = std::vector<std::pair<std::string, std::string>>;
// Writes each seed to directory/name (creating the directory); 0, or 1 after a message naming
// the file that could not be written.
int write_seed_files(const std::string& directory, const Seeds& seeds);

// For the targets with hand-made seeds, from LLVMFuzzerInitialize: given --write-seeds=DIR among
// the arguments, exits with write_seeds(DIR)'s status (the seeds' writer, in the target's source);
// otherwise returns, and libFuzzer runs as usual.
void write_seeds_if_asked(int argc, char** argv, int (*write_seeds)(const std::string& directory));

using spotlight::Index;
using spotlight::Matrix;

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size);

  bool exhausted() const { return position_ >= size_; }
  std::uint8_t byte();                       // 0 past the end
  std::uint32_t word();                      // 4 bytes, little-endian
  Index size(Index max);                     // byte % (max + 1): 0 .. max
  std::string text(std::size_t max_length);  // a length byte, then that many bytes

  // One value as described above; `magnitude` multiplies the ordinary numbers.
  float value(float magnitude = 1.0f);
  float magnitude();  // reads a magnitude byte
  // (rows, cols) values after one magnitude byte.
  Matrix matrix(Index rows, Index cols);
  Matrix matrix(Index rows, Index cols, float magnitude);

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
  spotlight::SplitMix64 filler_;
};

// Options and shape faults for the attention entry points. Reads, in order:
//   flags byte: bit 0 causal, bit 1 an explicit scale (a value follows), bit 2 a key padding mask,
//               bit 3 unscaled (dot_product_attention), bit 4 also run the kernels with these tiles
//   [scale value]
//   temperature byte t: t < 13 -> 10^(t - 6), from 1e-6 to 1e6; t < 20 -> a value; else 1
//   [mask: fault byte (1 in 8: one entry too many), then one byte per key, bit 0 = ignore the key]
//   tiles: query tile size byte, key tile size byte (1 + byte % 70 each)
struct AttentionCase {
  spotlight::AttentionOptions options;
  bool unscaled = false;
  bool run_kernels = false;
  spotlight::TileSizes tiles;
};
AttentionCase read_attention_case(ByteReader& reader, Index n_k);

}  // namespace fuzz
