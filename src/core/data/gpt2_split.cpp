#include "data/gpt2_split.h"

#include "data/unicode_classes.h"
#include "data/utf8.h"

namespace spotlight {

namespace {

// Whether `code_points` continues at `at` with a contraction's letters: s, t, m, d or re, ve, ll.
// Returns its length after the apostrophe, or 0.
std::size_t contraction_length(std::u32string_view code_points, std::size_t at) {
  if (at >= code_points.size()) return 0;
  const char32_t first = code_points[at];
  if (first == 's' || first == 't' || first == 'm' || first == 'd') return 1;
  if (at + 1 >= code_points.size()) return 0;
  const char32_t second = code_points[at + 1];
  const bool two = (first == 'r' && second == 'e') || (first == 'v' && second == 'e') ||
                   (first == 'l' && second == 'l');
  return two ? 2 : 0;
}

}  // namespace

std::size_t gpt2_piece_end(std::u32string_view code_points, std::size_t begin) {
  const std::size_t size = code_points.size();
  if (code_points[begin] == '\'') {
    const std::size_t letters = contraction_length(code_points, begin + 1);
    if (letters > 0) return begin + 1 + letters;
  }
  // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': a space takes the run after it, if any; then
  // the run of one class.
  std::size_t run = begin;
  if (code_points[begin] == ' ' && begin + 1 < size &&
      character_class(code_points[begin + 1]) != CharacterClass::space) {
    run = begin + 1;
  }
  const CharacterClass run_class = character_class(code_points[run]);
  std::size_t end = run + 1;
  if (run_class != CharacterClass::space) {
    while (end < size && character_class(code_points[end]) == run_class) ++end;
    return end;
  }
  // '\s+(?!\S)' backs off the greedy run by one when a non-space follows it, and fails when that
  // leaves nothing; then '\s+' takes the run, which is one white space.
  while (end < size && character_class(code_points[end]) == CharacterClass::space) ++end;
  return (end == size || end - begin == 1) ? end : end - 1;
}

std::vector<std::string_view> split_gpt2(std::string_view text) {
  const DecodedText decoded = decode_utf8(text);
  std::vector<std::string_view> pieces;
  for (std::size_t begin = 0; begin < decoded.code_points.size();) {
    const std::size_t end = gpt2_piece_end(decoded.code_points, begin);
    const std::size_t first_byte = decoded.offsets[begin];
    pieces.push_back(text.substr(first_byte, decoded.offsets[end] - first_byte));
    begin = end;
  }
  return pieces;
}

}  // namespace spotlight
