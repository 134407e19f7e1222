#include "data/bpe_tokenizer.h"

#include <algorithm>

#include "base/errors.h"
#include "base/json.h"
#include "data/gpt2_split.h"
#include "data/utf8.h"

namespace spotlight {

namespace {

// The values of tokenizer.json besides the vocabulary and the merges (GPT-2's has about 40): the
// components around the model and the added tokens.
constexpr std::size_t tokenizer_json_extra_values = 100000;

// A pair of tokens as one key of the merge table: left << 32 | right.
std::uint64_t pair_key(TokenId left, TokenId right) {
  return (std::uint64_t{static_cast<std::uint32_t>(left)} << 32) |
         static_cast<std::uint32_t>(right);
}

// GPT-2's bytes_to_unicode (bpe_tokenizer.h): the character of each byte, and back.
struct ByteLevelAlphabet {
  static constexpr char32_t end = 0x100 + 68;  // past the last character, U+0143
  char32_t character_of_byte[256] = {};
  int byte_of_character[end] = {};  // -1 for a character that stands for no byte
};

constexpr ByteLevelAlphabet make_byte_level_alphabet() {
  ByteLevelAlphabet alphabet;
  for (char32_t character = 0; character < ByteLevelAlphabet::end; ++character) {
    alphabet.byte_of_character[character] = -1;
  }
  char32_t next_unprintable = 0x100;
  for (int byte = 0; byte < 256; ++byte) {
    const bool printable = (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) ||
                           (byte >= 0xAE && byte <= 0xFF);
    const char32_t character = printable ? static_cast<char32_t>(byte) : next_unprintable++;
    alphabet.character_of_byte[byte] = character;
    alphabet.byte_of_character[character] = byte;
  }
  return alphabet;
}

constexpr ByteLevelAlphabet byte_level = make_byte_level_alphabet();

// Throws std::invalid_argument with the parts concatenated. The checks that run once per token
// or merge use it behind an `if`: require() would build its message before the check.
template <typename... Parts>
[[noreturn]] void refuse(const Parts&... parts) {
  throw std::invalid_argument(concat(parts...));
}

// `text` in double quotes as JSON writes it (control characters escaped, invalid UTF-8 as
// U+FFFD), cut after 40 bytes: how errors show a token.
std::string in_quotes(std::string_view text) {
  constexpr std::size_t shown = 40;
  std::string text_in_quotes =
      Json(std::string(text.substr(0, shown))).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > shown) text_in_quotes.insert(text_in_quotes.size() - 1, "...");
  return text_in_quotes;
}

// `value` in upper-case hexadecimal, at least `digits` digits.
std::string hexadecimal(std::uint32_t value, std::size_t digits) {
  std::string text;
  do {
    text.insert(text.begin(), "0123456789ABCDEF"[value & 15]);
    value >>= 4;
  } while (value != 0 || text.size() < digits);
  return text;
}

// A token string of the files as the bytes it stands for; throws for a character outside the
// alphabet.
std::string token_string_bytes(const std::string& token, TokenId id,
                               const std::string& vocab_name) {
  require(!token.empty(), vocab_name, ": the token of id ", id, " is the empty string");
  std::string bytes;
  for (const char32_t character : decode_utf8(token).code_points) {
    const bool in_alphabet =
        character < ByteLevelAlphabet::end && byte_level.byte_of_character[character] >= 0;
    if (!in_alphabet) {
      refuse(vocab_name, ": the token ", in_quotes(token), " (id ", id, ") has the character U+",
             hexadecimal(character, 4),
             ", which is not one of the 256 characters of GPT-2's byte-level alphabet");
    }
    bytes += static_cast<char>(byte_level.byte_of_character[character]);
  }
  return bytes;
}

// vocab.json's object (or tokenizer.json's model.vocab) as token strings by id.
std::vector<std::string> tokens_by_id(const Json& vocab, const std::string& vocab_name) {
  require(vocab.is_object(), vocab_name, " must be a JSON object of tokens and their ids, got ",
          describe_json(vocab));
  const std::size_t count = vocab.size();
  require(count <= BpeLimits::max_tokens, vocab_name, " has ", count, " tokens, more than ",
          BpeLimits::max_tokens);
  std::vector<std::string> tokens(count);
  std::vector<bool> taken(count, false);
  for (const auto& [token, value] : vocab.items()) {
    // n ids from 0 to n - 1, none twice: so none is missing either.
    const bool in_range = value.is_number_unsigned() && value.get<std::uint64_t>() < count;
    const Index id = in_range
                         ? value.get<Index>()
                         : json_integer(value, concat(vocab_name, ": the id of ", in_quotes(token)),
                                        0, static_cast<Index>(count) - 1);
    const auto slot = static_cast<std::size_t>(id);
    if (taken[slot]) {
      refuse(vocab_name, ": ", in_quotes(tokens[slot]), " and ", in_quotes(token), " both have id ",
             id);
    }
    taken[slot] = true;
    tokens[slot] = token;
  }
  return tokens;
}

// How an error names a value of tokenizer.json: a string, or an object's "type", in quotes; any
// other value as describe_json does.
std::string component_name(const Json& component) {
  if (component.is_string()) return in_quotes(component.get_ref<const std::string&>());
  if (component.is_object()) {
    const auto type = component.find("type");
    if (type != component.end() && type->is_string()) return component_name(*type);
  }
  return describe_json(component);
}

// Requires tokenizer.json's `key` of `object` (named `where`) to be absent, null, or `allowed`.
void require_absent_or(const Json& object, const std::string& where, const std::string& key,
                       const Json& allowed, const std::string& why) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null() || *found == allowed) return;
  throw std::invalid_argument(
      concat("tokenizer.json: ", where, key, " is ", component_name(*found), "; ", why));
}

