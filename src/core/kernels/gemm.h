// Matrix products for the attention kernels and the projections, on a register-blocked SIMD
// micro-kernel (simd.h), so the wasm build does not fall back to Eigen's scalar products.
//
//   c = beta * c + alpha * a op(b),   a (m, k), op(b) (k, n), c (m, n), beta 0 or 1
//   op(b) = b (k, n), or b^T when b_transposed (b is then (n, k), as keys are for q k^T)
//
// Scheme: op(b) is packed into panels of 16 columns, each a contiguous (k, 16) block zero-padded
// past n; each panel then meets every pair of rows of a in a micro-kernel that keeps the (2, 16)
// block of c in 8 vector registers through the whole k loop: per step, 4 loads of the panel, 2
// broadcasts of a, 8 multiply-adds. (The block size was measured: gemm.cpp.)
//
// The attention kernels pack a head's keys and values once (PackedPanels) and multiply every tile of
// queries against slices of them, instead of packing the same keys again for each tile.
#pragma once

#include <vector>

#include "base/matrix.h"
#include "kernels/gemm_kernel.h"

namespace spotlight {

// The kernel every gemm() below runs (gemm_kernel.h): the one compiled into this build, unless the
// wasm bindings installed the relaxed-SIMD module's (src/wasm/kernel_paths.js). nullptr restores the
// built-in one; name is what gemm_kernel_name() reports ("wasm-relaxed-simd", say).
using GemmKernel = void (*)(const kernel::GemmArgs*);
void set_gemm_kernel(GemmKernel kernel, const char* name);
const char* gemm_kernel_name();
// The built-in kernel, whichever is installed (for tests that compare the two).
void gemm_built_in(const kernel::GemmArgs& args);

enum class Accumulate { no, yes };  // beta = 0 (c is overwritten) or beta = 1

// Panels of panel_width columns: panel j holds columns 16 j .. 16 j + 15 of a (depth, cols) matrix
// as a contiguous (depth, 16) block, zeros past cols. PanelsView reads them wherever they are
// stored (PackedPanels' buffer, or a model's weights kept in this layout: language_model.h).
struct PanelsView {
  static constexpr Index panel_width = 16;
  const float* values = nullptr;
  Index depth = 0;
  Index cols = 0;

  // Floats the panels of a (depth, cols) matrix take: depth * cols rounded up to whole panels.
  static Index size(Index depth, Index cols) {
    return (cols + panel_width - 1) / panel_width * panel_width * depth;
  }
  // Row p of panel j: panel_width floats.
  const float* panel_row(Index panel, Index p) const {
    return values + (panel * depth + p) * panel_width;
  }
};

// Writes op(b) (depth, cols) as panels into out, which holds PanelsView::size(depth, cols) floats.
void pack_panels(const MatrixView& b, bool b_transposed, float* out);
// The (depth, cols) matrix that panels hold, row-major into out (depth * cols floats).
void unpack_panels(const PanelsView& panels, float* out);

// op(b) packed into panels (PanelsView), in a buffer of its own that pack() reuses.
class PackedPanels {
 public:
  static constexpr Index panel_width = PanelsView::panel_width;

  PackedPanels() = default;
  PackedPanels(const MatrixView& b, bool b_transposed) { pack(b, b_transposed); }

  // Packs op(b), reusing this object's buffer.
  void pack(const MatrixView& b, bool b_transposed);

  Index depth() const { return depth_; }
  Index cols() const { return cols_; }
  PanelsView view() const { return {values_.data(), depth_, cols_}; }
  // Row p of panel j: panel_width floats.
  const float* panel_row(Index panel, Index p) const { return view().panel_row(panel, p); }

 private:
  std::vector<float> values_;
  Index depth_ = 0;
  Index cols_ = 0;
};

// c (m, cols) = beta c + alpha a op(b)[first_depth .. first_depth + k - 1, first_col .. first_col + cols - 1]
// where a is (m, k) and first_col is a multiple of panel_width: a product against a slice of the
// packed matrix (a tile of keys, say). c must already be (m, cols).
void gemm(const MatrixView& a, const PanelsView& b, Index first_depth, Index first_col,
          Index cols, Accumulate accumulate, MatrixRef c, float alpha = 1.0f);
inline void gemm(const MatrixView& a, const PackedPanels& b, Index first_depth, Index first_col,
                 Index cols, Accumulate accumulate, MatrixRef c, float alpha = 1.0f) {
  gemm(a, b.view(), first_depth, first_col, cols, accumulate, c, alpha);
}

// c (m, n) = beta c + alpha a op(b) without packing all of op(b), for few rows of a against a
// large b (a weight matrix, the embedding), where packing would write all of b once more and
// read it back: b (k, n) one panel of 16 columns at a time, each packed into `buffer` (reused
// between calls; nullptr: a buffer of its own) and met by every row of a while it is in cache
// (the same sums as gemm() on PackedPanels, bit for bit); b^T as dot products of a's rows with
// b's rows where they lie (the same values up to the order of the sums). c must already be (m, n).
void gemm_in_place(const MatrixView& a, const MatrixView& b, bool b_transposed,
                   Accumulate accumulate, MatrixRef c, float alpha = 1.0f,
                   PackedPanels* buffer = nullptr);

// c (m, n) = beta c + alpha a op(b); with Accumulate::no, c is resized to (m, n).
void gemm(const MatrixView& a, const MatrixView& b, bool b_transposed, Accumulate accumulate,
          Matrix& c, float alpha = 1.0f);

// alpha * a op(b) as a new matrix.
Matrix multiply(const MatrixView& a, const MatrixView& b, bool b_transposed = false,
                float alpha = 1.0f);

}  // namespace spotlight
