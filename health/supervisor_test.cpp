// The supervisor's behaviour over (fake) time: an in-memory runtime
// (runtime/testing/) and prober stand in for containers and sockets, so every
// step is exact and instant.
#include "health/supervisor.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "health/test_support.h"
#include "runtime/testing/fake_container_runtime.h"

namespace wharf::health {
namespace {

using namespace std::chrono_literals;

using FakeRuntime = runtime::testing::FakeContainerRuntime;

class FakeProber final : public Prober {
 public:
  std::set<std::string> healthy_ips;  // instances whose check passes
  std::set<std::string> unready_ips;  // instances whose readiness check (endpoint /ready) fails
  int probes = 0;
  int readiness_probes = 0;
  Status Probe(const HealthCheckSpec& spec, const std::string& ip, int, bool) override {
    if (spec.http_endpoint == "/ready") {
      ++readiness_probes;
      return unready_ips.count(ip) ? Status::Unavailable("received status code 503") : Status::Ok();
    }
    ++probes;
    return healthy_ips.count(ip) ? Status::Ok() : Status::Unavailable("connection refused");
  }
};

using testing::Recorder;

SupervisorOptions NoDrain() {
  SupervisorOptions o;
  o.drain_delay = 0ms;
  return o;
}

struct World {
  FakeClock clock;
  FakeRuntime rt;
  FakeProber prober;
  Recorder rec;
  Supervisor sup{rt, clock, prober, rec, rec, NoDrain()};

  ProcessDesire Web(int instances, std::string version = "v1") {
    ProcessDesire d;
    d.key = {"app-1", "web"};
    d.version = std::move(version);
    d.instances = instances;
    d.check.start_timeout = 60s;
    d.check.startup_interval = 1s;
    d.check.liveness_interval = 30s;
    d.make_spec = [](int, const std::string&) {
      runtime::ContainerSpec s;
      s.droplet_dir = "/droplet";
      s.argv = {"run"};
      return Result<runtime::ContainerSpec>(s);
    };
    return d;
  }
  void HealAll() {
    for (auto& id : rt.Ids()) prober.healthy_ips.insert(rt.Inspect(id)->ip);
  }
  void Step(std::chrono::seconds d = 0s) {
    clock.Advance(d);
    sup.Tick();
    sup.WaitForStops();
  }
};

}  // namespace

TEST_CASE("Supervisor starts the desired instances and routes each only once it is healthy") {
  World w;
  w.sup.SetProcess(w.Web(2));
  w.Step();
  CHECK(w.rt.Ids().size() == 2);
  CHECK(w.rec.endpoints.empty());
  auto ids = w.rt.Ids();
  w.prober.healthy_ips.insert(w.rt.Inspect(ids[0])->ip);
  w.Step(1s);
  REQUIRE(w.rec.endpoints.size() == 1);
  CHECK(w.rec.endpoints[0].container_id == ids[0]);
  CHECK(w.rec.endpoints[0].port == 8080);
  CHECK(w.rec.endpoints[0].version == "v1");  // the router's version tag: what the instance runs
  w.HealAll();
  w.Step(1s);
  CHECK(w.rec.endpoints.size() == 2);
  CHECK(w.rec.Count(InstanceEventKind::kHealthy) == 2);
  auto inst = w.sup.Instances("app-1");
  REQUIRE(inst.size() == 2);
  CHECK(inst[0].state == InstanceState::kRunning);
  CHECK(inst[0].index == 0);
  CHECK(inst[1].index == 1);
  CHECK(inst[0].container_id.rfind("app1-web-0-", 0) == 0);
}

TEST_CASE("A crashed instance loses its route at once and is restarted immediately three times, then after 30 s") {
  World w;
  w.sup.SetProcess(w.Web(1));
  for (int crash = 1; crash <= 4; ++crash) {
    w.Step();
    REQUIRE(w.rt.Ids().size() == 1);
    w.HealAll();
    w.Step(1s);
    REQUIRE(w.rec.endpoints.size() == 1);
    w.rt.Exit(w.rt.Ids()[0], 1);
    w.Step();  // the crash is noticed and, while immediate, restarted in the same step
    CHECK(w.rec.endpoints.empty());
    CHECK(w.rec.events.back().kind != InstanceEventKind::kHealthy);
    if (crash < 4) {
      CHECK(w.rt.Ids().size() == 1);
      // Kill the fresh one's predecessor path: let the loop heal the new instance.
      continue;
    }
    CHECK(w.rt.Ids().empty());  // 4th crash: waits
  }
  auto inst = w.sup.Instances("app-1");
  REQUIRE(inst.size() == 1);
  CHECK(inst[0].state == InstanceState::kCrashed);
  CHECK(inst[0].crash_count == 4);
  CHECK(inst[0].last_crash_reason == "exited with status 1");
  w.Step(29s);
  CHECK(w.rt.Ids().empty());
  w.Step(1s);
  CHECK(w.rt.Ids().size() == 1);
  CHECK(w.sup.Instances("app-1")[0].crash_count == 4);  // carried into the new container
  CHECK(w.rec.Count(InstanceEventKind::kCrashed) == 4);
}

TEST_CASE("An OOM kill is a crash whose reason says so") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();
  w.rt.Exit(w.rt.Ids()[0], 137, /*oom=*/true);
  w.Step();
  bool seen = false;
  for (auto& e : w.rec.events) {
    if (e.kind == InstanceEventKind::kCrashed) {
      CHECK(e.oom_killed);
      CHECK(e.reason == "exited with status 137 (out of memory)");
      seen = true;
    }
  }
  CHECK(seen);
}

