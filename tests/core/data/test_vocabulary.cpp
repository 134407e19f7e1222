// The vocabulary (id <-> word, reserved <unk> and <bos>, built from a token stream by frequency)
// and the tokenizer that follows the page's word and character rules.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "data/tokenizer.h"
#include "data/vocabulary.h"

using Catch::Matchers::Contains;
using spotlight::split_characters;
using spotlight::split_words;
using spotlight::TokenSequence;
using spotlight::Vocabulary;
using Words = std::vector<std::string>;

TEST_CASE("vocabulary: <unk> and <bos> are ids 0 and 1, the words follow in order",
          "[vocabulary]") {
  const Vocabulary vocabulary({"the", "cat", "sat"});
  REQUIRE(vocabulary.size() == 5);
  REQUIRE(vocabulary.words() == Words{"<unk>", "<bos>", "the", "cat", "sat"});
  REQUIRE(vocabulary.id("<unk>") == Vocabulary::unknown_id);
  REQUIRE(vocabulary.id("<bos>") == Vocabulary::bos_id);
  REQUIRE(vocabulary.id("cat") == 3);
  REQUIRE(vocabulary.word(4) == "sat");
  for (spotlight::TokenId id = 0; id < vocabulary.size(); ++id) {
    REQUIRE(vocabulary.id(vocabulary.word(id)) == id);
  }
}

TEST_CASE("vocabulary: an unknown word is <unk>, and encode maps every word without adding <bos>",
          "[vocabulary]") {
  const Vocabulary vocabulary({"the", "cat"});
  REQUIRE(vocabulary.id("dog") == Vocabulary::unknown_id);
  REQUIRE(vocabulary.id("Cat") == Vocabulary::unknown_id);  // case matters
  REQUIRE(vocabulary.encode({"the", "dog", "cat"}) == TokenSequence{2, 0, 3});
  REQUIRE(vocabulary.encode({}).empty());
  REQUIRE(Vocabulary({}).size() == 2);
}

TEST_CASE("vocabulary: empty and repeated words are rejected, naming the word and its index",
          "[vocabulary]") {
  REQUIRE_THROWS_WITH(Vocabulary({"the", "cat", "the"}),
                      Contains("word 2 \"the\" is already id 2"));
  REQUIRE_THROWS_WITH(Vocabulary({"cat", "<bos>"}),
                      Contains("word 1 \"<bos>\" is already id 1 (reserved)"));
  REQUIRE_THROWS_WITH(Vocabulary({"cat", ""}), Contains("word 1 is empty"));
  REQUIRE_THROWS_AS(Vocabulary({""}), std::invalid_argument);
}

TEST_CASE("vocabulary: an id outside the vocabulary names the id and the size", "[vocabulary]") {
  const Vocabulary vocabulary({"a", "b"});
  REQUIRE_THROWS_WITH(vocabulary.word(4),
                      Contains("token id 4 is outside the vocabulary of 4 words"));
  REQUIRE_THROWS_WITH(vocabulary.word(-1), Contains("token id -1"));
}

TEST_CASE("vocabulary: from_tokens orders words by frequency, ties by first appearance",
          "[vocabulary]") {
  const Words tokens = split_words("b a c a b d a e c", false);  // a 3, b 2, c 2, d 1, e 1
  const Vocabulary all = Vocabulary::from_tokens(tokens, 100);
  REQUIRE(all.words() == Words{"<unk>", "<bos>", "a", "b", "c", "d", "e"});

  SECTION("max_size counts the reserved ids and drops the rarest words") {
    const Vocabulary four = Vocabulary::from_tokens(tokens, 4);
    REQUIRE(four.words() == Words{"<unk>", "<bos>", "a", "b"});
    REQUIRE(four.encode(tokens) == TokenSequence{3, 2, 0, 2, 3, 0, 2, 0, 0});
    REQUIRE(Vocabulary::from_tokens(tokens, 2).size() == 2);
  }
  SECTION("the same tokens always give the same vocabulary") {
    REQUIRE(Vocabulary::from_tokens(tokens, 100).words() == all.words());
  }
  SECTION("tokens spelling a reserved word count as that word") {
    const Vocabulary with_reserved = Vocabulary::from_tokens({"<bos>", "x", "<unk>", "x"}, 10);
    REQUIRE(with_reserved.words() == Words{"<unk>", "<bos>", "x"});
  }
  SECTION("no tokens give only the reserved words") {
    REQUIRE(Vocabulary::from_tokens({}, 10).size() == 2);
  }
}

