#include "model/checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "base/crc32.h"
#include "base/errors.h"

namespace spotlight {

namespace {

using Limits = CheckpointLimits;

constexpr char magic[] = "SPOTLGPT";  // 8 bytes; the terminating 0 is not written
constexpr std::size_t magic_bytes = sizeof(magic) - 1;
constexpr std::size_t crc_bytes = 4;
constexpr std::size_t step_bytes = 8;
constexpr std::uint32_t flag_mlp = 1u << 0;
constexpr std::uint32_t flag_layer_norm = 1u << 1;
constexpr std::uint32_t flag_optimizer = 1u << 2;
constexpr std::uint32_t known_flags = flag_mlp | flag_layer_norm | flag_optimizer;

// The header's fields after the magic, as stored (checkpoint.h).
struct Header {
  std::uint32_t version = 0;
  std::uint32_t flags = 0;
  std::uint64_t seed = 0;
  std::uint32_t vocab_size = 0;
  std::uint32_t context_length = 0;
  std::uint32_t d_model = 0;
  std::uint32_t n_heads = 0;
  std::uint32_t n_layers = 0;
  std::uint32_t parameter_count = 0;
  std::uint32_t vocabulary_entries = 0;
  std::uint32_t vocabulary_bytes = 0;
  std::uint32_t tokenizer_bytes = 0;
  std::uint32_t metadata_bytes = 0;
};

// The one list of the header's fields in their order: the writer and the reader both walk it, so
// they cannot disagree on the layout.
template <typename Stream, typename HeaderLike>
void header_fields(Stream& stream, HeaderLike& header) {
  stream.u32(header.version);
  stream.u32(header.flags);
  stream.u64(header.seed);
  stream.u32(header.vocab_size);
  stream.u32(header.context_length);
  stream.u32(header.d_model);
  stream.u32(header.n_heads);
  stream.u32(header.n_layers);
  stream.u32(header.parameter_count);
  stream.u32(header.vocabulary_entries);
  stream.u32(header.vocabulary_bytes);
  stream.u32(header.tokenizer_bytes);
  stream.u32(header.metadata_bytes);
}

// The whole file's size that `header` promises, in 64 bits: every length is a u32, so the sum
// cannot overflow, even on wasm32 where size_t has 32 bits.
std::uint64_t file_size(const Header& header) {
  const std::uint64_t parameters = header.parameter_count;
  const std::uint64_t optimizer =
      (header.flags & flag_optimizer) ? step_bytes + 2 * sizeof(float) * parameters : 0;
  return Limits::header_bytes + std::uint64_t{header.vocabulary_bytes} + header.tokenizer_bytes +
         header.metadata_bytes + sizeof(float) * parameters + optimizer + crc_bytes;
}

std::uint32_t little_endian_u32(const std::uint8_t* bytes) {
  return std::uint32_t{bytes[0]} | std::uint32_t{bytes[1]} << 8 | std::uint32_t{bytes[2]} << 16 |
         std::uint32_t{bytes[3]} << 24;
}

// Writes into a buffer that the caller sized from file_size().
class ByteWriter {
 public:
  explicit ByteWriter(std::uint8_t* out) : next_(out) {}

  void u32(std::uint32_t value) {
    for (int byte = 0; byte < 4; ++byte) *next_++ = static_cast<std::uint8_t>(value >> (8 * byte));
  }
  void u64(std::uint64_t value) {
    u32(static_cast<std::uint32_t>(value));
    u32(static_cast<std::uint32_t>(value >> 32));
  }
  void text(std::string_view text) {
    std::memcpy(next_, text.data(), text.size());
    next_ += text.size();
  }
  void floats(const std::vector<float>& values) {
    for (const float value : values) {
      std::uint32_t bits;
      std::memcpy(&bits, &value, sizeof bits);
      u32(bits);
    }
  }

 private:
  std::uint8_t* next_;
};

// Reads a range of bytes front to back; every read checks that the bytes are there.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size, const char* name)
      : data_(data), size_(size), name_(name) {}

