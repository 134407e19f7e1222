// The Embind layer between JavaScript and the attention core: conversions (typed arrays in, copies
// out) and size validation with the values seen. No attention maths here; src/wasm/api.js builds
// the friendly JavaScript API on top. Shared helpers (guarded(), require_memory, the copies out)
// live in binding_support.h; the tiny transformer's bindings in transformer_bindings.cpp.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cstdint>

#include <string>
#include <vector>

#include "attention/spotlight.h"
#include "binding_support.h"

namespace {

using emscripten::val;
using spotlight::AttentionOptions;
using spotlight::concat;
using spotlight::Index;
using spotlight::Matrix;
using spotlight::Projection;
using spotlight::require;
using spotlight_wasm::guarded;
using spotlight_wasm::require_memory;
using spotlight_wasm::to_float32_array;

// The advice for requests that keep every weight.
constexpr const char* fewer_tokens_or_tiled =
    "; pass returnWeights: false (the tiled path needs memory for n*d values only) or fewer tokens";

// The (heads, n_q, n_k) weights, with the JS names of their sizes.
void require_weights_fit(Index n_heads, Index n_q, Index n_k, const char* heads_name,
                         const char* n_q_name, const char* n_k_name) {
  require_memory(static_cast<double>(n_heads) * static_cast<double>(n_q) * static_cast<double>(n_k),
                 concat("the weights, ", heads_name, "*", n_q_name, "*", n_k_name, " = ", n_heads,
                        "*", n_q, "*", n_k, " floats,"),
                 fewer_tokens_or_tiled);
}

// A Float32Array (api.js converts anything else first) of exactly rows*cols values.
Matrix to_matrix(const val& values, Index rows, Index cols, const char* name,
                 const char* rows_name, const char* cols_name) {
  const auto count = values["length"].as<double>();
  require(rows > 0 && cols > 0, name, " needs ", rows_name, " > 0 and ", cols_name, " > 0, got ",
          rows_name, " = ", rows, ", ", cols_name, " = ", cols);
  require(count == static_cast<double>(rows) * static_cast<double>(cols), name, " has ", count,
          " values, expected ", rows_name, "*", cols_name, " = ", rows, "*", cols, " = ",
          static_cast<double>(rows) * static_cast<double>(cols));
  Matrix matrix(rows, cols);
  val(emscripten::typed_memory_view(static_cast<std::size_t>(matrix.size()), matrix.data()))
      .call<void>("set", values);
  return matrix;
}

// {output, weights}: weights null when not requested.
val result_to_js(const Matrix& output, const Matrix& weights, bool return_weights) {
  val out = val::object();
  out.set("output", to_float32_array(output.data(), output.size()));
  out.set("weights", return_weights ? to_float32_array(weights.data(), weights.size()) : val::null());
  return out;
}

// `options` is the canonical object made by api.js: {causal, scale (number or null), temperature,
// keyPaddingMask (Uint8Array or null)}.
AttentionOptions to_options(const val& options) {
  AttentionOptions result;
  result.causal = options["causal"].as<bool>();
  const val scale = options["scale"];
  if (!scale.isNull()) result.scale = scale.as<float>();
  result.temperature = options["temperature"].as<float>();
  const val mask = options["keyPaddingMask"];
  if (!mask.isNull()) {
    result.key_padding_mask = emscripten::convertJSArrayToNumberVector<std::uint8_t>(mask);
  }
  return result;
}

class AttentionBinding {
 public:
  static AttentionBinding* create(int embed_dim, int num_heads, double seed) {
    return guarded([&] {
      const double d_model = embed_dim;
      require_memory(4.0 * d_model * d_model,
                     concat("the four weight matrices, 4*embedDim*embedDim = 4*", embed_dim, "*",
                            embed_dim, " floats,"),
                     "; choose a smaller embedDim");
      return new AttentionBinding(embed_dim, num_heads, static_cast<std::uint64_t>(seed));
    });
  }

  int embed_dim() const { return static_cast<int>(attention_.embed_dim()); }
  int num_heads() const { return static_cast<int>(attention_.num_heads()); }

