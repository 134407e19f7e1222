#include "reference.h"

#include <cmath>

namespace reference {

Dense to_dense(const spotlight::MatrixView& m) { return m.cast<double>(); }

Dense attention(const Dense& q, const Dense& k, const Dense& v, double logit_scale,
                const Masks& masks, Dense& weights) {
  const auto n_q = q.rows(), n_k = k.rows(), d_k = q.cols(), d_v = v.cols();
  weights = Dense::Zero(n_q, n_k);
  Dense output = Dense::Zero(n_q, d_v);
  for (Eigen::Index i = 0; i < n_q; ++i) {
    std::vector<bool> visible(static_cast<std::size_t>(n_k));
    std::vector<double> logits(static_cast<std::size_t>(n_k));
    bool any_visible = false;
    double max_logit = -INFINITY;
    for (Eigen::Index j = 0; j < n_k; ++j) {
      const bool padded = !masks.key_padding.empty() && masks.key_padding[std::size_t(j)] != 0;
      const bool future = masks.causal && j > i;
      visible[std::size_t(j)] = !padded && !future;
      double dot = 0.0;
      for (Eigen::Index c = 0; c < d_k; ++c) dot += q(i, c) * k(j, c);
      logits[std::size_t(j)] = dot * logit_scale;
      if (visible[std::size_t(j)]) {
        any_visible = true;
        max_logit = std::max(max_logit, logits[std::size_t(j)]);
      }
    }
    if (!any_visible) continue;
    double sum = 0.0;
    for (Eigen::Index j = 0; j < n_k; ++j) {
      if (visible[std::size_t(j)]) sum += std::exp(logits[std::size_t(j)] - max_logit);
    }
    for (Eigen::Index j = 0; j < n_k; ++j) {
      if (visible[std::size_t(j)]) weights(i, j) = std::exp(logits[std::size_t(j)] - max_logit) / sum;
    }
    for (Eigen::Index j = 0; j < n_k; ++j) {
      for (Eigen::Index c = 0; c < d_v; ++c) output(i, c) += weights(i, j) * v(j, c);
    }
  }
  return output;
}

namespace {

Dense linear(const Dense& x, const Dense& w, const Dense& b) {
  Dense y(x.rows(), w.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index o = 0; o < w.cols(); ++o) {
      double sum = b(0, o);
      for (Eigen::Index c = 0; c < x.cols(); ++c) sum += x(i, c) * w(c, o);
      y(i, o) = sum;
    }
  }
  return y;
}

}  // namespace

Dense multi_head(const Dense& x_q, const Dense& x_kv, const Projections& p, int n_heads,
                 const Masks& masks, double logit_scale_factor, std::vector<Dense>& weights) {
  const Dense q = linear(x_q, p.w_q, p.b_q);
  const Dense k = linear(x_kv, p.w_k, p.b_k);
  const Dense v = linear(x_kv, p.w_v, p.b_v);
  const auto d_model = q.cols(), d_head = d_model / n_heads;
  Dense concat(q.rows(), d_model);
  weights.assign(std::size_t(n_heads), Dense());
  for (int h = 0; h < n_heads; ++h) {
    const Dense head_output =
        attention(q.middleCols(h * d_head, d_head), k.middleCols(h * d_head, d_head),
                  v.middleCols(h * d_head, d_head),
                  logit_scale_factor / std::sqrt(double(d_head)), masks, weights[std::size_t(h)]);
    concat.middleCols(h * d_head, d_head) = head_output;
  }
  return linear(concat, p.w_o, p.b_o);
}

}  // namespace reference
