#include "fuzz_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace fuzz {

namespace {

constexpr double float_epsilon = std::numeric_limits<float>::epsilon();  // 2^-23
// Absolute slack for denormal inputs, whose products round to a few multiples of 1.4e-45.
constexpr double denormal_slack = 1e-40;

}  // namespace

std::string last_rejection;

void broken(const std::string& rule) {
  std::fprintf(stderr, "\nfuzz rule broken: %s\n", rule.c_str());
  __builtin_trap();
}

void check_file_rejection(const std::string& message, std::size_t longest, const char* what) {
  rule(message.size() <= longest, what, ": a rejection of ", message.size(),
       " bytes: ", message.substr(0, longest));
}

bool rejected_for_float_range(const std::string& message) {
  return message.find("beyond float's range") != std::string::npos ||
         message.find("overflows float") != std::string::npos;
}

bool visible(const AttentionOptions& options, Index query, Index key) {
  const auto& mask = options.key_padding_mask;
  if (!mask.empty() && mask[static_cast<std::size_t>(key)] != 0) return false;
  return !options.causal || key <= query;
}

bool all_finite(const MatrixView& values) {
  for (Index row = 0; row < values.rows(); ++row) {
    for (Index col = 0; col < values.cols(); ++col) {
      if (!std::isfinite(values(row, col))) return false;
    }
  }
  return true;
}

void check_weights(const MatrixView& weights, const AttentionOptions& options, const char* where) {
  // Each weight is exp(x) / sum with x rounded, so a row's sum is 1 up to n_k roundings.
  const double sum_tolerance = 4.0 * float_epsilon * static_cast<double>(weights.cols() + 4);
  for (Index query = 0; query < weights.rows(); ++query) {
    double sum = 0.0;
    bool any_visible = false;
    for (Index key = 0; key < weights.cols(); ++key) {
      const float weight = weights(query, key);
      rule(std::isfinite(weight) && weight >= 0.0f && weight <= 1.0f, where, ": weight (", query,
           ", ", key, ") is ", weight, ", not in [0, 1]");
      if (visible(options, query, key)) {
        any_visible = true;
      } else {
        rule(weight == 0.0f, where, ": masked weight (", query, ", ", key, ") is ", weight);
      }
      sum += weight;
    }
    if (any_visible) {
      rule(std::abs(sum - 1.0) <= sum_tolerance, where, ": row ", query, " sums to ", sum);
    } else {
      rule(sum == 0.0, where, ": row ", query, " has every key masked but sums to ", sum);
    }
  }
}

void check_output(const MatrixView& output, const MatrixView& v, const AttentionOptions& options,
                  const char* where) {
  rule(output.rows() > 0 && output.cols() == v.cols(), where, ": output is (", output.rows(), ", ",
       output.cols(), "), v has ", v.cols(), " columns");
  // Row j of lowest, highest, largest: the smallest, the largest and the largest |value| of each
  // column of v over the unmasked keys before j. A query sees a prefix of those keys (all of them
  // without the causal mask), so this keeps the check linear in n_k.
  const Index n_k = v.rows(), d_v = v.cols();
  constexpr double infinity = std::numeric_limits<double>::infinity();
  reference::Dense lowest = reference::Dense::Constant(n_k + 1, d_v, infinity);
  reference::Dense highest = reference::Dense::Constant(n_k + 1, d_v, -infinity);
  reference::Dense largest = reference::Dense::Zero(n_k + 1, d_v);
  for (Index key = 0; key < n_k; ++key) {
    const bool padded = !options.key_padding_mask.empty() &&
                        options.key_padding_mask[static_cast<std::size_t>(key)] != 0;
    for (Index col = 0; col < d_v; ++col) {
      const double value = padded ? 0.0 : static_cast<double>(v(key, col));
      lowest(key + 1, col) = padded ? lowest(key, col) : std::min(lowest(key, col), value);
      highest(key + 1, col) = padded ? highest(key, col) : std::max(highest(key, col), value);
      largest(key + 1, col) = std::max(largest(key, col), std::abs(value));
    }
  }
  for (Index query = 0; query < output.rows(); ++query) {
    const Index seen = options.causal ? std::min(query + 1, n_k) : n_k;
    for (Index col = 0; col < d_v; ++col) {
      const float value = output(query, col);
      rule(std::isfinite(value), where, ": output (", query, ", ", col, ") is ", value);
      if (lowest(seen, col) > highest(seen, col)) {
        rule(value == 0.0f, where, ": row ", query, " has every key masked but output ", value);
        continue;
      }
      const double slack =
          4.0 * float_epsilon * static_cast<double>(n_k + 4) * largest(seen, col) + denormal_slack;
      rule(value >= lowest(seen, col) - slack && value <= highest(seen, col) + slack, where,
           ": output (", query, ", ", col, ") = ", value, " lies outside the visible values of v [",
           lowest(seen, col), ", ", highest(seen, col), "]");
    }
  }
}

double logit_error(const MatrixView& q, const MatrixView& k, float logit_scale) {
  const double largest_logit = spotlight::max_row_norm(q) * spotlight::max_row_norm(k) *
                               std::abs(static_cast<double>(logit_scale));
  return static_cast<double>(q.cols() + 2) * float_epsilon * largest_logit;
}

double output_tolerance(double logit_error, const MatrixView& v) {
  // Weights off by 2 logit_error relative on each side, plus exp's rounding (its argument, up to
  // 87 in size, is rounded: 1e-5 relative) and the rounding of the sums over n_k keys.
  return (4.0 * logit_error + 2e-5 + 8.0 * float_epsilon * static_cast<double>(v.rows() + 4)) *
             spotlight::max_magnitude(v) +
         denormal_slack;
}

void check_close_to_reference(const MatrixView& actual, const reference::Dense& expected,
                              double tolerance, const char* what) {
  rule(actual.rows() == expected.rows() && actual.cols() == expected.cols(), what, ": shape (",
       actual.rows(), ", ", actual.cols(), ") against (", expected.rows(), ", ", expected.cols(),
       ")");
  for (Index row = 0; row < actual.rows(); ++row) {
    for (Index col = 0; col < actual.cols(); ++col) {
      const double difference =
          std::abs(static_cast<double>(actual(row, col)) - expected(row, col));
      rule(difference <= tolerance, what, ": (", row, ", ", col, ") is ", actual(row, col),
           " against ", expected(row, col), ", off by ", difference, " > tolerance ", tolerance);
    }
  }
}

void check_close(const MatrixView& actual, const MatrixView& expected, double tolerance,
                 const char* what) {
  check_close_to_reference(actual, reference::to_dense(expected), tolerance, what);
}

}  // namespace fuzz
