// The rules every encoding of the byte-level BPE tokenizer (src/core/data/bpe_tokenizer.h) keeps,
// checked by fuzz_tokenizer_files and fuzz_bpe_encode:
//   - the tokens tile the text: the first begins at 0, each where the one before ends, the last
//     ends at the text's size
//   - every id is inside the vocabulary
//   - decode(encode(text)) is the text with each maximal invalid UTF-8 subsequence as U+FFFD
//     (the naive reference::whatwg_sanitized); for valid UTF-8, each token's bytes are its span's
//   - the ids are those of encoder.py's merge loop (reference::ReferenceBpe), piece by piece, for
//     pieces of up to max_reference_piece bytes (the loop is quadratic)
#pragma once

#include <cstddef>
#include <string>

#include "bpe_reference.h"
#include "data/bpe_tokenizer.h"

namespace fuzz {

inline constexpr std::size_t max_reference_piece = 64;

// The naive reference of `tokenizer`'s vocabulary and merges.
reference::ReferenceBpe reference_of(const spotlight::BpeTokenizer& tokenizer);

void check_encoding(const spotlight::BpeTokenizer& tokenizer, const reference::ReferenceBpe& naive,
                    const std::string& text);

}  // namespace fuzz
