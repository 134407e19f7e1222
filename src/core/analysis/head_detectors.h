// The head detectors (head_scores.h) run on a language model (language_model.h): the workshop's
// trained model, or GPT-2 read from Hugging Face's files, measured the same way, so that "which
// head of GPT-2 attends to the previous token?" is a measurement anyone repeats on their own copy.
//
// The standard test (Olsson et al. 2022; as the ARENA course runs it on GPT-2 small): a start
// token, then R tokens drawn uniformly at random, then the same R again:
//   position  0       1 .. R        R + 1 .. 2R
//   token     start   r_1 .. r_R    r_1 .. r_R
// Random tokens carry no meaning, so a head that finds the earlier copy of the current token
// (duplicate token) or the token after it (induction) does so by its mechanism alone. In the
// second half each query i has one earlier copy, i - R, and one induction key, i - R + 1 (draws
// that repeat within the R are allowed, as in the literature; they add keys the scores also
// count).
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/head_scores.h"
#include "base/sequences.h"
#include "model/language_model.h"

namespace spotlight {

struct RepeatedTokensTest {
  Index repeat_length = 50;  // R
  Index sequences = 10;
  TokenId start_token = 0;   // GPT-2's <|endoftext|> (50256) is the start token its users prepend
  std::uint64_t seed = 1;
};

// The test's sequences for a vocabulary of `vocab_size` ids: each 2 R + 1 tokens, the random ones
// drawn from 0 .. vocab_size - 1 without the start token. Throws std::invalid_argument for R
// below 3 (at R = 2 the induction key is the previous token), sequences below 1, a start token
// outside the vocabulary, or a vocabulary of fewer than 2 ids.
std::vector<TokenSequence> repeated_random_tokens(Index vocab_size, const RepeatedTokensTest& test);

// Every head's scores (head_scores.h) over `sequences`, each run through the model's forward one
// at a time (a sequence's maps are held only while it is scored). Throws what forward throws
// (a sequence longer than the context, a token outside the vocabulary) naming the sequence.
HeadScores detect_heads(const LanguageModel& model, const std::vector<TokenSequence>& sequences);

}  // namespace spotlight
