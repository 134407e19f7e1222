// JSON documents that come from outside (config.json, vocab.json, tokenizer.json, a safetensors
// header), parsed by nlohmann/json with the checks it does not make itself: a nesting depth limit,
// so that hostile input cannot exhaust the stack or the memory of a deep tree, and a refusal of
// keys given twice in one object (nlohmann keeps the last silently; the safetensors reference
// reader refuses them, and a file that says two things about one name is damaged). nlohmann
// already refuses invalid UTF-8 in strings and anything after the value but white space, except
// after a NUL byte, which its lexer takes for the end of the input: a NUL byte is refused here.
//
// Every error is std::invalid_argument naming `what` (the file or part the caller reads, e.g.
// "config.json") and the problem, with the key or position seen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/matrix.h"

namespace spotlight {

using Json = nlohmann::json;

// Deeper than any file of the GPT-2 family (tokenizer.json nests 4 levels); far below what could
// hurt.
inline constexpr int default_max_json_depth = 32;

// No limit on the number of values unless the caller sets one.
inline constexpr std::size_t unlimited_json_values = static_cast<std::size_t>(-1);

// `text` as one JSON object. Throws for text that is not JSON, JSON that is not an object, nesting
// deeper than max_depth, a key given twice in one object, or more than max_values values (each
// object, array, string, number, boolean and null counts one; keys do not). The tree takes tens of
// bytes per value whatever the text spends on it ("0," is 2 bytes, its value 16 and more), so a
// file whose length is allowed can still ask for far more memory than its length: max_values
// stops the tree from growing past what the caller expects, before it is built.
Json parse_json_object(std::string_view text, const std::string& what,
                       int max_depth = default_max_json_depth,
                       std::size_t max_values = unlimited_json_values);

// A name or a string value from the file (a tensor's name, a key, a model_type) as every message
// quotes it: in quotes, escaped as JSON escapes it (a NUL as \u0000), cut after 80 bytes ("..."
// then), so that a text of any length makes a message of a sentence. Not called `quoted`: for a
// std::string argument, argument-dependent lookup would pick std::quoted.
std::string quoted_name(std::string_view text);

// "an object", "a string", "the number 1.5", ...: how an error names a value it did not expect.
std::string describe_json(const Json& value);

// The member `key` of `object`; throws "<what>: \"<key>\" is missing" when absent.
const Json& json_member(const Json& object, const std::string& key, const std::string& what);

// `value` as an integer in min .. max; throws naming `name` and the value for anything else (a
// string, a fraction, a number out of range). Integral floats such as 768.0 are accepted.
Index json_integer(const Json& value, const std::string& name, Index min, Index max);

// `value` as a finite number.
double json_number(const Json& value, const std::string& name);

// `value` as a boolean; `value` as a string.
bool json_boolean(const Json& value, const std::string& name);
const std::string& json_string(const Json& value, const std::string& name);

}  // namespace spotlight
