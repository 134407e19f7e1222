// spotlight_gpt2: a GPT-2-family checkpoint from Hugging Face's files, on the command line.
//
//   spotlight_gpt2 inspect DIR TEXT [--top N] [--repeat N] [--sequences N] [--seed N]
//                                   [--sentences N]
//       the model's size, TEXT's tokens (id, and the text each covers), the N likeliest next
//       tokens (default 10), the head detectors' best heads on the repeated random tokens test
//       (R = --repeat random tokens after <|endoftext|>, then the same R again; default 50, over
//       --sequences sequences, default 10), and for each of the workshop's relations the head
//       that gets it right most often on the held-out sentences the workshop model is measured
//       on, read as English (data/sentence_text.h), with its accuracy there and on the novel
//       shapes (--sentences: how many of each, default the recipe's 600; 0 leaves this out)
//   spotlight_gpt2 generate DIR TEXT [--count N] [--temperature X] [--top-k N] [--top-p X] [--seed N]
//       TEXT continued by N tokens (default 20; temperature 0 is greedy)
//   spotlight_gpt2 convert IN OUT [--dtype F32|F16|BF16]
//       a checkpoint of this project (.spotlight, IN a file) to the family's config.json and
//       model.safetensors (OUT a folder, created), or a folder of the family's files to a
//       .spotlight file (which holds models the page can train: TransformerLimits)
//
// DIR holds config.json, model.safetensors, and vocab.json + merges.txt or tokenizer.json, as a
// model's page on the Hugging Face Hub has them. model.safetensors is read in pieces of 16 MB.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/head_detectors.h"
#include "data/bpe_tokenizer.h"
#include "data/sentence_text.h"
#include "model/checkpoint.h"
#include "model/sampling.h"
#include "pretrained/gpt2_checkpoint.h"
#include "pretrained/gpt2_config.h"
#include "training/recipes.h"
#include "training/trainer.h"
#include "training/workshop_report.h"

namespace {

using namespace spotlight;
namespace fs = std::filesystem;

struct Arguments {
  std::string command, first, second;
  Index top = 10, count = 20, repeat = 50, sequences = 10, sentences = -1;
  SamplingOptions sampling;
  std::uint64_t seed = 1;
  std::string dtype = "F32";
};

[[noreturn]] void usage(const std::string& problem) {
  std::ostream& out = problem.empty() ? std::cout : std::cerr;
  if (!problem.empty()) out << "spotlight_gpt2: " << problem << "\n";
  out << "usage: spotlight_gpt2 inspect DIR TEXT [--top N] [--repeat N] [--sequences N] [--seed N]"
         " [--sentences N]\n"
         "       spotlight_gpt2 generate DIR TEXT [--count N] [--temperature X] [--top-k N]"
         " [--top-p X] [--seed N]\n"
         "       spotlight_gpt2 convert IN OUT [--dtype F32|F16|BF16]\n"
         "(the header of src/cli/spotlight_gpt2.cpp says what each does)\n";
  std::exit(problem.empty() ? 0 : 2);
}

double real_number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0') usage(flag + " needs a number, got \"" + text + "\"");
  return value;
}

Index whole_number(const std::string& flag, const char* text) {
  const double value = real_number(flag, text);
  if (value != static_cast<double>(static_cast<long long>(value)) || value < 0) {
    usage(flag + " needs a whole number >= 0, got \"" + text + "\"");
  }
  return static_cast<Index>(value);
}

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("");
    if (flag.rfind("--", 0) != 0) {
      positional.push_back(flag);
      continue;
    }
    if (i + 1 >= argc) usage(flag + " needs a value");
    const char* value = argv[++i];
    if (flag == "--top") arguments.top = whole_number(flag, value);
    else if (flag == "--count") arguments.count = whole_number(flag, value);
    else if (flag == "--repeat") arguments.repeat = whole_number(flag, value);
    else if (flag == "--sequences") arguments.sequences = whole_number(flag, value);
    else if (flag == "--sentences") arguments.sentences = whole_number(flag, value);
    else if (flag == "--seed") arguments.seed = static_cast<std::uint64_t>(whole_number(flag, value));
    else if (flag == "--temperature") arguments.sampling.temperature = static_cast<float>(real_number(flag, value));
    else if (flag == "--top-k") arguments.sampling.top_k = whole_number(flag, value);
    else if (flag == "--top-p") arguments.sampling.top_p = static_cast<float>(real_number(flag, value));
    else if (flag == "--dtype") arguments.dtype = value;
    else usage("unknown option " + flag);
  }
  if (positional.size() != 3) usage("expected a command and two arguments");
  arguments.command = positional[0];
  arguments.first = positional[1];
  arguments.second = positional[2];
  arguments.sampling.seed = arguments.seed;
  return arguments;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

