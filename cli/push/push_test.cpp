// `wharf push` end to end against the real wharfd API (staging and the cell
// scripted): what is created, what is uploaded, and that nothing changes on the
// server when the push is invalid.
#include <algorithm>

#include <doctest/doctest.h>

#include "cli/push/staging.h"
#include "cli/testing/cli_harness.h"
#include "common/archive/archive.h"
#include "common/sha256.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
using testing::CliHarness;
using testing::Has;

std::filesystem::path WriteApp(CliHarness& h, const std::string& manifest) {
  h.home.Write("app/server.js", "require('http').createServer().listen(process.env.PORT)\n");
  h.home.Write("app/package.json", "{}\n");
  h.home.Write("app/.git/HEAD", "ref: refs/heads/main\n");
  if (!manifest.empty()) h.home.Write("app/manifest.yml", manifest);
  return h.home.path() / "app";
}

cell::InstanceReport Report(int index, std::string state, std::string details = "") {
  cell::InstanceReport r;
  r.index = index;
  r.state = std::move(state);
  r.details = std::move(details);
  return r;
}

int CountRequests(const CliHarness& h, const std::string& prefix) {
  int n = 0;
  for (const std::string& r : h.server.requests()) n += r.starts_with(prefix) ? 1 : 0;
  return n;
}

TEST_CASE("push creates the app, maps the default route, uploads the files and stores a package") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n  memory: 256M\n  env: {GREETING: hi}\n");
  CHECK(h.Run({"push"}, app) == 0);
  INFO(h.Out() << h.Err());
  CHECK(Has(h.Out(), "Pushing app web to " + h.server.url() + "..."));
  CHECK(Has(h.Out(), "Creating app web...\n"));
  CHECK(Has(h.Out(), "Mapping routes...\n   web.localhost\n"));
  CHECK(Has(h.Out(), "Uploading 2 files, 59 B (0 files, 0 B unchanged)\n"));
  CHECK(Has(h.Out(), "Package stored (sha256 "));
  CHECK(Has(h.Out(), "). Staging is not available in this wharfd yet.\n"));
  json created = h.server.app("web").value();
  CHECK(created["environment_variables"]["GREETING"] == "hi");
  CHECK(created["routes"] == json{"web.localhost"});
  CHECK(h.server.process("web", "web")["memory_in_mb"] == 256);
  CHECK(h.server.process("web", "web")["instances"] == 1);
  json pkg = h.server.packages("web")[0];
  REQUIRE(pkg["files"].size() == 2);  // manifest.yml and .git are not uploaded
  CHECK(pkg["files"][0]["path"] == "package.json");
  CHECK(pkg["files"][1]["path"] == "server.js");
  CHECK(pkg["files"][1]["mode"] == 0644);
  CHECK(pkg["files"][1]["sha256"] == Sha256Hex("require('http').createServer().listen(process.env.PORT)\n"));
  CHECK(pkg["source"]["type"] == "folder");
  CHECK(h.server.uploads() == 1);
  for (const json& f : pkg["files"]) CHECK(h.server.HasBlob(f["sha256"]));
}

TEST_CASE("Re-pushing an unchanged app uploads no file content") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n");
  REQUIRE(h.Run({"push"}, app) == 0);
  h.server.ClearRequests();
  CHECK(h.Run({"push"}, app) == 0);
  CHECK(Has(h.Out(), "Updating app web...\n"));
  CHECK(Has(h.Out(), "0 files to upload (2 files, 59 B unchanged)\n"));
  CHECK(CountRequests(h, "POST /v1/resources") == 0);
  CHECK(CountRequests(h, "POST /v1/apps ") + CountRequests(h, "POST /v1/routes") == 0);
  CHECK(h.server.packages("web").size() == 2);
  CHECK(h.server.packages("web")[0]["sha256"] == h.server.packages("web")[1]["sha256"]);
}

