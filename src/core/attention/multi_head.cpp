#include "attention/multi_head.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "base/errors.h"
#include "base/random.h"
#include "kernels/gemm.h"
#include "kernels/softmax.h"

namespace spotlight {

MatrixView ForwardResult::head_weights(Index head) const {
  if (weights.size() == 0 || head < 0 || head >= n_heads) {
    throw std::out_of_range(concat("no weights for head ", head, ": ", n_heads,
                                   " heads, weights ", weights.size() == 0 ? "not " : "",
                                   "requested"));
  }
  const Index n_q = weights.rows() / n_heads;
  return weights.middleRows(head * n_q, n_q);
}

namespace {

// x (n, d_model) W (d_model, d_model) + b must stay in float's range (errors.h): each entry is
// at most |x_i| |W column| + |b| in magnitude; w_norm is the largest |W column|.
void require_projection_in_range(const MatrixView& x, double w_norm, const RowVector& b,
                                 const char* what) {
  const double x_norm = max_row_norm(x), b_magnitude = max_magnitude(b);
  require_in_float_range(x_norm * w_norm + b_magnitude, what, ": largest |input row| ", x_norm,
                         ", largest |weight column| ", w_norm, ", largest |bias| ", b_magnitude,
                         "; scale the input or the weights down");
}

// Attends head `head` of (q_head, k_head, v_head) and writes its output into `concat`'s block and
// its weights into `result`. Shared by multi_head_attention and SimpleAttention.
void attend_head(Index head, const MatrixView& q_head, const MatrixView& k_head,
                 const MatrixView& v_head, const AttentionOptions& options, bool return_weights,
                 Matrix& concat, ForwardResult& result) {
  const Index d_head = q_head.cols(), n_q = q_head.rows();
  const float default_scale = 1.0f / std::sqrt(static_cast<float>(d_head));
  MatrixRef output = concat.middleCols(head * d_head, d_head);
  if (return_weights) {
    attention_into(q_head, k_head, v_head, default_scale, options, output,
                   MatrixRef(result.weights.middleRows(head * n_q, n_q)));
  } else {
    attention_into(q_head, k_head, v_head, default_scale, options, output, std::nullopt);
  }
}

}  // namespace

ForwardResult multi_head_attention(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                                   Index n_heads, const AttentionOptions& options,
                                   bool return_weights) {
  require(n_heads > 0, "num_heads must be > 0, got ", n_heads);
  require(q.cols() % n_heads == 0, "d_model ", q.cols(), " is not divisible by num_heads ", n_heads);
  require(k.cols() == q.cols() && v.cols() == q.cols(), "q, k and v must share d_model, got ",
          q.cols(), ", ", k.cols(), " and ", v.cols(), " columns");
  const Index d_head = q.cols() / n_heads;
  ForwardResult result;
  result.n_heads = n_heads;
  if (return_weights) result.weights.resize(n_heads * q.rows(), k.rows());
  Matrix concat(q.rows(), q.cols());
  for (Index head = 0; head < n_heads; ++head) {
    const Index first_col = head * d_head;
    attend_head(head, q.middleCols(first_col, d_head), k.middleCols(first_col, d_head),
                v.middleCols(first_col, d_head), options, return_weights, concat, result);
  }
  result.output = std::move(concat);
  return result;
}

SimpleAttention::SimpleAttention(Index embed_dim, Index num_heads, std::uint64_t seed)
    : embed_dim_(embed_dim), num_heads_(num_heads) {
  require(embed_dim > 0, "embed_dim must be > 0, got ", embed_dim);
  require(num_heads > 0, "num_heads must be > 0, got ", num_heads);
  require(embed_dim % num_heads == 0, "embed_dim ", embed_dim, " is not divisible by num_heads ",
          num_heads);

  // Xavier/Glorot uniform with fan_in = fan_out = d_model.
  const auto limit = static_cast<float>(std::sqrt(6.0 / static_cast<double>(2 * embed_dim)));
  SplitMix64 rng(seed);
  for (Matrix& weight : weights_) {
    weight.resize(embed_dim, embed_dim);
    for (Index row = 0; row < embed_dim; ++row) {
      for (Index col = 0; col < embed_dim; ++col) weight(row, col) = rng.uniform_symmetric(limit);
    }
  }
  for (RowVector& bias : biases_) bias.setZero(embed_dim);
  for (std::size_t which = 0; which < weights_.size(); ++which) {
    max_column_norms_[which] = max_column_norm(weights_[which]);
  }
}

void SimpleAttention::set_weight(Projection which, const float* values, std::size_t count) {
  const auto expected = static_cast<std::size_t>(embed_dim_ * embed_dim_);
  require(count == expected, "weight has ", count, " values, expected embed_dim*embed_dim = ",
          embed_dim_, "*", embed_dim_, " = ", expected);
  const Eigen::Map<const Matrix> replacement(values, embed_dim_, embed_dim_);
  require_finite(replacement, "weight");
  weights_[index(which)] = replacement;
  max_column_norms_[index(which)] = max_column_norm(replacement);
}

void SimpleAttention::set_bias(Projection which, const float* values, std::size_t count) {
  require(count == static_cast<std::size_t>(embed_dim_), "bias has ", count,
          " values, expected embed_dim = ", embed_dim_);
  const Eigen::Map<const Matrix> replacement(values, 1, embed_dim_);
  require_finite(replacement, "bias");
  biases_[index(which)] = replacement;
}

void SimpleAttention::set_head(Index head, const HeadProjection& projection) {
  const Index d_head = head_dim();
  require(head >= 0 && head < num_heads_, "head ", head, " does not exist: there are ", num_heads_,
          " heads");
  require(projection.w_q.rows() == embed_dim_ && projection.w_q.cols() == d_head &&
              projection.w_k.rows() == embed_dim_ && projection.w_k.cols() == d_head &&
              projection.b_q.size() == d_head && projection.b_k.size() == d_head,
          "a head projection must be (d_model, d_head) = (", embed_dim_, ", ", d_head, "), got (",
          projection.w_q.rows(), ", ", projection.w_q.cols(), ")");
  require_finite(projection.w_q, "w_q");
  require_finite(projection.w_k, "w_k");
  require_finite(projection.b_q, "b_q");
  require_finite(projection.b_k, "b_k");
  const Index first_col = head * d_head;
  weights_[index(Projection::query)].middleCols(first_col, d_head) = projection.w_q;
  weights_[index(Projection::key)].middleCols(first_col, d_head) = projection.w_k;
  biases_[index(Projection::query)].segment(first_col, d_head) = projection.b_q;
  biases_[index(Projection::key)].segment(first_col, d_head) = projection.b_k;
  for (const Projection changed : {Projection::query, Projection::key}) {
    max_column_norms_[index(changed)] = max_column_norm(weight(changed));
  }
}

void SimpleAttention::validate_inputs(const MatrixView& x_q, const MatrixView& x_kv) const {
  require_shape(x_q, "x_q", embed_dim_, "embed_dim");
  require_shape(x_kv, "x_kv", embed_dim_, "embed_dim");
  require_finite(x_q, "x_q");
  require_finite(x_kv, "x_kv");
  require_projection_in_range(x_q, max_column_norms_[index(Projection::query)],
                              bias(Projection::query), "the queries x_q W_q + b_q");
  require_projection_in_range(x_kv, max_column_norms_[index(Projection::key)],
                              bias(Projection::key), "the keys x_kv W_k + b_k");
  require_projection_in_range(x_kv, max_column_norms_[index(Projection::value)],
                              bias(Projection::value), "the values x_kv W_v + b_v");
}

Matrix SimpleAttention::project(const MatrixView& x, Projection which) const {
  return project_head(x, which, 0, embed_dim_);
}

Matrix SimpleAttention::project_head(const MatrixView& x, Projection which, Index first_col,
                                     Index cols) const {
  Matrix projected = multiply(x, weight(which).middleCols(first_col, cols));
  projected.rowwise() += bias(which).segment(first_col, cols);
  return projected;
}

float SimpleAttention::default_scale() const {
  return 1.0f / std::sqrt(static_cast<float>(head_dim()));
}

Matrix SimpleAttention::self_attention(const MatrixView& x, bool causal) const {
  return forward(x, causal, false).output;
}

ForwardResult SimpleAttention::forward(const MatrixView& x, bool causal,
                                       bool return_weights) const {
  AttentionOptions options;
  options.causal = causal;
  return cross_attention(x, x, options, return_weights);
}

ForwardResult SimpleAttention::forward(const MatrixView& x, const AttentionOptions& options,
                                       bool return_weights) const {
  return cross_attention(x, x, options, return_weights);
}

ForwardResult SimpleAttention::cross_attention(const MatrixView& x_q, const MatrixView& x_kv,
                                               const AttentionOptions& options,
                                               bool return_weights) const {
  validate_inputs(x_q, x_kv);
  const Index n_q = x_q.rows(), n_k = x_kv.rows(), d_head = head_dim();

  ForwardResult result;
  result.n_heads = num_heads_;
  if (return_weights) result.weights.resize(num_heads_ * n_q, n_k);
  Matrix concat(n_q, embed_dim_);
  // One head at a time: its q, k, v are (n, d_head), so the peak memory is the inputs, the
  // concatenation and one head - what lets 16,384 tokens fit where full Q, K, V would not.
  for (Index head = 0; head < num_heads_; ++head) {
    const Index first_col = head * d_head;
    const Matrix q = project_head(x_q, Projection::query, first_col, d_head);
    const Matrix k = project_head(x_kv, Projection::key, first_col, d_head);
    const Matrix v = project_head(x_kv, Projection::value, first_col, d_head);
    attend_head(head, q, k, v, options, return_weights, concat, result);
  }
  require_projection_in_range(concat, max_column_norms_[index(Projection::output)],
                              bias(Projection::output), "the output concat W_o + b_o");
  project_output_in_place(concat);
  result.output = std::move(concat);
  return result;
}

void SimpleAttention::project_output_in_place(Matrix& concat) const {
  constexpr Index block_rows = 64;
  const PackedPanels w_o(weight(Projection::output), false);
  Matrix block;
  for (Index first_row = 0; first_row < concat.rows(); first_row += block_rows) {
    const Index rows = std::min(block_rows, concat.rows() - first_row);
    block.resize(rows, embed_dim_);
    gemm(concat.middleRows(first_row, rows), w_o, 0, 0, embed_dim_, Accumulate::no, block);
    concat.middleRows(first_row, rows) = block;
  }
  concat.rowwise() += bias(Projection::output);
}

AttentionTrace SimpleAttention::trace(const MatrixView& x, const AttentionOptions& options) const {
  return trace(x, x, options);
}

AttentionTrace SimpleAttention::trace(const MatrixView& x_q, const MatrixView& x_kv,
                                      const AttentionOptions& options) const {
  validate_inputs(x_q, x_kv);
  const Matrix q = project(x_q, Projection::query);
  const Matrix k = project(x_kv, Projection::key);
  const Matrix v = project(x_kv, Projection::value);
  const Index d_head = head_dim();

  AttentionTrace trace;
  trace.scale = logit_scale(options, default_scale());
  trace.concat.resize(q.rows(), embed_dim_);
  for (Index head = 0; head < num_heads_; ++head) {
    const Index first_col = head * d_head;
    HeadTrace step;
    step.q = q.middleCols(first_col, d_head);
    step.k = k.middleCols(first_col, d_head);
    step.v = v.middleCols(first_col, d_head);
    validate_attention_inputs(step.q, step.k, step.v, options);
    require_scores_in_float_range(step.q, step.k, trace.scale);
    // The trace shows the scores before the scale too, which attention() need not compute.
    require_in_float_range(max_row_norm(step.q) * max_row_norm(step.k),
                           "the raw scores q k^T that the trace shows",
                           "; scale the input or the weights down");
    step.raw_scores = multiply(step.q, step.k, true);
    step.scaled_scores = step.raw_scores * trace.scale;
    step.masked_scores = step.scaled_scores;
    apply_masks(step.masked_scores, 0, 0, options.causal, options.key_padding_mask);
    SoftmaxSteps softmax = softmax_steps(step.masked_scores);
    step.row_max = std::move(softmax.row_max);
    step.exp_scores = std::move(softmax.exp_scores);
    step.row_sum = std::move(softmax.row_sum);
    step.weights = std::move(softmax.weights);
    step.output = multiply(step.weights, step.v);
    trace.concat.middleCols(first_col, d_head) = step.output;
    trace.heads.push_back(std::move(step));
  }
  require_projection_in_range(trace.concat, max_column_norms_[index(Projection::output)],
                              bias(Projection::output), "the output concat W_o + b_o");
  trace.output = multiply(trace.concat, weight(Projection::output));
  trace.output.rowwise() += bias(Projection::output);
  return trace;
}

}  // namespace spotlight
