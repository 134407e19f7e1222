#include "model/language_model.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>

#include "attention/attention.h"
#include "base/errors.h"
#include "base/random.h"
#include "kernels/gemm.h"
#include "kernels/gemv.h"
#include "model/transformer_ops.h"

namespace spotlight {

namespace {

// GPT-2's initial standard deviation of every matrix and embedding.
constexpr float initial_std = 0.02f;

// forward's maps at most, 1 GiB of floats: gpt2's 144 maps of 1,024 tokens are 151 M weights,
// gpt2-medium's 384 are 403 M, past it (its callers ask for one layer at a time).
constexpr double max_forward_weights = 268435456.0;

std::size_t table_index(const std::vector<ParameterInfo>& table, const std::string& name) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].name == name) return i;
  }
  throw std::logic_error("parameter table has no " + name);
}

// Fills `parameters` with GPT-2's initial weights (transformer.h says how).
void initialise(const TransformerConfig& config, const std::vector<ParameterInfo>& table,
                std::vector<float>& parameters) {
  SplitMix64 random(config.seed);
  const float residual_scale = 1.0f / std::sqrt(2.0f * static_cast<float>(config.n_layers));
  for (const ParameterInfo& info : table) {
    float* values = parameters.data() + info.offset;
    switch (info.role) {
      case ParameterRole::embedding:
      case ParameterRole::weight: {
        const float std = initial_std * (info.residual_projection ? residual_scale : 1.0f);
        const float limit = std * std::sqrt(3.0f);  // a uniform on [-a, a) has std a / sqrt(3)
        for (Index i = 0; i < info.size(); ++i) values[i] = random.uniform_symmetric(limit);
        break;
      }
      case ParameterRole::norm_gain:
        std::fill(values, values + info.size(), 1.0f);
        break;
      case ParameterRole::bias:
      case ParameterRole::norm_bias:
        break;  // zeros
    }
  }
}

}  // namespace

// The activations of one pass, one layer at a time: each block reads and rewrites x.
struct LanguageModel::Workspace {
  Matrix x;                      // (T, d_model) the residual stream
  Matrix normed;                 // (T, d_model) ln_1(x) or ln_2(x), or x without LayerNorm
  Matrix q, k, v;                // (T, d_model)
  Matrix heads;                  // (T, d_model) the heads' outputs, concatenated
  Matrix branch;                 // (T, d_model) a branch's output, before it joins x
  Matrix wide, wide_gelu;        // (T, d_mlp)
  std::vector<float> mean, rstd;  // (T) LayerNorm's statistics (not needed, but computed)
  PackedPanels panels;
};

LanguageModel::LanguageModel(const TransformerConfig& config, Weights weights)
    : config_(config), table_(spotlight::parameter_table(config)) {
  parameters_.assign(static_cast<std::size_t>(parameter_count(table_)), 0.0f);
  if (weights == Weights::gpt2_initial) initialise(config_, table_, parameters_);

  wte_ = table_index(table_, "wte");
  wpe_ = table_index(table_, "wpe");
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    const std::string prefix = "h." + std::to_string(layer) + ".";
    const auto at = [&](const char* suffix) { return table_index(table_, prefix + suffix); };
    LayerIndex index;
    if (config.layer_norm) {
      index.ln_1_weight = at("ln_1.weight");
      index.ln_1_bias = at("ln_1.bias");
    }
    index.wq = at("attn.wq");
    index.bq = at("attn.bq");
    index.wk = at("attn.wk");
    index.bk = at("attn.bk");
    index.wv = at("attn.wv");
    index.bv = at("attn.bv");
    index.wo = at("attn.wo");
    index.bo = at("attn.bo");
    if (config.mlp) {
      if (config.layer_norm) {
        index.ln_2_weight = at("ln_2.weight");
        index.ln_2_bias = at("ln_2.bias");
      }
      index.fc = at("mlp.fc");
      index.fc_bias = at("mlp.fc_bias");
      index.proj = at("mlp.proj");
      index.proj_bias = at("mlp.proj_bias");
    }
    layer_index_.push_back(index);
  }
  if (config.layer_norm) {
    ln_f_weight_ = table_index(table_, "ln_f.weight");
    ln_f_bias_ = table_index(table_, "ln_f.bias");
  }
}

