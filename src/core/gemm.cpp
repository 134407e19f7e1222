#include "gemm.h"

#include <algorithm>
#include <vector>

#include "simd.h"

namespace spotlight {

namespace {

constexpr Index panel_width = 8;  // columns of op(b) per packed panel: two Float4
constexpr Index block_rows = 4;   // rows of a per micro-kernel call

// Packs columns first_col .. first_col + cols - 1 of op(b) into panel (k, 8), zero past cols.
void pack_panel(const MatrixView& b, bool b_transposed, Index first_col, Index cols, Index k,
                float* panel) {
  for (Index p = 0; p < k; ++p) {
    float* row = panel + p * panel_width;
    for (Index j = 0; j < panel_width; ++j) {
      if (j >= cols) {
        row[j] = 0.0f;
      } else {
        row[j] = b_transposed ? b(first_col + j, p) : b(p, first_col + j);
      }
    }
  }
}

// out (Rows, 8) = a (Rows, k) panel (k, 8); a's rows are a_stride floats apart.
template <int Rows>
void micro_kernel(const float* a, Index a_stride, const float* panel, Index k, float* out) {
  using simd::Float4;
  Float4 sum[Rows][2];
  for (int r = 0; r < Rows; ++r) sum[r][0] = sum[r][1] = simd::broadcast(0.0f);
  for (Index p = 0; p < k; ++p) {
    const Float4 left = simd::load(panel + p * panel_width);
    const Float4 right = simd::load(panel + p * panel_width + 4);
    for (int r = 0; r < Rows; ++r) {
      const Float4 a_rp = simd::broadcast(a[r * a_stride + p]);
      sum[r][0] = simd::multiply_add(a_rp, left, sum[r][0]);
      sum[r][1] = simd::multiply_add(a_rp, right, sum[r][1]);
    }
  }
  for (int r = 0; r < Rows; ++r) {
    simd::store(out + r * panel_width, sum[r][0]);
    simd::store(out + r * panel_width + 4, sum[r][1]);
  }
}

void run_micro_kernel(Index rows, const float* a, Index a_stride, const float* panel, Index k,
                      float* out) {
  switch (rows) {
    case 4: micro_kernel<4>(a, a_stride, panel, k, out); break;
    case 3: micro_kernel<3>(a, a_stride, panel, k, out); break;
    case 2: micro_kernel<2>(a, a_stride, panel, k, out); break;
    default: micro_kernel<1>(a, a_stride, panel, k, out); break;
  }
}

}  // namespace

void gemm(const MatrixView& a, const MatrixView& b, bool b_transposed, Accumulate accumulate,
          Matrix& c) {
  const Index m = a.rows(), k = a.cols();
  const Index n = b_transposed ? b.rows() : b.cols();
  if (accumulate == Accumulate::no) c.setZero(m, n);
  if (m == 0 || n == 0) return;

  std::vector<float> panel(static_cast<std::size_t>(std::max<Index>(k, 1) * panel_width));
  float block[block_rows * panel_width];
  for (Index first_col = 0; first_col < n; first_col += panel_width) {
    const Index cols = std::min(panel_width, n - first_col);
    pack_panel(b, b_transposed, first_col, cols, k, panel.data());
    for (Index first_row = 0; first_row < m; first_row += block_rows) {
      const Index rows = std::min(block_rows, m - first_row);
      run_micro_kernel(rows, a.data() + first_row * a.outerStride(), a.outerStride(), panel.data(),
                       k, block);
      for (Index r = 0; r < rows; ++r) {
        for (Index j = 0; j < cols; ++j) c(first_row + r, first_col + j) += block[r * panel_width + j];
      }
    }
  }
}

Matrix multiply(const MatrixView& a, const MatrixView& b, bool b_transposed) {
  Matrix c;
  gemm(a, b, b_transposed, Accumulate::no, c);
  return c;
}

}  // namespace spotlight
