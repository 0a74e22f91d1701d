// Domains, routes and destinations through the real HTTP server.
#include <doctest/doctest.h>

#include "controller/api/api_test_support.h"
#include "controller/services/apps/route_service.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TestPlatform;

TEST_CASE("API: the --domain is a shared domain, and private domains are created and deleted") {
  TestPlatform p;
  HttpResult domains = p.Call("GET", "/v1/domains");
  REQUIRE(domains.status == 200);
  REQUIRE(domains.json["resources"].size() == 2);
  CHECK(domains.json["resources"][0]["name"] == "localhost");
  CHECK(domains.json["resources"][0]["shared"] == true);
  CHECK(domains.json["resources"][0]["internal"] == false);
  // Cloud Foundry's internal domain, for names inside containers (network policies).
  CHECK(domains.json["resources"][1]["name"] == "apps.internal");
  CHECK(domains.json["resources"][1]["internal"] == true);

  HttpResult created = p.Call("POST", "/v1/domains", json{{"name", "apps.example.org"}});
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(created.json["shared"] == false);
  CHECK(created.json["internal"] == false);
  CHECK(p.Call("POST", "/v1/domains", json{{"name", "apps.example.org"}}).status == 409);
  CHECK(p.Call("POST", "/v1/domains", json{{"name", "Bad_Domain"}}).status == 400);
  CHECK(p.Call("DELETE", "/v1/domains/" + created.json["guid"].get<std::string>()).status == 204);
  CHECK(p.Call("DELETE", "/v1/domains/nope").status == 404);
}

TEST_CASE("API: routes are created, mapped to an app, shown on the app, unmapped and deleted") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  std::string domain = p.SharedDomainGuid();
  HttpResult route = p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", domain}, {"path", "/api"}});
  REQUIRE_MESSAGE(route.status == 201, route.body);
  CHECK(route.json["url"] == "web.localhost/api");
  CHECK(route.json["domain"] == json{{"guid", domain}, {"name", "localhost"}});
  CHECK(route.json["destinations"] == json::array());
  std::string guid = route.json["guid"];
  HttpResult taken = p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", domain}, {"path", "/api"}});
  CHECK(taken.status == 409);
  CHECK(taken.json["detail"] == "route 'web.localhost/api' already exists");
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", "nope"}}).status == 404);
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", domain}, {"path", "/../x"}}).status == 400);
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "Web"}, {"domain_guid", domain}}).status == 400);

  HttpResult mapped = p.Call("POST", "/v1/routes/" + guid + "/destinations", json{{"app_guid", app}});
  REQUIRE_MESSAGE(mapped.status == 200, mapped.body);
  CHECK(mapped.json["destinations"] ==
        json::array({{{"app_guid", app}, {"app_name", "web"}, {"process_type", "web"}}}));
  CHECK(p.Call("GET", "/v1/apps/" + app).json["routes"] == json::array({"web.localhost/api"}));
  CHECK(p.Call("GET", "/v1/apps/" + app + "/routes").json["resources"][0]["guid"] == guid);
  CHECK(p.Call("GET", "/v1/routes?app_guid=" + app).json["pagination"]["total_results"] == 1);
  CHECK(p.Call("GET", "/v1/routes?host=other").json["pagination"]["total_results"] == 0);
  CHECK(p.Call("POST", "/v1/routes/" + guid + "/destinations", json{{"app_guid", "nope"}}).status == 404);

  CHECK(p.Call("DELETE", "/v1/domains/" + domain).status == 409);

  HttpResult unmapped = p.Call("DELETE", "/v1/routes/" + guid + "/destinations/" + app);
  REQUIRE(unmapped.status == 200);
  CHECK(unmapped.json["destinations"] == json::array());
  CHECK(p.Call("DELETE", "/v1/routes/" + guid + "/destinations/" + app).status == 404);
  CHECK(p.Call("GET", "/v1/apps/" + app).json["routes"] == json::array());
  CHECK(p.Call("DELETE", "/v1/routes/" + guid).status == 204);
  CHECK(p.Call("GET", "/v1/routes/" + guid).status == 404);
}