// The components of tokenizer.json around the model: GPT-2's, or refused by name.
void require_gpt2_pipeline(const Json& document) {
  const std::string only = "only GPT-2's byte-level BPE is read";
  require_absent_or(document, "", "normalizer", nullptr,
                    "GPT-2's byte-level BPE has no normalizer (" + only + ")");
  const Json& pre_tokenizer = json_member(document, "pre_tokenizer", "tokenizer.json");
  require(pre_tokenizer.is_object() && pre_tokenizer.value("type", Json()) == "ByteLevel",
          "tokenizer.json: pre_tokenizer is ", component_name(pre_tokenizer),
          ", not \"ByteLevel\"; ", only);
  require_absent_or(pre_tokenizer, "pre_tokenizer.", "add_prefix_space", false,
                    "GPT-2 adds no space before the text");
  require_absent_or(pre_tokenizer, "pre_tokenizer.", "use_regex", true,
                    "GPT-2 splits the text by its pattern");
  for (const char* component : {"decoder", "post_processor"}) {
    const auto found = document.find(component);
    if (found == document.end() || found->is_null()) continue;
    require(found->is_object() && found->value("type", Json()) == "ByteLevel",
            "tokenizer.json: ", component, " is ", component_name(*found), ", not \"ByteLevel\"; ",
            only);
  }
}

void require_gpt2_model(const Json& model) {
  require(model.is_object(), "tokenizer.json: model must be an object, got ", describe_json(model));
  const Json& type = json_member(model, "type", "tokenizer.json: model");
  require(type == "BPE", "tokenizer.json: model.type is ", component_name(type),
          ", not \"BPE\"; only GPT-2's byte-level BPE is read");
  require_absent_or(model, "model.", "dropout", nullptr, "GPT-2 merges without dropout");
  require_absent_or(model, "model.", "continuing_subword_prefix", "",
                    "GPT-2's tokens have no subword prefix");
  require_absent_or(model, "model.", "end_of_word_suffix", "",
                    "GPT-2's tokens have no end-of-word suffix");
  require_absent_or(model, "model.", "ignore_merges", false,
                    "GPT-2 merges every word, even one that is a token");
  require_absent_or(model, "model.", "byte_fallback", false,
                    "a byte-level vocabulary needs no byte fallback");
}

