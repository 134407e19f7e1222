#include "model/transformer.h"

#include <cmath>

#include "base/errors.h"

namespace spotlight {

namespace {

// Bounds on one batch, so that its buffers stay far below the wasm module's memory: the logits
// and their gradient are (batch seq_len, vocab) each.
constexpr Index max_batch_rows = Index{1} << 16;
constexpr Index max_batch_logits = Index{1} << 24;

// `config`, once validate_config has accepted it as a trainable model's.
const TransformerConfig& trainable(const TransformerConfig& config) {
  validate_config(config);
  return config;
}

}  // namespace

TinyTransformer::TinyTransformer(const TransformerConfig& config)
    : LanguageModel(trainable(config)) {
  gradients_.assign(parameters().size(), 0.0f);
}

void TinyTransformer::set_optimizer_state(AdamWState state) {
  const std::size_t count = parameters().size();
  require(state.step >= 0, "the optimizer's step must be >= 0, got ", state.step);
  require(state.m.size() == count && state.v.size() == count,
          "the optimizer state has ", state.m.size(), " and ", state.v.size(),
          " moments, expected ", count, " each");
  require_finite_parameters(state.m.data(), count, "the optimizer's m");
  require_finite_parameters(state.v.data(), count, "the optimizer's v");
  for (std::size_t i = 0; i < count; ++i) {
    require(state.v[i] >= 0.0f, "the optimizer's v[", i, "] is ", state.v[i],
            "; second moments are >= 0");
  }
  optimizer_ = std::move(state);
}

Eigen::Map<Matrix> TinyTransformer::gradient_view(std::size_t index) {
  const ParameterInfo& info = table_[index];
  return Eigen::Map<Matrix>(gradient_data(index), info.rows, info.cols);
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
  const Index n = batch * seq_len, d = config_.d_model, wide = config_.d_mlp();
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
  const auto p = [&](std::size_t index) { return view(index); };
  const auto bias = [&](std::size_t index) { return data(index); };

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
  const auto p = [&](std::size_t index) { return view(index); };
  const auto bias = [&](std::size_t index) { return data(index); };
  const auto grad = [&](std::size_t index) { return gradient_view(index); };
  const auto grad_data = [&](std::size_t index) { return gradient_data(index); };
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
      zeroed(acts.d_fc_gelu, n, config_.d_mlp());
      linear_backward(acts.d_residual, layer.fc_gelu, p(index.proj), acts.d_fc_gelu,
                      grad(index.proj), grad_data(index.proj_bias), scratch_);
      zeroed(acts.d_fc, n, config_.d_mlp());
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
  for (std::size_t index = 0; index < table_.size(); ++index) {
    const ParameterInfo& info = table_[index];
    const float* gradient = gradient_data(index);
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
  last_gradient_norm_ = adamw_step(table_, gradients_, options, mutable_parameters(), optimizer_);
  return loss;
}

}  // namespace spotlight
