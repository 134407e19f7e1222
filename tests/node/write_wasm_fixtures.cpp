// Writes the native core's results as JSON for the Node tests, which check that the wasm build of
// the same core agrees: weights and embeddings bit for bit, attention outputs to 1e-6; for the tiny
// transformer its initial parameters bit for bit, then the loss, gradients, 20 training steps,
// forward and sampling; the workshop corpus's first sentences exactly, and 20 Trainer steps on it
// (tests/node/parity.test.js states the tolerances).
//   spotlight_wasm_fixtures OUTPUT.json
// Floats are printed with 9 significant digits, which round-trips every float32 exactly; losses
// (doubles) with 17.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "attention/spotlight.h"
#include "data/corpus.h"
#include "model/sampling.h"
#include "model/transformer.h"
#include "training/recipes.h"
#include "training/trainer.h"
#include "training/workshop_report.h"

namespace {

using spotlight::Matrix;

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}

  void floats(const float* values, spotlight::Index count) {
    out_ << '[';
    char buffer[32];
    for (spotlight::Index i = 0; i < count; ++i) {
      std::snprintf(buffer, sizeof buffer, "%.9g", double(values[i]));
      out_ << (i ? "," : "") << buffer;
    }
    out_ << ']';
  }
  void matrix(const Matrix& m) { floats(m.data(), m.size()); }
  void floats(const std::vector<float>& values) {
    floats(values.data(), static_cast<spotlight::Index>(values.size()));
  }
  void number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    out_ << buffer;
  }
  template <typename Integer>
  void integers(const std::vector<Integer>& values) {
    out_ << '[';
    for (std::size_t i = 0; i < values.size(); ++i) out_ << (i ? "," : "") << values[i];
    out_ << ']';
  }
  // {name: [floats]} of a flat buffer in the parameter table's order.
  void by_name(const std::vector<spotlight::ParameterInfo>& table, const std::vector<float>& flat) {
    out_ << '{';
    for (std::size_t i = 0; i < table.size(); ++i) {
      out_ << (i ? "," : "") << '"' << table[i].name << "\":";
      floats(flat.data() + table[i].offset, table[i].size());
    }
    out_ << '}';
  }
  void string(const std::string& s) {  // the fixtures' strings hold no quote, backslash or control
    out_ << '"' << s << '"';
  }
  std::ostream& raw() { return out_; }

 private:
  std::ostream& out_;
};

const std::vector<std::string> sentence{"The", "cat", "sat", "on", "the", "mat", "because", "it",
                                        "was", "tired", "日本語", "🙂", "e\xCC\x81"};

void write_case(JsonWriter& json, int d_model, int n_heads, std::uint64_t seed) {
  const spotlight::SimpleAttention attention(d_model, n_heads, seed);
  const Matrix x = spotlight::embed_tokens(sentence, d_model, seed);
  spotlight::EmbeddingOptions tokens_only;
  tokens_only.positional = false;
  const Matrix x_tokens_only = spotlight::embed_tokens(sentence, d_model, seed, tokens_only);
  const Matrix x_kv = x.topRows(5);

  spotlight::AttentionOptions options;
  options.causal = true;
  options.temperature = 0.7f;
  options.key_padding_mask.assign(std::size_t(x.rows()), 0);
  options.key_padding_mask[2] = 1;

  auto& out = json.raw();
  out << "{\"dModel\":" << d_model << ",\"heads\":" << n_heads << ",\"seed\":" << seed;
  const char* names[] = {"wq", "wk", "wv", "wo"};
  for (int p = 0; p < 4; ++p) {
    out << ",\"" << names[p] << "\":";
    json.matrix(attention.weight(spotlight::Projection(p)));
  }
  out << ",\"x\":";
  json.matrix(x);
  out << ",\"xTokensOnly\":";
  json.matrix(x_tokens_only);
  const auto plain = attention.forward(x);
  out << ",\"output\":";
  json.matrix(plain.output);
  out << ",\"weights\":";
  json.matrix(plain.weights);
  const auto masked = attention.forward(x, options);
  out << ",\"maskedOutput\":";
  json.matrix(masked.output);
  out << ",\"maskedWeights\":";
  json.matrix(masked.weights);
  out << ",\"crossOutput\":";
  json.matrix(attention.cross_attention(x, x_kv, {}, false).output);
  out << '}';
}

