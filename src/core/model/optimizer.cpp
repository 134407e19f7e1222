#include "model/optimizer.h"

#include <algorithm>
#include <cmath>

#include "base/errors.h"

namespace spotlight {

void validate_adamw_options(const AdamWOptions& options) {
  require(std::isfinite(options.learning_rate) && options.learning_rate > 0.0f &&
              options.learning_rate <= 10.0f,
          "learning rate must be finite and in (0, 10], got ", options.learning_rate);
  require(options.beta1 >= 0.0f && options.beta1 < 1.0f, "beta1 must be in [0, 1), got ",
          options.beta1);
  require(options.beta2 >= 0.0f && options.beta2 < 1.0f, "beta2 must be in [0, 1), got ",
          options.beta2);
  require(std::isfinite(options.epsilon) && options.epsilon > 0.0f,
          "epsilon must be finite and > 0, got ", options.epsilon);
  require(std::isfinite(options.weight_decay) && options.weight_decay >= 0.0f,
          "weight decay must be finite and >= 0, got ", options.weight_decay);
  require(std::isfinite(options.clip_norm) && options.clip_norm >= 0.0f,
          "clip norm must be finite and >= 0 (0: no clipping), got ", options.clip_norm);
}

double gradient_norm(const std::vector<float>& gradients) {
  double squares = 0.0;
  for (const float g : gradients) squares += static_cast<double>(g) * static_cast<double>(g);
  return std::sqrt(squares);
}

namespace {

// The new value of one parameter and its moments.
struct Updated {
  float parameter, m, v;
};

struct StepConstants {
  float clip_factor, decay_factor, step_size, bias_correction2_sqrt, beta1, beta2, epsilon;
};

Updated update(float parameter, float gradient, float m, float v, bool decayed,
               const StepConstants& c) {
  const float g = gradient * c.clip_factor;
  if (decayed) parameter *= c.decay_factor;
  m = c.beta1 * m + (1.0f - c.beta1) * g;
  v = c.beta2 * v + (1.0f - c.beta2) * g * g;
  parameter -= c.step_size * m / (std::sqrt(v) / c.bias_correction2_sqrt + c.epsilon);
  return {parameter, m, v};
}

}  // namespace

double adamw_step(const std::vector<ParameterInfo>& table, const std::vector<float>& gradients,
                  const AdamWOptions& options, std::vector<float>& parameters, AdamWState& state) {
  validate_adamw_options(options);
  const auto count = static_cast<std::size_t>(parameter_count(table));
  require(parameters.size() == count && gradients.size() == count, "AdamW needs ", count,
          " parameters and gradients, got ", parameters.size(), " and ", gradients.size());
  // A first step starts from zero moments; they are sized only once the step has succeeded, so
  // that a failed first step leaves the state as it was (empty).
  const bool fresh = state.m.empty() && state.v.empty();
  require(fresh || (state.m.size() == count && state.v.size() == count), "the optimizer state has ",
          state.m.size(), " and ", state.v.size(), " moments, expected ", count);

  const double norm = gradient_norm(gradients);
  require(std::isfinite(norm), "training diverged at step ", state.step + 1,
          ": the gradients' norm is ", norm, "; the parameters are kept as they were");
  const std::int64_t t = state.step + 1;
  StepConstants c;
  c.clip_factor = options.clip_norm > 0.0f && norm > options.clip_norm
                      ? static_cast<float>(options.clip_norm / (norm + 1e-6))
                      : 1.0f;
  c.beta1 = options.beta1;
  c.beta2 = options.beta2;
  c.epsilon = options.epsilon;
  c.step_size = options.learning_rate /
                static_cast<float>(1.0 - std::pow(static_cast<double>(options.beta1), t));
  c.bias_correction2_sqrt =
      static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(options.beta2), t)));

  // pass 1: check that every new value is finite, writing nothing, so that a failed step leaves
  // the model as it was; pass 2: write them.
  for (const bool write : {false, true}) {
    if (write && fresh) {
      state.m.assign(count, 0.0f);
      state.v.assign(count, 0.0f);
    }
    for (const ParameterInfo& info : table) {
      c.decay_factor = info.decayed() ? 1.0f - options.learning_rate * options.weight_decay : 1.0f;
      for (Index i = info.offset; i < info.offset + info.size(); ++i) {
        const auto at = static_cast<std::size_t>(i);
        const float m = fresh && !write ? 0.0f : state.m[at];
        const float v = fresh && !write ? 0.0f : state.v[at];
        const Updated next = update(parameters[at], gradients[at], m, v, info.decayed(), c);
        if (write) {
          parameters[at] = next.parameter;
          state.m[at] = next.m;
          state.v[at] = next.v;
          continue;
        }
        if (std::isfinite(next.parameter) && std::isfinite(next.m) && std::isfinite(next.v)) {
          continue;
        }
        const Index index = i - info.offset;
        require(std::isfinite(next.parameter), "training diverged at step ", t, ": ", info.name,
                "[", index, "] would become ", next.parameter,
                "; the parameters are kept as they were");
        require(false, "training diverged at step ", t, ": the moments of ", info.name, "[", index,
                "] would become ", next.m, " and ", next.v,
                " (gradients too large for float); the parameters are kept as they were");
      }
    }
  }
  state.step = t;
  return norm;
}

float LearningRateSchedule::at(std::int64_t step) const {
  if (step < warmup_steps) {
    return peak * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  }
  if (step >= total_steps) return peak * final_fraction;
  const double progress = static_cast<double>(step - warmup_steps) /
                          static_cast<double>(std::max<std::int64_t>(1, total_steps - warmup_steps));
  const double cosine = 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
  return static_cast<float>(peak * (final_fraction + (1.0 - final_fraction) * cosine));
}

}  // namespace spotlight
