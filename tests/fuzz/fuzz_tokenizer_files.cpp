// libFuzzer target over the files of GPT-2's tokenizer (src/core/data/bpe_tokenizer.h), built
// with AddressSanitizer and UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt). The first
// byte picks the mode (mod 3):
//   0  vocab and merges  the rest, up to its first NUL byte, is vocab.json, and what follows is
//                        merges.txt (none without a NUL)
//   1  tokenizer.json    the rest is tokenizer.json
//   2  built             the rest builds valid files (read_built_case below): the 256 byte tokens,
//                        short tokens of a few bytes, merges that split them anywhere in any
//                        order (so a merge's tokens often come from later merges, or none), and
//                        a text; the files must load
// A load either returns or throws std::invalid_argument with a message (fuzz_rules.h) of at most
// 400 bytes unless it quotes a JSON syntax error; a loaded tokenizer must encode its text (a fixed
// text in modes 0 and 1) by the rules of bpe_rules.h, which compare the ids with the naive merge
// loop of tests/core/support/bpe_reference.h.
//
// The seeds in tests/fuzz/corpus/tokenizer_files/seeds come from this target itself (in
// build/sanitize/tests/fuzz): fuzz_tokenizer_files --write-seeds=DIR
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/json.h"
#include "bpe_reference.h"
#include "bpe_rules.h"
#include "data/bpe_tokenizer.h"
#include "fuzz_input.h"
#include "fuzz_rules.h"

