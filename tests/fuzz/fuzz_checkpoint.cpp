// libFuzzer target over the checkpoint format (checkpoint.h), built with AddressSanitizer and
// UndefinedBehaviorSanitizer (tests/fuzz/CMakeLists.txt), checked by the rules of fuzz_rules.h.
// The first byte picks the mode:
//   0 (mod 4)  raw       the rest of the input is a file for load_checkpoint. It is rejected with
//                        std::invalid_argument and a short message, or loads a checkpoint that
//                        saves back to exactly those bytes (the format has one encoding per
//                        checkpoint, so a load can neither lose nor invent anything).
//   2 (mod 4)  resealed  the same, after the last 4 bytes are replaced by the CRC-32 of the
//                        others: mutations then reach the checks behind the checksum, which a
//                        raw mutation almost never passes.
//   odd        corrupt   the rest builds a small checkpoint (read_corrupt_case below), valid or
//   with one
//                  chosen fault; save_checkpoint must reject exactly the faulty ones. The saved
//                  bytes load back identical; then they are damaged in a chosen way, and the load
//                  must reject them, or give back the same contents when nothing changed, or a
//                  checkpoint that saves back to the damaged bytes when the damage is undetectable
//                  by design (the CRC rewritten to match). A change within 4 consecutive bytes,
//                  a truncation and appended bytes are always rejected, and reported as damage
//                  when past the header.
//
// The seeds in tests/fuzz/corpus/checkpoint/seeds come from this target itself:
//   build/helper-fuzz/tests/fuzz/fuzz_checkpoint --write-seeds=tests/fuzz/corpus/checkpoint/seeds
// (write_seeds below: valid checkpoints of small configs, broken ones, and corrupt-mode inputs).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint_bytes.h"
#include "fuzz_input.h"
#include "fuzz_rules.h"
#include "model/checkpoint.h"