const ParameterInfo& LanguageModel::parameter(const std::string& name) const {
  for (const ParameterInfo& info : table_) {
    if (info.name == name) return info;
  }
  std::string known;
  for (const ParameterInfo& info : table_) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(concat("the model has no parameter \"", name, "\"",
                                     config_.mlp && config_.layer_norm ? "" : " (with mlp ",
                                     config_.mlp ? "on" : "off", ", layerNorm ",
                                     config_.layer_norm ? "on" : "off", ")", "; it has: ", known));
}

void LanguageModel::set_parameters(
    const std::vector<std::pair<std::string, std::vector<float>>>& values) {
  std::set<std::string> seen;
  for (const auto& [name, replacement] : values) {
    const ParameterInfo& info = parameter(name);
    require(seen.insert(name).second, "parameter \"", name, "\" is given twice");
    require(static_cast<Index>(replacement.size()) == info.size(), name, " has ",
            replacement.size(), " values, expected ", info.rows, " x ", info.cols, " = ",
            info.size());
    require_finite_parameters(replacement.data(), replacement.size(), name);
  }
  for (const auto& [name, replacement] : values) store(parameter(name), replacement.data());
}

const std::vector<float>& LanguageModel::parameters() const {
  if (weights_as_panels_) {
    throw std::logic_error("parameters(): this model keeps its weights as panels; read them with "
                           "parameter_values or all_parameter_values");
  }
  return parameters_;
}

float* LanguageModel::parameter_storage(const ParameterInfo& info) {
  if (stored_as_panels(info)) {
    throw std::logic_error("parameter_storage(" + info.name + "): kept as panels; use set_parameters");
  }
  return parameters_.data() + info.offset;
}

bool LanguageModel::stored_as_panels(const ParameterInfo& info) const {
  return weights_as_panels_ && info.role == ParameterRole::weight &&
         info.cols % PanelsView::panel_width == 0;
}

std::vector<float> LanguageModel::parameter_values(const ParameterInfo& info) const {
  std::vector<float> values(static_cast<std::size_t>(info.size()));
  const float* stored = parameters_.data() + info.offset;
  if (stored_as_panels(info)) {
    unpack_panels(PanelsView{stored, info.rows, info.cols}, values.data());
  } else {
    std::copy(stored, stored + info.size(), values.begin());
  }
  return values;
}

std::vector<float> LanguageModel::all_parameter_values() const {
  std::vector<float> values(parameters_.size());
  for (const ParameterInfo& info : table_) {
    const std::vector<float> one = parameter_values(info);
    std::copy(one.begin(), one.end(), values.begin() + static_cast<std::ptrdiff_t>(info.offset));
  }
  return values;
}

void LanguageModel::store(const ParameterInfo& info, const float* values) {
  float* stored = parameters_.data() + info.offset;
  if (stored_as_panels(info)) {
    // Columns a multiple of 16: the panels take exactly rows * cols floats.
    pack_panels(Eigen::Map<const Matrix>(values, info.rows, info.cols), false, stored);
  } else {
    std::copy(values, values + info.size(), stored);
  }
}

void LanguageModel::store_weights_as_panels() {
  if (weights_as_panels_) return;
  std::vector<float> row_major;
  weights_as_panels_ = true;
  for (const ParameterInfo& info : table_) {
    if (!stored_as_panels(info)) continue;
    // One matrix at a time through a copy (gpt2's largest, mlp.fc, is 9.4 MB).
    const float* stored = parameters_.data() + info.offset;
    row_major.assign(stored, stored + info.size());
    store(info, row_major.data());
  }
}

void LanguageModel::set_all_parameters(const std::vector<float>& values) {
  require(values.size() == parameters_.size(), "the model has ", parameters_.size(),
          " parameters, got ", values.size(), " values");
  for (const ParameterInfo& info : table_) {
    require_finite_parameters(values.data() + info.offset, static_cast<std::size_t>(info.size()),
                          info.name);
  }
  for (const ParameterInfo& info : table_) store(info, values.data() + info.offset);
}