TEST_CASE("An instance whose startup check never passes crashes at the start timeout and is killed") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();
  auto id = w.rt.Ids()[0];
  for (int i = 0; i < 59; ++i) w.Step(1s);
  CHECK(w.rec.Count(InstanceEventKind::kCrashed) == 0);
  int probes_before = w.prober.probes;
  w.Step(1s);
  CHECK(w.prober.probes == probes_before + 1);  // polled every second, not busier
  CHECK(w.rec.Count(InstanceEventKind::kCrashed) == 1);
  bool timed_out = false;
  for (auto& e : w.rec.events) timed_out = timed_out || e.reason == "Instance never healthy after 1m0s: connection refused";
  CHECK(timed_out);
  CHECK(w.rt.boxes.count(id) == 0);  // killed and replaced (first crash: at once)
  CHECK(w.rt.Ids().size() == 1);
}

TEST_CASE("The startup check polls quickly at first, then backs off to the configured interval") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();  // starts it; the first check comes with the next tick
  int p0 = w.prober.probes;
  CHECK(p0 == 0);
  std::vector<int> probes_at_ms;
  for (int ms = 1; ms <= 3000; ++ms) {
    w.clock.Advance(std::chrono::milliseconds(1));
    w.sup.Tick();
    if (w.prober.probes != p0) {
      probes_at_ms.push_back(ms);
      p0 = w.prober.probes;
    }
  }
  // At once, then every 20 ms for the first 2 s after the start, then every 200 ms.
  REQUIRE(probes_at_ms.size() > 100);
  CHECK(std::vector<int>(probes_at_ms.begin(), probes_at_ms.begin() + 5) == std::vector<int>{1, 21, 41, 61, 81});
  for (std::size_t i = 1; i < probes_at_ms.size(); ++i) {
    const int gap = probes_at_ms[i] - probes_at_ms[i - 1];
    CAPTURE(probes_at_ms[i]);
    CHECK(gap == (probes_at_ms[i - 1] < 2000 ? 20 : 200));
  }
  CHECK(probes_at_ms.back() > 2700);
}

TEST_CASE("A failing liveness check is a crash") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();
  w.HealAll();
  w.Step(1s);
  REQUIRE(w.rec.endpoints.size() == 1);
  w.prober.healthy_ips.clear();
  w.Step(29s);
  CHECK(w.rec.endpoints.size() == 1);  // not checked yet
  w.Step(1s);
  CHECK(w.rec.endpoints.empty());
  CHECK(w.rec.Count(InstanceEventKind::kCrashed) == 1);
  bool found = false;
  for (auto& e : w.rec.events) found = found || e.reason == "Instance became unhealthy: connection refused";
  CHECK(found);
}

TEST_CASE("An instance over its disk quota is crashed at its next liveness check") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();
  w.HealAll();
  w.Step(1s);
  w.rt.disk_used = 1025ull << 20;
  w.Step(30s);
  bool found = false;
  for (auto& e : w.rec.events) found = found || e.reason == "disk quota exceeded: 1025M used of 1024M";
  CHECK(found);
}

