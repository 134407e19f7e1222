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
  kernel::gemm<block_rows, block_vectors>(*args);
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

void pack_panels(const MatrixView& b, bool b_transposed, float* values) {
  const Index depth = b_transposed ? b.cols() : b.rows();
  const Index cols = b_transposed ? b.rows() : b.cols();
  if (depth == 0) return;  // b holds no values (and its data() may be null)
  const Index whole_panels = cols / panel_width;
  const Index last_cols = cols - whole_panels * panel_width;  // of a last, partial panel
  if (last_cols > 0) {  // zeros past cols
    std::fill(values + whole_panels * depth * panel_width,
              values + PanelsView::size(depth, cols), 0.0f);
  }
  if (b_transposed) {
    // Column j of op(b) is row j of b: read it contiguously, scatter by 16.
    for (Index j = 0; j < cols; ++j) {
      const float* b_row = b.data() + j * b.outerStride();
      float* out = values + (j / panel_width) * depth * panel_width + j % panel_width;
      for (Index p = 0; p < depth; ++p) out[p * panel_width] = b_row[p];
    }
    return;
  }
  // Row by row of b, so that it is read in memory order: its 16 floats for each panel, a
  // fixed-size copy the compiler inlines.
  for (Index p = 0; p < depth; ++p) {
    const float* b_row = b.data() + p * b.outerStride();
    for (Index panel = 0; panel < whole_panels; ++panel) {
      std::memcpy(values + (panel * depth + p) * panel_width, b_row + panel * panel_width,
                  panel_width * sizeof(float));
    }
    if (last_cols > 0) {
      std::memcpy(values + (whole_panels * depth + p) * panel_width,
                  b_row + whole_panels * panel_width, static_cast<std::size_t>(last_cols) * sizeof(float));
    }
  }
}

void unpack_panels(const PanelsView& panels, float* out) {
  for (Index p = 0; p < panels.depth; ++p) {
    for (Index first = 0; first < panels.cols; first += panel_width) {
      const Index width = std::min(panel_width, panels.cols - first);
      std::memcpy(out + p * panels.cols + first, panels.panel_row(first / panel_width, p),
                  static_cast<std::size_t>(width) * sizeof(float));
    }
  }
}

void PackedPanels::pack(const MatrixView& b, bool b_transposed) {
  depth_ = b_transposed ? b.cols() : b.rows();
  cols_ = b_transposed ? b.rows() : b.cols();
  values_.resize(static_cast<std::size_t>(PanelsView::size(depth_, cols_)));
  pack_panels(b, b_transposed, values_.data());
}

void gemm(const MatrixView& a, const PanelsView& b, Index first_depth, Index first_col,
          Index cols, Accumulate accumulate, MatrixRef c, float alpha) {
  if (a.rows() == 0 || cols == 0) return;
  const kernel::GemmArgs args{a.data(),
                              a.outerStride(),
                              a.rows(),
                              a.cols(),
                              b.panel_row(first_col / panel_width, first_depth),
                              b.depth * panel_width,
                              panel_width,
                              kernel::BLayout::panels,
                              c.data(),
                              c.outerStride(),
                              cols,
                              accumulate == Accumulate::yes ? 1 : 0,
                              alpha};
  active_kernel(&args);
}

void gemm_in_place(const MatrixView& a, const MatrixView& b, bool b_transposed,
                   Accumulate accumulate, MatrixRef c, float alpha, PackedPanels* buffer) {
  const Index n = b_transposed ? b.rows() : b.cols();
  if (a.rows() == 0 || n == 0) return;
  const int add = accumulate == Accumulate::yes ? 1 : 0;
  if (a.cols() == 0) {  // an empty sum: b holds no values, and its data() may be null
    if (add == 0) c.setZero();
    return;
  }
  if (b_transposed) {
    const kernel::GemmArgs args{a.data(), a.outerStride(), a.rows(), a.cols(), b.data(), 0,
                                b.outerStride(), kernel::BLayout::rows, c.data(), c.outerStride(),
                                n, add, alpha};
    active_kernel(&args);
    return;
  }
  // A strip of up to 4 panels (64 columns) at a time, copied into a buffer that stays in cache
  // while every row of a meets it: b is read once, and nothing the size of b is written
  // (PackedPanels would write all of it, then read it back). Reading the panels from b itself
  // instead was slower from 16 rows of a up (b's rows are a multiple of 1 KB apart, so a panel's
  // rows share few cache sets); strips as wide as fit 192 KB read b in longer runs.
  constexpr Index strip_bytes = 192 * 1024;
  const Index strip_panels =
      std::clamp<Index>(strip_bytes / (b.rows() * panel_width * Index{sizeof(float)}), 1, 4);
  const Index strip_width = strip_panels * panel_width;
  PackedPanels own;
  PackedPanels& strip = buffer != nullptr ? *buffer : own;
  for (Index first_col = 0; first_col < n; first_col += strip_width) {
    const Index cols = std::min(strip_width, n - first_col);
    strip.pack(b.middleCols(first_col, cols), false);
    gemm(a, strip, 0, 0, cols, accumulate, c.middleCols(first_col, cols), alpha);
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