void LanguageModel::require_finite_parameters(const float* values, std::size_t count,
                                              const std::string& name) {
  for (std::size_t i = 0; i < count; ++i) {
    require(std::isfinite(values[i]), name, "[", i, "] is ", values[i],
            "; parameters must be finite numbers");
  }
}

Eigen::Map<const Matrix> LanguageModel::view(std::size_t index) const {
  const ParameterInfo& info = table_[index];
  return Eigen::Map<const Matrix>(data(index), info.rows, info.cols);
}

void LanguageModel::validate_tokens(const TokenId* tokens, Index count, const char* name) const {
  require(count >= 1 && count <= config_.context_length, "seq_len must be between 1 and the ",
          "context length ", config_.context_length, ", got ", count);
  for (Index i = 0; i < count; ++i) {
    require(tokens[i] >= 0 && tokens[i] < config_.vocab_size, name, "[", i, "] is token ",
            tokens[i], ", outside the vocabulary of ", config_.vocab_size, " (ids 0 to ",
            config_.vocab_size - 1, ")");
  }
}

void LanguageModel::validate_layer(Index layer) const {
  require(layer >= 0 && layer < config_.n_layers, "layer ", layer, " does not exist: the model has ",
          config_.n_layers, " layer", config_.n_layers == 1 ? "" : "s", " (0 .. ",
          config_.n_layers - 1, ")");
}

void LanguageModel::embed(const TokenId* tokens, Index count, Index first_position,
                          Matrix& x) const {
  x.resize(count, config_.d_model);
  embedding_forward(tokens, count, view(wte_), view(wpe_), x, first_position);
}

namespace {

// out = LayerNorm(x) with the entries gain, bias of the table, or x itself without LayerNorm.
template <typename Work>
void normalise(const TransformerConfig& config, const MatrixView& x, const float* gain,
               const float* bias, Work& work) {
  work.normed.resize(x.rows(), x.cols());
  if (!config.layer_norm) {
    work.normed = x;
    return;
  }
  work.mean.resize(static_cast<std::size_t>(x.rows()));
  work.rstd.resize(static_cast<std::size_t>(x.rows()));
  layernorm_forward(x, gain, bias, work.normed, work.mean.data(), work.rstd.data(),
                    config.layer_norm_epsilon);
}

}  // namespace

void LanguageModel::project_qkv(Index layer, Workspace& work) const {
  const LayerIndex& index = layer_index_[static_cast<std::size_t>(layer)];
  normalise(config_, work.x, data(index.ln_1_weight), data(index.ln_1_bias), work);
  const Index n = work.x.rows(), d = config_.d_model;
  work.q.resize(n, d);
  work.k.resize(n, d);
  work.v.resize(n, d);
  linear(work.normed, index.wq, index.bq, work.q, work);
  linear(work.normed, index.wk, index.bk, work.k, work);
  linear(work.normed, index.wv, index.bv, work.v, work);
}

void LanguageModel::linear(const Matrix& x, std::size_t weight, std::size_t bias, Matrix& y,
                           Workspace& work) const {
  const ParameterInfo& info = table_[weight];
  if (!stored_as_panels(info)) {
    linear_forward(x, view(weight), data(bias), y, work.panels);
    return;
  }
  const PanelsView panels{data(weight), info.rows, info.cols};
  if (x.rows() == 1) {  // one token being decoded (gemv.h)
    row_times_panels(x.data(), panels, 1.0f, false, y.data());
  } else {
    gemm(x, panels, 0, 0, info.cols, Accumulate::no, y);
  }
  y.rowwise() += Eigen::Map<const RowVector>(data(bias), info.cols);
}

void LanguageModel::attention_block(Index layer, Workspace& work, Matrix* maps) const {
  project_qkv(layer, work);
  const Index n = work.x.rows(), d_head = config_.d_head();
  work.heads.resize(n, config_.d_model);
  if (maps != nullptr) maps->resize(config_.n_heads * n, n);
  AttentionOptions options;
  options.causal = true;
  options.scale = config_.attention_scale(layer);
  in_layer(layer, "attention", [&] {
    for (Index h = 0; h < config_.n_heads; ++h) {
      const Index first = h * d_head;
      std::optional<MatrixRef> weights;
      if (maps != nullptr) weights.emplace(maps->middleRows(h * n, n));
      attention_into(work.q.middleCols(first, d_head), work.k.middleCols(first, d_head),
                     work.v.middleCols(first, d_head), 1.0f, options,
                     work.heads.middleCols(first, d_head), weights);
    }
  });
  add_attention_output(layer, work);
}

