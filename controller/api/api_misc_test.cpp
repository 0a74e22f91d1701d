// Auth, info, the port, restarts, logs and admin through the real HTTP server.
#include <doctest/doctest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <sys/stat.h>

#include "common/file_io.h"
#include "common/sha256.h"
#include "controller/api/api_test_support.h"
#include "controller/platform/auth.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TarOf;
using testing::TestPlatform;

TEST_CASE("API: /v1/info answers without a token and names the platform") {
  TestPlatform p;
  HttpResult info = p.Call("GET", "/v1/info", std::nullopt, "");
  REQUIRE(info.status == 200);
  CHECK(info.json["name"] == "wharf");
  CHECK(info.json["api_version"] == "v1");
  CHECK(info.json["domain"] == "localhost");
  CHECK(info.json["router_url"] == "http://localhost:8080");
  CHECK(info.json["admin_token_file"] == (p.data_dir() / "data" / "admin-token").string());
  CHECK(info.json["roles"] == json::array({"api", "stager", "cell", "router"}));
  CHECK(info.headers.count("Date") == 1);
  CHECK(info.json["runtime"].is_null());  // no data plane in this test: no container runtime

  p.daemon().instances().SetRuntime({"process", false, {"instances are not isolated"}});
  HttpResult again = p.Call("GET", "/v1/info", std::nullopt, "");
  CHECK(again.json["runtime"] ==
        json{{"name", "process"}, {"isolated", false}, {"warnings", json::array({"instances are not isolated"})}});
}

TEST_CASE("API: /v1/stacks lists the built stacks, then the host's, and new apps get the first built one") {
  TestPlatform p;
  HttpResult none = p.Call("GET", "/v1/stacks");
  REQUIRE(none.status == 200);
  REQUIRE(none.json["resources"].size() == 1);
  CHECK(none.json["resources"][0]["name"] == "host");
  CHECK(none.json["resources"][0]["default"] == true);
  CHECK(p.CreateApp("before")["lifecycle"]["stack"] == "host");

  p.AddStack("debian13", {{"description", "Debian GNU/Linux 13 (trixie), from Debian packages"},
                          {"built_at", "2026-12-07T05:17:10Z"},
                          {"size_bytes", 1624406131},
                          {"versions", {{"go", "1.24.4"}, {"ruby", "3.3.8"}}}});
  HttpResult two = p.Call("GET", "/v1/stacks");
  REQUIRE(two.json["resources"].size() == 2);
  const json& d = two.json["resources"][0];
  CHECK(d["name"] == "debian13");
  CHECK(d["default"] == true);
  CHECK(d["size_bytes"] == 1624406131);
  CHECK(d["versions"] == json{{"go", "1.24.4"}, {"ruby", "3.3.8"}});
  CHECK(two.json["resources"][1]["default"] == false);
  CHECK(p.CreateApp("after")["lifecycle"]["stack"] == "debian13");
  CHECK(p.Call("GET", "/v1/stacks", std::nullopt, "").status == 401);

  HttpResult refused = p.Call("POST", "/v1/apps", json{{"name", "x"}, {"lifecycle", {{"stack", "cflinuxfs4"}}}});
  CHECK(refused.status == 400);
  CHECK(refused.json["detail"] == "stack 'cflinuxfs4' is not installed; the stacks are: debian13, host");
  HttpResult host = p.Call("POST", "/v1/apps", json{{"name", "y"}, {"lifecycle", {{"stack", "host"}}}});
  CHECK(host.status == 201);
}

TEST_CASE("API: every other endpoint is 401 without a token or with a bad one") {
  TestPlatform p;
  for (const char* path : {"/v1/apps", "/v1/routes", "/v1/domains", "/v1/events", "/v1/whoami"}) {
    CAPTURE(path);
    HttpResult none = p.Call("GET", path, std::nullopt, "");
    CHECK(none.status == 401);
    CHECK(none.json["code"] == "unauthenticated");
    CHECK(none.json["title"] == "Unauthorized");
    CHECK(none.headers["WWW-Authenticate"].rfind("Bearer", 0) == 0);
    HttpResult bad = p.Call("GET", path, std::nullopt, "wharf_not-a-real-token");
    CHECK(bad.status == 401);
    CHECK(bad.body.find("not-a-real-token") == std::string::npos);
  }
  // Even an unknown endpoint under a real path needs no token to say 404; a POST with a body is refused too.
  CHECK(p.Call("POST", "/v1/apps", json{{"name", "x"}}, "").status == 401);
  HttpResult who = p.Call("GET", "/v1/whoami");
  REQUIRE(who.status == 200);
  CHECK(who.json["user"]["name"] == "admin");
  CHECK(who.json["roles"] == json::array({"admin"}));
}

