// The checkpoint format (checkpoint.h): bit-exact round trips, a golden header so the layout cannot
// drift, every damaged, truncated or extended file rejected, and each rejection's message.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "base/crc32.h"
#include "base/random.h"
#include "checkpoint_bytes.h"
#include "model/checkpoint.h"
#include "model/transformer_config.h"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using spotlight::AdamWState;
using spotlight::Checkpoint;
using spotlight::Index;
using spotlight::TransformerConfig;
using checkpoint_bytes::Bytes;
using checkpoint_bytes::get_u32;
using checkpoint_bytes::put_f32;
using checkpoint_bytes::put_u32;
using checkpoint_bytes::resealed;

namespace {

// Offsets of the header's fields, as documented in checkpoint.h.
namespace field {
constexpr std::size_t version = 8, flags = 12, seed = 16, vocab_size = 24, d_model = 32,
                      n_heads = 36, parameter_count = 44, vocabulary_entries = 48,
                      vocabulary_bytes = 52, tokenizer_bytes = 56, metadata_bytes = 60;
}  // namespace field

// vocab_size, context_length, d_model, n_heads, n_layers, mlp, layer_norm, seed.
const TransformerConfig tiny_attention_only{2, 1, 1, 1, 1, false, false, 0x0102030405060708u};

Index count_of(const TransformerConfig& config) {
  return spotlight::parameter_count(spotlight::parameter_table(config));
}

// The offset of `name`'s first value in the flat parameter buffer.
Index offset_of(const TransformerConfig& config, const std::string& name) {
  for (const auto& parameter : spotlight::parameter_table(config)) {
    if (parameter.name == name) return parameter.offset;
  }
  FAIL("no parameter " << name);
  return -1;
}

// Uniform random values, and a few whose bits a careless writer would lose: -0, the smallest
// denormal, float's largest and smallest normal values.
std::vector<float> random_values(Index count, std::uint64_t seed, bool non_negative = false) {
  spotlight::SplitMix64 random(seed);
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) {
    value = random.uniform_symmetric(2.0f);
    if (non_negative) value = std::abs(value);
  }
  const float edges[] = {-0.0f, std::numeric_limits<float>::denorm_min(),
                         std::numeric_limits<float>::max(), std::numeric_limits<float>::min()};
  for (std::size_t i = 0; i < 4 && i < values.size(); ++i) values[i] = edges[i];
  return values;
}

Checkpoint make_checkpoint(const TransformerConfig& config, bool with_vocabulary,
                           bool with_optimizer) {
  Checkpoint checkpoint;
  checkpoint.config = config;
  if (with_vocabulary) {
    for (Index id = 0; id < config.vocab_size; ++id) {
      checkpoint.vocabulary.push_back(id == 0 ? "caf\u00e9" : "w" + std::to_string(id));
    }
    checkpoint.tokenizer = "word";
  }
  checkpoint.metadata = R"({"corpus": "tests", "note": "\u65e5\u672c"})";
  const Index count = count_of(config);
  checkpoint.parameters = random_values(count, config.seed);
  if (with_optimizer) {
    checkpoint.optimizer =
        AdamWState{1234, random_values(count, 11), random_values(count, 12, true)};
  }
  return checkpoint;
}

// The golden checkpoint of the layout test: the tiny model, vocabulary {"a", "b"}, parameters
// 1..11, AdamW at step 3 with m = -(i + 1) / 4 and v = (i + 1) / 8.
Checkpoint golden_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.config = tiny_attention_only;
  checkpoint.vocabulary = {"a", "b"};
  checkpoint.tokenizer = "char";
  checkpoint.metadata = "{}";
  AdamWState state;
  state.step = 3;
  for (int i = 0; i < 11; ++i) {
    checkpoint.parameters.push_back(static_cast<float>(i + 1));
    state.m.push_back(-static_cast<float>(i + 1) / 4);
    state.v.push_back(static_cast<float>(i + 1) / 8);
  }
  checkpoint.optimizer = state;
  return checkpoint;
}
// Its sections: vocabulary at 64 (10 bytes), tokenizer at 74, metadata at 78, parameters at 80,
// step at 124, m at 132, v at 176, CRC at 220.
constexpr std::size_t golden_size = 224, golden_parameters = 80, golden_m = 132, golden_v = 176;

Checkpoint load(const Bytes& bytes) {
  return spotlight::load_checkpoint(bytes.data(), bytes.size());
}

