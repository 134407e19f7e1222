#include "model/transformer.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include "base/errors.h"
#include "base/random.h"

namespace spotlight {

namespace {

// GPT-2's initial standard deviation of every matrix and embedding.
constexpr float initial_std = 0.02f;

// Bounds on one batch, so that its buffers stay far below the wasm module's memory: the logits
// and their gradient are (batch seq_len, vocab) each.
constexpr Index max_batch_rows = Index{1} << 16;
constexpr Index max_batch_logits = Index{1} << 24;

std::size_t table_index(const std::vector<ParameterInfo>& table, const std::string& name) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].name == name) return i;
  }
  throw std::logic_error("parameter table has no " + name);
}

// Rethrows an error of the attention inside a layer with the layer named, so a user of the model
// learns where its activations went wrong rather than about an input they never passed.
template <typename Function>
void in_layer(Index layer, const char* part, Function&& function) {
  try {
    function();
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(concat("the model's activations left float's range in layer ",
                                       layer, " (", part, "): ", error.what()));
  }
}

void require_finite_values(const float* values, std::size_t count, const std::string& name) {
  for (std::size_t i = 0; i < count; ++i) {
    require(std::isfinite(values[i]), name, "[", i, "] is ", values[i],
            "; parameters must be finite numbers");
  }
}

}  // namespace

