// The Embind layer of training and measuring the tiny GPT in the module: the recipes
// (recipes.h), the corpora and vocabularies (corpus.h, vocabulary.h, tokenizer.h), the Trainer
// (trainer.h), the workshop report (workshop_report.h) and the head detectors run on a model.
// Conversions and validation only; src/wasm/training_api.js checks the argument types and builds
// the friendly API (workshopCorpus, Trainer, workshopReport, ...) on top.
//
// The Trainer never keeps a model: each step takes one, as the core's Trainer does, so a model and
// a trainer may be deleted in any order. Corpora are bounded (max_corpus_sequences,
// max_corpus_tokens) before anything is drawn. Sentences and sequences leave packed, one
// Int32Array of every token and one of offsets, which training_api.js cuts into sentences: one
// JS object per sentence made here would cost a call into JavaScript per word.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "base/errors.h"
#include "binding_support.h"
#include "data/corpus.h"
#include "data/tokenizer.h"
#include "data/vocabulary.h"
#include "training/recipes.h"
#include "training/trainer.h"
#include "training/workshop_report.h"
#include "transformer_binding.h"

namespace {

using emscripten::val;
using spotlight::concat;
using spotlight::EncodedSentence;
using spotlight::Index;
using spotlight::Recipe;
using spotlight::require;
using spotlight::Sentence;
using spotlight::TokenId;
using spotlight::TokenSequence;
using spotlight::Vocabulary;
using spotlight_wasm::guarded;
using spotlight_wasm::guarded_model;
using spotlight_wasm::require_memory;
using spotlight_wasm::to_string_array;
using spotlight_wasm::to_tokens;
using spotlight_wasm::to_typed_array;
using spotlight_wasm::TransformerBinding;

// The most sentences or sequences one corpus call draws, and the most tokens an induction corpus
// holds (64 MiB of ids): far more than a page trains on, small enough to stay well inside the
// module's memory with their copies into JavaScript.
constexpr Index max_corpus_sequences = 100000;
constexpr Index max_corpus_tokens = Index{1} << 24;

// The most steps one Trainer.steps call takes: the page calls it in slices of a few.
constexpr int max_steps_per_call = 1000000;

void require_corpus_count(double count, const char* name) {
  require(count <= static_cast<double>(max_corpus_sequences), name, " must be at most ",
          max_corpus_sequences, ", got ", static_cast<std::int64_t>(count));
}

// A copy of the strings of a JS array (api.js checks that each is a string), refused before
// anything is copied when the copy could exceed the memory cap: each UTF-16 unit becomes at most 3
// bytes of UTF-8, each string costs a std::string besides.
std::vector<std::string> to_strings(const val& strings, const char* name) {
  const auto count = strings["length"].as<std::size_t>();
  double bytes = static_cast<double>(count) * sizeof(std::string);
  for (std::size_t i = 0; i < count; ++i) bytes += 3.0 * strings[i]["length"].as<double>();
  require_memory(bytes / sizeof(float),
                 concat("the copy of ", name, ", ", count, " strings of up to ",
                        static_cast<std::int64_t>(bytes), " bytes,"),
                 "");
  std::vector<std::string> result;
  result.reserve(count);
  for (std::size_t i = 0; i < count; ++i) result.push_back(strings[i].as<std::string>());
  return result;
}

// A vocabulary as JavaScript holds it, by id: "<unk>", "<bos>", then the words (buildVocabulary's
// and workshopCorpus's, a checkpoint's). The core checks the words (none empty or repeated; its
// messages count them from the first word after "<bos>", which is id 2).
Vocabulary to_vocabulary(const val& words) {
  const std::vector<std::string> by_id = to_strings(words, "vocabulary");
  require(
      by_id.size() >= 2 && by_id[0] == Vocabulary::unknown_word && by_id[1] == Vocabulary::bos_word,
      "vocabulary must start with \"<unk>\", \"<bos>\" (ids 0 and 1, as buildVocabulary "
      "returns it), got ",
      by_id.empty() ? std::string("none") : concat("\"", by_id[0], "\""),
      by_id.size() >= 2 ? concat(", \"", by_id[1], "\"") : std::string(), " first");
  return Vocabulary(std::vector<std::string>(by_id.begin() + 2, by_id.end()));
}

// The text of a JS string, refused before it is copied when its UTF-8 and the tokens made of it
// (at most one per byte, a std::string each) could exceed the memory cap.
std::string to_text(const val& text, const char* what) {
  const double bytes = 3.0 * text["length"].as<double>();
  require_memory(bytes * (1.0 + sizeof(std::string)) / sizeof(float),
                 concat(what, " of ", static_cast<std::int64_t>(bytes / 3.0),
                        " UTF-16 units and their tokens"),
                 "");
  return text.as<std::string>();
}

// The shortest decimal that reads back as `value`: the recipes' 3e-3f is shown as 0.003, not as
// the double 0.003000000026077032 it widens to; converted back to float it is the same float.
double shortest_decimal(float value) {
  char text[32];
  for (int digits = 1; digits <= 9; ++digits) {  // 9 significant digits round-trip every float
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  return std::strtod(text, nullptr);
}

// ---- recipes (recipes.h) ------------------------------------------------------------------------

// The recipe under the JS API's names. vocab_size 0: set from the data (own text), so left out.
val recipe_to_js(const Recipe& recipe, Index vocab_size) {
  const spotlight::TransformerConfig& c = recipe.config;
  val config = val::object();
  if (vocab_size > 0) config.set("vocabSize", static_cast<double>(vocab_size));
  config.set("contextLength", static_cast<double>(c.context_length));
  config.set("embedDim", static_cast<double>(c.d_model));
  config.set("numHeads", static_cast<double>(c.n_heads));
  config.set("numLayers", static_cast<double>(c.n_layers));
  config.set("mlp", c.mlp);
  config.set("layerNorm", c.layer_norm);
  config.set("seed", static_cast<double>(c.seed));
  const spotlight::TrainingOptions& t = recipe.training;
  val training = val::object();
  training.set("batch", static_cast<double>(t.batch));
  training.set("seqLen", static_cast<double>(t.seq_len));
  training.set("learningRate", shortest_decimal(t.schedule.peak));
  training.set("warmupSteps", static_cast<double>(t.schedule.warmup_steps));
  training.set("totalSteps", static_cast<double>(t.schedule.total_steps));
  training.set("finalFraction", shortest_decimal(t.schedule.final_fraction));
  training.set("weightDecay", shortest_decimal(t.adamw.weight_decay));
  training.set("clipNorm", shortest_decimal(t.adamw.clip_norm));
  training.set("beta1", shortest_decimal(t.adamw.beta1));
  training.set("beta2", shortest_decimal(t.adamw.beta2));
  training.set("epsilon", shortest_decimal(t.adamw.epsilon));
  training.set("dataSeed", static_cast<double>(t.data_seed));
  val out = val::object();
  out.set("config", config);
  out.set("training", training);
  out.set("trainSequences", static_cast<double>(recipe.train_sequences));
  out.set("evalSequences", static_cast<double>(recipe.eval_sequences));
  out.set("inductionSymbols", static_cast<double>(recipe.induction_symbols));
  out.set("shortestPeriod", static_cast<double>(recipe.induction_shortest_period));
  out.set("longestPeriod", static_cast<double>(recipe.induction_longest_period));
  out.set("textVocabulary", static_cast<double>(recipe.text_vocabulary));
  return out;
}

val recipes() {
  return guarded([] {
    const spotlight::Recipe induction = spotlight::induction_recipe();
    val out = val::object();
    out.set("workshop", recipe_to_js(spotlight::workshop_recipe(),
                                     Vocabulary(spotlight::workshop_words()).size()));
    out.set("induction",
            recipe_to_js(induction, induction.induction_symbols + Vocabulary::reserved_count));
    out.set("text", recipe_to_js(spotlight::text_recipe(), 0));
    return out;
  });
}

// ---- corpora (corpus.h) -------------------------------------------------------------------------

// The sentences, packed: tokens (every sentence's encode_sentence tokens, one after the other),
// offsets (sentence s is tokens[offsets[s] .. offsets[s + 1])), relationOffsets (its relations are
// relations[3 r .. 3 r + 2] for r in relationOffsets[s] .. relationOffsets[s + 1]: the name's index
// in relationNames, query, key, positions in its tokens). Every word is in the vocabulary, so
// training_api.js reads sentence s's words back as vocabulary[token] after <bos>.
val pack_sentences(const Vocabulary& vocabulary, const std::vector<Sentence>& sentences) {
  std::vector<TokenId> tokens, offsets{0}, relation_offsets{0}, relations;
  std::vector<std::string> names;
  for (const Sentence& sentence : sentences) {
    const EncodedSentence encoded = spotlight::encode_sentence(vocabulary, sentence);
    for (std::size_t i = 1; i < encoded.tokens.size(); ++i) {
      require(encoded.tokens[i] != Vocabulary::unknown_id, "the workshop word \"",
              sentence.words[i - 1], "\" is not in the workshop vocabulary");
    }
    tokens.insert(tokens.end(), encoded.tokens.begin(), encoded.tokens.end());
    offsets.push_back(static_cast<TokenId>(tokens.size()));
    for (const spotlight::Relation& relation : encoded.relations) {
      const auto found = std::find(names.begin(), names.end(), relation.name);
      relations.push_back(static_cast<TokenId>(found - names.begin()));
      if (found == names.end()) names.push_back(relation.name);
      relations.push_back(static_cast<TokenId>(relation.query));
      relations.push_back(static_cast<TokenId>(relation.key));
    }
    relation_offsets.push_back(static_cast<TokenId>(relations.size() / 3));
  }
  val out = val::object();
  out.set("tokens", to_typed_array(tokens.data(), tokens.size()));
  out.set("offsets", to_typed_array(offsets.data(), offsets.size()));
  out.set("relationOffsets", to_typed_array(relation_offsets.data(), relation_offsets.size()));
  out.set("relations", to_typed_array(relations.data(), relations.size()));
  out.set("relationNames", to_string_array(names));
  return out;
}

// The workshop recipe with the JS API's corpus options in place of its own.
Recipe workshop_corpus_recipe(double seed, int train_sentences, int eval_sentences) {
  require_corpus_count(train_sentences, "trainSentences");
  require_corpus_count(eval_sentences, "evalSentences");
  Recipe recipe = spotlight::workshop_recipe();
  recipe.training.data_seed = static_cast<std::uint64_t>(seed);
  recipe.train_sequences = train_sentences;
  recipe.eval_sequences = eval_sentences;
  return recipe;
}

// {vocabulary, training, heldOut, novel, experiments}, each split packed (pack_sentences).
val workshop_corpus(double seed, int train_sentences, int eval_sentences) {
  return guarded([&] {
    const spotlight::WorkshopData data =
        spotlight::workshop_data(workshop_corpus_recipe(seed, train_sentences, eval_sentences));
    const Vocabulary vocabulary(spotlight::workshop_words());
    val out = val::object();
    out.set("vocabulary", to_string_array(vocabulary.words()));
    out.set("training", pack_sentences(vocabulary, data.training));
    out.set("heldOut", pack_sentences(vocabulary, data.held_out));
    out.set("novel", pack_sentences(vocabulary, data.novel));
    out.set("experiments", pack_sentences(vocabulary, data.experiments));
    return out;
  });
}

// induction_data, its sizes bounded first: the symbols within a model's vocabulary, the tokens
// (count sequences of at most 1 + 2 longest_period) within max_corpus_tokens. The core checks the
// periods.
spotlight::InductionData bounded_induction_data(double seed, int count, int symbols,
                                                int shortest_period, int longest_period) {
  require_corpus_count(count, "count");
  constexpr Index max_symbols =
      spotlight::TransformerLimits::max_vocab_size - Vocabulary::reserved_count;
  require(symbols <= max_symbols, "symbols must be at most ", max_symbols,
          " (a model's largest vocabulary less <unk> and <bos>), got ", symbols);
  const double longest = 1.0 + 2.0 * std::min(longest_period, symbols);
  require(static_cast<double>(count) * longest <= static_cast<double>(max_corpus_tokens),
          "count*(1 + 2*longestPeriod) = ", count, "*", static_cast<std::int64_t>(longest),
          " tokens is more than the ", max_corpus_tokens, " an induction corpus may hold");
  return spotlight::induction_data(static_cast<std::uint64_t>(seed), count, symbols,
                                   shortest_period, longest_period);
}

// {vocabulary, tokens, offsets, periods}: sequence s is tokens[offsets[s] .. offsets[s + 1]).
val induction_corpus(double seed, int count, int symbols, int shortest_period, int longest_period) {
  return guarded([&] {
    const spotlight::InductionData data =
        bounded_induction_data(seed, count, symbols, shortest_period, longest_period);
    std::vector<TokenId> tokens, offsets{0}, periods;
    for (std::size_t s = 0; s < data.sequences.size(); ++s) {
      tokens.insert(tokens.end(), data.sequences[s].begin(), data.sequences[s].end());
      offsets.push_back(static_cast<TokenId>(tokens.size()));
      periods.push_back(static_cast<TokenId>(data.periods[s]));
    }
    val out = val::object();
    out.set("vocabulary", to_string_array(data.vocabulary.words()));
    out.set("tokens", to_typed_array(tokens.data(), tokens.size()));
    out.set("offsets", to_typed_array(offsets.data(), offsets.size()));
    out.set("periods", to_typed_array(periods.data(), periods.size()));
    return out;
  });
}

// ---- vocabularies and tokenizers (vocabulary.h, tokenizer.h) ------------------------------------

val build_vocabulary(const val& tokens, int max_size) {
  return guarded([&] {
    return to_string_array(Vocabulary::from_tokens(to_strings(tokens, "tokens"), max_size).words());
  });
}

val encode(const val& vocabulary, const val& words) {
  return guarded([&] {
    const TokenSequence ids = to_vocabulary(vocabulary).encode(to_strings(words, "words"));
    return to_typed_array(ids.data(), ids.size());
  });
}

val split_words(const val& text, bool lowercase) {
  return guarded([&] {
    return to_string_array(spotlight::split_words(to_text(text, "splitWords' text"), lowercase));
  });
}

val split_characters(const val& text, bool lowercase) {
  return guarded([&] {
    return to_string_array(
        spotlight::split_characters(to_text(text, "splitCharacters' text"), lowercase));
  });
}

// ---- the Trainer (trainer.h) --------------------------------------------------------------------

// Int32Arrays, one per sequence (api.js converts anything else first), copied after the memory
// check of them all.
std::vector<TokenSequence> to_sequences(const val& list, const char* name) {
  const auto count = list["length"].as<std::size_t>();
  double tokens = 0.0;
  for (std::size_t i = 0; i < count; ++i) tokens += list[i]["length"].as<double>();
  require_memory(
      tokens, concat("the copy of ", name, ", ", static_cast<std::int64_t>(tokens), " token ids,"),
      "");
  std::vector<TokenSequence> sequences;
  sequences.reserve(count);
  for (std::size_t i = 0; i < count; ++i) sequences.push_back(to_tokens(list[i], name));
  return sequences;
}

// `data`: training_api.js's canonical form, by its kind:
//   {kind: 'sequences', sequences (Int32Arrays), vocabSize}
//   {kind: 'workshop', seed, trainSentences}                 the workshop's training sentences
//   {kind: 'induction', seed, count, symbols, shortestPeriod, longestPeriod}
//   {kind: 'text', tokens (strings), vocabulary (strings)}   text_training_set
spotlight::TrainingSet to_training_set(const val& data) {
  const std::string kind = data["kind"].as<std::string>();
  if (kind == "workshop") {
    const Recipe recipe =
        workshop_corpus_recipe(data["seed"].as<double>(), data["trainSentences"].as<int>(), 0);
    return spotlight::sentence_training_set(
        Vocabulary(spotlight::workshop_words()),
        spotlight::workshop_sentences(recipe.training.data_seed, recipe.train_sequences,
                                      spotlight::WorkshopShapes::trained));
  }
  if (kind == "induction") {
    spotlight::InductionData induction = bounded_induction_data(
        data["seed"].as<double>(), data["count"].as<int>(), data["symbols"].as<int>(),
        data["shortestPeriod"].as<int>(), data["longestPeriod"].as<int>());
    return spotlight::TrainingSet(std::move(induction.sequences), induction.vocabulary.size());
  }
  if (kind == "text") {
    return spotlight::text_training_set(to_vocabulary(data["vocabulary"]),
                                        to_strings(data["tokens"], "tokens"));
  }
  return spotlight::TrainingSet(to_sequences(data["sequences"], "sequences"),
                                data["vocabSize"].as<int>());
}

// `options`: training_api.js's canonical {batch, seqLen, learningRate (the peak), warmupSteps,
// totalSteps, finalFraction, weightDecay, clipNorm, beta1, beta2, epsilon, dataSeed}, numbers
// all, the counts integers >= 0; the core's Trainer checks their ranges.
spotlight::TrainingOptions to_training_options(const val& options) {
  spotlight::TrainingOptions result;
  result.batch = options["batch"].as<int>();
  result.seq_len = options["seqLen"].as<int>();
  result.schedule.peak = options["learningRate"].as<float>();
  result.schedule.warmup_steps = static_cast<std::int64_t>(options["warmupSteps"].as<double>());
  result.schedule.total_steps = static_cast<std::int64_t>(options["totalSteps"].as<double>());
  result.schedule.final_fraction = options["finalFraction"].as<float>();
  result.adamw.weight_decay = options["weightDecay"].as<float>();
  result.adamw.clip_norm = options["clipNorm"].as<float>();
  result.adamw.beta1 = options["beta1"].as<float>();
  result.adamw.beta2 = options["beta2"].as<float>();
  result.adamw.epsilon = options["epsilon"].as<float>();
  result.data_seed = static_cast<std::uint64_t>(options["dataSeed"].as<double>());
  return result;
}

class TrainerBinding {
 public:
  static TrainerBinding* create(const val& data, const val& options) {
    return guarded_model([&] {
      // The options first: a wrong option is reported before a corpus is drawn for nothing.
      const spotlight::TrainingOptions training = to_training_options(options);
      spotlight::Trainer trainer(to_training_set(data), training);
      return new TrainerBinding(std::move(trainer));
    });
  }

  // The loss of one step, before its update.
  double step(TransformerBinding& model) {
    return guarded_model([&] {
      require_step_fits(model);
      return trainer_.step(model.model());
    });
  }

  // A Float64Array of the `count` steps' losses. The memory check is made once: every step has
  // the same sizes.
  val steps(TransformerBinding& model, int count) {
    return guarded_model([&] {
      require(count <= max_steps_per_call, "count must be between 0 and ", max_steps_per_call,
              " (call steps in slices), got ", count);
      require_step_fits(model);
      std::vector<double> losses;
      losses.reserve(static_cast<std::size_t>(count));
      for (int i = 0; i < count; ++i) losses.push_back(trainer_.step(model.model()));
      return to_typed_array(losses.data(), losses.size());
    });
  }

  double steps_done() const { return static_cast<double>(trainer_.steps_done()); }

  // The schedule's rate for the next step (a float, as shortest_decimal shows it).
  double learning_rate() const {
    return shortest_decimal(trainer_.options().schedule.at(trainer_.steps_done()));
  }

  double vocab_size() const { return static_cast<double>(trainer_.training_set().vocab_size()); }

  double sequences() const {
    return static_cast<double>(trainer_.training_set().sequences().size());
  }

 private:
  explicit TrainerBinding(spotlight::Trainer trainer) : trainer_(std::move(trainer)) {}

  // The step's activations on this model, as the model's own trainStep checks them.
  void require_step_fits(const TransformerBinding& model) const {
    const spotlight::TrainingOptions& options = trainer_.options();
    const Index seq_len =
        options.seq_len == 0 ? model.model().config().context_length : options.seq_len;
    model.require_training_fits(options.batch, seq_len,
                                concat("batch*seqLen = ", options.batch, "*", seq_len));
  }

  spotlight::Trainer trainer_;
};

// ---- measurements (workshop_report.h, trainer.h) ------------------------------------------------

val relation_report_to_js(const spotlight::RelationReport& relation) {
  val out = val::object();
  out.set("name", val(relation.name));
  out.set("layer", static_cast<double>(relation.head.layer));
  out.set("head", static_cast<double>(relation.head.head));
  out.set("heldOutAccuracy", relation.held_out_accuracy);
  out.set("heldOutMeanWeight", relation.held_out_mean_weight);
  out.set("novelAccuracy", relation.novel_accuracy);
  out.set("query", val(relation.query_word));
  out.set("key", val(relation.key_word));
  out.set("chosen", val(relation.chosen_word));
  out.set("keyWeight", relation.key_weight);
  return out;
}

// evaluate_workshop on the workshop data of these corpus options. Every sentence has at most
// max_sentence_words words and <bos>, so one forward's memory is checked for that many tokens.
val workshop_report(const TransformerBinding& model, double seed, int train_sentences,
                    int eval_sentences) {
  return guarded_model([&] {
    const Recipe recipe = workshop_corpus_recipe(seed, train_sentences, eval_sentences);
    model.require_forward_fits(spotlight::max_sentence_words + 1, "each sentence's forward");
    const spotlight::WorkshopReport report = spotlight::evaluate_workshop(
        model.model(), Vocabulary(spotlight::workshop_words()), spotlight::workshop_data(recipe));
    val relations = val::array();
    for (const spotlight::RelationReport& relation : report.relations) {
      relations.call<void>("push", relation_report_to_js(relation));
    }
    val goals = val::object();
    goals.set("heldOutAccuracy", spotlight::WorkshopReport::held_out_goal);
    goals.set("novelAccuracy", spotlight::WorkshopReport::novel_goal);
    val out = val::object();
    out.set("heldOutLoss", report.held_out_loss);
    out.set("heldOutSentences", static_cast<double>(report.held_out_sentences));
    out.set("novelSentences", static_cast<double>(report.novel_sentences));
    out.set("goalsMet", report.meets_goals());
    out.set("goals", goals);
    out.set("relations", relations);
    out.set("headScores", spotlight_wasm::head_scores_to_js(report.head_scores));
    return out;
  });
}

// The longest of the sequences, for the memory check of one forward (the core cuts each to the
// context length).
double longest_length(const std::vector<TokenSequence>& sequences) {
  std::size_t longest = 0;
  for (const TokenSequence& sequence : sequences) longest = std::max(longest, sequence.size());
  return static_cast<double>(longest);
}

// `sequences`: Int32Arrays, one per sequence.
val score_model_heads(const TransformerBinding& model, const val& sequences) {
  return guarded_model([&] {
    const std::vector<TokenSequence> tokens = to_sequences(sequences, "sequences");
    model.require_forward_fits(longest_length(tokens), "each sequence's forward");
    return spotlight_wasm::head_scores_to_js(spotlight::score_model_heads(model.model(), tokens));
  });
}

// `sentences`: {tokens (Int32Array), relations: [{name (string), query, key (integers >= 0)}]}
// each, as training_api.js makes them; the core checks the positions (and that each sentence
// fits the context).
val score_model_relations(const TransformerBinding& model, const val& sentences) {
  return guarded_model([&] {
    const auto count = sentences["length"].as<std::size_t>();
    double tokens = 0.0;
    for (std::size_t s = 0; s < count; ++s) tokens += sentences[s]["tokens"]["length"].as<double>();
    require_memory(
        tokens, concat("the copy of sentences, ", static_cast<std::int64_t>(tokens), " token ids,"),
        "");
    std::vector<EncodedSentence> encoded(count);
    std::size_t longest = 0;
    for (std::size_t s = 0; s < count; ++s) {
      const val sentence = sentences[s];
      encoded[s].tokens = to_tokens(sentence["tokens"], "tokens");
      longest = std::max(longest, encoded[s].tokens.size());
      const val relations = sentence["relations"];
      const auto length = relations["length"].as<std::size_t>();
      for (std::size_t i = 0; i < length; ++i) {
        const val relation = relations[i];
        encoded[s].relations.push_back({relation["name"].as<std::string>(),
                                        static_cast<Index>(relation["query"].as<double>()),
                                        static_cast<Index>(relation["key"].as<double>())});
      }
    }
    model.require_forward_fits(static_cast<double>(longest), "each sentence's forward");
    val out = val::array();
    for (const spotlight::RelationScores& scores :
         spotlight::score_model_relations(model.model(), encoded)) {
      out.call<void>("push", spotlight_wasm::relation_scores_to_js(scores));
    }
    return out;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(training) {
  emscripten::function("rawRecipes", &recipes);
  emscripten::function("rawWorkshopCorpus", &workshop_corpus);
  emscripten::function("rawInductionCorpus", &induction_corpus);
  emscripten::function("rawBuildVocabulary", &build_vocabulary);
  emscripten::function("rawEncode", &encode);
  emscripten::function("rawSplitWords", &split_words);
  emscripten::function("rawSplitCharacters", &split_characters);
  emscripten::class_<TrainerBinding>("RawTrainer")
      .constructor(&TrainerBinding::create, emscripten::allow_raw_pointers())
      .property("stepsDone", &TrainerBinding::steps_done)
      .property("learningRate", &TrainerBinding::learning_rate)
      .property("vocabSize", &TrainerBinding::vocab_size)
      .property("sequences", &TrainerBinding::sequences)
      .function("step", &TrainerBinding::step)
      .function("steps", &TrainerBinding::steps);
  emscripten::function("rawWorkshopReport", &workshop_report);
  emscripten::function("rawScoreModelHeads", &score_model_heads);
  emscripten::function("rawScoreModelRelations", &score_model_relations);
}
