// The training data: the workshop grammar (its relations, the dependence of the next word on the
// key, varying positions, trained and novel shapes, held-out sentences), the induction data, own
// text, and the batches drawn from them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "base/random.h"
#include "data/corpus.h"
#include "data/tokenizer.h"

using Catch::Matchers::Contains;
using spotlight::Index;
using spotlight::Sentence;
using spotlight::TokenId;
using spotlight::TokenSequence;
using spotlight::Vocabulary;
using spotlight::WorkshopLexicon;
using spotlight::WorkshopShapes;
using Words = std::vector<std::string>;

namespace {

std::string joined(const Words& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

std::string one_of(const Words& options) {
  std::string pattern;
  for (const std::string& option : options) pattern += (pattern.empty() ? "" : "|") + option;
  return "(?:" + pattern + ")";
}

std::string one_of(const std::vector<Words>& phrases) {
  Words options;
  for (const Words& phrase : phrases) options.push_back(joined(phrase));
  return one_of(options);
}

Words split(const char* text) { return spotlight::split_words(text, false); }

bool contains(const Words& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// An independent reference of the trained grammar (corpus.h), written as regular expressions
// over the sentence's text, plus the dependencies a regular expression cannot check: the word
// after the query belongs to the key, and "is"/"are" agrees with it.
class TrainedGrammar {
 public:
  TrainedGrammar() : lexicon_(spotlight::workshop_lexicon()) {
    const WorkshopLexicon& l = lexicon_;
    Words singular, any_animal, things;
    for (const auto& animal : l.animals) {
      singular.push_back(animal.singular);
      any_animal.push_back(animal.singular);
      any_animal.push_back(animal.plural);
    }
    for (const auto& thing : l.things) things.push_back(thing.noun);
    const std::string place = "(?:" + one_of(l.object_prepositions) + " the " + one_of(l.objects) +
                              "|" + one_of(l.area_prepositions) + " the " + one_of(l.areas) + ")";
    const std::string opening = one_of(l.opening_times) + " ";
    const std::string closing = " " + one_of(l.closing_times);
    // At most one time phrase: none, opening or closing.
    const auto with_times = [&](const std::string& before_closing, const std::string& rest) {
      return std::vector<std::regex>{std::regex("^" + before_closing + rest + "$"),
                                     std::regex("^" + opening + before_closing + rest + "$"),
                                     std::regex("^" + before_closing + closing + rest + "$")};
    };
    coreference_ = with_times("the (?:" + one_of(l.animal_adjectives) + " )?(" + one_of(singular) +
                                  ") " + one_of(l.motion_verbs) + "(?: " + place + "){0,2}",
                              " because it (.+)");
    const std::string agreement = "the (?:" + one_of(l.animal_adjectives) + " )?(" +
                                  one_of(any_animal) + ")(?: " + place + "){0,2} (is|are) (.+)";
    agreement_ = {std::regex("^" + agreement + "$"), std::regex("^" + opening + agreement + "$")};
    relative_clause_ =
        with_times("the (?:" + one_of(l.thing_adjectives) + " )?(" + one_of(things) + ") that " +
                       one_of(l.pronouns) + " " + one_of(l.clause_verbs) + "(?: " + place + ")?",
                   " was (.+)");
  }

  // The family whose grammar produces `words`, or "" when none does.
  std::string family_of(const Words& words) const {
    const std::string text = joined(words);
    std::smatch match;
    for (const std::regex& pattern : coreference_) {
      if (std::regex_match(text, match, pattern) && coreference_ending(match[1], match[2])) {
        return "coreference";
      }
    }
    for (const std::regex& pattern : agreement_) {
      if (std::regex_match(text, match, pattern) &&
          agreement_ending(match[1], match[2], match[3])) {
        return "agreement";
      }
    }
    for (const std::regex& pattern : relative_clause_) {
      if (std::regex_match(text, match, pattern) && relative_clause_ending(match[1], match[2])) {
        return "relative_clause";
      }
    }
    return "";
  }

 private:
  bool coreference_ending(const std::string& animal, const std::string& ending) const {
    for (const auto& a : lexicon_.animals) {
      if (a.singular == animal && ending == a.past) return true;
    }
    for (const std::string& state : lexicon_.states) {
      if (ending == "was " + state) return true;
    }
    return false;
  }

  bool agreement_ending(const std::string& subject, const std::string& verb,
                        const std::string& ending) const {
    for (const auto& a : lexicon_.animals) {
      const bool agrees =
          (subject == a.singular && verb == "is") || (subject == a.plural && verb == "are");
      if (agrees) return ending == a.progressive || contains(lexicon_.activities, ending);
    }
    return false;
  }

  bool relative_clause_ending(const std::string& noun, const std::string& ending) const {
    for (const auto& thing : lexicon_.things) {
      if (thing.noun == noun) {
        return contains(thing.adjectives, ending) || contains(lexicon_.generic_adjectives, ending);
      }
    }
    return false;
  }

  WorkshopLexicon lexicon_;
  std::vector<std::regex> coreference_, agreement_, relative_clause_;
};

const std::map<std::string, Words>& query_words() {
  static const std::map<std::string, Words> words = {
      {"coreference", {"it"}}, {"agreement", {"is", "are"}}, {"relative_clause", {"was"}}};
  return words;
}

// For each family, the words that belong to one key only: its own verb or adjectives.
std::map<std::string, std::string> owner_of_own_words() {
  std::map<std::string, std::string> owner;
  const WorkshopLexicon lexicon = spotlight::workshop_lexicon();
  for (const auto& animal : lexicon.animals) {
    owner[animal.past] = animal.singular;
    owner[animal.progressive] = animal.singular;  // "dog" and "dogs" share "barking"
  }
  for (const auto& thing : lexicon.things) {
    for (const std::string& adjective : thing.adjectives) owner[adjective] = thing.noun;
  }
  return owner;
}

std::string singular_of(const std::string& noun) {
  for (const auto& animal : spotlight::workshop_lexicon().animals) {
    if (noun == animal.plural) return animal.singular;
  }
  return noun;
}

// Total variation distance between two distributions given as counts.
double total_variation(const std::map<std::string, int>& a, const std::map<std::string, int>& b) {
  double total_a = 0, total_b = 0;
  for (const auto& entry : a) total_a += entry.second;
  for (const auto& entry : b) total_b += entry.second;
  std::set<std::string> words;
  for (const auto& entry : a) words.insert(entry.first);
  for (const auto& entry : b) words.insert(entry.first);
  double distance = 0;
  for (const std::string& word : words) {
    const double p = a.count(word) ? a.at(word) / total_a : 0.0;
    const double q = b.count(word) ? b.at(word) / total_b : 0.0;
    distance += std::abs(p - q);
  }
  return distance / 2;
}

}  // namespace

TEST_CASE("corpus: the same seed gives the same sentences, different seeds different ones",
          "[corpus]") {
  const auto shapes = GENERATE(WorkshopShapes::trained, WorkshopShapes::novel);
  const auto first = spotlight::workshop_sentences(7, 200, shapes);
  const auto again = spotlight::workshop_sentences(7, 200, shapes);
  const auto other = spotlight::workshop_sentences(8, 200, shapes);
  REQUIRE(first.size() == 200);
  Index different = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    REQUIRE(first[i].words == again[i].words);
    REQUIRE(first[i].relations[0].query == again[i].relations[0].query);
    REQUIRE(first[i].relations[0].key == again[i].relations[0].key);
    if (first[i].words != other[i].words) ++different;
  }
  REQUIRE(different > 180);
  // A shorter draw is a prefix of a longer one.
  REQUIRE(spotlight::workshop_sentences(7, 10, shapes)[9].words == first[9].words);
  REQUIRE(spotlight::workshop_sentences(7, 0, shapes).empty());
}

TEST_CASE("corpus: the three workshop sentences are well-formed and carry their relations",
          "[corpus]") {
  const TrainedGrammar grammar;
  const auto experiments = spotlight::workshop_experiments();
  REQUIRE(experiments.size() == 3);
  const char* texts[] = {"the cat sat on the mat because it was tired",
                         "the dogs in the park are playing",
                         "the book that i bought yesterday was interesting"};
  const char* names[] = {"coreference", "agreement", "relative_clause"};
  const char* queries[] = {"it", "are", "was"};
  const char* keys[] = {"cat", "dogs", "book"};
  const Index query_positions[] = {7, 5, 6};
  const Vocabulary vocabulary(spotlight::workshop_words());
  for (std::size_t i = 0; i < 3; ++i) {
    const Sentence& sentence = experiments[i];
    CAPTURE(texts[i]);
    REQUIRE(joined(sentence.words) == texts[i]);
    REQUIRE(grammar.family_of(sentence.words) == names[i]);
    REQUIRE(sentence.relations.size() == 1);
    const auto& relation = sentence.relations[0];
    REQUIRE(relation.name == names[i]);
    REQUIRE(relation.query == query_positions[i]);
    REQUIRE(relation.key == 1);
    REQUIRE(sentence.words[static_cast<std::size_t>(relation.query)] == queries[i]);
    REQUIRE(sentence.words[static_cast<std::size_t>(relation.key)] == keys[i]);

    // The model reads <bos> first, so every position moves up by one.
    const auto encoded = spotlight::encode_sentence(vocabulary, sentence);
    REQUIRE(encoded.tokens.size() == sentence.words.size() + 1);
    REQUIRE(encoded.tokens[0] == Vocabulary::bos_id);
    REQUIRE(encoded.relations[0].name == names[i]);
    REQUIRE(encoded.relations[0].query == relation.query + 1);
    REQUIRE(encoded.relations[0].key == 2);
    REQUIRE(vocabulary.word(encoded.tokens[static_cast<std::size_t>(relation.query + 1)]) ==
            queries[i]);
    REQUIRE(vocabulary.word(encoded.tokens[2]) == keys[i]);
  }
}

TEST_CASE("corpus: every query is its family's word and its key an earlier antecedent",
          "[corpus]") {
  const auto shapes = GENERATE(WorkshopShapes::trained, WorkshopShapes::novel);
  const WorkshopLexicon lexicon = spotlight::workshop_lexicon();
  Words keys;
  for (const auto& animal : lexicon.animals) {
    keys.push_back(animal.singular);
    keys.push_back(animal.plural);
  }
  for (const auto& thing : lexicon.things) keys.push_back(thing.noun);
  std::map<std::string, Index> family_counts;
  for (const Sentence& sentence : spotlight::workshop_sentences(11, 3000, shapes)) {
    CAPTURE(joined(sentence.words));
    REQUIRE(static_cast<Index>(sentence.words.size()) <= spotlight::max_sentence_words);
    REQUIRE(sentence.relations.size() == 1);
    const auto& relation = sentence.relations[0];
    REQUIRE(query_words().count(relation.name) == 1);
    REQUIRE(0 <= relation.key);
    REQUIRE(relation.key < relation.query);
    REQUIRE(relation.query + 1 < static_cast<Index>(sentence.words.size()));  // a next word
    const std::string& query = sentence.words[static_cast<std::size_t>(relation.query)];
    const std::string& key = sentence.words[static_cast<std::size_t>(relation.key)];
    REQUIRE(contains(query_words().at(relation.name), query));
    REQUIRE(contains(keys, key));
    if (relation.name == "agreement") REQUIRE((query == "are") == (key != singular_of(key)));
    ++family_counts[relation.name];
  }
  for (const auto& [family, count] : family_counts) {
    CAPTURE(family);
    REQUIRE(count > 900);  // about a third each
  }
}

TEST_CASE("corpus: the word after the query depends on the key", "[corpus]") {
  const auto owner = owner_of_own_words();
  // family -> key (singular for animals) -> next word -> count
  std::map<std::string, std::map<std::string, std::map<std::string, int>>> next_words;
  for (const Sentence& sentence : spotlight::workshop_sentences(3, 6000, WorkshopShapes::trained)) {
    const auto& relation = sentence.relations[0];
    const std::string key = singular_of(sentence.words[static_cast<std::size_t>(relation.key)]);
    const std::string& next = sentence.words[static_cast<std::size_t>(relation.query + 1)];
    CAPTURE(joined(sentence.words));
    // "barked" only ever follows "it" when the antecedent is "dog", and so on for every own word.
    if (owner.count(next)) REQUIRE(owner.at(next) == key);
    ++next_words[relation.name][key][next];
  }
  REQUIRE(next_words.size() == 3);
  for (const auto& [family, by_key] : next_words) {
    CAPTURE(family);
    REQUIRE(by_key.size() >= 4);
    for (const auto& [key, counts] : by_key) {
      // About half the time the key's own word follows.
      int own = 0, total = 0;
      for (const auto& [word, count] : counts) {
        total += count;
        if (owner.count(word)) own += count;
      }
      CAPTURE(key, own, total);
      REQUIRE(own > 0.35 * total);
      REQUIRE(own < 0.65 * total);
      // So the next word's distribution differs between any two keys by about one half.
      for (const auto& [other_key, other_counts] : by_key) {
        if (other_key == key) continue;
        CAPTURE(other_key);
        REQUIRE(total_variation(counts, other_counts) > 0.35);
      }
    }
  }
}

TEST_CASE("corpus: the key's position and its distance to the query vary", "[corpus]") {
  std::map<std::string, std::set<Index>> key_positions, distances;
  for (const Sentence& sentence : spotlight::workshop_sentences(5, 3000, WorkshopShapes::trained)) {
    const auto& relation = sentence.relations[0];
    key_positions[relation.name].insert(relation.key);
    distances[relation.name].insert(relation.query - relation.key);
  }
  for (const auto& [family, positions] : key_positions) {
    CAPTURE(family);
    REQUIRE(positions.size() >= 5);
    REQUIRE(distances.at(family).size() >= 3);
  }
  REQUIRE(distances.at("coreference").size() >= 8);
  REQUIRE(distances.at("relative_clause").size() >= 5);
}

TEST_CASE("corpus: the trained grammar produces every trained sentence and no novel one",
          "[corpus]") {
  const TrainedGrammar grammar;
  // The reference itself: it knows each family's shape and dependencies.
  REQUIRE(grammar.family_of(split(
              "in the morning the big cat slept near the box because it purred")) == "coreference");
  REQUIRE(grammar.family_of(split("the cat sat because it barked")).empty());
  REQUIRE(grammar.family_of(split("the cat sat on the mat on the mat on the mat because it purred"))
              .empty());
  REQUIRE(grammar.family_of(split("today the cat sat at night because it purred")).empty());
  REQUIRE(grammar.family_of(split("the dogs are barking")) == "agreement");
  REQUIRE(grammar.family_of(split("the dogs is barking")).empty());
  REQUIRE(grammar.family_of(split("the dog is mooing")).empty());
  REQUIRE(grammar.family_of(split("the film that we saw was scary")) == "relative_clause");
  REQUIRE(grammar.family_of(split("the film that we saw was long")).empty());
  REQUIRE(grammar.family_of(split("the film on the bed that we saw was nice")).empty());
  for (const Sentence& sentence :
       spotlight::workshop_sentences(13, 2000, WorkshopShapes::trained)) {
    CAPTURE(joined(sentence.words));
    REQUIRE(grammar.family_of(sentence.words) == sentence.relations[0].name);
  }
  // Both novel shapes of every family (corpus.h, "Shapes") are drawn, and none is in the grammar.
  std::map<std::string, Index> novel_shapes;
  for (const Sentence& sentence : spotlight::workshop_sentences(13, 2000, WorkshopShapes::novel)) {
    CAPTURE(joined(sentence.words));
    REQUIRE(grammar.family_of(sentence.words).empty());
    const auto& relation = sentence.relations[0];
    const std::string& after_key = sentence.words[static_cast<std::size_t>(relation.key + 1)];
    const bool clause_on_animal =
        relation.name != "relative_clause" && contains(sentence.words, "that");
    const bool place_before_that = relation.name == "relative_clause" && after_key != "that";
    ++novel_shapes[relation.name + (clause_on_animal || place_before_that ? " first" : " second")];
  }
  REQUIRE(novel_shapes.size() == 6);
  for (const auto& [shape, count] : novel_shapes) {
    CAPTURE(shape);
    REQUIRE(count > 200);
  }
}

TEST_CASE("corpus: held-out sentences are never training sentences", "[corpus]") {
  const auto training = spotlight::workshop_sentences(1, 3000, WorkshopShapes::trained);
  std::set<Words> training_words;
  for (const Sentence& sentence : training) training_words.insert(sentence.words);

  // The grammar is small: an unfiltered draw with another seed repeats training sentences.
  Index repeated = 0;
  std::vector<Sentence> unfiltered_new;
  for (const Sentence& sentence : spotlight::workshop_sentences(2, 3000, WorkshopShapes::trained)) {
    if (training_words.count(sentence.words)) {
      ++repeated;
    } else {
      unfiltered_new.push_back(sentence);
    }
  }
  REQUIRE(repeated > 50);

  const auto held_out = spotlight::held_out_sentences(2, 3000, WorkshopShapes::trained, training);
  REQUIRE(held_out.size() == 3000);
  for (const Sentence& sentence : held_out) {
    CAPTURE(joined(sentence.words));
    REQUIRE(training_words.count(sentence.words) == 0);
  }
  // They are the same seed's draws with the training sentences skipped.
  for (std::size_t i = 0; i < unfiltered_new.size(); ++i) {
    REQUIRE(held_out[i].words == unfiltered_new[i].words);
  }
  REQUIRE(spotlight::held_out_sentences(2, 3000, WorkshopShapes::trained, training)[2999].words ==
          held_out[2999].words);

  SECTION("novel sentences never meet the trained ones, so nothing is skipped") {
    const auto novel = spotlight::held_out_sentences(4, 500, WorkshopShapes::novel, training);
    const auto drawn = spotlight::workshop_sentences(4, 500, WorkshopShapes::novel);
    for (std::size_t i = 0; i < novel.size(); ++i) REQUIRE(novel[i].words == drawn[i].words);
  }
  SECTION("a negative count is rejected") {
    REQUIRE_THROWS_WITH(spotlight::held_out_sentences(2, -1, WorkshopShapes::trained, training),
                        Contains("count must be >= 0, got -1"));
    REQUIRE_THROWS_WITH(spotlight::workshop_sentences(2, -3, WorkshopShapes::trained),
                        Contains("count must be >= 0, got -3"));
  }
}

TEST_CASE("corpus: the vocabulary holds every word the grammar uses, under 128 in all",
          "[corpus]") {
  const Words words = spotlight::workshop_words();
  const Vocabulary vocabulary(words);  // rejects repeats
  REQUIRE(vocabulary.size() >= 60);
  REQUIRE(vocabulary.size() <= 120);
  REQUIRE(spotlight::workshop_words() == words);  // a fixed order
  std::set<std::string> used;
  for (const auto shapes : {WorkshopShapes::trained, WorkshopShapes::novel}) {
    for (const Sentence& sentence : spotlight::workshop_sentences(19, 6000, shapes)) {
      for (const std::string& word : sentence.words) {
        CAPTURE(word);
        REQUIRE(vocabulary.id(word) != Vocabulary::unknown_id);
        if (shapes == WorkshopShapes::trained) used.insert(word);
      }
    }
  }
  // Every word is used by the trained grammar: the novel shapes bring no word of their own.
  REQUIRE(used.size() == words.size());
}

TEST_CASE("corpus: induction sequences repeat their random half after <bos>", "[corpus]") {
  const auto data = spotlight::induction_data(9, 200, 30, 12, 12);
  REQUIRE(data.periods == std::vector<Index>(200, 12));
  REQUIRE(data.sequences.size() == 200);
  REQUIRE(data.vocabulary.size() == 32);
  REQUIRE(data.vocabulary.word(2) == "a");
  REQUIRE(data.vocabulary.word(27) == "z");
  REQUIRE(data.vocabulary.word(28) == "a1");
  REQUIRE(spotlight::induction_symbol(26 * 3 + 4) == "e3");
  std::map<TokenId, Index> first_position_counts;
  for (const TokenSequence& sequence : data.sequences) {
    REQUIRE(sequence.size() == 25);
    REQUIRE(sequence[0] == Vocabulary::bos_id);
    for (std::size_t i = 1; i <= 12; ++i) {
      REQUIRE(sequence[i] >= 2);
      REQUIRE(sequence[i] < 32);
      REQUIRE(sequence[i + 12] == sequence[i]);
    }
    // Distinct within the first half: each query of the second half has one earlier occurrence.
    REQUIRE(std::set<TokenId>(sequence.begin() + 1, sequence.begin() + 13).size() == 12);
    ++first_position_counts[sequence[1]];
  }
  REQUIRE(first_position_counts.size() == 30);  // every symbol can come first
  const auto every_symbol = spotlight::induction_data(3, 4, 6, 6, 6);
  for (const TokenSequence& sequence : every_symbol.sequences) {
    REQUIRE(std::set<TokenId>(sequence.begin() + 1, sequence.end()).size() == 6);
  }
  REQUIRE(spotlight::induction_data(9, 200, 30, 12, 12).sequences == data.sequences);
  REQUIRE(spotlight::induction_data(10, 200, 30, 12, 12).sequences != data.sequences);
  // Ready to train on: every sequence fills a batch of seq_len = 2 period exactly.
  const spotlight::TrainingSet set(data.sequences, data.vocabulary.size());
  spotlight::SplitMix64 rng(1);
  const auto batch = spotlight::draw_batch(set, 4, 24, rng);
  for (const TokenId target : batch.targets) REQUIRE(target != spotlight::ignored_target);
}

TEST_CASE("corpus: induction periods vary over their whole range, so position cannot solve them",
          "[corpus]") {
  const auto data = spotlight::induction_data(5, 400, 24, 8, 16);
  std::set<Index> periods(data.periods.begin(), data.periods.end());
  REQUIRE(periods == std::set<Index>{8, 9, 10, 11, 12, 13, 14, 15, 16});
  for (std::size_t s = 0; s < data.sequences.size(); ++s) {
    const Index period = data.periods[s];
    const TokenSequence& sequence = data.sequences[s];
    REQUIRE(static_cast<Index>(sequence.size()) == 1 + 2 * period);
    for (Index i = 1; i <= period; ++i) {
      REQUIRE(sequence[static_cast<std::size_t>(i + period)] == sequence[static_cast<std::size_t>(i)]);
    }
  }
}

TEST_CASE("corpus: bad induction sizes are rejected, naming the value", "[corpus]") {
  REQUIRE_THROWS_WITH(spotlight::induction_data(1, 5, 1, 4, 4),
                      Contains("n_symbols in [2, ") && Contains("got 1"));
  REQUIRE_THROWS_WITH(spotlight::induction_data(1, 5, 8, 0, 4),
                      Contains("1 <= shortest <= longest <= n_symbols = 8, got 0 and 4"));
  REQUIRE_THROWS_WITH(spotlight::induction_data(1, 5, 8, 4, 9), Contains("got 4 and 9"));
  REQUIRE_THROWS_WITH(spotlight::induction_data(1, 5, 8, 5, 4), Contains("got 5 and 4"));
  REQUIRE_THROWS_WITH(spotlight::induction_data(1, -2, 8, 4, 4),
                      Contains("count must be >= 0, got -2"));
  REQUIRE_THROWS_WITH(spotlight::induction_symbol(-1), Contains("got -1"));
}

TEST_CASE("corpus: own text becomes one <bos>-led sequence, cut into random windows", "[corpus]") {
  Words tokens;
  for (int i = 0; i < 50; ++i) tokens.push_back("w" + std::to_string(i));
  const Vocabulary vocabulary = Vocabulary::from_tokens(tokens, 100);
  const spotlight::TrainingSet set = spotlight::text_training_set(vocabulary, tokens);
  REQUIRE(set.sequences().size() == 1);
  const TokenSequence& sequence = set.sequences()[0];
  REQUIRE(sequence.size() == 51);
  REQUIRE(sequence[0] == Vocabulary::bos_id);
  REQUIRE(sequence[1] == vocabulary.id("w0"));
  // A word the vocabulary dropped is <unk>: with 40 ids, w0 .. w37 are kept.
  const Vocabulary small = Vocabulary::from_tokens(tokens, 40);
  const TokenSequence small_sequence = spotlight::text_training_set(small, tokens).sequences()[0];
  REQUIRE(small_sequence[38] == small.id("w37"));
  REQUIRE(small_sequence[39] == Vocabulary::unknown_id);

  const Index seq_len = 8;
  spotlight::SplitMix64 rng(21);
  const auto batch = spotlight::draw_batch(set, 32, seq_len, rng);
  std::set<Index> starts;
  for (Index row = 0; row < batch.batch; ++row) {
    // Every token of the sequence is distinct, so a row matches at most one window.
    const auto cell = [&](Index t) { return static_cast<std::size_t>(row * seq_len + t); };
    Index start = -1;
    for (Index s = 0; s + seq_len < 51; ++s) {
      bool matches = true;
      for (Index t = 0; t < seq_len; ++t) {
        matches = matches && batch.inputs[cell(t)] == sequence[static_cast<std::size_t>(s + t)] &&
                  batch.targets[cell(t)] == sequence[static_cast<std::size_t>(s + t + 1)];
      }
      if (matches) {
        start = s;
        break;
      }
    }
    CAPTURE(row);
    REQUIRE(start >= 0);
    REQUIRE(start <= 51 - seq_len - 1);
    starts.insert(start);
  }
  REQUIRE(starts.size() >= 10);
  REQUIRE_THROWS_WITH(spotlight::text_training_set(vocabulary, {}), Contains("no tokens"));
}

TEST_CASE("corpus: a batch holds each sequence's next tokens and pads past its end", "[corpus]") {
  const spotlight::TrainingSet set({{1, 5, 6, 7}, {1, 8, 9}, {1, 2, 3, 4, 5}}, 10);
  spotlight::SplitMix64 rng(3);
  const auto batch = spotlight::draw_batch(set, 12, 4, rng);
  REQUIRE(batch.batch == 12);
  REQUIRE(batch.seq_len == 4);
  REQUIRE(batch.inputs.size() == 48);
  REQUIRE(batch.targets.size() == 48);
  const std::vector<std::pair<TokenSequence, TokenSequence>> rows = {
      {{1, 5, 6, 0}, {5, 6, 7, -1}},  // 4 tokens: 3 inputs, then padding
      {{1, 8, 0, 0}, {8, 9, -1, -1}},
      {{1, 2, 3, 4}, {2, 3, 4, 5}}};  // exactly seq_len + 1 tokens: no padding, no window
  std::set<std::size_t> drawn;
  for (Index row = 0; row < 12; ++row) {
    const TokenSequence inputs(batch.inputs.begin() + row * 4, batch.inputs.begin() + row * 4 + 4);
    const TokenSequence targets(batch.targets.begin() + row * 4,
                                batch.targets.begin() + row * 4 + 4);
    CAPTURE(row);
    bool known = false;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (inputs == rows[r].first && targets == rows[r].second) {
        known = true;
        drawn.insert(r);
      }
    }
    REQUIRE(known);
  }
  REQUIRE(drawn.size() == 3);

