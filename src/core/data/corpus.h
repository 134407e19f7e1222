// Training data of the tiny language model: the workshop corpus, induction sequences and the
// user's own text, and the batches a trainer draws from them. Every corpus is a deterministic
// function of its seed (SplitMix64, random.h).
//
// The workshop corpus: sentences of a small grammar (94 words; 96 ids with <unk> and <bos>) in
// which predicting the word after the query needs exactly one relation, query -> key, with
// distractor nouns in between; heads are scored on these relations as Clark et al. (2019) score
// BERT's (head_scores.h). Three families:
//
//   coreference      [time] the [adj] ANIMAL MOTION PLACE{0,2} [time'] because it NEXT
//                    "the cat sat on the mat because it was tired"        query "it", key "cat"
//                    NEXT: the animal's own verb ("it purred": cat, "it barked": dog) or
//                    "was" + a state (tired, hungry, ...), each half of the time.
//   agreement        [time] the [adj] ANIMAL|ANIMALS PLACE{0,2} is|are NEXT
//                    "the dogs in the park are playing"                   query "are", key "dogs"
//                    "is" after a singular animal, "are" after a plural, each half of the time;
//                    NEXT: the animal's own -ing verb ("barking": dog) or an activity (playing,
//                    sleeping, ...), each half of the time.
//   relative_clause  [time] the [adj] THING that PRONOUN VERB PLACE{0,1} [time'] was NEXT
//                    "the book that i bought yesterday was interesting"   query "was", key "book"
//                    NEXT: one of the thing's own two adjectives (book: interesting, long) or a
//                    generic one (good, great, nice), each half of the time.
//
//   PLACE = PREP the PLACE_NOUN ("on the mat", "in the park"): the distractor nouns. [time] opens
//   a sentence ("today", "at night", "in the morning"), [time'] closes a clause ("yesterday",
//   "today", "at night"); a sentence has at most one of them. The animal is singular in
//   coreference, singular or plural in agreement; [adj] comes a third of the time.
//   So the query's position and its distance to the key vary from sentence to sentence, and the
//   word after the query is predictable only from the key: past the places, and past the verb of
//   the relative clause, whose verbs are shared by every thing.
//
// Shapes. WorkshopShapes::trained is the grammar above, for training and held-out sentences.
// WorkshopShapes::novel puts one more phrase between the key and the query than the trained
// grammar ever does, in the same words, to test whether a head generalises:
//   coreference, agreement  three PLACE phrases (trained: at most two), or a relative clause
//                           on the animal: "the cat that she liked sat on the mat because it ..."
//                           (trained: "that" only follows a THING)
//   relative_clause         two PLACE phrases in the clause (trained: at most one), or a PLACE
//                           phrase between the noun and "that": "the book on the table that i
//                           bought was ..." (trained: "that" directly follows the THING)
// Every sentence of either shape has at most max_sentence_words words.
//
// Induction data: a random half repeated (Olsson et al. 2022), on which a two-layer attention-only
// model forms induction heads. Own text: any token stream (tokenizer.h), with a vocabulary made by
// Vocabulary::from_tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/matrix.h"
#include "base/random.h"
#include "base/sequences.h"
#include "data/vocabulary.h"

