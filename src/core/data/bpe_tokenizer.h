// GPT-2's tokenizer: byte-level byte-pair encoding (Radford et al. 2019; OpenAI's encoder.py),
// read from the files that come with the model, and exact against OpenAI's encoder and its
// JavaScript port (npm gpt-3-encoder, which tests/node/bpe-peer.test.js runs it against).
//
// Encoding, in three steps:
//   1. split     the text's code points into pieces by GPT-2's pattern (gpt2_split.h); invalid
//                UTF-8 is decoded first, each maximal invalid subsequence as U+FFFD (utf8.h)
//   2. bytes     each piece's UTF-8 bytes become byte tokens, one per byte. The files spell a
//                token by its bytes through GPT-2's bytes_to_unicode, which gives every byte a
//                printable character: bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF are themselves,
//                the other 68 take U+0100 on, in increasing order, so space is "Ġ" (U+0120) and
//                newline "Ċ" (U+010A): " the" is the token "Ġthe"
//   3. merges    repeatedly, the adjacent pair whose merge comes first in the merges file, in
//                every place where it occurs, left to right and not overlapping, until no
//                adjacent pair has a merge (encoder.py's bpe())
// The text "<|endoftext|>" is ordinary characters here ("<", "|", "endoftext", "|", ">"), as
// encoder.py and gpt-3-encoder encode it; Hugging Face's tokenizers map it to its id
// (end_of_text()) instead. Nothing is added at the start or the end.
//
// Each token carries the bytes [begin, end) of the text it came from. Tokens tile the text: the
// first begins at 0, each begins where the one before ends, the last ends at the text's size. A
// token made of part of a U+FFFD that replaced invalid bytes [a, b) covers those bytes as if the
// three bytes EF BF BD stood at a, a + 1, a + 2, cut at b: its span may then be empty.
//
// decode(encode(text)) == text for valid UTF-8; for other bytes it is the text with each maximal
// invalid subsequence replaced by U+FFFD's bytes (what TextDecoder gives). encode is const and
// keeps no cache: one tokenizer serves any number of threads.
//
// The files. Both ways of loading take the files' bytes (no I/O here) and check everything before
// the tokenizer exists; each error is std::invalid_argument naming the file, the line or key and
// the values seen.
//   from_vocab_and_merges   vocab.json: {"token": id, ...}; merges.txt: optionally a first line
//                           "#version: ..." (OpenAI's and Hugging Face's files have
//                           "#version: 0.2"; encoder.py drops the first line unconditionally,
//                           Hugging Face only a "#version" line; taken as Hugging Face does), then
//                           one merge "left right" per line, rank 0 first, the last line ending in
//                           a newline or not (encoder.py needs the newline)
//   from_tokenizer_json     Hugging Face tokenizers' tokenizer.json: model.type "BPE", model.vocab
//                           as vocab.json, model.merges as "left right" strings or as [left, right]
//                           pairs, added_tokens (GPT-2's <|endoftext|>) that must be in model.vocab
//                           with the same id; anything that would tokenize otherwise than GPT-2 is
//                           refused by name: a normalizer, a pre_tokenizer other than ByteLevel
//                           (or with add_prefix_space or without use_regex), a decoder or
//                           post_processor other than ByteLevel, BPE dropout, a subword prefix or
//                           suffix, ignore_merges, byte_fallback
// Both require: ids 0 to n - 1, each once; every token a non-empty string of bytes_to_unicode's
// characters; all 256 byte tokens; merges of two tokens of the vocabulary whose concatenation is
// one too, none given twice; at most BpeLimits' sizes (GPT-2: 50,257 tokens, 50,000 merges), which
// the JSON parser enforces before it builds a tree (base/json.h's max_values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/matrix.h"
#include "base/sequences.h"