  SECTION("the same rng state gives the same batch, and the rng moves on") {
    spotlight::SplitMix64 first(44), second(44);
    const auto a = spotlight::draw_batch(set, 16, 4, first);
    const auto b = spotlight::draw_batch(set, 16, 4, second);
    REQUIRE(a.inputs == b.inputs);
    REQUIRE(a.targets == b.targets);
    REQUIRE(spotlight::draw_batch(set, 16, 4, first).inputs != a.inputs);
  }
  SECTION("workshop sentences fit a batch of seq_len = max_sentence_words") {
    const Vocabulary vocabulary(spotlight::workshop_words());
    const auto sentences = spotlight::workshop_sentences(5, 100, WorkshopShapes::novel);
    const auto sentence_set = spotlight::sentence_training_set(vocabulary, sentences);
    REQUIRE(sentence_set.sequences().size() == 100);
    REQUIRE(sentence_set.vocab_size() == vocabulary.size());
    spotlight::SplitMix64 sentence_rng(2);
    const auto sentence_batch =
        spotlight::draw_batch(sentence_set, 8, spotlight::max_sentence_words, sentence_rng);
    for (Index row = 0; row < 8; ++row) {
      REQUIRE(sentence_batch.inputs[static_cast<std::size_t>(row * 20)] == Vocabulary::bos_id);
    }
  }
}

