#include "cli/manifest/manifest.h"

#include <doctest/doctest.h>

#include "cli/testing/temp_dir.h"

namespace wharf::cli {
namespace {

using testing::TempDir;

Result<Manifest> Parse(const std::string& yaml, const Variables& vars = {}) {
  return ParseManifest(yaml, "manifest.yml", "/src", vars);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool AnyContains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const std::string& l : lines) {
    if (Contains(l, needle)) return true;
  }
  return false;
}

const char* kFullManifest = R"(---
version: 1
applications:
- name: web
  path: ./app
  instances: 2
  memory: 512M
  disk_quota: 1G
  buildpacks: [nodejs_buildpack]
  command: node server.js
  stack: debian12
  env:
    GREETING: hi
    PORT_COUNT: 3
    DEBUG: true
  routes:
  - route: web.localhost
  - route: api.example.com/v1
  services: [db, {name: cache, binding_name: c}]
  health-check-type: http
  health-check-http-endpoint: /health
  health-check-invocation-timeout: 5
  timeout: 90
  processes:
  - type: worker
    command: node worker.js
    instances: 3
    memory: 128M
    health-check-type: process
  - type: web
    instances: 4
- name: other
  no-route: true
  random-route: false
)";

TEST_CASE("ParseManifest reads the wharf-deployment block, lists or flag text, and names what is wrong") {
  auto m = Parse("applications:\n- name: web\n  wharf-deployment:\n    strategy: canary\n"
                 "    canary-weights: [5, 25, 50]\n    instance-steps: 10,50\n    analysis-interval: 30\n"
                 "    max-in-flight: 2\n");
  REQUIRE(m.ok());
  REQUIRE(m->apps[0].deployment);
  const DeploymentSpec& d = *m->apps[0].deployment;
  CHECK(d.strategy == "canary");
  CHECK(d.canary_weights == "5,25,50");
  CHECK(d.instance_steps == "10,50");
  CHECK(d.analysis_interval == "30");
  CHECK(d.max_in_flight == "2");
  CHECK(Contains(d.location, "manifest.yml:4:5: applications[0].wharf-deployment"));
  auto bad = Parse("applications:\n- name: web\n  wharf-deployment:\n    strategy: blue-green\n"
                   "    canary-weights: [5, 250]\n    analysis: 30\n");
  REQUIRE_FALSE(bad.ok());
  const std::string& msg = bad.status().message();
  CHECK(Contains(msg, "manifest.yml:4:15: applications[0].wharf-deployment.strategy: must be 'rolling' or 'canary'"));
  CHECK(Contains(msg, "applications[0].wharf-deployment.canary-weights[1]"));
  CHECK(Contains(msg, "applications[0].wharf-deployment.analysis: unknown attribute"));
  auto missing = Parse("applications:\n- name: web\n  wharf-deployment:\n    max-in-flight: 2\n");
  REQUIRE_FALSE(missing.ok());
  CHECK(Contains(missing.status().message(), "wharf-deployment.strategy: is required"));
}

TEST_CASE("ParseManifest reads every supported attribute of a full manifest") {
  Result<Manifest> m = Parse(kFullManifest);
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  REQUIRE(m->apps.size() == 2);
  CHECK(m->warnings.empty());
  const AppSpec& web = m->apps[0];
  CHECK(web.name == "web");
  CHECK(web.location == "manifest.yml:4:3");
  CHECK(web.path == std::filesystem::path("/src/app"));
  CHECK(web.buildpacks == std::vector<std::string>{"nodejs_buildpack"});
  CHECK(web.stack == "debian12");
  REQUIRE(web.env.size() == 3);
  CHECK(web.env[0] == std::pair<std::string, std::string>{"GREETING", "hi"});
  CHECK(web.env[1].second == "3");
  CHECK(web.env[2].second == "true");
  CHECK(web.routes == std::vector<std::string>{"web.localhost", "api.example.com/v1"});
  REQUIRE(web.services.size() == 2);
  CHECK(web.services[1].name == "cache");
  CHECK(web.services[1].binding_name == "c");
  REQUIRE(web.processes.size() == 2);
  const ProcessSpec& w = web.processes[0];
  CHECK(w.type == "web");
  CHECK(w.instances == 4);  // the processes: entry overrides the top-level value
  CHECK(w.memory_mb == 512);
  CHECK(w.disk_mb == 1024);
  CHECK(w.command == "node server.js");
  CHECK(w.health_check_type == HealthCheckType::kHttp);
  CHECK(w.health_check_endpoint == "/health");
  CHECK(w.health_check_invocation_timeout == 5);
  CHECK(w.timeout == 90);
  const ProcessSpec& worker = web.processes[1];
  CHECK(worker.type == "worker");
  CHECK(worker.instances == 3);
  CHECK(worker.memory_mb == 128);
  CHECK(worker.health_check_type == HealthCheckType::kProcess);
  CHECK_FALSE(worker.disk_mb.has_value());
  const AppSpec& other = m->apps[1];
  CHECK(other.no_route);
  CHECK_FALSE(other.random_route);
  CHECK(other.processes.empty());
  CHECK_FALSE(other.buildpacks.has_value());
}

