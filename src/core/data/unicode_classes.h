// The character classes of GPT-2's pre-split pattern (gpt2_split.h), by code point, exactly as
// JavaScript's regular expressions with the `u` flag see them, where the reference encoder (npm
// gpt-3-encoder) runs the pattern:
//
//   letter   \p{L}: general category Lu, Ll, Lt, Lm or Lo
//   number   \p{N}: Nd, Nl or No
//   space    \s: Zs, Zl (U+2028), Zp (U+2029), and U+0009-000D and U+FEFF
//   other    everything else: punctuation, symbols, marks (a combining accent is not a letter),
//            controls, unassigned code points, and U+FFFD, which stands for invalid UTF-8
//
// The categories come from the Unicode Character Database that the build finds (Debian 12's
// unicode-data, UCD 15.0): src/core/data/make_unicode_tables.py turns its UnicodeData.txt into
// the ranges below at build time. A code point assigned after that version is "other" here.
//
// Python's `regex` module, which OpenAI's encoder.py and Hugging Face's GPT2Tokenizer run the same
// pattern with, has another \s: it takes U+0085 (NEXT LINE) and leaves out U+FEFF (Python's `re`
// would also take U+001C-001F). So "!\u0085" is one piece here and in JavaScript, "!", "\u0085"
// there; and "!\ufeff" two pieces here, one there. Its \p{L} and \p{N} are the same categories.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spotlight {

enum class CharacterClass : std::uint8_t { other, letter, number, space };

CharacterClass character_class(char32_t code_point);

// The generated tables: ranges of one class each, first <= last, in increasing order, neither
// overlapping nor touching another range of the same class. Space holds only Zs, Zl and Zp;
// character_class adds the rest of JavaScript's \s.
struct CodePointRange {
  char32_t first;
  char32_t last;
  CharacterClass character_class;
};
extern const CodePointRange unicode_class_ranges[];
extern const std::size_t unicode_class_range_count;

}  // namespace spotlight