TEST_CASE("Changing one file uploads only that file") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n");
  REQUIRE(h.Run({"push"}, app) == 0);
  h.home.Write("app/server.js", "changed\n");
  CHECK(h.Run({"push"}, app) == 0);
  CHECK(Has(h.Out(), "Uploading 1 file, 8 B (1 file, 3 B unchanged)\n"));
  CHECK(h.server.uploads() == 2);
  CHECK(h.server.HasBlob(Sha256Hex("changed\n")));
}

TEST_CASE("An invalid manifest creates nothing on the server") {
  const char* bad[] = {
      "applications:\n- name: web\n  memory: lots\n",
      "applications:\n- name: web\n  instances: -1\n",
      "applications:\n- name: web\n  health-check-type: tcp\n",
      "applications:\n- name: Web_App\n",
      "applications:\n- name: web\n  routes:\n  - route: ((host)).localhost\n",
  };
  for (const char* manifest : bad) {
    CAPTURE(manifest);
    CliHarness h;
    auto app = WriteApp(h, manifest);
    CHECK(h.Run({"push"}, app) == 1);
    CHECK(Has(h.Err(), "manifest.yml:"));
    CHECK(h.server.requests().empty());
  }
}

TEST_CASE("A route on an unknown domain or a missing path stops the push before any change") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n  routes: [{route: web.nowhere.org}]\n");
  CHECK(h.Run({"push"}, app) == 1);
  CHECK(Has(h.Err(), "route 'web.nowhere.org': no domain of wharfd matches"));
  CHECK(h.server.mutations().empty());
  CHECK(h.Run({"push", "other", "--no-manifest", "-p", "does-not-exist"}, app) == 1);
  CHECK(h.server.mutations().empty());
}

TEST_CASE("push warns about unknown attributes but goes on") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n  memroy: 1G\n");
  CHECK(h.Run({"push"}, app) == 0);
  CHECK(Has(h.Err(), "Warning: "));
  CHECK(Has(h.Err(), "manifest.yml:3:3: applications[0].memroy: unknown attribute; ignored"));
  CHECK(h.server.app("web").has_value());
}

TEST_CASE("push refuses a manifest naming a service instance that does not exist, before changing anything") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n  services: [db]\n");
  CHECK(h.Run({"push"}, app) == 1);
  CHECK(Has(h.Out() + h.Err(), "app 'web': services: service instance 'db' not found"));
  CHECK(h.server.mutations().empty());
  CHECK_FALSE(h.server.app("web").has_value());
}

TEST_CASE("A re-push keeps env variables the manifest does not name and process settings it does not set") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n  instances: 3\n  env: {A: '1'}\n");
  REQUIRE(h.Run({"push"}, app) == 0);
  REQUIRE(h.Run({"set-env", "web", "B", "2"}) == 0);
  h.home.Write("app/manifest.yml", "applications:\n- name: web\n  memory: 512M\n  env: {A: changed}\n");
  CHECK(h.Run({"push"}, app) == 0);
  json env = h.server.app("web").value()["environment_variables"];
  CHECK(env == json{{"A", "changed"}, {"B", "2"}});
  json web = h.server.process("web", "web");
  CHECK(web["instances"] == 3);
  CHECK(web["memory_in_mb"] == 512);
}

TEST_CASE("Flags override the manifest in what push sends") {
  CliHarness h;
  auto app = WriteApp(h, "applications:\n- name: web\n  instances: 3\n  memory: 256M\n");
  CHECK(h.Run({"push", "web", "-i", "2", "-m", "1G", "-k", "2G", "-c", "node server.js", "-u", "http", "--endpoint",
               "/health", "-t", "30", "-b", "nodejs_buildpack", "-s", "host"},
              app) == 0);
  json web = h.server.process("web", "web");
  CHECK(web["instances"] == 2);
  CHECK(web["memory_in_mb"] == 1024);
  CHECK(web["disk_in_mb"] == 2048);
  CHECK(web["command"] == "node server.js");
  CHECK(web["health_check"]["type"] == "http");
  CHECK(web["health_check"]["endpoint"] == "/health");
  CHECK(web["health_check"]["timeout"] == 30);
  json lifecycle = h.server.app("web").value()["lifecycle"];
  CHECK(lifecycle["buildpacks"] == json{"nodejs_buildpack"});
  CHECK(lifecycle["stack"] == "host");
}