TEST_CASE("Scaling down stops the extra instance gracefully and withdraws its route first") {
  World w;
  w.sup.SetProcess(w.Web(3));
  w.Step();
  w.HealAll();
  w.Step(1s);
  CHECK(w.rec.endpoints.size() == 3);
  w.sup.SetProcess(w.Web(1));
  w.Step();
  CHECK(w.rec.endpoints.size() == 1);
  CHECK(w.rec.endpoints[0].index == 0);
  CHECK(w.rt.boxes.size() == 1);  // stopped and destroyed
  CHECK(w.rec.Count(InstanceEventKind::kStopped) == 2);
  CHECK(w.sup.Instances("app-1").size() == 1);
}

TEST_CASE("A start that fails is a crash with backoff, never a busy loop") {
  World w;
  w.rt.fail_starts = true;
  w.sup.SetProcess(w.Web(1));
  for (int i = 0; i < 10; ++i) w.Step();
  CHECK(w.rec.Count(InstanceEventKind::kCrashed) == 4);  // 3 immediate retries, then a 30 s wait
  w.rt.fail_starts = false;
  w.Step(30s);
  CHECK(w.rt.Ids().size() == 1);
}

TEST_CASE("After a restart the supervisor adopts its labelled containers without restarting them") {
  World w;
  w.sup.SetProcess(w.Web(2));
  w.Step();
  w.HealAll();
  w.Step(1s);
  auto before = w.rt.Ids();
  runtime::ContainerSpec staging;
  staging.id = "staging-1";
  REQUIRE(w.rt.Start(staging).ok());  // not the supervisor's: no labels

  Recorder rec2;
  Supervisor again(w.rt, w.clock, w.prober, rec2, rec2);
  REQUIRE(again.Recover().ok());
  again.SetProcess(w.Web(2));
  w.clock.Advance(5s);
  again.Tick();
  again.WaitForStops();
  for (const InstanceStatus& s : again.Instances("app-1")) {
    CHECK(s.state == InstanceState::kRunning);
    CHECK(s.since <= w.clock.Now() - 5s);  // up since its container started, not since the adoption
  }
  auto after = w.rt.Ids();
  CHECK(after.size() == 3);  // the same two, plus the staging container left alone
  for (auto& id : before) CHECK(std::find(after.begin(), after.end(), id) != after.end());
  CHECK(rec2.endpoints.size() == 2);
  CHECK(rec2.Count(InstanceEventKind::kStarting) == 0);
}

TEST_CASE("CheckNow routes adopted healthy instances at once and starts nothing") {
  World w;
  w.sup.SetProcess(w.Web(2));
  w.Step();
  w.HealAll();
  w.Step(1s);
  auto before = w.rt.Ids();
  REQUIRE(before.size() == 2);
  w.prober.healthy_ips.erase(w.rt.Inspect(before[1])->ip);  // this one no longer answers

  Recorder rec2;
  Supervisor again(w.rt, w.clock, w.prober, rec2, rec2);
  REQUIRE(again.Recover().ok());
  again.SetProcess(w.Web(3));  // one more wanted: CheckNow must not start it
  again.CheckNow();
  REQUIRE(rec2.endpoints.size() == 1);
  CHECK(rec2.endpoints[0].container_id == before[0]);
  CHECK(w.rt.Ids().size() == 2);
  CHECK(rec2.Count(InstanceEventKind::kStarting) == 0);
}

TEST_CASE("Restarting one instance index replaces just that one") {
  World w;
  w.sup.SetProcess(w.Web(2));
  w.Step();
  w.HealAll();
  w.Step(1s);
  auto inst = w.sup.Instances("app-1");
  REQUIRE(w.sup.RestartInstance({"app-1", "web"}, 1).ok());
  w.Step();
  w.Step();
  auto now = w.sup.Instances("app-1");
  REQUIRE(now.size() == 2);
  CHECK(now[0].container_id == inst[0].container_id);
  CHECK(now[1].container_id != inst[1].container_id);
  CHECK(now[1].state == InstanceState::kStarting);
  CHECK(w.sup.RestartInstance({"app-1", "web"}, 7).code() == StatusCode::kNotFound);
}