TEST_CASE("ParseManifest warns about unknown and unsupported attributes and keeps going") {
  Result<Manifest> m = Parse(
      "applications:\n"
      "- name: web\n"
      "  memroy: 256M\n"
      "  docker: {image: x}\n"
      "  routes:\n"
      "  - route: web.localhost\n"
      "    colour: blue\n"
      "top-secret: 1\n");
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  REQUIRE(m->warnings.size() == 4);
  CHECK(m->warnings[0] == "manifest.yml:3:3: applications[0].memroy: unknown attribute; ignored");
  CHECK(Contains(m->warnings[1], "manifest.yml:4:3: applications[0].docker: docker images are not supported"));
  CHECK(m->warnings[2] == "manifest.yml:7:5: applications[0].routes[0].colour: unknown attribute; ignored");
  CHECK(m->warnings[3] == "manifest.yml:8:1: top-secret: unknown attribute; ignored");
}

TEST_CASE("ParseManifest warns that the singular buildpack is deprecated but uses it") {
  Result<Manifest> m = Parse("applications:\n- name: web\n  buildpack: go_buildpack\n");
  REQUIRE(m.ok());
  CHECK(m->apps[0].buildpacks == std::vector<std::string>{"go_buildpack"});
  CHECK(AnyContains(m->warnings, "manifest.yml:3:3: applications[0].buildpack: 'buildpack' is deprecated"));
}

TEST_CASE("ParseManifest names file, line, column and attribute for wrong types and invalid values") {
  struct Case {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"applications:\n- name: web\n  memory: lots\n",
       "manifest.yml:3:11: applications[0].memory: size 'lots' must start with a number"},
      {"applications:\n- name: web\n  instances: -1\n",
       "manifest.yml:3:14: applications[0].instances: must be at least 0, not -1"},
      {"applications:\n- name: web\n  instances: 1001\n",
       "manifest.yml:3:14: applications[0].instances: must be at most 1000, not 1001"},
      {"applications:\n- name: web\n  timeout: 600\n", "applications[0].timeout: must be at most 180, not 600"},
      {"applications:\n- name: web\n  instances: two\n",
       "manifest.yml:3:14: applications[0].instances: 'two' is not a whole number"},
      {"applications:\n- name: web\n  health-check-type: tcp\n",
       "manifest.yml:3:22: applications[0].health-check-type: health check type 'tcp' is not one of port, http, process"},
      {"applications:\n- name: Web_App\n",
       "manifest.yml:2:9: applications[0].name: app name 'Web_App' may contain only lowercase letters"},
      {"applications:\n- name: web\n  env: [A, B]\n", "manifest.yml:3:8: applications[0].env: must be a map"},
      {"applications:\n- name: web\n  env:\n    NESTED: {a: 1}\n",
       "manifest.yml:4:13: applications[0].env.NESTED: must be a string, number or boolean, not a map"},
      {"applications:\n- name: web\n  no-route: maybe\n",
       "manifest.yml:3:13: applications[0].no-route: must be true or false, not 'maybe'"},
      {"applications:\n- name: web\n  routes: web.localhost\n", "manifest.yml:3:11: applications[0].routes: must be a list"},
      {"applications:\n- name: web\n  routes:\n  - route: http://web.localhost\n",
       "manifest.yml:4:12: applications[0].routes[0].route: route 'http://web.localhost' must not include a scheme"},
      {"applications:\n- name: web\n  routes:\n  - route: web.localhost:8080\n",
       "applications[0].routes[0].route: route 'web.localhost:8080' has a port"},
      {"applications:\n- name: web\n  host: www\n", "manifest.yml:3:3: applications[0].host: is no longer supported"},
      {"applications:\n- name: web\n  buildpacks: go\n", "manifest.yml:3:15: applications[0].buildpacks: must be a list"},
      {"applications:\n- name: web\n  processes:\n  - command: x\n", "manifest.yml:4:5: applications[0].processes[0]: has no 'type'"},
      {"applications:\n- name: web\n  processes:\n  - type: worker\n    timeout: 0\n",
       "manifest.yml:5:14: applications[0].processes[0].timeout: must be at least 1, not 0"},
      {"applications:\n- name: web\n  health-check-http-endpoint: health\n",
       "applications[0].health-check-http-endpoint: must be a path starting with '/'"},
      {"applications:\n- name: a\n- path: .\n", "manifest.yml:3:3: applications[1]: has no 'name'"},
      {"applications:\n- name: web\n- name: web\n", "manifest.yml:3:3: applications[1].name: app 'web' is already defined at manifest.yml:2:3"},
      {"applications: []\n", "applications: must be a non-empty list"},
      {"name: web\n", "manifest: has no 'applications:' list"},
      {"", "manifest: is empty"},
      {"version: 2\napplications:\n- name: web\n", "manifest.yml:1:10: version: only manifest schema version 1"},
      {"applications:\n- name: web\n  memory: [1\n", "manifest.yml:"},
  };
  for (const Case& c : cases) {
    std::string yaml = c.yaml;
    CAPTURE(yaml);
    Result<Manifest> m = Parse(c.yaml);
    REQUIRE_FALSE(m.ok());
    CHECK_MESSAGE(Contains(m.status().message(), c.expected), m.status().message());
  }
}

