#include "training/workshop_report.h"

#include <cstdio>
#include <sstream>

#include "base/errors.h"
#include "training/trainer.h"

namespace spotlight {

namespace {

// Seeds of the held-out and novel draws, apart from the training seed.
constexpr std::uint64_t held_out_seed_offset = 1000003;
constexpr std::uint64_t novel_seed_offset = 2000003;

std::vector<EncodedSentence> encode_all(const Vocabulary& vocabulary,
                                        const std::vector<Sentence>& sentences) {
  std::vector<EncodedSentence> encoded;
  encoded.reserve(sentences.size());
  for (const Sentence& sentence : sentences) encoded.push_back(encode_sentence(vocabulary, sentence));
  return encoded;
}

const RelationScores* find(const std::vector<RelationScores>& scores, const std::string& name) {
  for (const RelationScores& relation : scores) {
    if (relation.name == name) return &relation;
  }
  return nullptr;
}

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace

WorkshopData workshop_data(const Recipe& recipe) {
  WorkshopData data;
  const std::uint64_t seed = recipe.training.data_seed;
  data.training = workshop_sentences(seed, recipe.train_sequences, WorkshopShapes::trained);
  data.held_out = held_out_sentences(seed + held_out_seed_offset, recipe.eval_sequences,
                                     WorkshopShapes::trained, data.training);
  data.novel = workshop_sentences(seed + novel_seed_offset, recipe.eval_sequences,
                                  WorkshopShapes::novel);
  data.experiments = workshop_experiments();
  return data;
}

bool WorkshopReport::meets_goals() const {
  if (relations.empty()) return false;
  for (const RelationReport& relation : relations) {
    if (relation.held_out_accuracy < held_out_goal || relation.novel_accuracy < novel_goal ||
        !relation.experiment_correct()) {
      return false;
    }
  }
  return true;
}

WorkshopReport evaluate_workshop(const TinyTransformer& model, const Vocabulary& vocabulary,
                                 const WorkshopData& data) {
  const TransformerConfig& config = model.config();
  require(vocabulary.size() == config.vocab_size, "the vocabulary has ", vocabulary.size(),
          " words but the model's vocab_size is ", config.vocab_size);
  const std::vector<EncodedSentence> held_out = encode_all(vocabulary, data.held_out);
  const std::vector<EncodedSentence> novel = encode_all(vocabulary, data.novel);
  const std::vector<RelationScores> held_out_scores = score_model_relations(model, held_out);
  const std::vector<RelationScores> novel_scores = score_model_relations(model, novel);

  WorkshopReport report;
  report.held_out_sentences = static_cast<Index>(held_out.size());
  report.novel_sentences = static_cast<Index>(novel.size());
  std::vector<TokenSequence> held_out_tokens;
  for (const EncodedSentence& sentence : held_out) held_out_tokens.push_back(sentence.tokens);
  report.held_out_loss = mean_loss(model, held_out_tokens);
  report.head_scores = score_model_heads(model, held_out_tokens);

  for (const Sentence& experiment : data.experiments) {
    const EncodedSentence encoded = encode_sentence(vocabulary, experiment);
    const Relation& relation = encoded.relations.front();
    const RelationScores* scores = find(held_out_scores, relation.name);
    require(scores != nullptr, "no held-out sentence holds the relation ", relation.name);
    RelationReport entry;
    entry.name = relation.name;
    entry.head = best_head(scores->accuracy, config.n_heads);
    const auto flat = static_cast<std::size_t>(entry.head.layer * config.n_heads + entry.head.head);
    entry.held_out_accuracy = scores->accuracy[flat];
    entry.held_out_mean_weight = scores->mean_weight[flat];
    const RelationScores* novel_relation = find(novel_scores, relation.name);
    entry.novel_accuracy = novel_relation != nullptr ? novel_relation->accuracy[flat] : 0.0;

    const AttentionMaps maps = model.attention_maps(encoded.tokens);
    Index chosen = 0;
    for (Index key = 1; key <= relation.query; ++key) {
      if (maps.at(entry.head.layer, entry.head.head, relation.query, key) >
          maps.at(entry.head.layer, entry.head.head, relation.query, chosen)) {
        chosen = key;
      }
    }
    entry.query_word = vocabulary.word(encoded.tokens[static_cast<std::size_t>(relation.query)]);
    entry.key_word = vocabulary.word(encoded.tokens[static_cast<std::size_t>(relation.key)]);
    entry.chosen_word = vocabulary.word(encoded.tokens[static_cast<std::size_t>(chosen)]);
    entry.key_weight = maps.at(entry.head.layer, entry.head.head, relation.query, relation.key);
    report.relations.push_back(entry);
  }
  return report;
}

std::string describe(const WorkshopReport& report) {
  std::ostringstream out;
  out << "held-out loss " << fixed(report.held_out_loss, 4) << " over "
      << report.held_out_sentences << " sentences (" << report.novel_sentences
      << " of novel shapes)\n";
  out << "relation          head  held-out  novel   experiment\n";
  for (const RelationReport& r : report.relations) {
    char line[256];
    std::snprintf(line, sizeof line, "%-16s  %lld.%lld   %6.1f%%  %6.1f%%  \"%s\" -> \"%s\" (%.2f on \"%s\")%s\n",
                  r.name.c_str(), static_cast<long long>(r.head.layer),
                  static_cast<long long>(r.head.head), 100.0 * r.held_out_accuracy,
                  100.0 * r.novel_accuracy, r.query_word.c_str(), r.chosen_word.c_str(),
                  r.key_weight, r.key_word.c_str(), r.experiment_correct() ? "" : "  WRONG");
    out << line;
  }
  out << (report.meets_goals() ? "goals met" : "goals NOT met") << " (held-out >= "
      << 100.0 * WorkshopReport::held_out_goal << "%, novel >= "
      << 100.0 * WorkshopReport::novel_goal << "%, experiments right)\n";
  return out.str();
}

std::string describe(const HeadScores& scores) {
  std::ostringstream out;
  out << "head  previous-token  first-token  induction\n";
  for (Index layer = 0; layer < scores.n_layers; ++layer) {
    for (Index head = 0; head < scores.n_heads; ++head) {
      const auto i = static_cast<std::size_t>(layer * scores.n_heads + head);
      out << layer << "." << head << "   " << fixed(scores.previous_token[i], 3) << "           "
          << fixed(scores.first_token[i], 3) << "        " << fixed(scores.induction[i], 3) << "\n";
    }
  }
  return out.str();
}

std::string workshop_metadata(const Recipe& recipe, const WorkshopReport& report, double seconds) {
  const TransformerConfig& c = recipe.config;
  const TrainingOptions& t = recipe.training;
  std::ostringstream out;
  out << "{\"task\": \"workshop\", \"trainSentences\": " << recipe.train_sequences
      << ", \"steps\": " << t.schedule.total_steps << ", \"batch\": " << t.batch
      << ", \"peakLearningRate\": " << t.schedule.peak << ", \"warmupSteps\": "
      << t.schedule.warmup_steps << ", \"dataSeed\": " << t.data_seed << ", \"seed\": " << c.seed
      << ", \"trainingSeconds\": " << fixed(seconds, 1) << ", \"heldOutSentences\": "
      << report.held_out_sentences << ", \"novelSentences\": " << report.novel_sentences
      << ", \"heldOutLoss\": " << fixed(report.held_out_loss, 4) << ", \"relations\": [";
  for (std::size_t i = 0; i < report.relations.size(); ++i) {
    const RelationReport& r = report.relations[i];
    out << (i ? ", " : "") << "{\"name\": \"" << r.name << "\", \"layer\": " << r.head.layer
        << ", \"head\": " << r.head.head << ", \"heldOutAccuracy\": " << fixed(r.held_out_accuracy, 4)
        << ", \"novelAccuracy\": " << fixed(r.novel_accuracy, 4) << ", \"query\": \"" << r.query_word
        << "\", \"key\": \"" << r.key_word << "\", \"chosen\": \"" << r.chosen_word
        << "\", \"keyWeight\": " << fixed(r.key_weight, 4) << "}";
  }
  out << "], \"goalsMet\": " << (report.meets_goals() ? "true" : "false") << "}";
  return out.str();
}

}  // namespace spotlight