struct Pretrained {
  LanguageModel model;
  BpeTokenizer tokenizer;
};

LanguageModel read_weights(const fs::path& folder, const TransformerConfig& config) {
  const fs::path weights = folder / "model.safetensors";
  std::ifstream in(weights, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + weights.string());
  Gpt2WeightsReader reader(config, fs::file_size(weights));
  std::vector<char> piece(16 << 20);
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    reader.feed(reinterpret_cast<const unsigned char*>(piece.data()),
                static_cast<std::size_t>(in.gcount()));
  }
  return reader.finish();
}

Pretrained read_folder(const fs::path& folder) {
  const TransformerConfig config = read_gpt2_config(read_file(folder / "config.json"));
  BpeTokenizer tokenizer =
      fs::exists(folder / "tokenizer.json")
          ? BpeTokenizer::from_tokenizer_json(read_file(folder / "tokenizer.json"))
          : BpeTokenizer::from_vocab_and_merges(read_file(folder / "vocab.json"),
                                                read_file(folder / "merges.txt"));
  return {read_weights(folder, config), std::move(tokenizer)};
}

// A token's bytes as text to print: control characters and the space made visible.
std::string shown(const std::string& bytes) {
  std::string text;
  for (const char c : bytes) {
    if (c == ' ') text += "\xE2\x90\xA3";  // ␣
    else if (c == '\n') text += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) text += "\\x" + std::to_string(c);
    else text += c;
  }
  return text;
}

std::string head_name(const std::vector<double>& scores, Index n_heads) {
  const HeadLocation best = best_head(scores, n_heads);
  std::ostringstream out;
  out << best.layer << "." << best.head << " (" << std::fixed << std::setprecision(3)
      << scores[static_cast<std::size_t>(best.layer * n_heads + best.head)] << ")";
  return out.str();
}

// The workshop's relations in the model's heads: on the held-out and novel sentences the
// workshop model's report uses (training/workshop_report.h), each read as English.
void print_relations(const Pretrained& pretrained, TokenId start_token, Index sentences) {
  Recipe recipe = workshop_recipe();
  if (sentences > 0) recipe.eval_sequences = sentences;
  const WorkshopData data = workshop_data(recipe);
  const auto encode = [&](const std::vector<Sentence>& list) {
    std::vector<EncodedSentence> encoded;
    for (const Sentence& sentence : list) {
      encoded.push_back(encode_sentence_text(pretrained.tokenizer, sentence, start_token));
    }
    return encoded;
  };
  const std::vector<RelationScores> held_out = score_model_relations(pretrained.model, encode(data.held_out));
  const std::vector<RelationScores> novel = score_model_relations(pretrained.model, encode(data.novel));
  const Index n_heads = pretrained.model.config().n_heads;
  std::cout << "the workshop's relations, each word at its last token (" << data.held_out.size()
            << " held-out sentences, " << data.novel.size() << " of novel shapes):\n";
  for (const RelationScores& relation : held_out) {
    const HeadLocation best = best_head(relation.accuracy, n_heads);
    const auto index = static_cast<std::size_t>(best.layer * n_heads + best.head);
    double novel_accuracy = 0.0;
    for (const RelationScores& other : novel) {
      if (other.name == relation.name) novel_accuracy = other.accuracy[index];
    }
    std::cout << "  " << std::left << std::setw(16) << relation.name << std::right << " head "
              << best.layer << "." << best.head << ": " << std::fixed << std::setprecision(1)
              << 100.0 * relation.accuracy[index] << "% of " << relation.instances
              << " held out, " << 100.0 * novel_accuracy << "% novel\n";
  }
}

