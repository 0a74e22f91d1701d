// The apps and processes endpoints through the real HTTP server.
#include <doctest/doctest.h>

#include "controller/api/api_test_support.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TestPlatform;

using testing::CheckError;

TEST_CASE("API: create, get, list and delete an app") {
  TestPlatform p;
  HttpResult created = p.Call("POST", "/v1/apps",
                              json{{"name", "web"},
                                   {"environment_variables", {{"GREETING", "hi"}}},
                                   {"lifecycle", {{"buildpacks", {"nodejs_buildpack"}}}}});
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const json& app = created.json;
  CHECK(app["name"] == "web");
  CHECK(app["state"] == "STOPPED");
  CHECK(app["current_droplet_guid"].is_null());
  CHECK(app["environment_variables"] == json{{"GREETING", "hi"}});
  CHECK(app["lifecycle"] == json{{"buildpacks", {"nodejs_buildpack"}}, {"stack", "host"}});
  CHECK(app["processes"] == json::array({{{"type", "web"}, {"instances", 1}, {"memory_in_mb", 1024}, {"disk_in_mb", 1024}}}));
  CHECK(app["routes"] == json::array());
  const std::string guid = app["guid"];

  HttpResult got = p.Call("GET", "/v1/apps/" + guid);
  CHECK(got.status == 200);
  CHECK(got.json == app);

  HttpResult list = p.Call("GET", "/v1/apps");
  CHECK(list.status == 200);
  CHECK(list.json["pagination"] == json{{"total_results", 1}, {"total_pages", 1}, {"page", 1}, {"per_page", 50}});
  CHECK(list.json["resources"][0]["guid"] == guid);

  HttpResult deleted = p.Call("DELETE", "/v1/apps/" + guid);
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  CheckError(p.Call("GET", "/v1/apps/" + guid), 404, "not_found");
  CHECK(p.Call("GET", "/v1/apps").json["resources"].empty());
}

TEST_CASE("API: app lists page, sort by name and filter by names") {
  TestPlatform p;
  for (const char* n : {"c", "a", "e", "b", "d"}) p.CreateApp(n);
  HttpResult page2 = p.Call("GET", "/v1/apps?page=2&per_page=2");
  REQUIRE(page2.status == 200);
  CHECK(page2.json["pagination"] == json{{"total_results", 5}, {"total_pages", 3}, {"page", 2}, {"per_page", 2}});
  REQUIRE(page2.json["resources"].size() == 2);
  CHECK(page2.json["resources"][0]["name"] == "c");
  CHECK(page2.json["resources"][1]["name"] == "d");
  HttpResult named = p.Call("GET", "/v1/apps?names=e,a");
  REQUIRE(named.json["resources"].size() == 2);
  CHECK(named.json["resources"][0]["name"] == "a");
  CheckError(p.Call("GET", "/v1/apps?per_page=0"), 400, "invalid_argument");
  CheckError(p.Call("GET", "/v1/apps?per_page=5001"), 400, "invalid_argument");
  CHECK(p.Call("GET", "/v1/apps?page=x").json["detail"].get<std::string>().find("'page'") != std::string::npos);
}

TEST_CASE("API: errors have one shape: 409 taken name, 400 malformed JSON, wrong type, unknown field") {
  TestPlatform p;
  p.CreateApp("web");
  HttpResult dup = p.Call("POST", "/v1/apps", json{{"name", "web"}});
  CheckError(dup, 409, "conflict");
  CHECK(dup.json["detail"] == "app name 'web' is already taken");

  HttpResult malformed = p.Send("POST", "/v1/apps", "application/json", "{\"name\": ");
  CheckError(malformed, 400, "invalid_argument");
  CHECK(malformed.json["detail"].get<std::string>().find("not valid JSON") != std::string::npos);

  HttpResult wrong = p.Call("POST", "/v1/apps", json{{"name", 42}});
  CheckError(wrong, 400, "invalid_argument");
  CHECK(wrong.json["detail"] == "field 'name' must be a string");

  HttpResult nested = p.Call("POST", "/v1/apps", json{{"name", "x"}, {"lifecycle", {{"buildpacks", "go"}}}});
  CHECK(nested.json["detail"] == "field 'lifecycle.buildpacks' must be a list of strings");

  HttpResult unknown = p.Call("POST", "/v1/apps", json{{"name", "x"}, {"instances", 2}});
  CheckError(unknown, 400, "invalid_argument");
  CHECK(unknown.json["detail"].get<std::string>().find("'instances'") != std::string::npos);

  HttpResult bad_name = p.Call("POST", "/v1/apps", json{{"name", "Web App"}});
  CheckError(bad_name, 400, "invalid_argument");

  CheckError(p.Call("GET", "/v1/nothing-here"), 404, "not_found");
  CheckError(p.Call("PUT", "/v1/apps"), 404, "not_found");
}

