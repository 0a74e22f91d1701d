#include "controller/http/json_fields.h"

#include <doctest/doctest.h>

namespace wharf::controller {
namespace {

TEST_CASE("ParseJsonObject explains malformed JSON and refuses non-objects") {
  auto bad = ParseJsonObject("{\"name\": ");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("not valid JSON") != std::string::npos);
  CHECK(ParseJsonObject("[1]").status().message() == "the request body must be a JSON object");
  CHECK(ParseJsonObject("  ").status().message().find("empty") != std::string::npos);
  CHECK(ParseJsonObject("{\"a\": 1}").ok());
  // A number past a double's range is refused as bad input, not an internal error (found by the fuzzer).
  for (const char* body : {"8e642941166e6", "{\"name\": 1e999999}", "{\"a\": [-1e400]}"}) {
    auto overflow = ParseJsonObject(body);
    CHECK(overflow.status().code() == StatusCode::kInvalidArgument);
    CHECK(overflow.status().message().find("number overflow") != std::string::npos);
  }
}

TEST_CASE("ParseJsonObject refuses a field named twice in one object, at any depth") {
  auto top = ParseJsonObject(R"({"name": "a", "name": "b"})");
  CHECK(top.status().code() == StatusCode::kInvalidArgument);
  CHECK(top.status().message() == "the request body names field 'name' twice in one object");
  auto nested = ParseJsonObject(R"({"env": {"K": "1", "K": "2"}})");
  CHECK(nested.status().message().find("'K' twice") != std::string::npos);
  // The same name in sibling or nested objects is fine.
  auto fine = ParseJsonObject(R"({"a": {"x": 1}, "b": {"x": 2}, "x": [{"x": 1}, {"x": 2}]})");
  REQUIRE(fine.ok());
  CHECK((*fine)["b"]["x"] == 2);
}

TEST_CASE("JsonFields names the field of a wrong type with its path") {
  nlohmann::json body = {{"name", 5},
                         {"lifecycle", {{"buildpacks", {"a", 3}}}},
                         {"count", "x"},
                         {"env", {{"A", 1}}},
                         {"flag", "yes"}};
  JsonFields f(body);
  CHECK(f.RequiredString("name").status().message() == "field 'name' must be a string");
  CHECK(f.RequiredString("missing").status().message() == "field 'missing' is required");
  CHECK(f.Integer("count", 0, 10).status().message() == "field 'count' must be a whole number from 0 to 10");
  CHECK(f.StringMap("env").status().message() == "field 'env.A' must be a string");
  CHECK(f.Boolean("flag").status().message() == "field 'flag' must be true or false");
  JsonFields lifecycle(body["lifecycle"], "lifecycle");
  CHECK(lifecycle.StringList("buildpacks").status().message() == "field 'lifecycle.buildpacks[1]' must be a string");
  CHECK(f.OnlyKnown({"name", "lifecycle", "count", "env"}).message().find("'flag'") != std::string::npos);
}

TEST_CASE("JsonFields reads absent and null as missing, and tells null from absent where asked") {
  nlohmann::json body = {{"a", nullptr}, {"b", "x"}, {"n", 7}};
  JsonFields f(body);
  CHECK(!f.String("a")->has_value());
  CHECK(!f.String("zzz")->has_value());
  CHECK(**f.String("b") == "x");
  auto null_cmd = f.NullableString("a");
  REQUIRE(null_cmd->has_value());
  CHECK(!null_cmd->value().has_value());
  CHECK(!f.NullableString("zzz")->has_value());
  CHECK(**f.Integer("n", 0, 10) == 7);
  CHECK(f.Integer("n", 8, 10).status().message().find("got 7") != std::string::npos);
}

}  // namespace
}  // namespace wharf::controller