  std::size_t size() const { return size_; }
  std::size_t remaining() const { return size_ - position_; }

  std::uint32_t u32() { return little_endian_u32(take(4)); }
  std::uint64_t u64() {
    const std::uint64_t low = u32();
    return low | std::uint64_t{u32()} << 32;
  }
  void u32(std::uint32_t& value) { value = u32(); }
  void u64(std::uint64_t& value) { value = u64(); }
  std::string text(std::size_t length) {
    const std::uint8_t* bytes = take(length);
    return std::string(reinterpret_cast<const char*>(bytes), length);
  }
  std::vector<float> floats(std::size_t count) {
    require(count <= remaining() / sizeof(float), name_, " ends after ", remaining(),
            " more bytes, but ", count, " floats should follow");
    const std::uint8_t* bytes = take(count * sizeof(float));
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t bits = little_endian_u32(bytes + sizeof(float) * i);
      std::memcpy(&values[i], &bits, sizeof bits);
    }
    return values;
  }
  void skip(std::size_t length) { take(length); }
  // The next `length` bytes as a reader of their own.
  ByteReader section(std::size_t length, const char* name) {
    return ByteReader(take(length), length, name);
  }

 private:
  const std::uint8_t* take(std::size_t length) {
    require(length <= remaining(), name_, " ends after ", remaining(), " more bytes, but ", length,
            " should follow");
    const std::uint8_t* bytes = data_ + position_;
    position_ += length;
    return bytes;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
  const char* name_;
};

std::string hex(std::uint32_t value, int digits) {
  std::ostringstream out;
  out << "0x" << std::hex << std::setw(digits) << std::setfill('0') << value;
  return out.str();
}

// The offset of the first byte that does not start a well-formed UTF-8 sequence, as Unicode's
// table 3-7 defines them (no overlong forms, no surrogates U+D800..U+DFFF, nothing past
// U+10FFFF), or text.size() when all of the text is well-formed.
std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // The sequence's length and the range of its second byte: the narrower ranges after E0, ED,
    // F0 and F4 are what exclude the overlong forms, the surrogates and code points past U+10FFFF.
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (text.size() - i < length) return i;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return i;
}

void require_utf8(std::string_view text, const std::string& what) {
  const std::size_t invalid = first_invalid_utf8(text);
  if (invalid == text.size()) return;
  throw std::invalid_argument(concat(what, " is not valid UTF-8 (at byte ", invalid, ": ",
                                     hex(static_cast<unsigned char>(text[invalid]), 2), ")"));
}

// `text` in quotes for a message: at most about 40 bytes of it, quotes, backslashes and control
// characters escaped, and every byte from 0x80 up too unless the text is valid UTF-8 (the page
// shows the message as a JavaScript string).
std::string in_quotes(std::string_view text) {
  constexpr std::size_t shown = 40;
  const bool utf8 = first_invalid_utf8(text) == text.size();
  std::size_t end = std::min(text.size(), shown);
  while (utf8 && end > 0 && end < text.size() && (text[end] & 0xC0) == 0x80) --end;
  std::string out = "\"";
  for (std::size_t i = 0; i < end; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte < 0x20 || byte == 0x7F || (byte >= 0x80 && !utf8)) {
      out += "\\x" + hex(byte, 2).substr(2);
    } else {
      out += static_cast<char>(byte);
    }
  }
  out += '"';
  if (end < text.size()) out += concat("... (", text.size(), " bytes)");
  return out;
}

