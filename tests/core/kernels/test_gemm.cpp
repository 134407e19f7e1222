// The SIMD matrix product against the obvious triple loop, over shapes that hit every edge of the
// (2, 16) blocking, with and without a transposed right side, accumulation and strided views.
#include <catch2/catch.hpp>

#include <string>

#include "base/simd.h"
#include "kernels/gemm.h"
#include "kernels/gemv.h"
#include "test_support.h"

using spotlight::Accumulate;
using spotlight::Index;
using spotlight::Matrix;
using test_support::random_matrix;

namespace {

reference::Dense naive_product(const Matrix& a, const Matrix& b, bool b_transposed) {
  const Index n = b_transposed ? b.rows() : b.cols();
  reference::Dense c = reference::Dense::Zero(a.rows(), n);
  for (Index i = 0; i < a.rows(); ++i) {
    for (Index j = 0; j < n; ++j) {
      for (Index p = 0; p < a.cols(); ++p) {
        c(i, j) += double(a(i, p)) * double(b_transposed ? b(j, p) : b(p, j));
      }
    }
  }
  return c;
}

}  // namespace

TEST_CASE("gemm: equals the naive product at every edge of the blocking", "[gemm]") {
  CAPTURE(spotlight::simd::name);
  const Index m = GENERATE(1, 2, 3, 5, 9, 33);
  const Index n = GENERATE(1, 7, 15, 16, 17, 33, 64);
  const Index k = GENERATE(1, 2, 5, 64, 100);
  const bool transposed = GENERATE(false, true);
  CAPTURE(m, n, k, transposed);
  const Matrix a = random_matrix(m, k, 1);
  const Matrix b = transposed ? random_matrix(n, k, 2) : random_matrix(k, n, 2);
  // Float sums of k products of numbers in [-1, 1): error grows like sqrt(k) * 6e-8.
  test_support::require_close(spotlight::multiply(a, b, transposed), naive_product(a, b, transposed),
                              1e-5, 2e-6 * double(k));
}

TEST_CASE("gemm: accumulates into c, and reads strided views such as one head's columns",
          "[gemm]") {
  const Matrix q = random_matrix(13, 24, 3), k = random_matrix(11, 24, 4);
  // Head 1 of 3: columns 8..15, a view whose rows are 24 floats apart.
  const Matrix q_head = q.middleCols(8, 8), k_head = k.middleCols(8, 8);
  const reference::Dense expected = naive_product(q_head, k_head, true);
  test_support::require_close(spotlight::multiply(q.middleCols(8, 8), k.middleCols(8, 8), true),
                              expected, 1e-5, 1e-5);
  Matrix c = Matrix::Constant(13, 11, 2.0f);
  spotlight::gemm(q.middleCols(8, 8), k.middleCols(8, 8), true, Accumulate::yes, c);
  test_support::require_close(c, (expected.array() + 2.0).matrix(), 1e-5, 1e-5);
  // alpha scales the product, not what was accumulated: 2 + 0.5 * q k^T, full and partial panels
  const Matrix wide_k = random_matrix(37, 24, 5);
  Matrix scaled = Matrix::Constant(13, 37, 2.0f);
  spotlight::gemm(q, wide_k, true, Accumulate::yes, scaled, 0.5f);
  test_support::require_close(scaled, (0.5 * naive_product(q, wide_k, true).array() + 2.0).matrix(), 1e-5, 1e-5);
}

TEST_CASE("gemm_in_place: equals the naive product at every edge of its strips and dot products",
          "[gemm]") {
  CAPTURE(spotlight::simd::name);
  const Index m = GENERATE(1, 2, 3, 5, 65, 130);  // past the 64 rows the dot products take at once
  const Index n = GENERATE(1, 3, 4, 5, 16, 17, 64, 65, 200);  // strips of up to 4 panels, ragged
  const Index k = GENERATE(1, 3, 4, 7, 100);  // dot products four at a time, and the rest
  const bool transposed = GENERATE(false, true);
  CAPTURE(m, n, k, transposed);
  const Matrix a = random_matrix(m, k, 1);
  const Matrix b = transposed ? random_matrix(n, k, 2) : random_matrix(k, n, 2);
  const reference::Dense expected = naive_product(a, b, transposed);
  Matrix c(m, n);
  spotlight::gemm_in_place(a, b, transposed, Accumulate::no, c);
  test_support::require_close(c, expected, 1e-5, 2e-6 * double(k));
  // alpha scales the product, not what is already in c (a strided view of a wider matrix)
  Matrix wide = Matrix::Constant(m, n + 3, 2.0f);
  spotlight::gemm_in_place(a, b, transposed, Accumulate::yes, wide.middleCols(1, n), 0.5f);
  test_support::require_close(wide.middleCols(1, n), (0.5 * expected.array() + 2.0).matrix(), 1e-5,
                              2e-6 * double(k));
  REQUIRE(wide.col(0).isConstant(2.0f));
  REQUIRE(wide.col(n + 1).isConstant(2.0f));
  REQUIRE(wide.col(n + 2).isConstant(2.0f));
  if (!transposed) {  // the same sums as the packed product, bit for bit
    Matrix packed;
    spotlight::gemm(a, b, false, Accumulate::no, packed);
    REQUIRE(packed == c);
  }
}