TEST_CASE("ParseManifest accepts one application without a name (cf takes it from the command line)") {
  Result<Manifest> m = Parse("applications:\n- memory: 64M\n");
  REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  REQUIRE(m->apps.size() == 1);
  CHECK(m->apps[0].name.empty());
}

TEST_CASE("ParseManifest reports every error of a manifest at once") {
  Result<Manifest> m = Parse("applications:\n- name: web\n  memory: lots\n  instances: -2\n");
  REQUIRE_FALSE(m.ok());
  CHECK(Contains(m.status().message(), "applications[0].memory"));
  CHECK(Contains(m.status().message(), "applications[0].instances"));
}

TEST_CASE("ParseManifest treats command null as a reset to the buildpack's command") {
  Result<Manifest> m = Parse("applications:\n- name: web\n  command: null\n");
  REQUIRE(m.ok());
  CHECK(m->apps[0].processes[0].reset_command);
  CHECK_FALSE(m->apps[0].processes[0].command.has_value());
}

TEST_CASE("ParseManifest treats buildpacks [default] as auto-detection") {
  Result<Manifest> m = Parse("applications:\n- name: web\n  buildpacks: [default]\n");
  REQUIRE(m.ok());
  REQUIRE(m->apps[0].buildpacks.has_value());
  CHECK(m->apps[0].buildpacks->empty());
}

TEST_CASE("ParseManifest substitutes variables, whole and partial, before validating") {
  TempDir dir;
  Variables vars;
  REQUIRE(vars.AddFile(dir.Write("vars.yml", "count: 2\nmem: 256M\n")).ok());
  REQUIRE(vars.AddAssignment("host=shop").ok());
  Result<Manifest> m = Parse(
      "applications:\n"
      "- name: ((host))\n"
      "  instances: ((count))\n"
      "  memory: ((mem))\n"
      "  routes:\n"
      "  - route: ((host)).example.com/((host))\n",
      vars);
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  CHECK(m->apps[0].name == "shop");
  CHECK(m->apps[0].processes[0].instances == 2);
  CHECK(m->apps[0].processes[0].memory_mb == 256);
  CHECK(m->apps[0].routes == std::vector<std::string>{"shop.example.com/shop"});
}

TEST_CASE("ParseManifest names a missing variable and where it is used") {
  Result<Manifest> m = Parse("applications:\n- name: web\n  memory: ((mem))\n");
  REQUIRE_FALSE(m.ok());
  CHECK(Contains(m.status().message(), "manifest.yml:3:11: variable ((mem)) is not defined"));
}