  // x_kv null means self-attention (keys and values from x_q).
  val forward(const val& x_q, int n_q, const val& x_kv, int n_k, const val& options,
              bool return_weights) const {
    return guarded([&] {
      const bool self = x_kv.isNull();
      const Matrix queries = queries_input(x_q, n_q, self);
      if (return_weights) {
        require_weights_fit(attention_.num_heads(), n_q, self ? n_q : n_k, "numHeads",
                            self ? "seqLen" : "nq", self ? "seqLen" : "nk");
      }
      const AttentionOptions attention_options = to_options(options);
      spotlight::ForwardResult result =
          x_kv.isNull()
              ? attention_.forward(queries, attention_options, return_weights)
              : attention_.cross_attention(queries, input(x_kv, n_k, "xkv", "nk"),
                                           attention_options, return_weights);
      return result_to_js(result.output, result.weights, return_weights);
    });
  }

  val trace(const val& x_q, int n_q, const val& x_kv, int n_k, const val& options) const {
    return guarded([&] {
      const bool self = x_kv.isNull();
      const Matrix queries = queries_input(x_q, n_q, self);
      const int n_keys = self ? n_q : n_k;
      require_memory(5.0 * static_cast<double>(attention_.num_heads()) * n_q * n_keys,
                     concat("the trace's five score matrices per head (raw, scaled, masked, exp, "
                            "weights), 5*numHeads*", self ? "seqLen*seqLen" : "nq*nk", " = 5*",
                            attention_.num_heads(), "*", n_q, "*", n_keys, " floats,"),
                     "; the trace is meant for a few tokens (the page shows it up to 16)");
      const AttentionOptions attention_options = to_options(options);
      const spotlight::AttentionTrace trace =
          x_kv.isNull() ? attention_.trace(queries, attention_options)
                        : attention_.trace(queries, input(x_kv, n_k, "xkv", "nk"),
                                           attention_options);
      return spotlight_wasm::trace_to_js(trace);
    });
  }

  // Replaces head `head`'s query and key weights by a designed pattern (designed_heads.h).
  // `pattern` arrives as a val, not a std::string: Embind frees a std::string argument's wire copy
  // only when the call returns, so a rejected call would leak it; converted in here, it is a C++
  // string that unwinding frees.
  void design_head(int head, const val& pattern, int window) {
    guarded([&] {
      const std::string name = pattern.as<std::string>();
      attention_.set_head(head, spotlight::designed_head(spotlight::head_pattern_from_name(name),
                                                         attention_.embed_dim(),
                                                         attention_.head_dim(), window));
    });
  }

  val get_weights() const {
    val weights = val::object();
    for (const auto& [projection, name] : weight_names) {
      const Matrix& weight = attention_.weight(projection);
      weights.set(std::string("w") + name, to_float32_array(weight.data(), weight.size()));
    }
    for (const auto& [projection, name] : weight_names) {
      const spotlight::RowVector& bias = attention_.bias(projection);
      weights.set(std::string("b") + name, to_float32_array(bias.data(), bias.size()));
    }
    return weights;
  }

  // `weights`: an object with any of wq, wk, wv, wo (embedDim*embedDim values, (in, out)
  // row-major) and bq, bk, bv, bo (embedDim values), each a Float32Array. All are checked before
  // any is set, so a rejected call changes nothing.
  void set_weights(const val& weights) {
    guarded([&] {
      spotlight::SimpleAttention updated = attention_;
      const Index d_model = attention_.embed_dim();
      for (const auto& [projection, name] : weight_names) {
        const std::string weight_key = std::string("w") + name, bias_key = std::string("b") + name;
        if (weights.hasOwnProperty(weight_key.c_str())) {
          const Matrix values = to_matrix(weights[weight_key], d_model, d_model,
                                          weight_key.c_str(), "embedDim", "embedDim");
          updated.set_weight(projection, values.data(), static_cast<std::size_t>(values.size()));
        }
        if (weights.hasOwnProperty(bias_key.c_str())) {
          const Matrix values = to_matrix(weights[bias_key], 1, d_model, bias_key.c_str(), "1",
                                          "embedDim");
          updated.set_bias(projection, values.data(), static_cast<std::size_t>(values.size()));
        }
      }
      attention_ = std::move(updated);
    });
  }

 private:
  AttentionBinding(int embed_dim, int num_heads, std::uint64_t seed)
      : attention_(embed_dim, num_heads, seed) {}

