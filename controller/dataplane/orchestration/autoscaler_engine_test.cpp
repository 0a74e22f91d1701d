// The autoscaler's loop over a real database and real services: instances reported by a
// stand-in for the cell, traffic counted by the router's real TrafficStats, a fake clock.
#include "controller/dataplane/orchestration/autoscaler_engine.h"

#include <doctest/doctest.h>

#include <memory>
#include <sstream>

#include <Poco/Base64Encoder.h>

#include "controller/services/marketplace/service_fixture.h"
#include "controller/services/releases/custom_metrics_intake.h"
#include "controller/services/releases/deployment_service.h"
#include "router/traffic_stats.h"
#include "state/platform/event_store.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;
using testing::ServiceFixture;

// What the cell would report: `count` RUNNING web instances with the given usage.
class ReportedInstances final : public cell::InstanceReporter {
 public:
  int count = 1;
  double cpu = 0.1;  // fraction of one core
  std::uint64_t memory_bytes = 100ull << 20;
  std::vector<InstanceReport> Instances(const std::string&, const std::string&) override {
    std::vector<InstanceReport> out;
    for (int i = 0; i < count; ++i) {
      InstanceReport r;
      r.index = i;
      r.state = "RUNNING";
      r.cpu = cpu;
      r.memory_bytes = memory_bytes;
      r.disk_bytes = 10ull << 20;
      out.push_back(r);
    }
    return out;
  }
  Status RestartInstance(const std::string&, const std::string&, int) override { return Status::Ok(); }
};

struct EngineFixture : ServiceFixture {
  autoscaler::TimeZoneDb zones;
  AutoscalingService autoscaling{*db, clock, events, zones, autoscaler::ParseOptions{1, 3600}};
  AutoscalingMetrics metrics{*db};
  ReportedInstances reported;
  InstanceReporterSlot slot;
  std::shared_ptr<router::TrafficStats> traffic = std::make_shared<router::TrafficStats>(1);
  std::string app_guid;
  std::unique_ptr<AutoscalerEngine> engine;

  EngineFixture() {
    slot.Set(&reported);
    AppView app = CreateApp("web");
    app_guid = app.app.guid;
    Stage(CreatePackage(app_guid, {{"index.html", "hi"}}), "droplet");
    REQUIRE(apps->Act(actor, app_guid, state::AppAction::kStart).ok());
    TrafficSource source = [this] {
      return std::map<std::string, router::TrafficTotals>{{app_guid, traffic->Totals()}};
    };
    engine = std::make_unique<AutoscalerEngine>(*db, clock, autoscaling, metrics, *processes, slot, source, events);
  }
  ~EngineFixture() { slot.Set(nullptr); }

  int Instances() { return processes->GetByType(app_guid, "web")->instances; }
  // Ticks every 2 s for `d`, as the loop does.
  void Run(std::chrono::seconds d, int requests_per_tick = 0) {
    for (auto t = 0s; t < d; t += 2s) {
      for (int i = 0; i < requests_per_tick; ++i) {
        traffic->BeginRequest(0);
        traffic->EndRequest(0, 200, 30ms, 100);
      }
      engine->Tick();
      clock.Advance(2s);
    }
  }
  std::vector<state::Event> History() {
    auto page = autoscaling.History(app_guid, state::PageRequest{1, 50});
    REQUIRE(page.ok());
    return page->items;
  }
};