namespace fuzz {

namespace {

using spotlight::AdamWState;
using spotlight::Checkpoint;
using spotlight::CheckpointLimits;
using spotlight::TransformerConfig;
using checkpoint_bytes::Bytes;
using checkpoint_bytes::crc_bytes;
using checkpoint_bytes::put_f32;
using checkpoint_bytes::put_u32;
using checkpoint_bytes::resealed;

constexpr std::size_t header_bytes = CheckpointLimits::header_bytes;
// A rejection says what is wrong in a sentence; it never dumps the file into the message.
constexpr std::size_t longest_message = 400;

// Whether load_checkpoint returned (into `loaded`), checking the rules of every load: a rejection
// has a short message; a loaded checkpoint saves back to exactly `bytes`.
bool check_load(const Bytes& bytes, Checkpoint& loaded, const char* what) {
  const bool done = completes(
      "load_checkpoint", [&] { loaded = spotlight::load_checkpoint(bytes.data(), bytes.size()); });
  if (!done) {
    rule(last_rejection.size() <= longest_message, what, ": a rejection of ", last_rejection.size(),
         " bytes: ", last_rejection.substr(0, longest_message));
    return false;
  }
  Bytes saved;
  rule(completes("save_checkpoint", [&] { saved = spotlight::save_checkpoint(loaded); }), what,
       ": save_checkpoint rejects what load_checkpoint returned: ", last_rejection);
  rule(saved == bytes, what, ": ", bytes.size(), " bytes loaded, but the checkpoint saves to ",
       saved.size(), " other bytes");
  return true;
}

void fuzz_raw(const std::uint8_t* data, std::size_t size, bool reseal) {
  Bytes bytes(data, data + size);
  if (reseal && bytes.size() >= crc_bytes) bytes = resealed(std::move(bytes));
  Checkpoint loaded;
  check_load(bytes, loaded, reseal ? "resealed raw bytes" : "raw bytes");
}

// Valid UTF-8 from the fuzzer's text: printable ASCII as it is, other bytes below 0xF0 mapped onto
// it, and a byte from 0xF0 up becomes "é", "€", "😀" (two to four bytes) or NUL.
std::string utf8_text(ByteReader& in, std::size_t max_length) {
  static const char* const wide[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  std::string text;
  for (const char raw : in.text(max_length)) {
    const auto byte = static_cast<unsigned char>(raw);
    if (byte >= 0x20 && byte <= 0x7E) {
      text += raw;
    } else if (byte < 0xF0) {
      text += static_cast<char>(0x20 + byte % 95);
    } else if (byte % 4 == 3) {
      text += '\0';
    } else {
      text += wide[byte % 4];
    }
  }
  return text;
}

float finite_value(ByteReader& in, float magnitude) {
  const float value = in.value(magnitude);
  return std::isfinite(value) ? value : 0.0f;
}

// Faults that save_checkpoint must reject, by fault byte % 16 (13-15: none). A fault that does not
// apply to the checkpoint (a duplicate token without a vocabulary) leaves it valid.
enum Fault : std::uint8_t {
  non_finite_parameter,
  parameter_count_off_by_one,
  non_finite_m,
  negative_v,
  negative_step,
  moment_count_off_by_one,
  duplicate_token,
  invalid_utf8,  // in a token, or in the metadata without a vocabulary
  vocabulary_size_off_by_one,
  wrong_tokenizer,
  metadata_too_long,
  token_too_long,
  invalid_config,
  fault_count
};

// The corruptions of the saved bytes, by kind byte % 8.
enum class Corruption : std::uint8_t {
  flip_bit,
  change_byte,
  truncate,
  append,
  overwrite,           // up to 8 bytes
  overwrite_resealed,  // and the CRC rewritten to match: a valid file, if the rest checks out
  insert_byte,
  erase_byte,
};

struct CorruptCase {
  Checkpoint checkpoint;
  std::uint8_t fault = 0;
  std::uint32_t fault_word = 0;  // where and which
  Corruption corruption = Corruption::flip_bit;
  std::uint32_t position = 0;  // % the file's size
  std::size_t length = 1;      // 1 .. 8 bytes
  std::uint8_t bytes[8] = {};
};

// Reads, in order:
//   config: vocab_size 1 + byte % 8, context_length 1 + byte % 8, n_heads 1 + byte % 4,
//           d_model n_heads (1 + byte % 2), n_layers 1 + byte % 3, flags byte (bit 0 mlp,
//           bit 1 layer_norm, bit 2 a vocabulary, bit 3 the "char" tokenizer, else "word",
//           bit 4 optimizer state), seed: 2 words
//   fault: byte, word;  corruption: kind byte, position word, length byte (1 + % 8), 8 bytes
//   a text per token (utf8_text, up to 6 bytes, made unique by the id in front), the metadata
//   (up to 24 bytes), a magnitude byte, the parameters, [the step word, m, v] (fuzz_input.h's
//   values; non-finite ones become 0, v drops its sign)
CorruptCase read_corrupt_case(ByteReader& in) {
  CorruptCase test;
  TransformerConfig& config = test.checkpoint.config;
  config.vocab_size = 1 + in.byte() % 8;
  config.context_length = 1 + in.byte() % 8;
  config.n_heads = 1 + in.byte() % 4;
  config.d_model = config.n_heads * (1 + in.byte() % 2);
  config.n_layers = 1 + in.byte() % 3;
  const std::uint8_t flags = in.byte();
  config.mlp = flags & 1;
  config.layer_norm = flags & 2;
  config.seed = in.word();
  config.seed |= std::uint64_t{in.word()} << 32;
  test.fault = in.byte();
  test.fault_word = in.word();
  test.corruption = static_cast<Corruption>(in.byte() % 8);
  test.position = in.word();
  test.length = 1 + in.byte() % 8;
  for (std::uint8_t& byte : test.bytes) byte = in.byte();

  Checkpoint& checkpoint = test.checkpoint;
  if (flags & 4) {
    for (Index id = 0; id < config.vocab_size; ++id) {
      checkpoint.vocabulary.push_back(std::to_string(id) + ":" + utf8_text(in, 6));
    }
    checkpoint.tokenizer = (flags & 8) ? "char" : "word";
  }
  checkpoint.metadata = utf8_text(in, 24);
  const float magnitude = in.magnitude();
  const Index count = spotlight::parameter_count(spotlight::parameter_table(config));
  for (Index i = 0; i < count; ++i) checkpoint.parameters.push_back(finite_value(in, magnitude));
  if (flags & 16) {
    AdamWState state;
    state.step = in.word();
    for (Index i = 0; i < count; ++i) state.m.push_back(finite_value(in, magnitude));
    for (Index i = 0; i < count; ++i) {
      const float value = finite_value(in, magnitude);
      state.v.push_back(value < 0.0f ? -value : value);  // keeps -0, which is not negative
    }
    checkpoint.optimizer = std::move(state);
  }
  return test;
}

// Applies test.fault to test.checkpoint; returns whether it applied.
bool apply_fault(CorruptCase& test) {
  Checkpoint& checkpoint = test.checkpoint;
  const std::uint32_t word = test.fault_word;
  const std::size_t at = word % checkpoint.parameters.size();
  const float non_finite[] = {std::numeric_limits<float>::quiet_NaN(),
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()};
  const float bad_value = non_finite[word % 3];
  std::vector<std::string>& vocabulary = checkpoint.vocabulary;
  std::optional<AdamWState>& optimizer = checkpoint.optimizer;
  switch (test.fault % 16) {
    case non_finite_parameter:
      checkpoint.parameters[at] = bad_value;
      return true;
    case parameter_count_off_by_one:
      if (word & 1) {
        checkpoint.parameters.push_back(0.0f);
      } else {
        checkpoint.parameters.pop_back();
      }
      return true;
    case non_finite_m:
      if (!optimizer) return false;
      optimizer->m[at] = bad_value;
      return true;
    case negative_v:
      if (!optimizer) return false;
      optimizer->v[at] = (word & 1) ? -std::numeric_limits<float>::denorm_min() : -1.0f;
      return true;
    case negative_step:
      if (!optimizer) return false;
      optimizer->step = -1 - std::int64_t{word};
      return true;
    case moment_count_off_by_one:
      if (!optimizer) return false;
      ((word & 1) ? optimizer->m : optimizer->v).push_back(0.0f);
      return true;
    case duplicate_token:
      if (vocabulary.size() < 2) return false;
      vocabulary[1 + word % (vocabulary.size() - 1)] = vocabulary[0];
      return true;
    case invalid_utf8: {
      static const char* const malformed[] = {
          "\x80", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\xE2\x82"};
      std::string& text =
          vocabulary.empty() ? checkpoint.metadata : vocabulary[word % vocabulary.size()];
      text += malformed[word % 6];
      return true;
    }
    case vocabulary_size_off_by_one:
      if (vocabulary.empty()) return false;
      if (word & 1) {
        vocabulary.push_back("~extra");  // unlike every "<id>:..." token
      } else {
        vocabulary.pop_back();
      }
      return true;
    case wrong_tokenizer:
      checkpoint.tokenizer = vocabulary.empty() ? "word" : (word & 1) ? "" : "bpe";
      return true;
    case metadata_too_long:
      checkpoint.metadata.assign(CheckpointLimits::max_metadata_bytes + 1 + word % 3, 'x');
      return true;
    case token_too_long:
      if (vocabulary.empty()) return false;
      vocabulary[word % vocabulary.size()] += std::string(CheckpointLimits::max_token_bytes, 'x');
      return true;
    case invalid_config: {
      TransformerConfig& config = checkpoint.config;
      if (word % 3 == 0) config.n_heads = 0;
      if (word % 3 == 1) config.vocab_size = spotlight::TransformerLimits::max_vocab_size + 1;
      if (word % 3 == 2) config.d_model = config.n_heads > 1 ? config.d_model + 1 : 0;
      return true;
    }
    default:
      return false;
  }
}

// The bytes after test.corruption; sets `was_resealed` when the CRC was rewritten to match.
Bytes corrupted_bytes(const Bytes& original, const CorruptCase& test, bool& was_resealed) {
  Bytes bytes = original;
  const std::size_t at = test.position % bytes.size();
  const std::size_t span = std::min(test.length, bytes.size() - at);
  was_resealed = false;
  switch (test.corruption) {
    case Corruption::flip_bit:
      bytes[at] ^= static_cast<std::uint8_t>(1u << (test.bytes[0] % 8));
      break;
    case Corruption::change_byte:
      bytes[at] ^= test.bytes[0] ? test.bytes[0] : 0xFF;
      break;
    case Corruption::truncate:
      bytes.resize(at);
      break;
    case Corruption::append:
      bytes.insert(bytes.end(), test.bytes, test.bytes + test.length);
      break;
    case Corruption::overwrite:
    case Corruption::overwrite_resealed:
      std::copy(test.bytes, test.bytes + span, bytes.begin() + static_cast<std::ptrdiff_t>(at));
      if (test.corruption == Corruption::overwrite_resealed) {
        bytes = resealed(std::move(bytes));
        was_resealed = true;
      }
      break;
    case Corruption::insert_byte:
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), test.bytes[0]);
      break;
    case Corruption::erase_byte:
      bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at));
      break;
  }
  return bytes;
}