TEST_CASE("gemm: empty and zero-width inputs give an empty or zero product", "[gemm]") {
  const Matrix a(0, 5), b = random_matrix(5, 3, 1);
  REQUIRE(spotlight::multiply(a, b).rows() == 0);
  const Matrix wide(3, 0), tall(0, 4);
  const Matrix zero = spotlight::multiply(wide, tall);
  REQUIRE(zero.rows() == 3);
  REQUIRE(zero.cols() == 4);
  REQUIRE(zero.isZero(0.0f));
  // Zero depth with b transposed: b is (4, 0), whose data() is null; packing offset that pointer
  // (fuzz_core's finding, tests/fuzz/corpus/core/regressions/zero-depth-transposed-pack). And in
  // place, both ways: zeros, or c untouched when accumulating.
  const Matrix no_columns(4, 0);
  const Matrix zero_t = spotlight::multiply(wide, no_columns, true);
  REQUIRE(zero_t.rows() == 3);
  REQUIRE(zero_t.cols() == 4);
  REQUIRE(zero_t.isZero(0.0f));
  for (const bool transposed : {false, true}) {
    CAPTURE(transposed);
    Matrix c = Matrix::Constant(3, 4, 7.0f);
    spotlight::gemm_in_place(wide, transposed ? no_columns : tall, transposed, Accumulate::yes, c);
    REQUIRE(c.isConstant(7.0f));
    spotlight::gemm_in_place(wide, transposed ? no_columns : tall, transposed, Accumulate::no, c);
    REQUIRE(c.isZero(0.0f));
  }
}

TEST_CASE("gemv: one row times b, b^T or b's panels equals the naive product", "[gemm]") {
  const Index n = GENERATE(1, 4, 15, 16, 17, 48, 67);
  const Index k = GENERATE(1, 3, 4, 5, 100);
  const bool accumulate = GENERATE(false, true);
  CAPTURE(n, k, accumulate);
  const Matrix x = random_matrix(1, k, 1), b = random_matrix(k, n, 2);
  const Matrix b_t = b.transpose();
  const reference::Dense expected =
      (0.5 * naive_product(x, b, false).array() + (accumulate ? 2.0 : 0.0)).matrix();
  const auto run = [&](auto product) {
    Matrix y = Matrix::Constant(1, n, 2.0f);
    product(y.data());
    return y;
  };
  const Matrix by_rows = run([&](float* y) { spotlight::row_times_matrix(x.data(), b, 0.5f, accumulate, y); });
  test_support::require_close(by_rows, expected, 1e-5, 2e-6 * double(k));
  test_support::require_close(
      run([&](float* y) { spotlight::row_times_transposed_matrix(x.data(), b_t, 0.5f, accumulate, y); }),
      expected, 1e-5, 2e-6 * double(k));
  const spotlight::PackedPanels panels(b, false);
  const Matrix by_panels = run([&](float* y) { spotlight::row_times_panels(x.data(), panels.view(), 0.5f, accumulate, y); });
  test_support::require_close(by_panels, expected, 1e-5, 2e-6 * double(k));
  // The same sums in the same order as row_times_matrix, where it works in whole vectors.
  if (n % 4 == 0) REQUIRE(by_panels == by_rows);
}

