// The canary analyzer over a real database and real services: the router's per-revision counters
// and the cell's reports stood in for, a fake clock.
#include "controller/dataplane/orchestration/canary_analyzer.h"

#include <doctest/doctest.h>

#include "controller/services/marketplace/service_fixture.h"
#include "state/apps/deployment_store.h"
#include "state/network/route_store.h"
#include "state/platform/event_store.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;
using testing::ServiceFixture;

class NoInstances final : public cell::InstanceReporter {
 public:
  int canary_crashes = 0;
  std::optional<std::uint64_t> canary_memory;
  std::int64_t canary_revision = 0;
  std::vector<InstanceReport> Instances(const std::string&, const std::string&) override {
    InstanceReport old_one;
    old_one.state = "RUNNING";
    old_one.version = "r1-x-g1-m-d";
    InstanceReport new_one;
    new_one.index = 1;
    new_one.state = "RUNNING";
    new_one.version = "r" + std::to_string(canary_revision) + "-y-g2-m-d";
    new_one.crash_count = canary_crashes;
    new_one.memory_bytes = canary_memory;
    old_one.memory_bytes = 10ull << 20;
    return {old_one, new_one};
  }
  Status RestartInstance(const std::string&, const std::string&, int) override { return Status::Ok(); }
};

class RecordingProber final : public Prober {
 public:
  std::vector<ProbeJob> jobs;
  bool Send(ProbeJob job) override {
    jobs.push_back(std::move(job));
    return true;
  }
};

struct AnalyzerFixture : ServiceFixture {
  DeploymentService deployments{*db, clock, events, logs};
  NoInstances reported;
  InstanceReporterSlot slot;
  std::map<std::pair<std::string, std::string>, router::TrafficTotals> traffic;
  std::string app_guid;
  std::string canary_tag;
  deployments::Deployment deployment;
  std::unique_ptr<CanaryAnalyzer> analyzer;

  RecordingProber prober;

  explicit AnalyzerFixture(std::string probe_path = "") {
    slot.Set(&reported);
    AppView app = CreateApp("web");
    app_guid = app.app.guid;
    Stage(CreatePackage(app_guid, {{"index.html", "hi"}}), "droplet");
    ScaleRequest scale;
    scale.instances = 2;
    REQUIRE(processes->Scale(actor, app.processes[0].guid, scale).ok());
    REQUIRE(apps->Act(actor, app_guid, state::AppAction::kStart).ok());
    REQUIRE(apps->PatchEnv(actor, app_guid, {{"COLOR", "green"}}).ok());
    DeploymentRequest request;
    request.strategy = deployments::Strategy::kCanary;
    request.canary_weights = {50};
    request.analysis_interval_secs = 10;
    request.analysis_probe_path = probe_path;
    auto created = deployments.Create(actor, app_guid, request);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    REQUIRE(*created);
    deployment = **created;
    reported.canary_revision = deployment.revision;
    canary_tag = "r" + std::to_string(deployment.revision) + "-y-g2-m-d";
    SetState("PAUSED");  // the step is reached (the driver does this once the canary runs)
    VersionTrafficSource source = [this] { return traffic; };
    analyzer = std::make_unique<CanaryAnalyzer>(*db, clock, deployments, slot, source, events, &prober);
  }
  ~AnalyzerFixture() { slot.Set(nullptr); }

  void SetState(const std::string& state) {
    REQUIRE(db->Transact([&](state::Tx& tx) -> Status {
                  state::DeploymentStore store(tx);
                  WHARF_ASSIGN_OR_RETURN(state::DeploymentRecord r, store.Get(deployment.guid));
                  r.state = state;
                  return store.Update(r);
                }).ok());
  }
  // `ok` 2xx and `errors` 5xx more on one side, all at `latency` (10 ms unless told).
  void Serve(const std::string& tag, std::uint64_t ok, std::uint64_t errors,
             std::chrono::microseconds latency = 10ms) {
    router::TrafficTotals& t = traffic[{app_guid, tag}];
    t.by_class[1] += ok;
    t.by_class[4] += errors;
    t.latency_buckets[3] += ok + errors;
    t.fine_latency.resize(router::kFineLatencyBuckets);
    t.fine_latency[router::FineLatencyIndex(latency)] += ok + errors;
  }
  std::string State() {
    auto d = deployments.Latest(app_guid);
    REQUIRE(d.ok());
    REQUIRE(*d);
    return std::string(deployments::StateName((*d)->state));
  }
  std::vector<state::Event> Analyses() {
    auto page = state::ListEvents(*db, state::EventFilter{app_guid, "app-deployment-analysis", {}},
                                  state::PageRequest{1, 50});
    REQUIRE(page.ok());
    return page->items;
  }
};