void fuzz_corrupt(ByteReader& in) {
  CorruptCase test = read_corrupt_case(in);
  const bool faulty = apply_fault(test);
  Bytes original;
  const bool saved =
      completes("save_checkpoint", [&] { original = spotlight::save_checkpoint(test.checkpoint); });
  rule(saved == !faulty, "save_checkpoint ", saved ? "accepted" : "rejected", " a checkpoint ",
       faulty ? "with" : "without", " fault ", test.fault % 16,
       saved ? std::string() : ": " + last_rejection);
  if (!saved) return;

  Checkpoint loaded;
  rule(check_load(original, loaded, "saved checkpoint") &&
           spotlight::identical(loaded, test.checkpoint),
       "a saved checkpoint does not load back identical: ", last_rejection);

  bool was_resealed = false;
  const Bytes bytes = corrupted_bytes(original, test, was_resealed);
  const bool accepted = check_load(bytes, loaded, "corrupted checkpoint");
  if (bytes == original) {
    rule(accepted && spotlight::identical(loaded, test.checkpoint),
         "an unchanged checkpoint did not load back identical: ", last_rejection);
    return;
  }
  if (bytes.size() != original.size()) {
    const bool header_intact =
        test.corruption == Corruption::truncate || test.corruption == Corruption::append;
    rule(!header_intact || !accepted, "a checkpoint of ", original.size(), " bytes loaded with ",
         bytes.size());
    return;
  }
  // A CRC-32 detects every error burst of up to 32 bits, wherever it lies (the CRC included).
  std::size_t first = 0, last = bytes.size() - 1;
  while (bytes[first] == original[first]) ++first;
  while (bytes[last] == original[last]) --last;
  if (was_resealed || last - first >= 4) return;
  rule(!accepted, "a change of bytes ", first, " to ", last, " was not detected");
  rule(first < header_bytes || last_rejection.rfind("damaged: checksum 0x", 0) == 0,
       "a change of bytes ", first, " to ", last, " is not reported as damage: ", last_rejection);
}

