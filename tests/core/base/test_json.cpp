#include <catch2/catch.hpp>

#include <chrono>
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

TEST_CASE("json: an error quotes at most 40 bytes of the text it read", "[json]") {
  // nlohmann quotes the whole token up to the error: here 100,000 bytes.
  const std::string message = parse_error("{\"a\": \"" + std::string(100000, 'x') + "\x01\"}");
  CHECK_THAT(message, Catch::Contains("control character U+0001 (SOH) must be escaped") &&
                          Catch::Contains("; last read: '\"" + std::string(39, 'x') + "...'"));
  CHECK(message.size() < 250);
  // Cut at a character, not inside one: "é" is 2 bytes.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  const std::string cut = parse_error("{\"a\": \"" + accents + "\x01\"}");
  CHECK_THAT(cut, Catch::EndsWith("\xC3\xA9...'"));
}

TEST_CASE("json: a NUL byte is refused, wherever it is (nlohmann would stop reading at it)",
          "[json]") {
  CHECK(parse_error(std::string("{\"a\": 1}\0 trailing", 17)) ==
        "config.json is not valid JSON: a NUL byte at byte 8");
  CHECK_THAT(parse_error(std::string("{\"a\0\": 1}", 10)), Catch::Contains("a NUL byte at byte 3"));
  CHECK(parse_error("{\"a\\u0000\": 1}") == "");  // escaped, it is an ordinary character
}

TEST_CASE("json: an object of 200,000 objects parses in time linear in its size", "[json]") {
  // nlohmann's parser callback rescans the enclosing container at the end of every object: with
  // it, this took minutes.
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\": {}";
  text += "}";
  const auto start = std::chrono::steady_clock::now();
  CHECK(parse_json_object(text, "header").size() == 200000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 20.0);  // well under 1 s in Release
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

TEST_CASE("json: more values than the caller allows are refused before the tree is built",
          "[json]") {
  // 1 object + 1 array + 3 numbers + 1 string = 6 values; keys do not count.
  const std::string text = R"({"a": [1, 2, 3], "b": "x"})";
  CHECK_NOTHROW(parse_json_object(text, "header", default_max_json_depth, 6));
  CHECK_THROWS_WITH(parse_json_object(text, "header", default_max_json_depth, 5),
                    "header holds more than 5 JSON values");
  // Two bytes a value in the text, far more in the tree: refused at the limit, not at the end.
  std::string zeros = "{\"a\": [0";
  for (int i = 0; i < 1000000; ++i) zeros += ",0";
  zeros += "]}";
  CHECK_THROWS_WITH(parse_json_object(zeros, "header", default_max_json_depth, 1000),
                    "header holds more than 1000 JSON values");
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
