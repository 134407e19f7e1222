#include "bpe_rules.h"

#include <utility>
#include <vector>

#include "data/gpt2_split.h"
#include "fuzz_rules.h"

namespace fuzz {

reference::ReferenceBpe reference_of(const spotlight::BpeTokenizer& tokenizer) {
  std::vector<std::string> tokens;
  for (spotlight::TokenId id = 0; id < tokenizer.vocab_size(); ++id) {
    tokens.push_back(tokenizer.token_string(id));
  }
  std::vector<std::pair<std::string, std::string>> merges;
  for (const spotlight::BpeMerge& merge : tokenizer.merges()) {
    merges.emplace_back(tokenizer.token_string(merge.left), tokenizer.token_string(merge.right));
  }
  return reference::ReferenceBpe(tokens, merges);
}

void check_encoding(const spotlight::BpeTokenizer& tokenizer, const reference::ReferenceBpe& naive,
                    const std::string& text) {
  std::vector<spotlight::BpeToken> tokens;
  rule(completes("encode", [&] { tokens = tokenizer.encode(text); }), "encode rejected ",
       text.size(), " bytes: ", last_rejection);
  const std::string sanitized = reference::whatwg_sanitized(text);
  const bool valid_utf8 = sanitized == text;
  spotlight::TokenSequence ids;
  std::size_t end = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const spotlight::BpeToken& token = tokens[i];
    rule(token.id >= 0 && token.id < tokenizer.vocab_size(), "token ", i, " has the id ", token.id,
         " outside the vocabulary of ", tokenizer.vocab_size());
    rule(token.begin == end && token.end >= token.begin && token.end <= text.size(), "token ", i,
         " spans [", token.begin, ", ", token.end, ") after a token that ends at ", end, " of ",
         text.size(), " bytes");
    rule(!valid_utf8 || text.compare(token.begin, token.end - token.begin,
                                     tokenizer.token_bytes(token.id)) == 0,
         "token ", i, " (id ", token.id, ") is not the bytes of its span [", token.begin, ", ",
         token.end, ") of valid UTF-8");
    end = token.end;
    ids.push_back(token.id);
  }
  rule(end == text.size(), "the tokens end at byte ", end, " of ", text.size());
  rule(tokenizer.decode(ids) == sanitized, "decode(encode(text)) is not the text with U+FFFD for ",
       "its invalid UTF-8 (", text.size(), " bytes)");

  spotlight::TokenSequence expected;
  for (const std::string_view piece : spotlight::split_gpt2(text)) {
    if (piece.size() > max_reference_piece) return;
    const spotlight::TokenSequence piece_ids =
        naive.encode_piece(reference::whatwg_sanitized(piece));
    expected.insert(expected.end(), piece_ids.begin(), piece_ids.end());
  }
  rule(ids == expected, "the ids of ", text.size(),
       " bytes are not those of encoder.py's merge loop");
}

}  // namespace fuzz