// --- Seeds -------------------------------------------------------------------------------------

constexpr std::uint8_t raw_mode = 0, corrupt_mode = 1, resealed_raw_mode = 2;

// Header offsets (checkpoint.h) of the fields that the broken seeds change.
constexpr std::size_t version_offset = 8, flags_offset = 12, n_heads_offset = 36,
                      vocab_size_offset = 24, parameter_count_offset = 44,
                      vocabulary_entries_offset = 48, metadata_bytes_offset = 60;

Checkpoint seed_checkpoint(const TransformerConfig& config, std::vector<std::string> vocabulary,
                           const std::string& tokenizer, bool with_optimizer) {
  Checkpoint checkpoint;
  checkpoint.config = config;
  checkpoint.vocabulary = std::move(vocabulary);
  checkpoint.tokenizer = tokenizer;
  checkpoint.metadata = R"({"trained_on": "seed", "steps": 100})";
  const Index count = spotlight::parameter_count(spotlight::parameter_table(config));
  spotlight::SplitMix64 random(config.seed);
  for (Index i = 0; i < count; ++i) checkpoint.parameters.push_back(random.uniform_symmetric(1.0f));
  if (with_optimizer) {
    AdamWState state;
    state.step = 100;
    for (Index i = 0; i < count; ++i) {
      state.m.push_back(random.uniform_symmetric(0.1f));
      state.v.push_back(std::abs(random.uniform_symmetric(0.01f)));
    }
    checkpoint.optimizer = std::move(state);
  }
  return checkpoint;
}

