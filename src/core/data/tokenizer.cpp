#include "data/tokenizer.h"

namespace spotlight {

namespace {

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// A letter for the word rules: A-Z, a-z, or any byte of a non-ASCII character (tokenizer.h).
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}

bool is_word_character(char c) { return is_letter(c) || is_ascii_digit(c) || c == '_'; }

// Whether the punctuation byte text[i] stays inside the word around it: an apostrophe between two
// letters, or one of ' . , ; between two digits.
bool joins_neighbours(std::string_view text, std::size_t i) {
  if (i == 0 || i + 1 >= text.size()) return false;
  const char before = text[i - 1];
  const char mark = text[i];
  const char after = text[i + 1];
  if (mark == '\'' && is_letter(before) && is_letter(after)) return true;
  const bool numeric_mark = mark == '\'' || mark == '.' || mark == ',' || mark == ';';
  return numeric_mark && is_ascii_digit(before) && is_ascii_digit(after);
}

char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view piece, bool lowercase) {
  std::string result(piece);
  if (lowercase) {
    for (char& c : result) c = to_lower_ascii(c);
  }
  return result;
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::vector<std::string> split_words(std::string_view text, bool lowercase) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_ascii_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    if (is_word_character(text[i])) {
      while (end < text.size() && (is_word_character(text[end]) || joins_neighbours(text, end))) {
        ++end;
      }
    }
    words.push_back(lowered(text.substr(i, end - i), lowercase));
    i = end;
  }
  return words;
}

std::vector<std::string> split_characters(std::string_view text, bool lowercase) {
  std::vector<std::string> characters;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i + 1;
    while (end < text.size() && is_utf8_continuation(text[end])) ++end;
    const std::string_view character = text.substr(i, end - i);
    if (character == " ") {
      characters.emplace_back("␣");
    } else if (character != "\n" && character != "\r" && character != "\t") {
      characters.push_back(lowered(character, lowercase));
    }
    i = end;
  }
  return characters;
}

}  // namespace spotlight
