// Quotas over HTTP: who may do what, the shapes of the answers, and a limit refused with 422.
#include <doctest/doctest.h>

#include "controller/api/api_test_support.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::CheckError;
using testing::HttpResult;
using testing::TestPlatform;

TEST_CASE("API: admins write org and space quotas, anyone signed in reads them") {
  TestPlatform p;
  const std::string dev = p.PlainUserToken();
  HttpResult list = p.Call("GET", "/v1/org_quotas", std::nullopt, dev);
  REQUIRE(list.status == 200);
  REQUIRE(list.json["resources"].size() == 1);
  const json def = list.json["resources"][0];
  CHECK(def["name"] == "default");
  CHECK(def["total_memory_in_mb"] == 102400);
  CHECK(def["instance_memory_in_mb"] == -1);
  CHECK(def["total_routes"] == 1000);
  CHECK(def["total_service_instances"] == 100);
  CHECK(def["orgs"] == json::array({"wharf"}));

  CheckError(p.Call("POST", "/v1/org_quotas", json{{"name", "small"}}, dev), 403, "permission_denied");
  CheckError(p.Call("POST", "/v1/org_quotas", json{{"name", "small"}, {"colour", "red"}}), 400, "invalid_argument");
  CheckError(p.Call("POST", "/v1/org_quotas", json{{"total_routes", 1}}), 400, "invalid_argument");
  CheckError(p.Call("POST", "/v1/org_quotas", json{{"name", "small"}, {"total_routes", -5}}), 400, "invalid_argument");
  HttpResult small = p.Call("POST", "/v1/org_quotas", json{{"name", "small"}, {"total_memory_in_mb", 1024}, {"total_routes", 1}});
  REQUIRE(small.status == 201);
  CHECK(small.json["total_app_instances"] == -1);  // omitted: unlimited
  const std::string guid = small.json["guid"];
  CheckError(p.Call("POST", "/v1/org_quotas", json{{"name", "small"}}), 409, "conflict");
  CHECK(p.Call("GET", "/v1/org_quotas/" + guid, std::nullopt, dev).json["name"] == "small");
  CheckError(p.Call("GET", "/v1/org_quotas/nope"), 404, "not_found");

  CheckError(p.Call("POST", "/v1/org_quotas/" + guid + "/organizations", json{{"name", "wharf"}}, dev), 403,
             "permission_denied");
  HttpResult set = p.Call("POST", "/v1/org_quotas/" + guid + "/organizations", json{{"name", "wharf"}});
  REQUIRE(set.status == 200);
  CHECK(set.json["orgs"] == json::array({"wharf"}));

  // One route allowed: the second is refused, for a developer as for an admin.
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "one"}, {"domain_guid", p.SharedDomainGuid()}}).status == 201);
  HttpResult over = p.Call("POST", "/v1/routes", json{{"host", "two"}, {"domain_guid", p.SharedDomainGuid()}});
  CheckError(over, 422, "unprocessable");
  CHECK(over.json["detail"] == "org quota 'small' allows 1 route in org 'wharf'; 1 is in use and this route would be one more");

  CheckError(p.Call("PATCH", "/v1/org_quotas/" + guid, json{{"total_routes", 2}}, dev), 403, "permission_denied");
  HttpResult patched = p.Call("PATCH", "/v1/org_quotas/" + guid, json{{"total_routes", 2}});
  REQUIRE(patched.status == 200);
  CHECK(patched.json["total_memory_in_mb"] == 1024);
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "two"}, {"domain_guid", p.SharedDomainGuid()}}).status == 201);

  CheckError(p.Call("DELETE", "/v1/org_quotas/" + guid), 409, "conflict");  // the org has it
  CheckError(p.Call("DELETE", "/v1/org_quotas/" + def["guid"].get<std::string>()), 409, "conflict");
  CheckError(p.Call("PATCH", "/v1/org_quotas/" + def["guid"].get<std::string>(), json{{"name", "other"}}), 409, "conflict");
  REQUIRE(p.Call("POST", "/v1/org_quotas/" + def["guid"].get<std::string>() + "/organizations", json{{"name", "wharf"}}).status == 200);
  CheckError(p.Call("DELETE", "/v1/org_quotas/" + guid, std::nullopt, dev), 403, "permission_denied");
  CHECK(p.Call("DELETE", "/v1/org_quotas/" + guid).status == 204);
}

TEST_CASE("API: a space quota belongs to an org, is assigned to its spaces and unassigned") {
  TestPlatform p;
  HttpResult created = p.Call("POST", "/v1/space_quotas", json{{"name", "tight"}, {"total_routes", 0}});
  REQUIRE(created.status == 201);
  CHECK(created.json["org_name"] == "wharf");
  CHECK(created.json["spaces"] == json::array());
  const std::string guid = created.json["guid"];
  CheckError(p.Call("POST", "/v1/space_quotas", json{{"name", "x"}, {"org", "nowhere"}}), 404, "not_found");
  CheckError(p.Call("PATCH", "/v1/space_quotas/" + guid, json{{"org", "wharf"}}), 400, "invalid_argument");
  CheckError(p.Call("POST", "/v1/space_quotas/" + guid + "/spaces", json{{"name", "nowhere"}}), 404, "not_found");
  HttpResult set = p.Call("POST", "/v1/space_quotas/" + guid + "/spaces", json{{"name", "default"}});
  REQUIRE(set.status == 200);
  CHECK(set.json["spaces"] == json::array({"default"}));
  HttpResult refused = p.Call("POST", "/v1/routes", json{{"host", "one"}, {"domain_guid", p.SharedDomainGuid()}});
  CheckError(refused, 422, "unprocessable");
  CHECK(refused.json["detail"].get<std::string>().rfind("space quota 'tight' allows 0 routes in space 'default'", 0) == 0);
  CHECK(p.Call("GET", "/v1/space_quotas?org=wharf", std::nullopt, p.PlainUserToken()).json["resources"].size() == 1);
  CheckError(p.Call("DELETE", "/v1/space_quotas/" + guid), 409, "conflict");
  CHECK(p.Call("DELETE", "/v1/space_quotas/" + guid + "/spaces/default").status == 204);
  CheckError(p.Call("DELETE", "/v1/space_quotas/" + guid + "/spaces/default"), 404, "not_found");
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "one"}, {"domain_guid", p.SharedDomainGuid()}}).status == 201);
  CHECK(p.Call("DELETE", "/v1/space_quotas/" + guid).status == 204);
}

}  // namespace
}  // namespace wharf::controller
