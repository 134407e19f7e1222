// The same core, built natively (-O3 -march=native by ./build.sh bench), on the benchmark's
// shapes: median milliseconds as JSON lines on stdout, one per case, in the Node runner's fields.
//   native_bench [--quick]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "attention/spotlight.h"

using spotlight::Index;
using spotlight::Matrix;

namespace {

Matrix random_matrix(Index rows, Index cols, std::uint64_t seed) {
  spotlight::SplitMix64 rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform_symmetric(0.25f);
  return m;
}

template <typename Run>
double median_ms(Run&& run, int repeats) {
  run();  // warm-up
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::vector<std::array<Index, 3>> shapes = {{16, 64, 4}, {128, 256, 4}};
  if (!quick) {
    shapes.push_back({512, 512, 8});
    shapes.push_back({1024, 768, 12});
    shapes.push_back({4096, 512, 8});
  }
  for (const auto& [n, d, heads] : shapes) {
    const Matrix q = random_matrix(n, d, 1), k = random_matrix(n, d, 2), v = random_matrix(n, d, 3);
    const Matrix x = random_matrix(n, d, 4);
    spotlight::SimpleAttention layer(d, heads, 1);
    const int repeats = n >= 1024 ? 3 : (n >= 512 ? 5 : 15);
    for (const char* operation : {"attention", "layer"}) {
      for (const bool causal : {false, true}) {
        for (const bool return_weights : {false, true}) {
          if (return_weights && double(heads) * n * n * 4 > 256.0 * 1024 * 1024) continue;
          spotlight::AttentionOptions options;
          options.causal = causal;
          const bool attention_only = std::strcmp(operation, "attention") == 0;
          const double ms = median_ms([&] {
            if (attention_only) {
              spotlight::multi_head_attention(q, k, v, heads, options, return_weights);
            } else {
              layer.forward(x, options, return_weights);
            }
          }, repeats);
          const double flops = 4.0 * n * n * d + (attention_only ? 0.0 : 8.0 * n * d * d);
          std::printf("{\"n\":%ld,\"d\":%ld,\"heads\":%ld,\"operation\":\"%s\",\"causal\":%s,"
                      "\"returnWeights\":%s,\"peer\":\"ours (native, -march=native)\",\"medianMs\":%.4f,"
                      "\"gflops\":%.2f}\n",
                      long(n), long(d), long(heads), operation, causal ? "true" : "false",
                      return_weights ? "true" : "false", ms, flops / ms / 1e6);
          std::fflush(stdout);
        }
      }
    }
  }
  return 0;
}