namespace spotlight {

// ---- The workshop corpus ----

inline constexpr Index max_sentence_words = 20;

struct Sentence {
  std::vector<std::string> words;
  std::vector<Relation> relations;  // positions index `words`
};

enum class WorkshopShapes { trained, novel };

struct Animal {
  std::string singular, plural;   // "cat", "cats"
  std::string past, progressive;  // its own verbs: "purred", "purring"
};

struct Thing {
  std::string noun;                     // "book"
  std::vector<std::string> adjectives;  // its own: "interesting", "long"
};

// The grammar's words by role (the capitals of the grammar above).
struct WorkshopLexicon {
  std::vector<Animal> animals;
  std::vector<Thing> things;
  std::vector<std::string> animal_adjectives;   // "the big cat"
  std::vector<std::string> thing_adjectives;    // "the new book"
  std::vector<std::string> motion_verbs;        // coreference: "sat"
  std::vector<std::string> states;              // coreference: "was tired"
  std::vector<std::string> activities;          // agreement: "are playing"
  std::vector<std::string> generic_adjectives;  // relative_clause: "was good"
  std::vector<std::string> pronouns;            // relative clause: "that she liked"
  std::vector<std::string> clause_verbs;
  // PLACE: an object takes an object preposition ("on the mat"), an area an area preposition.
  std::vector<std::string> objects, object_prepositions;
  std::vector<std::string> areas, area_prepositions;
  std::vector<std::vector<std::string>> opening_times;  // [time]
  std::vector<std::vector<std::string>> closing_times;  // [time']: no "the", so that the nouns
                                                        // between key and query are the places
};

WorkshopLexicon workshop_lexicon();

// Every word of the grammar once, in a fixed order: the words of Vocabulary(workshop_words()).
std::vector<std::string> workshop_words();

// `count` sentences, each with one relation, drawn in turn from SplitMix64(seed); the families
// in equal shares. Throws std::invalid_argument for count < 0.
std::vector<Sentence> workshop_sentences(std::uint64_t seed, Index count, WorkshopShapes shapes);

// `count` sentences drawn as workshop_sentences(seed, ...) draws them, skipping every sentence
// whose words are those of a sentence in `training`: a test set that shares no sentence with the
// training set (it may repeat a sentence of its own). Throws std::invalid_argument for count < 0,
// or when 100 * count + 1000 draws do not find `count` such sentences (`training` covers nearly
// all of the grammar), giving both counts.
std::vector<Sentence> held_out_sentences(std::uint64_t seed, Index count, WorkshopShapes shapes,
                                         const std::vector<Sentence>& training);

// The workshop's three sentences, in the trained grammar: "the cat sat on the mat because it was
// tired" (coreference it -> cat), "the dogs in the park are playing" (agreement are -> dogs),
// "the book that i bought yesterday was interesting" (relative_clause was -> book).
std::vector<Sentence> workshop_experiments();

// The sentence as the model reads it: <bos>, then the words' ids; a relation at word position p
// is at token position p + 1.
struct EncodedSentence {
  TokenSequence tokens;
  std::vector<Relation> relations;  // positions index `tokens`
};

EncodedSentence encode_sentence(const Vocabulary& vocabulary, const Sentence& sentence);

// ---- Induction data ----

// Symbol k (0-based) is named "a" .. "z" for k < 26, then "a1" .. "z1", "a2", ...
std::string induction_symbol(Index symbol);

// Every sequence is 1 + 2 P tokens, its period P uniform in [shortest_period, longest_period]:
// <bos> at 0, P distinct symbols at 1 .. P (each ordered choice of them equally likely), and the
// same symbols again at P + 1 .. 2 P. So a query q > P has exactly one earlier occurrence of its
// token, at q - P, and an induction head at q attends to q - P + 1, the token that followed it the
// first time (head_scores.h, "induction"; P >= 3 tells induction from previous-token heads).
// The period varies so that no head can score by position alone: with one fixed P, a head that
// always looks P - 1 tokens back would look like an induction head (measured: a single-layer
// positional head scored 0.74 with P fixed at 16).
struct InductionData {
  Vocabulary vocabulary;  // <unk>, <bos>, then the symbols: symbol k is id k + 2
  std::vector<TokenSequence> sequences;
  std::vector<Index> periods;  // of each sequence
};

// Throws std::invalid_argument for count < 0, n_symbols < 2, or periods outside
// 1 <= shortest_period <= longest_period <= n_symbols, naming the values.
InductionData induction_data(std::uint64_t seed, Index count, Index n_symbols,
                             Index shortest_period, Index longest_period);

// ---- Training sets and batches ----

class TrainingSet {
 public:
  // Throws std::invalid_argument for no sequences, a sequence of fewer than 2 tokens (an input
  // needs its next token), or a token id outside [0, vocab_size), naming the sequence and the id.
  TrainingSet(std::vector<TokenSequence> sequences, Index vocab_size);

  const std::vector<TokenSequence>& sequences() const { return sequences_; }
  Index vocab_size() const { return vocab_size_; }

 private:
  std::vector<TokenSequence> sequences_;
  Index vocab_size_;
};

// One sequence per sentence: encode_sentence's tokens.
TrainingSet sentence_training_set(const Vocabulary& vocabulary,
                                  const std::vector<Sentence>& sentences);

// Own text: one sequence, <bos> then the tokens' ids (words outside the vocabulary as <unk>),
// which draw_batch cuts into windows. Throws std::invalid_argument for no tokens.
TrainingSet text_training_set(const Vocabulary& vocabulary, const std::vector<std::string>& tokens);

struct Batch {
  Index batch = 0;
  Index seq_len = 0;
  std::vector<TokenId> inputs;   // (batch, seq_len) row-major
  std::vector<TokenId> targets;  // (batch, seq_len): the token after each input, or ignored_target
};

// The largest batch * seq_len that draw_batch accepts (64 MiB of inputs).
inline constexpr Index max_batch_tokens = Index{1} << 24;

// Row r: a sequence drawn uniformly from the set (one rng.next()). A sequence of n <= seq_len + 1
// tokens fills inputs 0 .. n - 2 with tokens 0 .. n - 2 and targets with tokens 1 .. n - 1; past
// that, inputs are <unk> (0) and targets ignored_target, so padding adds nothing to the loss
// and, under the causal mask, changes no earlier position. A longer sequence gives the window of
// seq_len + 1 tokens starting at an offset uniform in [0, n - seq_len - 1] (a second rng.next()),
// as for own text. Deterministic given the rng's state. Throws std::invalid_argument for
// batch < 1, seq_len < 1 or batch * seq_len > max_batch_tokens, naming the values.
Batch draw_batch(const TrainingSet& set, Index batch, Index seq_len, SplitMix64& rng);

}  // namespace spotlight
