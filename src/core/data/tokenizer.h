// Text to tokens, by the rules of the page's tokenizer (web/js/tokenizer.js) for ASCII text, so
// that a text tokenized here and on the page gives the same tokens.
//
// Words (split_words): the page keeps Intl.Segmenter's word segments that are not whitespace. For
// ASCII that is, as Chromium segments (UAX #29 word boundaries with Chromium's ICU changes):
//   - letters, digits and '_' join into one word: "abc123", "snake_case", "__x__"
//   - an apostrophe joins two letters ("don't", "rock'n'roll") or two digits ("1'000"); at the
//     edge of a word it is a token of its own: "dogs'" -> "dogs", "'"
//   - '.', ',' and ';' join two digits: "3.14", "1,000;5"; between letters they split:
//     "e.g." -> "e", ".", "g", "."
//   - whitespace is dropped; every other character is a token of its own: "..." -> ".", ".", "."
// Where the page can differ:
//   - Node.js and Firefox use ICU without Chromium's changes, where '.' and ':' also join two
//     letters ("e.g", "a:b"); the page in those browsers keeps them together.
//   - Every non-ASCII byte counts as a letter, so a multi-byte character stays whole inside its
//     word ("café", "it’s"). Intl.Segmenter instead splits non-ASCII punctuation and symbols
//     ("‘q’" -> "‘", "q", "’"; "hi😀" -> "hi", "😀"), drops non-ASCII spaces (U+00A0, U+3000), and
//     splits Chinese, Japanese and Thai by dictionary; here those stay inside the word.
//   - lowercase maps A-Z only; the page's toLowerCase also lowercases non-ASCII letters ("É").
//
// Characters (split_characters): one token per UTF-8 code point; a space becomes "␣" (as the page
// shows it) and '\n', '\r', '\t' are dropped. The page splits into grapheme clusters instead, so
// a letter with a combining accent (e + U+0301), a flag or an emoji sequence joined by U+200D is
// one token there and several here; precomposed letters ("é" as U+00E9) are one token in both.
// Malformed UTF-8 is not rejected: a token is a byte that is not a continuation byte (10xxxxxx)
// with the continuation bytes after it, so no byte is lost or split from its character.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spotlight {

std::vector<std::string> split_words(std::string_view text, bool lowercase);

std::vector<std::string> split_characters(std::string_view text, bool lowercase);

}  // namespace spotlight
