// Designed heads: W_q, W_k (and b_q, b_k) built by formula, not drawn at random, so that a head
// shows a known pattern on any text embedded by embed_tokens (embeddings.h) with positions on.
// They show which relations a head CAN express with one bilinear score q_i . k_j; a trained model
// finds such weights by learning.
//
// Notation. x_i is row i of the embedded input. Its columns 2p and 2p+1 of the lower half hold
// (sin, cos)(w_p i) with w_p = 10000^(-2p / d_model), and nothing else (embeddings.h). A head has
// d_head output columns; "pair m" is its output columns (2m, 2m+1). G is a gain. The attention
// divides q.k by sqrt(d_head), so every design multiplies its weights by sqrt(G sqrt(d_head) / Z)
// with the normaliser Z given below, making the logit exactly G f / Z.
//
//   previous_token  pairs p = 0 .. P-1 (the fastest), P = min(d_head/2, d_model/4), G = 16, Z = 1:
//                   q rotates pair p back by one position: (sin, cos)(w_p (i - 1)); k copies it.
//                   f(i, j) = sum_p cos(w_p (i - 1 - j)), largest at j = i - 1.
//   first_token     the same pairs; q is the constant bias (0, 1) per pair, i.e. (sin, cos)(0),
//                   W_q = 0; k copies the pair. f(i, j) = sum_p cos(w_p j), largest at j = 0.
//   same_token      the last m = min(d_head, d_model - d_model/2) input columns (the slowest
//                   positional columns, where the token vector lives), copied to q and k with
//                   the bias -PE(0) on those columns, which removes the near-constant positional
//                   part. G = 32, Z = m. f(i, j) ~ t_i . t_j / m: about 1.02 for equal tokens,
//                   0 +- 1/sqrt(m) otherwise.
//   local_window    P pairs spread evenly over the lower half; q scales pair p by the Dirichlet
//                   weight D_p = sum_{s=-k..k} cos(s w_p), which sums the rotations by every shift
//                   s in [-k, k]; k copies the pair. f(i, j) = sum_p D_p cos(w_p (i - j)),
//                   G = 16, Z = sum_p D_p: a bump over |i - j| <= k.
//   uniform         W_q = W_k = 0, no bias: every logit is 0, every weight 1/n_k.
//
// Limits: the positional designs need d_head >= 2 and d_model >= 4; their guarantees (tested in
// tests/core/attention/test_designed_heads.cpp for sentences of 5 to 50 tokens) hold from d_head = 8, d_model = 32.
// same_token holds on every row from d_head = 32; with 16 columns two words occasionally look alike
// (their signs agree on 15 of 16 columns), so it holds on average there.
// Scaling off or a temperature other than 1 changes the gain, as for any head.
#pragma once

#include <string>

#include "base/matrix.h"

namespace spotlight {

enum class HeadPattern { previous_token, same_token, first_token, local_window, uniform };

// The query and key columns of one head: w_q, w_k (d_model, d_head); b_q, b_k (1, d_head).
struct HeadProjection {
  Matrix w_q, w_k;
  RowVector b_q, b_k;
};

// The widest local_window: four times the longest sequence the page shows (1,024 tokens).
constexpr int max_local_window = 4096;

// Throws std::invalid_argument for sizes a pattern cannot use, naming them, and for a window
// outside [0, max_local_window].
HeadProjection designed_head(HeadPattern pattern, Index d_model, Index d_head, int window = 2);

// "previous_token", "same_token", "first_token", "local_window", "uniform"; throws
// std::invalid_argument naming the unknown name and the known ones.
HeadPattern head_pattern_from_name(const std::string& name);

}  // namespace spotlight
