// The naive references of the byte-level BPE tokenizer (src/core/data/bpe_tokenizer.h), written
// straight from their definitions, nothing clever:
//   - UTF-8 with each maximal subpart of an ill-formed sequence as U+FFFD, from Unicode's
//     Table 3-7 of well-formed sequences (the core decodes with WHATWG's state machine instead)
//   - GPT-2's bytes_to_unicode, as encoder.py builds it
//   - encoder.py's bpe(): strings, the lowest-ranked pair found by scanning every pair, one pass
//     over the word per merge (the core keeps a heap of pairs instead)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/sequences.h"

namespace reference {

// `bytes` with each maximal subpart of an ill-formed sequence replaced by U+FFFD's bytes EF BF BD.
std::string whatwg_sanitized(std::string_view bytes);

// The files' spelling of `bytes`: one character of GPT-2's bytes_to_unicode per byte, in UTF-8.
std::string byte_level_string(std::string_view bytes);

class ReferenceBpe {
 public:
  // Token strings by id and merges by rank, spelled as in the files ("Ġthe", {"Ġ", "t"}).
  ReferenceBpe(const std::vector<std::string>& tokens,
               const std::vector<std::pair<std::string, std::string>>& merges);

  // The ids of one piece's bytes after every merge.
  spotlight::TokenSequence encode_piece(std::string_view piece_bytes) const;

 private:
  std::map<std::string, spotlight::TokenId> ids_;
  std::map<std::pair<std::string, std::string>, int> ranks_;
};

}  // namespace reference
