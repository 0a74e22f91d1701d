// From a desired process to the supervisor's desire: version, check, routing, and
// each instance's container (droplet, Cloud Foundry environment, launcher, limits).
#include "cell/instance_spec.h"
#include "common/facts/revision_tag.h"

#include <doctest/doctest.h>

#include <functional>
#include <vector>

namespace wharf::cell {
namespace {

DesiredProcess Hello() {
  DesiredProcess p;
  p.app_guid = "app-guid";
  p.app_name = "hello";
  p.environment = {{"GREETING", "hi"}};
  p.process_guid = "proc-guid";
  p.process_type = "web";
  p.instances = 2;
  p.memory_mb = 256;
  p.disk_mb = 512;
  p.check.type = HealthCheckType::kHttp;
  p.check.http_endpoint = "/healthz";
  p.check.start_timeout = std::chrono::seconds(90);
  p.droplet_guid = "droplet-guid";
  p.launch_argv = {"/bin/bash", "-c", "launcher", "wharf-launcher", "node server.js"};
  p.uris = {"hello.localhost"};
  return p;
}

}  // namespace

TEST_CASE("An instance's container: droplet, Cloud Foundry environment, launcher, limits, own network") {
  DesiredProcess p = Hello();
  health::ProcessDesire d = MakeDesire(p, "/droplets/droplet-guid", "http://127.0.0.1:9022");
  CHECK(d.key.app_guid == "app-guid");
  CHECK(d.instances == 2);
  CHECK(d.routable);
  CHECK(d.version == InstanceVersion(p));
  CHECK(d.check.type == HealthCheckType::kHttp);
  CHECK(d.check.http_endpoint == "/healthz");
  CHECK(d.check.start_timeout == std::chrono::seconds(90));
  auto spec = d.make_spec(1, "c1");
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  CHECK(spec->droplet_dir == "/droplets/droplet-guid");
  CHECK(spec->app_dir.empty());
  CHECK(spec->limits.memory_bytes == 256ull << 20);
  CHECK(spec->limits.disk_bytes == 512ull << 20);
  CHECK(spec->limits.cpu_shares == 256);
  CHECK(spec->network == runtime::NetworkMode::kIsolated);
  CHECK(spec->env.at("GREETING") == "hi");
  CHECK(spec->env.at("CF_INSTANCE_INDEX") == "1");
  CHECK(spec->env.at("MEMORY_LIMIT") == "256m");
  CHECK(spec->env.at("VCAP_APPLICATION").find("\"hello.localhost\"") != std::string::npos);
  CHECK(spec->env.at("VCAP_APPLICATION").find("http://127.0.0.1:9022") != std::string::npos);
  CHECK(spec->env.at("VCAP_SERVICES") == "{}");
  CHECK(spec->argv == p.launch_argv);
  DesiredProcess bound = p;
  bound.vcap_services = R"({"user-provided":[{"name":"db"}]})";
  auto bound_spec = MakeDesire(bound, "/droplets/droplet-guid", "").make_spec(0, "c3");
  REQUIRE(bound_spec.ok());
  CHECK(bound_spec->env.at("VCAP_SERVICES") == R"({"user-provided":[{"name":"db"}]})");
  CHECK(spec->labels.at("wharf.droplet") == "droplet-guid");

  p.process_type = "worker";
  p.launch_argv.clear();
  health::ProcessDesire worker = MakeDesire(p, "/droplets/droplet-guid", "");
  CHECK_FALSE(worker.routable);
  auto none = worker.make_spec(0, "c2");
  CHECK(none.status().code() == StatusCode::kUnprocessable);
  CHECK(none.status().message().find("no start command for process type 'worker'") != std::string::npos);
}

TEST_CASE("The version changes with revision, droplet, generation, memory, disk and log rate limit, not with the instance count") {
  DesiredProcess p = Hello();
  const std::string v1 = InstanceVersion(p);
  CHECK(v1 == "droplet--g0-m256-d512");
  DesiredProcess scaled = p;
  scaled.instances = 5;
  CHECK(InstanceVersion(scaled) == v1);
  CHECK(DesireFingerprint(scaled) != DesireFingerprint(p));
  for (auto change : std::vector<std::function<void(DesiredProcess&)>>{
           [](DesiredProcess& q) { q.droplet_guid = "other-guid"; },
           [](DesiredProcess& q) { q.revision = 2; },
           [](DesiredProcess& q) { q.run_generation = 1; },
           [](DesiredProcess& q) { q.memory_mb = 512; },
           [](DesiredProcess& q) { q.disk_mb = 1024; },
           [](DesiredProcess& q) { q.log_rate_limit = 1024; }}) {
    DesiredProcess q = p;
    change(q);
    CHECK(InstanceVersion(q) != v1);
  }
  DesiredProcess revised = p;
  revised.revision = 7;
  CHECK(InstanceVersion(revised) == "r7-droplet--g0-m256-d512");
  CHECK(RevisionOfTag(InstanceVersion(revised)) == std::optional<std::int64_t>(7));
  CHECK(!RevisionOfTag(v1));
  // No log rate limit (-1) keeps the tag instances had before the limit existed: an upgrade replaces nothing.
  DesiredProcess limited = p;
  limited.log_rate_limit = 0;
  CHECK(InstanceVersion(limited) == "droplet--g0-m256-d512-l0");
  CHECK(LogRateLimitOf({{kLabelLogRateLimit, "1024"}}) == 1024);
  CHECK(LogRateLimitOf({{kLabelLogRateLimit, "x"}}) == -1);
  CHECK(LogRateLimitOf({}) == -1);
}

TEST_CASE("Anything the desire depends on changes the fingerprint") {
  const DesiredProcess p = Hello();
  CHECK(DesireFingerprint(p) == DesireFingerprint(Hello()));
  for (auto change : std::vector<std::function<void(DesiredProcess&)>>{
           [](DesiredProcess& q) { q.launch_argv.back() = "node other.js"; },
           [](DesiredProcess& q) { q.environment["GREETING"] = "hello"; },
           [](DesiredProcess& q) { q.vcap_services = R"({"user-provided":[]})"; },
           [](DesiredProcess& q) { q.uris.push_back("other.localhost"); },
           [](DesiredProcess& q) { q.check.http_endpoint = "/"; },
           [](DesiredProcess& q) { q.app_name = "renamed"; },
           [](DesiredProcess& q) { q.indices = {0}; }}) {
    DesiredProcess q = p;
    change(q);
    CHECK(DesireFingerprint(q) != DesireFingerprint(p));
  }
}

TEST_CASE("The placed indices reach the supervisor's desire and change the fingerprint when the placement moves") {
  DesiredProcess p = Hello();
  p.instances = 4;
  CHECK(MakeDesire(p, "/droplets/d", "http://api").indices.empty());
  p.indices = {1, 3};
  CHECK(MakeDesire(p, "/droplets/d", "http://api").indices == std::vector<int>{1, 3});
  DesiredProcess moved = p;
  moved.indices = {1, 2};
  CHECK(DesireFingerprint(moved) != DesireFingerprint(p));
  CHECK(InstanceVersion(moved) == InstanceVersion(p));  // a move replaces nothing that stays
}

TEST_CASE("CPU shares follow memory within bounds") {
  CHECK(CpuSharesFor(1024) == 1024);
  CHECK(CpuSharesFor(1) == 2);
  CHECK(CpuSharesFor(1 << 20) == 8192);
}

}  // namespace wharf::cell
