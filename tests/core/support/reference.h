// The naive reference every fast path is checked against: the obvious loops in double precision,
// nothing clever, written straight from the formulas. Shapes use the symbols of src/core/base/matrix.h.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "base/matrix.h"

namespace reference {

using Dense = Eigen::MatrixXd;  // used only as a container: every computation below is a plain loop

struct Masks {
  bool causal = false;
  std::vector<std::uint8_t> key_padding;  // empty or n_k entries, nonzero = ignore the key
};

// q (n_q, d_k), k (n_k, d_k), v (n_k, d_v); logits = q.k * logit_scale; weights (n_q, n_k).
// A query with every key masked gets zero weights and a zero output.
Dense attention(const Dense& q, const Dense& k, const Dense& v, double logit_scale,
                const Masks& masks, Dense& weights);

struct Projections {
  Dense w_q, w_k, w_v, w_o;          // (d_model, d_model), (in, out)
  Dense b_q, b_k, b_v, b_o;          // (1, d_model)
};

// Multi-head attention with heads as contiguous column blocks. weights: one (n_q, n_k) per head.
Dense multi_head(const Dense& x_q, const Dense& x_kv, const Projections& projections, int n_heads,
                 const Masks& masks, double logit_scale_factor, std::vector<Dense>& weights);

Dense to_dense(const spotlight::MatrixView& m);

}  // namespace reference
