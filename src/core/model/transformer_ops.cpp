#include "model/transformer_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "attention/attention.h"
#include "base/simd.h"
#include "kernels/gemv.h"
#include "kernels/softmax.h"

namespace spotlight {

void product(const MatrixView& a, const MatrixView& b, bool b_transposed, MatrixRef c,
             Accumulate accumulate, float alpha, PackedPanels& panels) {
  if (c.rows() == 0 || c.cols() == 0) return;
  if (a.cols() == 0) {  // an empty sum
    if (accumulate == Accumulate::no) c.setZero();
    return;
  }
  if (a.rows() == 1) {  // one token being decoded: no packing (gemv.h)
    const bool add = accumulate == Accumulate::yes;
    if (b_transposed) {
      row_times_transposed_matrix(a.data(), b, alpha, add, c.data());
    } else {
      row_times_matrix(a.data(), b, alpha, add, c.data());
    }
    return;
  }
  if (!b_transposed) {  // a panel of b at a time (gemm.h): the same sums, without packing all of b
    gemm_in_place(a, b, false, accumulate, c, alpha, &panels);
    return;
  }
  panels.pack(b, b_transposed);
  gemm(a, panels, 0, 0, c.cols(), accumulate, c, alpha);
}

namespace {

// transposed (cols, rows) = values^T, reusing transposed's storage.
void transpose_into(const MatrixView& values, Matrix& transposed) {
  transposed.resize(values.cols(), values.rows());
  transposed = values.transpose();
}

// out[j] += sum over rows of values(row, j).
void add_column_sums(const MatrixView& values, float* out) {
  for (Index row = 0; row < values.rows(); ++row) {
    const float* value = values.row(row).data();
    for (Index j = 0; j < values.cols(); ++j) out[j] += value[j];
  }
}

}  // namespace

// ---- embeddings --------------------------------------------------------------------------------

void embedding_forward(const TokenId* tokens, Index seq_len, const MatrixView& wte,
                       const MatrixView& wpe, MatrixRef x, Index first_position) {
  for (Index row = 0; row < x.rows(); ++row) {
    x.row(row) = wte.row(tokens[row]) + wpe.row(first_position + row % seq_len);
  }
}

void embedding_backward(const TokenId* tokens, Index seq_len, const MatrixView& dx, MatrixRef dwte,
                        MatrixRef dwpe) {
  for (Index row = 0; row < dx.rows(); ++row) {
    dwte.row(tokens[row]) += dx.row(row);
    dwpe.row(row % seq_len) += dx.row(row);
  }
}

// ---- LayerNorm ---------------------------------------------------------------------------------

void layernorm_forward(const MatrixView& x, const float* gain, const float* bias, MatrixRef out,
                       float* mean, float* rstd, float epsilon) {
  const Index d = x.cols();
  for (Index row = 0; row < x.rows(); ++row) {
    const float* in = x.row(row).data();
    // pass 1: the mean; pass 2: the biased variance about it (two passes, not E[x^2] - E[x]^2,
    // which cancels badly when the mean is large)
    float sum = 0.0f;
    for (Index j = 0; j < d; ++j) sum += in[j];
    const float row_mean = sum / static_cast<float>(d);
    float squares = 0.0f;
    for (Index j = 0; j < d; ++j) squares += (in[j] - row_mean) * (in[j] - row_mean);
    const float row_rstd = 1.0f / std::sqrt(squares / static_cast<float>(d) + epsilon);
    // pass 3: normalise, scale and shift
    float* normalised = out.row(row).data();
    for (Index j = 0; j < d; ++j) normalised[j] = (in[j] - row_mean) * row_rstd * gain[j] + bias[j];
    mean[row] = row_mean;
    rstd[row] = row_rstd;
  }
}

void layernorm_backward(const MatrixView& dout, const MatrixView& x, const float* gain,
                        const float* mean, const float* rstd, MatrixRef dx, float* dgain,
                        float* dbias) {
  const Index d = x.cols();
  for (Index row = 0; row < x.rows(); ++row) {
    const float* in = x.row(row).data();
    const float* grad_out = dout.row(row).data();
    float* grad_in = dx.row(row).data();
    // pass 1: the two means the gradient of the normalisation needs
    float mean_g = 0.0f, mean_g_xhat = 0.0f;
    for (Index j = 0; j < d; ++j) {
      const float x_hat = (in[j] - mean[row]) * rstd[row];
      const float g = grad_out[j] * gain[j];
      mean_g += g;
      mean_g_xhat += g * x_hat;
    }
    mean_g /= static_cast<float>(d);
    mean_g_xhat /= static_cast<float>(d);
    // pass 2: accumulate into dx, dgain and dbias
    for (Index j = 0; j < d; ++j) {
      const float x_hat = (in[j] - mean[row]) * rstd[row];
      const float g = grad_out[j] * gain[j];
      grad_in[j] += rstd[row] * (g - mean_g - x_hat * mean_g_xhat);
      dgain[j] += grad_out[j] * x_hat;
      dbias[j] += grad_out[j];
    }
  }
}

// ---- linear ------------------------------------------------------------------------------------

void linear_forward(const MatrixView& x, const MatrixView& w, const float* b, MatrixRef y,
                    PackedPanels& panels) {
  product(x, w, false, y, Accumulate::no, 1.0f, panels);
  if (b == nullptr) return;
  const Eigen::Map<const RowVector> bias(b, w.cols());
  y.rowwise() += bias;
}

void linear_backward(const MatrixView& dy, const MatrixView& x, const MatrixView& w, MatrixRef dx,
                     MatrixRef dw, float* db, ProductScratch& scratch) {
  product(dy, w, true, dx, Accumulate::yes, 1.0f, scratch.panels);  // dx (n, in) += dy w^T
  transpose_into(x, scratch.transposed);                             // x^T (in, n)
  product(scratch.transposed, dy, false, dw, Accumulate::yes, 1.0f, scratch.panels);
  if (db != nullptr) add_column_sums(dy, db);
}

// ---- GELU --------------------------------------------------------------------------------------

namespace {
constexpr float gelu_scale = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float gelu_cubic = 0.044715f;

// u = sqrt(2/pi) (z + 0.044715 z^3), four at a time.
simd::Float4 gelu_argument(simd::Float4 z) {
  const simd::Float4 z2 = simd::multiply(z, z);
  return simd::multiply(simd::broadcast(gelu_scale),
                        simd::multiply_add(simd::multiply(simd::broadcast(gelu_cubic), z2), z, z));
}

// 0.5 z (1 + tanh u) for four values.
simd::Float4 gelu4(simd::Float4 z) {
  const simd::Float4 t = simd::tanh(gelu_argument(z));
  return simd::multiply(simd::multiply(simd::broadcast(0.5f), z), simd::add(simd::broadcast(1.0f), t));
}

// dy * d/dz [0.5 z (1 + tanh u)] = dy (0.5 (1 + tanh u) + 0.5 z (1 - tanh^2 u) du/dz),
// du/dz = s (1 + 3 c z^2), for four values. Past |z| = 10, tanh u is +-1 in float and the
// derivative exactly 1 (z > 0) or 0 (z < 0): taken as that, because as written du overflows for
// huge z and 0 * inf would make it NaN (fuzz_training's finding: a bias of -7e30).
simd::Float4 gelu_gradient4(simd::Float4 z, simd::Float4 dy) {
  using simd::Float4;
  const Float4 half = simd::broadcast(0.5f);
  Float4 sech2;
  const Float4 t = simd::tanh(gelu_argument(z), &sech2);
  const Float4 du = simd::multiply(
      simd::broadcast(gelu_scale),
      simd::multiply_add(simd::broadcast(3.0f * gelu_cubic), simd::multiply(z, z), simd::broadcast(1.0f)));
  const Float4 derivative = simd::multiply_add(simd::multiply(simd::multiply(half, z), sech2), du,
                                               simd::multiply(half, simd::add(simd::broadcast(1.0f), t)));
  const Float4 saturated = simd::zero_below(z, 0.0f, simd::broadcast(1.0f));  // 1 for z >= 0, else 0
  return simd::multiply(dy, simd::select_below(simd::abs(z), 10.0f, derivative, saturated));
}

// f(four values) over every element of each row: whole vectors, then the row's last 1-3 values
// through a padded vector, so that every element gets the same arithmetic wherever it sits.
template <typename F>
void for_each_four(Index rows, Index cols, F&& f) {
  for (Index row = 0; row < rows; ++row) {
    Index j = 0;
    for (; j + 4 <= cols; j += 4) f(row, j, 4);
    if (j < cols) f(row, j, cols - j);
  }
}

simd::Float4 load_part(const float* p, Index count) {
  float padded[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (Index i = 0; i < count; ++i) padded[i] = p[i];
  return simd::load(padded);
}

void store_part(float* p, simd::Float4 value, Index count) {
  float padded[4];
  simd::store(padded, value);
  for (Index i = 0; i < count; ++i) p[i] = padded[i];
}

}  // namespace

// GELU with tanh, vectorised (the scalar std::tanh was a third of a training step's time).
void gelu_forward(const MatrixView& x, MatrixRef y) {
  for_each_four(x.rows(), x.cols(), [&](Index row, Index j, Index count) {
    const float* in = x.row(row).data() + j;
    float* out = y.row(row).data() + j;
    if (count == 4) {
      simd::store(out, gelu4(simd::load(in)));
    } else {
      store_part(out, gelu4(load_part(in, count)), count);
    }
  });
}

void gelu_backward(const MatrixView& dy, const MatrixView& x, MatrixRef dx) {
  for_each_four(x.rows(), x.cols(), [&](Index row, Index j, Index count) {
    const float* in = x.row(row).data() + j;
    const float* grad_out = dy.row(row).data() + j;
    float* grad_in = dx.row(row).data() + j;
    if (count == 4) {
      simd::store(grad_in, simd::add(simd::load(grad_in),
                                     gelu_gradient4(simd::load(in), simd::load(grad_out))));
    } else {
      store_part(grad_in, simd::add(load_part(grad_in, count),
                                    gelu_gradient4(load_part(in, count), load_part(grad_out, count))),
                 count);
    }
  });
}

// ---- attention ---------------------------------------------------------------------------------

void attention_forward(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                       Index seq_len, Index n_heads, MatrixRef y, MatrixRef att) {
  const Index batch = q.rows() / seq_len, d_head = q.cols() / n_heads;
  AttentionOptions causal;
  causal.causal = true;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d_head));
  for (Index b = 0; b < batch; ++b) {
    for (Index h = 0; h < n_heads; ++h) {
      const Index first_row = b * seq_len, first_col = h * d_head;
      attention_into(q.block(first_row, first_col, seq_len, d_head),
                     k.block(first_row, first_col, seq_len, d_head),
                     v.block(first_row, first_col, seq_len, d_head), scale, causal,
                     y.block(first_row, first_col, seq_len, d_head),
                     MatrixRef(att.middleRows((b * n_heads + h) * seq_len, seq_len)));
    }
  }
}