void LanguageModel::add_attention_output(Index layer, Workspace& work) const {
  const LayerIndex& index = layer_index_[static_cast<std::size_t>(layer)];
  work.branch.resize(work.x.rows(), config_.d_model);
  linear(work.heads, index.wo, index.bo, work.branch, work);
  work.x += work.branch;
}

void LanguageModel::mlp_block(Index layer, Workspace& work) const {
  if (!config_.mlp) return;
  const LayerIndex& index = layer_index_[static_cast<std::size_t>(layer)];
  normalise(config_, work.x, data(index.ln_2_weight), data(index.ln_2_bias), work);
  const Index n = work.x.rows();
  work.wide.resize(n, config_.d_mlp());
  work.wide_gelu.resize(n, config_.d_mlp());
  work.branch.resize(n, config_.d_model);
  linear(work.normed, index.fc, index.fc_bias, work.wide, work);
  gelu_forward(work.wide, work.wide_gelu);
  linear(work.wide_gelu, index.proj, index.proj_bias, work.branch, work);
  work.x += work.branch;
}

void LanguageModel::run_blocks(const TokenSequence& tokens, Index layers, Workspace& work,
                               std::vector<Matrix>* maps) const {
  embed(tokens.data(), static_cast<Index>(tokens.size()), 0, work.x);
  for (Index layer = 0; layer < layers; ++layer) {
    attention_block(layer, work, maps ? &(*maps)[static_cast<std::size_t>(layer)] : nullptr);
    mlp_block(layer, work);
  }
}

Matrix LanguageModel::final_logits(Workspace& work, Index first_row) const {
  const Index rows = work.x.rows() - first_row;
  const auto stream = work.x.bottomRows(rows);
  normalise(config_, stream, data(ln_f_weight_), data(ln_f_bias_), work);
  Matrix logits(rows, config_.vocab_size);
  // Against the embedding where it lies (gemm.h): packing wte^T would rewrite all of it (154 MB
  // for gpt2) for each call, more than the product itself costs over a short text.
  gemm_in_place(work.normed, view(wte_), true, Accumulate::no, logits);
  for (Index i = 0; i < logits.size(); ++i) {
    require(std::isfinite(logits.data()[i]), "the model's logits left float's range (",
            logits.data()[i], " at position ", first_row + i / config_.vocab_size, ")");
  }
  return logits;
}

Matrix LanguageModel::logits(const TokenSequence& tokens, Index first_position) const {
  const auto n = static_cast<Index>(tokens.size());
  validate_tokens(tokens.data(), n, "tokens");
  require(first_position >= 0 && first_position < n, "first_position must be between 0 and ",
          n - 1, " (the sequence has ", n, " tokens), got ", first_position);
  Workspace work;
  run_blocks(tokens, config_.n_layers, work, nullptr);
  return final_logits(work, first_position);
}

Matrix LanguageModel::attention(const TokenSequence& tokens, Index layer) const {
  validate_tokens(tokens.data(), static_cast<Index>(tokens.size()), "tokens");
  validate_layer(layer);
  Workspace work;
  run_blocks(tokens, layer, work, nullptr);
  Matrix maps;
  attention_block(layer, work, &maps);
  return maps;
}

Matrix LanguageModel::attention_row(const TokenSequence& tokens, Index layer, Index query) const {
  const auto n = static_cast<Index>(tokens.size());
  validate_tokens(tokens.data(), n, "tokens");
  validate_layer(layer);
  require(query >= 0 && query < n, "query ", query, " does not exist: the sequence has ", n,
          " tokens (0 .. ", n - 1, ")");
  Workspace work;
  run_blocks(tokens, layer, work, nullptr);
  project_qkv(layer, work);
  const Index d_head = config_.d_head(), keys = query + 1;
  Matrix rows(config_.n_heads, keys), output(1, d_head);
  AttentionOptions options;
  options.scale = config_.attention_scale(layer);
  in_layer(layer, "attention", [&] {
    for (Index h = 0; h < config_.n_heads; ++h) {
      const Index first = h * d_head;
      attention_into(work.q.block(query, first, 1, d_head),
                     work.k.block(0, first, keys, d_head), work.v.block(0, first, keys, d_head),
                     1.0f, options, output, MatrixRef(rows.row(h)));
    }
  });
  return rows;
}

