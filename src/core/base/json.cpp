#include "base/json.h"

#include <cmath>
#include <unordered_set>
#include <vector>

#include "base/errors.h"

namespace spotlight {

Json parse_json_object(std::string_view text, const std::string& what, int max_depth) {
  // The keys of every object still open, innermost last.
  std::vector<std::unordered_set<std::string>> open_objects;
  const Json::parser_callback_t check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        // depth is that of the enclosing value: the top level opens at 0.
        require(depth < max_depth, what, " nests deeper than ", max_depth, " levels");
        if (event == Event::object_start) open_objects.emplace_back();
        break;
      case Event::object_end:
        open_objects.pop_back();
        break;
      case Event::key:
        require(open_objects.back().insert(parsed.get<std::string>()).second, what,
                " gives the key \"", parsed.get<std::string>(), "\" twice in one object");
        break;
      default:
        break;
    }
    return true;
  };
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(), check);
  } catch (const Json::exception& error) {
    // nlohmann's message opens with its own tag, "[json.exception.parse_error.101] ".
    std::string message = error.what();
    const std::size_t tag_end = message.find("] ");
    if (tag_end != std::string::npos) message.erase(0, tag_end + 2);
    throw std::invalid_argument(concat(what, " is not valid JSON: ", message));
  }
  require(document.is_object(), what, " must be a JSON object, got ", describe_json(document));
  return document;
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
