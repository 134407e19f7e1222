// Head detectors: scores that say what each head of a trained model does, computed from its
// attention weights on held-out sequences. The caller runs the model and hands over the maps;
// nothing here sees the model.
//
// Notation. A sequence holds n = seq_len tokens t_0 .. t_{n-1}; its maps A are (n_layers,
// n_heads, n, n) with A[l, h, i, j] the weight query i gives key j (sequences.h). Every score is
// one vector of n_layers * n_heads values, layer-major: head (l, h) at index l * n_heads + h.
//
//   previous_token  mean over queries i >= 2 of A[l, h, i, i - 1]: 1 for a head that always
//                   looks one token back.
//   first_token     mean over queries i >= 2 of A[l, h, i, 0]: the attention sink.
//                   Queries 0 and 1 are left out of both, as they cannot tell the two apart:
//                   causal attention lets query 0 see key 0 alone (every head would count as a
//                   perfect sink there), and for query 1 key 0 is also the previous token. So a
//                   previous-token head scores 0 as a sink and a sink 0 as a previous-token head.
//   induction       prefix matching, as Olsson et al. (2022): the induction keys of query i are
//                   the positions j + 1 just after an earlier occurrence of its token, t_j = t_i,
//                   with j + 1 < i. A query's score is the sum of its weights on its induction
//                   keys; the head's score is the mean over the queries that have at least one.
//                   Queries without one are not counted.
//                   The edge j + 1 = i (a doubled token, t_{i-1} = t_i) is left out: the token
//                   after that occurrence is the query itself, and counting it would credit a
//                   head for looking at itself. A query whose only earlier occurrence is i - 1
//                   thus has no induction key. On a repeated random sequence of period P (P
//                   distinct tokens, then the same P again), each query i >= P has exactly one
//                   induction key, i - P + 1. Use P >= 3: for P = 2 that key is i - 1, and a
//                   previous-token head scores 1 as well.
//   duplicate_token the same queries and occurrences, scored at the occurrence itself: the sum of
//                   query i's weights on the earlier positions j with t_j = t_i and j + 1 < i
//                   (again without a doubled token's j = i - 1, where a previous-token head
//                   would score). A duplicate-token head finds the earlier copy; an induction
//                   head the token after it. On a repeated random sequence, key i - P.
//
// The means are pooled: every scored query of every sequence weighs the same, so a longer
// sequence weighs more. A score with no query to average (every sequence shorter than 3
// tokens; no token repeated) is 0, and its query count in HeadScores says so.
//
//   relation accuracy  as Clark et al. (2019) score BERT's heads: for each instance of a named
//                   relation (query, key) in a sequence (sequences.h), the head is right when the
//                   largest weight of row `query`, over keys 0 .. query, falls on `key`. Ties go
//                   to the lowest position (the first maximum), so a uniform row points at key 0.
//                   accuracy is the share of instances the head gets right; mean_weight is the
//                   mean of A[l, h, query, key] over them, the softer number.
//
// Weights past the query (zero under the causal mask) are validated as finite but never read.
//
// The accumulators take one sequence at a time, so a caller (the page, every few training steps)
// need not hold thousands of maps; score_heads and score_relation do the same over whole lists.
// Errors: std::invalid_argument naming the sequence and the values seen, for maps whose size is
// not n_layers * n_heads * seq_len^2, maps of a layer or head count other than the first
// sequence's, tokens of a length other than seq_len, relation positions outside 0 <= key <=
// query < seq_len, non-finite weights, and empty input. A rejected sequence leaves an
// accumulator as it was.
#pragma once

#include <string>
#include <vector>

#include "base/matrix.h"
#include "base/sequences.h"

namespace spotlight {

// Scores of every head, each (n_layers * n_heads), layer-major.
struct HeadScores {
  Index n_layers = 0;
  Index n_heads = 0;
  Index sequences = 0;
  Index positional_queries = 0;  // queries i >= 2, behind previous_token and first_token
  Index induction_queries = 0;   // queries with at least one induction key, behind induction
  std::vector<double> previous_token;
  std::vector<double> first_token;
  std::vector<double> induction;
  std::vector<double> duplicate_token;  // over the induction queries too
};

// One relation's scores of every head, each (n_layers * n_heads), layer-major.
struct RelationScores {
  std::string name;
  Index n_layers = 0;
  Index n_heads = 0;
  Index sequences = 0;  // sequences holding the relation at least once
  Index instances = 0;  // instances scored: each counts once, also when a sequence holds several
  std::vector<double> accuracy;
  std::vector<double> mean_weight;
};

class HeadScoreAccumulator {
 public:
  // maps: one sequence's (n_layers, n_heads, n, n); tokens: its n ids. The first sequence fixes
  // n_layers and n_heads; n may differ from sequence to sequence.
  void add(const AttentionMaps& maps, const TokenSequence& tokens);

  // Throws when no sequence was added.
  HeadScores result() const;

 private:
  HeadScores sums_;  // the numerators of the means, divided in result()
};

class RelationScoreAccumulator {
 public:
  explicit RelationScoreAccumulator(std::string name);

  // maps: one sequence's (n_layers, n_heads, n, n); relations: all of its relations, each
  // validated, those named `name` scored. The first sequence fixes n_layers and n_heads.
  void add(const AttentionMaps& maps, const std::vector<Relation>& relations);

  // Throws when no sequence added held the relation.
  RelationScores result() const;

 private:
  RelationScores sums_;  // the numerators of the means, divided in result()
  Index sequences_seen_ = 0;
};

// maps[s] and tokens[s] belong to sequence s; both lists as long, and not empty.
HeadScores score_heads(const std::vector<AttentionMaps>& maps,
                       const std::vector<TokenSequence>& tokens);

// maps[s] and relations[s] belong to sequence s; both lists as long, and not empty.
RelationScores score_relation(const std::vector<AttentionMaps>& maps,
                              const std::vector<std::vector<Relation>>& relations,
                              const std::string& name);

struct HeadLocation {
  Index layer = 0;
  Index head = 0;
};

// The head with the highest of `scores` (n_layers * n_heads, layer-major, finite); ties go to the
// lowest index (the lowest layer, then the lowest head).
HeadLocation best_head(const std::vector<double>& scores, Index n_heads);

}  // namespace spotlight