TEST_CASE("A substituted value that is invalid is reported at the placeholder's position") {
  Variables vars;
  REQUIRE(vars.AddAssignment("n=-3").ok());
  Result<Manifest> m = Parse("applications:\n- name: web\n  instances: ((n))\n", vars);
  REQUIRE_FALSE(m.ok());
  CHECK(Contains(m.status().message(), "manifest.yml:3:14: applications[0].instances: must be at least 0, not -3"));
}

TEST_CASE("LoadManifest resolves path against the manifest's folder") {
  TempDir dir;
  std::filesystem::path file = dir.Write("proj/manifest.yml", "applications:\n- name: web\n  path: ../code\n");
  Result<Manifest> m = LoadManifest(file, {});
  REQUIRE(m.ok());
  CHECK(m->apps[0].path == (dir.path() / "code"));
  CHECK(Contains(m->apps[0].path_location, "manifest.yml:3:9: applications[0].path"));
}

TEST_CASE("LoadManifest of a missing file is an error naming it") {
  TempDir dir;
  Result<Manifest> m = LoadManifest(dir / "manifest.yml", {});
  REQUIRE_FALSE(m.ok());
  CHECK(Contains(m.status().message(), "cannot read manifest"));
}

TEST_CASE("log-rate-limit-per-second is read as bytes per second, -1 unlimited, per app or per process") {
  auto m = Parse("applications:\n- name: web\n  log-rate-limit-per-second: 16K\n  processes:\n"
                 "  - type: worker\n    log-rate-limit-per-second: -1\n");
  REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  REQUIRE(m->apps[0].processes.size() == 2);
  CHECK(m->apps[0].processes[0].log_rate_limit == 16384);
  CHECK(m->apps[0].processes[1].log_rate_limit == -1);
  auto bad = Parse("applications:\n- name: web\n  log-rate-limit-per-second: lots\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(Contains(bad.status().message(), "log-rate-limit-per-second"));
  CHECK(Contains(bad.status().message(), "must be -1 (unlimited) or a size per second"));
}

TEST_CASE("route options are read per route, and bad ones are errors naming the attribute") {
  auto m = Parse(R"(applications:
- name: web
  routes:
  - route: web.localhost
    options: {loadbalancing: least-connection}
  - route: t.localhost
    options:
      loadbalancing: hash
      hash_header: tenant-id
      hash_balance: 1.25
  - route: plain.localhost
)");
  REQUIRE(m.ok());
  const AppSpec& app = m->apps[0];
  CHECK(app.routes.size() == 3);
  CHECK(app.route_options.at("web.localhost") == std::map<std::string, std::string>{{"loadbalancing", "least-connection"}});
  CHECK(app.route_options.at("t.localhost") ==
        std::map<std::string, std::string>{{"loadbalancing", "hash"}, {"hash_header", "tenant-id"}, {"hash_balance", "1.25"}});
  CHECK_FALSE(app.route_options.count("plain.localhost"));

  auto bad = Parse("applications:\n- name: web\n  routes:\n  - route: web.localhost\n    options: {loadbalancing: random}\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(Contains(bad.status().message(), "routes[0].options.loadbalancing"));
  auto no_header = Parse("applications:\n- name: web\n  routes:\n  - route: web.localhost\n    options: {loadbalancing: hash}\n");
  REQUIRE_FALSE(no_header.ok());
  CHECK(Contains(no_header.status().message(), "hash_header"));
  auto unknown = Parse("applications:\n- name: web\n  routes:\n  - route: web.localhost\n    options: {sticky: yes}\n");
  REQUIRE_FALSE(unknown.ok());
  CHECK(Contains(unknown.status().message(), "unknown route option"));
}

TEST_CASE("ValidateRouteSyntax accepts host.domain/path and refuses schemes, ports and bad labels") {
  CHECK(ValidateRouteSyntax("web.localhost").ok());
  CHECK(ValidateRouteSyntax("example.com/api/v1").ok());
  CHECK_FALSE(ValidateRouteSyntax("Web.localhost").ok());
  CHECK_FALSE(ValidateRouteSyntax("web.localhost/").ok());
  CHECK_FALSE(ValidateRouteSyntax("web..localhost").ok());
  CHECK_FALSE(ValidateRouteSyntax("web.localhost/a b").ok());
}

}  // namespace
}  // namespace wharf::cli
