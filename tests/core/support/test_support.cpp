#include "test_support.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/random.h"

namespace test_support {

spotlight::Matrix random_matrix(spotlight::Index rows, spotlight::Index cols, std::uint64_t seed,
                                float limit) {
  spotlight::SplitMix64 rng(seed);
  spotlight::Matrix m(rows, cols);
  for (spotlight::Index i = 0; i < rows; ++i) {
    for (spotlight::Index j = 0; j < cols; ++j) m(i, j) = rng.uniform_symmetric(limit);
  }
  return m;
}

void require_close(const spotlight::MatrixView& actual, const reference::Dense& expected,
                   double relative, double margin) {
  REQUIRE(actual.rows() == expected.rows());
  REQUIRE(actual.cols() == expected.cols());
  for (spotlight::Index row = 0; row < actual.rows(); ++row) {
    for (spotlight::Index col = 0; col < actual.cols(); ++col) {
      const double want = expected(row, col);
      const double got = actual(row, col);
      if (!(std::abs(got - want) <= margin + relative * std::abs(want))) {
        CAPTURE(row, col, got, want, relative, margin);
        FAIL("matrices differ at (row, col)");
      }
    }
  }
}

Fixture load_fixture(const std::string& file_name) {
  return load_fixture_file(std::string(SPOTLIGHT_GOLDEN_DIR) + "/" + file_name);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Fixture load_fixture_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  Fixture fixture;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream header(line);
    std::string name;
    Eigen::Index rows = 0, cols = 0;
    if (!(header >> name >> rows >> cols)) throw std::runtime_error("bad header in " + path);
    reference::Dense values(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < cols; ++j) {
        if (!(in >> values(i, j))) throw std::runtime_error("short tensor " + name + " in " + path);
      }
    }
    fixture[name] = values;
    std::getline(in, line);  // rest of the last value line
  }
  return fixture;
}

}  // namespace test_support