// The golden file with one u32 or f32 replaced, resealed.
Bytes golden_with_u32(std::size_t offset, std::uint32_t value) {
  Bytes bytes = spotlight::save_checkpoint(golden_checkpoint());
  put_u32(bytes, offset, value);
  return resealed(bytes);
}

Bytes golden_with_f32(std::size_t offset, float value) {
  Bytes bytes = spotlight::save_checkpoint(golden_checkpoint());
  put_f32(bytes, offset, value);
  return resealed(bytes);
}

}  // namespace

TEST_CASE("checkpoint: CRC-32 gives the standard check value 0xCBF43926 for \"123456789\"",
          "[checkpoint]") {
  const std::string check = "123456789";
  REQUIRE(spotlight::crc32(reinterpret_cast<const std::uint8_t*>(check.data()), check.size()) ==
          0xCBF43926u);
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  REQUIRE(spotlight::crc32(reinterpret_cast<const std::uint8_t*>(fox.data()), fox.size()) ==
          0x414FA339u);
  REQUIRE(spotlight::crc32(nullptr, 0) == 0u);
}

TEST_CASE("checkpoint: save then load gives back every field bit for bit", "[checkpoint]") {
  const TransformerConfig config = GENERATE(Catch::Generators::values<TransformerConfig>({
      tiny_attention_only,                                               // attention only
      TransformerConfig{},                                               // mlp and layer_norm
      TransformerConfig{7, 5, 6, 3, 2, true, false, 0},                  // mlp only
      TransformerConfig{3, 4, 8, 2, 3, false, true, ~std::uint64_t{0}},  // layer_norm only
  }));
  const bool with_vocabulary = GENERATE(false, true);
  const bool with_optimizer = GENERATE(false, true);
  CAPTURE(config.vocab_size, config.d_model, config.n_layers, config.mlp, config.layer_norm,
          with_vocabulary, with_optimizer);
  const Checkpoint original = make_checkpoint(config, with_vocabulary, with_optimizer);

  const Bytes bytes = spotlight::save_checkpoint(original);
  const Checkpoint loaded = load(bytes);
  REQUIRE(loaded.config == original.config);
  REQUIRE(loaded.vocabulary == original.vocabulary);
  REQUIRE(loaded.tokenizer == original.tokenizer);
  REQUIRE(loaded.metadata == original.metadata);
  REQUIRE(loaded.parameters.size() == original.parameters.size());
  REQUIRE(std::memcmp(loaded.parameters.data(), original.parameters.data(),
                      original.parameters.size() * sizeof(float)) == 0);
  REQUIRE(std::signbit(loaded.parameters[0]));  // -0 stays -0
  REQUIRE(loaded.optimizer.has_value() == with_optimizer);
  if (with_optimizer) {
    REQUIRE(loaded.optimizer->step == 1234);
    REQUIRE(std::memcmp(loaded.optimizer->m.data(), original.optimizer->m.data(),
                        original.parameters.size() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(loaded.optimizer->v.data(), original.optimizer->v.data(),
                        original.parameters.size() * sizeof(float)) == 0);
  }
  REQUIRE(spotlight::identical(loaded, original));
  REQUIRE(spotlight::save_checkpoint(loaded) == bytes);
}

TEST_CASE("checkpoint: identical compares floats by their bits", "[checkpoint]") {
  const Checkpoint original = make_checkpoint(tiny_attention_only, true, true);
  Checkpoint changed = original;
  REQUIRE(spotlight::identical(changed, original));
  changed.parameters[0] = 0.0f;  // was -0: equal as numbers, different bits
  REQUIRE_FALSE(spotlight::identical(changed, original));
  changed = original;
  changed.optimizer->step += 1;
  REQUIRE_FALSE(spotlight::identical(changed, original));
  changed.optimizer.reset();
  REQUIRE_FALSE(spotlight::identical(changed, original));
}

TEST_CASE("checkpoint: the golden file's bytes are the documented layout", "[checkpoint]") {
  const Bytes bytes = spotlight::save_checkpoint(golden_checkpoint());
  REQUIRE(bytes.size() == golden_size);
  const Bytes header = {
      'S',  'P',  'O',  'T',  'L',  'G',  'P',  'T',   // magic
      0x01, 0x00, 0x00, 0x00,                          // version 1
      0x04, 0x00, 0x00, 0x00,                          // flags: optimizer state, no mlp, no ln
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // seed 0x0102030405060708
      0x02, 0x00, 0x00, 0x00,                          // vocab_size 2
      0x01, 0x00, 0x00, 0x00,                          // context_length 1
      0x01, 0x00, 0x00, 0x00,                          // d_model 1
      0x01, 0x00, 0x00, 0x00,                          // n_heads 1
      0x01, 0x00, 0x00, 0x00,                          // n_layers 1
      0x0B, 0x00, 0x00, 0x00,                          // 11 parameters
      0x02, 0x00, 0x00, 0x00,                          // 2 vocabulary entries
      0x0A, 0x00, 0x00, 0x00,                          // vocabulary section: 10 bytes
      0x04, 0x00, 0x00, 0x00,                          // tokenizer: 4 bytes
      0x02, 0x00, 0x00, 0x00,                          // metadata: 2 bytes
  };
  REQUIRE(Bytes(bytes.begin(), bytes.begin() + 64) == header);
  const Bytes sections = {
      0x01, 0x00, 0x00, 0x00, 'a', 0x01, 0x00, 0x00, 0x00, 'b',  // vocabulary
      'c',  'h',  'a',  'r',                                     // tokenizer
      '{',  '}',                                                 // metadata
      0x00, 0x00, 0x80, 0x3F,                                    // parameter 0: 1.0f
  };
  REQUIRE(Bytes(bytes.begin() + 64, bytes.begin() + 84) == sections);
  REQUIRE(Bytes(bytes.begin() + 124, bytes.begin() + 136) ==
          Bytes{0x03, 0, 0, 0, 0, 0, 0, 0,           // step 3, i64
                0x00, 0x00, 0x80, 0xBE});            // m[0] = -0.25f
  REQUIRE(get_u32(bytes, golden_v) == 0x3E000000u);  // v[0] = 0.125f
  // The CRC-32 that Python's zlib.crc32 gives for the first 220 bytes written from the table in
  // checkpoint.h with struct.pack: it pins every byte of the body too.
  REQUIRE(get_u32(bytes, 220) == 0xECF7C717u);
}

TEST_CASE("checkpoint: every single-byte change is rejected, as damage when past the header",
          "[checkpoint]") {
  const Bytes original = spotlight::save_checkpoint(golden_checkpoint());
  for (std::size_t offset = 0; offset < original.size(); ++offset) {
    for (unsigned change = 1; change < 256; ++change) {
      Bytes damaged = original;
      damaged[offset] ^= static_cast<std::uint8_t>(change);
      try {
        load(damaged);
        CAPTURE(offset, change);
        FAIL("a damaged checkpoint loaded");
      } catch (const std::invalid_argument& error) {
        if (offset >= 64) {
          CAPTURE(offset, change);
          REQUIRE_THAT(error.what(), StartsWith("damaged: checksum 0x"));
        }
      }
    }
  }
}

TEST_CASE("checkpoint: a change to the header is rejected for what it breaks", "[checkpoint]") {
  const Bytes original = spotlight::save_checkpoint(golden_checkpoint());
  const auto changed = [&](std::size_t offset, std::uint8_t value) {
    Bytes bytes = original;
    bytes[offset] = value;
    return bytes;
  };
  REQUIRE_THROWS_WITH(load(changed(0, 'X')), StartsWith("not a checkpoint"));
  REQUIRE_THROWS_WITH(load(changed(field::version, 2)), StartsWith("unsupported"));
  REQUIRE_THROWS_WITH(load(changed(field::metadata_bytes, 3)), StartsWith("truncated"));
  REQUIRE_THROWS_WITH(load(changed(field::metadata_bytes, 1)), StartsWith("oversized"));
  REQUIRE_THROWS_WITH(load(changed(field::flags, 0)), StartsWith("oversized"));  // no optimizer
  REQUIRE_THROWS_WITH(load(changed(field::d_model, 2)), StartsWith("damaged"));
  REQUIRE_THROWS_WITH(load(changed(field::seed, 0)), StartsWith("damaged"));
}

TEST_CASE("checkpoint: every truncation is rejected", "[checkpoint]") {
  const Bytes original = spotlight::save_checkpoint(golden_checkpoint());
  for (std::size_t size = 0; size < original.size(); ++size) {
    CAPTURE(size);
    REQUIRE_THROWS_WITH(
        spotlight::load_checkpoint(original.data(), size),
        StartsWith(size < 64 ? "checkpoint is " + std::to_string(size) + " bytes, too short"
                             : "truncated: the header promises 224 bytes, the file has " +
                                   std::to_string(size)));
  }
}

TEST_CASE("checkpoint: appended bytes are rejected", "[checkpoint]") {
  const Bytes original = spotlight::save_checkpoint(golden_checkpoint());
  for (const std::size_t extra : {1, 3, 4, 1000}) {
    CAPTURE(extra);
    Bytes longer = original;
    longer.resize(original.size() + extra, 0);
    REQUIRE_THROWS_WITH(load(longer), "oversized: the header promises 224 bytes, the file has " +
                                          std::to_string(224 + extra) + " (" +
                                          std::to_string(extra) + " trailing bytes)");
    // Appending a second, valid CRC does not make it valid either.
    REQUIRE_THROWS_WITH(load(resealed(longer)), StartsWith("oversized"));
  }
}

TEST_CASE("checkpoint: the framing errors say what is wrong, with the sizes", "[checkpoint]") {
  const Bytes original = spotlight::save_checkpoint(golden_checkpoint());
  REQUIRE_THROWS_WITH(spotlight::load_checkpoint(original.data(), 12),
                      "checkpoint is 12 bytes, too short for its 64-byte header");
  REQUIRE_THROWS_WITH(spotlight::load_checkpoint(nullptr, 0),
                      "checkpoint is 0 bytes, too short for its 64-byte header");
  REQUIRE_THROWS_WITH(spotlight::load_checkpoint(nullptr, 5),
                      "checkpoint data is null but its size is 5");

  Bytes png = original;
  const std::uint8_t png_magic[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  std::memcpy(png.data(), png_magic, sizeof png_magic);
  REQUIRE_THROWS_WITH(load(png),
                      "not a checkpoint: its first 8 bytes are 0x89 0x50 0x4e 0x47 "
                      "0x0d 0x0a 0x1a 0x0a, not \"SPOTLGPT\"");

  REQUIRE_THROWS_WITH(load(golden_with_u32(field::version, 2)),
                      "unsupported checkpoint format version 2; this build reads version 1");
  REQUIRE_THROWS_WITH(spotlight::load_checkpoint(original.data(), 200),
                      "truncated: the header promises 224 bytes, the file has 200");

  Bytes damaged = original;
  damaged[golden_parameters] ^= 0x01;
  REQUIRE_THROWS_WITH(load(damaged),
                      StartsWith("damaged: checksum 0x") && Contains(" expected 0xecf7c717"));
  Bytes damaged_checksum = original;
  damaged_checksum[223] ^= 0x80;
  REQUIRE_THROWS_WITH(load(damaged_checksum),
                      StartsWith("damaged: checksum 0xecf7c717 expected 0x6cf7c717"));

  REQUIRE_THROWS_WITH(load(golden_with_u32(field::flags, 0x4 | 0x8)),
                      StartsWith("unknown flags 0x8 in the header"));
}

TEST_CASE("checkpoint: a length of 2^31 is rejected against the bytes present, before allocating",
          "[checkpoint]") {
  const std::uint32_t huge = 0x80000000u;
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::metadata_bytes, huge)),
                      "truncated: the header promises 2147483870 bytes, the file has 224");
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::vocabulary_bytes, huge)),
                      StartsWith("truncated: the header promises 2147483862 bytes"));
  // 2^31 parameters, with and without their two moments: 4 and 12 bytes each.
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::parameter_count, huge)),
                      StartsWith("truncated: the header promises 25769803868 bytes"));
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::parameter_count, 0xFFFFFFFFu)),
                      StartsWith("truncated: the header promises 51539607632 bytes"));
  // A count that the section's length does not bound by itself.
  REQUIRE_THROWS_WITH(
      load(golden_with_u32(field::vocabulary_entries, huge)),
      "the vocabulary claims 2147483648 entries, more than its 10-byte section can hold");
  REQUIRE_THROWS_WITH(load(golden_with_u32(64 + 5, huge)),  // entry 1's length
                      "vocabulary entry 1 claims 2147483648 bytes, but only 1 remain in the "
                      "10-byte vocabulary section");
}