TEST_CASE("push maps manifest routes, creates worker processes and pushes several apps") {
  CliHarness h;
  h.server.AddDomain("example.com");
  auto app = WriteApp(h,
                      "applications:\n"
                      "- name: web\n"
                      "  routes: [{route: shop.example.com/api}, {route: web.localhost}]\n"
                      "  processes:\n"
                      "  - type: worker\n"
                      "    command: node worker.js\n"
                      "    instances: 2\n"
                      "- name: quiet\n"
                      "  no-route: true\n");
  CHECK(h.Run({"push", "--no-start"}, app) == 0);
  CHECK(Has(h.Out(), "Pushing apps web, quiet to"));
  CHECK(h.server.app("web").value()["routes"] == json{"shop.example.com/api", "web.localhost"});
  CHECK(h.server.app("quiet").value()["routes"] == json::array());
  CHECK(h.server.process("web", "worker")["command"] == "node worker.js");
  CHECK(h.server.process("web", "worker")["instances"] == 2);
  CHECK(Has(h.Out(), "not starting (--no-start)"));
  CHECK(CountRequests(h, "POST /v1/builds") == 0);
  h.server.ClearRequests();
  CHECK(h.Run({"push", "quiet", "--no-start"}, app) == 0);
  CHECK(CountRequests(h, "GET /v1/apps?names=web") == 0);
  CHECK(h.Run({"push", "nope"}, app) == 1);
  CHECK(Has(h.Err(), "app 'nope' is not in manifest"));
}

TEST_CASE("polls are 50 ms apart first, half as long again each time up to 250 ms, then 1 s from the 21st") {
  PollPacer pacer;
  std::vector<long> waits;
  for (int i = 0; i < 22; ++i) waits.push_back(static_cast<long>(pacer.Next().count()));
  CHECK(std::vector<long>(waits.begin(), waits.begin() + 6) == std::vector<long>{50, 75, 112, 168, 250, 250});
  CHECK(waits[19] == 250);
  CHECK(waits[20] == 1000);
  CHECK(waits[21] == 1000);
}

TEST_CASE("--random-route picks NAME-adjective-noun on the default domain, once") {
  CliHarness h;
  auto app = WriteApp(h, "");
  CHECK(h.Run({"push", "web", "--random-route", "--no-start"}, app) == 0);
  json routes = h.server.app("web").value()["routes"];
  REQUIRE(routes.size() == 1);
  std::string route = routes[0];
  CHECK(route.starts_with("web-"));
  CHECK(route.ends_with(".localhost"));
  CHECK(std::count(route.begin(), route.end(), '-') == 2);
  CHECK(h.Run({"push", "web", "--random-route", "--no-start"}, app) == 0);
  CHECK(h.server.app("web").value()["routes"].size() == 1);
}

TEST_CASE("With a stager, push stages with logs, starts the app and prints its URL") {
  CliHarness h;
  h.server.EnableStaging();
  auto app = WriteApp(h, "applications:\n- name: web\n");
  CHECK(h.Run({"push"}, app) == 0);
  INFO(h.Out());
  CHECK(Has(h.Out(), "Staging app and tracing logs...\n"));
  CHECK(Has(h.Out(), "Starting app web...\n"));
  CHECK(Has(h.Out(), "buildpacks:        nodejs_buildpack 1.0.0\n"));
  CHECK(Has(h.Out(), "App web is available at http://web.localhost:8080\n"));
  // Where the time went, in one line (the harness's clock moves only with the CLI's sleeps).
  CHECK(Has(h.Out(), "\nPushed in "));
  CHECK(Has(h.Out(), " s: settings "));
  CHECK(Has(h.Out(), " s, upload "));
  CHECK(Has(h.Out(), " s, staging "));
  CHECK(Has(h.Out(), " s, start "));
  CHECK(h.server.app("web").value()["state"] == "STARTED");
  CHECK(h.Run({"push"}, app) == 0);
  CHECK(Has(h.Out(), "Restarting app web...\n"));
}

