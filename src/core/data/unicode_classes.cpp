#include "data/unicode_classes.h"

#include <algorithm>

namespace spotlight {

CharacterClass character_class(char32_t code_point) {
  // The characters of JavaScript's \s that are not in Z: the ASCII controls TAB, LF, VT, FF, CR,
  // and U+FEFF (ZERO WIDTH NO-BREAK SPACE, a byte order mark), which ECMAScript lists by name.
  if ((code_point >= 0x09 && code_point <= 0x0D) || code_point == 0xFEFF) {
    return CharacterClass::space;
  }
  const CodePointRange* const begin = unicode_class_ranges;
  const CodePointRange* const end = unicode_class_ranges + unicode_class_range_count;
  // The first range that ends at or after the code point: it holds it, or no range does.
  const CodePointRange* const found = std::lower_bound(
      begin, end, code_point,
      [](const CodePointRange& range, char32_t value) { return range.last < value; });
  if (found != end && found->first <= code_point) return found->character_class;
  return CharacterClass::other;
}

}  // namespace spotlight