void validate_vocabulary(const std::vector<std::string>& vocabulary, Index vocab_size) {
  if (vocabulary.empty()) return;
  require(static_cast<Index>(vocabulary.size()) == vocab_size, "the vocabulary has ",
          vocabulary.size(), " entries, but vocab_size is ", vocab_size,
          " (one entry per token id, or none)");
  std::unordered_map<std::string_view, std::size_t> first_id;
  first_id.reserve(vocabulary.size());
  for (std::size_t id = 0; id < vocabulary.size(); ++id) {
    const std::string& token = vocabulary[id];
    require(token.size() <= Limits::max_token_bytes, "vocabulary entry ", id, " is ", token.size(),
            " bytes, more than the limit of ", Limits::max_token_bytes);
    require_utf8(token, concat("vocabulary entry ", id));
    const auto [earlier, inserted] = first_id.emplace(token, id);
    if (!inserted) {
      throw std::invalid_argument(concat("vocabulary entries ", earlier->second, " and ", id,
                                         " are both ", in_quotes(token)));
    }
  }
}

void validate_tokenizer(const std::string& tokenizer, bool has_vocabulary) {
  if (has_vocabulary) {
    require(tokenizer == "word" || tokenizer == "char",
            "tokenizer must be \"word\" or \"char\" for a vocabulary, got ", in_quotes(tokenizer));
  } else {
    require(tokenizer.empty(), "tokenizer must be empty without a vocabulary, got ",
            in_quotes(tokenizer));
  }
}

void require_metadata_size(std::size_t bytes) {
  require(bytes <= Limits::max_metadata_bytes, "metadata is ", bytes,
          " bytes, more than the limit of ", Limits::max_metadata_bytes);
}

void validate_metadata(const std::string& metadata) {
  require_metadata_size(metadata.size());
  require_utf8(metadata, "metadata");
}

