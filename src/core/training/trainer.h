// Training the tiny transformer on a training set, and measuring what its heads learned.
//
// A Trainer owns the order of the batches (SplitMix64 seeded with data_seed, corpus.h's
// draw_batch) and the learning-rate schedule, so that a run is a deterministic function of the
// model's seed, the data and these options: the native command (src/cli) and the web page's
// worker train with the same code and get the same losses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/head_scores.h"
#include "base/random.h"
#include "data/corpus.h"
#include "model/optimizer.h"
#include "model/transformer.h"

namespace spotlight {

struct TrainingOptions {
  Index batch = 32;
  Index seq_len = 0;  // 0: the model's context length
  LearningRateSchedule schedule;
  AdamWOptions adamw;  // its learning_rate is replaced by the schedule's at every step
  std::uint64_t data_seed = 1;
};

class Trainer {
 public:
  // Throws std::invalid_argument for invalid options (sizes, the schedule), naming the values.
  Trainer(TrainingSet set, TrainingOptions options);

  // One AdamW step of `model` on the next batch; returns its loss (before the update). Throws
  // std::invalid_argument when the set's vocabulary is larger than the model's or seq_len longer
  // than its context; a step that fails (diverges) throws and leaves the model as it was, the
  // batch still consumed. seq_len 0 in the options means each model's context length.
  double step(TinyTransformer& model);

  std::int64_t steps_done() const { return steps_done_; }
  const TrainingOptions& options() const { return options_; }
  const TrainingSet& training_set() const { return set_; }

 private:
  TrainingSet set_;
  TrainingOptions options_;
  SplitMix64 rng_;
  std::int64_t steps_done_ = 0;
};

// The model's attention on each sequence (each cut to the context length).
std::vector<AttentionMaps> attention_on(const LanguageModel& model,
                                        const std::vector<TokenSequence>& sequences);

// The detectors of head_scores.h over the model's attention on `sequences`.
HeadScores score_model_heads(const LanguageModel& model,
                             const std::vector<TokenSequence>& sequences);

// Per relation name found in the sentences (in order of first appearance), its scores over the
// sentences that hold it.
std::vector<RelationScores> score_model_relations(const LanguageModel& model,
                                                  const std::vector<EncodedSentence>& sentences);

// The mean loss of the model on the sentences, each predicting its own next tokens (no padding).
double mean_loss(const LanguageModel& model, const std::vector<TokenSequence>& sequences);

}  // namespace spotlight