TEST_CASE("checkpoint: the config is checked by validate_config and against the parameter count",
          "[checkpoint]") {
  REQUIRE_THROWS_WITH(
      load(golden_with_u32(field::n_heads, 0)),
      "the checkpoint's config is invalid: n_heads must be between 1 and 64, got 0");
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::vocab_size, 20000)),
                      Contains("vocab_size must be between 1 and 16384, got 20000"));
  Bytes indivisible = spotlight::save_checkpoint(golden_checkpoint());
  put_u32(indivisible, field::d_model, 3);
  put_u32(indivisible, field::n_heads, 2);
  REQUIRE_THROWS_WITH(
      load(resealed(indivisible)),
      "the checkpoint's config is invalid: d_model 3 is not divisible by n_heads 2");
  // vocab_size 3 needs 12 parameters; the header says 11.
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::vocab_size, 3)),
                      "mismatched parameter count: the header says 11, the config's table has 12");
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::parameter_count, 10)), StartsWith("oversized"));
}

TEST_CASE("checkpoint: the vocabulary's framing errors name the entry and the sizes",
          "[checkpoint]") {
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::vocabulary_entries, 1)),
                      "the vocabulary section has 5 bytes after its 1 entries");
  REQUIRE_THROWS_WITH(load(golden_with_u32(field::vocabulary_entries, 3)),
                      "the vocabulary claims 3 entries, more than its 10-byte section can hold");
  // Entry 0 takes 3 bytes: "a" and the first two of entry 1's length.
  REQUIRE_THROWS_WITH(load(golden_with_u32(64, 3)),
                      "vocabulary entry 1's length needs 4 bytes, but only 3 remain in the "
                      "10-byte vocabulary section");
  // Entry 0 swallows entry 1: one entry for a vocab_size of 2.
  Bytes one_entry = spotlight::save_checkpoint(golden_checkpoint());
  put_u32(one_entry, 64, 6);
  put_u32(one_entry, field::vocabulary_entries, 1);
  REQUIRE_THROWS_WITH(load(resealed(one_entry)),
                      "the vocabulary has 1 entries, but vocab_size is 2 (one entry per token id, "
                      "or none)");
}