  static constexpr std::pair<Projection, const char*> weight_names[] = {
      {Projection::query, "q"}, {Projection::key, "k"}, {Projection::value, "v"},
      {Projection::output, "o"}};

  Matrix input(const val& values, int n, const char* name, const char* n_name) const {
    return to_matrix(values, n, attention_.embed_dim(), name, n_name, "embedDim");
  }

  // Named as the JS API names them: x and seqLen for self-attention, xq and nq for cross.
  Matrix queries_input(const val& values, int n, bool self) const {
    return self ? input(values, n, "x", "seqLen") : input(values, n, "xq", "nq");
  }

  spotlight::SimpleAttention attention_;
};

val embed_tokens(const val& tokens, int d_model, double seed, bool token_vectors,
                 bool positional) {
  return guarded([&] {
    const auto count = tokens["length"].as<double>();
    require_memory(count * d_model,
                   concat("the embeddings, tokens.length*embedDim = ", count, "*", d_model,
                          " floats,"),
                   "; choose a smaller embedDim or fewer tokens");
    const std::vector<std::string> strings = emscripten::vecFromJSArray<std::string>(tokens);
    spotlight::EmbeddingOptions options;
    options.token_vectors = token_vectors;
    options.positional = positional;
    const Matrix x =
        spotlight::embed_tokens(strings, d_model, static_cast<std::uint64_t>(seed), options);
    return to_float32_array(x.data(), x.size());
  });
}

// Single-head attention on given q (nq, dk), k (nk, dk), v (nk, dv).
val single_head_attention(const val& q, const val& k, const val& v, const val& shape, bool scaled,
                          const val& options, bool return_weights) {
  return guarded([&] {
    const int n_q = shape["nq"].as<int>(), n_k = shape["nk"].as<int>();
    const int d_k = shape["dk"].as<int>(), d_v = shape["dv"].as<int>();
    const Matrix queries = to_matrix(q, n_q, d_k, "q", "nq", "dk");
    const Matrix keys = to_matrix(k, n_k, d_k, "k", "nk", "dk");
    const Matrix values = to_matrix(v, n_k, d_v, "v", "nk", "dv");
    if (return_weights) require_weights_fit(1, n_q, n_k, "1", "nq", "nk");
    const auto run = scaled ? spotlight::scaled_dot_product_attention
                            : spotlight::dot_product_attention;
    const spotlight::AttentionResult result =
        run(queries, keys, values, to_options(options), return_weights);
    return result_to_js(result.output, result.weights, return_weights);
  });
}

val softmax_summary_to_js(const spotlight::SoftmaxSummary& summary) {
  val out = val::object();
  out.set("maxWeight", summary.max_weight);
  out.set("entropyBits", summary.entropy_bits);
  out.set("gradientNorm", summary.gradient_norm);
  return out;
}

val scaling_study(int d, int n, double seed) {
  return guarded([&] {
    const double width = d, count = n;
    require_memory(2.0 * count * width + count * count,
                   concat("scalingStudy's q and k (n*d each) and scores (n*n), 2*", n, "*", d, " + ",
                          n, "*", n, " floats,"),
                   "; the study is meant for n of a few hundred");
    const spotlight::ScalingPoint point =
        spotlight::scaling_study(d, n, static_cast<std::uint64_t>(seed));
    val out = val::object();
    out.set("d", static_cast<double>(point.d));
    out.set("rawScoreVariance", point.raw_score_variance);
    out.set("scaledScoreVariance", point.scaled_score_variance);
    out.set("unscaled", softmax_summary_to_js(point.unscaled));
    out.set("scaled", softmax_summary_to_js(point.scaled));
    return out;
  });
}

// Multi-head attention on projected q (nq, dModel), k and v (nk, dModel).
val multi_head_attention(const val& q, const val& k, const val& v, const val& shape,
                         const val& options, bool return_weights) {
  return guarded([&] {
    const int n_q = shape["nq"].as<int>(), n_k = shape["nk"].as<int>();
    const int d_model = shape["dModel"].as<int>(), n_heads = shape["numHeads"].as<int>();
    const Matrix queries = to_matrix(q, n_q, d_model, "q", "nq", "dModel");
    const Matrix keys = to_matrix(k, n_k, d_model, "k", "nk", "dModel");
    const Matrix values = to_matrix(v, n_k, d_model, "v", "nk", "dModel");
    if (return_weights) require_weights_fit(n_heads, n_q, n_k, "numHeads", "nq", "nk");
    const spotlight::ForwardResult result = spotlight::multi_head_attention(
        queries, keys, values, n_heads, to_options(options), return_weights);
    return result_to_js(result.output, result.weights, return_weights);
  });
}

// heapBytes: the wasm memory's size; allocatedBytes: what malloc has handed out and not freed.
val memory_stats() {
  const struct mallinfo info = mallinfo();
  val stats = val::object();
  stats.set("heapBytes", static_cast<double>(emscripten::val::module_property("HEAP8")["length"].as<double>()));
  stats.set("allocatedBytes", static_cast<double>(info.uordblks));
  return stats;
}

}  // namespace

