#include "data/sentence_text.h"

#include "base/errors.h"

namespace spotlight {

std::string sentence_text(const Sentence& sentence) {
  std::string text;
  for (std::size_t i = 0; i < sentence.words.size(); ++i) {
    std::string word = sentence.words[i] == "i" ? "I" : sentence.words[i];
    if (i == 0 && !word.empty() && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 'a' + 'A');
    text += (i == 0 ? "" : " ") + word;
  }
  return text + ".";
}

EncodedSentence encode_sentence_text(const BpeTokenizer& tokenizer, const Sentence& sentence,
                                     TokenId start_token) {
  require(start_token >= 0 && start_token < tokenizer.vocab_size(), "the start token ",
          start_token, " is outside the tokenizer's vocabulary of ", tokenizer.vocab_size());
  const std::string text = sentence_text(sentence);
  const std::vector<BpeToken> tokens = tokenizer.encode(text);
  EncodedSentence encoded;
  encoded.tokens.push_back(start_token);
  for (const BpeToken& token : tokens) encoded.tokens.push_back(token.id);
  // Word w's last byte, then the token that holds it (+ 1 for the start token).
  std::vector<Index> word_token;
  std::size_t end = 0;
  std::size_t token = 0;
  for (std::size_t w = 0; w < sentence.words.size(); ++w) {
    end += (w == 0 ? 0 : 1) + sentence.words[w].size();
    while (tokens[token].end < end) ++token;
    word_token.push_back(static_cast<Index>(token) + 1);
  }
  for (const Relation& relation : sentence.relations) {
    encoded.relations.push_back({relation.name, word_token[static_cast<std::size_t>(relation.query)],
                                 word_token[static_cast<std::size_t>(relation.key)]});
  }
  return encoded;
}

}  // namespace spotlight
