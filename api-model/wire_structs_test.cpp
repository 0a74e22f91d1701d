// Each wire struct survives ToJson -> FromJson with every field set to a
// non-default value, and names its required fields when they are missing.
#include <doctest/doctest.h>

#include "api-model/apps/app.h"
#include "api-model/apps/autoscaling.h"
#include "api-model/apps/build.h"
#include "api-model/apps/buildpack.h"
#include "api-model/apps/deployment.h"
#include "api-model/apps/revision.h"
#include "api-model/apps/ssh.h"
#include "api-model/apps/stack.h"
#include "api-model/error.h"
#include "api-model/page.h"
#include "api-model/platform/event.h"
#include "api-model/platform/info.h"
#include "api-model/platform/route.h"

namespace wharf::api {
namespace {

using nlohmann::json;

// ToJson, then FromJson of that, must give the same JSON back.
template <typename T>
void CheckRoundTrip(const T& value) {
  json first = value.ToJson();
  Result<T> parsed = T::FromJson(first);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(parsed->ToJson() == first);
}

// Removing `field` from the struct's JSON fails naming it.
template <typename T>
void CheckRequired(const T& value, const std::string& what, const std::string& field) {
  json j = value.ToJson();
  j.erase(field);
  Result<T> parsed = T::FromJson(j);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == what + ": field '" + field + "' is missing");
}

App SampleApp() {
  App a;
  a.guid = "app-1";
  a.name = "web";
  a.state = "STARTED";
  a.created_at = "2026-11-26T08:35:47Z";
  a.updated_at = "2026-11-26T08:36:00Z";
  a.lifecycle = {{"nodejs_buildpack"}, "debian12"};
  a.environment_variables = {{"GREETING", "hi"}};
  a.current_droplet_guid = "droplet-1";
  a.processes = {{"web", 2, 256, 512}, {"worker", 1, 128, 1024}};
  a.routes = {"web.localhost"};
  return a;
}

Process SampleProcess() {
  Process p;
  p.guid = "process-1";
  p.app_guid = "app-1";
  p.type = "worker";
  p.command = "node worker.js";
  p.instances = 3;
  p.memory_in_mb = 256;
  p.disk_in_mb = 512;
  p.health_check = {"http", "/health", 2, 90};
  p.created_at = "2026-11-26T08:35:47Z";
  p.updated_at = "2026-11-26T08:36:00Z";
  return p;
}

TEST_CASE("App, its process summary and lifecycle round-trip") {
  CheckRoundTrip(SampleApp());
  CheckRequired(SampleApp(), "app", "guid");
  CheckRequired(SampleApp(), "app", "name");
  CheckRequired(SampleApp(), "app", "state");
  CheckRoundTrip(SampleApp().processes[0]);
  CheckRoundTrip(SampleApp().lifecycle);
}

TEST_CASE("App: a null current droplet stays unset") {
  App a = SampleApp();
  a.current_droplet_guid.reset();
  CHECK(a.ToJson()["current_droplet_guid"].is_null());
  CheckRoundTrip(a);
}

TEST_CASE("Stack round-trips with its runtime versions and names its required field") {
  Stack st;
  st.name = "debian13";
  st.description = "Debian GNU/Linux 13 (trixie), from Debian packages";
  st.is_default = true;
  st.built_at = "2026-12-07T05:33:22Z";
  st.size_bytes = 1800000000;
  st.versions = {{"go", "1.24.4"}, {"node", "20.19.2"}};
  CheckRoundTrip(st);
  CheckRequired(st, "stack", "name");
  CHECK(st.ToJson()["default"] == true);
}

TEST_CASE("Autoscaling resources round-trip, and a credential needs its username and password") {
  AutoscalingPolicy p{"app-1", true, json{{"instance_min_count", 1}, {"instance_max_count", 4}}, "t1", "t2"};
  CheckRoundTrip(p);
  MetricSeries m{"app-1", "cpu", "%", {{"2026-12-07T06:00:00Z", 1796623200000, 42.5}}};
  CheckRoundTrip(m);
  Simulation sim;
  sim.samples = 120;
  sim.start_instances = 1;
  sim.final_instances = 3;
  sim.scalings = {{"2026-12-07T06:00:00Z", 1, 3, "scale-out", "cpu > 80", "cpu 91% for 120 s"}};
  sim.counts = {{"2026-12-07T06:00:00Z", 3}};
  CheckRoundTrip(sim);
  CustomMetricsCredential c{"app-1", "app-1", "u", "p", "http://m.localhost:8080",
                            "http://m.localhost:8080/v1/apps/app-1/metrics"};
  CheckRoundTrip(c);
  CheckRequired(c, "credential", "username");
  CheckRequired(c, "credential", "password");
  CHECK(c.CredentialFile() == json{{"app_id", "app-1"}, {"username", "u"}, {"password", "p"},
                                   {"url", "http://m.localhost:8080"}});
  auto record = ScalingRecord::FromJson(json{{"direction", "scale-in"}, {"from", 3}, {"to", 2}, {"reaction_ms", 40}});
  REQUIRE(record.ok());
  CHECK(record->status == "succeeded");  // older events have no status
  CHECK(record->reaction_ms == 40);
  CHECK_FALSE(ScalingRecord::FromJson(json{{"from", "three"}}).ok());
}

TEST_CASE("Revision round-trips, commands null or set, and names its required fields") {
  Revision r;
  r.guid = "rev-1";
  r.version = 4;
  r.description = "Rolled back to revision 2.";
  r.droplet_guid = "d-1";
  r.commands = {{"web", std::nullopt}, {"worker", std::string("./work")}};
  r.deployable = false;
  r.deployed = true;
  r.instances = 3;
  r.rolled_back_from = 2;
  r.created_at = "2026-01-01T00:00:00Z";
  CheckRoundTrip(r);
  CheckRequired(r, "revision", "guid");
  CheckRequired(r, "revision", "version");
  json bad = r.ToJson();
  bad["commands"]["web"] = 5;
  CHECK(Revision::FromJson(bad).status().message() == "revision: field 'commands.web' must be a string or null");
}

TEST_CASE("Deployment round-trips and names its required fields") {
  Deployment d;
  d.guid = "dep-1";
  d.strategy = "canary";
  d.state = "PAUSED";
  d.revision = 3;
  d.previous_revision = 2;
  d.max_in_flight = 2;
  d.instance_steps = {10, 50};
  d.canary_weights = {1, 5, 25};
  d.step = 1;
  d.steps = 3;
  d.canary_weight = 5;
  d.reason = "r";
  d.created_at = "c";
  d.updated_at = "u";
  CheckRoundTrip(d);
  CheckRequired(d, "deployment", "guid");
  CheckRequired(d, "deployment", "strategy");
  CheckRequired(d, "deployment", "state");
}

TEST_CASE("AnalysisWindowEvent round-trips with and without probes, and names its required fields") {
  AnalysisWindowEvent w;
  w.deployment_guid = "dep-1";
  w.revision = 3;
  w.previous_revision = 2;
  w.step = 1;
  w.window_secs = 10;
  w.verdict = "FAIL";
  w.reason = "5xx";
  w.decision = "ROLLBACK";
  w.decision_reason = "1 failing window";
  w.baseline_requests = 300;
  w.canary_requests = 290;
  w.baseline_5xx = 0;
  w.canary_5xx = 60;
  w.needs_probes = true;
  w.requests_missing = 7;
  w.checks = {"errors: ...", "latency-p95: ..."};
  CheckRoundTrip(w);
  CHECK_FALSE(w.ToJson().contains("probes"));
  w.probes = AnalysisProbes{"/health", 12, 14};
  CheckRoundTrip(w);
  CheckRequired(w, "analysis window", "deployment_guid");
  CheckRequired(w, "analysis window", "verdict");
  CheckRequired(w, "analysis window", "decision");
}

TEST_CASE("AppEnv round-trips") {
  AppEnv e;
  e.environment_variables = {{"A", "1"}};
  e.system_env_json = {{"VCAP_SERVICES", {{"redis", json::array()}}}};
  e.application_env_json = {{"VCAP_APPLICATION", {{"application_name", "web"}}}};
  CheckRoundTrip(e);
}

TEST_CASE("Process and its health check round-trip") {
  CheckRoundTrip(SampleProcess());
  CheckRoundTrip(SampleProcess().health_check);
  CheckRequired(SampleProcess(), "process", "guid");
  CheckRequired(SampleProcess(), "process", "type");
}

TEST_CASE("Instance round-trips, and a DOWN index carries only index and state") {
  Instance running;
  running.index = 1;
  running.state = "RUNNING";
  running.since = "2026-11-26T08:35:47Z";
  running.cpu = 0.25;
  running.memory_bytes = 1 << 20;
  running.disk_bytes = 2 << 20;
  running.uptime = 12;
  running.crash_count = 2;
  running.details = "exited with status 1";
  running.address = "10.244.0.2:8080";
  running.outdated = true;
  CheckRoundTrip(running);
  running.startup = InstanceStartup{68, 412};
  CheckRoundTrip(running);
  running.startup->healthy_after_ms.reset();  // still starting
  CheckRoundTrip(running);
  CheckRequired(*running.startup, "instance startup", "container_ms");
  CheckRequired(running, "instance", "index");
  CheckRequired(running, "instance", "state");

  Instance down;
  down.index = 3;
  down.state = "DOWN";
  CHECK(down.ToJson() == json{{"index", 3}, {"state", "DOWN"}});
  CheckRoundTrip(down);
}

TEST_CASE("ResourceMatch round-trips") {
  ResourceMatch m{{{"abc", 12}, {"def", 0}}};
  CheckRoundTrip(m);
  CheckRequired(m, "resource match", "missing");
  CheckRequired(m.missing[0], "resource", "sha256");
}

TEST_CASE("Package, Build and Droplet round-trip") {
  Package p{"package-1", "app-1", "READY", "abc", 3, 1234,
            {{"type", "git"}, {"url", "https://example.com/x.git"}, {"ref", "main"}}, "2026-11-26T08:35:47Z"};
  CheckRoundTrip(p);
  CheckRequired(p, "package", "guid");

  Build b{"build-1", "app-1", "package-1", "FAILED", "no buildpack detected", "droplet-1",
          "2026-11-26T08:35:47Z", "2026-11-26T08:36:00Z", std::nullopt};
  CheckRoundTrip(b);
  CheckRequired(b, "build", "guid");
  CheckRequired(b, "build", "state");
  b.state = "STAGED";
  b.steps = StagingSteps{3, 120, 8, 1};
  CheckRoundTrip(b);
  CheckRoundTrip(*b.steps);

  Droplet d;
  d.guid = "droplet-1";
  d.app_guid = "app-1";
  d.package_guid = "package-1";
  d.sha256 = "def";
  d.size_bytes = 99;
  d.process_types = {{"web", "node server.js"}};
  d.buildpacks = {{"nodejs_buildpack", "1.0.0"}};
  d.stack = "debian12";
  d.created_at = "2026-11-26T08:35:47Z";
  CheckRoundTrip(d);
  CheckRequired(d, "droplet", "guid");
  CheckRoundTrip(d.buildpacks[0]);
}

TEST_CASE("Domain and Route round-trip, the route's options carry its load balancing") {
  Domain domain{"domain-1", "apps.example.com", false, "2026-11-26T08:35:47Z"};
  CheckRoundTrip(domain);
  CheckRequired(domain, "domain", "name");

  Route r;
  r.guid = "route-1";
  r.host = "web";
  r.path = "/api";
  r.domain = {"domain-1", "apps.example.com"};
  r.url = "web.apps.example.com/api";
  r.load_balancing = "least-connection";
  r.destinations = {{"app-1", "web", "worker"}};
  r.created_at = "2026-11-26T08:35:47Z";
  CheckRoundTrip(r);
  CHECK(r.ToJson()["options"] == json{{"loadbalancing", "least-connection"}});
  CheckRequired(r, "route", "guid");
  CheckRoundTrip(r.destinations[0]);
}

TEST_CASE("Buildpack round-trips, nullable fields as null") {
  Buildpack b{"bp-1", "hello_buildpack", 2, false, true, "debian12", true, "hello.tgz", "abc", "READY",
              "2026-11-26T08:35:47Z", "2026-11-26T08:36:00Z"};
  CheckRoundTrip(b);
  CheckRequired(b, "buildpack", "name");
  Buildpack bare{};
  bare.guid = "bp-2";
  bare.name = "bare";
  CHECK(bare.ToJson()["stack"].is_null());
  CHECK(bare.ToJson()["filename"].is_null());
  CheckRoundTrip(bare);
}

TEST_CASE("Event and LogLine round-trip") {
  Event e{"event-1", "app-created", "admin", {"app", "app-1", "web"}, {{"instances", 2}}, "2026-11-26T08:35:47Z"};
  CheckRoundTrip(e);
  CheckRequired(e, "event", "type");
  LogLine l{"2026-11-26T08:35:47Z", "STG/0", "ERR", "-----> Installing node"};
  CheckRoundTrip(l);
  CheckRequired(l, "log line", "message");
  RecentLogs recent{{l, l}};
  CheckRoundTrip(recent);
  CheckRequired(recent, "logs", "lines");
}

TEST_CASE("Info, RuntimeInfo and Whoami round-trip") {
  Info i;
  i.version = "0.1.0";
  i.api_version = "v1";
  i.domain = "localhost";
  i.router_url = "http://localhost:8080";
  i.admin_token_file = "data/admin-token";
  i.roles = {"api", "cell"};
  i.org = "wharf";
  i.space = "default";
  i.runtime = RuntimeInfo{"process", false, {"no OCI runtime found"}};
  CheckRoundTrip(i);
  CheckRoundTrip(*i.runtime);
  CheckRequired(i, "info", "version");
  CHECK(i.RunsInstances());
  i.roles = {"api"};
  CHECK_FALSE(i.RunsInstances());
  i.runtime.reset();
  CHECK(i.ToJson()["runtime"].is_null());
  CheckRoundTrip(i);

  Whoami w{{"user-1", "admin"}, {"admin"}};
  CheckRoundTrip(w);
  CheckRequired(w, "whoami", "user");
}

TEST_CASE("ErrorBody round-trips") {
  ErrorBody e{"not_found", "Not Found", "app 'web' not found"};
  CheckRoundTrip(e);
  CheckRequired(e, "error", "code");
}

TEST_CASE("Page round-trips with and without pagination") {
  Page<Domain> page;
  page.pagination = Pagination{120, 3, 2, 50};
  page.resources = {{"d1", "localhost", true, "t"}, {"d2", "example.com", false, "t"}};
  CheckRoundTrip(page);
  CheckRoundTrip(*page.pagination);
  CheckRequired(page, "list", "resources");
  CheckRequired(*page.pagination, "pagination", "total_pages");
  page.pagination.reset();
  CHECK_FALSE(page.ToJson().contains("pagination"));
  CheckRoundTrip(page);
  json bad = {{"resources", {{{"guid", "d1"}}}}};
  CHECK(Page<Domain>::FromJson(bad).status().message() == "list: field 'resources[0].name' is missing");
}

}  // namespace
}  // namespace wharf::api

