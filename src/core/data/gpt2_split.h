// GPT-2's pre-split: before any merge, text is cut into pieces by the pattern
//
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// (OpenAI's encoder.py; the classes as unicode_classes.h defines them), and no token ever spans
// two pieces. At each position the first alternative that matches wins, and it takes as much as
// it can:
//
//   contractions   an apostrophe (U+0027 only, not U+2019) and s, t, re, ve, m, ll or d, lower
//                  case only: "it's" -> "it", "'s"; "IT'S" -> "IT", "'", "S"; "'sa" -> "'s", "a"
//   ' ?\p{L}+'     a run of letters, with the one space before it: " hello"
//   ' ?\p{N}+'     a run of numbers: " 2024", "٣٤"; no sign or point: "-1.5" -> "-", "1", ".", "5"
//   ' ?[^...]+'    a run of anything else, apostrophes too: " ...", "?!'", "😀😀", "e" + U+0301
//                  -> "e", U+0301 (the accent is a mark, not a letter)
//   '\s+(?!\S)'    a run of white space up to the last one before a non-space, which goes with
//                  what follows: "a   b" -> "a", "  ", " b"; at the end of the text the whole run
//   '\s+'          the one white space before a non-space that no other alternative took:
//                  "a\nb" -> "a", "\n", "b"; "a\t\tb" -> "a", "\t", "\t", "b"
//
// Only a plain space (U+0020) joins the next run; a tab, a newline or U+00A0 stays a piece of its
// own. The pieces tile the text: together they are the code points of the text, in order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace spotlight {

// The end (one past the last code point) of the piece that starts at code point `begin` of
// `code_points`, where begin < code_points.size().
std::size_t gpt2_piece_end(std::u32string_view code_points, std::size_t begin);

// The pieces of `text` (UTF-8, decoded as utf8.h does), as views of its bytes: a U+FFFD that
// stands for invalid bytes is the view of those bytes.
std::vector<std::string_view> split_gpt2(std::string_view text);

}  // namespace spotlight