TEST_CASE("panels: written into given storage and read back as the matrix they hold", "[gemm]") {
  const Index depth = GENERATE(0, 1, 7);
  const Index cols = GENERATE(1, 16, 17, 40);
  const bool transposed = GENERATE(false, true);
  CAPTURE(depth, cols, transposed);
  const Matrix op_b = random_matrix(depth, cols, 3);
  const Matrix b = transposed ? Matrix(op_b.transpose()) : op_b;
  REQUIRE(spotlight::PanelsView::size(depth, cols) == depth * ((cols + 15) / 16) * 16);
  std::vector<float> storage(static_cast<std::size_t>(spotlight::PanelsView::size(depth, cols)), 9.0f);
  spotlight::pack_panels(b, transposed, storage.data());
  const spotlight::PackedPanels packed(b, transposed);
  for (Index p = 0; p < depth; ++p) {  // the layout PackedPanels has, zeros past cols
    for (Index j = 0; j < (cols + 15) / 16 * 16; ++j) {
      const float stored = storage[static_cast<std::size_t>(((j / 16) * depth + p) * 16 + j % 16)];
      REQUIRE(stored == packed.panel_row(j / 16, p)[j % 16]);
      REQUIRE(stored == (j < cols ? op_b(p, j) : 0.0f));
    }
  }
  Matrix unpacked = Matrix::Constant(depth, cols, 9.0f);
  spotlight::unpack_panels(spotlight::PanelsView{storage.data(), depth, cols}, unpacked.data());
  REQUIRE(unpacked == op_b);
}

TEST_CASE("gemm: a slice of packed panels (a tile of keys, a range of values) equals that block's product",
          "[gemm]") {
  const bool transposed = GENERATE(false, true);
  const Index first_col = GENERATE(0, 16, 32);
  const Index cols = GENERATE(1, 15, 16, 17, 21);
  const Index first_depth = GENERATE(0, 3);
  CAPTURE(transposed, first_col, cols, first_depth);
  const Index depth = 40, n = 53, k = 29;  // op(b) is (40, 53); the product uses depth rows 3..31
  const Matrix b = transposed ? random_matrix(n, depth, 6) : random_matrix(depth, n, 6);
  const spotlight::PackedPanels packed(b, transposed);
  REQUIRE(packed.depth() == depth);
  REQUIRE(packed.cols() == n);
  const Matrix a = random_matrix(7, k, 7);
  const Matrix op_b = transposed ? Matrix(b.transpose()) : b;
  const Matrix block = op_b.block(first_depth, first_col, k, cols);
  const reference::Dense expected = naive_product(a, block, false);

  // Written into a view with a wider row stride, with alpha, then accumulated on top.
  Matrix storage = Matrix::Constant(7, 64, 9.0f);
  auto c = storage.leftCols(cols);
  spotlight::gemm(a, packed, first_depth, first_col, cols, Accumulate::no, c, 0.5f);
  test_support::require_close(c, 0.5 * expected, 1e-5, 1e-5);
  spotlight::gemm(a, packed, first_depth, first_col, cols, Accumulate::yes, c);
  test_support::require_close(c, 1.5 * expected, 1e-5, 1e-5);
  REQUIRE((storage.rightCols(64 - cols).array() == 9.0f).all());  // nothing written past the view
}

namespace {

int kernel_calls = 0;

// A stand-in for the relaxed-SIMD module's kernel (src/wasm/kernel_paths.js installs that one):
// counts its calls and computes through the built-in kernel.
void counting_kernel(const spotlight::kernel::GemmArgs* args) {
  ++kernel_calls;
  spotlight::gemm_built_in(*args);
}

}  // namespace

TEST_CASE("gemm: runs the installed kernel, reports its name, and nullptr restores the built-in one",
          "[gemm]") {
  const Matrix a = random_matrix(5, 7, 3), b = random_matrix(7, 9, 4);
  const Matrix expected = spotlight::multiply(a, b);
  const std::string built_in = spotlight::gemm_kernel_name();
  CHECK(built_in == spotlight::simd::name);

  kernel_calls = 0;
  spotlight::set_gemm_kernel(&counting_kernel, "counting");
  const Matrix through_installed = spotlight::multiply(a, b);
  CHECK(std::string(spotlight::gemm_kernel_name()) == "counting");
  spotlight::set_gemm_kernel(nullptr, "ignored");
  CHECK(kernel_calls == 1);
  CHECK(through_installed == expected);

  CHECK(std::string(spotlight::gemm_kernel_name()) == built_in);
  const Matrix after = spotlight::multiply(a, b);
  CHECK(kernel_calls == 1);
  CHECK(after == expected);
}
