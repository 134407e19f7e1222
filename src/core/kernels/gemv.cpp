#include "kernels/gemv.h"

#include <algorithm>

#include "base/simd.h"

namespace spotlight {

void row_times_matrix(const float* x, const MatrixView& b, float alpha, bool accumulate, float* y) {
  const Index k = b.rows(), n = b.cols();
  if (!accumulate) std::fill(y, y + n, 0.0f);
  const Index vector_end = n - n % 4;
  // Four rows of b at a time, so each pass over y adds four rows' worth and y is read and written
  // a quarter as often as b is read.
  Index row = 0;
  for (; row + 4 <= k; row += 4) {
    const float* b0 = b.row(row).data();
    const float* b1 = b.row(row + 1).data();
    const float* b2 = b.row(row + 2).data();
    const float* b3 = b.row(row + 3).data();
    const float s0 = alpha * x[row], s1 = alpha * x[row + 1], s2 = alpha * x[row + 2],
                s3 = alpha * x[row + 3];
    const simd::Float4 v0 = simd::broadcast(s0), v1 = simd::broadcast(s1),
                       v2 = simd::broadcast(s2), v3 = simd::broadcast(s3);
    for (Index j = 0; j < vector_end; j += 4) {
      simd::Float4 sum = simd::load(y + j);
      sum = simd::multiply_add(v0, simd::load(b0 + j), sum);
      sum = simd::multiply_add(v1, simd::load(b1 + j), sum);
      sum = simd::multiply_add(v2, simd::load(b2 + j), sum);
      sum = simd::multiply_add(v3, simd::load(b3 + j), sum);
      simd::store(y + j, sum);
    }
    for (Index j = vector_end; j < n; ++j) y[j] += s0 * b0[j] + s1 * b1[j] + s2 * b2[j] + s3 * b3[j];
  }
  for (; row < k; ++row) {
    const float* b_row = b.row(row).data();
    const float scale = alpha * x[row];
    const simd::Float4 v = simd::broadcast(scale);
    for (Index j = 0; j < vector_end; j += 4) {
      simd::store(y + j, simd::multiply_add(v, simd::load(b_row + j), simd::load(y + j)));
    }
    for (Index j = vector_end; j < n; ++j) y[j] += scale * b_row[j];
  }
}

void row_times_transposed_matrix(const float* x, const MatrixView& b, float alpha, bool accumulate,
                                 float* y) {
  // gemm.h's kernel takes one row of a as dot products against b's rows, b read as one stream
  // (gemm_kernel.h, gemm_one_row), on the fused path where the engine has it.
  const Index n = b.rows(), k = b.cols();
  gemm_in_place(Eigen::Map<const Matrix>(x, 1, k), b, true,
                accumulate ? Accumulate::yes : Accumulate::no, Eigen::Map<Matrix>(y, 1, n), alpha);
}

void row_times_panels(const float* x, const PanelsView& b, float alpha, bool accumulate, float* y) {
  constexpr Index width = PanelsView::panel_width;
  for (Index first = 0; first < b.cols; first += width) {
    const Index cols = std::min(width, b.cols - first);
    // The panel's 16 columns of y in four vectors, one multiply-add each per row of the panel
    // (four independent chains), in row order as row_times_matrix adds them.
    float start[width] = {};
    if (accumulate) std::copy(y + first, y + first + cols, start);
    simd::Float4 sum0 = simd::load(start), sum1 = simd::load(start + 4),
                 sum2 = simd::load(start + 8), sum3 = simd::load(start + 12);
    const float* panel = b.panel_row(first / width, 0);
    for (Index p = 0; p < b.depth; ++p, panel += width) {
      const simd::Float4 scale = simd::broadcast(alpha * x[p]);
      sum0 = simd::multiply_add(scale, simd::load(panel), sum0);
      sum1 = simd::multiply_add(scale, simd::load(panel + 4), sum1);
      sum2 = simd::multiply_add(scale, simd::load(panel + 8), sum2);
      sum3 = simd::multiply_add(scale, simd::load(panel + 12), sum3);
    }
    float out[width];
    simd::store(out, sum0);
    simd::store(out + 4, sum1);
    simd::store(out + 8, sum2);
    simd::store(out + 12, sum3);
    std::copy(out, out + cols, y + first);
  }
}

}  // namespace spotlight