// Appends the two tokens of a merge written "left right" to `pairs`; false when `text` is not two
// non-empty tokens separated by one space.
bool split_merge(std::string_view text,
                 std::vector<std::pair<std::string_view, std::string_view>>& pairs) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == text.size() ||
      text.find(' ', space + 1) != std::string_view::npos) {
    return false;
  }
  pairs.emplace_back(text.substr(0, space), text.substr(space + 1));
  return true;
}

// model.merges: "left right" strings or [left, right] pairs, as views into the document.
std::vector<std::pair<std::string_view, std::string_view>> merge_pairs(const Json& merges) {
  require(merges.is_array(), "tokenizer.json: model.merges must be an array, got ",
          describe_json(merges));
  require(merges.size() <= BpeLimits::max_merges, "tokenizer.json: model.merges has ",
          merges.size(), " merges, more than ", BpeLimits::max_merges);
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  pairs.reserve(merges.size());
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const Json& merge = merges[rank];
    if (merge.is_string()) {
      const std::string& text = merge.get_ref<const std::string&>();
      if (!split_merge(text, pairs)) {
        refuse("tokenizer.json: model.merges[", rank, "]: ", in_quotes(text),
               " is not two tokens separated by one space");
      }
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      pairs.emplace_back(merge[0].get_ref<const std::string&>(),
                         merge[1].get_ref<const std::string&>());
    } else {
      refuse("tokenizer.json: model.merges[", rank,
             "] must be \"left right\" or [\"left\", \"right\"], got ", describe_json(merge));
    }
  }
  return pairs;
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::vector<std::string> token_strings, const std::string& vocab_name,
                           const MergeStrings& merges,
                           const std::function<std::string(std::size_t)>& merge_where)
    : token_strings_(std::move(token_strings)) {
  const auto count = static_cast<TokenId>(token_strings_.size());
  std::unordered_map<std::string_view, TokenId> ids;
  ids.reserve(token_strings_.size());
  std::fill(std::begin(byte_tokens_), std::end(byte_tokens_), -1);
  token_bytes_.reserve(token_strings_.size());
  for (TokenId id = 0; id < count; ++id) {
    const std::string& token = token_strings_[static_cast<std::size_t>(id)];
    token_bytes_.push_back(token_string_bytes(token, id, vocab_name));
    ids.emplace(token, id);
    const std::string& bytes = token_bytes_.back();
    if (bytes.size() == 1) byte_tokens_[static_cast<unsigned char>(bytes[0])] = id;
  }
  for (int byte = 0; byte < 256; ++byte) {
    if (byte_tokens_[byte] >= 0) continue;
    std::string character;
    append_utf8(byte_level.character_of_byte[byte], character);
    refuse(vocab_name, " has no token for the byte 0x",
           hexadecimal(static_cast<std::uint32_t>(byte), 2), " (", in_quotes(character),
           "); a byte-level vocabulary has one for each of the 256");
  }
  const auto found = ids.find("<|endoftext|>");
  end_of_text_ = found == ids.end() ? -1 : found->second;

  merges_.reserve(merges.size());
  std::size_t slots = 2;
  while (slots < 2 * merges.size()) slots *= 2;
  merge_slots_.assign(slots, MergeSlot{empty_slot, -1});
  for (merge_slot_shift_ = 64; slots > 1; slots /= 2) --merge_slot_shift_;
  std::string joined;
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const std::string_view left = merges[rank].first, right = merges[rank].second;
    const auto id_of = [&](std::string_view part) {
      const auto token = ids.find(part);
      if (token == ids.end()) {
        refuse(merge_where(rank), ": ", in_quotes(concat(left, " ", right)), ": ", in_quotes(part),
               " is not a token of ", vocab_name);
      }
      return token->second;
    };
    BpeMerge merge;
    merge.left = id_of(left);
    merge.right = id_of(right);
    joined.assign(left).append(right);
    const auto result = ids.find(joined);
    if (result == ids.end()) {
      refuse(merge_where(rank), ": ", in_quotes(concat(left, " ", right)), " makes ",
             in_quotes(joined), ", which is not a token of ", vocab_name);
    }
    merge.result = result->second;
    MergeSlot& slot = merge_slots_[merge_slot(pair_key(merge.left, merge.right))];
    if (slot.pair != empty_slot) {
      refuse(merge_where(rank), ": ", in_quotes(concat(left, " ", right)),
             " is given twice, first at ", merge_where(static_cast<std::size_t>(slot.rank)));
    }
    slot = MergeSlot{pair_key(merge.left, merge.right), static_cast<std::int32_t>(rank)};
    merges_.push_back(merge);
  }
  find_whole_piece_tokens();
}