TransformerOutput LanguageModel::forward(const TokenSequence& tokens) const {
  TransformerOutput output;
  Workspace work;
  output.attention = all_maps(tokens, work);
  output.logits = final_logits(work, 0);
  return output;
}

AttentionMaps LanguageModel::attention_maps(const TokenSequence& tokens) const {
  Workspace work;
  return all_maps(tokens, work);
}

AttentionMaps LanguageModel::all_maps(const TokenSequence& tokens, Workspace& work) const {
  const auto n = static_cast<Index>(tokens.size());
  validate_tokens(tokens.data(), n, "tokens");
  // In double: the product can pass Index's range in wasm32, which is why it is refused.
  const double weights = static_cast<double>(config_.n_layers) * static_cast<double>(config_.n_heads) *
                         static_cast<double>(n) * static_cast<double>(n);
  require(weights <= max_forward_weights, "forward holds every layer's attention maps: ", weights,
          " weights for ", n, " tokens, more than the limit of ", max_forward_weights,
          "; ask for one layer's maps (attention) or the logits alone");
  std::vector<Matrix> maps(static_cast<std::size_t>(config_.n_layers));
  run_blocks(tokens, config_.n_layers, work, &maps);
  AttentionMaps attention;
  attention.n_layers = config_.n_layers;
  attention.n_heads = config_.n_heads;
  attention.seq_len = n;
  attention.weights.reserve(static_cast<std::size_t>(config_.n_layers * config_.n_heads * n * n));
  for (const Matrix& layer : maps) {
    attention.weights.insert(attention.weights.end(), layer.data(), layer.data() + layer.size());
  }
  return attention;
}

namespace {

// Block maxima of one (n, n) map into (side, side) at out (row-major), side <= n.
void reduce_by_block_maxima(const float* map, Index n, Index side, float* out) {
  for (Index a = 0; a < side; ++a) {
    const Index row_begin = a * n / side, row_end = (a + 1) * n / side;
    for (Index b = 0; b < side; ++b) {
      const Index col_begin = b * n / side, col_end = (b + 1) * n / side;
      float largest = 0.0f;
      for (Index i = row_begin; i < row_end; ++i) {
        const float* row = map + i * n;
        for (Index j = col_begin; j < col_end; ++j) largest = std::max(largest, row[j]);
      }
      out[a * side + b] = largest;
    }
  }
}

}  // namespace

AttentionOverview LanguageModel::overview(const TokenSequence& tokens, Index layer,
                                          Index side) const {
  const auto n = static_cast<Index>(tokens.size());
  validate_tokens(tokens.data(), n, "tokens");
  validate_layer(layer);
  require(side >= 1, "side must be at least 1, got ", side);
  AttentionOverview result;
  result.side = std::min(side, n);
  result.layer = layer;
  const Index s = result.side, heads = config_.n_heads;
  result.reduced.resize(config_.n_layers * heads * s, s);
  Workspace work;
  embed(tokens.data(), n, 0, work.x);
  Matrix maps;
  for (Index l = 0; l < config_.n_layers; ++l) {
    attention_block(l, work, &maps);
    // Reduced maps are stored row-major per head; Matrix is row-major, so head h of layer l
    // starts at row (l heads + h) s.
    for (Index h = 0; h < heads; ++h) {
      reduce_by_block_maxima(maps.data() + h * n * n, n, s,
                             result.reduced.data() + (l * heads + h) * s * s);
    }
    if (l == layer) result.layer_maps = maps;
    mlp_block(l, work);
  }
  result.last_logits = final_logits(work, n - 1).row(0);
  return result;
}

