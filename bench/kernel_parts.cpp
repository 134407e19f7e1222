// Where one head's tiled attention spends its time, in wasm: the two products (q k^T and
// weights v, on the packed panels of gemm.h), the softmax's max and exp pass, and the whole
// kernel, at n = 1024, d_head = 64, 12 heads (the benchmark's 1024/768/12). Best of 5, ms and
// GFLOP/s. Built and run by bench/kernel_parts.sh.
#include <chrono>
#include <cstdio>
#include <optional>

#include "attention/spotlight.h"
#include "base/simd.h"
#include "kernels/gemm.h"
#include "kernels/softmax.h"

using spotlight::Index;
using spotlight::Matrix;

namespace {

template <typename Run>
double best_ms(Run&& run) {
  double best = 1e30;
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed.count() < best) best = elapsed.count();
  }
  return best;
}

Matrix random_matrix(Index rows, Index cols, std::uint64_t seed) {
  spotlight::SplitMix64 rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform_symmetric(1.0f);
  return m;
}

}  // namespace

int main() {
  constexpr Index n = 1024, d_head = 64, heads = 12;
  constexpr Index tile_queries = 64, tile_keys = 512;  // attention_kernels.h's TileSizes
  const Matrix q = random_matrix(n, d_head, 1), k = random_matrix(n, d_head, 2);
  const Matrix v = random_matrix(n, d_head, 3);
  const spotlight::PackedPanels keys(k, true), values(v, false);
  Matrix logits(tile_queries, tile_keys), accumulator = Matrix::Zero(tile_queries, d_head);

  // Every (query tile, key tile) pair of every head, as the tiled kernel visits them.
  auto each_tile = [&](auto&& body) {
    for (Index head = 0; head < heads; ++head) {
      for (Index first_query = 0; first_query < n; first_query += tile_queries) {
        for (Index first_key = 0; first_key < n; first_key += tile_keys) body(first_query, first_key);
      }
    }
  };
  const double scores_ms = best_ms([&] {
    each_tile([&](Index first_query, Index first_key) {
      spotlight::gemm(q.middleRows(first_query, tile_queries), keys, 0, first_key, tile_keys,
                      spotlight::Accumulate::no, logits, 0.125f);
    });
  });
  const double softmax_ms = best_ms([&] {
    each_tile([&](Index, Index) {
      for (Index row = 0; row < tile_queries; ++row) {
        float* values_row = logits.row(row).data();
        const float row_max = spotlight::row_maximum(values_row, tile_keys);
        spotlight::exp_shifted(values_row, row_max, values_row, tile_keys);
      }
    });
  });
  const double values_ms = best_ms([&] {
    each_tile([&](Index, Index first_key) {
      spotlight::gemm(logits, values, first_key, 0, d_head, spotlight::Accumulate::yes, accumulator);
    });
  });
  const double whole_ms = best_ms([&] {
    Matrix output(n, d_head);
    for (Index head = 0; head < heads; ++head) {
      spotlight::attention_into(q, k, v, 0.125, {}, output, std::nullopt);
    }
  });
  const double product_flops = 2.0 * n * n * d_head * heads;
  std::printf("n %ld, d_head %ld, %ld heads, tiles (%ld, %ld), simd %s\n", long(n), long(d_head),
              long(heads), long(tile_queries), long(tile_keys), spotlight::simd::name);
  std::printf("q k^T products      %7.1f ms  %5.1f GFLOP/s\n", scores_ms, product_flops / scores_ms / 1e6);
  std::printf("softmax max and exp %7.1f ms  (%ld exponentials)\n", softmax_ms, long(n * n * heads));
  std::printf("weights v products  %7.1f ms  %5.1f GFLOP/s\n", values_ms, product_flops / values_ms / 1e6);
  std::printf("whole tiled kernel  %7.1f ms  (validation, masks, online softmax included)\n", whole_ms);
}