void attention_backward(const MatrixView& dy, const MatrixView& q, const MatrixView& k,
                        const MatrixView& v, const MatrixView& att, Index seq_len, Index n_heads,
                        MatrixRef dq, MatrixRef dk, MatrixRef dv, ProductScratch& scratch) {
  const Index batch = q.rows() / seq_len, d_head = q.cols() / n_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d_head));
  Matrix& weight_grads = scratch.square;  // dP, then dS in place
  weight_grads.resize(seq_len, seq_len);
  for (Index b = 0; b < batch; ++b) {
    for (Index h = 0; h < n_heads; ++h) {
      const Index first_row = b * seq_len, first_col = h * d_head;
      const auto block = [&](const MatrixView& m) {
        return m.block(first_row, first_col, seq_len, d_head);
      };
      const MatrixView weights = att.middleRows((b * n_heads + h) * seq_len, seq_len);
      const MatrixView dy_h = block(dy), q_h = block(q), k_h = block(k), v_h = block(v);

      // dv_h += P^T dy_h
      transpose_into(weights, scratch.square_transposed);
      product(scratch.square_transposed, dy_h, false,
              dv.block(first_row, first_col, seq_len, d_head), Accumulate::yes, 1.0f,
              scratch.panels);
      // dP = dy_h v_h^T
      product(dy_h, v_h, true, weight_grads, Accumulate::no, 1.0f, scratch.panels);
      // dS = P * (dP - rowsum(P * dP)): the softmax's backward, row by row
      for (Index i = 0; i < seq_len; ++i) {
        const float* p = weights.row(i).data();
        float* g = weight_grads.row(i).data();
        float dot = 0.0f;
        for (Index j = 0; j <= i; ++j) dot += p[j] * g[j];
        for (Index j = 0; j <= i; ++j) g[j] = p[j] * (g[j] - dot);
        for (Index j = i + 1; j < seq_len; ++j) g[j] = 0.0f;  // masked
      }
      // dq_h += s dS k_h;  dk_h += s dS^T q_h
      product(weight_grads, k_h, false, dq.block(first_row, first_col, seq_len, d_head),
              Accumulate::yes, scale, scratch.panels);
      transpose_into(weight_grads, scratch.square_transposed);
      product(scratch.square_transposed, q_h, false,
              dk.block(first_row, first_col, seq_len, d_head), Accumulate::yes, scale,
              scratch.panels);
    }
  }
}

