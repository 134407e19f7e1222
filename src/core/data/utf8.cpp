#include "data/utf8.h"

namespace spotlight {

DecodedText decode_utf8(std::string_view text) {
  DecodedText decoded;
  decoded.code_points.reserve(text.size());
  decoded.offsets.reserve(text.size() + 1);
  const auto emit = [&](char32_t code_point, std::size_t begin) {
    decoded.code_points.push_back(code_point);
    decoded.offsets.push_back(begin);
  };
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t begin = position;
    const auto lead = static_cast<unsigned char>(text[position++]);
    if (lead < 0x80) {
      emit(lead, begin);
      continue;
    }
    // The lead byte fixes the sequence's length and the range of its first continuation byte,
    // which excludes overlong forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4);
    // every later continuation byte is 80-BF (Unicode's Table 3-7).
    std::size_t needed = 0;
    unsigned char lower = 0x80, upper = 0xBF;
    char32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
      code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      code_point = lead & 0x0F;
      if (lead == 0xE0) lower = 0xA0;
      if (lead == 0xED) upper = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      code_point = lead & 0x07;
      if (lead == 0xF0) lower = 0x90;
      if (lead == 0xF4) upper = 0x8F;
    } else {
      emit(replacement_character, begin);
      continue;
    }
    // A byte out of range ends the sequence without being part of it: the sequence so far is
    // one U+FFFD, and the byte is read again as the start of what follows.
    for (; needed > 0 && position < text.size(); --needed) {
      const auto byte = static_cast<unsigned char>(text[position]);
      if (byte < lower || byte > upper) break;
      code_point = (code_point << 6) | (byte & 0x3F);
      lower = 0x80;
      upper = 0xBF;
      ++position;
    }
    emit(needed == 0 ? code_point : replacement_character, begin);
  }
  decoded.offsets.push_back(text.size());
  return decoded;
}

void append_utf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

}  // namespace spotlight
