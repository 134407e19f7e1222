// A vocabulary: token id <-> word, for the model's inputs and the page's labels.
//
//   id 0  "<unk>"  every word the vocabulary does not hold
//   id 1  "<bos>"  the start of every sequence (corpus.h puts it first)
//   id 2, 3, ...   the words, in the order given
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "base/matrix.h"
#include "base/sequences.h"

namespace spotlight {

class Vocabulary {
 public:
  static constexpr TokenId unknown_id = 0;
  static constexpr TokenId bos_id = 1;
  static constexpr Index reserved_count = 2;
  static constexpr const char* unknown_word = "<unk>";
  static constexpr const char* bos_word = "<bos>";

  // `words` become ids 2, 3, ... Throws std::invalid_argument naming the word for an empty word
  // or one that repeats another (the reserved "<unk>" and "<bos>" included).
  explicit Vocabulary(const std::vector<std::string>& words);

  // The words of `tokens`, most frequent first, ties in order of first appearance, at most
  // max_size ids in all (the two reserved ones included). Tokens equal to "<unk>" or "<bos>"
  // count as the reserved words. Throws std::invalid_argument for max_size < 2 or an empty token.
  static Vocabulary from_tokens(const std::vector<std::string>& tokens, Index max_size);

  // The word's id; unknown_id for a word not in the vocabulary.
  TokenId id(const std::string& word) const;

  // Throws std::invalid_argument naming the id and the size for an id outside [0, size()).
  const std::string& word(TokenId id) const;

  Index size() const { return static_cast<Index>(words_.size()); }

  // Every word, indexed by id: words()[id] == word(id), "<unk>" and "<bos>" first.
  const std::vector<std::string>& words() const { return words_; }

  // One id per word, unknown words as unknown_id; no <bos> is added.
  TokenSequence encode(const std::vector<std::string>& words) const;

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, TokenId> ids_;
};

}  // namespace spotlight