const char* non_finite_name(float value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

// Every value finite (and >= 0 when `non_negative`), else an error naming the parameter by the
// table and the index in it: "<what>h.0.attn.wq[17] is nan".
void require_valid_values(const std::vector<ParameterInfo>& table, const std::vector<float>& values,
                          const char* what, bool non_negative) {
  for (const ParameterInfo& parameter : table) {
    for (Index i = 0; i < parameter.size(); ++i) {
      const float value = values[static_cast<std::size_t>(parameter.offset + i)];
      if (!std::isfinite(value)) {
        throw std::invalid_argument(
            concat(what, parameter.name, "[", i, "] is ", non_finite_name(value)));
      }
      if (non_negative && value < 0.0f) {
        throw std::invalid_argument(concat(what, parameter.name, "[", i, "] is ", value,
                                           ", but second moments are never negative"));
      }
    }
  }
}

void require_count(std::size_t count, Index expected, const char* what) {
  require(static_cast<Index>(count) == expected, "mismatched ", what, ": ", count,
          " floats where the config's table has ", expected, " parameters");
}

// Everything save_checkpoint and load_checkpoint require of the contents; returns the parameter
// count.
Index validate_contents(const Checkpoint& checkpoint) {
  validate_config(checkpoint.config);  // a trainable model's, as the format holds
  const std::vector<ParameterInfo> table = parameter_table(checkpoint.config);
  const Index count = parameter_count(table);
  require_count(checkpoint.parameters.size(), count, "parameters");
  validate_vocabulary(checkpoint.vocabulary, checkpoint.config.vocab_size);
  validate_tokenizer(checkpoint.tokenizer, !checkpoint.vocabulary.empty());
  validate_metadata(checkpoint.metadata);
  require_valid_values(table, checkpoint.parameters, "", false);
  if (checkpoint.optimizer) {
    const AdamWState& state = *checkpoint.optimizer;
    require(state.step >= 0, "optimizer step ", state.step, " is negative");
    require_count(state.m.size(), count, "optimizer m");
    require_count(state.v.size(), count, "optimizer v");
    require_valid_values(table, state.m, "optimizer m of ", false);
    require_valid_values(table, state.v, "optimizer v of ", true);
  }
  return count;
}

Header header_for(const Checkpoint& checkpoint, Index count) {
  const TransformerConfig& config = checkpoint.config;
  Header header;
  header.version = Limits::format_version;
  header.flags = (config.mlp ? flag_mlp : 0) | (config.layer_norm ? flag_layer_norm : 0) |
                 (checkpoint.optimizer ? flag_optimizer : 0);
  header.seed = config.seed;
  // Each size is validated, far below 2^32.
  header.vocab_size = static_cast<std::uint32_t>(config.vocab_size);
  header.context_length = static_cast<std::uint32_t>(config.context_length);
  header.d_model = static_cast<std::uint32_t>(config.d_model);
  header.n_heads = static_cast<std::uint32_t>(config.n_heads);
  header.n_layers = static_cast<std::uint32_t>(config.n_layers);
  header.parameter_count = static_cast<std::uint32_t>(count);
  header.vocabulary_entries = static_cast<std::uint32_t>(checkpoint.vocabulary.size());
  std::size_t vocabulary_bytes = 0;
  for (const std::string& token : checkpoint.vocabulary) vocabulary_bytes += 4 + token.size();
  header.vocabulary_bytes = static_cast<std::uint32_t>(vocabulary_bytes);
  header.tokenizer_bytes = static_cast<std::uint32_t>(checkpoint.tokenizer.size());
  header.metadata_bytes = static_cast<std::uint32_t>(checkpoint.metadata.size());
  return header;
}

// A size field as an Index. Index has 32 bits on wasm32: a u32 past its range saturates, and
// validate_config rejects it like any size past its limit.
Index to_index(std::uint32_t value) {
  return static_cast<Index>(std::min<std::uint64_t>(
      value, static_cast<std::uint64_t>(std::numeric_limits<Index>::max())));
}

TransformerConfig config_from(const Header& header) {
  TransformerConfig config;
  config.vocab_size = to_index(header.vocab_size);
  config.context_length = to_index(header.context_length);
  config.d_model = to_index(header.d_model);
  config.n_heads = to_index(header.n_heads);
  config.n_layers = to_index(header.n_layers);
  config.mlp = (header.flags & flag_mlp) != 0;
  config.layer_norm = (header.flags & flag_layer_norm) != 0;
  config.seed = header.seed;
  try {
    validate_config(config);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(concat("the checkpoint's config is invalid: ", error.what()));
  }
  return config;
}

std::vector<std::string> read_vocabulary(ByteReader section, std::uint32_t entries) {
  // Every entry takes at least its 4-byte length: this bounds the count by the bytes present
  // before anything is allocated for it.
  require(entries <= section.size() / 4, "the vocabulary claims ", entries,
          " entries, more than its ", section.size(), "-byte section can hold");
  std::vector<std::string> vocabulary;
  vocabulary.reserve(entries);
  for (std::uint32_t id = 0; id < entries; ++id) {
    require(section.remaining() >= 4, "vocabulary entry ", id, "'s length needs 4 bytes, but only ",
            section.remaining(), " remain in the ", section.size(), "-byte vocabulary section");
    const std::uint32_t length = section.u32();
    require(length <= section.remaining(), "vocabulary entry ", id, " claims ", length,
            " bytes, but only ", section.remaining(), " remain in the ", section.size(),
            "-byte vocabulary section");
    vocabulary.push_back(section.text(length));
  }
  require(section.remaining() == 0, "the vocabulary section has ", section.remaining(),
          " bytes after its ", entries, " entries");
  return vocabulary;
}

}  // namespace

std::vector<std::uint8_t> save_checkpoint(const Checkpoint& checkpoint) {
  const Header header = header_for(checkpoint, validate_contents(checkpoint));
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(file_size(header)));
  ByteWriter out(bytes.data());
  out.text(std::string_view(magic, magic_bytes));
  header_fields(out, header);
  for (const std::string& token : checkpoint.vocabulary) {
    out.u32(static_cast<std::uint32_t>(token.size()));
    out.text(token);
  }
  out.text(checkpoint.tokenizer);
  out.text(checkpoint.metadata);
  out.floats(checkpoint.parameters);
  if (checkpoint.optimizer) {
    std::uint64_t step_bits;
    std::memcpy(&step_bits, &checkpoint.optimizer->step, sizeof step_bits);
    out.u64(step_bits);
    out.floats(checkpoint.optimizer->m);
    out.floats(checkpoint.optimizer->v);
  }
  out.u32(crc32(bytes.data(), bytes.size() - crc_bytes));
  return bytes;
}

