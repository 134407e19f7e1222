#include "data/corpus.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "base/errors.h"
#include "data/tokenizer.h"

namespace spotlight {

namespace {

// Uniform in [0, n) for n >= 1. The bias of the modulo, below n / 2^64, is far too small to matter.
Index uniform_below(SplitMix64& rng, Index n) {
  return static_cast<Index>(rng.next() % static_cast<std::uint64_t>(n));
}

// True with probability numerator / denominator.
bool chance(SplitMix64& rng, Index numerator, Index denominator) {
  return uniform_below(rng, denominator) < numerator;
}

template <typename T>
const T& pick(SplitMix64& rng, const std::vector<T>& options) {
  return options[static_cast<std::size_t>(uniform_below(rng, static_cast<Index>(options.size())))];
}

// A sentence being built; add returns the position of the word it appended.
class SentenceBuilder {
 public:
  Index add(const std::string& word) {
    words_.push_back(word);
    return static_cast<Index>(words_.size()) - 1;
  }
  void add(const std::vector<std::string>& phrase) {
    words_.insert(words_.end(), phrase.begin(), phrase.end());
  }
  Sentence finish(const char* relation, Index query, Index key) {
    return {std::move(words_), {Relation{relation, query, key}}};
  }

 private:
  std::vector<std::string> words_;
};

// [time] at the start, [time'] at the end of the clause before the query, or neither, in equal
// shares (corpus.h); without such a clause, neither or [time].
enum class TimeSlot { none, opening, closing };

TimeSlot draw_time_slot(SplitMix64& rng, bool has_closing_slot) {
  return static_cast<TimeSlot>(uniform_below(rng, has_closing_slot ? 3 : 2));
}

// "the [adj] noun", [adj] a third of the time; returns the noun's position.
Index add_noun_phrase(SplitMix64& rng, const std::vector<std::string>& adjectives,
                      const std::string& noun, SentenceBuilder& sentence) {
  sentence.add("the");
  if (chance(rng, 1, 3)) sentence.add(pick(rng, adjectives));
  return sentence.add(noun);
}

// `count` PLACE phrases: "on the mat", "in the park", objects and areas in equal shares.
void add_places(SplitMix64& rng, const WorkshopLexicon& lexicon, Index count,
                SentenceBuilder& sentence) {
  for (Index i = 0; i < count; ++i) {
    const bool object = chance(rng, 1, 2);
    sentence.add(pick(rng, object ? lexicon.object_prepositions : lexicon.area_prepositions));
    sentence.add("the");
    sentence.add(pick(rng, object ? lexicon.objects : lexicon.areas));
  }
}

// "that PRONOUN VERB": "that i bought".
void add_relative_clause(SplitMix64& rng, const WorkshopLexicon& lexicon,
                         SentenceBuilder& sentence) {
  sentence.add("that");
  sentence.add(pick(rng, lexicon.pronouns));
  sentence.add(pick(rng, lexicon.clause_verbs));
}

// The novel shapes' extra phrase for coreference and agreement (corpus.h, "Shapes"): a third
// PLACE phrase or a relative clause on the animal, in equal shares.
struct AnimalSubjectShape {
  bool relative_clause = false;
  Index places = 0;
};

AnimalSubjectShape draw_animal_subject_shape(SplitMix64& rng, WorkshopShapes shapes) {
  AnimalSubjectShape shape;
  if (shapes == WorkshopShapes::novel) shape.relative_clause = chance(rng, 1, 2);
  const bool third_place = shapes == WorkshopShapes::novel && !shape.relative_clause;
  shape.places = third_place ? 3 : uniform_below(rng, 3);
  return shape;
}

void add_opening_time(SplitMix64& rng, const WorkshopLexicon& lexicon, TimeSlot time,
                      SentenceBuilder& sentence) {
  if (time == TimeSlot::opening) sentence.add(pick(rng, lexicon.opening_times));
}

void add_closing_time(SplitMix64& rng, const WorkshopLexicon& lexicon, TimeSlot time,
                      SentenceBuilder& sentence) {
  if (time == TimeSlot::closing) sentence.add(pick(rng, lexicon.closing_times));
}

Sentence coreference_sentence(SplitMix64& rng, const WorkshopLexicon& lexicon,
                              WorkshopShapes shapes) {
  const AnimalSubjectShape shape = draw_animal_subject_shape(rng, shapes);
  const TimeSlot time = draw_time_slot(rng, true);
  SentenceBuilder sentence;
  add_opening_time(rng, lexicon, time, sentence);
  const Animal& animal = pick(rng, lexicon.animals);
  const Index key = add_noun_phrase(rng, lexicon.animal_adjectives, animal.singular, sentence);
  if (shape.relative_clause) add_relative_clause(rng, lexicon, sentence);
  sentence.add(pick(rng, lexicon.motion_verbs));
  add_places(rng, lexicon, shape.places, sentence);
  add_closing_time(rng, lexicon, time, sentence);
  sentence.add("because");
  const Index query = sentence.add("it");
  if (chance(rng, 1, 2)) {
    sentence.add(animal.past);
  } else {
    sentence.add("was");
    sentence.add(pick(rng, lexicon.states));
  }
  return sentence.finish("coreference", query, key);
}

Sentence agreement_sentence(SplitMix64& rng, const WorkshopLexicon& lexicon,
                            WorkshopShapes shapes) {
  const AnimalSubjectShape shape = draw_animal_subject_shape(rng, shapes);
  const TimeSlot time = draw_time_slot(rng, false);
  SentenceBuilder sentence;
  add_opening_time(rng, lexicon, time, sentence);
  const Animal& animal = pick(rng, lexicon.animals);
  const bool plural = chance(rng, 1, 2);
  const Index key = add_noun_phrase(rng, lexicon.animal_adjectives,
                                    plural ? animal.plural : animal.singular, sentence);
  if (shape.relative_clause) add_relative_clause(rng, lexicon, sentence);
  add_places(rng, lexicon, shape.places, sentence);
  const Index query = sentence.add(plural ? "are" : "is");
  sentence.add(chance(rng, 1, 2) ? animal.progressive : pick(rng, lexicon.activities));
  return sentence.finish("agreement", query, key);
}

Sentence relative_clause_sentence(SplitMix64& rng, const WorkshopLexicon& lexicon,
                                  WorkshopShapes shapes) {
  // The novel shapes' extra phrase: a PLACE phrase before "that", or a second one in the clause.
  const bool place_before_that = shapes == WorkshopShapes::novel && chance(rng, 1, 2);
  const bool second_place = shapes == WorkshopShapes::novel && !place_before_that;
  const Index clause_places = second_place ? 2 : uniform_below(rng, 2);
  const TimeSlot time = draw_time_slot(rng, true);
  SentenceBuilder sentence;
  add_opening_time(rng, lexicon, time, sentence);
  const Thing& thing = pick(rng, lexicon.things);
  const Index key = add_noun_phrase(rng, lexicon.thing_adjectives, thing.noun, sentence);
  if (place_before_that) add_places(rng, lexicon, 1, sentence);
  add_relative_clause(rng, lexicon, sentence);
  add_places(rng, lexicon, clause_places, sentence);
  add_closing_time(rng, lexicon, time, sentence);
  const Index query = sentence.add("was");
  sentence.add(chance(rng, 1, 2) ? pick(rng, thing.adjectives)
                                 : pick(rng, lexicon.generic_adjectives));
  return sentence.finish("relative_clause", query, key);
}

Sentence draw_sentence(SplitMix64& rng, const WorkshopLexicon& lexicon, WorkshopShapes shapes) {
  switch (uniform_below(rng, 3)) {
    case 0:
      return coreference_sentence(rng, lexicon, shapes);
    case 1:
      return agreement_sentence(rng, lexicon, shapes);
    default:
      return relative_clause_sentence(rng, lexicon, shapes);
  }
}

Sentence experiment(const char* text, const char* relation, Index query, Index key) {
  return {split_words(text, false), {Relation{relation, query, key}}};
}

}  // namespace

WorkshopLexicon workshop_lexicon() {
  WorkshopLexicon lexicon;
  lexicon.animals = {{"cat", "cats", "purred", "purring"},
                     {"dog", "dogs", "barked", "barking"},
                     {"bird", "birds", "chirped", "chirping"},
                     {"cow", "cows", "mooed", "mooing"}};
  lexicon.things = {{"book", {"interesting", "long"}},
                    {"film", {"funny", "scary"}},
                    {"song", {"catchy", "loud"}},
                    {"cake", {"sweet", "delicious"}},
                    {"game", {"fun", "hard"}}};
  lexicon.animal_adjectives = {"big", "small", "old", "young"};
  lexicon.thing_adjectives = {"new", "old", "first", "last"};
  lexicon.motion_verbs = {"sat", "slept", "waited", "stayed"};
  lexicon.states = {"tired", "hungry", "happy", "sleepy"};
  lexicon.activities = {"playing", "sleeping", "eating", "running"};
  lexicon.generic_adjectives = {"good", "great", "nice"};
  lexicon.pronouns = {"i", "you", "we", "she", "he", "they"};
  lexicon.clause_verbs = {"bought", "found", "liked", "saw", "got"};
  lexicon.objects = {"mat", "sofa", "table", "box", "bed", "chair"};
  lexicon.object_prepositions = {"on", "under", "near", "behind"};
  lexicon.areas = {"park", "garden", "house", "shop", "school", "station"};
  lexicon.area_prepositions = {"in", "near", "at", "behind"};
  lexicon.opening_times = {
      {"today"}, {"at", "night"}, {"in", "the", "morning"}, {"in", "the", "evening"}};
  lexicon.closing_times = {{"yesterday"}, {"today"}, {"at", "night"}};
  return lexicon;
}

std::vector<std::string> workshop_words() {
  const WorkshopLexicon lexicon = workshop_lexicon();
  std::vector<std::string> words;
  std::set<std::string> seen;
  const auto add = [&](const std::vector<std::string>& more) {
    for (const std::string& word : more) {
      if (seen.insert(word).second) words.push_back(word);
    }
  };
  add({"the", "because", "it", "was", "is", "are", "that"});
  for (const Animal& animal : lexicon.animals) {
    add({animal.singular, animal.plural, animal.past, animal.progressive});
  }
  for (const Thing& thing : lexicon.things) {
    add({thing.noun});
    add(thing.adjectives);
  }
  for (const auto* list :
       {&lexicon.animal_adjectives, &lexicon.thing_adjectives, &lexicon.motion_verbs,
        &lexicon.states, &lexicon.activities, &lexicon.generic_adjectives, &lexicon.pronouns,
        &lexicon.clause_verbs, &lexicon.objects, &lexicon.object_prepositions, &lexicon.areas,
        &lexicon.area_prepositions}) {
    add(*list);
  }
  for (const auto* times : {&lexicon.opening_times, &lexicon.closing_times}) {
    for (const std::vector<std::string>& phrase : *times) add(phrase);
  }
  return words;
}

std::vector<Sentence> workshop_sentences(std::uint64_t seed, Index count, WorkshopShapes shapes) {
  require(count >= 0, "sentence count must be >= 0, got ", count);
  const WorkshopLexicon lexicon = workshop_lexicon();
  SplitMix64 rng(seed);
  std::vector<Sentence> sentences;
  sentences.reserve(static_cast<std::size_t>(count));
  for (Index i = 0; i < count; ++i) sentences.push_back(draw_sentence(rng, lexicon, shapes));
  return sentences;
}

std::vector<Sentence> held_out_sentences(std::uint64_t seed, Index count, WorkshopShapes shapes,
                                         const std::vector<Sentence>& training) {
  require(count >= 0, "held-out sentence count must be >= 0, got ", count);
  std::set<std::vector<std::string>> training_words;
  for (const Sentence& sentence : training) training_words.insert(sentence.words);
  const WorkshopLexicon lexicon = workshop_lexicon();
  SplitMix64 rng(seed);
  const Index max_draws = 100 * count + 1000;
  std::vector<Sentence> held_out;
  held_out.reserve(static_cast<std::size_t>(count));
  for (Index draws = 0; static_cast<Index>(held_out.size()) < count; ++draws) {
    require(draws < max_draws, "found only ", held_out.size(), " of ", count,
            " held-out sentences outside the training set in ", max_draws, " draws");
    Sentence sentence = draw_sentence(rng, lexicon, shapes);
    if (training_words.count(sentence.words) == 0) held_out.push_back(std::move(sentence));
  }
  return held_out;
}

std::vector<Sentence> workshop_experiments() {
  return {experiment("the cat sat on the mat because it was tired", "coreference", 7, 1),
          experiment("the dogs in the park are playing", "agreement", 5, 1),
          experiment("the book that i bought yesterday was interesting", "relative_clause", 6, 1)};
}

EncodedSentence encode_sentence(const Vocabulary& vocabulary, const Sentence& sentence) {
  EncodedSentence encoded;
  encoded.tokens.push_back(Vocabulary::bos_id);
  const TokenSequence ids = vocabulary.encode(sentence.words);
  encoded.tokens.insert(encoded.tokens.end(), ids.begin(), ids.end());
  for (const Relation& relation : sentence.relations) {
    encoded.relations.push_back({relation.name, relation.query + 1, relation.key + 1});
  }
  return encoded;
}

std::string induction_symbol(Index symbol) {
  require(symbol >= 0, "induction symbol must be >= 0, got ", symbol);
  std::string name(1, static_cast<char>('a' + symbol % 26));
  if (symbol >= 26) name += std::to_string(symbol / 26);
  return name;
}

InductionData induction_data(std::uint64_t seed, Index count, Index n_symbols,
                             Index shortest_period, Index longest_period) {
  require(count >= 0, "induction sequence count must be >= 0, got ", count);
  constexpr Index max_symbols = std::numeric_limits<TokenId>::max() - Vocabulary::reserved_count;
  require(n_symbols >= 2 && n_symbols <= max_symbols, "induction data needs n_symbols in [2, ",
          max_symbols, "], got ", n_symbols);
  require(shortest_period >= 1 && shortest_period <= longest_period && longest_period <= n_symbols,
          "induction data needs periods with 1 <= shortest <= longest <= n_symbols = ", n_symbols,
          ", got ", shortest_period, " and ", longest_period);
  std::vector<std::string> symbols;
  for (Index symbol = 0; symbol < n_symbols; ++symbol) symbols.push_back(induction_symbol(symbol));
  SplitMix64 rng(seed);
  std::vector<TokenId> ids(static_cast<std::size_t>(n_symbols));
  std::vector<TokenSequence> sequences(static_cast<std::size_t>(count));
  std::vector<Index> periods(static_cast<std::size_t>(count));
  for (std::size_t s = 0; s < sequences.size(); ++s) {
    const Index period = shortest_period + uniform_below(rng, longest_period - shortest_period + 1);
    periods[s] = period;
    TokenSequence& sequence = sequences[s];
    // The first `period` steps of a Fisher-Yates shuffle: a uniform ordered choice of distinct ids.
    for (Index symbol = 0; symbol < n_symbols; ++symbol) {
      ids[static_cast<std::size_t>(symbol)] =
          static_cast<TokenId>(Vocabulary::reserved_count + symbol);
    }
    sequence.resize(static_cast<std::size_t>(1 + 2 * period));
    sequence[0] = Vocabulary::bos_id;
    for (Index i = 0; i < period; ++i) {
      const Index chosen = i + uniform_below(rng, n_symbols - i);
      std::swap(ids[static_cast<std::size_t>(i)], ids[static_cast<std::size_t>(chosen)]);
      sequence[static_cast<std::size_t>(1 + i)] = ids[static_cast<std::size_t>(i)];
      sequence[static_cast<std::size_t>(1 + i + period)] = ids[static_cast<std::size_t>(i)];
    }
  }
  return {Vocabulary(symbols), std::move(sequences), std::move(periods)};
}

TrainingSet::TrainingSet(std::vector<TokenSequence> sequences, Index vocab_size)
    : sequences_(std::move(sequences)), vocab_size_(vocab_size) {
  require(!sequences_.empty(), "a training set needs at least one sequence, got none");
  for (std::size_t i = 0; i < sequences_.size(); ++i) {
    const TokenSequence& sequence = sequences_[i];
    require(sequence.size() >= 2, "training sequence ", i, " has ", sequence.size(),
            " tokens; it needs at least 2 (an input and its next token)");
    for (std::size_t position = 0; position < sequence.size(); ++position) {
      const TokenId id = sequence[position];
      require(id >= 0 && id < vocab_size, "training sequence ", i, " has token id ", id,
              " at position ", position, ", outside the vocabulary of ", vocab_size, " words");
    }
  }
}

TrainingSet sentence_training_set(const Vocabulary& vocabulary,
                                  const std::vector<Sentence>& sentences) {
  std::vector<TokenSequence> sequences;
  sequences.reserve(sentences.size());
  for (const Sentence& sentence : sentences) {
    sequences.push_back(encode_sentence(vocabulary, sentence).tokens);
  }
  return TrainingSet(std::move(sequences), vocabulary.size());
}

TrainingSet text_training_set(const Vocabulary& vocabulary,
                              const std::vector<std::string>& tokens) {
  require(!tokens.empty(), "own text has no tokens to train on");
  TokenSequence sequence{Vocabulary::bos_id};
  const TokenSequence ids = vocabulary.encode(tokens);
  sequence.insert(sequence.end(), ids.begin(), ids.end());
  return TrainingSet({std::move(sequence)}, vocabulary.size());
}

Batch draw_batch(const TrainingSet& set, Index batch, Index seq_len, SplitMix64& rng) {
  require(batch >= 1, "batch must be >= 1, got ", batch);
  require(seq_len >= 1, "seq_len must be >= 1, got ", seq_len);
  require(batch <= max_batch_tokens / seq_len, "batch ", batch, " x seq_len ", seq_len,
          " exceeds the ", max_batch_tokens, " tokens a batch may hold");
  const auto cells = static_cast<std::size_t>(batch * seq_len);
  Batch result{batch, seq_len, std::vector<TokenId>(cells, Vocabulary::unknown_id),
               std::vector<TokenId>(cells, ignored_target)};
  const auto n_sequences = static_cast<Index>(set.sequences().size());
  for (Index row = 0; row < batch; ++row) {
    const TokenSequence& sequence =
        set.sequences()[static_cast<std::size_t>(uniform_below(rng, n_sequences))];
    const auto n_tokens = static_cast<Index>(sequence.size());
    const Index start = n_tokens > seq_len + 1 ? uniform_below(rng, n_tokens - seq_len) : 0;
    const Index n_inputs = std::min(n_tokens - 1, seq_len);
    for (Index t = 0; t < n_inputs; ++t) {
      const auto cell = static_cast<std::size_t>(row * seq_len + t);
      result.inputs[cell] = sequence[static_cast<std::size_t>(start + t)];
      result.targets[cell] = sequence[static_cast<std::size_t>(start + t + 1)];
    }
  }
  return result;
}

}  // namespace spotlight
