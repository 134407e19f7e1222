// The Embind layer of pretrained models (src/core/pretrained): a GPT-2-family checkpoint loaded
// piece by piece, and the model with its tokenizer. Conversions and validation only;
// src/wasm/pretrained_api.js builds loadPretrained and PretrainedModel on top (file names, text
// to UTF-8 and spans back to the string's indices, shapes).
//
// Memory: a loader checks, before the model exists, that its parameters and what its calls need
// fit under the module's cap, naming the bytes; the safetensors file itself never enters the
// module whole (the JS side feeds pieces of a few MB, each copied in and released).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/head_detectors.h"
#include "base/errors.h"
#include "binding_support.h"
#include "data/bpe_tokenizer.h"
#include "data/sentence_text.h"
#include "model/sampling.h"
#include "pretrained/gpt2_checkpoint.h"
#include "pretrained/gpt2_config.h"
#include "training/recipes.h"
#include "training/trainer.h"
#include "training/workshop_report.h"
#include "transformer_binding.h"

namespace spotlight_wasm {

namespace {

using spotlight::BpeTokenizer;
using spotlight::concat;
using spotlight::LanguageModel;
using spotlight::TransformerConfig;

// guarded() with the out-of-memory advice of a pretrained model's calls.
template <typename Body>
auto guarded_pretrained(Body&& body) -> decltype(body()) {
  return guarded(std::forward<Body>(body), "try fewer tokens, or a smaller model");
}

// The bytes of a Uint8Array, copied into the module.
std::string to_bytes(const val& array) {
  std::string bytes(array["length"].as<std::size_t>(), '\0');
  val(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<std::uint8_t*>(bytes.data())))
      .call<void>("set", array);
  return bytes;
}

// What a model's calls hold besides its parameters, at most: the logits of every position
// (context x vocab), one layer's maps (heads x context^2) and its activations, and the cache of
// keys and values (2 x layers x context x d_model), in floats.
double working_floats(const TransformerConfig& c) {
  const double context = static_cast<double>(c.context_length);
  return context * static_cast<double>(c.vocab_size) +
         static_cast<double>(c.n_heads) * context * context +
         8.0 * context * static_cast<double>(c.d_model + c.d_mlp()) +
         2.0 * static_cast<double>(c.n_layers) * context * static_cast<double>(c.d_model);
}

val config_to_js(const TransformerConfig& c) {
  val out = val::object();
  out.set("vocabSize", static_cast<double>(c.vocab_size));
  out.set("contextLength", static_cast<double>(c.context_length));
  out.set("embedDim", static_cast<double>(c.d_model));
  out.set("numHeads", static_cast<double>(c.n_heads));
  out.set("numLayers", static_cast<double>(c.n_layers));
  out.set("mlpWidth", static_cast<double>(c.d_mlp()));
  out.set("layerNormEpsilon", static_cast<double>(c.layer_norm_epsilon));
  out.set("scaleAttention", c.scale_attention);
  out.set("scaleAttentionByLayer", c.scale_attention_by_layer);
  out.set("parameters", static_cast<double>(spotlight::parameter_count(c)));
  return out;
}

// out.tokens and out.probabilities: the ids and probabilities of `top`, in its order.
void set_top_tokens(val& out, const std::vector<spotlight::TokenProbability>& top) {
  std::vector<std::int32_t> tokens;
  std::vector<float> probabilities;
  for (const auto& entry : top) {
    tokens.push_back(entry.token);
    probabilities.push_back(entry.probability);
  }
  out.set("tokens", to_typed_array(tokens.data(), tokens.size()));
  out.set("probabilities", to_typed_array(probabilities.data(), probabilities.size()));
}

}  // namespace

// A GPT-2-family model with its tokenizer.
class PretrainedBinding {
 public:
  PretrainedBinding(LanguageModel model, BpeTokenizer tokenizer)
      : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

  val config() const {
    val out = config_to_js(model_.config());
    out.set("endOfText", static_cast<double>(tokenizer_.end_of_text()));
    out.set("tokenizerSize", static_cast<double>(tokenizer_.vocab_size()));
    return out;
  }

