// spotlight_train: trains the tiny transformer natively and measures its heads on held-out data.
//
//   spotlight_train workshop  [options]   the workshop corpus (corpus.h); reports, per relation,
//                                         the best head's accuracy on held-out sentences of the
//                                         trained shapes, on novel shapes, and on the workshop's
//                                         three sentences
//   spotlight_train induction [options]   repeated random sequences; reports induction scores
//   spotlight_train text FILE [options]   any UTF-8 text, word level (--chars: character level)
//   spotlight_train evaluate CHECKPOINT   the workshop report of a saved model
//
// Options: --out FILE (checkpoint), --report FILE (JSON), --steps N, --batch N, --lr X,
// --warmup N, --layers N, --heads N, --d-model N, --context N, --no-mlp, --no-layer-norm,
// --seed N (weights), --data-seed N, --train-sentences N, --eval-sentences N, --quiet; for
// induction --symbols N, --shortest-period N, --longest-period N.
// The defaults of `workshop` are the recipe of the page's trained model (workshop_recipe in
// src/core/training/recipes.cpp); README.md, "The trained workshop model", quotes the command.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "data/tokenizer.h"
#include "model/checkpoint.h"
#include "training/recipes.h"
#include "training/trainer.h"
#include "training/workshop_report.h"

namespace {

using namespace spotlight;

struct Arguments {
  std::string command, input, out, report;
  Recipe recipe = workshop_recipe();
  bool quiet = false, chars = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::ostream& out = problem.empty() ? std::cout : std::cerr;
  if (!problem.empty()) out << "spotlight_train: " << problem << "\n";
  out << "usage: spotlight_train workshop|induction|text FILE|evaluate CHECKPOINT [--out FILE]"
               " [--report FILE] [--steps N] [--batch N] [--lr X] [--warmup N] [--layers N]"
               " [--heads N] [--d-model N] [--context N] [--no-mlp] [--no-layer-norm] [--seed N]"
               " [--data-seed N] [--train-sentences N] [--eval-sentences N] [--symbols N]"
               " [--shortest-period N] [--longest-period N] [--chars] [--quiet]\n"
               "(the header of src/cli/spotlight_train.cpp says what each does)\n";
  std::exit(problem.empty() ? 0 : 2);
}

long long number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0') usage(flag + " needs a whole number, got \"" + text + "\"");
  return value;
}