TEST_CASE("checkpoint: duplicate and invalid UTF-8 vocabulary entries are rejected",
          "[checkpoint]") {
  Checkpoint checkpoint = golden_checkpoint();
  checkpoint.vocabulary = {"the", "the"};
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "vocabulary entries 0 and 1 are both \"the\"");
  Bytes duplicate = spotlight::save_checkpoint(golden_checkpoint());
  duplicate[73] = 'a';  // "b" -> "a"
  REQUIRE_THROWS_WITH(load(resealed(duplicate)), "vocabulary entries 0 and 1 are both \"a\"");
  Bytes invalid = spotlight::save_checkpoint(golden_checkpoint());
  invalid[73] = 0xFF;
  REQUIRE_THROWS_WITH(load(resealed(invalid)),
                      "vocabulary entry 1 is not valid UTF-8 (at byte 0: 0xff)");

  const std::string malformed = GENERATE(Catch::Generators::values<std::string>({
      "\x80",              // a continuation byte alone
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong '/', three bytes
      "\xED\xA0\x80",      // the surrogate U+D800
      "\xF4\x90\x80\x80",  // U+110000, past Unicode
      "\xF5\x80\x80\x80",  // no such lead byte
      "\xE2\x82",          // the euro sign cut short
      "\xE2\x82\x41",      // ... and followed by 'A'
  }));
  CAPTURE(malformed);
  checkpoint.vocabulary = {"ok", "x" + malformed};
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      StartsWith("vocabulary entry 1 is not valid UTF-8 (at byte 1: 0x"));
  checkpoint.metadata = "{}" + malformed;
  checkpoint.vocabulary = {"a", "b"};
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      StartsWith("metadata is not valid UTF-8 (at byte 2: 0x"));
}