  // {ids, begins, ends}: each token's id and its bytes [begin, end) of the UTF-8 text.
  val encode(const val& utf8) const {
    return guarded_pretrained([&] {
      const std::string text = to_bytes(utf8);
      const std::vector<spotlight::BpeToken> tokens = tokenizer_.encode(text);
      std::vector<std::int32_t> ids, begins, ends;
      for (const spotlight::BpeToken& token : tokens) {
        ids.push_back(token.id);
        begins.push_back(static_cast<std::int32_t>(token.begin));
        ends.push_back(static_cast<std::int32_t>(token.end));
      }
      val out = val::object();
      out.set("ids", to_typed_array(ids.data(), ids.size()));
      out.set("begins", to_typed_array(begins.data(), begins.size()));
      out.set("ends", to_typed_array(ends.data(), ends.size()));
      return out;
    });
  }

  // The tokens' bytes (UTF-8 when the ids came from text).
  val decode(const val& ids) const {
    return guarded_pretrained([&] {
      const std::string bytes = tokenizer_.decode(to_tokens(ids, "ids"));
      return to_typed_array(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    });
  }

  val token_bytes(int id) const {
    return guarded_pretrained([&] {
      const std::string& bytes = tokenizer_.token_bytes(id);
      return to_typed_array(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    });
  }

  val logits(const val& ids, int first_position) const {
    return guarded_pretrained([&] {
      const TokenSequence tokens = to_tokens(ids, "ids");
      const spotlight::Matrix logits = model_.logits(tokens, first_position);
      return to_tensor(logits.data(), {logits.rows(), logits.cols()});
    });
  }

  val attention(const val& ids, int layer) const {
    return guarded_pretrained([&] {
      const TokenSequence tokens = to_tokens(ids, "ids");
      const auto n = static_cast<Index>(tokens.size());
      const spotlight::Matrix maps = model_.attention(tokens, layer);
      return to_tensor(maps.data(), {model_.config().n_heads, n, n});
    });
  }

  val attention_row(const val& ids, int layer, int query) const {
    return guarded_pretrained([&] {
      const spotlight::Matrix rows = model_.attention_row(to_tokens(ids, "ids"), layer, query);
      return to_tensor(rows.data(), {rows.rows(), rows.cols()});
    });
  }

  val trace(const val& ids, int layer) const {
    return guarded_pretrained([&] {
      return layer_trace_to_js(model_.trace(to_tokens(ids, "ids"), layer));
    });
  }

  // {side, reduced: (layers * heads, side, side), layerMaps: (heads, n, n), tokens,
  // probabilities}: LanguageModel::overview and the k likeliest tokens after the last position.
  val overview(const val& ids, int layer, int side, int k) const {
    return guarded_pretrained([&] {
      const TokenSequence tokens = to_tokens(ids, "ids");
      const auto n = static_cast<Index>(tokens.size());
      const spotlight::AttentionOverview result = model_.overview(tokens, layer, side);
      const TransformerConfig& c = model_.config();
      val out = val::object();
      out.set("side", static_cast<double>(result.side));
      out.set("reduced", to_tensor(result.reduced.data(),
                                   {c.n_layers * c.n_heads, result.side, result.side}));
      out.set("layerMaps", to_tensor(result.layer_maps.data(), {c.n_heads, n, n}));
      set_top_tokens(out, spotlight::top_tokens(result.last_logits.data(), c.vocab_size, k));
      return out;
    });
  }

  // {tokens, probabilities}: the k likeliest next tokens after `position`.
  val top_next(const val& ids, int position, int k) const {
    return guarded_pretrained([&] {
      val out = val::object();
      set_top_tokens(out, spotlight::top_next_tokens(model_, to_tokens(ids, "ids"), position, k));
      return out;
    });
  }

  // {tokens, probabilities, attention: [per token (numLayers * numHeads, keys)] or null}.
  val generate(const val& prompt, int count, double temperature, int top_k, double top_p,
               double seed, bool keep_attention) const {
    return guarded_pretrained([&] {
      spotlight::SamplingOptions options;
      options.temperature = static_cast<float>(temperature);
      options.top_k = top_k;
      options.top_p = static_cast<float>(top_p);
      options.seed = static_cast<std::uint64_t>(seed);
      const auto generated = spotlight::generate_with_details(
          model_, to_tokens(prompt, "prompt"), count, options, keep_attention);
      std::vector<std::int32_t> tokens;
      std::vector<float> probabilities;
      val attention = keep_attention ? val::array() : val::null();
      for (const spotlight::GeneratedToken& token : generated) {
        tokens.push_back(token.token);
        probabilities.push_back(token.probability);
        if (keep_attention) {
          attention.call<void>("push", to_tensor(token.attention.data(),
                                                 {token.attention.rows(), token.attention.cols()}));
        }
      }
      val out = val::object();
      out.set("tokens", to_typed_array(tokens.data(), tokens.size()));
      out.set("probabilities", to_typed_array(probabilities.data(), probabilities.size()));
      out.set("attention", attention);
      return out;
    });
  }

  // The detectors on the repeated random tokens test (analysis/head_detectors.h).
  val detect_heads(int repeat_length, int sequences, double seed) const {
    return guarded_pretrained([&] {
      spotlight::RepeatedTokensTest test;
      test.repeat_length = repeat_length;
      test.sequences = sequences;
      test.seed = static_cast<std::uint64_t>(seed);
      const spotlight::TokenId end_of_text = tokenizer_.end_of_text();
      test.start_token = end_of_text >= 0 && end_of_text < model_.config().vocab_size ? end_of_text : 0;
      return head_scores_to_js(spotlight::detect_heads(
          model_, spotlight::repeated_random_tokens(tokenizer_.vocab_size(), test)));
    });
  }

  // The workshop's relations in this model's heads, as spotlight_gpt2 inspect measures them:
  // sentences first .. first + count - 1 of the workshop report's held-out ("heldOut") or novel
  // ("novel") sentences, read as English (data/sentence_text.h). {total: the set's size, skipped:
  // those of the piece longer than the context, relations: [RelationScores]}; a caller measures a
  // set in pieces and sums them by instances.
  val workshop_relations(const std::string& set, int first, int count) const {
    return guarded_pretrained([&] {
      spotlight::require(set == "heldOut" || set == "novel",
                         "set must be \"heldOut\" or \"novel\", got \"", set, "\"");
      if (!workshop_) workshop_ = spotlight::workshop_data(spotlight::workshop_recipe());
      const std::vector<spotlight::Sentence>& sentences =
          set == "heldOut" ? workshop_->held_out : workshop_->novel;
      const auto total = static_cast<int>(sentences.size());
      spotlight::require(first >= 0 && first <= total, "first must be between 0 and ", total,
                         ", got ", first);
      spotlight::require(count >= 1, "count must be at least 1, got ", count);
      const spotlight::TokenId end_of_text = tokenizer_.end_of_text();
      const spotlight::TokenId start = end_of_text >= 0 && end_of_text < model_.config().vocab_size ? end_of_text : 0;
      // A sentence longer than the context (a small model's, or a tokenizer of few merges) is
      // left out and counted.
      std::vector<spotlight::EncodedSentence> encoded;
      int skipped = 0;
      for (int s = first; s < std::min(total, first + count); ++s) {
        spotlight::EncodedSentence sentence =
            spotlight::encode_sentence_text(tokenizer_, sentences[static_cast<std::size_t>(s)], start);
        if (static_cast<Index>(sentence.tokens.size()) <= model_.config().context_length) {
          encoded.push_back(std::move(sentence));
        } else {
          ++skipped;
        }
      }
      val relations = val::array();
      if (!encoded.empty()) {
        for (const spotlight::RelationScores& scores : spotlight::score_model_relations(model_, encoded)) {
          relations.call<void>("push", relation_scores_to_js(scores));
        }
      }
      val out = val::object();
      out.set("total", total);
      out.set("skipped", skipped);
      out.set("relations", relations);
      return out;
    });
  }

  // {config: string, model: Uint8Array}: config.json and model.safetensors in `dtype`.
  val save(const val& dtype_name) const {
    return guarded_pretrained([&] {
      const std::string name = dtype_name.as<std::string>();
      spotlight::require(name == "F32" || name == "F16" || name == "BF16",
                         "dtype must be \"F32\", \"F16\" or \"BF16\", got \"", name, "\"");
      const auto dtype = name == "F32"   ? spotlight::SafetensorsDtype::F32
                         : name == "F16" ? spotlight::SafetensorsDtype::F16
                                         : spotlight::SafetensorsDtype::BF16;
      std::string bytes;
      spotlight::write_gpt2_weights(model_, dtype, [&](const std::string& piece) { bytes += piece; });
      val out = val::object();
      // <|endoftext|> as bos and eos when the model has that token (a tokenizer may know more
      // tokens than the model's vocabulary); otherwise the keys are null.
      const spotlight::TokenId end_of_text = tokenizer_.end_of_text();
      out.set("config", val(spotlight::write_gpt2_config(
                            model_.config(), end_of_text < model_.config().vocab_size ? end_of_text : -1)));
      out.set("model", to_typed_array(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
      return out;
    });
  }

 private:
  LanguageModel model_;
  BpeTokenizer tokenizer_;
  mutable std::optional<spotlight::WorkshopData> workshop_;  // made on the first workshop_relations
};

// config.json and the tokenizer read, the memory checked; then model.safetensors fed in pieces.
class PretrainedLoaderBinding {
 public:
  // tokenizer: {vocab, merges} or {tokenizerJson} as Uint8Arrays.
  static PretrainedLoaderBinding* create(const val& config_json, const val& tokenizer,
                                         double file_size) {
    return guarded_pretrained([&] {
      const TransformerConfig config = spotlight::read_gpt2_config(to_bytes(config_json));
      BpeTokenizer bpe = tokenizer["tokenizerJson"].isUndefined()
                             ? BpeTokenizer::from_vocab_and_merges(to_bytes(tokenizer["vocab"]),
                                                                   to_bytes(tokenizer["merges"]))
                             : BpeTokenizer::from_tokenizer_json(to_bytes(tokenizer["tokenizerJson"]));
      spotlight::require(bpe.vocab_size() <= config.vocab_size, "the tokenizer has ",
                         bpe.vocab_size(), " tokens but config.json's vocab_size is ",
                         config.vocab_size, ": these files are not of one model");
      const double parameters = static_cast<double>(spotlight::parameter_count(config));
      require_memory(parameters + working_floats(config),
                     concat("the model's ", static_cast<std::int64_t>(parameters),
                            " parameters (", whole_bytes(parameters * 4.0),
                            ") and its working memory at up to ", config.context_length,
                            " tokens"),
                     "; a smaller model of the family fits (gpt2's parameters take 498 MB)");
      return new PretrainedLoaderBinding(config, std::move(bpe), file_size);
    });
  }

  void feed(const val& piece) {
    guarded_pretrained([&] {
      const std::string bytes = to_bytes(piece);
      reader_.feed(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    });
  }

  double bytes_read() const { return static_cast<double>(reader_.bytes_read()); }

  PretrainedBinding* finish() {
    return guarded_pretrained(
        [&] { return new PretrainedBinding(reader_.finish(), std::move(*tokenizer_)); });
  }

 private:
  PretrainedLoaderBinding(const TransformerConfig& config, BpeTokenizer tokenizer, double file_size)
      : reader_(config, static_cast<std::uint64_t>(file_size)), tokenizer_(std::move(tokenizer)) {}

  spotlight::Gpt2WeightsReader reader_;
  std::optional<BpeTokenizer> tokenizer_;
};

}  // namespace spotlight_wasm

EMSCRIPTEN_BINDINGS(spotlight_pretrained) {
  using namespace spotlight_wasm;
  emscripten::class_<PretrainedLoaderBinding>("RawPretrainedLoader")
      .constructor(&PretrainedLoaderBinding::create, emscripten::allow_raw_pointers())
      .function("feed", &PretrainedLoaderBinding::feed)
      .function("bytesRead", &PretrainedLoaderBinding::bytes_read)
      .function("finish", &PretrainedLoaderBinding::finish, emscripten::allow_raw_pointers());
  emscripten::class_<PretrainedBinding>("RawPretrainedModel")
      .function("config", &PretrainedBinding::config)
      .function("encode", &PretrainedBinding::encode)
      .function("decode", &PretrainedBinding::decode)
      .function("tokenBytes", &PretrainedBinding::token_bytes)
      .function("logits", &PretrainedBinding::logits)
      .function("attention", &PretrainedBinding::attention)
      .function("attentionRow", &PretrainedBinding::attention_row)
      .function("trace", &PretrainedBinding::trace)
      .function("topNext", &PretrainedBinding::top_next)
      .function("overview", &PretrainedBinding::overview)
      .function("generate", &PretrainedBinding::generate)
      .function("detectHeads", &PretrainedBinding::detect_heads)
      .function("workshopRelations", &PretrainedBinding::workshop_relations)
      .function("save", &PretrainedBinding::save);
}