TEST_CASE("the latency sample stands each request at its fine bucket's midpoint, scaled down to the cap") {
  router::TrafficTotals t;
  t.fine_latency.resize(router::kFineLatencyBuckets);
  t.fine_latency[router::FineLatencyIndex(std::chrono::microseconds(1000))] = 30;
  t.fine_latency[router::FineLatencyIndex(std::chrono::microseconds(20000))] = 10;
  std::vector<double> all = LatencySample(t, 1000);
  REQUIRE(all.size() == 40);
  CHECK(all.front() == doctest::Approx(1.0).epsilon(0.07));
  CHECK(all.back() == doctest::Approx(20.0).epsilon(0.07));
  std::vector<double> capped = LatencySample(t, 20);
  CHECK(capped.size() == 20);
  CHECK(std::count(capped.begin(), capped.end(), all.front()) == 15);
  CHECK(LatencySample(router::TrafficTotals{}, 100).empty());
  router::TrafficTotals later = t;
  later.by_class[1] = 5;
  later.fine_latency[0] = 3;
  router::TrafficTotals earlier;
  earlier.by_class[1] = 9;  // counters reset since: counts from 0
  CHECK(Delta(later, earlier).by_class[1] == 5);
  CHECK(Delta(later, earlier).fine_latency[0] == 3);
  CHECK(Delta(later, t).fine_latency[0] == 3);
  CHECK(Delta(later, t).fine_latency[router::FineLatencyIndex(std::chrono::microseconds(1000))] == 0);
}

TEST_CASE("a healthy canary is promoted after two passing windows, and each window is an event") {
  AnalyzerFixture f;
  f.analyzer->Tick();  // the first window begins
  for (int window = 0; window < 2; ++window) {
    f.Serve("r1-x-g1-m-d", 300, 1);
    f.Serve(f.canary_tag, 300, 1);
    f.clock.Advance(10s);
    f.analyzer->Tick();
  }
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 2);
  CHECK(analyses[1].data["decision"] == "CONTINUE");
  CHECK(analyses[0].data["decision"] == "PROMOTE");
  CHECK(analyses[0].data["verdict"] == "PASS");
  CHECK(analyses[0].data["canary_requests"] == 301);
  CHECK(analyses[0].actor_name == "canary-analysis");
  CHECK(f.State() != "PAUSED");  // continued past its only step: completing
  CHECK(f.State() != "CANCELED");
}

TEST_CASE("a restarted analyzer goes on from the step's progress in the database") {
  AnalyzerFixture f;
  f.analyzer->Tick();
  f.Serve("r1-x-g1-m-d", 300, 0);
  f.Serve(f.canary_tag, 300, 0);
  f.clock.Advance(10s);
  f.analyzer->Tick();  // one passing window of the two that promote
  REQUIRE(f.Analyses().size() == 1);
  CHECK(f.Analyses()[0].data["decision"] == "CONTINUE");
  // wharfd restarts: a new analyzer over the same database; the router's counters start again.
  f.analyzer.reset();
  f.traffic.clear();
  f.analyzer = std::make_unique<CanaryAnalyzer>(*f.db, f.clock, f.deployments, f.slot,
                                                [&f] { return f.traffic; }, f.events, &f.prober);
  f.analyzer->Tick();  // its first window begins
  f.Serve("r1-x-g1-m-d", 300, 0);
  f.Serve(f.canary_tag, 300, 0);
  f.clock.Advance(10s);
  f.analyzer->Tick();
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 2);
  CHECK(analyses[0].data["decision"] == "PROMOTE");  // the pass before the restart counted
  CHECK(f.State() != "PAUSED");
  CHECK(f.State() != "CANCELED");
}

