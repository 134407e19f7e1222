#include "kernels/gemm.h"

#include <algorithm>
#include <cstring>

#include "base/simd.h"
#include "kernels/gemm_kernel.h"

namespace spotlight {

namespace {

// The (2, 16) block measured fastest in wasm among (1..8 rows) x (4..32 columns): 36 GFLOP/s at
// 512^3 against 27 for (4, 8) and 24 for (1, 16) - 8 accumulators, 4 panel loads and 2
// broadcasts per step fit the 16 vector registers V8 has on x86-64 without spilling.
constexpr int block_rows = 2;
constexpr int block_vectors = 4;
constexpr Index panel_width = PackedPanels::panel_width;
static_assert(panel_width == kernel::panel_width, "gemm_kernel.h reads the panels gemm.h packs");

void built_in_kernel(const kernel::GemmArgs* args) {
  kernel::gemm_packed<block_rows, block_vectors>(*args);
}

GemmKernel active_kernel = &built_in_kernel;
const char* active_name = simd::name;

}  // namespace

void set_gemm_kernel(GemmKernel kernel, const char* name) {
  active_kernel = kernel != nullptr ? kernel : &built_in_kernel;
  active_name = kernel != nullptr ? name : simd::name;
}

const char* gemm_kernel_name() { return active_name; }

void gemm_built_in(const kernel::GemmArgs& args) { built_in_kernel(&args); }

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
  if (a.rows() == 0 || cols == 0) return;
  const kernel::GemmArgs args{a.data(),
                              a.outerStride(),
                              a.rows(),
                              a.cols(),
                              b.panel_row(first_col / panel_width, first_depth),
                              b.depth() * panel_width,
                              c.data(),
                              c.outerStride(),
                              cols,
                              accumulate == Accumulate::yes ? 1 : 0,
                              alpha};
  active_kernel(&args);
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
