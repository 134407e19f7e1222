// AdamW (Loshchilov & Hutter 2019), as torch.optim.AdamW, over the model's flat parameter buffer,
// with gradient-norm clipping, and a learning-rate schedule of linear warm-up then cosine decay.
//
// One step, for every parameter p with gradient g (t counts steps from 1):
//   g *= min(1, clip_norm / |G|)           |G| the norm of all the gradients together
//   p *= 1 - lr weight_decay               decoupled decay: only embeddings and matrices
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   p -= (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// which is torch's arithmetic in that order (tests/golden/make_transformer_fixtures.py checks it).
#pragma once

#include <cstdint>
#include <vector>

#include "base/matrix.h"
#include "model/transformer_config.h"

namespace spotlight {

// The optimizer's state: the step count (for bias correction) and the first and second moments,
// one value per parameter, in the order of the parameter table (transformer_config.h).
struct AdamWState {
  std::int64_t step = 0;
  std::vector<float> m;
  std::vector<float> v;
};

struct AdamWOptions {
  float learning_rate = 3e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.95f;   // nanoGPT's, for small batches
  float epsilon = 1e-8f;
  float weight_decay = 0.1f;
  float clip_norm = 1.0f;  // 0: no clipping
};

// Throws std::invalid_argument naming the option and its value: a learning rate that is not
// finite and in (0, 10], betas outside [0, 1), epsilon not finite and > 0, weight decay or clip
// norm negative or not finite.
void validate_adamw_options(const AdamWOptions& options);

// The norm of all the gradients together, in double.
double gradient_norm(const std::vector<float>& gradients);

// Applies one step to `parameters` with `gradients` (both parameter_count(table) values), sizing
// an empty state on the first step. Returns the gradients' norm before clipping. Throws
// std::invalid_argument, changing nothing, when that norm is not finite or when the update would
// make a parameter or a moment non-finite.
double adamw_step(const std::vector<ParameterInfo>& table, const std::vector<float>& gradients,
                  const AdamWOptions& options, std::vector<float>& parameters, AdamWState& state);

// Linear warm-up from 0 to peak over warmup_steps, then a cosine from peak down to
// final_fraction * peak at total_steps, and that value after it.
struct LearningRateSchedule {
  float peak = 3e-3f;
  std::int64_t warmup_steps = 0;
  std::int64_t total_steps = 1;
  float final_fraction = 0.1f;

  // The rate of step `step`, counted from 0.
  float at(std::int64_t step) const;
};

}  // namespace spotlight