TEST_CASE("A routed instance stopped on purpose loses its endpoint first and is stopped a drain delay later") {
  World w;
  SupervisorOptions options;
  options.drain_delay = 300ms;
  Recorder rec;
  Supervisor sup(w.rt, w.clock, w.prober, rec, rec, options);
  sup.SetProcess(w.Web(1));
  sup.Tick();
  w.HealAll();
  w.clock.Advance(1s);
  sup.Tick();
  REQUIRE(rec.endpoints.size() == 1);
  auto old = w.rt.Ids();
  REQUIRE(old.size() == 1);
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(sup.RestartInstance({"app-1", "web"}, 0).ok());
  CHECK(rec.endpoints.empty());          // withdrawn at once
  CHECK(w.rt.Ids() == old);              // but still running: requests in flight finish
  sup.WaitForStops();
  CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
  CHECK(w.rt.Ids().empty());
}

// A publisher whose router still serves requests from withdrawn endpoints until `served_until`.
class InFlightRecorder final : public EndpointPublisher {
 public:
  std::atomic<std::chrono::steady_clock::time_point> served_until{std::chrono::steady_clock::time_point::max()};
  std::atomic<int> asked{0};
  void Publish(const Endpoint&) override {}
  void Unpublish(const Endpoint&) override {}
  std::int64_t InFlight(const Endpoint& e) override {
    ++asked;
    CHECK(!e.container_id.empty());
    return std::chrono::steady_clock::now() < served_until.load() ? 2 : 0;
  }
};

TEST_CASE("A stopped instance is drained while the router still serves requests from it, within max_drain") {
  for (const bool finishes : {true, false}) {
    CAPTURE(finishes);
    World w;
    SupervisorOptions options;
    options.drain_delay = 100ms;
    options.max_drain = 800ms;
    options.drain_poll = 10ms;
    InFlightRecorder publisher;
    Supervisor sup(w.rt, w.clock, w.prober, publisher, w.rec, options);
    sup.SetProcess(w.Web(1));
    sup.Tick();
    w.HealAll();
    w.clock.Advance(1s);
    sup.Tick();
    const auto old = w.rt.Ids();
    REQUIRE(old.size() == 1);
    const auto t0 = std::chrono::steady_clock::now();
    // The slow requests end 400 ms from now, or never (a websocket): cut at max_drain.
    if (finishes) publisher.served_until = t0 + 400ms;
    REQUIRE(sup.RestartInstance({"app-1", "web"}, 0).ok());
    sup.WaitForStops();
    const auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(publisher.asked.load() > 1);
    CHECK(waited >= (finishes ? 400ms : 800ms));
    if (finishes) CHECK(waited < 800ms);
    const auto now = w.rt.Ids();
    CHECK(std::find(now.begin(), now.end(), old[0]) == now.end());  // stopped once drained
  }
}

TEST_CASE("A new version that crashes at once: one replacement at a time, held to the backoff, then abandoned") {
  World w;
  w.sup.SetProcess(w.Web(2, "v1"));
  w.Step();
  w.HealAll();
  w.Step(1s);
  REQUIRE(w.rec.endpoints.size() == 2);
  const int started_before = w.rt.started;
  w.sup.SetProcess(w.Web(2, "v2"));
  std::size_t most_containers = 0;
  // Two minutes of fake time, each v2 container exiting with status 1 as soon as it starts.
  for (int second = 0; second < 120; ++second) {
    w.Step(1s);
    for (const auto& id : w.rt.Ids()) {
      auto spec = w.rt.SpecOf(id);
      if (spec.ok() && spec->labels.at("wharf.version") == "v2") w.rt.Exit(id, 1);
    }
    w.Step();
    most_containers = std::max(most_containers, w.rt.Ids().size());
  }
  // The first replacement and its three immediate restarts, nothing more.
  CHECK(w.rt.started - started_before == 4);
  CHECK(most_containers <= 3);  // two old ones and at most one new
  CHECK(w.rec.Count(InstanceEventKind::kRolloutAbandoned) == 1);
  // The old version still serves both indices.
  CHECK(w.rec.endpoints.size() == 2);
  for (const auto& e : w.rec.endpoints) CHECK(e.version == "v1");
  int per_index0 = 0;
  for (const auto& i : w.sup.Instances("app-1")) per_index0 += i.index == 0 ? 1 : 0;
  CHECK(per_index0 == 2);  // the old one running, the new one crashed beside it

  // A fixed version replaces them one by one and leaves one instance per index.
  w.sup.SetProcess(w.Web(2, "v3"));
  for (int step = 0; step < 6; ++step) {
    w.Step();
    w.HealAll();
    w.Step(1s);
  }
  auto instances = w.sup.Instances("app-1");
  REQUIRE(instances.size() == 2);
  CHECK(instances[0].index == 0);
  CHECK(instances[1].index == 1);
  for (const auto& i : instances) {
    CHECK(i.version == "v3");
    CHECK(i.state == InstanceState::kRunning);
  }
  CHECK(w.rt.Ids().size() == 2);
}