TEST_CASE("latency is judged at the fine histogram's resolution: 12 ms against 10 ms passes, 40 ms fails") {
  SUBCASE("slightly slower: promoted (the coarse histogram had put it in the 25 ms bucket)") {
    AnalyzerFixture f;
    f.analyzer->Tick();
    for (int window = 0; window < 2; ++window) {
      f.Serve("r1-x-g1-m-d", 300, 0, 10ms);
      f.Serve(f.canary_tag, 300, 0, 12ms);
      f.clock.Advance(10s);
      f.analyzer->Tick();
    }
    auto analyses = f.Analyses();
    REQUIRE(analyses.size() == 2);
    CHECK(analyses[0].data["decision"] == "PROMOTE");
  }
  SUBCASE("four times slower: two failing windows roll it back, the checks name the latency") {
    AnalyzerFixture f;
    f.analyzer->Tick();
    for (int window = 0; window < 2; ++window) {
      f.Serve("r1-x-g1-m-d", 300, 0, 10ms);
      f.Serve(f.canary_tag, 300, 0, 40ms);
      f.clock.Advance(10s);
      f.analyzer->Tick();
    }
    CHECK(f.State() == "CANCELED");
    auto analyses = f.Analyses();
    REQUIRE(analyses.size() == 2);
    CHECK(analyses[0].data["decision"] == "ROLLBACK");
    CHECK(analyses[0].data["checks"].dump().find("p95") != std::string::npos);
  }
}

TEST_CASE("a canary answering 20% 5xx is rolled back in its first window, with the reason") {
  AnalyzerFixture f;
  f.analyzer->Tick();
  f.Serve("r1-x-g1-m-d", 300, 0);
  f.Serve(f.canary_tag, 240, 60);
  f.clock.Advance(10s);
  f.analyzer->Tick();
  CHECK(f.State() == "CANCELED");
  auto d = f.deployments.Latest(f.app_guid);
  CHECK((*d)->reason.find("rolled back by canary analysis") != std::string::npos);
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 1);
  CHECK(analyses[0].data["verdict"] == "FAIL");
  CHECK(analyses[0].data["decision"] == "ROLLBACK");
  CHECK(analyses[0].data["canary_5xx"] == 60);
}

TEST_CASE("5xx are judged every tick at a stricter level: a failing canary is rolled back before its window ends") {
  AnalyzerFixture f;  // windows of 10 s, ticks of 1 s: alpha 0.05 / 10 while the window runs
  f.analyzer->Tick();
  // A marginal difference is left to the window's end (1 error in 60 is not significant at 0.005).
  f.Serve("r1-x-g1-m-d", 60, 0);
  f.Serve(f.canary_tag, 59, 1);
  f.clock.Advance(1s);
  f.analyzer->Tick();
  CHECK(f.State() == "PAUSED");
  CHECK(f.Analyses().empty());
  // One in five failing, two seconds in: judged now.
  f.Serve("r1-x-g1-m-d", 40, 0);
  f.Serve(f.canary_tag, 25, 15);
  f.clock.Advance(1s);
  f.analyzer->Tick();
  CHECK(f.State() == "CANCELED");
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 1);
  CHECK(analyses[0].data["verdict"] == "FAIL");
  CHECK(analyses[0].data["decision"] == "ROLLBACK");
  CHECK(analyses[0].data["window_secs"] == 2);  // as long as the window ran
  CHECK(analyses[0].data["canary_5xx"] == 16);
}

TEST_CASE("a healthy canary is not judged before its window ends") {
  AnalyzerFixture f;
  f.analyzer->Tick();
  for (int s = 1; s < 10; ++s) {
    f.Serve("r1-x-g1-m-d", 100, 0);
    f.Serve(f.canary_tag, 100, 0, 40ms);  // slower, but latency waits for the window
    f.clock.Advance(1s);
    f.analyzer->Tick();
  }
  CHECK(f.Analyses().empty());
  CHECK(f.State() == "PAUSED");
}

