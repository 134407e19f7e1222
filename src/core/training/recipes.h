// What the tiny transformer is trained on and how: the recipes of the native command
// (src/cli/spotlight_train.cpp) and of the web page, so that both train the same models.
//
//   workshop   the workshop corpus (corpus.h) with MLP and LayerNorm: the page's trained model
//   induction  a two-layer attention-only model on repeated random sequences (Olsson et al.)
//   text       the user's own text, word or character level
// Every number here was chosen by measurement: README.md, "The trained workshop model", gives the
// command that reproduces each figure.
#pragma once

#include "model/transformer_config.h"
#include "training/trainer.h"

namespace spotlight {

struct Recipe {
  TransformerConfig config;   // vocab_size is set from the data's vocabulary
  TrainingOptions training;
  Index train_sequences = 0;  // sentences, or induction sequences
  Index eval_sequences = 0;   // held-out ones (and as many of the novel shapes)
  Index induction_symbols = 0;
  Index induction_shortest_period = 0, induction_longest_period = 0;
  Index text_vocabulary = 0;  // the largest vocabulary of own text
};

Recipe workshop_recipe();
Recipe induction_recipe();
Recipe text_recipe();

}  // namespace spotlight
