// Golden values from an independent implementation: PyTorch, computing in float64
// (tests/golden/make_fixtures.py). Our float32 results must match to float32 accuracy.
#include <catch2/catch.hpp>
#include <cmath>

#include "attention/attention.h"
#include "attention/multi_head.h"
#include "test_support.h"

using spotlight::AttentionOptions;
using spotlight::Matrix;
using spotlight::Projection;
using test_support::require_close;

namespace {

constexpr double relative = 1e-4;
constexpr double margin = 1e-5;

Matrix as_float(const reference::Dense& values) { return values.cast<float>(); }

spotlight::KeyPaddingMask as_mask(const reference::Dense& values) {
  spotlight::KeyPaddingMask mask;
  for (Eigen::Index j = 0; j < values.size(); ++j) mask.push_back(values(j) != 0.0 ? 1 : 0);
  return mask;
}

void check_both_paths(const Matrix& q, const Matrix& k, const Matrix& v, const AttentionOptions& options,
                      bool scaled, const test_support::Fixture& golden, const std::string& name) {
  CAPTURE(name);
  const auto run = scaled ? spotlight::scaled_dot_product_attention
                          : spotlight::dot_product_attention;
  const auto full = run(q, k, v, options, true);
  require_close(full.weights, golden.at(name + "_weights"), relative, margin);
  require_close(full.output, golden.at(name + "_output"), relative, margin);
  require_close(run(q, k, v, options, false).output, golden.at(name + "_output"), relative, margin);
}

spotlight::SimpleAttention torch_layer(const test_support::Fixture& golden) {
  spotlight::SimpleAttention attention(16, 4, 0);
  const std::pair<Projection, const char*> names[] = {
      {Projection::query, "q"}, {Projection::key, "k"}, {Projection::value, "v"},
      {Projection::output, "o"}};
  for (const auto& [projection, suffix] : names) {
    const Matrix weight = as_float(golden.at(std::string("w_") + suffix));
    const Matrix bias = as_float(golden.at(std::string("b_") + suffix));
    attention.set_weight(projection, weight.data(), std::size_t(weight.size()));
    attention.set_bias(projection, bias.data(), std::size_t(bias.size()));
  }
  return attention;
}

void check_layer(const spotlight::ForwardResult& result, const test_support::Fixture& golden,
                 const std::string& name) {
  CAPTURE(name);
  require_close(result.output, golden.at(name + "_output"), relative, margin);
  require_close(result.weights, golden.at(name + "_weights"), relative, margin);
}

}  // namespace

TEST_CASE("golden: softmax attention equals PyTorch, scaled and unscaled", "[golden]") {
  const auto golden = test_support::load_fixture("pytorch_attention.txt");
  const Matrix q = as_float(golden.at("q")), k = as_float(golden.at("k")), v = as_float(golden.at("v"));
  check_both_paths(q, k, v, {}, true, golden, "scaled");
  check_both_paths(q, k, v, {}, false, golden, "unscaled");
}

TEST_CASE("golden: causal attention equals PyTorch, square and cross (top-left aligned)",
          "[golden]") {
  const auto golden = test_support::load_fixture("pytorch_attention.txt");
  AttentionOptions options;
  options.causal = true;
  const Matrix x = as_float(golden.at("self_x"));
  check_both_paths(x, x, x, options, true, golden, "self_causal");
  const Matrix q = as_float(golden.at("q")), k = as_float(golden.at("k")), v = as_float(golden.at("v"));
  check_both_paths(q, k, v, options, true, golden, "causal");  // n_q = 5, n_k = 7
}

TEST_CASE("golden: key padding, scale override and temperature equal PyTorch", "[golden]") {
  const auto golden = test_support::load_fixture("pytorch_attention.txt");
  const Matrix q = as_float(golden.at("q")), k = as_float(golden.at("k")), v = as_float(golden.at("v"));
  AttentionOptions padded;
  padded.key_padding_mask = as_mask(golden.at("key_padding"));
  check_both_paths(q, k, v, padded, true, golden, "padded");
  AttentionOptions scaled;
  scaled.scale = 0.3f;
  scaled.temperature = 2.0f;
  check_both_paths(q, k, v, scaled, true, golden, "scale_0.3_temperature_2");
}

TEST_CASE("golden: SimpleAttention equals torch.nn.MultiheadAttention with the same weights",
          "[golden]") {
  const auto golden = test_support::load_fixture("pytorch_multi_head.txt");
  const auto attention = torch_layer(golden);
  const Matrix x = as_float(golden.at("x"));
  check_layer(attention.forward(x), golden, "self");
  require_close(attention.self_attention(x), golden.at("self_output"), relative, margin);
}

TEST_CASE("golden: causal and key-padded multi-head attention equal PyTorch", "[golden]") {
  const auto golden = test_support::load_fixture("pytorch_multi_head.txt");
  const auto attention = torch_layer(golden);
  const Matrix x = as_float(golden.at("x"));
  check_layer(attention.forward(x, true), golden, "causal");
  AttentionOptions options;
  options.causal = true;
  options.key_padding_mask = as_mask(golden.at("key_padding"));
  check_layer(attention.forward(x, options), golden, "causal_padded");
  require_close(attention.forward(x, options, false).output, golden.at("causal_padded_output"),
                relative, margin);
}

TEST_CASE("golden: multi-head cross-attention equals PyTorch", "[golden]") {
  const auto golden = test_support::load_fixture("pytorch_multi_head.txt");
  const auto attention = torch_layer(golden);
  check_layer(attention.cross_attention(as_float(golden.at("x_q")), as_float(golden.at("x_kv"))),
              golden, "cross");
}
