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

// How op(b) lies in memory for one product:
//   panels  in panels of 16 columns, panel_stride floats from one panel to the next and
//           panel_row_stride floats from one depth row of a panel to the next: 16 when packed
//           (PackedPanels, gemm.h), or b's own row stride when b (depth, cols) is read in place
//           (its columns are already contiguous, 16 at a time)
//   rows    op(b) = b^T with b (cols, depth) read in place: column j of op(b) is row j of b,
//           panel_row_stride floats apart (the logits against the embedding, x W^T)
enum class BLayout : int { panels = 0, rows = 1 };

// Everything one product needs, passed by address so that the second module's entry point has a
// single i32 parameter: (const GemmArgs*) -> void in either module.
struct GemmArgs {
  const float* a;
  Size a_stride;
  Size rows;
  Size depth;
  const float* b;          // op(b)'s entry (first depth row wanted, first column)
  Size panel_stride;       // panels: floats from one panel to the next
  Size panel_row_stride;   // panels: floats between depth rows of a panel; rows: between rows of b
  BLayout b_layout;
  float* c;
  Size c_stride;
  Size cols;
  int accumulate;  // 0: c = alpha a op(b); 1: c += alpha a op(b)
  float alpha;
};
// Both compilers must agree on this layout (clang 14 in Emscripten, clang-16 for the second module).
static_assert(sizeof(BLayout) == 4 && (sizeof(void*) != 4 || sizeof(GemmArgs) == 52), "GemmArgs: 13 four-byte fields on wasm32");

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
// panel_row_stride floats apart.
template <int Rows, int Vectors>
inline void micro_kernel(const float* a, Size a_stride, const float* panel, Size panel_row_stride,
                         Size depth, float* c, Size c_stride, Size cols, int accumulate,
                         float alpha) {
  using simd::Float4;
  Float4 sum[Rows][Vectors];
  for (int r = 0; r < Rows; ++r) {
    for (int v = 0; v < Vectors; ++v) sum[r][v] = simd::broadcast(0.0f);
  }
  for (Size p = 0; p < depth; ++p) {
    Float4 b[Vectors];
    for (int v = 0; v < Vectors; ++v) b[v] = simd::load(panel + p * panel_row_stride + 4 * v);
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

// The whole product on panels: every panel against every block of Rows rows of a (the last block
// with fewer).
template <int Rows, int Vectors>
inline void gemm_panels(const GemmArgs& g) {
  static_assert(panel_width % (4 * Vectors) == 0, "a block's columns tile a panel");
  constexpr Size block_cols = 4 * Vectors;
  for (Size col = 0; col < g.cols; col += block_cols) {
    const float* panel = g.b + (col / panel_width) * g.panel_stride + col % panel_width;
    const Size cols = g.cols - col < block_cols ? g.cols - col : block_cols;
    Size row = 0;
    for (; row + Rows <= g.rows; row += Rows) {
      micro_kernel<Rows, Vectors>(g.a + row * g.a_stride, g.a_stride, panel, g.panel_row_stride,
                                  g.depth, g.c + row * g.c_stride + col, g.c_stride, cols,
                                  g.accumulate, g.alpha);
    }
    for (; row < g.rows; ++row) {
      micro_kernel<1, Vectors>(g.a + row * g.a_stride, g.a_stride, panel, g.panel_row_stride,
                               g.depth, g.c + row * g.c_stride + col, g.c_stride, cols,
                               g.accumulate, g.alpha);
    }
  }
}

// The sum of x's four lanes, pairwise.
inline float lane_sum(simd::Float4 x) {
  return (simd::lane<0>(x) + simd::lane<1>(x)) + (simd::lane<2>(x) + simd::lane<3>(x));
}

// c block (Rows, Cols) (+)= alpha * a (Rows, depth) * b (Cols, depth)^T: Rows x Cols dot products
// over depth, four lanes at a time (the last depth % 4 terms one by one), each a vector of partial
// sums until the end.
template <int Rows, int Cols>
inline void dot_kernel(const float* a, Size a_stride, const float* b, Size b_stride, Size depth,
                       float* c, Size c_stride, int accumulate, float alpha) {
  using simd::Float4;
  Float4 sum[Rows][Cols];
  for (int r = 0; r < Rows; ++r) {
    for (int j = 0; j < Cols; ++j) sum[r][j] = simd::broadcast(0.0f);
  }
  const Size vector_depth = depth - depth % 4;
  for (Size p = 0; p < vector_depth; p += 4) {
    Float4 b_p[Cols];
    for (int j = 0; j < Cols; ++j) b_p[j] = simd::load(b + j * b_stride + p);
    for (int r = 0; r < Rows; ++r) {
      const Float4 a_rp = simd::load(a + r * a_stride + p);
      for (int j = 0; j < Cols; ++j) sum[r][j] = simd::multiply_add(a_rp, b_p[j], sum[r][j]);
    }
  }
  for (int r = 0; r < Rows; ++r) {
    float* c_row = c + r * c_stride;
    for (int j = 0; j < Cols; ++j) {
      float dot = lane_sum(sum[r][j]);
      for (Size p = vector_depth; p < depth; ++p) dot += a[r * a_stride + p] * b[j * b_stride + p];
      c_row[j] = accumulate ? c_row[j] + alpha * dot : alpha * dot;
    }
  }
}

// The whole product on rows of b: a_block rows of a at a time (kept in cache), against every block
// of Cols rows of b, each met by every pair of those rows of a while it sits in L1. b is read
// rows / a_block times from memory: once for the few rows of a forward over a short text.
template <int Rows, int Cols>
inline void gemm_rows(const GemmArgs& g) {
  constexpr Size a_block = 64;  // 64 rows of gpt2's 768: 192 KB, within L2
  for (Size first_row = 0; first_row < g.rows; first_row += a_block) {
    const Size end_row = g.rows - first_row < a_block ? g.rows : first_row + a_block;
    Size col = 0;
    for (; col < g.cols; col += Cols) {
      const bool full = g.cols - col >= Cols;
      const float* b = g.b + col * g.panel_row_stride;
      Size row = first_row;
      if (full) {
        for (; row + Rows <= end_row; row += Rows) {
          dot_kernel<Rows, Cols>(g.a + row * g.a_stride, g.a_stride, b, g.panel_row_stride, g.depth,
                                 g.c + row * g.c_stride + col, g.c_stride, g.accumulate, g.alpha);
        }
        for (; row < end_row; ++row) {
          dot_kernel<1, Cols>(g.a + row * g.a_stride, g.a_stride, b, g.panel_row_stride, g.depth,
                              g.c + row * g.c_stride + col, g.c_stride, g.accumulate, g.alpha);
        }
      } else {
        for (Size j = col; j < g.cols; ++j) {
          for (row = first_row; row < end_row; ++row) {
            dot_kernel<1, 1>(g.a + row * g.a_stride, g.a_stride, g.b + j * g.panel_row_stride,
                             g.panel_row_stride, g.depth, g.c + row * g.c_stride + j, g.c_stride,
                             g.accumulate, g.alpha);
          }
        }
      }
    }
  }
}

// One row of a against every row of b: each dot product in four independent sums of 16 floats at
// a time, so that b is read as one stream, row after row. The (1, 4) block read four rows of b at
// once, four streams; one token decoded against gpt2's embedding (154 MB) took 20% longer that way.
inline void gemm_one_row(const GemmArgs& g) {
  using simd::Float4;
  const Size wide_depth = g.depth - g.depth % 16;
  for (Size j = 0; j < g.cols; ++j) {
    const float* b = g.b + j * g.panel_row_stride;
    Float4 sum0 = simd::broadcast(0.0f), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    Size p = 0;
    for (; p < wide_depth; p += 16) {
      sum0 = simd::multiply_add(simd::load(g.a + p), simd::load(b + p), sum0);
      sum1 = simd::multiply_add(simd::load(g.a + p + 4), simd::load(b + p + 4), sum1);
      sum2 = simd::multiply_add(simd::load(g.a + p + 8), simd::load(b + p + 8), sum2);
      sum3 = simd::multiply_add(simd::load(g.a + p + 12), simd::load(b + p + 12), sum3);
    }
    for (; p + 4 <= g.depth; p += 4) sum0 = simd::multiply_add(simd::load(g.a + p), simd::load(b + p), sum0);
    float dot = lane_sum(simd::add(simd::add(sum0, sum1), simd::add(sum2, sum3)));
    for (; p < g.depth; ++p) dot += g.a[p] * b[p];
    g.c[j] = g.accumulate ? g.c[j] + g.alpha * dot : g.alpha * dot;
  }
}

// The product, on whichever layout the arguments name: the one entry point of either module.
// (Rows, Vectors) is the block of gemm_panels; the rows layout runs (2, 4) dot products, the same
// 8 accumulators with 6 loads per 8 multiply-adds (and one row of a, gemm_one_row). Measured on
// gpt2's logits (depth 768) at 16 and 64 rows, (4, 2) and (8, 1) blocks were slower than (2, 4).
template <int Rows, int Vectors>
inline void gemm(const GemmArgs& g) {
  if (g.b_layout == BLayout::rows) {
    if (g.rows == 1) {
      gemm_one_row(g);
    } else {
      gemm_rows<2, 4>(g);
    }
  } else {
    gemm_panels<Rows, Vectors>(g);
  }
}

}  // namespace spotlight::kernel