int inspect(const Arguments& arguments) {
  const auto start = std::chrono::steady_clock::now();
  const Pretrained pretrained = read_folder(arguments.first);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const TransformerConfig& config = pretrained.model.config();
  std::cout << "model: " << config.n_layers << " layers of " << config.n_heads << " heads, "
            << config.d_model << " wide, " << config.context_length << " positions, "
            << config.vocab_size << " tokens; " << parameter_count(config) << " parameters ("
            << parameter_count(config) * 4 / 1000000 << " MB as float32), read in "
            << std::setprecision(3) << seconds << " s\n";

  const std::vector<BpeToken> tokens = pretrained.tokenizer.encode(arguments.second);
  if (tokens.empty()) throw std::invalid_argument("the text has no tokens; give some text");
  TokenSequence ids;
  std::cout << "tokens (" << tokens.size() << "):";
  for (const BpeToken& token : tokens) {
    ids.push_back(token.id);
    std::cout << " " << token.id << ":" << shown(arguments.second.substr(token.begin, token.end - token.begin));
  }
  std::cout << "\n";
  const Index last = static_cast<Index>(ids.size()) - 1;
  std::cout << "next token after the text:\n";
  for (const TokenProbability& next : top_next_tokens(pretrained.model, ids, last, arguments.top)) {
    std::cout << "  " << std::fixed << std::setprecision(4) << next.probability << "  "
              << shown(pretrained.tokenizer.token_bytes(next.token)) << " (" << next.token << ")\n";
  }

  RepeatedTokensTest test;
  test.repeat_length = arguments.repeat;
  test.sequences = arguments.sequences;
  test.seed = arguments.seed;
  const TokenId end_of_text = pretrained.tokenizer.end_of_text();
  test.start_token = end_of_text >= 0 ? end_of_text : 0;
  const HeadScores scores = detect_heads(
      pretrained.model, repeated_random_tokens(pretrained.tokenizer.vocab_size(), test));
  std::cout << "best heads (layer.head, score) on " << test.sequences << " sequences of "
            << test.repeat_length << " random tokens repeated:\n"
            << "  previous token   " << head_name(scores.previous_token, config.n_heads) << "\n"
            << "  first token      " << head_name(scores.first_token, config.n_heads) << "\n"
            << "  duplicate token  " << head_name(scores.duplicate_token, config.n_heads) << "\n"
            << "  induction        " << head_name(scores.induction, config.n_heads) << "\n";
  if (arguments.sentences != 0) print_relations(pretrained, test.start_token, arguments.sentences);
  return 0;
}

int generate_text(const Arguments& arguments) {
  const Pretrained pretrained = read_folder(arguments.first);
  TokenSequence ids;
  for (const BpeToken& token : pretrained.tokenizer.encode(arguments.second)) ids.push_back(token.id);
  const TokenSequence generated =
      generate(pretrained.model, ids, arguments.count, arguments.sampling);
  std::cout << arguments.second << pretrained.tokenizer.decode(generated) << "\n";
  return 0;
}

SafetensorsDtype dtype_of(const std::string& name) {
  if (name == "F32") return SafetensorsDtype::F32;
  if (name == "F16") return SafetensorsDtype::F16;
  if (name == "BF16") return SafetensorsDtype::BF16;
  usage("--dtype must be F32, F16 or BF16, got \"" + name + "\"");
}

int convert(const Arguments& arguments) {
  const fs::path in = arguments.first, out = arguments.second;
  if (fs::is_directory(in)) {
    const TransformerConfig config = read_gpt2_config(read_file(in / "config.json"));
    const LanguageModel model = read_weights(in, config);
    Checkpoint checkpoint;
    checkpoint.config = config;
    checkpoint.parameters = model.all_parameter_values();
    checkpoint.metadata = "{\"converted_from\": \"Hugging Face GPT-2 files\"}";
    const std::vector<std::uint8_t> bytes = save_checkpoint(checkpoint);
    write_file(out, std::string(bytes.begin(), bytes.end()));
    std::cout << "wrote " << out.string() << " (" << bytes.size() << " bytes)\n";
    return 0;
  }
  const std::string bytes = read_file(in);
  const Checkpoint checkpoint =
      load_checkpoint(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  LanguageModel model(checkpoint.config, LanguageModel::Weights::zeros);
  model.set_all_parameters(checkpoint.parameters);
  fs::create_directories(out);
  write_file(out / "config.json", write_gpt2_config(model.config()));
  std::ofstream weights(out / "model.safetensors", std::ios::binary);
  write_gpt2_weights(model, dtype_of(arguments.dtype),
                     [&](const std::string& piece) { weights << piece; });
  if (!weights) throw std::runtime_error("cannot write " + (out / "model.safetensors").string());
  std::cout << "wrote " << (out / "config.json").string() << " and "
            << (out / "model.safetensors").string()
            << (checkpoint.vocabulary.empty() ? ""
                                              : " (the word vocabulary has no GPT-2 tokenizer files)")
            << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments arguments = parse(argc, argv);
  try {
    if (arguments.command == "inspect") return inspect(arguments);
    if (arguments.command == "generate") return generate_text(arguments);
    if (arguments.command == "convert") return convert(arguments);
    usage("unknown command \"" + arguments.command + "\"");
  } catch (const std::exception& error) {
    std::cerr << "spotlight_gpt2: " << error.what() << "\n";
    return 1;
  }
}