TEST_CASE("checkpoint: well-formed UTF-8 of every length round-trips, empty and NUL included",
          "[checkpoint]") {
  Checkpoint checkpoint =
      make_checkpoint(TransformerConfig{8, 2, 2, 1, 1, false, false, 3}, true, false);
  checkpoint.vocabulary = {"",       "\x7F",       std::string("\0", 1), "\u00e9",
                           "\u20ac", "\U0001F600", "\xF4\x8F\xBF\xBF",   "a b\n"};
  checkpoint.tokenizer = "char";
  checkpoint.metadata = "\u00ab \u65e5\u672c \U0001F600 \u00bb";
  REQUIRE(spotlight::identical(load(spotlight::save_checkpoint(checkpoint)), checkpoint));
}

TEST_CASE("checkpoint: the tokenizer is word or char with a vocabulary, empty without",
          "[checkpoint]") {
  Checkpoint checkpoint = golden_checkpoint();
  checkpoint.tokenizer = "bpe";
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "tokenizer must be \"word\" or \"char\" for a vocabulary, got \"bpe\"");
  checkpoint.tokenizer = "";
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "tokenizer must be \"word\" or \"char\" for a vocabulary, got \"\"");
  checkpoint.vocabulary.clear();
  checkpoint.tokenizer = "word";
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "tokenizer must be empty without a vocabulary, got \"word\"");
  Bytes bytes = spotlight::save_checkpoint(golden_checkpoint());
  bytes[74] = 0xFF;  // "char" -> "\xFFhar": shown escaped
  REQUIRE_THROWS_WITH(load(resealed(bytes)),
                      "tokenizer must be \"word\" or \"char\" for a vocabulary, got \"\\xffhar\"");
}

