#include "analysis/head_detectors.h"

#include <stdexcept>

#include "base/errors.h"
#include "base/random.h"

namespace spotlight {

std::vector<TokenSequence> repeated_random_tokens(Index vocab_size,
                                                  const RepeatedTokensTest& test) {
  require(vocab_size >= 2, "the repeated-tokens test needs a vocabulary of at least 2 ids, got ",
          vocab_size);
  require(test.repeat_length >= 3, "the repeated-tokens test needs R >= 3 random tokens (at R = ",
          "2 the induction key is the previous token), got ", test.repeat_length);
  require(test.sequences >= 1, "the repeated-tokens test needs at least 1 sequence, got ",
          test.sequences);
  require(test.start_token >= 0 && test.start_token < vocab_size, "the start token ",
          test.start_token, " is outside the vocabulary of ", vocab_size);
  SplitMix64 random(test.seed);
  std::vector<TokenSequence> sequences;
  for (Index s = 0; s < test.sequences; ++s) {
    TokenSequence sequence{test.start_token};
    for (Index i = 0; i < test.repeat_length; ++i) {
      // vocab_size - 1 ids without the start token; the draw's bias is below 2^-40 for any
      // vocabulary that fits in memory.
      auto token = static_cast<TokenId>(random.next() % static_cast<std::uint64_t>(vocab_size - 1));
      if (token >= test.start_token) ++token;
      sequence.push_back(token);
    }
    sequence.insert(sequence.end(), sequence.begin() + 1, sequence.end());
    sequences.push_back(std::move(sequence));
  }
  return sequences;
}

HeadScores detect_heads(const LanguageModel& model, const std::vector<TokenSequence>& sequences) {
  HeadScoreAccumulator scores;
  for (std::size_t s = 0; s < sequences.size(); ++s) {
    try {
      scores.add(model.attention_maps(sequences[s]), sequences[s]);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(concat("sequence ", s, ": ", error.what()));
    }
  }
  return scores.result();
}

}  // namespace spotlight