TEST_CASE("a cpu breach held for breach_duration_secs scales out through ProcessService, as an event") {
  EngineFixture f;
  REQUIRE(f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":1,"instance_max_count":3,
      "scaling_rules":[{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1",
                        "breach_duration_secs":6,"cool_down_secs":20}]})").ok());
  f.reported.cpu = 0.2;
  f.Run(10s);
  CHECK(f.Instances() == 1);
  f.reported.cpu = 0.9;
  f.Run(6s);
  CHECK(f.Instances() == 1);  // 6 s of breach not yet complete at the last tick
  f.Run(2s);
  CHECK(f.Instances() == 2);
  auto history = f.History();
  REQUIRE(history.size() == 1);
  CHECK(history[0].actor_name == "autoscaler");
  CHECK(history[0].data["trigger"] == "scaling_rules[0]");
  CHECK(history[0].data["from"] == 1);
  CHECK(history[0].data["to"] == 2);
  CHECK(history[0].data["reaction_ms"].get<std::int64_t>() <= 2000);
  // The cool-down holds the next step though cpu stays high.
  f.Run(16s);
  CHECK(f.Instances() == 2);
  f.Run(6s);
  CHECK(f.Instances() == 3);
  // The samples were recorded.
  auto cpu = f.metrics.History(f.app_guid, "cpu", f.clock.Now() - 1h, 100);
  REQUIRE(cpu.ok());
  CHECK(cpu->size() > 10);
  CHECK(cpu->back().value == doctest::Approx(90));
}

TEST_CASE("throughput and response time come from the router's counters, per instance") {
  EngineFixture f;
  REQUIRE(f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":1,"instance_max_count":2,
      "scaling_rules":[{"metric_type":"throughput","threshold":20,"operator":">","adjustment":"+1",
                        "breach_duration_secs":4,"cool_down_secs":4},
                       {"metric_type":"throughput","threshold":5,"operator":"<","adjustment":"-1",
                        "breach_duration_secs":4,"cool_down_secs":4}]})").ok());
  f.Run(10s, /*requests_per_tick=*/100);  // 50 requests per second
  CHECK(f.Instances() == 2);
  auto rps = f.metrics.History(f.app_guid, "throughput", f.clock.Now() - 1h, 100);
  REQUIRE(rps.ok());
  REQUIRE(!rps->empty());
  CHECK(rps->front().value == doctest::Approx(50));
  auto latency = f.metrics.History(f.app_guid, "responsetime", f.clock.Now() - 1h, 100);
  REQUIRE(latency.ok());
  REQUIRE(!latency->empty());
  CHECK(latency->back().value == doctest::Approx(30));
  // Idle: scales back in once the cool-down and the scale-in breach have passed.
  f.Run(12s, 0);
  CHECK(f.Instances() == 1);
  CHECK(f.History().front().data["direction"] == "scale-in");
}

TEST_CASE("a disabled policy and a stopped app are left alone") {
  EngineFixture f;
  REQUIRE(f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":2,"instance_max_count":3,
      "scaling_rules":[{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1"}]})").ok());
  REQUIRE(f.autoscaling.SetEnabled(f.actor, f.app_guid, false).ok());
  f.Run(4s);
  CHECK(f.Instances() == 1);
  REQUIRE(f.apps->Act(f.actor, f.app_guid, state::AppAction::kStop).ok());
  REQUIRE(f.autoscaling.SetEnabled(f.actor, f.app_guid, true).ok());
  f.Run(4s);
  CHECK(f.Instances() == 1);
  REQUIRE(f.apps->Act(f.actor, f.app_guid, state::AppAction::kStart).ok());
  f.Run(2s);
  CHECK(f.Instances() == 2);  // the minimum applies at once
  CHECK(f.History().front().data["trigger"] == "instance_min_count");
}

TEST_CASE("policies are validated when attached, the custom-metrics credential checks") {
  EngineFixture f;
  auto bad = f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":1,"instance_max_count":2,
      "scaling_rules":[{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1"},
                       {"metric_type":"cpu","threshold":10,"operator":"<","adjustment":"down"}]})");
  REQUIRE(!bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().rfind("scaling_rules[1].adjustment:", 0) == 0);
  CHECK(f.autoscaling.Get(f.app_guid).status().code() == StatusCode::kNotFound);
  CHECK(f.autoscaling.Attach(f.actor, "no-such-app", R"({"instance_min_count":1,"instance_max_count":2,
      "scaling_rules":[]})").status().code() == StatusCode::kNotFound);
  auto cred = f.autoscaling.CreateCredential(f.actor, f.app_guid);
  REQUIRE(cred.ok());
  CHECK(f.autoscaling.CheckCredential(f.app_guid, cred->username, cred->password).ok());
  CHECK(f.autoscaling.CheckCredential(f.app_guid, cred->username, "wrong").code() == StatusCode::kUnauthenticated);
  CHECK(f.autoscaling.CheckCredential("other-app", cred->username, cred->password).code() ==
        StatusCode::kUnauthenticated);
}