TEST_CASE("API: the data folder is private, the token file is 0600 and the port file names the port") {
  TestPlatform p;
  struct stat st {};
  REQUIRE(::stat((p.data_dir() / "data").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat((p.data_dir() / "data" / "admin-token").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(p.token().rfind("wharf_", 0) == 0);
  CHECK(*ReadFile(p.data_dir() / "data" / "api-port") == std::to_string(p.port()) + "\n");
}

TEST_CASE("API: a second wharfd on the same port fails loudly instead of sharing it") {
  TestPlatform p;
  testing::TempDir other;
  Config config;
  config.data_dir = other.path() / "data";
  config.api_port = p.port();
  SystemClock clock;
  auto second = Daemon::Start(config, clock);
  REQUIRE(!second.ok());
  CHECK(second.status().message().find("api port " + std::to_string(p.port()) + " is in use") == 0);
  CHECK(p.Call("GET", "/v1/info", std::nullopt, "").status == 200);
}

TEST_CASE("API: a second wharfd on the same data folder is refused") {
  TestPlatform p;
  Config config;
  config.data_dir = p.data_dir() / "data";
  config.api_port = 0;
  SystemClock clock;
  auto second = Daemon::Start(config, clock);
  REQUIRE(!second.ok());
  CHECK(second.status().message().find("another wharfd") != std::string::npos);
}

TEST_CASE("API: a restart keeps apps, packages, routes and the token") {
  TestPlatform p;
  std::string token = p.token();
  std::string app = p.CreateApp("keep")["guid"];
  p.Send("POST", "/v1/resources", "application/x-tar", TarOf({{Sha256Hex("x"), "x"}}));
  json file = {{"path", "a"}, {"sha256", Sha256Hex("x")}, {"size", 1}};
  std::string pkg = p.Call("POST", "/v1/apps/" + app + "/packages", json{{"files", {file}}}).json["guid"];
  std::string route =
      p.Call("POST", "/v1/routes", json{{"host", "keep"}, {"domain_guid", p.SharedDomainGuid()}}).json["guid"];
  p.Call("POST", "/v1/routes/" + route + "/destinations", json{{"app_guid", app}});
  p.Stop();
  p.Start();
  CHECK(p.token() == token);
  HttpResult got = p.Call("GET", "/v1/apps/" + app);
  REQUIRE(got.status == 200);
  CHECK(got.json["routes"] == json::array({"keep.localhost"}));
  CHECK(p.Call("GET", "/v1/packages/" + pkg + "/download").status == 200);
  CHECK(p.Call("GET", "/v1/domains").json["resources"].size() == 2);  // localhost and apps.internal, once each
}

TEST_CASE("API: with --api-port 0 a restart comes back on the same port when it is free") {
  TestPlatform p;
  std::uint16_t first = p.port();
  p.Stop();
  p.Start();
  CHECK(p.port() == first);
}

TEST_CASE("API: recent logs hold the platform's [API/0] lines, oldest first") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  p.Call("POST", "/v1/apps/" + app + "/actions/stop");
  p.Call("PATCH", "/v1/apps/" + app + "/environment_variables", json{{"A", "secret"}});
  HttpResult logs = p.Call("GET", "/v1/apps/" + app + "/logs?recent=true");
  REQUIRE_MESSAGE(logs.status == 200, logs.body);
  const json& lines = logs.json["lines"];
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["source"] == "API/0");
  CHECK(lines[0]["stream"] == "OUT");
  CHECK(lines[0]["message"] == "Created app with guid " + app);
  CHECK(lines[1]["message"].get<std::string>().find("[PRIVATE DATA HIDDEN]") != std::string::npos);
  CHECK(logs.body.find("secret") == std::string::npos);
  CHECK(p.Call("GET", "/v1/apps/" + app + "/logs?recent=true&limit=1").json["lines"].size() == 1);
  CHECK(p.Call("GET", "/v1/apps/" + app + "/logs?limit=0").status == 400);
  CHECK(p.Call("GET", "/v1/apps/nope/logs?recent=true").status == 404);
  auto file = ReadFile(p.data_dir() / "data" / "logs" / "apps" / (app + ".log"));
  REQUIRE(file.ok());
  CHECK(file->find("[API/0] OUT Created app with guid " + app) != std::string::npos);
}

TEST_CASE("API: the log stream stays open, sends new lines as they happen and newlines while idle") {
  DaemonOptions options;
  options.log_stream_keepalive = std::chrono::milliseconds(50);
  TestPlatform p(options);
  std::string app = p.CreateApp("web")["guid"];

  Poco::Net::HTTPClientSession session("127.0.0.1", p.port());
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req("GET", "/v1/apps/" + app + "/logs/stream", Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer " + p.token());
  session.sendRequest(req);
  Poco::Net::HTTPResponse res;
  std::istream& in = session.receiveResponse(res);
  REQUIRE(res.getStatus() == 200);
  CHECK(res.getContentType() == "application/x-ndjson");
  CHECK(res.getChunkedTransferEncoding());

  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line.empty());  // idle: a keep-alive newline (the app's older lines are not replayed)

  p.Call("POST", "/v1/apps/" + app + "/actions/stop");
  p.Call("PATCH", "/v1/apps/" + app, json{{"name", "renamed"}});
  std::string got;
  while (got.empty() && std::getline(in, line)) got = line;
  json first = json::parse(got);
  CHECK(first["source"] == "API/0");
  CHECK(first["message"].get<std::string>().find("Updated app with guid " + app) == 0);
  CHECK(first["message"].get<std::string>().find("renamed") != std::string::npos);
  // The stream ends when the daemon stops; stopping does not hang on it.
  p.Stop();
}

TEST_CASE("API: admin gc reports what it removed") {
  TestPlatform p;
  HttpResult gc = p.Call("POST", "/v1/admin/gc");
  REQUIRE_MESSAGE(gc.status == 200, gc.body);
  CHECK(gc.json == json{{"removed_droplets", 0}, {"removed_packages", 0}, {"removed_blobs", 0}, {"freed_bytes", 0}});
}

TEST_CASE("API: service broker updates and credential rotations: refusals, deleting an app unbinds it") {
  TestPlatform p;
  CHECK(p.Call("POST", "/v1/service_bindings/nope/actions/rotate", json::object()).status == 404);
  HttpResult missing = p.Call("GET", "/v1/service_rotations/nope");
  CHECK(missing.status == 404);
  CHECK(missing.json["detail"] == "credential rotation 'nope' not found");
  CHECK(p.Call("PATCH", "/v1/service_brokers/nope", json{{"url", "http://127.0.0.1:1"}}).status == 404);
  HttpResult typo = p.Call("PATCH", "/v1/service_brokers/nope", json{{"colour", "red"}});
  CHECK(typo.status == 400);
  CHECK(typo.json["detail"].get<std::string>().find("colour") != std::string::npos);
  SystemClock clock;
  auto dev = p.daemon().database().Transact<std::string>([&](state::Tx& tx) -> Result<std::string> {
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO users (guid, name, created_at) VALUES (?, 'dev', 't')", "u-dev"));
    return IssueToken(tx, "u-dev", "test", clock);
  });
  REQUIRE(dev.ok());
  CHECK(p.Call("PATCH", "/v1/service_brokers/nope", json{{"url", "http://127.0.0.1:1"}}, *dev).status == 403);

  // A user-provided binding has no broker to make new credentials: 422. Deleting the app unbinds it.
  HttpResult app = p.Call("POST", "/v1/apps", json{{"name", "web"}});
  REQUIRE(app.status == 201);
  HttpResult db = p.Call("POST", "/v1/service_instances",
                         json{{"type", "user-provided"}, {"name", "db"}, {"credentials", {{"uri", "x"}}}});
  REQUIRE(db.status == 201);
  HttpResult bound = p.Call("POST", "/v1/service_bindings",
                            json{{"instance_guid", db.json["guid"]}, {"app_guid", app.json["guid"]}});
  REQUIRE(bound.status == 201);
  HttpResult refused = p.Call("POST", "/v1/service_bindings/" + bound.json["guid"].get<std::string>() +
                                          "/actions/rotate", json::object());
  CHECK(refused.status == 422);
  CHECK(refused.json["detail"].get<std::string>().find("is user-provided") != std::string::npos);
  CHECK(p.Call("DELETE", "/v1/apps/" + app.json["guid"].get<std::string>()).status == 204);
  CHECK(p.Call("GET", "/v1/service_bindings").json["resources"].empty());
}

}  // namespace
}  // namespace wharf::controller

