// The admin-ordered buildpack list through the real HTTP server.
#include <doctest/doctest.h>

#include "common/ids.h"
#include "controller/api/api_test_support.h"
#include "controller/platform/auth.h"
#include "state/sql/db.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TarOf;
using testing::TestPlatform;

std::vector<std::string> Names(const TestPlatform& p) {
  HttpResult list = p.Call("GET", "/v1/buildpacks?per_page=100");
  REQUIRE(list.status == 200);
  std::vector<std::string> out;
  for (const json& b : list.json["resources"]) out.push_back(b["name"].get<std::string>());
  return out;
}

TEST_CASE("API: the built-in buildpacks are listed in Cloud Foundry's order, once") {
  TestPlatform p;
  std::vector<std::string> builtins = {"staticfile_buildpack", "java_buildpack", "ruby_buildpack",
                                       "nodejs_buildpack",     "go_buildpack",   "python_buildpack",
                                       "php_buildpack",        "nginx_buildpack", "httpd_buildpack",
                                       "binary_buildpack"};
  CHECK(Names(p) == builtins);
  HttpResult list = p.Call("GET", "/v1/buildpacks");
  CHECK(list.json["pagination"]["total_results"] == 10);
  const json& first = list.json["resources"][0];
  CHECK(first["position"] == 1);
  CHECK(first["builtin"] == true);
  CHECK(first["filename"] == "staticfile");
  CHECK(first["state"] == "READY");
  // Deleted built-ins are not brought back by a restart.
  REQUIRE(p.Call("DELETE", "/v1/buildpacks/" + first["guid"].get<std::string>()).status == 204);
  p.Stop();
  p.Start();
  builtins.erase(builtins.begin());
  CHECK(Names(p) == builtins);
}

TEST_CASE("API: create at a position, move, disable, upload and delete a buildpack") {
  TestPlatform p;
  HttpResult created = p.Call("POST", "/v1/buildpacks", json{{"name", "hello_buildpack"}, {"position", 2}});
  REQUIRE(created.status == 201);
  const std::string guid = created.json["guid"];
  CHECK(created.json["position"] == 2);
  CHECK(created.json["state"] == "AWAITING_UPLOAD");
  CHECK(Names(p)[1] == "hello_buildpack");
  CHECK(Names(p)[2] == "java_buildpack");

  HttpResult moved = p.Call("PATCH", "/v1/buildpacks/" + guid, json{{"position", 1}, {"enabled", false}});
  REQUIRE(moved.status == 200);
  CHECK(moved.json["position"] == 1);
  CHECK(moved.json["enabled"] == false);
  CHECK(Names(p)[0] == "hello_buildpack");

  std::string tar = TarOf({{"bin/detect", "#!/bin/sh\n"}, {"bin/compile", "#!/bin/sh\n"}});
  HttpResult up = p.Send("PUT", "/v1/buildpacks/" + guid + "/upload?filename=hello.tar", "application/x-tar", tar);
  REQUIRE_MESSAGE(up.status == 200, up.body);
  CHECK(up.json["filename"] == "hello.tar");
  CHECK(up.json["state"] == "READY");
  CHECK(p.Call("GET", "/v1/buildpacks/" + guid).json["sha256"] == up.json["sha256"]);

  HttpResult junk = p.Send("PUT", "/v1/buildpacks/" + guid + "/upload", "application/octet-stream", "not a zip");
  CHECK(junk.status == 400);

  HttpResult events = p.Call("GET", "/v1/events?target_guid=" + guid);
  std::vector<std::string> types;
  for (const json& e : events.json["resources"]) types.push_back(e["type"]);
  CHECK(std::count(types.begin(), types.end(), "buildpack-created") == 1);
  CHECK(std::count(types.begin(), types.end(), "buildpack-updated") == 1);
  CHECK(std::count(types.begin(), types.end(), "buildpack-uploaded") == 1);

  REQUIRE(p.Call("DELETE", "/v1/buildpacks/" + guid).status == 204);
  CHECK(p.Call("GET", "/v1/buildpacks/" + guid).status == 404);
  CHECK(Names(p).size() == 10);
  CHECK(Names(p)[0] == "staticfile_buildpack");
}

TEST_CASE("API: buildpack requests are validated and changes need the admin role") {
  TestPlatform p;
  HttpResult bad = p.Call("POST", "/v1/buildpacks", json{{"name", "a b"}});
  CHECK(bad.status == 400);
  CHECK(bad.json["detail"].get<std::string>().find("field 'name'") != std::string::npos);
  CHECK(p.Call("POST", "/v1/buildpacks", json{{"name", "x"}, {"position", 0}}).status == 400);
  CHECK(p.Call("POST", "/v1/buildpacks", json{{"name", "x"}, {"colour", "red"}}).status == 400);
  CHECK(p.Call("POST", "/v1/buildpacks", json{{"name", "go_buildpack"}}).status == 409);

  std::string dev = p.PlainUserToken();
  CHECK(p.Call("GET", "/v1/buildpacks", std::nullopt, dev).status == 200);
  HttpResult refused = p.Call("POST", "/v1/buildpacks", json{{"name", "mine"}}, dev);
  CHECK(refused.status == 403);
  const std::string guid = p.Call("GET", "/v1/buildpacks").json["resources"][0]["guid"];
  CHECK(p.Call("PATCH", "/v1/buildpacks/" + guid, json{{"enabled", false}}, dev).status == 403);
  CHECK(p.Call("DELETE", "/v1/buildpacks/" + guid, std::nullopt, dev).status == 403);
}

}  // namespace
}  // namespace wharf::controller
