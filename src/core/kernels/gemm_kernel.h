// The register-blocked product behind gemm.h, freestanding: no standard library, no Eigen, no
// allocation, only simd.h. It is compiled twice in the wasm build:
//   - into the module itself (gemm.cpp), on simd.h's SIMD128 multiply-then-add: the path every
//     engine with WebAssembly SIMD runs (Safari, older engines), and the native build's path;
//   - into a small second module (src/wasm/relaxed_kernels.cpp, Debian's clang-16 with
//     -mrelaxed-simd), whose multiply_add is relaxed SIMD's fused f32x4.relaxed_madd; it shares the
//     module's memory and is called through the module's function table (src/wasm/kernel_paths.js).
// The two paths run the same loops; they differ only in whether a * b + c is rounded once or twice.
//
//   c (rows, cols) = beta c + alpha a (rows, depth) op(b)[.., first_col .. first_col + cols - 1]
// where op(b) is packed in panels of 16 columns (PackedPanels, gemm.h), panel_stride floats apart.
#pragma once

#include "base/simd.h"

namespace spotlight::kernel {

// ptrdiff_t without <cstddef> (the relaxed build has no C library headers)
using Size = decltype(static_cast<char*>(nullptr) - static_cast<char*>(nullptr));

constexpr Size panel_width = 16;

// Everything one product needs, passed by address so that the second module's entry point has a
// single i32 parameter: (const GemmArgs*) -> void in either module.
struct GemmArgs {
  const float* a;
  Size a_stride;
  Size rows;
  Size depth;
  const float* panels;  // the first panel's row 0 (already offset to the first depth row wanted)
  Size panel_stride;    // floats from one panel to the next
  float* c;
  Size c_stride;
  Size cols;
  int accumulate;  // 0: c = alpha a op(b); 1: c += alpha a op(b)
  float alpha;
};
// Both compilers must agree on this layout (clang 14 in Emscripten, clang-16 for the second module).
static_assert(sizeof(void*) != 4 || sizeof(GemmArgs) == 44, "GemmArgs: 11 four-byte fields on wasm32");

// out[0 .. lanes - 1] (+)= x's first lanes (1 to 3). Lane by lane rather than through a buffer, so
// that the kernel touches no stack memory: the relaxed module has none of its own (it shares only
// the module's heap).
inline void store_lanes(float* out, simd::Float4 x, Size lanes, int accumulate) {
  const float x0 = simd::lane<0>(x), x1 = simd::lane<1>(x), x2 = simd::lane<2>(x);
  out[0] = accumulate ? out[0] + x0 : x0;
  if (lanes > 1) out[1] = accumulate ? out[1] + x1 : x1;
  if (lanes > 2) out[2] = accumulate ? out[2] + x2 : x2;
}

// c block (Rows, cols <= 4 Vectors) (+)= alpha * a (Rows, depth) * panel columns
// [panel_offset, panel_offset + 4 Vectors); a's rows are a_stride floats apart, the panel's rows
// panel_width floats apart.
template <int Rows, int Vectors>
inline void micro_kernel(const float* a, Size a_stride, const float* panel, Size depth, float* c,
                         Size c_stride, Size cols, int accumulate, float alpha) {
  using simd::Float4;
  Float4 sum[Rows][Vectors];
  for (int r = 0; r < Rows; ++r) {
    for (int v = 0; v < Vectors; ++v) sum[r][v] = simd::broadcast(0.0f);
  }
  for (Size p = 0; p < depth; ++p) {
    Float4 b[Vectors];
    for (int v = 0; v < Vectors; ++v) b[v] = simd::load(panel + p * panel_width + 4 * v);
    for (int r = 0; r < Rows; ++r) {
      const Float4 a_rp = simd::broadcast(a[r * a_stride + p]);
      for (int v = 0; v < Vectors; ++v) sum[r][v] = simd::multiply_add(a_rp, b[v], sum[r][v]);
    }
  }

  // Epilogue straight into c; at the ragged edge lane by lane (no buffer: see store_lanes).
  const Float4 alpha4 = simd::broadcast(alpha);
  for (int r = 0; r < Rows; ++r) {
    float* c_row = c + r * c_stride;
    for (int v = 0; v < Vectors; ++v) {
      Float4 value = simd::multiply(alpha4, sum[r][v]);
      const Size lanes = cols - 4 * v;
      if (lanes >= 4) {
        if (accumulate) value = simd::add(value, simd::load(c_row + 4 * v));
        simd::store(c_row + 4 * v, value);
      } else if (lanes > 0) {
        store_lanes(c_row + 4 * v, value, lanes, accumulate);
      }
    }
  }
}

// The whole product: every panel against every block of Rows rows of a (the last block with fewer).
template <int Rows, int Vectors>
inline void gemm_packed(const GemmArgs& g) {
  static_assert(panel_width % (4 * Vectors) == 0, "a block's columns tile a panel");
  constexpr Size block_cols = 4 * Vectors;
  for (Size col = 0; col < g.cols; col += block_cols) {
    const float* panel = g.panels + (col / panel_width) * g.panel_stride + col % panel_width;
    const Size cols = g.cols - col < block_cols ? g.cols - col : block_cols;
    Size row = 0;
    for (; row + Rows <= g.rows; row += Rows) {
      micro_kernel<Rows, Vectors>(g.a + row * g.a_stride, g.a_stride, panel, g.depth,
                                  g.c + row * g.c_stride + col, g.c_stride, cols, g.accumulate,
                                  g.alpha);
    }
    for (; row < g.rows; ++row) {
      micro_kernel<1, Vectors>(g.a + row * g.a_stride, g.a_stride, panel, g.depth,
                               g.c + row * g.c_stride + col, g.c_stride, cols, g.accumulate, g.alpha);
    }
  }
}

}  // namespace spotlight::kernel