TEST_CASE("With a cell, push waits for a running instance and reports a crash") {
  CliHarness h;
  h.server.EnableStaging();
  h.server.EnableCell();
  auto app = WriteApp(h, "applications:\n- name: web\n");
  REQUIRE(h.Run({"push", "--no-start"}, app) == 0);
  h.server.SetInstances("web", {{Report(0, "CRASHED", "exit status 1")}});
  CHECK(h.Run({"push"}, app) == 1);
  CHECK(Has(h.Err(), "app 'web' crashed: exit status 1"));
  cell::InstanceReport running = Report(0, "RUNNING");
  running.since = "2026-11-26T08:36:00Z";
  running.cpu = 0.012;
  running.memory_bytes = 1048576;
  running.disk_bytes = 2097152;
  h.server.SetInstances("web", {{running}});
  CHECK(h.Run({"push"}, app) == 0);
  CHECK(Has(h.Out(), "Waiting for app web to start...\n"));
  CHECK(Has(h.Out(), "#0   running   2026-11-26T08:36:00Z   1.2%   1.0 MiB of 1G   2.0 MiB of 1G"));
}

TEST_CASE("A rolling restart fails as soon as the new instance crashed, and says the previous version serves") {
  CliHarness h;
  h.server.EnableStaging();
  h.server.EnableCell();
  auto app = WriteApp(h, "applications:\n- name: web\n  instances: 2\n");
  REQUIRE(h.Run({"push", "--no-start"}, app) == 0);
  // Index 0 has the new version, restarted once after a crash; both old instances still serve.
  cell::InstanceReport restarted = Report(0, "STARTING", "exited with status 1");
  restarted.crash_count = 1;
  h.server.SetInstances("web", {{restarted}, {Report(0, "RUNNING"), true}, {Report(1, "RUNNING"), true}});
  CHECK(h.Run({"push"}, app) == 1);
  CHECK(Has(h.Err(), "app 'web' crashed: exited with status 1; the previous version keeps serving"));
}

TEST_CASE("A failed build fails the push with the build's error") {
  CliHarness h;
  h.server.EnableStaging("no buildpack detected the app");
  auto app = WriteApp(h, "applications:\n- name: web\n");
  CHECK(h.Run({"push"}, app) == 1);
  CHECK(Has(h.Err(), "staging failed: no buildpack detected the app"));
}

TEST_CASE("push -p takes a .tgz archive and records it as the source") {
  CliHarness h;
  {
    auto tar = TarWriter::ToFile(h.home.path() / "app.tgz", TarWriter::Compression::kGzip).value();
    REQUIRE(tar->AddBytes("index.html", "<h1>hi</h1>", 0644).ok());
    REQUIRE(tar->AddBytes("bin/start", "#!/bin/sh\n", 0755).ok());
    REQUIRE(tar->Close().ok());
  }
  CHECK(h.Run({"push", "site", "-p", "app.tgz", "--no-start"}) == 0);
  json pkg = h.server.packages("site")[0];
  CHECK(pkg["source"]["type"] == "archive");
  CHECK(pkg["source"]["url"] == "app.tgz");
  REQUIRE(pkg["files"].size() == 2);
  CHECK(pkg["files"][0]["path"] == "bin/start");
  CHECK(pkg["files"][0]["mode"] == 0755);
}

}  // namespace
}  // namespace wharf::cli
