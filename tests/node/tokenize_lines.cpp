// The native side of tests/node/bpe-peer.test.js, which compares the core's byte-level BPE
// tokenizer (src/core/data/bpe_tokenizer.h) with npm's gpt-3-encoder:
//
//   spotlight_tokenize_lines VOCAB.json MERGES.txt [--time]  < lines  > lines
//     Reads one JSON value a line: a string (its UTF-8 is encoded) or an array of byte values
//     (those bytes are encoded as they are, valid UTF-8 or not). Writes one JSON object a line:
//       {"ids": [...], "spans": [[begin, end], ...], "pieces": [[begin, end], ...],
//        "decoded": "..."}
//     the token ids, each token's bytes of the input, the pre-split's pieces as bytes of the
//     input (gpt2_split.h), and decode(ids) (which, for bytes that are not UTF-8, is the input
//     with U+FFFD for each invalid sequence). With --time, the encoding of every line is timed
//     again, 10 passes, and the fastest pass is reported on stderr.
//   spotlight_tokenize_lines --classes
//     Writes the letter, number and space ranges of character_class (unicode_classes.h) over every
//     code point: {"letter": [[first, last], ...], "number": [...], "space": [...]}.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "base/json.h"
#include "data/bpe_tokenizer.h"
#include "data/gpt2_split.h"
#include "data/unicode_classes.h"

namespace {

using spotlight::Json;

std::string file_bytes(const char* path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(std::string("cannot read ") + path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// A line of input as the bytes to encode.
std::string input_bytes(const std::string& line) {
  const Json value = Json::parse(line);
  if (value.is_string()) return value.get<std::string>();
  std::string bytes;
  for (const Json& byte : value) bytes += static_cast<char>(byte.get<int>());
  return bytes;
}

Json byte_ranges(const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  Json result = Json::array();
  for (const auto& [begin, end] : ranges) result.push_back({begin, end});
  return result;
}

Json encoded_line(const spotlight::BpeTokenizer& tokenizer, const std::string& text) {
  const std::vector<spotlight::BpeToken> tokens = tokenizer.encode(text);
  spotlight::TokenSequence ids;
  std::vector<std::pair<std::size_t, std::size_t>> spans, pieces;
  for (const spotlight::BpeToken& token : tokens) {
    ids.push_back(token.id);
    spans.emplace_back(token.begin, token.end);
  }
  for (const std::string_view piece : spotlight::split_gpt2(text)) {
    const auto begin = static_cast<std::size_t>(piece.data() - text.data());
    pieces.emplace_back(begin, begin + piece.size());
  }
  return Json{{"ids", ids},
              {"spans", byte_ranges(spans)},
              {"pieces", byte_ranges(pieces)},
              {"decoded", tokenizer.decode(ids)}};
}

void print_classes() {
  using spotlight::CharacterClass;
  Json ranges = {{"letter", Json::array()}, {"number", Json::array()}, {"space", Json::array()}};
  const char* const names[] = {nullptr, "letter", "number", "space"};
  CharacterClass previous = CharacterClass::other;
  for (char32_t code_point = 0; code_point <= 0x110000; ++code_point) {
    const CharacterClass current =
        code_point < 0x110000 ? spotlight::character_class(code_point) : CharacterClass::other;
    if (current == previous) continue;
    if (previous != CharacterClass::other) {
      ranges[names[static_cast<int>(previous)]].back()[1] = std::uint32_t{code_point} - 1;
    }
    if (current != CharacterClass::other) {
      ranges[names[static_cast<int>(current)]].push_back(
          {std::uint32_t{code_point}, std::uint32_t{code_point}});
    }
    previous = current;
  }
  std::cout << ranges.dump() << '\n';
}

// The fastest of 10 passes that encode every text, on stderr.
void report_time(const spotlight::BpeTokenizer& tokenizer, const std::vector<std::string>& texts) {
  std::size_t bytes = 0, tokens = 0;
  for (const std::string& text : texts) {
    bytes += text.size();
    tokens += tokenizer.encode(text).size();
  }
  double fastest = 1e300;
  for (int pass = 0; pass < 10; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& text : texts) tokenizer.encode(text);
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    fastest = std::min(fastest, seconds.count());
  }
  std::fprintf(stderr,
               "encoded %zu lines, %zu bytes, %zu tokens in %.3f ms (fastest of 10 passes): "
               "%.1f MB/s, %.2f million tokens/s\n",
               texts.size(), bytes, tokens, fastest * 1e3, double(bytes) / fastest / 1e6,
               double(tokens) / fastest / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments == std::vector<std::string>{"--classes"}) {
    print_classes();
    return 0;
  }
  const bool time = arguments.size() == 3 && arguments[2] == "--time";
  if (arguments.size() != 2 && !time) {
    std::cerr << "usage: " << argv[0] << " VOCAB.json MERGES.txt [--time] < lines\n"
              << "       " << argv[0] << " --classes\n";
    return 2;
  }
  try {
    const spotlight::BpeTokenizer tokenizer =
        spotlight::BpeTokenizer::from_vocab_and_merges(file_bytes(argv[1]), file_bytes(argv[2]));
    std::vector<std::string> texts;
    for (std::string line; std::getline(std::cin, line);) {
      texts.push_back(input_bytes(line));
      std::cout << encoded_line(tokenizer, texts.back()).dump() << '\n';
    }
    if (time) report_time(tokenizer, texts);
  } catch (const std::exception& error) {
    std::cerr << argv[0] << ": " << error.what() << '\n';
    return 1;
  }
  return 0;
}
