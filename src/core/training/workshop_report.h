// The workshop model's measurement: its data split, and what its heads do on sentences it never
// trained on.
//
//   training     recipe.train_sequences sentences of the trained shapes (data_seed)
//   held_out     recipe.eval_sequences sentences of the trained shapes, none of them a training
//                sentence (held_out_sentences)
//   novel        recipe.eval_sequences sentences of shapes the grammar never produces
//   experiments  the workshop's three sentences
// For each relation, the head with the best accuracy on held_out is reported with its accuracy
// there and on novel, and where its largest weight in the experiment's query row falls. The goals
// (issue 13): held-out >= 95%, novel >= 90%, and the experiment's "it", "are", "was" on "cat",
// "dogs", "book".
#pragma once

#include <string>
#include <vector>

#include "analysis/head_scores.h"
#include "data/corpus.h"
#include "data/vocabulary.h"
#include "model/transformer.h"
#include "training/recipes.h"

namespace spotlight {

struct WorkshopData {
  std::vector<Sentence> training, held_out, novel, experiments;
};

WorkshopData workshop_data(const Recipe& recipe);

struct RelationReport {
  std::string name;                 // "coreference"
  HeadLocation head;                // best on held_out
  double held_out_accuracy = 0.0;
  double held_out_mean_weight = 0.0;
  double novel_accuracy = 0.0;
  std::string query_word, key_word;  // of the experiment: "it", "cat"
  std::string chosen_word;          // where the head's largest weight in that row falls
  double key_weight = 0.0;          // the head's weight on the key word there
  bool experiment_correct() const { return chosen_word == key_word; }
};

struct WorkshopReport {
  std::vector<RelationReport> relations;
  double held_out_loss = 0.0;
  Index held_out_sentences = 0, novel_sentences = 0;
  HeadScores head_scores;  // previous-token and first-token scores on held_out

  static constexpr double held_out_goal = 0.95;
  static constexpr double novel_goal = 0.90;
  bool meets_goals() const;
};

WorkshopReport evaluate_workshop(const TinyTransformer& model, const Vocabulary& vocabulary,
                                 const WorkshopData& data);

// A table for a terminal.
std::string describe(const WorkshopReport& report);
std::string describe(const HeadScores& scores);

// JSON: the recipe, the report and the training time (the checkpoint's metadata, which the page
// shows: what the model was trained on and what its heads do).
std::string workshop_metadata(const Recipe& recipe, const WorkshopReport& report, double seconds);

}  // namespace spotlight