namespace spotlight {

struct BpeLimits {
  static constexpr std::size_t max_tokens = 1000000;
  static constexpr std::size_t max_merges = 1000000;
  static constexpr std::size_t max_text_bytes = 0x7FFFFFFF;  // encode's text
};

// One token of an encoded text: its id, and the bytes [begin, end) of the text it came from.
struct BpeToken {
  TokenId id = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The merge of rank r (line r + 1 of merges.txt after its header): left and right become result.
struct BpeMerge {
  TokenId left = 0;
  TokenId right = 0;
  TokenId result = 0;
};

class BpeTokenizer {
 public:
  // vocab.json's and merges.txt's bytes.
  static BpeTokenizer from_vocab_and_merges(std::string_view vocab_json,
                                            std::string_view merges_txt);
  // tokenizer.json's bytes.
  static BpeTokenizer from_tokenizer_json(std::string_view tokenizer_json);

  // Any bytes, UTF-8 or not (decoded as utf8.h says), up to BpeLimits::max_text_bytes.
  std::vector<BpeToken> encode(std::string_view text) const;

  // The tokens' bytes, concatenated. Throws std::invalid_argument naming the position and the id
  // of the first id outside the vocabulary.
  std::string decode(const TokenSequence& ids) const;

  // A token's bytes ("\x20the"), and its string in the files (vocab.json's key: "Ġthe"). Throw
  // std::invalid_argument for an id outside the vocabulary.
  const std::string& token_bytes(TokenId id) const;
  const std::string& token_string(TokenId id) const;

  Index vocab_size() const { return static_cast<Index>(token_strings_.size()); }
  // The id of the token "<|endoftext|>" (GPT-2: 50256), or -1 when the vocabulary has none.
  TokenId end_of_text() const { return end_of_text_; }
  // The merges by rank.
  const std::vector<BpeMerge>& merges() const { return merges_; }

 private:
  // Checks the vocabulary (token strings by id) and the merges (pairs of token strings, by rank)
  // and builds the tables; errors name `vocab_name` ("vocab.json") and merge_where(rank)
  // ("merges.txt line 3").
  using MergeStrings = std::vector<std::pair<std::string_view, std::string_view>>;
  BpeTokenizer(std::vector<std::string> token_strings, const std::string& vocab_name,
               const MergeStrings& merges,
               const std::function<std::string(std::size_t)>& merge_where);

  struct PieceScratch;  // encode's working memory, reused from piece to piece
  // Merges one piece's bytes (scratch.bytes) and appends its tokens.
  void encode_piece(PieceScratch& scratch, std::vector<BpeToken>& tokens) const;
  void find_whole_piece_tokens();
  // The rank of the merge of left and right, or -1 when they have none.
  std::int32_t merge_rank(TokenId left, TokenId right) const;
  // Throws "<caller>: the id <id> [at position <position>] is outside the vocabulary ...".
  void require_token(TokenId id, const char* caller,
                     std::size_t position = std::string::npos) const;

  std::vector<std::string> token_strings_;  // by id
  std::vector<std::string> token_bytes_;    // by id
  TokenId byte_tokens_[256] = {};           // the token of each byte
  std::vector<BpeMerge> merges_;            // by rank
  // The rank of each merge by its pair of tokens: a hash table with open addressing (linear
  // probing) of a power of two slots, 2 to 4 per merge, so that a lookup, the encoder's innermost
  // step, mostly reads one slot. A slot holds the key left << 32 | right, or empty_slot.
  struct MergeSlot {
    std::uint64_t pair;
    std::int32_t rank;
  };
  static constexpr std::uint64_t empty_slot = ~std::uint64_t{0};
  std::vector<MergeSlot> merge_slots_;
  int merge_slot_shift_ = 0;  // 64 - log2(slots): a pair's first slot is its hash >> this
  // The slot of `pair`: where it is, or the empty slot where it would go.
  std::size_t merge_slot(std::uint64_t pair) const;
  // The tokens that a piece of exactly their bytes merges back into, by those bytes: encode looks
  // each piece up here first (most words of a text are one token) and merges only the pieces it
  // does not find. Filled at load by encode_piece itself, so it changes no result.
  std::unordered_map<std::string, TokenId> whole_piece_tokens_;
  TokenId end_of_text_ = -1;
};

}  // namespace spotlight