Arguments parse(int argc, char** argv) {
  if (argc < 2) usage("no command");
  Arguments args;
  args.command = argv[1];
  if (args.command == "--help" || args.command == "help") usage("");
  int i = 2;
  if (args.command == "text" || args.command == "evaluate") {
    if (argc < 3) usage(args.command + " needs a file");
    args.input = argv[i++];
  } else if (args.command != "workshop" && args.command != "induction") {
    usage("unknown command \"" + args.command + "\"");
  }
  if (args.command == "induction") args.recipe = induction_recipe();
  if (args.command == "text") args.recipe = text_recipe();
  Recipe& r = args.recipe;
  for (; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--out") args.out = value();
    else if (flag == "--report") args.report = value();
    else if (flag == "--steps") r.training.schedule.total_steps = number(flag, value());
    else if (flag == "--batch") r.training.batch = number(flag, value());
    else if (flag == "--lr") r.training.schedule.peak = std::strtof(value(), nullptr);
    else if (flag == "--warmup") r.training.schedule.warmup_steps = number(flag, value());
    else if (flag == "--layers") r.config.n_layers = number(flag, value());
    else if (flag == "--heads") r.config.n_heads = number(flag, value());
    else if (flag == "--d-model") r.config.d_model = number(flag, value());
    else if (flag == "--context") r.config.context_length = number(flag, value());
    else if (flag == "--no-mlp") r.config.mlp = false;
    else if (flag == "--no-layer-norm") r.config.layer_norm = false;
    else if (flag == "--seed") r.config.seed = static_cast<std::uint64_t>(number(flag, value()));
    else if (flag == "--data-seed") r.training.data_seed = static_cast<std::uint64_t>(number(flag, value()));
    else if (flag == "--train-sentences") r.train_sequences = number(flag, value());
    else if (flag == "--eval-sentences") r.eval_sequences = number(flag, value());
    else if (flag == "--symbols") r.induction_symbols = number(flag, value());
    else if (flag == "--shortest-period") r.induction_shortest_period = number(flag, value());
    else if (flag == "--longest-period") r.induction_longest_period = number(flag, value());
    else if (flag == "--chars") args.chars = true;
    else if (flag == "--quiet") args.quiet = true;
    else usage("unknown option \"" + flag + "\"");
  }
  return args;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Trains `model`, printing the loss every so often; returns the seconds taken.
double train(TinyTransformer& model, TrainingSet set, const TrainingOptions& options, bool quiet) {
  Trainer trainer(std::move(set), options);
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t steps = options.schedule.total_steps;
  double recent = 0.0;
  for (std::int64_t step = 0; step < steps; ++step) {
    recent += trainer.step(model);
    const std::int64_t every = std::max<std::int64_t>(1, steps / 20);
    if ((step + 1) % every == 0) {
      if (!quiet) {
        std::printf("step %6lld  loss %.4f  lr %.2e  %.1f s\n", static_cast<long long>(step + 1),
                    recent / static_cast<double>(every), options.schedule.at(step),
                    seconds_since(start));
        std::fflush(stdout);
      }
      recent = 0.0;
    }
  }
  return seconds_since(start);
}

void save(const std::string& path, const TinyTransformer& model, const Vocabulary& vocabulary,
          const std::string& tokenizer, const std::string& metadata) {
  if (path.empty()) return;
  Checkpoint checkpoint;
  checkpoint.config = model.config();
  checkpoint.vocabulary = vocabulary.words();
  checkpoint.tokenizer = tokenizer;
  checkpoint.metadata = metadata;
  checkpoint.parameters = model.parameters();
  const std::vector<std::uint8_t> bytes = save_checkpoint(checkpoint);
  write_file(path, std::string(bytes.begin(), bytes.end()));
  std::printf("wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
}

int run_workshop(const Arguments& args) {
  const Recipe& recipe = args.recipe;
  const Vocabulary vocabulary(workshop_words());
  WorkshopData data = workshop_data(recipe);
  TransformerConfig config = recipe.config;
  config.vocab_size = vocabulary.size();
  TinyTransformer model(config);
  std::printf("workshop corpus: %lld training sentences, vocabulary %lld; model %lld layers, %lld "
              "heads, d_model %lld, %zu parameters; %lld steps of batch %lld\n",
              static_cast<long long>(recipe.train_sequences),
              static_cast<long long>(vocabulary.size()), static_cast<long long>(config.n_layers),
              static_cast<long long>(config.n_heads), static_cast<long long>(config.d_model),
              model.parameters().size(), static_cast<long long>(recipe.training.schedule.total_steps),
              static_cast<long long>(recipe.training.batch));
  const double seconds =
      train(model, sentence_training_set(vocabulary, data.training), recipe.training, args.quiet);
  const WorkshopReport report = evaluate_workshop(model, vocabulary, data);
  std::printf("trained in %.1f s\n%s", seconds, describe(report).c_str());
  const std::string metadata = workshop_metadata(recipe, report, seconds);
  if (!args.report.empty()) write_file(args.report, metadata + "\n");
  save(args.out, model, vocabulary, "word", metadata);
  return report.meets_goals() ? 0 : 1;
}

int run_induction(const Arguments& args) {
  const Recipe& recipe = args.recipe;
  const InductionData data = induction_data(recipe.training.data_seed, recipe.train_sequences,
                                            recipe.induction_symbols, recipe.induction_shortest_period,
                                            recipe.induction_longest_period);
  const InductionData held_out =
      induction_data(recipe.training.data_seed + 1000003, recipe.eval_sequences,
                     recipe.induction_symbols, recipe.induction_shortest_period,
                                            recipe.induction_longest_period);
  TransformerConfig config = recipe.config;
  config.vocab_size = data.vocabulary.size();
  TinyTransformer model(config);
  const double seconds = train(model, TrainingSet(data.sequences, data.vocabulary.size()),
                               recipe.training, args.quiet);
  const HeadScores scores = score_model_heads(model, held_out.sequences);
  std::printf("trained in %.1f s\n%s", seconds, describe(scores).c_str());
  save(args.out, model, data.vocabulary, "word", "{\"task\": \"induction\"}");
  return 0;
}

int run_text(const Arguments& args) {
  const std::vector<std::uint8_t> bytes = read_file(args.input);
  const std::string text(bytes.begin(), bytes.end());
  const std::vector<std::string> tokens = args.chars ? split_characters(text, false)
                                                     : split_words(text, true);
  const Recipe& recipe = args.recipe;
  const Vocabulary vocabulary = Vocabulary::from_tokens(tokens, recipe.text_vocabulary);
  TransformerConfig config = recipe.config;
  config.vocab_size = vocabulary.size();
  TinyTransformer model(config);
  std::printf("%zu tokens, vocabulary %lld\n", tokens.size(), static_cast<long long>(vocabulary.size()));
  const double seconds =
      train(model, text_training_set(vocabulary, tokens), recipe.training, args.quiet);
  std::printf("trained in %.1f s\n", seconds);
  save(args.out, model, vocabulary, args.chars ? "char" : "word", "{\"task\": \"text\"}");
  return 0;
}

int run_evaluate(const Arguments& args) {
  const std::vector<std::uint8_t> bytes = read_file(args.input);
  const Checkpoint checkpoint = load_checkpoint(bytes.data(), bytes.size());
  TinyTransformer model(checkpoint.config);
  model.set_all_parameters(checkpoint.parameters);
  const Vocabulary vocabulary(workshop_words());
  TransformerConfig expected = args.recipe.config;
  expected.vocab_size = vocabulary.size();
  if (checkpoint.config != expected || checkpoint.vocabulary != vocabulary.words()) {
    std::printf("%s is not a model of the workshop recipe (its config or vocabulary differs)\n",
                args.input.c_str());
    return 1;
  }
  const WorkshopReport report = evaluate_workshop(model, vocabulary, workshop_data(args.recipe));
  std::printf("%s", describe(report).c_str());
  return report.meets_goals() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse(argc, argv);
  try {
    if (args.command == "workshop") return run_workshop(args);
    if (args.command == "induction") return run_induction(args);
    if (args.command == "text") return run_text(args);
    return run_evaluate(args);
  } catch (const std::exception& error) {
    std::cerr << "spotlight_train: " << error.what() << "\n";
    return 2;
  }
}