TEST_CASE("API: rename an app and change its lifecycle") {
  TestPlatform p;
  std::string guid = p.CreateApp("web")["guid"];
  HttpResult unknown = p.Call("PATCH", "/v1/apps/" + guid, json{{"lifecycle", {{"stack", "cflinuxfs4"}}}});
  CheckError(unknown, 400, "invalid_argument");
  CHECK(unknown.json["detail"] == "stack 'cflinuxfs4' is not installed; the stacks are: host");
  p.AddStack("cflinuxfs4");  // a stack built while wharfd runs is offered at once
  HttpResult r = p.Call("PATCH", "/v1/apps/" + guid, json{{"name", "site"}, {"lifecycle", {{"stack", "cflinuxfs4"}}}});
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.json["name"] == "site");
  CHECK(r.json["lifecycle"]["stack"] == "cflinuxfs4");
  p.CreateApp("taken");
  CheckError(p.Call("PATCH", "/v1/apps/" + guid, json{{"name", "taken"}}), 409, "conflict");
}

TEST_CASE("API: only an admin may choose the host stack while a built stack exists") {
  TestPlatform p;
  const std::string dev = p.PlainUserToken();
  const json on_host = {{"name", "peek"}, {"lifecycle", {{"stack", "host"}}}};
  // Without a built stack the host's is everyone's default.
  HttpResult only_host = p.Call("POST", "/v1/apps", on_host, dev);
  REQUIRE_MESSAGE(only_host.status == 201, only_host.body);
  CHECK(only_host.json["lifecycle"]["stack"] == "host");

  p.AddStack("debian13");
  HttpResult refused = p.Call("POST", "/v1/apps", json{{"name", "peek2"}, {"lifecycle", {{"stack", "host"}}}}, dev);
  CheckError(refused, 403, "permission_denied");
  CHECK(refused.json["detail"] ==
        "stack 'host' is the platform's own system: only an admin may choose it (the default stack is debian13)");
  const std::string guid = p.Call("POST", "/v1/apps", json{{"name", "web"}}, dev).json["guid"];
  CheckError(p.Call("PATCH", "/v1/apps/" + guid, json{{"lifecycle", {{"stack", "host"}}}}, dev), 403, "permission_denied");
  CHECK(p.Call("GET", "/v1/apps/" + guid, std::nullopt, dev).json["lifecycle"]["stack"] == "debian13");
  HttpResult admin = p.Call("PATCH", "/v1/apps/" + guid, json{{"lifecycle", {{"stack", "host"}}}});
  REQUIRE_MESSAGE(admin.status == 200, admin.body);
  CHECK(admin.json["lifecycle"]["stack"] == "host");
}

TEST_CASE("API: start without a droplet is 422 and the app stays stopped, and stop works") {
  TestPlatform p;
  std::string guid = p.CreateApp("web")["guid"];
  HttpResult r = p.Call("POST", "/v1/apps/" + guid + "/actions/start");
  CheckError(r, 422, "unprocessable");
  CHECK(r.json["detail"] == "app 'web' has no droplet; push or restage it");
  CHECK(p.Call("GET", "/v1/apps/" + guid).json["state"] == "STOPPED");
  CheckError(p.Call("POST", "/v1/apps/" + guid + "/actions/restart"), 422, "unprocessable");
  HttpResult stopped = p.Call("POST", "/v1/apps/" + guid + "/actions/stop");
  CHECK(stopped.status == 200);
  CHECK(stopped.json["state"] == "STOPPED");
  CheckError(p.Call("POST", "/v1/apps/" + guid + "/actions/restage"), 422, "unprocessable");
}

TEST_CASE("API: environment variables: patch sets and unsets, env shows VCAP_APPLICATION") {
  TestPlatform p;
  std::string guid = p.CreateApp("web")["guid"];
  HttpResult r = p.Call("PATCH", "/v1/apps/" + guid + "/environment_variables", json{{"A", "1"}, {"B", "2"}});
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.json == json{{"var", {{"A", "1"}, {"B", "2"}}}});
  r = p.Call("PATCH", "/v1/apps/" + guid + "/environment_variables", json{{"A", nullptr}});
  CHECK(r.json == json{{"var", {{"B", "2"}}}});
  CheckError(p.Call("PATCH", "/v1/apps/" + guid + "/environment_variables", json{{"A", 1}}), 400, "invalid_argument");
  CheckError(p.Call("PATCH", "/v1/apps/" + guid + "/environment_variables", json{{"VCAP_SERVICES", "x"}}), 400,
             "invalid_argument");
  HttpResult env = p.Call("GET", "/v1/apps/" + guid + "/env");
  REQUIRE(env.status == 200);
  CHECK(env.json["environment_variables"] == json{{"B", "2"}});
  CHECK(env.json["system_env_json"] == json{{"VCAP_SERVICES", json::object()}});
  const json& vcap = env.json["application_env_json"]["VCAP_APPLICATION"];
  CHECK(vcap["application_name"] == "web");
  CHECK(vcap["cf_api"] == "http://127.0.0.1:" + std::to_string(p.port()));
}

