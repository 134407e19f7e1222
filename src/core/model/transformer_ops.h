// The operations of the tiny transformer (transformer.h), each a forward / backward pair side by
// side, in the manner of llm.c's train_gpt2.c. Shapes, with n = batch * seq_len rows (row b * T + t
// is position t of sequence b):
//
//   tokens (n)             x, dx (n, d_model)        wte (vocab, d_model), wpe (context, d_model)
//   att (batch * n_heads * T, T): the softmax weights, sequence b's head h in rows (b H + h) T ..
//
// Conventions shared by every backward:
//   - it ACCUMULATES (+=) into the gradients it is given, of activations and of parameters alike,
//     so that a value used twice (the residual stream, the tied embedding) sums its gradients; the
//     caller zeroes the buffers once per step;
//   - it reads only what its forward kept (the inputs, or the statistics named in its arguments).
// None validates its arguments beyond what the shapes require: the model (transformer.h) checks
// sizes and token ids at its boundary, and attention_forward runs the project's validated
// attention (attention.h), which rejects non-finite activations.
#pragma once

#include "base/matrix.h"
#include "base/sequences.h"
#include "kernels/gemm.h"

namespace spotlight {

// Reusable storage for the products of the backward passes (packed panels, transposed copies), so
// that a training step allocates nothing once the first step has sized it.
struct ProductScratch {
  PackedPanels panels;
  Matrix transposed;
  Matrix square;  // (T, T) per head: the weights' gradient
  Matrix square_transposed;
};

// c (m, n) (+)= alpha a op(b) with op(b) = b or b^T, into any view of the caller's storage.
void product(const MatrixView& a, const MatrixView& b, bool b_transposed, MatrixRef c,
             Accumulate accumulate, float alpha, PackedPanels& panels);

// x (n, d) = wte[tokens] + wpe[first_position + t] for row b T + t (first_position > 0: the next
// tokens of a sequence being decoded).
void embedding_forward(const TokenId* tokens, Index seq_len, const MatrixView& wte,
                       const MatrixView& wpe, MatrixRef x, Index first_position = 0);
// dwte[tokens] += dx, dwpe[t] += dx rows of position t.
void embedding_backward(const TokenId* tokens, Index seq_len, const MatrixView& dx, MatrixRef dwte,
                        MatrixRef dwpe);

inline constexpr float layer_norm_epsilon = 1e-5f;

// out = (x - mean) * rstd * gain + bias, row by row over d, with the biased variance:
// rstd = 1 / sqrt(var + epsilon). Keeps mean (n) and rstd (n) for the backward.
void layernorm_forward(const MatrixView& x, const float* gain, const float* bias, MatrixRef out,
                       float* mean, float* rstd, float epsilon = layer_norm_epsilon);
// With x_hat = (x - mean) rstd and g = dout * gain:
//   dx += rstd (g - mean(g) - x_hat mean(g x_hat)),  dgain += sum_rows dout x_hat,  dbias += sum_rows dout
void layernorm_backward(const MatrixView& dout, const MatrixView& x, const float* gain,
                        const float* mean, const float* rstd, MatrixRef dx, float* dgain,
                        float* dbias);

// y (n, out) = x (n, in) w (in, out) + b (out); b may be null (no bias).
void linear_forward(const MatrixView& x, const MatrixView& w, const float* b, MatrixRef y,
                    PackedPanels& panels);
// dx += dy w^T;  dw += x^T dy;  db += sum_rows dy (db may be null).
void linear_backward(const MatrixView& dy, const MatrixView& x, const MatrixView& w, MatrixRef dx,
                     MatrixRef dw, float* db, ProductScratch& scratch);

// GELU, tanh approximation (GPT-2): y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
void gelu_forward(const MatrixView& x, MatrixRef y);
// dx += dy * gelu'(x).
void gelu_backward(const MatrixView& dy, const MatrixView& x, MatrixRef dx);

// Causal multi-head self-attention of projected q, k, v (n, d_model): per sequence and head,
// att = softmax(q_h k_h^T / sqrt(d_head)) with keys after the query masked, y_h = att v_h, heads
// concatenated into y (n, d_model). Computed by the project's one attention (attention_into).
void attention_forward(const MatrixView& q, const MatrixView& k, const MatrixView& v,
                       Index seq_len, Index n_heads, MatrixRef y, MatrixRef att);
// Per sequence and head, with P = att, s = 1 / sqrt(d_head):
//   dv += P^T dy;  dP = dy v^T;  dS = P * (dP - rowsum(P * dP));  dq += s dS k;  dk += s dS^T q
// (masked weights are exactly 0, so their dS is 0 too).
void attention_backward(const MatrixView& dy, const MatrixView& q, const MatrixView& k,
                        const MatrixView& v, const MatrixView& att, Index seq_len, Index n_heads,
                        MatrixRef dq, MatrixRef dk, MatrixRef dv, ProductScratch& scratch);

// Mean cross-entropy of the next token over the rows whose target is not ignored_target:
// logits (n, vocab) become the softmax probabilities in place; returns the loss (in double) and
// writes the number of counted rows. Each log-probability is logit - max - log(sum exp), so a
// probability that underflows to 0 still gives a finite loss.
double cross_entropy_forward(MatrixRef logits_to_probs, const TokenId* targets, Index& counted);
// dlogits = (probs - one_hot(target)) / counted for counted rows, 0 for ignored ones (written,
// not accumulated: nothing else reaches the logits).
void cross_entropy_backward(const MatrixView& probs, const TokenId* targets, Index counted,
                            MatrixRef dlogits);

}  // namespace spotlight