BpeTokenizer BpeTokenizer::from_vocab_and_merges(std::string_view vocab_json,
                                                 std::string_view merges_txt) {
  // The object and one id per token: a larger file is refused before its tree is built.
  const Json vocab = parse_json_object(vocab_json, "vocab.json", default_max_json_depth,
                                       1 + BpeLimits::max_tokens);
  // Lines end in '\n'; the last may not. A first line "#version..." is a header, not a merge.
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < merges_txt.size();) {
    std::size_t end = merges_txt.find('\n', start);
    if (end == std::string_view::npos) end = merges_txt.size();
    lines.push_back(merges_txt.substr(start, end - start));
    start = end + 1;
  }
  const std::size_t header = !lines.empty() && lines[0].rfind("#version", 0) == 0 ? 1 : 0;
  require(lines.size() - header <= BpeLimits::max_merges, "merges.txt has ", lines.size() - header,
          " merges, more than ", BpeLimits::max_merges);
  const auto where = [header](std::size_t rank) {
    return concat("merges.txt line ", rank + header + 1);
  };
  MergeStrings merges;
  merges.reserve(lines.size() - header);
  for (std::size_t line = header; line < lines.size(); ++line) {
    if (!split_merge(lines[line], merges)) {
      refuse(where(merges.size()), ": ", in_quotes(lines[line]),
             " is not two tokens separated by one space");
    }
  }
  return BpeTokenizer(tokens_by_id(vocab, "vocab.json"), "vocab.json", merges, where);
}

BpeTokenizer BpeTokenizer::from_tokenizer_json(std::string_view tokenizer_json) {
  // At most one id per token, three values per merge (a pair), and the rest of the file.
  const Json document = parse_json_object(
      tokenizer_json, "tokenizer.json", default_max_json_depth,
      BpeLimits::max_tokens + 3 * BpeLimits::max_merges + tokenizer_json_extra_values);
  const Json& model = json_member(document, "model", "tokenizer.json");
  require_gpt2_model(model);
  require_gpt2_pipeline(document);
  const std::string vocab_name = "tokenizer.json's model.vocab";
  std::vector<std::string> tokens =
      tokens_by_id(json_member(model, "vocab", "tokenizer.json: model"), vocab_name);
  // Added tokens are matched in the text before the split by Hugging Face's tokenizers; here the
  // text is encoded as OpenAI's encoder does, so an added token is only a token of the vocabulary.
  const auto added = document.find("added_tokens");
  if (added != document.end() && !added->is_null()) {
    require(added->is_array(), "tokenizer.json: added_tokens must be an array, got ",
            describe_json(*added));
    for (std::size_t i = 0; i < added->size(); ++i) {
      const Json& token = (*added)[i];
      const std::string where = concat("tokenizer.json: added_tokens[", i, "]");
      require(token.is_object(), where, " must be an object, got ", describe_json(token));
      const std::string& content =
          json_string(json_member(token, "content", where), where + ".content");
      const Index id = json_integer(json_member(token, "id", where), where + ".id", 0,
                                    static_cast<Index>(BpeLimits::max_tokens));
      const bool in_vocab = static_cast<std::size_t>(id) < tokens.size() &&
                            tokens[static_cast<std::size_t>(id)] == content;
      require(in_vocab, where, ": ", in_quotes(content), " with id ", id, " is not in ", vocab_name,
              " with that id; only added tokens of the vocabulary are read");
    }
  }
  const Json& merges = json_member(model, "merges", "tokenizer.json: model");
  return BpeTokenizer(std::move(tokens), vocab_name, merge_pairs(merges), [](std::size_t rank) {
    return concat("tokenizer.json: model.merges[", rank, "]");
  });
}

// --- Encoding ----------------------------------------------------------------------------------

