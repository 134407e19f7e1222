#include "base/json.h"

#include <cmath>
#include <unordered_set>
#include <vector>

#include "base/errors.h"

namespace spotlight {

namespace {

// nlohmann's message without the tag it opens with ("[json.exception.parse_error.101] "), and with
// what it quotes of the text cut to its first 40 bytes: the whole token up to the error, a string
// of 100 MB or thousands of control characters spelled "<U+000D>" after "; last read: '", a
// number of any length after "number overflow parsing '" (a number past double's range).
std::string short_parse_message(const std::string& message) {
  const std::size_t tag_end = message.find("] ");
  std::string text = tag_end == std::string::npos ? message : message.substr(tag_end + 2);
  constexpr std::size_t longest = 40;
  for (const std::string_view opening : {"; last read: '", "number overflow parsing '"}) {
    const std::size_t quoted = text.find(opening);
    if (quoted == std::string::npos) continue;
    const std::size_t start = quoted + opening.size();
    if (text.size() <= start + longest + 1) break;
    std::size_t cut = start + longest;
    // Not inside a UTF-8 sequence: back to the byte that starts it.
    while (cut > start && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...'";
    break;
  }
  return text;
}

// Reads the text as nlohmann's parser sees it, building nothing, and throws at the first value
// past the limits: too deep, a key twice in one object, too many values, or not JSON at all.
// (nlohmann's parser callback could check the same while it builds, but its DOM parser then looks
// through the whole enclosing container each time an object ends, which makes an object of n
// objects take n^2 / 2 steps: minutes for 100,000.)
class LimitCheck final : public nlohmann::json_sax<Json> {
 public:
  LimitCheck(const std::string& what, int max_depth, std::size_t max_values)
      : what_(what), max_depth_(max_depth), max_values_(max_values) {}

  bool null() override { return count_value(); }
  bool boolean(bool) override { return count_value(); }
  bool number_integer(number_integer_t) override { return count_value(); }
  bool number_unsigned(number_unsigned_t) override { return count_value(); }
  bool number_float(number_float_t, const string_t&) override { return count_value(); }
  bool string(string_t&) override { return count_value(); }
  bool binary(binary_t&) override { return count_value(); }

  bool start_object(std::size_t) override {
    open_container();
    open_objects_.emplace_back();
    return true;
  }
  bool key(string_t& key) override {
    require(open_objects_.back().insert(key).second, what_, " gives the key ", quoted_name(key),
            " twice in one object");
    return true;
  }
  bool end_object() override {
    open_objects_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    open_container();
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    throw std::invalid_argument(
        concat(what_, " is not valid JSON: ", short_parse_message(error.what())));
  }

 private:
  bool count_value() {
    ++values_;
    require(values_ <= max_values_, what_, " holds more than ", max_values_, " JSON values");
    return true;
  }
  void open_container() {
    // depth_ counts the containers already open: the top level opens at 0.
    require(depth_ < max_depth_, what_, " nests deeper than ", max_depth_, " levels");
    ++depth_;
    count_value();
  }

  const std::string& what_;
  const int max_depth_;
  const std::size_t max_values_;
  int depth_ = 0;
  std::size_t values_ = 0;
  // The keys of every object still open, innermost last.
  std::vector<std::unordered_set<std::string>> open_objects_;
};

}  // namespace

Json parse_json_object(std::string_view text, const std::string& what, int max_depth,
                       std::size_t max_values) {
  // nlohmann's lexer reads a NUL byte as the end of the input, so "{} <NUL> anything" would pass
  // as "{}". JSON allows no NUL outside strings, and none unescaped inside them.
  const std::size_t nul = text.find('\0');
  require(nul == std::string_view::npos, what, " is not valid JSON: a NUL byte at byte ", nul);
  // White space around the value, skipped here in one quick pass: nlohmann's lexer would step
  // through it a character at a time, twice (a safetensors header may be padded with up to
  // 100 MB of spaces).
  const auto is_white_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!text.empty() && is_white_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_white_space(text.back())) text.remove_suffix(1);
  LimitCheck check(what, max_depth, max_values);
  Json::sax_parse(text.begin(), text.end(), &check);
  // Within the limits and valid: built in one pass, with nothing left to fail but memory.
  Json document = Json::parse(text.begin(), text.end());
  require(document.is_object(), what, " must be a JSON object, got ", describe_json(document));
  return document;
}

std::string quoted_name(std::string_view text) {
  constexpr std::size_t longest = 80;
  std::string shown = Json(std::string(text.substr(0, longest)))
                          .dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > longest) shown += "...";
  return shown;
}

std::string describe_json(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return concat("an array of ", value.size());
    case Json::value_t::string: {
      std::string text = value.get<std::string>();
      if (text.size() > 40) text = text.substr(0, 40) + "...";
      return concat("the string \"", text, "\"");
    }
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::null: return "null";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "the number " + value.dump();
    default: return "a value of another kind";
  }
}

const Json& json_member(const Json& object, const std::string& key, const std::string& what) {
  const auto found = object.find(key);
  require(found != object.end(), what, ": \"", key, "\" is missing");
  return *found;
}

Index json_integer(const Json& value, const std::string& name, Index min, Index max) {
  bool in_range = false;
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    in_range = number <= static_cast<std::uint64_t>(max) && static_cast<Index>(number) >= min;
  } else if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    in_range = number >= min && number <= max;
  } else if (value.is_number_float()) {
    const double number = value.get<double>();
    in_range = std::floor(number) == number && number >= static_cast<double>(min) &&
               number <= static_cast<double>(max);
  } else {
    require(false, name, " must be an integer, got ", describe_json(value));
  }
  require(in_range, name, " must be an integer from ", min, " to ", max, ", got ",
          value.dump());
  return value.is_number_float() ? static_cast<Index>(value.get<double>()) : value.get<Index>();
}

double json_number(const Json& value, const std::string& name) {
  require(value.is_number(), name, " must be a number, got ", describe_json(value));
  const double number = value.get<double>();
  require(std::isfinite(number), name, " must be finite, got ", value.dump());
  return number;
}

bool json_boolean(const Json& value, const std::string& name) {
  require(value.is_boolean(), name, " must be true or false, got ", describe_json(value));
  return value.get<bool>();
}

const std::string& json_string(const Json& value, const std::string& name) {
  require(value.is_string(), name, " must be a string, got ", describe_json(value));
  return value.get_ref<const std::string&>();
}

}  // namespace spotlight