TEST_CASE("vocabulary: from_tokens rejects a max_size below 2 and an empty token", "[vocabulary]") {
  REQUIRE_THROWS_WITH(Vocabulary::from_tokens({"a"}, 1),
                      Contains("max_size 1 leaves no room for the 2 reserved words"));
  REQUIRE_THROWS_WITH(Vocabulary::from_tokens({"a", "b", ""}, 10), Contains("token 2 is empty"));
}

TEST_CASE("tokenizer: words are runs of letters and digits, each punctuation mark a token",
          "[vocabulary][tokenizer]") {
  REQUIRE(split_words("The cat sat, then slept!", false) ==
          Words{"The", "cat", "sat", ",", "then", "slept", "!"});
  REQUIRE(split_words("hello...world!!", false) ==
          Words{"hello", ".", ".", ".", "world", "!", "!"});
  REQUIRE(split_words("a-b (c) \"d\"", false) ==
          Words{"a", "-", "b", "(", "c", ")", "\"", "d", "\""});
  REQUIRE(split_words("abc123 4you snake_case __x__", false) ==
          Words{"abc123", "4you", "snake_case", "__x__"});
}

TEST_CASE("tokenizer: an apostrophe inside a word stays in it, at its edge it is a token",
          "[vocabulary][tokenizer]") {
  REQUIRE(split_words("don't stop rock'n'roll", false) == Words{"don't", "stop", "rock'n'roll"});
  REQUIRE(split_words("the dogs' toys 'tis", false) ==
          Words{"the", "dogs", "'", "toys", "'", "tis"});
  REQUIRE(split_words("a''b", false) == Words{"a", "'", "'", "b"});
}

TEST_CASE("tokenizer: '.', ',', ';' and an apostrophe join digits, and '.' and ':' split letters",
          "[vocabulary][tokenizer]") {
  // As Chromium's Intl.Segmenter (tokenizer.h); Node.js and Firefox keep "e.g" and "a:b" whole.
  REQUIRE(split_words("3.14 1,000;5 1'000", false) == Words{"3.14", "1,000;5", "1'000"});
  REQUIRE(split_words("e.g. a:b", false) == Words{"e", ".", "g", ".", "a", ":", "b"});
  REQUIRE(split_words("a1.5 1.a a.1 x@y.com", false) ==
          Words{"a1.5", "1", ".", "a", "a", ".", "1", "x", "@", "y", ".", "com"});
  REQUIRE(split_words("3.", false) == Words{"3", "."});
}

TEST_CASE("tokenizer: whitespace is dropped, empty and blank text give no words",
          "[vocabulary][tokenizer]") {
  REQUIRE(split_words("", false).empty());
  REQUIRE(split_words(" \t\n\r\v\f ", false).empty());
  REQUIRE(split_words("  two\n\nwords\t", false) == Words{"two", "words"});
  REQUIRE(split_words("a\x01z", false) == Words{"a", "\x01", "z"});  // a control is a token
}

TEST_CASE("tokenizer: non-ASCII characters stay whole inside their word",
          "[vocabulary][tokenizer]") {
  REQUIRE(split_words("café naïve it’s", false) == Words{"café", "naïve", "it’s"});
  REQUIRE(split_words("Grüße, Welt.", true) == Words{"grüße", ",", "welt", "."});
  // Differences from Intl.Segmenter (tokenizer.h): non-ASCII punctuation and emoji stay inside.
  REQUIRE(split_words("hi😀 ‘q’", false) == Words{"hi😀", "‘q’"});
}

TEST_CASE("tokenizer: lowercase maps A-Z and leaves other bytes", "[vocabulary][tokenizer]") {
  REQUIRE(split_words("The CAT, Éclair", true) == Words{"the", "cat", ",", "Éclair"});
  REQUIRE(split_words("The CAT", false) == Words{"The", "CAT"});
}

TEST_CASE("tokenizer: characters are code points, a space shown as ␣, newlines and tabs dropped",
          "[vocabulary][tokenizer]") {
  REQUIRE(split_characters("a b", false) == Words{"a", "␣", "b"});
  REQUIRE(split_characters("ab\r\n\tc", false) == Words{"a", "b", "c"});
  REQUIRE(split_characters("Né😀", true) == Words{"n", "é", "😀"});
  REQUIRE(split_characters("", false).empty());
  // A combining accent is its own code point here; the page's grapheme clusters join it.
  REQUIRE(split_characters("e\u0301", false) == Words{"e", "\u0301"});
  // Malformed UTF-8 loses no byte: a stray continuation byte is a token of its own.
  const std::string malformed{'\x80', 'a', '\xC3'};
  REQUIRE(split_characters(malformed, false) == Words{"\x80", "a", "\xC3"});
}