TEST_CASE("deleting an app deletes its policy, credential and samples") {
  EngineFixture f;
  REQUIRE(f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":1,"instance_max_count":2,
      "scaling_rules":[{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1"}]})").ok());
  REQUIRE(f.autoscaling.CreateCredential(f.actor, f.app_guid).ok());
  f.Run(4s);
  REQUIRE(!f.metrics.History(f.app_guid, "cpu", f.clock.Now() - 1h, 10)->empty());
  REQUIRE(f.apps->Act(f.actor, f.app_guid, state::AppAction::kStop).ok());
  REQUIRE(f.apps->Delete(f.actor, f.app_guid, /*recursive=*/true).ok());
  CHECK(f.autoscaling.List()->empty());
  CHECK(f.metrics.History(f.app_guid, "cpu", f.clock.Now() - 1h, 10)->empty());
  f.Run(2s);  // the loop copes with the app gone
}

TEST_CASE("a scaling waits while a deployment runs, is told once, and happens when the deployment ends") {
  EngineFixture f;
  REQUIRE(f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":1,"instance_max_count":3,
      "scaling_rules":[{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1",
                        "breach_duration_secs":4,"cool_down_secs":4}]})").ok());
  DeploymentService deployments(*f.db, f.clock, f.events, f.logs);
  REQUIRE(f.apps->PatchEnv(f.actor, f.app_guid, {{"COLOR", "green"}}).ok());
  DeploymentRequest request;
  request.strategy = deployments::Strategy::kCanary;
  request.instance_steps = {50};
  auto created = deployments.Create(f.actor, f.app_guid, request);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  REQUIRE(*created);
  f.reported.cpu = 0.9;
  f.Run(20s);
  CHECK(f.Instances() == 1);  // held: the deployment owns the counts
  auto history = f.History();
  REQUIRE(history.size() == 1);  // told once, not every tick
  CHECK(history[0].type == "app-autoscaling-deferred");
  CHECK(history[0].data["status"] == "deferred");
  CHECK(history[0].data["to"] == 2);
  CHECK(history[0].data["deployment_guid"] == (*created)->guid);
  CHECK(history[0].data["reason"].get<std::string>().find("waits for deployment") != std::string::npos);
  // A deferral is not a scaling: it starts no cool-down.
  CHECK_FALSE(f.autoscaling.LastScaling(f.app_guid)->has_value());
  REQUIRE(deployments.Cancel(f.actor, f.app_guid).ok());
  f.Run(2s);
  CHECK(f.Instances() == 2);
  history = f.History();
  CHECK(history[0].type == "app-autoscaled");
  CHECK(history[0].data["status"] == "succeeded");
}

TEST_CASE("cpuutil is measured against the instance's entitlement on the cell") {
  EngineFixture f;
  AutoscalerEngineOptions options;
  options.cell = {4096, 2};  // web has 1024 MB by default: entitled to half a core
  TrafficSource none;
  AutoscalerEngine engine(*f.db, f.clock, f.autoscaling, f.metrics, *f.processes, f.slot, none, f.events, options);
  REQUIRE(f.autoscaling.Attach(f.actor, f.app_guid, R"({"instance_min_count":1,"instance_max_count":2,
      "scaling_rules":[{"metric_type":"cpuutil","threshold":90,"operator":">","adjustment":"+1",
                        "breach_duration_secs":4,"cool_down_secs":4}]})").ok());
  const int memory_mb = f.processes->GetByType(f.app_guid, "web")->memory_in_mb;
  f.reported.cpu = 0.25;
  engine.Tick();
  auto util = f.metrics.History(f.app_guid, "cpuutil", f.clock.Now() - 1h, 10);
  REQUIRE(util.ok());
  REQUIRE(util->size() == 1);
  CHECK(util->back().value == doctest::Approx(25.0 / (200.0 * memory_mb / 4096) * 100));
  auto count = f.metrics.History(f.app_guid, "instances", f.clock.Now() - 1h, 10);
  REQUIRE(count.ok());
  REQUIRE(count->size() == 1);
  CHECK(count->back().value == 1);
}