// ---- the product kernel (gemm.h; src/wasm/kernel_paths.js chooses it) ----------------------------

// Installs the relaxed-SIMD module's product, which kernel_paths.js has put at `table_index` of this
// module's function table: gemm() then calls it through that pointer (the same signature in both
// modules, gemm_kernel.h).
void set_relaxed_gemm_kernel(int table_index) {
  guarded([&] {
    require(table_index > 0, "setGemmKernel: a function table index > 0, got ", table_index);
    spotlight::set_gemm_kernel(
        reinterpret_cast<spotlight::GemmKernel>(static_cast<std::uintptr_t>(table_index)),
        "wasm-relaxed-simd");
  });
}

std::string gemm_kernel_name() { return spotlight::gemm_kernel_name(); }

// alpha * a (m, k) op(b) (+ c): op(b) = b (k, n), or b^T when transpose_b (b is then (n, k)).
// `c` is null, or (m, n) values the product is added to. For the kernel tests and benchmarks
// of both paths (tests/node/kernels.test.js).
val matmul(const val& a, const val& b, const val& shape, bool transpose_b, float alpha, const val& c) {
  return guarded([&] {
    const int m = shape["m"].as<int>(), k = shape["k"].as<int>(), n = shape["n"].as<int>();
    require_memory(static_cast<double>(m) * k + static_cast<double>(k) * n +
                       2.0 * static_cast<double>(m) * n,
                   concat("matmul's a (m*k), b (k*n) and c (m*n), m = ", m, ", k = ", k, ", n = ", n,
                          ","),
                   "try smaller matrices");
    const Matrix left = to_matrix(a, m, k, "a", "m", "k");
    const Matrix right = transpose_b ? to_matrix(b, n, k, "b", "n", "k") : to_matrix(b, k, n, "b", "k", "n");
    Matrix product;
    spotlight::Accumulate accumulate = spotlight::Accumulate::no;
    if (!c.isNull()) {
      product = to_matrix(c, m, n, "c", "m", "n");
      accumulate = spotlight::Accumulate::yes;
    }
    spotlight::gemm(left, right, transpose_b, accumulate, product, alpha);
    return to_float32_array(product.data(), product.size());
  }, "try smaller matrices");
}

EMSCRIPTEN_BINDINGS(attention_spotlight) {
  emscripten::class_<AttentionBinding>("RawSimpleAttention")
      .constructor(&AttentionBinding::create, emscripten::allow_raw_pointers())
      .property("embedDim", &AttentionBinding::embed_dim)
      .property("numHeads", &AttentionBinding::num_heads)
      .function("forward", &AttentionBinding::forward)
      .function("trace", &AttentionBinding::trace)
      .function("getWeights", &AttentionBinding::get_weights)
      .function("setWeights", &AttentionBinding::set_weights)
      .function("designHead", &AttentionBinding::design_head);
  emscripten::function("rawEmbedTokens", &embed_tokens);
  emscripten::function("rawAttention", &single_head_attention);
  emscripten::function("memoryStats", &memory_stats);
  emscripten::function("rawScalingStudy", &scaling_study);
  emscripten::function("rawMultiHeadAttention", &multi_head_attention);
  emscripten::function("rawSetGemmKernel", &set_relaxed_gemm_kernel);
  emscripten::function("rawGemmKernelName", &gemm_kernel_name);
  emscripten::function("rawMatmul", &matmul);
}
