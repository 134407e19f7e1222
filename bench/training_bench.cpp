// The training benchmark of the core built natively (-O3 -march=native by ./build.sh bench):
// TinyTransformer::train_step on the models, batch, tokens and AdamW options of
// bench/training-peers.js, one JSON line per model on stdout in its fields.
//   native_training_bench [--quick]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "model/optimizer.h"
#include "model/transformer.h"

using spotlight::Index;
using spotlight::TokenId;

namespace {

struct BenchModel {
  const char* name;
  spotlight::TransformerConfig config;
  Index batch, seq_len;
  int warmup_steps;  // the workshop's 20 are also the loss check
};

// batch rows of seq_len + 1 tokens from training-peers.js's LCG: inputs tokens 0 .. T-1 of a
// row, targets tokens 1 .. T.
void random_batch(Index vocab_size, Index batch, Index seq_len, std::vector<TokenId>& inputs,
                  std::vector<TokenId>& targets) {
  std::uint32_t state = 1;
  inputs.assign(batch * seq_len, 0);
  targets.assign(batch * seq_len, 0);
  for (Index row = 0; row < batch; ++row) {
    TokenId previous = 0;
    for (Index t = 0; t <= seq_len; ++t) {
      state = state * 1664525u + 1013904223u;
      const auto token = TokenId((std::uint64_t{state} * std::uint64_t(vocab_size)) >> 32);
      if (t > 0) {
        inputs[row * seq_len + t - 1] = previous;
        targets[row * seq_len + t - 1] = token;
      }
      previous = token;
    }
  }
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  // training-peers.js: SAMPLE_BUDGET_MS, MIN_SAMPLES, MAX_SAMPLES and QUICK.
  const double budget_ms = quick ? 2000 : 15000;
  const int least = quick ? 3 : 5, most = quick ? 5 : 15;
  spotlight::AdamWOptions adamw;  // lr 3e-3, betas 0.9 and 0.95, eps 1e-8, decay 0.1, clip 1
  std::vector<BenchModel> models = {
      {"workshop", {96, 24, 64, 4, 2, true, true, 7}, 32, 24, 20},
      {"larger", {512, 64, 128, 4, 4, true, true, 7}, 16, 64, 3},
  };
  for (BenchModel& model : models) {
    if (quick) model.warmup_steps = 3;
    spotlight::TinyTransformer net(model.config);
    std::vector<TokenId> inputs, targets;
    random_batch(model.config.vocab_size, model.batch, model.seq_len, inputs, targets);
    const auto step = [&] {
      return net.train_step(inputs.data(), targets.data(), model.batch, model.seq_len, adamw);
    };
    double initial_loss = 0, loss_after_warmup = 0, last_ms = 1;
    for (int i = 0; i < model.warmup_steps; ++i) {
      const auto start = std::chrono::steady_clock::now();
      loss_after_warmup = step();
      last_ms = elapsed_ms(start);
      if (i == 0) initial_loss = loss_after_warmup;
    }
    const int samples = std::clamp(int(budget_ms / std::max(last_ms, 1.0)), least, most);
    std::vector<double> times;
    double final_loss = 0;
    for (int i = 0; i < samples; ++i) {
      const auto start = std::chrono::steady_clock::now();
      final_loss = step();
      times.push_back(elapsed_ms(start));
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    const double median_ms = sorted[sorted.size() / 2];
    const Index tokens_per_step = model.batch * model.seq_len;
    const double tokens_per_second = double(tokens_per_step) / (median_ms / 1000);
    const Index parameters = Index(net.parameters().size());
    std::printf(
        "{\"peer\":\"ours (native, -march=native)\",\"model\":\"%s\",\"batch\":%ld,\"seqLen\":%ld,"
        "\"parameters\":%ld,\"tokensPerStep\":%ld,\"samples\":%d,\"medianStepMs\":%.4f,"
        "\"fastestStepMs\":%.4f,\"slowestStepMs\":%.4f,\"tokensPerSecond\":%.2f,\"gflops\":%.4f,"
        "\"logVocab\":%.6f,\"warmupSteps\":%d,\"initialLoss\":%.6f,\"lossAfterWarmup\":%.6f,"
        "\"finalLoss\":%.6f}\n",
        model.name, long(model.batch), long(model.seq_len), long(parameters), long(tokens_per_step),
        samples, median_ms, sorted.front(), sorted.back(), tokens_per_second,
        6.0 * double(parameters) * tokens_per_second / 1e9,
        std::log(double(model.config.vocab_size)), model.warmup_steps, initial_loss,
        loss_after_warmup, final_loss);
    std::fflush(stdout);
  }
  return 0;
}
