#include "bpe_reference.h"

#include <climits>

namespace reference {

namespace {

struct ByteRange {
  unsigned char low, high;
};

// Unicode's Table 3-7: the well-formed byte sequences, each byte within its range.
const std::vector<std::vector<ByteRange>> well_formed = {
    {{0x00, 0x7F}},
    {{0xC2, 0xDF}, {0x80, 0xBF}},
    {{0xE0, 0xE0}, {0xA0, 0xBF}, {0x80, 0xBF}},
    {{0xE1, 0xEC}, {0x80, 0xBF}, {0x80, 0xBF}},
    {{0xED, 0xED}, {0x80, 0x9F}, {0x80, 0xBF}},
    {{0xEE, 0xEF}, {0x80, 0xBF}, {0x80, 0xBF}},
    {{0xF0, 0xF0}, {0x90, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
    {{0xF1, 0xF3}, {0x80, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
    {{0xF4, 0xF4}, {0x80, 0x8F}, {0x80, 0xBF}, {0x80, 0xBF}},
};

void append_utf8(unsigned code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else {  // bytes_to_unicode's characters are all below U+0800
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

}  // namespace

std::string whatwg_sanitized(std::string_view bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < bytes.size()) {
    // The longest prefix of the bytes at i that some well-formed sequence begins with.
    std::size_t longest = 0;
    bool complete = false;
    for (const std::vector<ByteRange>& sequence : well_formed) {
      std::size_t matched = 0;
      while (matched < sequence.size() && i + matched < bytes.size()) {
        const auto byte = static_cast<unsigned char>(bytes[i + matched]);
        if (byte < sequence[matched].low || byte > sequence[matched].high) break;
        ++matched;
      }
      if (matched > longest) longest = matched;
      if (matched == sequence.size()) complete = true;
    }
    if (complete) {
      out.append(bytes.substr(i, longest));
      i += longest;
    } else {
      out += "\xEF\xBF\xBD";
      i += longest > 0 ? longest : 1;
    }
  }
  return out;
}

std::string byte_level_string(std::string_view bytes) {
  // bs = list(range(ord("!"), ord("~")+1)) + list(range(ord("¡"), ord("¬")+1)) + ...
  static const std::vector<unsigned> characters = [] {
    std::vector<unsigned> table(256, 0);
    std::vector<bool> printable(256, false);
    for (unsigned b = '!'; b <= '~'; ++b) printable[b] = true;
    for (unsigned b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
    for (unsigned b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
    unsigned n = 0;
    for (unsigned b = 0; b < 256; ++b) table[b] = printable[b] ? b : 256 + n++;
    return table;
  }();
  std::string out;
  for (const char byte : bytes) append_utf8(characters[static_cast<unsigned char>(byte)], out);
  return out;
}

ReferenceBpe::ReferenceBpe(const std::vector<std::string>& tokens,
                           const std::vector<std::pair<std::string, std::string>>& merges) {
  for (std::size_t id = 0; id < tokens.size(); ++id) {
    ids_[tokens[id]] = static_cast<spotlight::TokenId>(id);
  }
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    ranks_[merges[rank]] = static_cast<int>(rank);
  }
}

spotlight::TokenSequence ReferenceBpe::encode_piece(std::string_view piece_bytes) const {
  std::vector<std::string> word;
  for (const char byte : piece_bytes) word.push_back(byte_level_string(std::string(1, byte)));
  while (word.size() > 1) {
    // bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float('inf')))
    int best_rank = INT_MAX;
    std::pair<std::string, std::string> bigram;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      const auto found = ranks_.find({word[i], word[i + 1]});
      if (found != ranks_.end() && found->second < best_rank) {
        best_rank = found->second;
        bigram = found->first;
      }
    }
    if (best_rank == INT_MAX) break;
    std::vector<std::string> merged;
    for (std::size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == bigram.first && word[i + 1] == bigram.second) {
        merged.push_back(bigram.first + bigram.second);
        i += 2;
      } else {
        merged.push_back(word[i]);
        i += 1;
      }
    }
    word = std::move(merged);
  }
  spotlight::TokenSequence ids;
  for (const std::string& token : word) ids.push_back(ids_.at(token));
  return ids;
}

}  // namespace reference
