#include <catch2/catch.hpp>

#include <string>

#include "base/json.h"

using namespace spotlight;

namespace {

// The message of the std::invalid_argument that `parse` throws, or "" when it throws nothing.
std::string parse_error(const std::string& text, int max_depth = default_max_json_depth) {
  try {
    parse_json_object(text, "config.json", max_depth);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("json: an object parses, with its members typed", "[json]") {
  const Json config = parse_json_object(R"({"n_embd": 768, "eps": 1e-5, "name": "gpt2",
                                            "tied": true, "n_inner": null, "x": 64.0})",
                                        "config.json");
  CHECK(json_integer(json_member(config, "n_embd", "config.json"), "n_embd", 1, 4096) == 768);
  CHECK(json_integer(config["x"], "x", 1, 100) == 64);
  CHECK(json_number(config["eps"], "eps") == Approx(1e-5));
  CHECK(json_string(config["name"], "name") == "gpt2");
  CHECK(json_boolean(config["tied"], "tied"));
}

TEST_CASE("json: what is not one object is refused with the reason", "[json]") {
  CHECK_THAT(parse_error("{\"a\": 1"), Catch::Contains("config.json is not valid JSON"));
  CHECK_THAT(parse_error("[1, 2]"), Catch::Contains("must be a JSON object, got an array of 2"));
  CHECK_THAT(parse_error("\"text\""), Catch::Contains("got the string \"text\""));
  CHECK_THAT(parse_error("{} {}"), Catch::Contains("is not valid JSON"));
  CHECK_THAT(parse_error(""), Catch::Contains("is not valid JSON"));
  CHECK_THAT(parse_error("{\"a\": \"\xff\"}"), Catch::Contains("is not valid JSON"));
  CHECK_THAT(parse_error("{\"a\": NaN}"), Catch::Contains("is not valid JSON"));
  CHECK(parse_error("{\"a\": 1}   \n") == "");
}

TEST_CASE("json: a key given twice in one object is refused, in another object it is not",
          "[json]") {
  CHECK_THAT(parse_error(R"({"n_embd": 768, "n_embd": 64})"),
             Catch::Contains("gives the key \"n_embd\" twice"));
  CHECK_THAT(parse_error(R"({"a": {"b": 1, "b": 2}})"), Catch::Contains("\"b\" twice"));
  CHECK(parse_error(R"({"a": {"b": 1}, "c": {"b": 2}, "b": [{"b": 1}, {"b": 2}]})") == "");
}

TEST_CASE("json: nesting past the limit is refused before it is built", "[json]") {
  const auto nested = [](int depth) {
    return "{\"a\": " + std::string(static_cast<std::size_t>(depth - 1), '[') + "1" +
           std::string(static_cast<std::size_t>(depth - 1), ']') + "}";
  };
  CHECK(parse_error(nested(8), 8) == "");
  CHECK_THAT(parse_error(nested(9), 8), Catch::Contains("nests deeper than 8 levels"));
  // Far deeper than any stack could recurse through.
  CHECK_THAT(parse_error(nested(1000000)), Catch::Contains("nests deeper than 32 levels"));
}

TEST_CASE("json: a member of the wrong kind names the member and the value", "[json]") {
  const Json config = parse_json_object(
      R"({"a": "768", "b": 1.5, "c": -3, "d": 1e300, "e": null, "f": 1})", "config.json");
  const auto message = [&](auto read) -> std::string {
    try {
      read();
    } catch (const std::invalid_argument& error) {
      return error.what();
    }
    return "";
  };
  CHECK(message([&] { json_integer(config["a"], "n_embd", 1, 10); }) ==
        "n_embd must be an integer, got the string \"768\"");
  CHECK(message([&] { json_integer(config["b"], "n_embd", 1, 10); }) ==
        "n_embd must be an integer from 1 to 10, got 1.5");
  CHECK(message([&] { json_integer(config["c"], "n_embd", 1, 10); }) ==
        "n_embd must be an integer from 1 to 10, got -3");
  CHECK_THAT(message([&] { json_integer(config["d"], "n_embd", 1, 10); }),
             Catch::Contains("from 1 to 10, got 1e+300"));
  CHECK(message([&] { json_boolean(config["f"], "tied"); }) ==
        "tied must be true or false, got the number 1");
  CHECK(message([&] { json_string(config["e"], "name"); }) == "name must be a string, got null");
  CHECK(message([&] { json_member(config, "g", "config.json"); }) ==
        "config.json: \"g\" is missing");
}