namespace fuzz {

namespace {

using spotlight::BpeTokenizer;
using spotlight::Json;

constexpr std::uint8_t vocab_and_merges_mode = 0, tokenizer_json_mode = 1, built_mode = 2;
constexpr std::size_t longest_message = 400;

// The text a loaded tokenizer of modes 0 and 1 encodes: every branch of the pre-split, a
// contraction in capitals, white space of several kinds, invalid bytes and a lone surrogate's.
const std::string fixed_text =
    "Hello world's 12 cats'LL  \t\n\n don't!!! \xC3\xA9\xCC\x81 \xE6\x97\xA5\xE6\x9C\xAC "
    "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\xC2\xA0x\xEF\xBB\xBF\xFF\xED\xA0\x80\xE2\x82 "
    "<|endoftext|>   ";

std::string byte_level(const std::string& bytes) { return reference::byte_level_string(bytes); }

// Loads with `load`; checks the rules of a rejection, or encodes `text` by bpe_rules.h.
template <typename Load>
void check_load(Load&& load, const std::string& text, bool must_load) {
  std::optional<BpeTokenizer> tokenizer;
  const bool loaded = completes("load", [&] { tokenizer.emplace(load()); });
  if (!loaded) {
    rule(!must_load, "valid files were rejected: ", last_rejection);
    rule(last_rejection.size() <= longest_message ||
             last_rejection.find("is not valid JSON") != std::string::npos,
         "a rejection of ", last_rejection.size(),
         " bytes: ", last_rejection.substr(0, longest_message));
    return;
  }
  check_encoding(*tokenizer, reference_of(*tokenizer), text);
}

struct BuiltCase {
  std::vector<std::string> tokens;  // byte strings, after the 256 single bytes
  std::vector<std::pair<std::string, std::string>> merges;
  std::string text;
};

// Bytes of the built tokens and texts: letters, a space, an apostrophe, a digit, the two bytes of
// "é" and a byte that is never UTF-8, so that pieces of every class and invalid bytes occur.
char alphabet_byte(std::uint8_t byte) {
  static const char alphabet[] = {'a', 'b', 'c', ' ', '\'', '1', '\xC3', '\xA9', '\xFF', 's'};
  return alphabet[byte % sizeof alphabet];
}

// Reads, in order: a token count byte (% 24), per token a length byte (2 + % 5) and its bytes
// (alphabet_byte); a merge count byte (% 40), per merge a token byte (% count) and a cut byte
// (1 + % (length - 1)), which splits that token in two; the two halves become tokens too. The
// rest is the text, alphabet_byte of each byte but bytes from 0xF0 up, which stay raw.
BuiltCase read_built_case(ByteReader& in) {
  BuiltCase built;
  std::set<std::string> known;
  for (int byte = 0; byte < 256; ++byte) known.insert(std::string(1, static_cast<char>(byte)));
  const auto add_token = [&](const std::string& token) {
    if (known.insert(token).second) built.tokens.push_back(token);
  };
  const int token_count = in.byte() % 24;
  std::vector<std::string> longer;
  for (int i = 0; i < token_count; ++i) {
    std::string token;
    for (int length = 2 + in.byte() % 5; length > 0; --length) token += alphabet_byte(in.byte());
    add_token(token);
    longer.push_back(token);
  }
  std::set<std::pair<std::string, std::string>> merged;
  const int merge_count = longer.empty() ? 0 : in.byte() % 40;
  for (int i = 0; i < merge_count; ++i) {
    const std::string& token = longer[in.byte() % longer.size()];
    const std::size_t cut = 1 + in.byte() % (token.size() - 1);
    std::pair<std::string, std::string> merge{token.substr(0, cut), token.substr(cut)};
    if (!merged.insert(merge).second) continue;
    add_token(merge.first);
    add_token(merge.second);
    built.merges.push_back(std::move(merge));
  }
  while (!in.exhausted()) {
    const std::uint8_t byte = in.byte();
    built.text += byte >= 0xF0 ? static_cast<char>(byte) : alphabet_byte(byte);
  }
  return built;
}

std::string vocab_json(const std::vector<std::string>& tokens) {
  Json vocab = Json::object();
  for (int byte = 0; byte < 256; ++byte)
    vocab[byte_level(std::string(1, static_cast<char>(byte)))] = byte;
  for (std::size_t i = 0; i < tokens.size(); ++i) vocab[byte_level(tokens[i])] = 256 + i;
  return vocab.dump();
}

std::string merges_txt(const std::vector<std::pair<std::string, std::string>>& merges) {
  std::string text = "#version: 0.2\n";
  for (const auto& [left, right] : merges)
    text += byte_level(left) + " " + byte_level(right) + "\n";
  return text;
}

void fuzz_built(ByteReader& in) {
  const BuiltCase built = read_built_case(in);
  const std::string vocab = vocab_json(built.tokens), merges = merges_txt(built.merges);
  check_load([&] { return BpeTokenizer::from_vocab_and_merges(vocab, merges); }, built.text, true);
}

// --- Seeds -------------------------------------------------------------------------------------

std::string with_mode(std::uint8_t mode, const std::string& rest) {
  return std::string(1, static_cast<char>(mode)) + rest;
}

// GPT-2's tokenizer.json around a small vocabulary and merges (as Hugging Face writes it).
std::string tokenizer_json(const std::vector<std::string>& tokens, const Json& merges,
                           const Json& pre_tokenizer_type = "ByteLevel") {
  Json vocab = Json::parse(vocab_json(tokens));
  const auto end_of_text = static_cast<int>(vocab.size());
  vocab["<|endoftext|>"] = end_of_text;
  const Json byte_level_component = {{"type", "ByteLevel"},
                                     {"add_prefix_space", false},
                                     {"trim_offsets", true},
                                     {"use_regex", true}};
  Json pre_tokenizer = byte_level_component;
  pre_tokenizer["type"] = pre_tokenizer_type;
  const Json added = {
      {"id", end_of_text}, {"content", "<|endoftext|>"}, {"single_word", false}, {"lstrip", false},
      {"rstrip", false},   {"normalized", true},         {"special", true}};
  return Json{{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", Json::array({added})},
              {"normalizer", nullptr},
              {"pre_tokenizer", pre_tokenizer},
              {"post_processor", byte_level_component},
              {"decoder", byte_level_component},
              {"model",
               {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", ""},
                {"end_of_word_suffix", ""},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"vocab", vocab},
                {"merges", merges}}}}
      .dump();
}

std::vector<std::pair<std::string, std::string>> seeds() {
  const std::vector<std::string> tokens = {"ab", "abc", " a", " ab", "'s", "12", "\xC3\xA9"};
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"a", "b"}, {"ab", "c"}, {" ", "a"}, {" a", "b"}, {"'", "s"}, {"1", "2"}, {"\xC3", "\xA9"}};
  const std::string vocab = vocab_json(tokens), good_merges = merges_txt(merges);
  Json string_merges = Json::array(), pair_merges = Json::array();
  for (const auto& [left, right] : merges) {
    string_merges.push_back(byte_level(left) + " " + byte_level(right));
    pair_merges.push_back(Json::array({byte_level(left), byte_level(right)}));
  }
  const std::string nul(1, '\0');
  std::vector<std::pair<std::string, std::string>> seeds = {
      {"vocab-merges-valid", with_mode(vocab_and_merges_mode, vocab + nul + good_merges)},
      {"vocab-merges-no-header",
       with_mode(vocab_and_merges_mode,
                 vocab + nul + good_merges.substr(good_merges.find('\n') + 1))},
      {"vocab-only", with_mode(vocab_and_merges_mode, vocab)},
      {"vocab-merges-missing-part", with_mode(vocab_and_merges_mode, vocab + nul + "a b\nq z\n")},
      {"vocab-merges-twice", with_mode(vocab_and_merges_mode, vocab + nul + "a b\na b\n")},
      {"vocab-merges-three-parts", with_mode(vocab_and_merges_mode, vocab + nul + "a b c\n")},
      {"vocab-bad-id", with_mode(vocab_and_merges_mode, "{\"a\": 7}" + nul)},
      {"vocab-not-json", with_mode(vocab_and_merges_mode, "{\"a\": " + nul)},
      {"tokenizer-json-string-merges",
       with_mode(tokenizer_json_mode, tokenizer_json(tokens, string_merges))},
      {"tokenizer-json-pair-merges",
       with_mode(tokenizer_json_mode, tokenizer_json(tokens, pair_merges))},
      {"tokenizer-json-whitespace",
       with_mode(tokenizer_json_mode, tokenizer_json(tokens, string_merges, "Whitespace"))},
  };
  // A built case (read_built_case; the bytes of the alphabet: 0 a, 1 b, 2 c, 3 space, 4 ', 5 1,
  // 6 and 7 the bytes of "é", 8 0xFF, 9 s).
  const std::vector<std::uint8_t> built = {
      4,                    // tokens:
      1, 0, 1, 2,           //   "abc"
      2, 0, 0, 0, 0,        //   "aaaa"
      0, 3, 1,              //   " b"
      1, 6, 7, 0,           //   "éa"
      8,                    // merges:
      0, 0, 0, 1,           //   a bc, ab c
      1, 0, 1, 1, 1, 2,     //   a aaa, aa aa, aaa a
      2, 0,                 //   " " b
      3, 0, 3, 1,           //   0xC3 0xA9a, é a
      0, 1, 2, 3, 0, 0, 0,  // the text: "abc aaaa bs's", "é", 0xFF, "11 aaa"
      0, 3, 1, 9, 4, 9, 6, 7, 0xFF, 5, 5, 3, 0, 0, 0};
  seeds.emplace_back("built-small", with_mode(built_mode, std::string(built.begin(), built.end())));
  return seeds;
}

int write_seeds(const std::string& directory) {
  return write_seed_files(directory, seeds());
}

}  // namespace

}  // namespace fuzz

// `--write-seeds=DIR` writes the seeds and exits instead of fuzzing.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fuzz::write_seeds_if_asked(*argc, *argv, fuzz::write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using spotlight::BpeTokenizer;
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case fuzz::vocab_and_merges_mode: {
      const std::size_t nul = rest.find('\0');
      const std::string vocab = rest.substr(0, nul);
      const std::string merges = nul == std::string::npos ? "" : rest.substr(nul + 1);
      fuzz::check_load([&] { return BpeTokenizer::from_vocab_and_merges(vocab, merges); },
                       fuzz::fixed_text, false);
      break;
    }
    case fuzz::tokenizer_json_mode:
      fuzz::check_load([&] { return BpeTokenizer::from_tokenizer_json(rest); }, fuzz::fixed_text,
                       false);
      break;
    default: {
      fuzz::ByteReader in(data + 1, size - 1);
      fuzz::fuzz_built(in);
    }
  }
  return 0;
}
