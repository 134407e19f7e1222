// The workshop's sentences as English for GPT-2's tokenizer (src/core/data/sentence_text.h): the
// text, the start token, and each relation's words at their last tokens.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "data/sentence_text.h"

using spotlight::BpeTokenizer;
using spotlight::Index;

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

const BpeTokenizer& gpt2_tokenizer() {
  static const BpeTokenizer tokenizer =
      BpeTokenizer::from_vocab_and_merges(file_bytes(SPOTLIGHT_GPT2_TOKENIZER_DIR "/encoder.json"),
                                          file_bytes(SPOTLIGHT_GPT2_TOKENIZER_DIR "/vocab.bpe"));
  return tokenizer;
}

}  // namespace

TEST_CASE("sentence text: the workshop's experiments as GPT-2 reads them", "[sentence_text]") {
  const std::vector<spotlight::Sentence> experiments = spotlight::workshop_experiments();
  CHECK(spotlight::sentence_text(experiments[0]) == "The cat sat on the mat because it was tired.");
  CHECK(spotlight::sentence_text(experiments[2]) ==
        "The book that I bought yesterday was interesting.");
  const spotlight::EncodedSentence cat =
      spotlight::encode_sentence_text(gpt2_tokenizer(), experiments[0], 50256);
  // <|endoftext|> The cat sat on the mat because it was tired .
  CHECK(cat.tokens == spotlight::TokenSequence{50256, 464, 3797, 3332, 319, 262, 2603, 780, 340,
                                                373, 10032, 13});
  REQUIRE(cat.relations.size() == 1);
  CHECK(cat.relations[0].name == "coreference");
  CHECK(cat.relations[0].query == 8);  // " it"
  CHECK(cat.relations[0].key == 2);    // " cat"
}

TEST_CASE("sentence text: a word of several tokens stands at its last", "[sentence_text]") {
  spotlight::Sentence sentence;
  sentence.words = {"the", "axolotl", "ate", "because", "it", "was", "hungry"};
  sentence.relations = {{"coreference", 4, 1}};
  const spotlight::EncodedSentence encoded =
      spotlight::encode_sentence_text(gpt2_tokenizer(), sentence, 50256);
  const std::vector<spotlight::BpeToken> tokens =
      gpt2_tokenizer().encode(spotlight::sentence_text(sentence));
  // " axolotl" is more than one token; the key is the one holding its last byte ("The axolotl").
  REQUIRE(tokens[2].end - tokens[1].begin < 9);
  Index last = 0;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    if (tokens[t].end <= std::string("The axolotl").size()) last = static_cast<Index>(t) + 1;
  }
  CHECK(encoded.relations[0].key == last);
  CHECK(encoded.tokens[static_cast<std::size_t>(encoded.relations[0].query)] == 340);  // " it"
  CHECK_THROWS_WITH(spotlight::encode_sentence_text(gpt2_tokenizer(), sentence, 50257),
                    "the start token 50257 is outside the tokenizer's vocabulary of 50257");
}
