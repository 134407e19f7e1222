#include "data/vocabulary.h"

#include <algorithm>

#include "base/errors.h"

namespace spotlight {

Vocabulary::Vocabulary(const std::vector<std::string>& words) {
  words_.reserve(words.size() + reserved_count);
  words_.emplace_back(unknown_word);
  words_.emplace_back(bos_word);
  ids_.emplace(unknown_word, unknown_id);
  ids_.emplace(bos_word, bos_id);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    require(!word.empty(), "vocabulary word ", i, " is empty");
    const auto id = static_cast<TokenId>(words_.size());
    const auto [existing, inserted] = ids_.emplace(word, id);
    require(inserted, "vocabulary word ", i, " \"", word, "\" is already id ", existing->second,
            existing->second < reserved_count ? " (reserved)" : "");
    words_.push_back(word);
  }
}

Vocabulary Vocabulary::from_tokens(const std::vector<std::string>& tokens, Index max_size) {
  require(max_size >= reserved_count, "max_size ", max_size, " leaves no room for the ",
          reserved_count, " reserved words <unk> and <bos>");
  struct Count {
    std::string word;
    Index count = 0;
  };
  std::vector<Count> counts;  // in order of first appearance
  std::unordered_map<std::string, std::size_t> slot;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    require(!token.empty(), "token ", i, " is empty");
    if (token == unknown_word || token == bos_word) continue;
    const auto [found, inserted] = slot.emplace(token, counts.size());
    if (inserted) counts.push_back({token, 0});
    ++counts[found->second].count;
  }
  // Stable: equal counts keep their order of first appearance.
  std::stable_sort(counts.begin(), counts.end(),
                   [](const Count& a, const Count& b) { return a.count > b.count; });
  const auto kept = std::min(counts.size(), static_cast<std::size_t>(max_size - reserved_count));
  std::vector<std::string> words;
  words.reserve(kept);
  for (std::size_t i = 0; i < kept; ++i) words.push_back(std::move(counts[i].word));
  return Vocabulary(words);
}

TokenId Vocabulary::id(const std::string& word) const {
  const auto found = ids_.find(word);
  return found == ids_.end() ? unknown_id : found->second;
}

const std::string& Vocabulary::word(TokenId id) const {
  require(id >= 0 && id < size(), "token id ", id, " is outside the vocabulary of ", size(),
          " words");
  return words_[static_cast<std::size_t>(id)];
}

TokenSequence Vocabulary::encode(const std::vector<std::string>& words) const {
  TokenSequence tokens;
  tokens.reserve(words.size());
  for (const std::string& word : words) tokens.push_back(id(word));
  return tokens;
}

}  // namespace spotlight