// The tiny transformer's case: a fixed config and batch of 2 sequences of 8 tokens, under the
// JS API's names (tests/node/parity.test.js replays it in wasm).
constexpr spotlight::Index transformer_batch = 2, transformer_seq_len = 8;
constexpr int transformer_steps = 20;
constexpr float transformer_learning_rate = 1e-2f;

void write_transformer_case(JsonWriter& json, const spotlight::TransformerConfig& config) {
  spotlight::TinyTransformer model(config);
  const spotlight::Index n = transformer_batch * transformer_seq_len;
  spotlight::TokenSequence inputs, targets;
  for (spotlight::Index i = 0; i < n; ++i) {
    inputs.push_back(static_cast<spotlight::TokenId>((7 * i + 3) % config.vocab_size));
    targets.push_back(static_cast<spotlight::TokenId>((7 * i + 10) % config.vocab_size));
  }
  targets[5] = spotlight::ignored_target;
  const spotlight::TokenSequence prompt(inputs.begin(), inputs.begin() + 5);

  auto& out = json.raw();
  out << "{\"config\":{\"vocabSize\":" << config.vocab_size
      << ",\"contextLength\":" << config.context_length << ",\"embedDim\":" << config.d_model
      << ",\"numHeads\":" << config.n_heads << ",\"numLayers\":" << config.n_layers
      << ",\"mlp\":" << (config.mlp ? "true" : "false")
      << ",\"layerNorm\":" << (config.layer_norm ? "true" : "false") << ",\"seed\":" << config.seed
      << "}";
  out << ",\"batch\":" << transformer_batch << ",\"seqLen\":" << transformer_seq_len
      << ",\"learningRate\":";
  json.number(transformer_learning_rate);
  out << ",\"inputs\":";
  json.integers(inputs);
  out << ",\"targets\":";
  json.integers(targets);
  out << ",\"parameters\":";
  json.by_name(model.parameter_table(), model.parameters());
  out << ",\"loss\":";
  json.number(model.loss_and_gradients(inputs.data(), targets.data(), transformer_batch,
                                       transformer_seq_len));
  out << ",\"gradients\":";
  json.by_name(model.parameter_table(), model.gradients());
  const spotlight::TransformerOutput output = model.forward(prompt);
  out << ",\"prompt\":";
  json.integers(prompt);
  out << ",\"logits\":";
  json.matrix(output.logits);
  out << ",\"attention\":";
  json.floats(output.attention.weights);
  spotlight::SamplingOptions sampling;
  sampling.seed = 3;
  out << ",\"generated\":";
  json.integers(spotlight::generate(model, prompt, 12, sampling));

  spotlight::AdamWOptions adamw;
  adamw.learning_rate = transformer_learning_rate;
  out << ",\"trainLosses\":[";
  for (int step = 0; step < transformer_steps; ++step) {
    out << (step ? "," : "");
    json.number(model.train_step(inputs.data(), targets.data(), transformer_batch,
                                 transformer_seq_len, adamw));
  }
  out << "],\"trainedParameters\":";
  json.by_name(model.parameter_table(), model.parameters());
  out << ",\"trainedLogits\":";
  json.matrix(model.forward(prompt).logits);
  out << '}';
}

// The first `count` sentences (all when fewer) as workshopCorpus() returns them: {words, tokens
// (<bos> first), relations (positions in tokens)}.
void write_sentences(JsonWriter& json, const spotlight::Vocabulary& vocabulary,
                     const std::vector<spotlight::Sentence>& sentences, std::size_t count) {
  auto& out = json.raw();
  out << '[';
  for (std::size_t s = 0; s < std::min(count, sentences.size()); ++s) {
    const spotlight::EncodedSentence encoded = spotlight::encode_sentence(vocabulary, sentences[s]);
    out << (s ? "," : "") << "{\"words\":[";
    for (std::size_t i = 0; i < sentences[s].words.size(); ++i) {
      out << (i ? "," : "");
      json.string(sentences[s].words[i]);
    }
    out << "],\"tokens\":";
    json.integers(encoded.tokens);
    out << ",\"relations\":[";
    for (std::size_t r = 0; r < encoded.relations.size(); ++r) {
      const spotlight::Relation& relation = encoded.relations[r];
      out << (r ? "," : "") << "{\"name\":";
      json.string(relation.name);
      out << ",\"query\":" << relation.query << ",\"key\":" << relation.key << '}';
    }
    out << "]}";
  }
  out << ']';
}