// ---- cross-entropy -----------------------------------------------------------------------------

double cross_entropy_forward(MatrixRef logits_to_probs, const TokenId* targets, Index& counted) {
  double total = 0.0;
  counted = 0;
  for (Index row = 0; row < logits_to_probs.rows(); ++row) {
    float* values = logits_to_probs.row(row).data();
    const Index vocab = logits_to_probs.cols();
    // pass 1: the max; pass 2: exp and sum; pass 3: normalise (as softmax.h)
    const float row_max = *std::max_element(values, values + vocab);
    const float target_logit = targets[row] == ignored_target ? 0.0f : values[targets[row]];
    const float sum = exp_shifted(values, row_max, values, vocab);  // >= 1: the max gives exp(0)
    scale_row(values, 1.0f / sum, values, vocab);
    if (targets[row] == ignored_target) continue;
    total -= static_cast<double>(target_logit - row_max) - std::log(static_cast<double>(sum));
    ++counted;
  }
  return counted > 0 ? total / static_cast<double>(counted) : 0.0;
}

void cross_entropy_backward(const MatrixView& probs, const TokenId* targets, Index counted,
                            MatrixRef dlogits) {
  const float inverse_count = counted > 0 ? 1.0f / static_cast<float>(counted) : 0.0f;
  for (Index row = 0; row < probs.rows(); ++row) {
    if (targets[row] == ignored_target) {
      dlogits.row(row).setZero();
      continue;
    }
    dlogits.row(row) = probs.row(row) * inverse_count;
    dlogits(row, targets[row]) -= inverse_count;
  }
}

}  // namespace spotlight