TinyTransformer::TinyTransformer(const TransformerConfig& config)
    : config_(config), table_(spotlight::parameter_table(config)) {
  const auto count = static_cast<std::size_t>(parameter_count(table_));
  parameters_.assign(count, 0.0f);
  gradients_.assign(count, 0.0f);

  SplitMix64 random(config.seed);
  const float residual_scale = 1.0f / std::sqrt(2.0f * static_cast<float>(config.n_layers));
  for (const ParameterInfo& info : table_) {
    float* values = parameters_.data() + info.offset;
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

const ParameterInfo& TinyTransformer::parameter(const std::string& name) const {
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

void TinyTransformer::set_parameters(
    const std::vector<std::pair<std::string, std::vector<float>>>& values) {
  std::set<std::string> seen;
  for (const auto& [name, replacement] : values) {
    const ParameterInfo& info = parameter(name);
    require(seen.insert(name).second, "parameter \"", name, "\" is given twice");
    require(static_cast<Index>(replacement.size()) == info.size(), name, " has ",
            replacement.size(), " values, expected ", info.rows, " x ", info.cols, " = ",
            info.size());
    require_finite_values(replacement.data(), replacement.size(), name);
  }
  for (const auto& [name, replacement] : values) {
    std::copy(replacement.begin(), replacement.end(), parameters_.begin() + parameter(name).offset);
  }
}

void TinyTransformer::set_all_parameters(const std::vector<float>& values) {
  require(values.size() == parameters_.size(), "the model has ", parameters_.size(),
          " parameters, got ", values.size(), " values");
  for (const ParameterInfo& info : table_) {
    require_finite_values(values.data() + info.offset, static_cast<std::size_t>(info.size()),
                          info.name);
  }
  parameters_ = values;
}

void TinyTransformer::set_optimizer_state(AdamWState state) {
  const std::size_t count = parameters_.size();
  require(state.step >= 0, "the optimizer's step must be >= 0, got ", state.step);
  require(state.m.size() == count && state.v.size() == count,
          "the optimizer state has ", state.m.size(), " and ", state.v.size(),
          " moments, expected ", count, " each");
  require_finite_values(state.m.data(), count, "the optimizer's m");
  require_finite_values(state.v.data(), count, "the optimizer's v");
  for (std::size_t i = 0; i < count; ++i) {
    require(state.v[i] >= 0.0f, "the optimizer's v[", i, "] is ", state.v[i],
            "; second moments are >= 0");
  }
  optimizer_ = std::move(state);
}

Eigen::Map<const Matrix> TinyTransformer::view(const ParameterInfo& info) const {
  return Eigen::Map<const Matrix>(data(info), info.rows, info.cols);
}

Eigen::Map<Matrix> TinyTransformer::gradient_view(const ParameterInfo& info) {
  return Eigen::Map<Matrix>(gradient_data(info), info.rows, info.cols);
}

void TinyTransformer::validate_batch(const TokenId* inputs, const TokenId* targets, Index batch,
                                     Index seq_len, const char* inputs_name) const {
  require(batch >= 1, "batch must be >= 1, got ", batch);
  require(seq_len >= 1 && seq_len <= config_.context_length, "seq_len must be between 1 and the ",
          "context length ", config_.context_length, ", got ", seq_len);
  require(batch <= max_batch_rows / seq_len, "batch * seq_len = ", batch, " * ", seq_len,
          " is more than the limit of ", max_batch_rows, " positions");
  require(batch * seq_len <= max_batch_logits / config_.vocab_size,
          "batch * seq_len * vocab_size = ", batch * seq_len * config_.vocab_size,
          " logits is more than the limit of ", max_batch_logits, "; use a smaller batch");
  const Index n = batch * seq_len;
  for (Index i = 0; i < n; ++i) {
    require(inputs[i] >= 0 && inputs[i] < config_.vocab_size, inputs_name, "[", i, "] is token ",
            inputs[i], ", outside the vocabulary of ", config_.vocab_size, " (ids 0 to ",
            config_.vocab_size - 1, ")");
  }
  if (targets == nullptr) return;
  bool any_counted = false;
  for (Index i = 0; i < n; ++i) {
    require(targets[i] == ignored_target || (targets[i] >= 0 && targets[i] < config_.vocab_size),
            "targets[", i, "] is ", targets[i], ", neither -1 (ignored) nor a token id 0 to ",
            config_.vocab_size - 1);
    any_counted = any_counted || targets[i] != ignored_target;
  }
  require(any_counted, "every one of the ", n, " targets is -1 (ignored): there is nothing to learn");
}

void TinyTransformer::resize_activations(Activations& acts, Index batch, Index seq_len) const {
  if (acts.batch == batch && acts.seq_len == seq_len) return;
  const Index n = batch * seq_len, d = config_.d_model, wide = 4 * d;
  const auto statistics = [&](std::vector<float>& values) { values.assign(static_cast<std::size_t>(n), 0.0f); };
  acts.layers.resize(static_cast<std::size_t>(config_.n_layers));
  for (LayerActivations& layer : acts.layers) {
    layer.residual_in.resize(n, d);
    layer.q.resize(n, d);
    layer.k.resize(n, d);
    layer.v.resize(n, d);
    layer.att.resize(batch * config_.n_heads * seq_len, seq_len);
    layer.heads.resize(n, d);
    layer.residual_mid.resize(n, d);
    if (config_.layer_norm) {
      layer.ln_1.resize(n, d);
      statistics(layer.ln_1_mean);
      statistics(layer.ln_1_rstd);
    }
    if (config_.mlp) {
      if (config_.layer_norm) {
        layer.ln_2.resize(n, d);
        statistics(layer.ln_2_mean);
        statistics(layer.ln_2_rstd);
      }
      layer.fc.resize(n, wide);
      layer.fc_gelu.resize(n, wide);
    }
  }
  acts.residual_out.resize(n, d);
  if (config_.layer_norm) {
    acts.ln_f.resize(n, d);
    statistics(acts.ln_f_mean);
    statistics(acts.ln_f_rstd);
  }
  acts.logits.resize(n, config_.vocab_size);
  acts.batch = batch;
  acts.seq_len = seq_len;
}

void TinyTransformer::forward_pass(const TokenId* inputs, Activations& acts,
                                   PackedPanels& panels) const {
  const Index seq_len = acts.seq_len;
  const auto p = [&](std::size_t index) { return view(table_[index]); };
  const auto bias = [&](std::size_t index) { return data(table_[index]); };

  embedding_forward(inputs, seq_len, p(wte_), p(wpe_), acts.layers[0].residual_in);
  for (Index l = 0; l < config_.n_layers; ++l) {
    LayerActivations& layer = acts.layers[static_cast<std::size_t>(l)];
    const LayerIndex& index = layer_index_[static_cast<std::size_t>(l)];
    Matrix& out = l + 1 < config_.n_layers ? acts.layers[static_cast<std::size_t>(l + 1)].residual_in
                                           : acts.residual_out;
    // x = x + attn(ln_1(x))
    if (config_.layer_norm) {
      layernorm_forward(layer.residual_in, bias(index.ln_1_weight), bias(index.ln_1_bias),
                        layer.ln_1, layer.ln_1_mean.data(), layer.ln_1_rstd.data());
    }
    const Matrix& attn_in = config_.layer_norm ? layer.ln_1 : layer.residual_in;
    linear_forward(attn_in, p(index.wq), bias(index.bq), layer.q, panels);
    linear_forward(attn_in, p(index.wk), bias(index.bk), layer.k, panels);
    linear_forward(attn_in, p(index.wv), bias(index.bv), layer.v, panels);
    in_layer(l, "attention", [&] {
      attention_forward(layer.q, layer.k, layer.v, seq_len, config_.n_heads, layer.heads, layer.att);
    });
    linear_forward(layer.heads, p(index.wo), bias(index.bo), layer.residual_mid, panels);
    layer.residual_mid += layer.residual_in;
    if (!config_.mlp) {
      out = layer.residual_mid;
      continue;
    }
    // x = x + mlp(ln_2(x))
    if (config_.layer_norm) {
      layernorm_forward(layer.residual_mid, bias(index.ln_2_weight), bias(index.ln_2_bias),
                        layer.ln_2, layer.ln_2_mean.data(), layer.ln_2_rstd.data());
    }
    const Matrix& mlp_in = config_.layer_norm ? layer.ln_2 : layer.residual_mid;
    linear_forward(mlp_in, p(index.fc), bias(index.fc_bias), layer.fc, panels);
    gelu_forward(layer.fc, layer.fc_gelu);
    linear_forward(layer.fc_gelu, p(index.proj), bias(index.proj_bias), out, panels);
    out += layer.residual_mid;
  }
  if (config_.layer_norm) {
    layernorm_forward(acts.residual_out, bias(ln_f_weight_), bias(ln_f_bias_), acts.ln_f,
                      acts.ln_f_mean.data(), acts.ln_f_rstd.data());
  }
  const Matrix& final_features = config_.layer_norm ? acts.ln_f : acts.residual_out;
  product(final_features, p(wte_), true, acts.logits, Accumulate::no, 1.0f, panels);
}

void TinyTransformer::backward_pass(const TokenId* inputs, Activations& acts) {
  const Index seq_len = acts.seq_len, n = acts.batch * seq_len, d = config_.d_model;
  const auto p = [&](std::size_t index) { return view(table_[index]); };
  const auto bias = [&](std::size_t index) { return data(table_[index]); };
  const auto grad = [&](std::size_t index) { return gradient_view(table_[index]); };
  const auto grad_data = [&](std::size_t index) { return gradient_data(table_[index]); };
  const auto zeroed = [](Matrix& m, Index rows, Index cols) { m.setZero(rows, cols); };
  const bool layer_norm = config_.layer_norm;

  // logits = f wte^T: df = dlogits wte, dwte += dlogits^T f
  const Matrix& final_features = layer_norm ? acts.ln_f : acts.residual_out;
  zeroed(acts.d_residual, n, d);
  zeroed(acts.d_branch_in, n, d);
  Matrix& d_final = layer_norm ? acts.d_branch_in : acts.d_residual;
  product(acts.d_logits, p(wte_), false, d_final, Accumulate::no, 1.0f, scratch_.panels);
  scratch_.transposed.resize(acts.d_logits.cols(), acts.d_logits.rows());
  scratch_.transposed = acts.d_logits.transpose();
  product(scratch_.transposed, final_features, false, grad(wte_), Accumulate::yes, 1.0f,
          scratch_.panels);
  if (layer_norm) {
    layernorm_backward(acts.d_branch_in, acts.residual_out, bias(ln_f_weight_),
                       acts.ln_f_mean.data(), acts.ln_f_rstd.data(), acts.d_residual,
                       grad_data(ln_f_weight_), grad_data(ln_f_bias_));
  }

  // Each block, last first. d_residual enters as the gradient of the block's output and leaves
  // as that of its input: the residual path passes it through, each branch adds its own.
  for (Index l = config_.n_layers - 1; l >= 0; --l) {
    LayerActivations& layer = acts.layers[static_cast<std::size_t>(l)];
    const LayerIndex& index = layer_index_[static_cast<std::size_t>(l)];
    if (config_.mlp) {
      const Matrix& mlp_in = layer_norm ? layer.ln_2 : layer.residual_mid;
      zeroed(acts.d_fc_gelu, n, 4 * d);
      linear_backward(acts.d_residual, layer.fc_gelu, p(index.proj), acts.d_fc_gelu,
                      grad(index.proj), grad_data(index.proj_bias), scratch_);
      zeroed(acts.d_fc, n, 4 * d);
      gelu_backward(acts.d_fc_gelu, layer.fc, acts.d_fc);
      Matrix& d_mlp_in = layer_norm ? acts.d_branch_in : acts.d_residual;
      if (layer_norm) zeroed(acts.d_branch_in, n, d);
      linear_backward(acts.d_fc, mlp_in, p(index.fc), d_mlp_in, grad(index.fc),
                      grad_data(index.fc_bias), scratch_);
      if (layer_norm) {
        layernorm_backward(acts.d_branch_in, layer.residual_mid, bias(index.ln_2_weight),
                           layer.ln_2_mean.data(), layer.ln_2_rstd.data(), acts.d_residual,
                           grad_data(index.ln_2_weight), grad_data(index.ln_2_bias));
      }
    }
    // residual_mid = residual_in + heads wo + bo
    const Matrix& attn_in = layer_norm ? layer.ln_1 : layer.residual_in;
    zeroed(acts.d_heads, n, d);
    linear_backward(acts.d_residual, layer.heads, p(index.wo), acts.d_heads, grad(index.wo),
                    grad_data(index.bo), scratch_);
    zeroed(acts.d_q, n, d);
    zeroed(acts.d_k, n, d);
    zeroed(acts.d_v, n, d);
    attention_backward(acts.d_heads, layer.q, layer.k, layer.v, layer.att, seq_len,
                       config_.n_heads, acts.d_q, acts.d_k, acts.d_v, scratch_);
    Matrix& d_attn_in = layer_norm ? acts.d_branch_in : acts.d_residual;
    if (layer_norm) zeroed(acts.d_branch_in, n, d);
    linear_backward(acts.d_q, attn_in, p(index.wq), d_attn_in, grad(index.wq), grad_data(index.bq),
                    scratch_);
    linear_backward(acts.d_k, attn_in, p(index.wk), d_attn_in, grad(index.wk), grad_data(index.bk),
                    scratch_);
    linear_backward(acts.d_v, attn_in, p(index.wv), d_attn_in, grad(index.wv), grad_data(index.bv),
                    scratch_);
    if (layer_norm) {
      layernorm_backward(acts.d_branch_in, layer.residual_in, bias(index.ln_1_weight),
                         layer.ln_1_mean.data(), layer.ln_1_rstd.data(), acts.d_residual,
                         grad_data(index.ln_1_weight), grad_data(index.ln_1_bias));
    }
  }
  embedding_backward(inputs, seq_len, acts.d_residual, grad(wte_), grad(wpe_));
}

TinyTransformer::Activations TinyTransformer::sequence_activations(
    const TokenSequence& tokens) const {
  const auto seq_len = static_cast<Index>(tokens.size());
  validate_batch(tokens.data(), nullptr, 1, seq_len, "tokens");
  Activations acts;
  PackedPanels panels;
  resize_activations(acts, 1, seq_len);
  forward_pass(tokens.data(), acts, panels);
  return acts;
}

TransformerOutput TinyTransformer::forward(const TokenSequence& tokens) const {
  const auto seq_len = static_cast<Index>(tokens.size());
  Activations acts = sequence_activations(tokens);
  for (Index i = 0; i < acts.logits.size(); ++i) {
    require(std::isfinite(acts.logits.data()[i]), "the model's logits left float's range (",
            acts.logits.data()[i], " at position ", i / config_.vocab_size, ")");
  }
  TransformerOutput output;
  output.logits = std::move(acts.logits);
  output.attention.n_layers = config_.n_layers;
  output.attention.n_heads = config_.n_heads;
  output.attention.seq_len = seq_len;
  output.attention.weights.reserve(
      static_cast<std::size_t>(config_.n_layers * config_.n_heads * seq_len * seq_len));
  for (const LayerActivations& layer : acts.layers) {
    output.attention.weights.insert(output.attention.weights.end(), layer.att.data(),
                                    layer.att.data() + layer.att.size());
  }
  return output;
}

LayerTrace TinyTransformer::trace(const TokenSequence& tokens, Index layer) const {
  require(layer >= 0 && layer < config_.n_layers, "layer ", layer, " does not exist: the model has ",
          config_.n_layers, " layer", config_.n_layers == 1 ? "" : "s", " (0 .. ",
          config_.n_layers - 1, ")");
  const Activations acts = sequence_activations(tokens);
  const LayerActivations& activations = acts.layers[static_cast<std::size_t>(layer)];
  const LayerIndex& index = layer_index_[static_cast<std::size_t>(layer)];

  SimpleAttention attention(config_.d_model, config_.n_heads);
  const auto set = [&](Projection which, std::size_t weight, std::size_t bias) {
    attention.set_weight(which, data(table_[weight]), static_cast<std::size_t>(table_[weight].size()));
    attention.set_bias(which, data(table_[bias]), static_cast<std::size_t>(table_[bias].size()));
  };
  set(Projection::query, index.wq, index.bq);
  set(Projection::key, index.wk, index.bk);
  set(Projection::value, index.wv, index.bv);
  set(Projection::output, index.wo, index.bo);

  LayerTrace result;
  result.layer = layer;
  result.input = config_.layer_norm ? activations.ln_1 : activations.residual_in;
  AttentionOptions options;
  options.causal = true;
  result.attention = attention.trace(result.input, options);
  return result;
}

double TinyTransformer::loss_and_gradients(const TokenId* inputs, const TokenId* targets,
                                           Index batch, Index seq_len) {
  validate_batch(inputs, targets, batch, seq_len, "inputs");
  resize_activations(activations_, batch, seq_len);
  forward_pass(inputs, activations_, scratch_.panels);
  Index counted = 0;
  const double loss = cross_entropy_forward(activations_.logits, targets, counted);
  require(std::isfinite(loss), "the loss is ", loss, ": the model's logits left float's range");
  std::fill(gradients_.begin(), gradients_.end(), 0.0f);
  activations_.d_logits.resize(batch * seq_len, config_.vocab_size);
  cross_entropy_backward(activations_.logits, targets, counted, activations_.d_logits);
  backward_pass(inputs, activations_);
  // Finite activations can still have gradients past float's range (parameters near 1e30 and
  // more multiply them): such a batch is refused as a whole, naming the first one.
  for (const ParameterInfo& info : table_) {
    const float* gradient = gradient_data(info);
    for (Index i = 0; i < info.size(); ++i) {
      require(std::isfinite(gradient[i]), "the gradient of ", info.name, "[", i, "] is ",
              gradient[i], ": the model's values are too large for float (the loss is ", loss,
              ")");
    }
  }
  return loss;
}

double TinyTransformer::train_step(const TokenId* inputs, const TokenId* targets, Index batch,
                                   Index seq_len, const AdamWOptions& options) {
  validate_adamw_options(options);
  const double loss = loss_and_gradients(inputs, targets, batch, seq_len);
  last_gradient_norm_ = adamw_step(table_, gradients_, options, parameters_, optimizer_);
  return loss;
}

}  // namespace spotlight