// The workshop corpus of the recipe (its first sentences of each split) and a Trainer of a small
// model on its first training sentences, from fixed seeds, under the JS API's names.
constexpr std::size_t workshop_fixture_sentences = 6;
constexpr spotlight::Index trainer_sentences = 200;
constexpr int trainer_steps = 20;

void write_workshop_case(JsonWriter& json) {
  const spotlight::Recipe recipe = spotlight::workshop_recipe();
  const spotlight::Vocabulary vocabulary(spotlight::workshop_words());
  const spotlight::WorkshopData data = spotlight::workshop_data(recipe);
  auto& out = json.raw();
  out << "{\"seed\":" << recipe.training.data_seed
      << ",\"trainSentences\":" << recipe.train_sequences
      << ",\"evalSentences\":" << recipe.eval_sequences << ",\"vocabulary\":[";
  for (std::size_t i = 0; i < vocabulary.words().size(); ++i) {
    out << (i ? "," : "");
    json.string(vocabulary.words()[i]);
  }
  out << "],\"training\":";
  write_sentences(json, vocabulary, data.training, workshop_fixture_sentences);
  out << ",\"heldOut\":";
  write_sentences(json, vocabulary, data.held_out, workshop_fixture_sentences);
  out << ",\"novel\":";
  write_sentences(json, vocabulary, data.novel, workshop_fixture_sentences);
  out << ",\"experiments\":";
  write_sentences(json, vocabulary, data.experiments, data.experiments.size());

  spotlight::TransformerConfig config = recipe.config;
  config.vocab_size = vocabulary.size();
  config.d_model = 16;
  config.n_heads = 2;
  config.seed = 3;
  spotlight::TrainingOptions options;
  options.batch = 8;
  options.schedule = {1e-2f, 5, trainer_steps, 0.1f};
  options.data_seed = 5;
  spotlight::TinyTransformer model(config);
  spotlight::Trainer trainer(
      spotlight::sentence_training_set(
          vocabulary, spotlight::workshop_sentences(recipe.training.data_seed, trainer_sentences,
                                                    spotlight::WorkshopShapes::trained)),
      options);
  out << ",\"trainer\":{\"config\":{\"vocabSize\":" << config.vocab_size
      << ",\"contextLength\":" << config.context_length << ",\"embedDim\":" << config.d_model
      << ",\"numHeads\":" << config.n_heads << ",\"numLayers\":" << config.n_layers
      << ",\"seed\":" << config.seed << "},\"trainSentences\":" << trainer_sentences
      << ",\"options\":{\"batch\":" << options.batch << ",\"seqLen\":" << options.seq_len
      << ",\"learningRate\":";
  json.number(options.schedule.peak);
  out << ",\"warmupSteps\":" << options.schedule.warmup_steps
      << ",\"totalSteps\":" << options.schedule.total_steps << ",\"finalFraction\":";
  json.number(options.schedule.final_fraction);
  out << ",\"dataSeed\":" << options.data_seed << "},\"losses\":[";
  for (int step = 0; step < trainer_steps; ++step) {
    out << (step ? "," : "");
    json.number(trainer.step(model));
  }
  out << "]}}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUTPUT.json\n";
    return 2;
  }
  std::ofstream file(argv[1]);
  JsonWriter json(file);
  auto& out = json.raw();
  out << "{\"tokens\":[";
  for (std::size_t i = 0; i < sentence.size(); ++i) {
    out << (i ? "," : "");
    json.string(sentence[i]);
  }
  out << "],\"cases\":[";
  write_case(json, 8, 2, 42);
  out << ',';
  write_case(json, 64, 4, 42);
  out << ',';
  write_case(json, 48, 3, 9007199254740991ULL);  // the largest seed JavaScript passes exactly
  out << "],\"transformers\":[";
  spotlight::TransformerConfig full;
  full.vocab_size = 20;
  full.context_length = 8;
  full.d_model = 16;
  full.n_heads = 2;
  full.n_layers = 2;
  full.seed = 11;
  write_transformer_case(json, full);
  out << ',';
  spotlight::TransformerConfig attention_only = full;
  attention_only.mlp = false;
  attention_only.layer_norm = false;
  attention_only.seed = 9007199254740991ULL;
  write_transformer_case(json, attention_only);
  out << "],\"workshop\":";
  write_workshop_case(json);
  out << "}\n";
  return file ? 0 : 1;
}
