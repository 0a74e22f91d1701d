#include "api-model/json_fields.h"

#include <doctest/doctest.h>

#include "api-model/apps/app.h"

namespace wharf::api {
namespace {

using nlohmann::json;

TEST_CASE("FieldReader: a missing required field is named") {
  std::string name;
  Status s = FieldReader(json{{"guid", "g"}}, "app").Required("name", name).status();
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() == "app: field 'name' is missing");
}

TEST_CASE("FieldReader: null counts as missing for a required field, as unset for an optional one") {
  std::string name = "kept";
  CHECK(FieldReader(json{{"name", nullptr}}, "app").Required("name", name).status().message() ==
        "app: field 'name' is missing");
  std::optional<std::string> command = "kept";
  CHECK(FieldReader(json{{"command", nullptr}}, "process").Optional("command", command).status().ok());
  CHECK(command == "kept");
}

TEST_CASE("FieldReader: a mistyped field is named with the kind it must be, required or optional") {
  std::int64_t instances = 0;
  CHECK(FieldReader(json{{"instances", "2"}}, "process").Optional("instances", instances).status().message() ==
        "process: field 'instances' must be an integer");
  bool shared = true;
  CHECK(FieldReader(json{{"shared", 1}}, "domain").Required("shared", shared).status().message() ==
        "domain: field 'shared' must be true or false");
  std::vector<std::string> roles;
  CHECK(FieldReader(json{{"roles", {"api", 3}}}, "info").Optional("roles", roles).status().message() ==
        "info: field 'roles' must be a list of strings");
}

TEST_CASE("FieldReader: the first failure wins and later fields are not read") {
  std::string a, b = "untouched";
  Status s = FieldReader(json{{"b", "x"}}, "thing").Required("a", a).Required("b", b).status();
  CHECK(s.message() == "thing: field 'a' is missing");
  CHECK(b == "untouched");
}

TEST_CASE("FieldReader: a value that is not an object is refused") {
  std::string guid;
  CHECK(FieldReader(json::array(), "app").Required("guid", guid).status().message() == "app: must be an object");
}

TEST_CASE("FieldReader: nested structs and list items name the whole path") {
  json app = {{"guid", "g"}, {"name", "web"}, {"state", "STARTED"},
              {"processes", {{{"type", "web"}}, {{"instances", 1}}}}};
  Result<App> r = App::FromJson(app);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "app: field 'processes[1].type' is missing");

  app["processes"] = {{{"type", "web"}, {"instances", "many"}}};
  CHECK(App::FromJson(app).status().message() == "app: field 'processes[0].instances' must be an integer");

  app["processes"] = json::array();
  app["lifecycle"] = "detect";
  CHECK(App::FromJson(app).status().message() == "app: field 'lifecycle' must be an object");

  app["lifecycle"] = {{"stack", 12}};
  CHECK(App::FromJson(app).status().message() == "app: field 'lifecycle.stack' must be a string");

  app["lifecycle"] = json::object();
  app["processes"] = {"web"};
  CHECK(App::FromJson(app).status().message() == "app: field 'processes[0]' must be an object");
}

}  // namespace
}  // namespace wharf::api
