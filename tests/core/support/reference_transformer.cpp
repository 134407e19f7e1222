#include "reference_transformer.h"

#include <cmath>
#include <limits>

namespace reference {

using spotlight::TokenId;

Dense embedding(const std::vector<TokenId>& tokens, int seq_len, const Dense& wte,
                const Dense& wpe) {
  Dense x(static_cast<Eigen::Index>(tokens.size()), wte.cols());
  for (Eigen::Index row = 0; row < x.rows(); ++row) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      x(row, j) = wte(tokens[static_cast<std::size_t>(row)], j) + wpe(row % seq_len, j);
    }
  }
  return x;
}

Dense layernorm(const Dense& x, const Dense& gain, const Dense& bias) {
  Dense out(x.rows(), x.cols());
  const double d = static_cast<double>(x.cols());
  for (Eigen::Index row = 0; row < x.rows(); ++row) {
    double mean = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) mean += x(row, j) / d;
    double variance = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) variance += (x(row, j) - mean) * (x(row, j) - mean) / d;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      out(row, j) = (x(row, j) - mean) / std::sqrt(variance + 1e-5) * gain(0, j) + bias(0, j);
    }
  }
  return out;
}

Dense linear(const Dense& x, const Dense& w, const Dense& b) {
  Dense y(x.rows(), w.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < w.cols(); ++j) {
      double sum = b.size() == 0 ? 0.0 : b(0, j);
      for (Eigen::Index p = 0; p < x.cols(); ++p) sum += x(i, p) * w(p, j);
      y(i, j) = sum;
    }
  }
  return y;
}

Dense gelu(const Dense& x) {
  Dense y(x.rows(), x.cols());
  const double scale = std::sqrt(2.0 / 3.14159265358979323846);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double z = x.data()[i];
    y.data()[i] = 0.5 * z * (1.0 + std::tanh(scale * (z + 0.044715 * z * z * z)));
  }
  return y;
}

Dense causal_attention(const Dense& q, const Dense& k, const Dense& v, int seq_len, int n_heads,
                       std::vector<Dense>* weights) {
  const Eigen::Index d_head = q.cols() / n_heads, batch = q.rows() / seq_len;
  Dense y = Dense::Zero(q.rows(), q.cols());
  for (Eigen::Index b = 0; b < batch; ++b) {
    for (Eigen::Index h = 0; h < n_heads; ++h) {
      const Dense q_h = q.block(b * seq_len, h * d_head, seq_len, d_head);
      const Dense k_h = k.block(b * seq_len, h * d_head, seq_len, d_head);
      const Dense v_h = v.block(b * seq_len, h * d_head, seq_len, d_head);
      Dense head_weights;
      Masks causal;
      causal.causal = true;
      const Dense out = attention(q_h, k_h, v_h, 1.0 / std::sqrt(static_cast<double>(d_head)),
                                  causal, head_weights);
      y.block(b * seq_len, h * d_head, seq_len, d_head) = out;
      if (weights != nullptr) weights->push_back(head_weights);
    }
  }
  return y;
}

double cross_entropy(const Dense& logits, const std::vector<TokenId>& targets) {
  double total = 0.0;
  int counted = 0;
  for (Eigen::Index row = 0; row < logits.rows(); ++row) {
    const TokenId target = targets[static_cast<std::size_t>(row)];
    if (target == spotlight::ignored_target) continue;
    double row_max = -std::numeric_limits<double>::infinity();
    for (Eigen::Index j = 0; j < logits.cols(); ++j) row_max = std::max(row_max, logits(row, j));
    double sum = 0.0;
    for (Eigen::Index j = 0; j < logits.cols(); ++j) sum += std::exp(logits(row, j) - row_max);
    total -= logits(row, target) - row_max - std::log(sum);
    ++counted;
  }
  return total / counted;
}

NamedParameters named_parameters(const spotlight::TransformerConfig& config,
                                 const std::vector<float>& flat) {
  NamedParameters named;
  for (const spotlight::ParameterInfo& info : spotlight::parameter_table(config)) {
    Dense values(info.rows, info.cols);
    for (Eigen::Index i = 0; i < info.rows; ++i) {
      for (Eigen::Index j = 0; j < info.cols; ++j) {
        values(i, j) = flat[static_cast<std::size_t>(info.offset + i * info.cols + j)];
      }
    }
    named[info.name] = values;
  }
  return named;
}

TransformerResult transformer(const spotlight::TransformerConfig& config,
                              const NamedParameters& parameters, const std::vector<TokenId>& inputs,
                              const std::vector<TokenId>& targets, int seq_len) {
  const auto p = [&](const std::string& name) -> const Dense& { return parameters.at(name); };
  TransformerResult result;
  Dense x = embedding(inputs, seq_len, p("wte"), p("wpe"));
  for (int layer = 0; layer < config.n_layers; ++layer) {
    const std::string prefix = "h." + std::to_string(layer) + ".";
    const Dense a = config.layer_norm
                        ? layernorm(x, p(prefix + "ln_1.weight"), p(prefix + "ln_1.bias"))
                        : x;
    const Dense q = linear(a, p(prefix + "attn.wq"), p(prefix + "attn.bq"));
    const Dense k = linear(a, p(prefix + "attn.wk"), p(prefix + "attn.bk"));
    const Dense v = linear(a, p(prefix + "attn.wv"), p(prefix + "attn.bv"));
    std::vector<Dense> weights;
    const Dense heads = causal_attention(q, k, v, seq_len, static_cast<int>(config.n_heads), &weights);
    result.attention.push_back(weights);
    x = x + linear(heads, p(prefix + "attn.wo"), p(prefix + "attn.bo"));
    if (config.mlp) {
      const Dense m = config.layer_norm
                          ? layernorm(x, p(prefix + "ln_2.weight"), p(prefix + "ln_2.bias"))
                          : x;
      const Dense hidden = gelu(linear(m, p(prefix + "mlp.fc"), p(prefix + "mlp.fc_bias")));
      x = x + linear(hidden, p(prefix + "mlp.proj"), p(prefix + "mlp.proj_bias"));
    }
  }
  const Dense f = config.layer_norm ? layernorm(x, p("ln_f.weight"), p("ln_f.bias")) : x;
  result.logits = linear(f, p("wte").transpose(), Dense());
  result.loss = cross_entropy(result.logits, targets);
  return result;
}

Dense numerical_gradient(const std::function<double(const Dense&)>& f, const Dense& x,
                         double step) {
  Dense gradient(x.rows(), x.cols());
  Dense shifted = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double original = shifted.data()[i];
    shifted.data()[i] = original + step;
    const double up = f(shifted);
    shifted.data()[i] = original - step;
    const double down = f(shifted);
    shifted.data()[i] = original;
    gradient.data()[i] = (up - down) / (2.0 * step);
  }
  return gradient;
}

}  // namespace reference