// vocab_size, context_length, d_model, n_heads, n_layers, mlp, layer_norm, seed.
const TransformerConfig tiny_config{2, 1, 1, 1, 1, false, false, 1};

std::vector<std::pair<std::string, Bytes>> raw_seeds() {
  const Checkpoint tiny = seed_checkpoint(tiny_config, {"a", "b"}, "char", true);
  Checkpoint edges = tiny;
  edges.parameters = {-0.0f,
                      std::numeric_limits<float>::denorm_min(),
                      -std::numeric_limits<float>::denorm_min(),
                      std::numeric_limits<float>::max(),
                      -std::numeric_limits<float>::max(),
                      std::numeric_limits<float>::min(),
                      1e-40f,
                      1e38f,
                      -1e-38f,
                      0.0f,
                      1.0f};
  edges.optimizer->v[0] = -0.0f;
  edges.optimizer->v[1] = std::numeric_limits<float>::denorm_min();
  const Bytes tiny_bytes = spotlight::save_checkpoint(tiny);
  // The tiny checkpoint's sections: vocabulary at 64 (10 bytes: entry 1's length at 69, its text
  // at 73), tokenizer at 74, metadata at 78, parameters from 78 + its length.
  const std::size_t parameters_offset = 78 + tiny.metadata.size();
  const std::size_t step_offset = parameters_offset + 4 * tiny.parameters.size();
  const std::size_t m_offset = step_offset + 8, v_offset = m_offset + 4 * tiny.parameters.size();
  const auto with_u32 = [&](std::size_t offset, std::uint32_t value) {
    Bytes bytes = tiny_bytes;
    put_u32(bytes, offset, value);
    return resealed(bytes);
  };
  const auto with_f32 = [&](std::size_t offset, float value) {
    Bytes bytes = tiny_bytes;
    put_f32(bytes, offset, value);
    return resealed(bytes);
  };
  const auto with_byte = [&](std::size_t offset, std::uint8_t value, bool reseal) {
    Bytes bytes = tiny_bytes;
    bytes[offset] = value;
    return reseal ? resealed(bytes) : bytes;
  };
  Bytes truncated = tiny_bytes, trailing = tiny_bytes, png = tiny_bytes;
  truncated.resize(tiny_bytes.size() - 10);
  trailing.insert(trailing.end(), {0, 0, 0});
  const std::uint8_t png_magic[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  std::copy(std::begin(png_magic), std::end(png_magic), png.begin());

  return {
      {"valid-tiny-attention-only", tiny_bytes},
      {"valid-no-vocabulary", spotlight::save_checkpoint(seed_checkpoint(
                                  TransformerConfig{4, 3, 4, 2, 1, true, true, 9}, {}, "", false))},
      {"valid-word-vocabulary-utf8",
       spotlight::save_checkpoint(seed_checkpoint(
           TransformerConfig{6, 2, 2, 2, 1, true, false, 2},
           {"the", "cat", "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80", ""},
           "word", false))},
      {"valid-char-vocabulary-optimizer",
       spotlight::save_checkpoint(seed_checkpoint(TransformerConfig{5, 4, 2, 1, 2, false, true, 3},
                                                  {"a", "b", "c", " ", "\n"}, "char", true))},
      {"valid-float-edges", spotlight::save_checkpoint(edges)},
      {"broken-empty", {}},
      {"broken-short-header", Bytes(tiny_bytes.begin(), tiny_bytes.begin() + 12)},
      {"broken-header-only", Bytes(tiny_bytes.begin(), tiny_bytes.begin() + header_bytes)},
      {"broken-magic-png", png},
      {"broken-version-2", with_u32(version_offset, 2)},
      {"broken-truncated", truncated},
      {"broken-trailing-bytes", trailing},
      {"broken-checksum", with_byte(parameters_offset, tiny_bytes[parameters_offset] ^ 1, false)},
      {"broken-huge-metadata-length", with_u32(metadata_bytes_offset, 0x80000000u)},
      {"broken-huge-parameter-count", with_u32(parameter_count_offset, 0xFFFFFFFFu)},
      {"broken-huge-vocabulary-entries", with_u32(vocabulary_entries_offset, 0x80000000u)},
      {"broken-huge-token-length", with_u32(69, 0x80000000u)},
      {"broken-unknown-flags", with_u32(flags_offset, 0x4 | 0x80)},
      {"broken-config-no-heads", with_u32(n_heads_offset, 0)},
      {"broken-parameter-count-mismatch", with_u32(vocab_size_offset, 3)},
      {"broken-vocabulary-leftover", with_u32(vocabulary_entries_offset, 1)},
      {"broken-duplicate-token", with_byte(73, 'a', true)},
      {"broken-invalid-utf8-token", with_byte(73, 0xC0, true)},
      {"broken-tokenizer", with_byte(74, 'X', true)},
      {"broken-nan-parameter", with_f32(parameters_offset + 4 * 3, std::nanf(""))},
      {"broken-inf-moment", with_f32(m_offset, std::numeric_limits<float>::infinity())},
      {"broken-negative-v", with_f32(v_offset + 4, -1.0f)},
      {"broken-negative-step", with_u32(step_offset + 4, 0x80000000u)},
  };
}

// A corrupt-mode input (read_corrupt_case): a model with every part (mlp, layer_norm, a "word"
// vocabulary, optimizer state), `fault` and the corruption `kind` at byte `position`.
Bytes corrupt_seed(std::uint8_t fault, std::uint8_t kind, std::uint32_t position) {
  Bytes input = {corrupt_mode, 3, 2, 1, 1, 1,   0x17, 7, 0, 0, 0, 0, 0, 0, 0,
                 fault,        5, 0, 0, 0, kind};
  for (int i = 0; i < 4; ++i) input.push_back(static_cast<std::uint8_t>(position >> (8 * i)));
  input.push_back(3);  // length 4
  for (std::uint8_t byte = 1; byte <= 8; ++byte) input.push_back(byte);
  for (const char* text : {"\x03the",
                           "\x03"
                           "cat",
                           "\x02on", "\x05{\"a\"}"}) {
    input.insert(input.end(), text, text + std::char_traits<char>::length(text));
  }
  return input;
}

int write_seeds(const std::string& directory) {
  std::vector<std::pair<std::string, Bytes>> seeds;
  for (auto& [name, bytes] : raw_seeds()) {
    if (name.rfind("valid-", 0) == 0) {
      Bytes resealed_input = bytes;
      resealed_input.insert(resealed_input.begin(), resealed_raw_mode);
      seeds.emplace_back("resealed-" + name, std::move(resealed_input));
    }
    bytes.insert(bytes.begin(), raw_mode);
    seeds.emplace_back(name, std::move(bytes));
  }
  const char* const kinds[] = {"flip-bit",  "change-byte",        "truncate",    "append",
                               "overwrite", "overwrite-resealed", "insert-byte", "erase-byte"};
  for (std::uint8_t kind = 0; kind < 8; ++kind) {
    seeds.emplace_back(std::string("corrupt-") + kinds[kind], corrupt_seed(15, kind, 70));
  }
  seeds.emplace_back(
      "corrupt-overwrite-resealed-header",
      corrupt_seed(15, static_cast<std::uint8_t>(Corruption::overwrite_resealed), 44));
  for (std::uint8_t fault = 0; fault < fault_count; ++fault) {
    seeds.emplace_back("fault-" + std::to_string(fault), corrupt_seed(fault, 0, 0));
  }
  Seeds files;
  for (const auto& [name, bytes] : seeds) files.emplace_back(name, std::string(bytes.begin(), bytes.end()));
  return write_seed_files(directory, files);
}

}  // namespace

}  // namespace fuzz

// `--write-seeds=DIR` writes the seeds and exits instead of fuzzing.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fuzz::write_seeds_if_asked(*argc, *argv, fuzz::write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    fuzz::fuzz_raw(data + 1, size - 1, data[0] % 4 == 2);
  } else {
    fuzz::ByteReader in(data + 1, size - 1);
    fuzz::fuzz_corrupt(in);
  }
  return 0;
}