struct BpeTokenizer::PieceScratch {
  std::string bytes;  // the piece's UTF-8 bytes
  // For each of the bytes.size() + 1 byte boundaries, the offset in the text it stands for.
  std::vector<std::size_t> sources;
  // The piece's tokens as a list: symbol i starts at byte i; a symbol that a merge took into the
  // one before it has id -1.
  struct Symbol {
    TokenId id;
    std::int32_t previous;  // -1: none
    std::int32_t next;      // -1: none
  };
  std::vector<Symbol> symbols;
  // Adjacent pairs that have a merge, as (rank, left symbol); pairs a merge has since broken
  // stay until popped, and are skipped then.
  struct Candidate {
    std::int32_t rank;
    std::int32_t left;
  };
  std::vector<Candidate> heap;
  std::vector<std::int32_t> round;  // the left symbols of one rank's candidates
};

std::size_t BpeTokenizer::merge_slot(std::uint64_t pair) const {
  // Fibonacci hashing: the product's top bits depend on every bit of the pair.
  const std::size_t mask = merge_slots_.size() - 1;
  std::size_t slot = static_cast<std::size_t>((pair * 0x9E3779B97F4A7C15u) >> merge_slot_shift_);
  while (merge_slots_[slot].pair != pair && merge_slots_[slot].pair != empty_slot) {
    slot = (slot + 1) & mask;
  }
  return slot;
}

std::int32_t BpeTokenizer::merge_rank(TokenId left, TokenId right) const {
  return merge_slots_[merge_slot(pair_key(left, right))].rank;
}

void BpeTokenizer::encode_piece(PieceScratch& scratch, std::vector<BpeToken>& tokens) const {
  using Symbol = PieceScratch::Symbol;
  using Candidate = PieceScratch::Candidate;
  std::vector<Symbol>& symbols = scratch.symbols;
  std::vector<Candidate>& heap = scratch.heap;
  // A min-heap: the lowest rank first, and of one rank the leftmost pair first.
  const auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  const auto push_pair = [&](std::int32_t left) {
    if (left < 0 || symbols[static_cast<std::size_t>(left)].next < 0) return;
    const Symbol& symbol = symbols[static_cast<std::size_t>(left)];
    const std::int32_t rank =
        merge_rank(symbol.id, symbols[static_cast<std::size_t>(symbol.next)].id);
    if (rank < 0) return;
    heap.push_back({rank, left});
    std::push_heap(heap.begin(), heap.end(), later);
  };

  const auto count = static_cast<std::int32_t>(scratch.bytes.size());
  symbols.clear();
  heap.clear();
  for (std::int32_t i = 0; i < count; ++i) {
    const auto byte = static_cast<unsigned char>(scratch.bytes[static_cast<std::size_t>(i)]);
    symbols.push_back({byte_tokens_[byte], i - 1, i + 1 < count ? i + 1 : -1});
  }
  for (std::int32_t i = 0; i + 1 < count; ++i) push_pair(i);

  // encoder.py's loop: the pair of the lowest rank, merged wherever it occurs, left to right and
  // not overlapping ("aaa" -> "aa", "a"), before any pair of another rank. Popping the heap one
  // pair at a time would also merge, between two occurrences of a rank, a pair of a lower rank
  // that the first merge made; so a round takes every pair of the rank first. (A merges file in
  // which every merge's tokens are made by earlier merges, as GPT-2's, makes no such pair.)
  while (!heap.empty()) {
    const std::int32_t rank = heap.front().rank;
    scratch.round.clear();
    while (!heap.empty() && heap.front().rank == rank) {
      std::pop_heap(heap.begin(), heap.end(), later);
      scratch.round.push_back(heap.back().left);
      heap.pop_back();
    }
    const BpeMerge& merge = merges_[static_cast<std::size_t>(rank)];
    for (const std::int32_t left : scratch.round) {
      Symbol& symbol = symbols[static_cast<std::size_t>(left)];
      // Skips a pair that an earlier merge broke: a merge only lengthens tokens, so a broken pair
      // never comes back with the same tokens.
      if (symbol.id != merge.left || symbol.next < 0 ||
          symbols[static_cast<std::size_t>(symbol.next)].id != merge.right) {
        continue;
      }
      Symbol& absorbed = symbols[static_cast<std::size_t>(symbol.next)];
      symbol.id = merge.result;
      symbol.next = absorbed.next;
      absorbed.id = -1;
      if (symbol.next >= 0) symbols[static_cast<std::size_t>(symbol.next)].previous = left;
      push_pair(symbol.previous);
      push_pair(left);
    }
  }

  for (std::int32_t i = 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next) {
    const std::int32_t next = symbols[static_cast<std::size_t>(i)].next;
    tokens.push_back({symbols[static_cast<std::size_t>(i)].id,
                      scratch.sources[static_cast<std::size_t>(i)],
                      scratch.sources[static_cast<std::size_t>(next >= 0 ? next : count)]});
  }
}

