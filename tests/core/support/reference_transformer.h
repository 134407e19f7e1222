// The naive reference of the tiny transformer (src/core/model/transformer.h): each operation's forward,
// written straight from its formula in double precision with plain loops, and the whole model's
// loss built from them. The tests differentiate these by central finite differences to check the
// core's hand-written backward passes (tests/core/model/test_transformer_ops.cpp, test_transformer.cpp).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/sequences.h"
#include "model/transformer_config.h"
#include "reference.h"

namespace reference {

// x (n, d): row b T + t = wte[tokens[row]] + wpe[t].
Dense embedding(const std::vector<spotlight::TokenId>& tokens, int seq_len, const Dense& wte,
                const Dense& wpe);
// Row-wise (x - mean) / sqrt(biased variance + 1e-5) * gain + bias; gain, bias (1, d).
Dense layernorm(const Dense& x, const Dense& gain, const Dense& bias);
// x (n, in) w (in, out) + b (1, out).
Dense linear(const Dense& x, const Dense& w, const Dense& b);
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), entrywise.
Dense gelu(const Dense& x);
// Causal multi-head attention of projected q, k, v (n, d): heads are column blocks, sequences are
// blocks of seq_len rows; weights, when given, receive one (T, T) matrix per (sequence, head).
Dense causal_attention(const Dense& q, const Dense& k, const Dense& v, int seq_len, int n_heads,
                       std::vector<Dense>* weights = nullptr);
// Mean cross-entropy over the rows whose target is not -1.
double cross_entropy(const Dense& logits, const std::vector<spotlight::TokenId>& targets);

// The parameters by name, (rows, cols) as in the parameter table.
using NamedParameters = std::map<std::string, Dense>;
NamedParameters named_parameters(const spotlight::TransformerConfig& config,
                                 const std::vector<float>& flat);

struct TransformerResult {
  double loss = 0.0;
  Dense logits;                      // (batch T, vocab)
  std::vector<std::vector<Dense>> attention;  // per layer, per (sequence, head): (T, T)
};
TransformerResult transformer(const spotlight::TransformerConfig& config,
                              const NamedParameters& parameters,
                              const std::vector<spotlight::TokenId>& inputs,
                              const std::vector<spotlight::TokenId>& targets, int seq_len);

// d f / d x by central differences, (f(x + h e_i) - f(x - h e_i)) / 2h, for each entry of x.
Dense numerical_gradient(const std::function<double(const Dense&)>& f, const Dense& x,
                         double step = 1e-6);

}  // namespace reference
