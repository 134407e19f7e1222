// Writes the native core's results as JSON for the Node tests, which check that the wasm build of
// the same core agrees: weights and embeddings bit for bit, attention outputs to 1e-6.
//   spotlight_wasm_fixtures OUTPUT.json
// Floats are printed with 9 significant digits, which round-trips every float32 exactly.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "spotlight.h"

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
  out << "]}\n";
  return file ? 0 : 1;
}