TEST_CASE("checkpoint: metadata holds up to 64 KiB", "[checkpoint]") {
  Checkpoint checkpoint = golden_checkpoint();
  checkpoint.metadata.assign(64 * 1024, 'x');
  const Bytes bytes = spotlight::save_checkpoint(checkpoint);
  REQUIRE(load(bytes).metadata == checkpoint.metadata);
  checkpoint.metadata += 'x';
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "metadata is 65537 bytes, more than the limit of 65536");
  // One byte of the tokenizer moved into the metadata: rejected from the header.
  Bytes moved = bytes;
  put_u32(moved, field::tokenizer_bytes, 3);
  put_u32(moved, field::metadata_bytes, 64 * 1024 + 1);
  REQUIRE_THROWS_WITH(load(resealed(moved)),
                      "metadata is 65537 bytes, more than the limit of 65536");
}

TEST_CASE("checkpoint: a vocabulary entry holds up to 1024 bytes", "[checkpoint]") {
  Checkpoint checkpoint = golden_checkpoint();
  checkpoint.vocabulary[1].assign(1024, 'b');
  REQUIRE(load(spotlight::save_checkpoint(checkpoint)).vocabulary[1].size() == 1024);
  checkpoint.vocabulary[1] += 'b';
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "vocabulary entry 1 is 1025 bytes, more than the limit of 1024");
}

TEST_CASE("checkpoint: non-finite values are named by their parameter and index", "[checkpoint]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const TransformerConfig config{2, 1, 4, 2, 1, false, true, 5};
  const auto wq = static_cast<std::size_t>(offset_of(config, "h.0.attn.wq"));
  const auto wpe = static_cast<std::size_t>(offset_of(config, "wpe"));
  const auto ln_f_bias = static_cast<std::size_t>(offset_of(config, "ln_f.bias"));

  Checkpoint checkpoint = make_checkpoint(config, false, true);
  checkpoint.parameters[wq + 5] = nan;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint), "h.0.attn.wq[5] is nan");
  checkpoint.parameters[wq + 5] = -nan;  // printed "nan" too, not "-nan"
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint), "h.0.attn.wq[5] is nan");
  checkpoint.parameters[wq + 5] = -inf;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint), "h.0.attn.wq[5] is -inf");

  checkpoint = make_checkpoint(config, false, true);
  checkpoint.optimizer->m[wpe + 3] = inf;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint), "optimizer m of wpe[3] is inf");
  checkpoint = make_checkpoint(config, false, true);
  checkpoint.optimizer->v[0] = nan;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint), "optimizer v of wte[0] is nan");
  checkpoint.optimizer->v[0] = 0.0f;
  checkpoint.optimizer->v[ln_f_bias + 2] = -0.5f;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "optimizer v of ln_f.bias[2] is -0.5, but second moments are never negative");
  checkpoint.optimizer->v[ln_f_bias + 2] = -0.0f;  // -0 is not negative
  REQUIRE_NOTHROW(spotlight::save_checkpoint(checkpoint));
  checkpoint.optimizer->step = -1;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint), "optimizer step -1 is negative");

  // The same checks on load, on bytes edited and resealed.
  REQUIRE_THROWS_WITH(load(golden_with_f32(golden_parameters + 4 * 3, nan)),
                      "h.0.attn.wq[0] is nan");
  REQUIRE_THROWS_WITH(load(golden_with_f32(golden_m + 4 * 10, -inf)),
                      "optimizer m of h.0.attn.bo[0] is -inf");
  REQUIRE_THROWS_WITH(load(golden_with_f32(golden_v + 4 * 2, -1.0f)),
                      "optimizer v of wpe[0] is -1, but second moments are never negative");
  Bytes negative_step = spotlight::save_checkpoint(golden_checkpoint());
  put_u32(negative_step, 124, 0xFFFFFFFFu);
  put_u32(negative_step, 128, 0xFFFFFFFFu);
  REQUIRE_THROWS_WITH(load(resealed(negative_step)), "optimizer step -1 is negative");
}

