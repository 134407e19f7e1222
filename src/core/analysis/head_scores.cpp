#include "analysis/head_scores.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "base/errors.h"

namespace spotlight {

namespace {

// Rejects maps that cannot be one sequence's (n_layers, n_heads, n, n) weights, that hold a
// non-finite weight, or whose layer and head counts differ from the first sequence's
// (first_layers = 0: this is the first sequence).
void check_maps(const AttentionMaps& maps, Index sequence, Index first_layers, Index first_heads) {
  require(maps.n_layers > 0 && maps.n_heads > 0 && maps.seq_len > 0, "attention maps of sequence ",
          sequence, " have n_layers ", maps.n_layers, ", n_heads ", maps.n_heads, ", seq_len ",
          maps.seq_len, "; each must be > 0");
  // In double, so that no product of sizes can overflow. It is exact up to 2^53, far above any
  // buffer memory holds, and a larger product cannot round down to the buffer's size.
  const double expected_size =
      static_cast<double>(maps.n_layers) * static_cast<double>(maps.n_heads) *
      static_cast<double>(maps.seq_len) * static_cast<double>(maps.seq_len);
  require(expected_size == static_cast<double>(maps.weights.size()), "attention maps of sequence ",
          sequence, " hold ", maps.weights.size(),
          " weights, expected n_layers * n_heads * seq_len^2 = ", maps.n_layers, " * ",
          maps.n_heads, " * ", maps.seq_len, "^2");
  if (first_layers > 0) {
    require(maps.n_layers == first_layers && maps.n_heads == first_heads,
            "attention maps of sequence ", sequence, " have n_layers ", maps.n_layers,
            " and n_heads ", maps.n_heads, ", the first sequence's have n_layers ", first_layers,
            " and n_heads ", first_heads);
  }
  const Index n = maps.seq_len;
  for (std::size_t cell = 0; cell < maps.weights.size(); ++cell) {
    if (std::isfinite(maps.weights[cell])) continue;
    // The cell's (layer, head, query, key), from its row-major offset.
    const auto offset = static_cast<Index>(cell);
    const Index key = offset % n, query = offset / n % n, head = offset / (n * n) % maps.n_heads;
    const Index layer = offset / (n * n * maps.n_heads);
    require(false, "attention weight (layer ", layer, ", head ", head, ", query ", query, ", key ",
            key, ") of sequence ", sequence, " is ", maps.weights[cell]);
  }
}

// The key holding the largest weight of row `query` of head (layer, head), over keys 0 .. query;
// the first of equal maxima.
Index top_key(const AttentionMaps& maps, Index layer, Index head, Index query) {
  Index best = 0;
  for (Index key = 1; key <= query; ++key) {
    if (maps.at(layer, head, query, key) > maps.at(layer, head, query, best)) best = key;
  }
  return best;
}

// sums / count, or zeros when count is 0 (no query to average).
std::vector<double> mean(std::vector<double> sums, Index count) {
  for (double& value : sums) value = count > 0 ? value / static_cast<double>(count) : 0.0;
  return sums;
}

std::size_t head_count(Index n_layers, Index n_heads) {
  return static_cast<std::size_t>(n_layers * n_heads);
}

}  // namespace

void HeadScoreAccumulator::add(const AttentionMaps& maps, const TokenSequence& tokens) {
  const Index sequence = sums_.sequences;
  check_maps(maps, sequence, sums_.n_layers, sums_.n_heads);
  const Index n = maps.seq_len;
  require(static_cast<Index>(tokens.size()) == n, "tokens of sequence ", sequence, " hold ",
          tokens.size(), " ids, its attention maps have seq_len ", n);
  if (sums_.n_layers == 0) {
    sums_.n_layers = maps.n_layers;
    sums_.n_heads = maps.n_heads;
    const std::size_t heads = head_count(maps.n_layers, maps.n_heads);
    sums_.previous_token.assign(heads, 0.0);
    sums_.first_token.assign(heads, 0.0);
    sums_.induction.assign(heads, 0.0);
    sums_.duplicate_token.assign(heads, 0.0);
  }

  // The (query i, induction key j + 1) pairs of the sequence, shared by every head: t_j = t_i and
  // j + 1 < i, so the first query that can have one is i = 2. Key j itself is the pair's
  // duplicate-token key.
  std::vector<std::pair<Index, Index>> induction_keys;
  Index induction_queries = 0;
  for (Index i = 2; i < n; ++i) {
    const std::size_t pairs_before = induction_keys.size();
    for (Index j = 0; j + 1 < i; ++j) {
      if (tokens[static_cast<std::size_t>(j)] == tokens[static_cast<std::size_t>(i)]) {
        induction_keys.emplace_back(i, j + 1);
      }
    }
    if (induction_keys.size() > pairs_before) ++induction_queries;
  }

  for (Index layer = 0; layer < maps.n_layers; ++layer) {
    for (Index head = 0; head < maps.n_heads; ++head) {
      double previous = 0.0, first = 0.0, induction = 0.0, duplicate = 0.0;
      for (Index i = 2; i < n; ++i) {
        previous += maps.at(layer, head, i, i - 1);
        first += maps.at(layer, head, i, 0);
      }
      for (const auto& [query, key] : induction_keys) {
        induction += maps.at(layer, head, query, key);
        duplicate += maps.at(layer, head, query, key - 1);
      }
      const auto index = static_cast<std::size_t>(layer * maps.n_heads + head);
      sums_.previous_token[index] += previous;
      sums_.first_token[index] += first;
      sums_.induction[index] += induction;
      sums_.duplicate_token[index] += duplicate;
    }
  }
  sums_.sequences += 1;
  sums_.positional_queries += std::max<Index>(0, n - 2);
  sums_.induction_queries += induction_queries;
}

HeadScores HeadScoreAccumulator::result() const {
  require(sums_.sequences > 0, "head scores of no sequence: add at least one");
  HeadScores scores = sums_;
  scores.previous_token = mean(sums_.previous_token, sums_.positional_queries);
  scores.first_token = mean(sums_.first_token, sums_.positional_queries);
  scores.induction = mean(sums_.induction, sums_.induction_queries);
  scores.duplicate_token = mean(sums_.duplicate_token, sums_.induction_queries);
  return scores;
}

RelationScoreAccumulator::RelationScoreAccumulator(std::string name) {
  require(!name.empty(), "the relation to score has an empty name");
  sums_.name = std::move(name);
}

void RelationScoreAccumulator::add(const AttentionMaps& maps,
                                   const std::vector<Relation>& relations) {
  const Index sequence = sequences_seen_;
  check_maps(maps, sequence, sums_.n_layers, sums_.n_heads);
  for (const Relation& relation : relations) {
    require(0 <= relation.key && relation.key <= relation.query && relation.query < maps.seq_len,
            "relation '", relation.name, "' of sequence ", sequence, " has query ", relation.query,
            " and key ", relation.key, ", expected 0 <= key <= query < seq_len ", maps.seq_len);
  }
  if (sums_.n_layers == 0) {
    sums_.n_layers = maps.n_layers;
    sums_.n_heads = maps.n_heads;
    sums_.accuracy.assign(head_count(maps.n_layers, maps.n_heads), 0.0);
    sums_.mean_weight.assign(head_count(maps.n_layers, maps.n_heads), 0.0);
  }

  Index instances = 0;
  for (const Relation& relation : relations) {
    if (relation.name != sums_.name) continue;
    ++instances;
    for (Index layer = 0; layer < maps.n_layers; ++layer) {
      for (Index head = 0; head < maps.n_heads; ++head) {
        const auto index = static_cast<std::size_t>(layer * maps.n_heads + head);
        if (top_key(maps, layer, head, relation.query) == relation.key)
          sums_.accuracy[index] += 1.0;
        sums_.mean_weight[index] += maps.at(layer, head, relation.query, relation.key);
      }
    }
  }
  if (instances > 0) {
    sums_.sequences += 1;
    sums_.instances += instances;
  }
  sequences_seen_ += 1;
}

RelationScores RelationScoreAccumulator::result() const {
  require(sums_.instances > 0, "no sequence holds relation '", sums_.name, "' (", sequences_seen_,
          " sequences added)");
  RelationScores scores = sums_;
  scores.accuracy = mean(sums_.accuracy, sums_.instances);
  scores.mean_weight = mean(sums_.mean_weight, sums_.instances);
  return scores;
}

HeadScores score_heads(const std::vector<AttentionMaps>& maps,
                       const std::vector<TokenSequence>& tokens) {
  require(!maps.empty(), "score_heads: no sequences");
  require(maps.size() == tokens.size(), "score_heads: ", maps.size(), " attention maps but ",
          tokens.size(), " token sequences");
  HeadScoreAccumulator accumulator;
  for (std::size_t s = 0; s < maps.size(); ++s) accumulator.add(maps[s], tokens[s]);
  return accumulator.result();
}

RelationScores score_relation(const std::vector<AttentionMaps>& maps,
                              const std::vector<std::vector<Relation>>& relations,
                              const std::string& name) {
  require(!maps.empty(), "score_relation: no sequences");
  require(maps.size() == relations.size(), "score_relation: ", maps.size(), " attention maps but ",
          relations.size(), " relation lists");
  RelationScoreAccumulator accumulator(name);
  for (std::size_t s = 0; s < maps.size(); ++s) accumulator.add(maps[s], relations[s]);
  return accumulator.result();
}

HeadLocation best_head(const std::vector<double>& scores, Index n_heads) {
  require(n_heads > 0, "best_head: n_heads must be > 0, got ", n_heads);
  require(!scores.empty() && scores.size() % static_cast<std::size_t>(n_heads) == 0,
          "best_head: ", scores.size(), " scores are not n_layers * n_heads for n_heads ", n_heads);
  std::size_t best = 0;
  for (std::size_t index = 0; index < scores.size(); ++index) {
    require(std::isfinite(scores[index]), "best_head: score ", index, " is ", scores[index]);
    if (scores[index] > scores[best]) best = index;
  }
  return {static_cast<Index>(best) / n_heads, static_cast<Index>(best) % n_heads};
}

}  // namespace spotlight