namespace wharf::api {
namespace {

TEST_CASE("The ssh frames' messages round-trip and refuse what cannot be a terminal session") {
  SshStart start;
  start.process_type = "worker";
  start.index = 2;
  start.command = "env | sort";
  start.tty = true;
  start.size = SshSize{132, 43};
  start.term = "xterm-256color";
  CheckRoundTrip(start);
  CheckRoundTrip(SshExit{7});
  CheckRoundTrip(SshEnabled{false, "ssh is disabled for app 'web'"});
  CheckRequired(SshExit{0}, "ssh exit", "exit_status");
  CheckRequired(SshSize{80, 24}, "ssh terminal size", "rows");

  // Defaults: web, index 0, an interactive shell without a terminal.
  Result<SshStart> empty = SshStart::FromJson(json::object());
  REQUIRE(empty.ok());
  CHECK(empty->process_type == "web");
  CHECK(empty->index == 0);
  CHECK(empty->command.empty());
  CHECK_FALSE(empty->tty);

  CHECK(SshStart::FromJson({{"index", -1}}).status().message() == "ssh start: field 'index' must not be negative");
  CHECK(SshStart::FromJson({{"term", "xterm; rm -rf /"}}).status().code() == StatusCode::kInvalidArgument);
  CHECK(SshStart::FromJson({{"command", std::string("a\0b", 3)}}).status().code() == StatusCode::kInvalidArgument);
  CHECK(SshSize::FromJson({{"columns", 0}, {"rows", 24}}).status().message().find("out of range") !=
        std::string::npos);
  CHECK(SshSize::FromJson({{"columns", 80}, {"rows", "24"}}).status().message() ==
        "ssh terminal size: field 'rows' must be an integer");
}

}  // namespace
}  // namespace wharf::api