namespace wharf::controller {
namespace {

TEST_CASE("API: security groups need the admin role to change, and a developer cannot bind one") {
  TestPlatform p;
  const json rules = json::array({{{"protocol", "all"}, {"destination", "0.0.0.0/0"}}});
  std::string dev = p.PlainUserToken();
  CHECK(p.Call("GET", "/v1/security-groups", std::nullopt, dev).status == 200);
  CHECK(p.Call("POST", "/v1/security-groups", json{{"name", "open"}, {"rules", rules}}, dev).status == 403);
  HttpResult made = p.Call("POST", "/v1/security-groups", json{{"name", "open"}, {"rules", rules}});
  REQUIRE(made.status == 201);
  CHECK(made.json["globally_enabled"]["running"] == false);
  CHECK(p.Call("PATCH", "/v1/security-groups/open", json{{"globally_enabled", {{"running", true}}}}, dev).status ==
        403);
  CHECK(p.Call("POST", "/v1/security-groups/open/spaces", json{{"org", "wharf"}, {"space", "default"}}, dev).status ==
        403);
  CHECK(p.Call("DELETE", "/v1/security-groups/open", std::nullopt, dev).status == 403);
  CHECK(p.Call("GET", "/v1/security-groups/open").json["globally_enabled"]["running"] == false);
  HttpResult unknown = p.Call("PATCH", "/v1/security-groups/open", json{{"globally_enabled", {{"build", true}}}});
  CHECK(unknown.status == 400);
  CHECK(p.Call("GET", "/v1/security-groups/nope").status == 404);
  CHECK(p.Call("DELETE", "/v1/security-groups/open").status == 204);
}

TEST_CASE("API: network policies name both apps, default to tcp 8080, and refuse bad ports") {
  TestPlatform p;
  const std::string a = p.Call("POST", "/v1/apps", json{{"name", "a"}}).json["guid"];
  const std::string b = p.Call("POST", "/v1/apps", json{{"name", "b"}}).json["guid"];
  HttpResult made = p.Call("POST", "/v1/network-policies", json{{"source_app_guid", a}, {"destination_app_guid", b}});
  REQUIRE(made.status == 201);
  CHECK(made.json["protocol"] == "tcp");
  CHECK(made.json["ports"] == json{{"start", 8080}, {"end", 8080}});
  CHECK(p.Call("POST", "/v1/network-policies", json{{"source_app_guid", a}, {"destination_app_guid", b}}).status == 409);
  HttpResult bad = p.Call("POST", "/v1/network-policies",
                          json{{"source_app_guid", a}, {"destination_app_guid", b}, {"ports", "80-x"}});
  CHECK(bad.status == 400);
  CHECK(bad.json["detail"].get<std::string>().find("ports: '80-x' is not a port range (1-65535)") != std::string::npos);
  CHECK(p.Call("GET", "/v1/network-policies?app=" + a).json["resources"].size() == 1);
  CHECK(p.Call("DELETE", "/v1/network-policies?source_app_guid=" + a + "&destination_app_guid=" + b).status == 204);
  CHECK(p.Call("DELETE", "/v1/network-policies?source_app_guid=" + a + "&destination_app_guid=" + b).status == 404);
}

TEST_CASE("API: only an admin may name a buildpack on the server's file system") {
  TestPlatform p;
  std::string dev = p.PlainUserToken();
  for (const std::string bp : {"/etc", "/root/bp.zip", "file:///root/repo", "/srv/repo#main"}) {
    HttpResult refused =
        p.Call("POST", "/v1/apps", json{{"name", "sneaky"}, {"lifecycle", {{"buildpacks", {bp}}}}}, dev);
    CHECK_MESSAGE(refused.status == 403, bp);
    CHECK(refused.json["detail"].get<std::string>().find("only an admin") != std::string::npos);
  }
  HttpResult mine = p.Call("POST", "/v1/apps", json{{"name", "fine"}, {"lifecycle", {{"buildpacks", {"go_buildpack", "https://github.com/x/y"}}}}}, dev);
  CHECK(mine.status == 201);
  const std::string guid = mine.json["guid"];
  CHECK(p.Call("PATCH", "/v1/apps/" + guid, json{{"lifecycle", {{"buildpacks", {"/etc"}}}}}, dev).status == 403);
  // the admin may (tests and operators push buildpacks from this machine's folders)
  CHECK(p.Call("PATCH", "/v1/apps/" + guid, json{{"lifecycle", {{"buildpacks", {"/etc"}}}}}).status == 200);
}

}  // namespace
}  // namespace wharf::controller
