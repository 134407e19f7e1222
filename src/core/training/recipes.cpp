#include "training/recipes.h"

namespace spotlight {

Recipe workshop_recipe() {
  Recipe recipe;
  recipe.config.context_length = 24;  // the longest sentence, 20 words, and <bos>, fit
  recipe.config.d_model = 64;
  recipe.config.n_heads = 4;
  recipe.config.n_layers = 2;
  recipe.config.seed = 7;
  recipe.training.batch = 32;
  recipe.training.seq_len = 0;
  recipe.training.schedule = {3e-3f, 100, 1500, 0.1f};
  recipe.training.data_seed = 1;
  recipe.train_sequences = 8000;
  recipe.eval_sequences = 600;
  return recipe;
}

Recipe induction_recipe() {
  // Measured (spotlight_train induction): d_model 32 with 2 heads formed no induction head in
  // 3,000 steps; d_model 64 with 4 heads forms two in layer 1 (0.94 and 0.92) after the loss's
  // plateau ends near step 1,500. Periods vary from 8 to 16 so that position alone cannot score.
  Recipe recipe;
  recipe.config.context_length = 33;  // <bos> and twice the longest period
  recipe.config.d_model = 64;
  recipe.config.n_heads = 4;
  recipe.config.n_layers = 2;
  recipe.config.mlp = false;
  recipe.config.layer_norm = true;
  recipe.config.seed = 7;
  recipe.training.batch = 32;
  recipe.training.schedule = {3e-3f, 50, 3000, 0.1f};
  recipe.train_sequences = 20000;
  recipe.eval_sequences = 200;
  recipe.induction_symbols = 24;
  recipe.induction_shortest_period = 8;
  recipe.induction_longest_period = 16;
  return recipe;
}

Recipe text_recipe() {
  Recipe recipe;
  recipe.config.context_length = 32;
  recipe.config.d_model = 64;
  recipe.config.n_heads = 4;
  recipe.config.n_layers = 2;
  recipe.training.batch = 16;
  recipe.training.schedule = {3e-3f, 50, 1000, 0.1f};
  recipe.text_vocabulary = 512;
  return recipe;
}

}  // namespace spotlight
