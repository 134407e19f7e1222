#include "gemm.h"

#include <algorithm>
#include <vector>

#include "simd.h"

namespace spotlight {

namespace {

// The (2, 16) block measured fastest in wasm among (1..8 rows) x (4..32 columns): 36 GFLOP/s at
// 512^3 against 27 for (4, 8) and 24 for (1, 16) - 8 accumulators, 4 panel loads and 2
// broadcasts per step fit the 16 vector registers V8 has on x86-64 without spilling.
constexpr Index vectors_per_row = 4;
constexpr Index panel_width = 4 * vectors_per_row;  // columns of op(b) per packed panel
constexpr Index block_rows = 2;                     // rows of a per micro-kernel call

// Packs columns first_col .. first_col + cols - 1 of op(b) into panel (k, panel_width), zero
// past cols.
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

// out (Rows, panel_width) = a (Rows, k) panel (k, panel_width); a's rows are a_stride floats apart.
template <int Rows>
void micro_kernel(const float* a, Index a_stride, const float* panel, Index k, float* out) {
  using simd::Float4;
  Float4 sum[Rows][vectors_per_row];
  for (auto& row : sum) {
    for (Float4& s : row) s = simd::broadcast(0.0f);
  }
  for (Index p = 0; p < k; ++p) {
    Float4 b[vectors_per_row];
    for (Index c = 0; c < vectors_per_row; ++c) b[c] = simd::load(panel + p * panel_width + 4 * c);
    for (int r = 0; r < Rows; ++r) {
      const Float4 a_rp = simd::broadcast(a[r * a_stride + p]);
      for (Index c = 0; c < vectors_per_row; ++c) sum[r][c] = simd::multiply_add(a_rp, b[c], sum[r][c]);
    }
  }
  for (int r = 0; r < Rows; ++r) {
    for (Index c = 0; c < vectors_per_row; ++c) simd::store(out + r * panel_width + 4 * c, sum[r][c]);
  }
}

void run_micro_kernel(Index rows, const float* a, Index a_stride, const float* panel, Index k,
                      float* out) {
  if (rows == 2) {
    micro_kernel<2>(a, a_stride, panel, k, out);
  } else {
    micro_kernel<1>(a, a_stride, panel, k, out);
  }
}

}  // namespace

void gemm(const MatrixView& a, const MatrixView& b, bool b_transposed, Accumulate accumulate,
          Matrix& c, float alpha) {
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
      const simd::Float4 alpha4 = simd::broadcast(alpha);
      for (Index r = 0; r < rows; ++r) {
        float* c_row = c.data() + (first_row + r) * c.cols() + first_col;
        const float* block_row = block + r * panel_width;
        if (cols == panel_width) {
          for (Index j = 0; j < panel_width; j += 4) {
            simd::store(c_row + j, simd::multiply_add(alpha4, simd::load(block_row + j), simd::load(c_row + j)));
          }
        } else {
          for (Index j = 0; j < cols; ++j) c_row[j] += alpha * block_row[j];
        }
      }
    }
  }
}

Matrix multiply(const MatrixView& a, const MatrixView& b, bool b_transposed, float alpha) {
  Matrix c;
  gemm(a, b, b_transposed, Accumulate::no, c, alpha);
  return c;
}

}  // namespace spotlight
