// libFuzzer target over the core's public entry points, built with AddressSanitizer and
// UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt): random shapes (n <= 64, d <= 128, so
// each input runs in milliseconds), options, and values from a palette of NaN, +-Inf, 1e38,
// denormals, signed zeros and raw bit patterns (fuzz_input.h), checked by the rules of
// fuzz_rules.h. The first byte picks the entry point:
//   0 attention          scaled_dot_product_attention / dot_product_attention, both paths, the
//                        kernels with other tile sizes, and the naive double reference
//   1 multi_head         multi_head_attention, head_weights
//   2 layer              SimpleAttention: constructor, set_weight, set_bias, set_head with a
//                        designed head, cross_attention / forward / self_attention, trace
//   3 softmax            softmax_rows, softmax_steps
//   4 embeddings         embed_tokens, token_embedding, positional_encoding
//   5 designed heads     designed_head, head_pattern_from_name
//   6 scaling study      scaling_study
//   7 gemm               gemm, multiply
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/spotlight.h"
#include "fuzz_input.h"
#include "fuzz_rules.h"
#include "reference.h"

namespace fuzz {

namespace {

using spotlight::AttentionResult;
using spotlight::ForwardResult;
using spotlight::SimpleAttention;

bool options_valid(const AttentionOptions& options, Index n_k) {
  return (!options.scale || std::isfinite(*options.scale)) && std::isfinite(options.temperature) &&
         options.temperature > 0.0f &&
         (options.key_padding_mask.empty() ||
          static_cast<Index>(options.key_padding_mask.size()) == n_k);
}

// A rejection of input that is well-shaped, finite and has valid options must be about float's
// range, never a stray message from deep inside (e.g. "q has a non-finite value" for a q the
// caller never passed).
void check_rejection_reason(bool input_valid, const char* entry_point) {
  rule(!input_valid || rejected_for_float_range(last_rejection), entry_point,
       " rejected valid input: ", last_rejection);
}

reference::Masks reference_masks(const AttentionOptions& options) {
  return {options.causal, options.key_padding_mask};
}

void fuzz_attention(ByteReader& in) {
  const Index n_q = in.size(64), n_k = in.size(64), d_k = in.size(128), d_v = in.size(128);
  const std::uint8_t fault = in.byte() % 8;  // 1: k one column wider than q, 2: v one row longer
  const AttentionCase attention_case = read_attention_case(in, n_k);
  const AttentionOptions& options = attention_case.options;
  const float q_magnitude = in.magnitude(), k_magnitude = in.magnitude(),
              v_magnitude = in.magnitude();
  const Matrix q = in.matrix(n_q, d_k, q_magnitude);
  const Matrix k = in.matrix(n_k, d_k + (fault == 1 ? 1 : 0), k_magnitude);
  const Matrix v = in.matrix(n_k + (fault == 2 ? 1 : 0), d_v, v_magnitude);

  const auto run = [&](bool return_weights) {
    return attention_case.unscaled
               ? spotlight::dot_product_attention(q, k, v, options, return_weights)
               : spotlight::scaled_dot_product_attention(q, k, v, options, return_weights);
  };
  AttentionResult full, tiled;
  const bool full_done = completes("attention (full)", [&] { full = run(true); });
  const std::string full_rejection = last_rejection;
  const bool tiled_done = completes("attention (tiled)", [&] { tiled = run(false); });
  rule(full_done == tiled_done, "the full path ", full_done ? "accepted" : "rejected",
       " what the tiled path ", tiled_done ? "accepted" : "rejected", ": ", last_rejection);
  if (!full_done) {
    rule(full_rejection == last_rejection,
         "the paths reject with different messages: ", full_rejection, " / ", last_rejection);
    const bool valid = n_q > 0 && n_k > 0 && d_k > 0 && d_v > 0 && fault == 0 &&
                       options_valid(options, n_k) && all_finite(q) && all_finite(k) &&
                       all_finite(v);
    check_rejection_reason(valid, "attention");
    return;
  }

  const float default_scale =
      attention_case.unscaled ? 1.0f : 1.0f / std::sqrt(static_cast<float>(d_k));
  const float logit_scale = spotlight::logit_scale(options, default_scale);
  check_weights(full.weights, options, "attention weights");
  check_output(full.output, v, options, "attention output (full)");
  check_output(tiled.output, v, options, "attention output (tiled)");

  const double error = logit_error(q, k, logit_scale);
  if (error > 1e-2) return;
  const double tolerance = output_tolerance(error, v);
  check_close(tiled.output, full.output, tolerance, "tiled against full output");
  reference::Dense expected_weights;
  const reference::Dense expected_output =
      reference::attention(reference::to_dense(q), reference::to_dense(k), reference::to_dense(v),
                           logit_scale, reference_masks(options), expected_weights);
  check_close_to_reference(full.weights, expected_weights, 4.0 * error + 2e-5,
                           "weights against the reference");
  check_close_to_reference(full.output, expected_output, tolerance, "output against the reference");

  // The kernels themselves, unvalidated, on input attention() needed no rescaling for.
  const bool in_range =
      spotlight::max_row_norm(q) * spotlight::max_row_norm(k) <= spotlight::float_range_limit &&
      spotlight::max_magnitude(v) * static_cast<double>(n_k) <= spotlight::float_range_limit;
  if (!attention_case.run_kernels || !in_range) return;
  const spotlight::MaskSpec masks{options.causal, options.key_padding_mask};
  Matrix weights(n_q, n_k), output(n_q, d_v), tiled_output(n_q, d_v);
  spotlight::full_attention(q, k, v, logit_scale, masks, weights, output);
  spotlight::tiled_attention(q, k, v, logit_scale, masks, tiled_output, attention_case.tiles);
  check_close(weights, full.weights, 4.0 * error + 2e-5, "full_attention against attention()");
  check_close(tiled_output, full.output, tolerance, "tiled_attention (fuzzed tiles) against full");
}

void fuzz_multi_head(ByteReader& in) {
  const Index n_q = in.size(64), n_k = in.size(64), d_model = in.size(128);
  const Index n_heads = static_cast<Index>(in.byte() % 20) - 1;
  const std::uint8_t fault = in.byte() % 8;  // 1: k one column wider, 2: v one row longer
  const AttentionCase attention_case = read_attention_case(in, n_k);
  const AttentionOptions& options = attention_case.options;
  const float q_magnitude = in.magnitude(), k_magnitude = in.magnitude(),
              v_magnitude = in.magnitude();
  const Matrix q = in.matrix(n_q, d_model, q_magnitude);
  const Matrix k = in.matrix(n_k, d_model + (fault == 1 ? 1 : 0), k_magnitude);
  const Matrix v = in.matrix(n_k + (fault == 2 ? 1 : 0), d_model, v_magnitude);

  ForwardResult full, tiled;
  const bool full_done = completes("multi_head_attention (full)", [&] {
    full = spotlight::multi_head_attention(q, k, v, n_heads, options, true);
  });
  const bool tiled_done = completes("multi_head_attention (tiled)", [&] {
    tiled = spotlight::multi_head_attention(q, k, v, n_heads, options, false);
  });
  rule(full_done == tiled_done, "multi_head_attention: the paths disagree on rejecting the input");
  if (!full_done) {
    const bool valid = n_q > 0 && n_k > 0 && d_model > 0 && n_heads > 0 && d_model % n_heads == 0 &&
                       fault == 0 && options_valid(options, n_k) && all_finite(q) &&
                       all_finite(k) && all_finite(v);
    check_rejection_reason(valid, "multi_head_attention");
    return;
  }

  rule(full.n_heads == n_heads && full.weights.rows() == n_heads * n_q &&
           full.weights.cols() == n_k && full.output.rows() == n_q && full.output.cols() == d_model,
       "multi_head_attention: result shapes");
  const Index d_head = d_model / n_heads;
  const float logit_scale =
      spotlight::logit_scale(options, 1.0f / std::sqrt(static_cast<float>(d_head)));
  for (Index head = 0; head < n_heads; ++head) {
    const Index first_col = head * d_head;
    const auto v_head = v.middleCols(first_col, d_head);
    check_weights(full.head_weights(head), options, "multi-head weights");
    check_output(full.output.middleCols(first_col, d_head), v_head, options, "multi-head output");
    const double error =
        logit_error(q.middleCols(first_col, d_head), k.middleCols(first_col, d_head), logit_scale);
    if (error <= 1e-2) {
      check_close(tiled.output.middleCols(first_col, d_head),
                  full.output.middleCols(first_col, d_head), output_tolerance(error, v_head),
                  "multi-head tiled against full output");
    }
  }
  for (const Index head : {Index{-1}, n_heads}) {
    bool out_of_range = false;
    try {
      full.head_weights(head);
    } catch (const std::out_of_range&) {
      out_of_range = true;
    }
    rule(out_of_range, "head_weights(", head, ") of ", n_heads,
         " heads did not throw out_of_range");
  }
}

// Replaces one projection's weight or bias with fuzzed values, sometimes of the wrong count.
void fuzz_set_parameter(ByteReader& in, SimpleAttention& layer, bool bias) {
  const auto which = static_cast<spotlight::Projection>(in.byte() % 4);
  const Index d_model = layer.embed_dim();
  const std::size_t expected = static_cast<std::size_t>(bias ? d_model : d_model * d_model);
  const std::size_t count = in.byte() % 8 == 7 ? expected + 1 : expected;
  const float magnitude = in.magnitude();
  std::vector<float> values(count);
  for (float& value : values) value = in.value(magnitude);
  const bool done = completes(bias ? "set_bias" : "set_weight", [&] {
    if (bias) {
      layer.set_bias(which, values.data(), values.size());
    } else {
      layer.set_weight(which, values.data(), values.size());
    }
  });
  const bool valid = count == expected && all_finite(Eigen::Map<const Matrix>(
                                              values.data(), 1, static_cast<Index>(count)));
  rule(done == valid, bias ? "set_bias" : "set_weight", done ? " accepted" : " rejected", " ",
       count, " values (expected ", expected, ")");
}

int read_window(ByteReader& in) {
  const std::uint8_t code = in.byte();
  return code < 128 ? code % 12 : static_cast<int>(in.word());
}

void fuzz_set_head(ByteReader& in, SimpleAttention& layer) {
  const Index head = static_cast<Index>(in.byte()) % (layer.num_heads() + 1);  // num_heads: none
  const auto pattern = static_cast<spotlight::HeadPattern>(in.byte() % 5);
  const int window = read_window(in);
  spotlight::HeadProjection projection;
  if (!completes("designed_head", [&] {
        projection = spotlight::designed_head(pattern, layer.embed_dim(), layer.head_dim(), window);
      })) {
    return;
  }
  const bool done = completes("set_head", [&] { layer.set_head(head, projection); });
  rule(done == (head < layer.num_heads()), "set_head(", head, ") of ", layer.num_heads(), " heads ",
       done ? "accepted" : "rejected");
}

// Every intermediate of the trace against its definition, and the trace against forward.
void check_trace(const spotlight::AttentionTrace& trace, const SimpleAttention& layer,
                 const ForwardResult& full, const ForwardResult& tiled,
                 const AttentionOptions& options) {
  double head_tolerance = 0.0;  // the largest difference allowed in one head's output
  bool comparable = true;
  for (Index head = 0; head < full.n_heads; ++head) {
    const spotlight::HeadTrace& step = trace.heads[static_cast<std::size_t>(head)];
    for (Index query = 0; query < step.raw_scores.rows(); ++query) {
      for (Index key = 0; key < step.raw_scores.cols(); ++key) {
        const float scaled = step.scaled_scores(query, key),
                    masked = step.masked_scores(query, key);
        rule(std::isfinite(step.raw_scores(query, key)) && std::isfinite(scaled), "trace: score (",
             query, ", ", key, ") is not finite");
        rule(visible(options, query, key) ? masked == scaled : std::isinf(masked) && masked < 0.0f,
             "trace: masked score (", query, ", ", key, ") is ", masked);
        const float exp_score = step.exp_scores(query, key);
        rule(exp_score >= 0.0f && exp_score <= 1.0f, "trace: exp score ", exp_score);
      }
      const float row_sum = step.row_sum(query);
      rule(row_sum == 0.0f || (row_sum >= 1.0f && std::isfinite(row_sum)), "trace: row sum ",
           row_sum);
    }
    check_weights(step.weights, options, "trace weights");
    check_output(step.output, step.v, options, "trace head output");
    const double error = logit_error(step.q, step.k, trace.scale);
    comparable = comparable && error <= 1e-2;
    if (error > 1e-2) continue;
    check_close(step.weights, full.head_weights(head), 4.0 * error + 2e-5,
                "trace weights against forward");
    head_tolerance = std::max(head_tolerance, output_tolerance(error, step.v));
  }
  rule(all_finite(trace.output), "trace: output is not finite");
  if (!comparable) return;
  // A head's output, off by head_tolerance in each of its columns, meets the columns of W_o; the
  // product itself rounds by d_model ulps of |concat_i| |W_o column| + |b_o|.
  const Matrix& w_o = layer.weight(spotlight::Projection::output);
  const double column_norm = spotlight::max_column_norm(w_o);
  const double d_model = static_cast<double>(layer.embed_dim());
  const double tolerance =
      std::sqrt(d_model) * head_tolerance * column_norm +
      2.0 * (d_model + 3.0) * std::numeric_limits<float>::epsilon() *
          (spotlight::max_row_norm(trace.concat) * column_norm +
           spotlight::max_magnitude(layer.bias(spotlight::Projection::output))) +
      1e-38;
  check_close(full.output, trace.output, tolerance, "forward output against the trace");
  check_close(tiled.output, trace.output, tolerance, "tiled forward output against the trace");
}

void fuzz_layer(ByteReader& in) {
  const Index embed_dim = in.size(128);
  const Index num_heads = static_cast<Index>(in.byte() % 20) - 1;
  const std::uint64_t seed = in.word();
  const std::uint8_t flags = in.byte();
  // bit 0 cross-attention, 1 set a weight, 2 set a bias, 3 set a designed head, 4 trace,
  // 5 x_q one column too wide
  const bool cross = (flags & 1) != 0;
  const Index n_q = in.size(64), n_k = cross ? in.size(64) : n_q;
  const AttentionCase attention_case = read_attention_case(in, n_k);
  const AttentionOptions& options = attention_case.options;

  std::optional<SimpleAttention> constructed;
  const bool built =
      completes("SimpleAttention", [&] { constructed.emplace(embed_dim, num_heads, seed); });
  rule(built == (embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0), "SimpleAttention(",
       embed_dim, ", ", num_heads, ") ", built ? "accepted" : "rejected");
  if (!built) return;
  SimpleAttention& layer = *constructed;
  if ((flags & 2) != 0) fuzz_set_parameter(in, layer, false);
  if ((flags & 4) != 0) fuzz_set_parameter(in, layer, true);
  if ((flags & 8) != 0) fuzz_set_head(in, layer);

  const Index x_q_cols = embed_dim + ((flags & 32) != 0 ? 1 : 0);
  const float q_magnitude = in.magnitude(), kv_magnitude = in.magnitude();
  const Matrix x_q = in.matrix(n_q, x_q_cols, q_magnitude);
  const Matrix x_kv = cross ? in.matrix(n_k, embed_dim, kv_magnitude) : x_q;

  ForwardResult full, tiled;
  const bool full_done = completes("cross_attention (full)",
                                   [&] { full = layer.cross_attention(x_q, x_kv, options, true); });
  const bool tiled_done = completes(
      "cross_attention (tiled)", [&] { tiled = layer.cross_attention(x_q, x_kv, options, false); });
  rule(full_done == tiled_done, "cross_attention: the paths disagree on rejecting the input");
  if (!full_done) {
    const bool valid = n_q > 0 && n_k > 0 && x_q_cols == embed_dim && options_valid(options, n_k) &&
                       all_finite(x_q) && all_finite(x_kv);
    check_rejection_reason(valid, "cross_attention");
    return;
  }
  rule(all_finite(full.output) && all_finite(tiled.output), "cross_attention: output not finite");
  for (Index head = 0; head < num_heads; ++head) {
    check_weights(full.head_weights(head), options, "layer weights");
  }
  if (!cross && options.causal == false && options.key_padding_mask.empty() && !options.scale &&
      options.temperature == 1.0f) {
    rule(layer.self_attention(x_q, false) == tiled.output, "self_attention differs from forward");
  }

  if ((flags & 16) == 0) return;
  spotlight::AttentionTrace trace;
  const bool traced = completes("trace", [&] { trace = layer.trace(x_q, x_kv, options); });
  if (!traced) {
    // The trace shows q k^T before the scale, so it may reject what forward rescales.
    rule(rejected_for_float_range(last_rejection),
         "trace rejected what forward accepted: ", last_rejection);
    return;
  }
  check_trace(trace, layer, full, tiled, options);
}

void fuzz_softmax(ByteReader& in) {
  const Index rows = in.size(64), cols = in.size(255);
  const float magnitude = in.magnitude();
  Matrix logits(rows, cols);
  for (Index row = 0; row < rows; ++row) {
    for (Index col = 0; col < cols; ++col) {
      const float value = in.value(magnitude);  // NaN and +-Inf stand for a masked logit
      logits(row, col) = std::isfinite(value) ? value : -std::numeric_limits<float>::infinity();
    }
  }
  Matrix weights = logits;
  spotlight::softmax_rows(weights);
  const spotlight::SoftmaxSteps steps = spotlight::softmax_steps(logits);
  rule(steps.weights == weights, "softmax_steps' weights differ from softmax_rows'");
  for (Index row = 0; row < rows; ++row) {
    double sum = 0.0;
    for (Index col = 0; col < cols; ++col) {
      const float weight = weights(row, col);
      rule(std::isfinite(weight) && weight >= 0.0f && weight <= 1.0f, "softmax weight ", weight);
      if (std::isinf(logits(row, col))) rule(weight == 0.0f, "masked logit gave weight ", weight);
      sum += weight;
    }
    const bool all_masked =
        cols == 0 || logits.row(row).maxCoeff() == -std::numeric_limits<float>::infinity();
    rule(all_masked ? sum == 0.0 : std::abs(sum - 1.0) <= 1e-6 * static_cast<double>(cols + 4),
         "softmax row ", row, " sums to ", sum);
    if (!all_masked) {
      rule(steps.row_max(row) == logits.row(row).maxCoeff() && steps.row_sum(row) >= 1.0f &&
               std::isfinite(steps.row_sum(row)),
           "softmax_steps: row max ", steps.row_max(row), ", row sum ", steps.row_sum(row));
    }
  }
}

void fuzz_embeddings(ByteReader& in) {
  const Index d_model = in.size(128);
  const std::uint64_t seed = in.word();
  const std::uint8_t flags = in.byte();
  spotlight::EmbeddingOptions options;
  options.token_vectors = (flags & 1) == 0;
  options.positional = (flags & 2) == 0;
  std::vector<std::string> tokens(in.byte() % 17);
  for (std::string& token : tokens) token = in.text(12);

  Matrix embedded;
  const bool done = completes(
      "embed_tokens", [&] { embedded = spotlight::embed_tokens(tokens, d_model, seed, options); });
  rule(done == (!tokens.empty() && d_model > 0), "embed_tokens ", done ? "accepted" : "rejected",
       " ", tokens.size(), " tokens at d_model ", d_model);
  if (!done) return;
  const auto n = static_cast<Index>(tokens.size());
  rule(embedded.rows() == n && embedded.cols() == d_model, "embed_tokens: shape");
  const Index first_token_column = spotlight::first_token_column(d_model);
  for (Index pos = 0; pos < n; ++pos) {
    const spotlight::RowVector token =
        spotlight::token_embedding(tokens[static_cast<std::size_t>(pos)], d_model, seed);
    for (Index col = 0; col < d_model; ++col) {
      const float value = embedded(pos, col), token_value = token(col);
      rule(std::isfinite(value), "embedding (", pos, ", ", col, ") is ", value);
      if (col < first_token_column) {
        rule(token_value == 0.0f, "token vector has ", token_value, " in the positional half");
      } else {
        rule(std::abs(token_value) >= 0.75f && std::abs(token_value) < 1.25f, "token value ",
             token_value, " not of size [0.75, 1.25)");
      }
      const float expected_token = options.token_vectors ? token_value : 0.0f;
      rule(options.positional ? std::abs(value - expected_token) <= 1.0f + 1e-6f
                              : value == expected_token,
           "embedding (", pos, ", ", col, ") = ", value, " against its token part ",
           expected_token);
    }
  }
  if (n > 0 && d_model > 0) {
    const Matrix encoding = spotlight::positional_encoding(n, d_model);
    rule(encoding.cwiseAbs().maxCoeff() <= 1.0f, "positional encoding beyond [-1, 1]");
  }
}

void fuzz_designed_head(ByteReader& in) {
  const auto pattern = static_cast<spotlight::HeadPattern>(in.byte() % 5);
  const Index d_model = in.size(128), d_head = in.size(128);
  const int window = read_window(in);
  spotlight::HeadProjection head;
  if (completes("designed_head",
                [&] { head = spotlight::designed_head(pattern, d_model, d_head, window); })) {
    rule(head.w_q.rows() == d_model && head.w_q.cols() == d_head && head.w_k.rows() == d_model &&
             head.w_k.cols() == d_head && head.b_q.size() == d_head && head.b_k.size() == d_head,
         "designed_head: shapes");
    rule(all_finite(head.w_q) && all_finite(head.w_k) && all_finite(head.b_q) &&
             all_finite(head.b_k),
         "designed_head: values not finite");
  }
  const std::string name = in.text(20);
  const bool known = name == "previous_token" || name == "same_token" || name == "first_token" ||
                     name == "local_window" || name == "uniform";
  rule(completes("head_pattern_from_name", [&] { spotlight::head_pattern_from_name(name); }) ==
           known,
       "head_pattern_from_name(\"", name, "\")");
}

void fuzz_scaling_study(ByteReader& in) {
  const Index d = in.size(128), n = in.size(64);
  const std::uint64_t seed = in.word();
  spotlight::ScalingPoint point;
  const bool done =
      completes("scaling_study", [&] { point = spotlight::scaling_study(d, n, seed); });
  rule(done == (d > 0 && n > 1), "scaling_study(", d, ", ", n, ") ",
       done ? "accepted" : "rejected");
  if (!done) return;
  const double max_entropy = std::log2(static_cast<double>(n)) + 1e-6;
  for (const spotlight::SoftmaxSummary& summary : {point.scaled, point.unscaled}) {
    rule(summary.max_weight > 0.0 && summary.max_weight <= 1.0 + 1e-6, "max weight ",
         summary.max_weight);
    rule(summary.entropy_bits >= -1e-9 && summary.entropy_bits <= max_entropy, "entropy ",
         summary.entropy_bits);
    rule(std::isfinite(summary.gradient_norm) && summary.gradient_norm >= 0.0, "gradient norm ",
         summary.gradient_norm);
  }
  rule(std::isfinite(point.raw_score_variance) && point.raw_score_variance >= 0.0,
       "raw score variance ", point.raw_score_variance);
}

void fuzz_gemm(ByteReader& in) {
  const Index m = in.size(40), depth = in.size(40), n = in.size(40);
  const std::uint8_t flags = in.byte();
  const bool transposed = (flags & 1) != 0;
  const auto accumulate = (flags & 2) != 0 ? spotlight::Accumulate::yes : spotlight::Accumulate::no;
  float alpha = in.value();
  const auto finite_or_zero = [](Matrix values) {
    for (Index i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values.data()[i])) values.data()[i] = 0.0f;
    }
    return values;
  };
  // gemm does not validate: it is fed the finite values it is made for, in float's range.
  if (!std::isfinite(alpha)) alpha = 1.0f;
  const Matrix a = finite_or_zero(in.matrix(m, depth));
  const Matrix b = finite_or_zero(transposed ? in.matrix(n, depth) : in.matrix(depth, n));
  const Matrix start = finite_or_zero(in.matrix(m, n));
  reference::Dense expected = accumulate == spotlight::Accumulate::yes
                                  ? reference::to_dense(start)
                                  : reference::Dense::Zero(m, n);
  reference::Dense magnitude = expected.cwiseAbs();
  double largest_sum =
      0.0;  // gemm sums a op(b) before it multiplies by alpha: that sum must fit too
  for (Index row = 0; row < m; ++row) {
    for (Index col = 0; col < n; ++col) {
      double sum = 0.0, absolute_sum = 0.0;
      for (Index p = 0; p < depth; ++p) {
        const double product =
            static_cast<double>(a(row, p)) * (transposed ? b(col, p) : b(p, col));
        sum += product;
        absolute_sum += std::abs(product);
      }
      expected(row, col) += alpha * sum;
      magnitude(row, col) += std::abs(alpha) * absolute_sum;
      largest_sum = std::max(largest_sum, absolute_sum);
    }
  }
  if (m > 0 && n > 0 &&
      std::max(magnitude.maxCoeff(), largest_sum) > spotlight::float_range_limit) {
    return;
  }
  Matrix c = start;
  spotlight::gemm(a, b, transposed, accumulate, c, alpha);
  rule(c.rows() == m && c.cols() == n, "gemm: shape (", c.rows(), ", ", c.cols(), ")");
  const double rounding = static_cast<double>(depth + 3) * std::numeric_limits<float>::epsilon();
  for (Index row = 0; row < m; ++row) {
    for (Index col = 0; col < n; ++col) {
      const double tolerance = rounding * magnitude(row, col) + static_cast<double>(depth + 1) *
                                                                    1e-44 *
                                                                    std::max(1.0f, std::abs(alpha));
      rule(std::abs(c(row, col) - expected(row, col)) <= tolerance, "gemm (", row, ", ", col,
           ") = ", c(row, col), " against ", expected(row, col));
    }
  }
  if (accumulate == spotlight::Accumulate::no) {
    rule(spotlight::multiply(a, b, transposed, alpha) == c, "multiply differs from gemm");
  }
}

}  // namespace

}  // namespace fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(data, size);
  switch (in.byte() % 8) {
    case 0:
      fuzz::fuzz_attention(in);
      break;
    case 1:
      fuzz::fuzz_multi_head(in);
      break;
    case 2:
      fuzz::fuzz_layer(in);
      break;
    case 3:
      fuzz::fuzz_softmax(in);
      break;
    case 4:
      fuzz::fuzz_embeddings(in);
      break;
    case 5:
      fuzz::fuzz_designed_head(in);
      break;
    case 6:
      fuzz::fuzz_scaling_study(in);
      break;
    default:
      fuzz::fuzz_gemm(in);
      break;
  }
  return 0;
}