void BpeTokenizer::find_whole_piece_tokens() {
  PieceScratch scratch;
  std::vector<BpeToken> tokens;
  for (TokenId id = 0; id < vocab_size(); ++id) {
    scratch.bytes = token_bytes_[static_cast<std::size_t>(id)];
    scratch.sources.assign(scratch.bytes.size() + 1, 0);
    tokens.clear();
    encode_piece(scratch, tokens);
    if (tokens.size() == 1 && tokens[0].id == id) whole_piece_tokens_.emplace(scratch.bytes, id);
  }
}

std::vector<BpeToken> BpeTokenizer::encode(std::string_view text) const {
  // encode_piece numbers a piece's bytes with 32-bit integers.
  require(text.size() <= BpeLimits::max_text_bytes, "encode: the text has ", text.size(),
          " bytes, more than ", BpeLimits::max_text_bytes);
  const DecodedText decoded = decode_utf8(text);
  const std::u32string& code_points = decoded.code_points;
  std::vector<BpeToken> tokens;
  PieceScratch scratch;
  for (std::size_t begin = 0; begin < code_points.size();) {
    const std::size_t end = gpt2_piece_end(code_points, begin);
    scratch.bytes.clear();
    scratch.sources.clear();
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t first_byte = scratch.bytes.size();
      append_utf8(code_points[i], scratch.bytes);
      // A U+FFFD that replaced fewer than its 3 bytes spreads over them (bpe_tokenizer.h); any
      // other code point has as many bytes as it came from.
      const std::size_t source_bytes = decoded.offsets[i + 1] - decoded.offsets[i];
      for (std::size_t k = 0; k < scratch.bytes.size() - first_byte; ++k) {
        scratch.sources.push_back(decoded.offsets[i] + std::min(k, source_bytes));
      }
    }
    scratch.sources.push_back(decoded.offsets[end]);
    const auto whole = whole_piece_tokens_.find(scratch.bytes);
    if (whole != whole_piece_tokens_.end()) {
      tokens.push_back({whole->second, decoded.offsets[begin], decoded.offsets[end]});
    } else {
      encode_piece(scratch, tokens);
    }
    begin = end;
  }
  return tokens;
}

// --- Decoding and the vocabulary ---------------------------------------------------------------

void BpeTokenizer::require_token(TokenId id, const char* caller, std::size_t position) const {
  if (id >= 0 && id < vocab_size()) return;
  throw std::invalid_argument(concat(
      caller, ": the id ", id,
      position == std::string::npos ? std::string() : concat(" at position ", position),
      " is outside the vocabulary of ", vocab_size(), " tokens (ids 0 to ", vocab_size() - 1, ")"));
}

std::string BpeTokenizer::decode(const TokenSequence& ids) const {
  std::string text;
  for (std::size_t position = 0; position < ids.size(); ++position) {
    require_token(ids[position], "decode", position);
    text += token_bytes_[static_cast<std::size_t>(ids[position])];
  }
  return text;
}

const std::string& BpeTokenizer::token_bytes(TokenId id) const {
  require_token(id, "token_bytes");
  return token_bytes_[static_cast<std::size_t>(id)];
}

const std::string& BpeTokenizer::token_string(TokenId id) const {
  require_token(id, "token_string");
  return token_strings_[static_cast<std::size_t>(id)];
}

}  // namespace spotlight