TEST_CASE("checkpoint: save rejects contents that do not match the config", "[checkpoint]") {
  Checkpoint checkpoint = golden_checkpoint();
  checkpoint.parameters.pop_back();
  REQUIRE_THROWS_WITH(
      spotlight::save_checkpoint(checkpoint),
      "mismatched parameters: 10 floats where the config's table has 11 parameters");
  checkpoint = golden_checkpoint();
  checkpoint.optimizer->m.push_back(0.0f);
  REQUIRE_THROWS_WITH(
      spotlight::save_checkpoint(checkpoint),
      "mismatched optimizer m: 12 floats where the config's table has 11 parameters");
  checkpoint = golden_checkpoint();
  checkpoint.optimizer->v.clear();
  REQUIRE_THROWS_WITH(
      spotlight::save_checkpoint(checkpoint),
      "mismatched optimizer v: 0 floats where the config's table has 11 parameters");
  checkpoint = golden_checkpoint();
  checkpoint.vocabulary.push_back("c");
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "the vocabulary has 3 entries, but vocab_size is 2 (one entry per token id, "
                      "or none)");
  checkpoint = golden_checkpoint();
  checkpoint.config.n_heads = 0;
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "n_heads must be between 1 and 64, got 0");
  checkpoint.config = TransformerConfig{2, 1, 6, 4, 1, false, false, 0};
  REQUIRE_THROWS_WITH(spotlight::save_checkpoint(checkpoint),
                      "d_model 6 is not divisible by n_heads 4");
}

TEST_CASE("checkpoint: every rejection is a std::invalid_argument", "[checkpoint]") {
  const Bytes original = spotlight::save_checkpoint(golden_checkpoint());
  REQUIRE_THROWS_AS(spotlight::load_checkpoint(original.data(), 100), std::invalid_argument);
  REQUIRE_THROWS_AS(load(golden_with_u32(field::n_heads, 0)), std::invalid_argument);
  REQUIRE_THROWS_AS(load(golden_with_u32(field::vocabulary_entries, 0x80000000u)),
                    std::invalid_argument);
  Checkpoint checkpoint = golden_checkpoint();
  checkpoint.parameters[0] = std::numeric_limits<float>::infinity();
  REQUIRE_THROWS_AS(spotlight::save_checkpoint(checkpoint), std::invalid_argument);
}

TEST_CASE("checkpoint: the committed fuzz seeds load or are rejected as their names say",
          "[checkpoint]") {
  // Written by fuzz_checkpoint --write-seeds (tests/fuzz/fuzz_checkpoint.cpp): after a mode byte
  // of 0, valid-* are checkpoints and broken-* are not. A change of the format that forgets to
  // rewrite them fails here.
  const std::filesystem::path seeds = std::filesystem::path(SPOTLIGHT_GOLDEN_DIR) / ".." / "fuzz" /
                                      "corpus" / "checkpoint" / "seeds";
  int valid = 0, broken = 0;
  for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
    const std::string name = entry.path().filename().string();
    const bool is_valid = name.rfind("valid-", 0) == 0;
    if (!is_valid && name.rfind("broken-", 0) != 0) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const Bytes input((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    CAPTURE(name);
    REQUIRE(input.size() >= 1);
    REQUIRE(input[0] == 0);
    const Bytes bytes(input.begin() + 1, input.end());
    if (is_valid) {
      REQUIRE(spotlight::save_checkpoint(load(bytes)) == bytes);
      ++valid;
    } else {
      REQUIRE_THROWS_AS(load(bytes), std::invalid_argument);
      ++broken;
    }
  }
  REQUIRE(valid >= 5);
  REQUIRE(broken >= 20);
}