TEST_CASE("API: the loadbalancing route option is set at creation, changed, removed, and checked") {
  TestPlatform p;
  std::string domain = p.SharedDomainGuid();
  HttpResult plain = p.Call("POST", "/v1/routes", json{{"host", "rr"}, {"domain_guid", domain}});
  REQUIRE_MESSAGE(plain.status == 201, plain.body);
  CHECK(plain.json["options"] == json{{"loadbalancing", "round-robin"}});
  HttpResult lc = p.Call("POST", "/v1/routes",
                         json{{"host", "lc"}, {"domain_guid", domain}, {"options", {{"loadbalancing", "least-connection"}}}});
  REQUIRE_MESSAGE(lc.status == 201, lc.body);
  CHECK(lc.json["options"]["loadbalancing"] == "least-connection");
  std::string guid = lc.json["guid"];

  HttpResult bad = p.Call("POST", "/v1/routes",
                          json{{"host", "x"}, {"domain_guid", domain}, {"options", {{"loadbalancing", "random"}}}});
  CHECK(bad.status == 400);
  CHECK(bad.json["detail"].get<std::string>().find("loadbalancing: 'random'") != std::string::npos);
  HttpResult unknown = p.Call("PATCH", "/v1/routes/" + guid, json{{"options", {{"sticky", "yes"}}}});
  CHECK(unknown.status == 400);
  CHECK(unknown.json["detail"].get<std::string>().find("options.sticky") != std::string::npos);

  HttpResult changed = p.Call("PATCH", "/v1/routes/" + plain.json["guid"].get<std::string>(),
                              json{{"options", {{"loadbalancing", "least-connection"}}}});
  REQUIRE_MESSAGE(changed.status == 200, changed.body);
  CHECK(changed.json["options"]["loadbalancing"] == "least-connection");
  HttpResult removed = p.Call("PATCH", "/v1/routes/" + guid, json{{"options", {{"loadbalancing", nullptr}}}});
  REQUIRE_MESSAGE(removed.status == 200, removed.body);
  CHECK(removed.json["options"]["loadbalancing"] == "round-robin");
  CHECK(p.Call("GET", "/v1/routes/" + guid).json["options"]["loadbalancing"] == "round-robin");
  CHECK(p.Call("PATCH", "/v1/routes/nope", json{{"options", {{"loadbalancing", "round-robin"}}}}).status == 404);
}

TEST_CASE("API: deleting an app with recursive=true deletes the routes only it used") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  std::string other = p.CreateApp("other")["guid"];
  std::string domain = p.SharedDomainGuid();
  std::string mine = p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", domain}}).json["guid"];
  std::string shared = p.Call("POST", "/v1/routes", json{{"host", "both"}, {"domain_guid", domain}}).json["guid"];
  p.Call("POST", "/v1/routes/" + mine + "/destinations", json{{"app_guid", app}});
  p.Call("POST", "/v1/routes/" + shared + "/destinations", json{{"app_guid", app}});
  p.Call("POST", "/v1/routes/" + shared + "/destinations", json{{"app_guid", other}});
  CHECK(p.Call("DELETE", "/v1/apps/" + app + "?recursive=yes").status == 400);
  REQUIRE(p.Call("DELETE", "/v1/apps/" + app + "?recursive=true").status == 204);
  CHECK(p.Call("GET", "/v1/routes/" + mine).status == 404);
  HttpResult kept = p.Call("GET", "/v1/routes/" + shared);
  REQUIRE(kept.status == 200);
  CHECK(kept.json["destinations"].size() == 1);
}

TEST_CASE("API: routes on apps.internal take no path and are bounded in number (each is a line of every container's hosts file)") {
  TestPlatform p;
  std::string internal;
  const HttpResult domains = p.Call("GET", "/v1/domains");
  for (const json& d : domains.json["resources"]) {
    if (d["internal"] == true) internal = d["guid"];
  }
  REQUIRE_FALSE(internal.empty());
  HttpResult path = p.Call("POST", "/v1/routes", json{{"host", "svc"}, {"domain_guid", internal}, {"path", "/v1"}});
  CHECK(path.status == 400);
  CHECK(path.json["detail"].get<std::string>().find("takes no path") != std::string::npos);
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "svc"}, {"domain_guid", internal}}).status == 201);
  // The rest of the allowance in one transaction (one route per request would take a while).
  Status filled = p.daemon().database().Transact([&](state::Tx& tx) -> Status {
    auto space = tx.Query("SELECT space_guid FROM routes WHERE host = 'svc'");
    if (!space.ok()) return space.status();
    WHARF_ASSIGN_OR_RETURN(bool row, space->Step());
    if (!row) return Status::Internal("no route");
    const std::string space_guid = space->Text(0);
    for (int i = 1; i < kMaxInternalRoutes; ++i) {
      WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO routes (guid, space_guid, domain_guid, host, path, created_at) "
                                   "VALUES (?, ?, ?, ?, '', 't')",
                                   "r" + std::to_string(i), space_guid, internal, "n" + std::to_string(i)));
    }
    return Status::Ok();
  });
  REQUIRE_MESSAGE(filled.ok(), filled.ToString());
  // 1000 routes fill the default org quota too (Cloud Foundry's 1000 routes): lift it.
  const std::string default_quota = p.Call("GET", "/v1/org_quotas").json["resources"][0]["guid"];
  REQUIRE(p.Call("PATCH", "/v1/org_quotas/" + default_quota, json{{"total_routes", -1}}).status == 200);
  HttpResult over = p.Call("POST", "/v1/routes", json{{"host", "one-more"}, {"domain_guid", internal}});
  CHECK(over.status == 413);
  CHECK(over.json["detail"].get<std::string>().find("1000 routes on internal domains") != std::string::npos);
  // Routes on other domains are not counted.
  CHECK(p.Call("POST", "/v1/routes", json{{"host", "one-more"}, {"domain_guid", p.SharedDomainGuid()}}).status == 201);
}

}  // namespace
}  // namespace wharf::controller