TEST_CASE("thin traffic is never a pass: the step is extended, and a crash rolls back at once") {
  AnalyzerFixture f;
  f.analyzer->Tick();
  for (int window = 0; window < 3; ++window) {
    f.Serve("r1-x-g1-m-d", 5, 0);
    f.Serve(f.canary_tag, 5, 0);
    f.clock.Advance(10s);
    f.analyzer->Tick();
  }
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 3);
  CHECK(analyses[0].data["verdict"] == "INSUFFICIENT");
  CHECK(analyses[0].data["decision"] == "EXTEND");
  CHECK(analyses[0].data["needs_probes"] == true);
  CHECK(f.State() == "PAUSED");
  f.reported.canary_crashes = 1;
  f.clock.Advance(10s);
  f.analyzer->Tick();
  CHECK(f.State() == "CANCELED");
}

TEST_CASE("a thin window with a probe path sends pinned probes through the app's route, and says so") {
  AnalyzerFixture f("/health");
  auto domain = f.db->Read<std::optional<state::Domain>>(
      [](state::Tx& tx) { return state::RouteStore(tx).FindDomainByName("localhost"); });
  REQUIRE(domain.ok());
  REQUIRE(*domain);
  NewRoute spec;
  spec.host = "web";
  spec.domain_guid = (*domain)->guid;
  spec.path = "/api";
  auto route = f.routes->CreateRoute(f.actor, spec);
  REQUIRE_MESSAGE(route.ok(), route.status().ToString());
  REQUIRE(f.routes->AddDestination(f.actor, route->guid, f.app_guid, "web").ok());
  f.analyzer->Tick();
  f.Serve("r1-x-g1-m-d", 10, 0);
  f.Serve(f.canary_tag, 4, 0);
  f.clock.Advance(10s);
  f.analyzer->Tick();
  REQUIRE(f.prober.jobs.size() == 1);
  const ProbeJob& job = f.prober.jobs[0];
  CHECK(job.host == "web.localhost");
  CHECK(job.path == "/api/health");
  REQUIRE(job.requests.size() == 2);
  CHECK(job.requests[0].first == f.deployment.previous_revision);
  CHECK(job.requests[1].first == f.deployment.revision);
  CHECK(job.requests[0].second >= 40);  // 50 needed, 10 seen, a fifth more for the window's edge
  CHECK(job.requests[1].second >= 46);
  CHECK(job.requests[1].second <= 200);
  CHECK(job.spread == 8000ms);
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 1);
  CHECK(analyses[0].data["probes"]["path"] == "/api/health");
  CHECK(analyses[0].data["probes"]["canary"] == job.requests[1].second);
  // Without a probe path nothing is sent: the step is extended instead.
  AnalyzerFixture plain;
  plain.analyzer->Tick();
  plain.clock.Advance(10s);
  plain.analyzer->Tick();
  CHECK(plain.prober.jobs.empty());
}

TEST_CASE("a canary whose memory peaked near its limit during the window is rolled back") {
  AnalyzerFixture f;
  const int memory_mb = f.processes->GetByType(f.app_guid, "web")->memory_in_mb;
  f.analyzer->Tick();
  f.Serve("r1-x-g1-m-d", 300, 0);
  f.Serve(f.canary_tag, 300, 0);
  f.clock.Advance(4s);
  f.reported.canary_memory = static_cast<std::uint64_t>(memory_mb) * 1024 * 1024 * 95 / 100;  // a peak of 95%
  f.analyzer->Tick();
  f.reported.canary_memory = 1ull << 20;  // gone again by the window's end: the peak still counts
  f.clock.Advance(6s);
  f.analyzer->Tick();
  CHECK(f.State() == "CANCELED");
  auto analyses = f.Analyses();
  REQUIRE(analyses.size() == 1);
  CHECK(analyses[0].data["verdict"] == "FAIL");
  CHECK(analyses[0].data["reason"].get<std::string>().find("memory") != std::string::npos);
}

TEST_CASE("a deployment without an analysis interval, or still deploying its step, is left alone") {
  AnalyzerFixture f;
  f.SetState("DEPLOYING");
  f.analyzer->Tick();
  f.Serve(f.canary_tag, 240, 60);
  f.clock.Advance(30s);
  f.analyzer->Tick();
  CHECK(f.Analyses().empty());
  CHECK(f.State() == "DEPLOYING");
}

}  // namespace
}  // namespace wharf::controller