TEST_CASE("API: processes: list, get by type, put a worker, scale, patch, delete") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  HttpResult list = p.Call("GET", "/v1/apps/" + app + "/processes");
  REQUIRE(list.status == 200);
  REQUIRE(list.json["resources"].size() == 1);
  json web = list.json["resources"][0];
  CHECK(web["health_check"] == json{{"type", "port"}, {"endpoint", nullptr}, {"invocation_timeout", 1}, {"timeout", 60}});
  CHECK(p.Call("GET", "/v1/apps/" + app + "/processes/web").json["guid"] == web["guid"]);
  CheckError(p.Call("GET", "/v1/apps/" + app + "/processes/worker"), 404, "not_found");

  HttpResult worker = p.Call("PUT", "/v1/apps/" + app + "/processes/worker",
                             json{{"command", "./work"}, {"instances", 2}, {"health_check", {{"type", "process"}}}});
  REQUIRE_MESSAGE(worker.status == 200, worker.body);
  CHECK(worker.json["instances"] == 2);
  CHECK(worker.json["memory_in_mb"] == 1024);

  std::string web_guid = web["guid"];
  HttpResult scaled = p.Call("POST", "/v1/processes/" + web_guid + "/actions/scale", json{{"instances", 3}, {"memory_in_mb", 256}});
  REQUIRE_MESSAGE(scaled.status == 200, scaled.body);
  CHECK(scaled.json["instances"] == 3);
  CHECK(scaled.json["memory_in_mb"] == 256);
  CHECK(p.Call("GET", "/v1/apps/" + app).json["processes"][0]["instances"] == 3);
  CheckError(p.Call("POST", "/v1/processes/" + web_guid + "/actions/scale", json{{"instances", "3"}}), 400,
             "invalid_argument");

  HttpResult patched = p.Call("PATCH", "/v1/processes/" + web_guid,
                              json{{"command", "node server.js"}, {"health_check", {{"type", "http"}, {"endpoint", "/health"}}}});
  REQUIRE_MESSAGE(patched.status == 200, patched.body);
  CHECK(patched.json["command"] == "node server.js");
  CHECK(patched.json["health_check"]["endpoint"] == "/health");
  patched = p.Call("PATCH", "/v1/processes/" + web_guid, json{{"command", nullptr}});
  CHECK(patched.json["command"].is_null());
  CheckError(p.Call("PATCH", "/v1/processes/" + web_guid, json{{"health_check", {{"type", "tcp"}}}}), 400,
             "invalid_argument");

  CHECK(p.Call("GET", "/v1/processes/" + web_guid + "/instances").json == json{{"resources", json::array()}});
  CheckError(p.Call("DELETE", "/v1/processes/" + web_guid), 409, "conflict");
  CHECK(p.Call("DELETE", "/v1/processes/" + worker.json["guid"].get<std::string>()).status == 204);
}

TEST_CASE("API: events record what happened, newest first, filterable") {
  TestPlatform p;
  std::string guid = p.CreateApp("web")["guid"];
  p.Call("PATCH", "/v1/apps/" + guid + "/environment_variables", json{{"SECRET", "hunter2"}});
  HttpResult events = p.Call("GET", "/v1/events?target_guid=" + guid);
  REQUIRE(events.status == 200);
  REQUIRE(events.json["resources"].size() == 2);
  const json& newest = events.json["resources"][0];
  CHECK(newest["type"] == "app-env-updated");
  CHECK(newest["actor"] == "admin");
  CHECK(newest["target"] == json{{"type", "app"}, {"guid", guid}, {"name", "web"}});
  CHECK(newest["data"]["set"] == json::array({"SECRET"}));
  CHECK(events.body.find("hunter2") == std::string::npos);
  CHECK(events.json["resources"][1]["type"] == "app-created");
  HttpResult created = p.Call("GET", "/v1/events?type=app-created");
  CHECK(created.json["pagination"]["total_results"] == 1);
}

}  // namespace
}  // namespace wharf::controller