LayerTrace LanguageModel::trace(const TokenSequence& tokens, Index layer) const {
  validate_tokens(tokens.data(), static_cast<Index>(tokens.size()), "tokens");
  validate_layer(layer);
  Workspace work;
  run_blocks(tokens, layer, work, nullptr);
  const LayerIndex& index = layer_index_[static_cast<std::size_t>(layer)];
  normalise(config_, work.x, data(index.ln_1_weight), data(index.ln_1_bias), work);

  SimpleAttention attention(config_.d_model, config_.n_heads);
  const auto set = [&](Projection which, std::size_t weight, std::size_t bias) {
    const std::vector<float> values = parameter_values(table_[weight]);
    attention.set_weight(which, values.data(), values.size());
    attention.set_bias(which, data(bias), static_cast<std::size_t>(table_[bias].size()));
  };
  set(Projection::query, index.wq, index.bq);
  set(Projection::key, index.wk, index.bk);
  set(Projection::value, index.wv, index.bv);
  set(Projection::output, index.wo, index.bo);

  LayerTrace result;
  result.layer = layer;
  result.input = work.normed;
  AttentionOptions options;
  options.causal = true;
  options.scale = config_.attention_scale(layer);
  result.attention = attention.trace(result.input, options);
  return result;
}

KvCache LanguageModel::start_decoding() const {
  KvCache cache;
  cache.keys.assign(static_cast<std::size_t>(config_.n_layers),
                    Matrix(config_.context_length, config_.d_model));
  cache.values = cache.keys;
  return cache;
}

RowVector LanguageModel::decode(const TokenSequence& tokens, KvCache& cache) const {
  const auto count = static_cast<Index>(tokens.size());
  validate_tokens(tokens.data(), count, "tokens");
  require(static_cast<Index>(cache.keys.size()) == config_.n_layers &&
              static_cast<Index>(cache.values.size()) == config_.n_layers &&
              cache.length >= 0 && cache.length <= config_.context_length,
          "the cache does not belong to this model (start it with start_decoding)");
  require(cache.length + count <= config_.context_length, "the cache holds ", cache.length,
          " positions and ", count, " more would pass the context length ",
          config_.context_length);
  // After the first call, one token at a time: a query then sees every cached key, so no mask is
  // needed (the causal mask of masks.h is aligned to position 0, which only a first call is).
  if (cache.length > 0 && count > 1) {
    RowVector last;
    for (const TokenId token : tokens) last = decode(TokenSequence{token}, cache);
    return last;
  }
  const Index start = cache.length, end = start + count, d_head = config_.d_head();
  Workspace work;
  embed(tokens.data(), count, start, work.x);
  cache.last_attention.resize(config_.n_layers * config_.n_heads, end);
  Matrix last_output(1, d_head);
  for (Index layer = 0; layer < config_.n_layers; ++layer) {
    project_qkv(layer, work);
    Matrix& keys = cache.keys[static_cast<std::size_t>(layer)];
    Matrix& values = cache.values[static_cast<std::size_t>(layer)];
    keys.middleRows(start, count) = work.k;
    values.middleRows(start, count) = work.v;
    work.heads.resize(count, config_.d_model);
    AttentionOptions options;
    options.causal = count > 1;
    options.scale = config_.attention_scale(layer);
    AttentionOptions last_row_options;
    last_row_options.scale = options.scale;
    in_layer(layer, "attention", [&] {
      for (Index h = 0; h < config_.n_heads; ++h) {
        const Index first = h * d_head;
        const auto head_keys = keys.block(0, first, end, d_head);
        const auto head_values = values.block(0, first, end, d_head);
        MatrixRef last_row(cache.last_attention.row(layer * config_.n_heads + h));
        if (count == 1) {
          attention_into(work.q.middleCols(first, d_head), head_keys, head_values, 1.0f, options,
                         work.heads.middleCols(first, d_head), last_row);
          continue;
        }
        attention_into(work.q.middleCols(first, d_head), head_keys, head_values, 1.0f, options,
                       work.heads.middleCols(first, d_head), std::nullopt);
        // The last position's row alone, for the caller to show where it looked.
        attention_into(work.q.block(count - 1, first, 1, d_head), head_keys, head_values, 1.0f,
                       last_row_options, last_output, last_row);
      }
    });
    add_attention_output(layer, work);
    mlp_block(layer, work);
  }
  cache.length = end;
  return final_logits(work, count - 1).row(0);
}

}  // namespace spotlight
