// UTF-8 text as code points, decoded as the WHATWG Encoding Standard's UTF-8 decoder does it
// (JavaScript's TextDecoder, a browser reading a page), so that any bytes get one defined result:
// each maximal subpart of an ill-formed sequence becomes one U+FFFD REPLACEMENT CHARACTER, the
// "best practice" of Unicode's chapter 3 (U+FFFD substitution of maximal subparts):
//
//   "\xFF"          -> U+FFFD               a byte that starts no sequence
//   "\xE2\x82"      -> U+FFFD               a sequence cut short, as one
//   "\xE2\x82A"     -> U+FFFD, "A"          ... the byte that cuts it is read again
//   "\xED\xA0\x80"  -> U+FFFD U+FFFD U+FFFD a surrogate (U+D800), which UTF-8 may not encode:
//                                           ED takes only 80-9F next, so A0 and 80 are alone
//   "\xC0\x80"      -> U+FFFD U+FFFD        an overlong encoding (of NUL)
//   "\xF4\x90\x80\x80" -> 4 x U+FFFD        past U+10FFFF
//
// A byte order mark (EF BB BF) is the character U+FEFF wherever it stands: the standard's "UTF-8
// decode without BOM", TextDecoder with ignoreBOM (a plain TextDecoder drops one at the start).
//
// JavaScript's TextEncoder turns a lone surrogate of a string into U+FFFD as well, so a string
// with lone surrogates, encoded to UTF-8 and decoded here, gives the code points that the string's
// own regular expressions see, with U+FFFD for each lone surrogate.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace spotlight {

inline constexpr char32_t replacement_character = 0xFFFD;

struct DecodedText {
  std::u32string code_points;
  // n + 1 byte offsets for n code points: code point i came from bytes [offsets[i], offsets[i+1])
  // of the text, so offsets[0] = 0 and offsets[n] = the text's size.
  std::vector<std::size_t> offsets;
};

DecodedText decode_utf8(std::string_view text);

// Appends the UTF-8 encoding of `code_point` (at most U+10FFFF, not a surrogate) to `out`.
void append_utf8(char32_t code_point, std::string& out);

}  // namespace spotlight