TEST_CASE("A new version of an app in crash backoff starts at once") {
  World w;
  w.sup.SetProcess(w.Web(1, "v1"));
  for (int crash = 0; crash < 5; ++crash) {  // into the 60 s backoff
    w.Step(60s);
    if (!w.rt.Ids().empty()) w.rt.Exit(w.rt.Ids()[0], 1);
    w.Step();
  }
  REQUIRE(w.rt.Ids().empty());
  auto before = w.sup.Instances("app-1");
  REQUIRE(before.size() == 1);
  REQUIRE(before[0].state == InstanceState::kCrashed);
  w.sup.SetProcess(w.Web(1, "v2"));
  w.Step();
  REQUIRE(w.rt.Ids().size() == 1);
  CHECK(w.rt.SpecOf(w.rt.Ids()[0])->labels.at("wharf.version") == "v2");
  CHECK(w.rt.SpecOf(w.rt.Ids()[0])->labels.at("wharf.crashes") == "0");
}

TEST_CASE("A restarted instance keeps the reason of its last crash") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();
  w.rt.Exit(w.rt.Ids()[0], 3);
  w.Step();
  auto inst = w.sup.Instances("app-1");
  REQUIRE(inst.size() == 1);
  CHECK(inst[0].state == InstanceState::kStarting);
  CHECK(inst[0].crash_count == 1);
  CHECK(inst[0].last_crash_reason == "exited with status 3");
}

TEST_CASE("A large scale-up is spread over ticks, a few starts each") {
  World w;
  w.sup.SetProcess(w.Web(10));
  w.Step();
  CHECK(w.rt.Ids().size() == 4);
  w.Step();
  CHECK(w.rt.Ids().size() == 8);
  w.Step();
  CHECK(w.rt.Ids().size() == 10);
  w.Step();
  CHECK(w.rt.Ids().size() == 10);
}

}  // namespace wharf::health

namespace wharf::health {

TEST_CASE("Supervisor routes an instance only while its readiness check passes and never restarts it for failing it") {
  World w;
  ProcessDesire d = w.Web(1);
  d.readiness.type = HealthCheckType::kHttp;
  d.readiness.http_endpoint = "/ready";
  d.readiness.interval = 5s;
  w.sup.SetProcess(d);
  w.Step();
  const std::string id = w.rt.Ids().at(0);
  const std::string ip = w.rt.Inspect(id)->ip;
  w.prober.unready_ips.insert(ip);
  w.HealAll();
  w.Step(1s);  // live, not ready: no endpoint
  CHECK(w.rec.Count(InstanceEventKind::kHealthy) == 1);
  CHECK(w.rec.endpoints.empty());
  CHECK(w.prober.readiness_probes == 1);
  w.Step(4s);
  CHECK(w.prober.readiness_probes == 1);  // next one after the 5 s interval
  w.prober.unready_ips.clear();
  w.Step(1s);
  REQUIRE(w.rec.endpoints.size() == 1);  // ready: routed
  CHECK(w.rec.endpoints[0].container_id == id);
  w.prober.unready_ips.insert(ip);
  for (int i = 0; i < 20; ++i) w.Step(5s);  // unready for 100 s: withdrawn, never crashed
  CHECK(w.rec.endpoints.empty());
  CHECK(w.rec.Count(InstanceEventKind::kCrashed) == 0);
  CHECK(w.rt.Ids() == std::vector<std::string>{id});
  w.prober.unready_ips.clear();
  w.Step(5s);
  CHECK(w.rec.endpoints.size() == 1);  // ready again: the same instance is routed again
  auto instances = w.sup.Instances("app-1");
  REQUIRE(instances.size() == 1);
  CHECK(instances[0].state == InstanceState::kRunning);
  CHECK(instances[0].crash_count == 0);
}

TEST_CASE("Supervisor routes an instance with the default process readiness as soon as it is healthy") {
  World w;
  w.sup.SetProcess(w.Web(1));
  w.Step();
  w.HealAll();
  w.Step(1s);
  CHECK(w.rec.endpoints.size() == 1);
  CHECK(w.prober.readiness_probes == 0);
}

}  // namespace wharf::health