TEST_CASE("corpus: bad training sets and batch sizes are rejected with the values seen",
          "[corpus]") {
  REQUIRE_THROWS_WITH(spotlight::TrainingSet({}, 10), Contains("at least one sequence, got none"));
  REQUIRE_THROWS_WITH(spotlight::TrainingSet({{1, 2}, {1}}, 10),
                      Contains("training sequence 1 has 1 tokens; it needs at least 2"));
  REQUIRE_THROWS_WITH(spotlight::TrainingSet({{1, 2, 10}}, 10),
                      Contains("token id 10 at position 2, outside the vocabulary of 10 words"));
  REQUIRE_THROWS_WITH(spotlight::TrainingSet({{1, -1}}, 10), Contains("token id -1"));
  const spotlight::TrainingSet set({{1, 2, 3}}, 10);
  spotlight::SplitMix64 rng(1);
  REQUIRE_THROWS_WITH(spotlight::draw_batch(set, 0, 4, rng), Contains("batch must be >= 1, got 0"));
  REQUIRE_THROWS_WITH(spotlight::draw_batch(set, 2, -1, rng),
                      Contains("seq_len must be >= 1, got -1"));
  REQUIRE_THROWS_WITH(spotlight::draw_batch(set, Index{1} << 20, 1 << 10, rng),
                      Contains("batch 1048576 x seq_len 1024 exceeds the 16777216 tokens"));
}