Checkpoint load_checkpoint(const std::uint8_t* data, std::size_t size) {
  require(data != nullptr || size == 0, "checkpoint data is null but its size is ", size);
  require(size >= Limits::header_bytes, "checkpoint is ", size, " bytes, too short for its ",
          Limits::header_bytes, "-byte header");
  if (std::memcmp(data, magic, magic_bytes) != 0) {
    std::string seen;
    for (std::size_t i = 0; i < magic_bytes; ++i) seen += (i ? " " : "") + hex(data[i], 2);
    throw std::invalid_argument(
        concat("not a checkpoint: its first 8 bytes are ", seen, ", not \"", magic, "\""));
  }
  ByteReader file(data, size, "the checkpoint");
  file.skip(magic_bytes);
  Header header;
  header_fields(file, header);
  require(header.version == Limits::format_version, "unsupported checkpoint format version ",
          header.version, "; this build reads version ", Limits::format_version);

  // The lengths against the bytes present, before anything is computed or allocated from them.
  const std::uint64_t promised = file_size(header);
  require(size >= promised, "truncated: the header promises ", promised, " bytes, the file has ",
          size);
  require(size <= promised, "oversized: the header promises ", promised, " bytes, the file has ",
          size, " (", size - promised, " trailing bytes)");
  // The checksum before the sections, so that damage is reported as damage.
  const std::uint32_t computed = crc32(data, size - crc_bytes);
  const std::uint32_t stored = little_endian_u32(data + size - crc_bytes);
  require(computed == stored, "damaged: checksum ", hex(computed, 8), " expected ", hex(stored, 8),
          " (the checkpoint's bytes were changed after it was saved)");
  require((header.flags & ~known_flags) == 0, "unknown flags ", hex(header.flags & ~known_flags, 1),
          " in the header (version ", Limits::format_version,
          " knows mlp 0x1, layer_norm 0x2, optimizer state 0x4)");

  require_metadata_size(header.metadata_bytes);

  Checkpoint checkpoint;
  checkpoint.config = config_from(header);
  const Index expected_count = parameter_count(parameter_table(checkpoint.config));
  require(std::uint64_t{header.parameter_count} == static_cast<std::uint64_t>(expected_count),
          "mismatched parameter count: the header says ", header.parameter_count,
          ", the config's table has ", expected_count);
  checkpoint.vocabulary = read_vocabulary(
      file.section(header.vocabulary_bytes, "the vocabulary section"), header.vocabulary_entries);
  checkpoint.tokenizer = file.text(header.tokenizer_bytes);
  checkpoint.metadata = file.text(header.metadata_bytes);
  checkpoint.parameters = file.floats(header.parameter_count);
  if (header.flags & flag_optimizer) {
    AdamWState state;
    const std::uint64_t step_bits = file.u64();
    std::memcpy(&state.step, &step_bits, sizeof step_bits);
    state.m = file.floats(header.parameter_count);
    state.v = file.floats(header.parameter_count);
    checkpoint.optimizer = std::move(state);
  }
  validate_contents(checkpoint);
  return checkpoint;
}

bool identical(const Checkpoint& a, const Checkpoint& b) {
  const auto same_bits = [](const std::vector<float>& x, const std::vector<float>& y) {
    return x.size() == y.size() &&
           (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
  };
  if (!(a.config == b.config && a.vocabulary == b.vocabulary && a.tokenizer == b.tokenizer &&
        a.metadata == b.metadata && same_bits(a.parameters, b.parameters) &&
        a.optimizer.has_value() == b.optimizer.has_value())) {
    return false;
  }
  return !a.optimizer ||
         (a.optimizer->step == b.optimizer->step && same_bits(a.optimizer->m, b.optimizer->m) &&
          same_bits(a.optimizer->v, b.optimizer->v));
}

}  // namespace spotlight
