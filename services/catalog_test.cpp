// Catalog checks as the Open Service Broker spec states them, with the field named.
#include "services/catalog.h"

#include <doctest/doctest.h>

namespace wharf::services {
namespace {

using nlohmann::json;

TEST_CASE("A valid catalog is read with its defaults") {
  auto c = ParseCatalog(json::parse(R"({"services": [{"id": "s1", "name": "redis", "description": "d",
    "bindable": true, "tags": ["cache"], "plans": [{"id": "p1", "name": "small", "description": "d",
    "maximum_polling_duration": 60}, {"id": "p2", "name": "big", "description": "d", "free": false,
    "bindable": false}]}]})"));
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  REQUIRE(c->size() == 1);
  CHECK((*c)[0].bindable);
  CHECK((*c)[0].tags == json{"cache"});
  CHECK((*c)[0].plans[0].free);
  CHECK((*c)[0].plans[0].maximum_polling_duration == 60);
  CHECK_FALSE((*c)[0].plans[0].bindable.has_value());
  CHECK((*c)[0].plans[1].bindable == false);
}

TEST_CASE("Missing fields, empty plans and repeated ids are refused naming the field") {
  auto message = [](const char* text) { return ParseCatalog(json::parse(text)).status().message(); };
  CHECK(message(R"({})") == "catalog: services must be an array");
  CHECK(message(R"({"services": [{"id": "s", "name": "n"}]})") == "catalog: services[0].description is missing");
  CHECK(message(R"({"services": [{"id": "s", "name": "n", "description": "d", "plans": []}]})") ==
        "catalog: services[0].plans must be a non-empty array");
  CHECK(message(R"({"services": [{"id": "s", "name": "n", "description": "d", "plans": [
        {"id": "p", "name": "a", "description": "d"}, {"id": "p", "name": "b", "description": "d"}]}]})") ==
        "catalog: services[0].plans[1].id 'p' is not unique");
  CHECK(message(R"({"services": [{"id": "s", "name": "n", "description": "d", "bindable": "yes",
        "plans": [{"id": "p", "name": "a", "description": "d"}]}]})") == "catalog: services[0].bindable must be true or false");
}

}  // namespace
}  // namespace wharf::services