TEST_CASE("custom metrics: the credential, then the body, then the app's rate per value, and 'instances' is the platform's") {
  EngineFixture f;
  CustomMetricsIntake intake(f.autoscaling, f.metrics, f.clock, CustomMetricsLimits{10, 20, 3});
  auto cred = f.autoscaling.CreateCredential(f.actor, f.app_guid);
  REQUIRE(cred.ok());
  auto basic = [](const std::string& user, const std::string& password) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);  // one line, as a header value must be
    encoder << user << ":" << password;
    encoder.close();
    return "Basic " + out.str();
  };
  const nlohmann::json one = {{"instance_index", 0}, {"metrics", {{{"name", "jobs"}, {"value", 7}, {"unit", "jobs"}}}}};
  CHECK(intake.Post(f.app_guid, "", one).code() == StatusCode::kUnauthenticated);
  CHECK(intake.Post(f.app_guid, basic(cred->username, "wrong"), one).code() == StatusCode::kUnauthenticated);
  CHECK(intake.Post(f.app_guid, "Basic !!!", one).code() == StatusCode::kUnauthenticated);
  const std::string good = basic(cred->username, cred->password);
  Status first = intake.Post(f.app_guid, good, one);
  REQUIRE_MESSAGE(first.ok(), first.ToString());
  nlohmann::json named = one;
  named["metrics"][0]["name"] = "instances";
  Status refused = intake.Post(f.app_guid, good, named);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.message().find("metrics[0].name") != std::string::npos);
  nlohmann::json many = {{"metrics", nlohmann::json::array()}};
  for (int i = 0; i < 4; ++i) many["metrics"].push_back({{"name", "m" + std::to_string(i)}, {"value", i}});
  CHECK(intake.Post(f.app_guid, good, many).code() == StatusCode::kInvalidArgument);
  // A flood: the burst (20 values, one taken by the first post; refused bodies take none) passes,
  // the rest is refused until tokens come back.
  int accepted = 0, limited = 0;
  for (int i = 0; i < 100; ++i) {
    Status s = intake.Post(f.app_guid, good, one);
    accepted += s.ok() ? 1 : 0;
    limited += s.code() == StatusCode::kTooManyRequests ? 1 : 0;
  }
  CHECK(accepted == 19);
  CHECK(limited == 81);
  // Each value of a post takes a token: a second later, 10 tokens are a 3-value post and 7 single ones.
  f.clock.Advance(1s);
  nlohmann::json three = {{"metrics", nlohmann::json::array()}};
  for (int i = 0; i < 3; ++i) three["metrics"].push_back({{"name", "jobs"}, {"value", i}});
  CHECK(intake.Post(f.app_guid, good, three).ok());
  for (int i = 0; i < 7; ++i) CHECK(intake.Post(f.app_guid, good, one).ok());
  CHECK(intake.Post(f.app_guid, good, one).code() == StatusCode::kTooManyRequests);
  auto jobs = f.metrics.History(f.app_guid, "jobs", f.clock.Now() - 1h, 1000);
  REQUIRE(jobs.ok());
  CHECK(static_cast<int>(jobs->size()) == 1 + 19 + 3 + 7);
}

}  // namespace
}  // namespace wharf::controller
