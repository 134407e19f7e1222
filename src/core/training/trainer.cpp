#include "training/trainer.h"

#include <cmath>

#include "analysis/head_detectors.h"
#include "base/errors.h"

namespace spotlight {

namespace {

TokenSequence within_context(const LanguageModel& model, const TokenSequence& sequence) {
  const auto context = static_cast<std::size_t>(model.config().context_length);
  return sequence.size() <= context ? sequence : TokenSequence(sequence.begin(), sequence.begin() + context);
}

}  // namespace

Trainer::Trainer(TrainingSet set, TrainingOptions options)
    : set_(std::move(set)), options_(options), rng_(options.data_seed) {
  require(options_.batch >= 1, "batch must be >= 1, got ", options_.batch);
  require(options_.seq_len >= 0, "seq_len must be >= 0 (0: the model's context length), got ",
          options_.seq_len);
  const LearningRateSchedule& schedule = options_.schedule;
  require(std::isfinite(schedule.peak) && schedule.peak > 0.0f && schedule.peak <= 10.0f,
          "the peak learning rate must be finite and in (0, 10], got ", schedule.peak);
  require(schedule.warmup_steps >= 0 && schedule.total_steps >= 1,
          "the schedule needs warmup_steps >= 0 and total_steps >= 1, got ", schedule.warmup_steps,
          " and ", schedule.total_steps);
  require(schedule.final_fraction >= 0.0f && schedule.final_fraction <= 1.0f,
          "the schedule's final fraction must be in [0, 1], got ", schedule.final_fraction);
  AdamWOptions check = options_.adamw;
  check.learning_rate = schedule.peak;
  validate_adamw_options(check);
}

double Trainer::step(TinyTransformer& model) {
  const TransformerConfig& config = model.config();
  require(set_.vocab_size() <= config.vocab_size, "the training set's vocabulary has ",
          set_.vocab_size(), " tokens, more than the model's vocab_size ", config.vocab_size);
  const Index seq_len = options_.seq_len == 0 ? config.context_length : options_.seq_len;
  require(seq_len <= config.context_length, "seq_len must be between 1 and the context length ",
          config.context_length, ", got ", seq_len);
  const Batch batch = draw_batch(set_, options_.batch, seq_len, rng_);
  AdamWOptions adamw = options_.adamw;
  adamw.learning_rate = options_.schedule.at(steps_done_);
  ++steps_done_;
  return model.train_step(batch.inputs.data(), batch.targets.data(), batch.batch, batch.seq_len,
                          adamw);
}

std::vector<AttentionMaps> attention_on(const LanguageModel& model,
                                        const std::vector<TokenSequence>& sequences) {
  std::vector<AttentionMaps> maps;
  maps.reserve(sequences.size());
  for (const TokenSequence& sequence : sequences) {
    maps.push_back(model.attention_maps(within_context(model, sequence)));
  }
  return maps;
}

HeadScores score_model_heads(const LanguageModel& model,
                             const std::vector<TokenSequence>& sequences) {
  std::vector<TokenSequence> cut;
  for (const TokenSequence& sequence : sequences) cut.push_back(within_context(model, sequence));
  return detect_heads(model, cut);
}

std::vector<RelationScores> score_model_relations(const LanguageModel& model,
                                                  const std::vector<EncodedSentence>& sentences) {
  std::vector<RelationScoreAccumulator> relations;
  std::vector<std::string> names;
  for (const EncodedSentence& sentence : sentences) {
    for (const Relation& relation : sentence.relations) {
      bool known = false;
      for (const std::string& name : names) known = known || name == relation.name;
      if (!known) {
        names.push_back(relation.name);
        relations.emplace_back(relation.name);
      }
    }
  }
  for (const EncodedSentence& sentence : sentences) {
    require(static_cast<Index>(sentence.tokens.size()) <= model.config().context_length,
            "a sentence of ", sentence.tokens.size(), " tokens does not fit the context length ",
            model.config().context_length);
    const AttentionMaps maps = model.attention_maps(sentence.tokens);
    for (std::size_t r = 0; r < relations.size(); ++r) {
      bool holds = false;
      for (const Relation& relation : sentence.relations) holds = holds || relation.name == names[r];
      if (holds) relations[r].add(maps, sentence.relations);
    }
  }
  std::vector<RelationScores> results;
  for (const RelationScoreAccumulator& relation : relations) results.push_back(relation.result());
  return results;
}

double mean_loss(const LanguageModel& model, const std::vector<TokenSequence>& sequences) {
  double total = 0.0;
  Index counted = 0;
  for (const TokenSequence& sequence : sequences) {
    const TokenSequence cut = within_context(model, sequence);
    if (cut.size() < 2) continue;
    const Matrix logits = model.logits(cut);
    for (std::size_t t = 0; t + 1 < cut.size(); ++t) {
      const auto row = logits.row(static_cast<Index>(t));
      const double row_max = row.maxCoeff();
      double sum = 0.0;
      for (Index j = 0; j < row.size(); ++j) sum += std::exp(static_cast<double>(row(j)) - row_max);
      total -= static_cast<double>(row(cut[t + 1])) - row_max - std::log(sum);
      ++counted;
    }
  }
  require(counted > 0, "mean_loss needs a sequence of at least 2 tokens");
  return total / static_cast<double>(counted);
}

}  // namespace spotlight
