#include "gemm.h"

#include <algorithm>
#include <cstring>

#include "simd.h"

namespace spotlight {

namespace {

// The (2, 16) block measured fastest in wasm among (1..8 rows) x (4..32 columns): 36 GFLOP/s at
// 512^3 against 27 for (4, 8) and 24 for (1, 16) - 8 accumulators, 4 panel loads and 2
// broadcasts per step fit the 16 vector registers V8 has on x86-64 without spilling.
constexpr Index vectors_per_row = 4;
constexpr Index panel_width = PackedPanels::panel_width;
static_assert(panel_width == 4 * vectors_per_row, "a panel row is the micro-kernel's vectors");
constexpr Index block_rows = 2;  // rows of a per micro-kernel call

// Where the micro-kernel's block goes: c's rows are c_stride floats apart; only the first `cols`
// columns of the block exist in c (the rest is the panel's zero padding).
struct BlockOutput {
  float* c;
  Index c_stride;
  Index cols;
  Accumulate accumulate;
  float alpha;
};

// c block (Rows, cols) (+)= alpha * a (Rows, k) panel (k, panel_width); a's rows are a_stride
// floats apart, the panel's rows are contiguous.
template <int Rows>
void micro_kernel(const float* a, Index a_stride, const float* panel, Index k, const BlockOutput& out) {
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

  // Epilogue straight into c when the panel is full; through a small buffer at the ragged edge.
  const Float4 alpha4 = simd::broadcast(out.alpha);
  float edge[panel_width];
  for (int r = 0; r < Rows; ++r) {
    float* c_row = out.c + r * out.c_stride;
    if (out.cols == panel_width) {
      for (Index c = 0; c < vectors_per_row; ++c) {
        Float4 value = simd::multiply(alpha4, sum[r][c]);
        if (out.accumulate == Accumulate::yes) value = simd::add(value, simd::load(c_row + 4 * c));
        simd::store(c_row + 4 * c, value);
      }
    } else {
      for (Index c = 0; c < vectors_per_row; ++c) simd::store(edge + 4 * c, simd::multiply(alpha4, sum[r][c]));
      for (Index j = 0; j < out.cols; ++j) {
        c_row[j] = out.accumulate == Accumulate::yes ? c_row[j] + edge[j] : edge[j];
      }
    }
  }
}

}  // namespace

void PackedPanels::pack(const MatrixView& b, bool b_transposed) {
  depth_ = b_transposed ? b.cols() : b.rows();
  cols_ = b_transposed ? b.rows() : b.cols();
  const Index panels = (cols_ + panel_width - 1) / panel_width;
  values_.assign(static_cast<std::size_t>(panels * depth_ * panel_width), 0.0f);
  for (Index panel = 0; panel < panels; ++panel) {
    const Index first_col = panel * panel_width;
    const Index cols = std::min(panel_width, cols_ - first_col);
    float* out = values_.data() + panel * depth_ * panel_width;
    if (b_transposed) {
      // Column j of op(b) is row first_col + j of b: read it contiguously, scatter by 16.
      for (Index j = 0; j < cols; ++j) {
        const float* b_row = b.data() + (first_col + j) * b.outerStride();
        for (Index p = 0; p < depth_; ++p) out[p * panel_width + j] = b_row[p];
      }
    } else {
      for (Index p = 0; p < depth_; ++p) {
        std::memcpy(out + p * panel_width, b.data() + p * b.outerStride() + first_col,
                    static_cast<std::size_t>(cols) * sizeof(float));
      }
    }
  }
}

void gemm(const MatrixView& a, const PackedPanels& b, Index first_depth, Index first_col,
          Index cols, Accumulate accumulate, MatrixRef c, float alpha) {
  const Index m = a.rows(), k = a.cols();
  for (Index col = 0; col < cols; col += panel_width) {
    const Index panel = (first_col + col) / panel_width;
    const float* panel_rows = b.panel_row(panel, first_depth);
    for (Index first_row = 0; first_row < m; first_row += block_rows) {
      const BlockOutput out{c.data() + first_row * c.outerStride() + col, c.outerStride(),
                            std::min(panel_width, cols - col), accumulate, alpha};
      const float* a_rows = a.data() + first_row * a.outerStride();
      if (m - first_row >= 2) {
        micro_kernel<2>(a_rows, a.outerStride(), panel_rows, k, out);
      } else {
        micro_kernel<1>(a_rows, a.outerStride(), panel_rows, k, out);
      }
    }
  }
}

void gemm(const MatrixView& a, const MatrixView& b, bool b_transposed, Accumulate accumulate,
          Matrix& c, float alpha) {
  const Index n = b_transposed ? b.rows() : b.cols();
  if (accumulate == Accumulate::no) c.resize(a.rows(), n);
  if (a.rows() == 0 || n == 0) return;
  gemm(a, PackedPanels(b, b_transposed), 0, 0, n, accumulate, c, alpha);
}

Matrix multiply(const MatrixView& a, const MatrixView& b, bool b_transposed, float alpha) {
  Matrix c;
  gemm(a, b, b_transposed, Accumulate::no, c, alpha);
  return c;
}

}  // namespace spotlight
