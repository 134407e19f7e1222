// The workshop's sentences (corpus.h) as English text for a model that reads text with its own
// tokenizer (GPT-2's byte-level BPE, bpe_tokenizer.h), so that its heads are measured on the same
// relations as the workshop's model.
//
//   text       the words joined by spaces, the first capitalised, "i" as "I", and a full stop:
//              "The cat sat on the mat because it was tired."
//   tokens     the start token (GPT-2's <|endoftext|>, which its users prepend: a causal model's
//              first position otherwise has nothing to attend to but itself), then the text's ids
//   relations  each word stands for itself by its LAST token: in a causal model that is the
//              first position where the whole word has been read (" sat" is one token, but a
//              rarer word may be two, and only the second has seen both halves). A relation
//              (query word, key word) becomes (query's last token, key's last token).
#pragma once

#include <string>

#include "data/bpe_tokenizer.h"
#include "data/corpus.h"

namespace spotlight {

std::string sentence_text(const Sentence& sentence);

// Throws std::invalid_argument for a start token outside the tokenizer's vocabulary.
EncodedSentence encode_sentence_text(const BpeTokenizer& tokenizer, const Sentence& sentence,
                                     TokenId start_token);

}  // namespace spotlight
