#include "health/planner.h"

#include <doctest/doctest.h>

namespace wharf::health {
namespace {

using namespace std::chrono_literals;
using TP = std::chrono::steady_clock::time_point;

const ProcessKey kWeb{"app-1", "web"};
const ProcessKey kWorker{"app-1", "worker"};

ActualInstance Inst(std::string id, ProcessKey key, int index, InstanceState state, std::string version = "v1") {
  ActualInstance a;
  a.container_id = std::move(id);
  a.key = std::move(key);
  a.index = index;
  a.state = state;
  a.version = std::move(version);
  return a;
}

Snapshot Snap(std::vector<DesiredProcess> desired, std::vector<ActualInstance> actual) {
  Snapshot s;
  s.now = TP{} + 1h;
  s.desired = std::move(desired);
  s.actual = std::move(actual);
  for (const auto& a : s.actual) s.runtime_containers.push_back(a.container_id);
  return s;
}

}  // namespace

TEST_CASE("Missing instances are started, one per missing index") {
  auto plan = PlanConvergence(Snap({{kWeb, "v1", 3}}, {Inst("c0", kWeb, 0, InstanceState::kRunning)}), {});
  REQUIRE(plan.start.size() == 2);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v1", 1, 0, ""});
  CHECK(plan.start[1] == Plan::Start{kWeb, "v1", 2, 0, ""});
  CHECK(plan.stop.empty());
  CHECK(plan.remove.empty());
}

TEST_CASE("Extra instances (index beyond the count) and undesired processes are stopped") {
  auto plan = PlanConvergence(Snap({{kWeb, "v1", 1}},
                                   {Inst("c0", kWeb, 0, InstanceState::kRunning), Inst("c1", kWeb, 1, InstanceState::kRunning),
                                    Inst("w0", kWorker, 0, InstanceState::kStarting)}),
                              {});
  CHECK(plan.start.empty());
  CHECK(plan.stop == std::vector<std::string>{"c1", "w0"});
}

TEST_CASE("A converged state plans nothing, and instances already stopping are left alone") {
  auto plan = PlanConvergence(Snap({{kWeb, "v1", 2}}, {Inst("c0", kWeb, 0, InstanceState::kRunning),
                                                       Inst("c1", kWeb, 1, InstanceState::kStarting),
                                                       Inst("old", kWeb, 5, InstanceState::kStopping)}),
                              {});
  CHECK(plan.empty());
}

TEST_CASE("A crashed instance is restarted at once for its first three crashes, keeping its crash count") {
  auto crashed = Inst("c0", kWeb, 0, InstanceState::kCrashed);
  crashed.crash_count = 3;
  auto snap = Snap({{kWeb, "v1", 1}}, {crashed});
  crashed.crashed_at = snap.now;
  snap.actual = {crashed};
  auto plan = PlanConvergence(snap, {});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v1", 0, 3, "c0"});
}

TEST_CASE("A crashed instance waits out its backoff, and the plan says when it is due") {
  auto snap = Snap({{kWeb, "v1", 1}}, {});
  auto crashed = Inst("c0", kWeb, 0, InstanceState::kCrashed);
  crashed.crash_count = 5;  // 60 s
  crashed.crashed_at = snap.now - 59s;
  snap.actual = {crashed};
  snap.runtime_containers = {"c0"};
  auto plan = PlanConvergence(snap, {});
  CHECK(plan.start.empty());
  REQUIRE(plan.next_restart_due.has_value());
  CHECK(*plan.next_restart_due == snap.now + 1s);
  snap.now += 1s;
  plan = PlanConvergence(snap, {});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0].replaces == "c0");
}

TEST_CASE("An instance the policy gave up on stays crashed") {
  auto snap = Snap({{kWeb, "v1", 1}}, {});
  auto crashed = Inst("c0", kWeb, 0, InstanceState::kCrashed);
  crashed.crash_count = 201;
  crashed.crashed_at = snap.now - 24h;
  snap.actual = {crashed};
  auto plan = PlanConvergence(snap, {});
  CHECK(plan.empty());
  CHECK_FALSE(plan.next_restart_due.has_value());
}

TEST_CASE("Containers the supervisor does not track are orphans to remove") {
  auto snap = Snap({{kWeb, "v1", 1}}, {Inst("c0", kWeb, 0, InstanceState::kRunning)});
  snap.runtime_containers.push_back("stray");
  auto plan = PlanConvergence(snap, {});
  CHECK(plan.remove == std::vector<std::string>{"stray"});
}

TEST_CASE("A new version replaces instances one at a time, old ones stopped once the new one runs") {
  // Step 1: both at v1, v2 desired -> one replacement for index 0.
  auto plan = PlanConvergence(Snap({{kWeb, "v2", 2}}, {Inst("a0", kWeb, 0, InstanceState::kRunning),
                                                       Inst("a1", kWeb, 1, InstanceState::kRunning)}),
                              {});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v2", 0, 0, ""});
  CHECK(plan.stop.empty());
  // Step 2: the replacement is starting -> wait.
  plan = PlanConvergence(Snap({{kWeb, "v2", 2}}, {Inst("a0", kWeb, 0, InstanceState::kRunning),
                                                  Inst("a1", kWeb, 1, InstanceState::kRunning),
                                                  Inst("b0", kWeb, 0, InstanceState::kStarting, "v2")}),
                         {});
  CHECK(plan.empty());
  // Step 3: it runs -> the old index 0 stops and index 1 gets its replacement.
  plan = PlanConvergence(Snap({{kWeb, "v2", 2}}, {Inst("a0", kWeb, 0, InstanceState::kRunning),
                                                  Inst("a1", kWeb, 1, InstanceState::kRunning),
                                                  Inst("b0", kWeb, 0, InstanceState::kRunning, "v2")}),
                         {});
  CHECK(plan.stop == std::vector<std::string>{"a0"});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v2", 1, 0, ""});
}

TEST_CASE("max_in_flight replaces that many instances at once") {
  DesiredProcess d{kWeb, "v2", 4};
  d.max_in_flight = 2;
  std::vector<ActualInstance> v1 = {Inst("a0", kWeb, 0, InstanceState::kRunning), Inst("a1", kWeb, 1, InstanceState::kRunning),
                                    Inst("a2", kWeb, 2, InstanceState::kRunning), Inst("a3", kWeb, 3, InstanceState::kRunning)};
  auto plan = PlanConvergence(Snap({d}, v1), {});
  CHECK(plan.start == std::vector<Plan::Start>{{kWeb, "v2", 0, 0, ""}, {kWeb, "v2", 1, 0, ""}});
  CHECK(plan.stop.empty());
  // One of the two runs: its old instance stops and a third replacement starts; still two in flight.
  std::vector<ActualInstance> actual = v1;
  actual.push_back(Inst("b0", kWeb, 0, InstanceState::kRunning, "v2"));
  actual.push_back(Inst("b1", kWeb, 1, InstanceState::kStarting, "v2"));
  plan = PlanConvergence(Snap({d}, actual), {});
  CHECK(plan.stop == std::vector<std::string>{"a0"});
  CHECK(plan.start == std::vector<Plan::Start>{{kWeb, "v2", 2, 0, ""}});
}

TEST_CASE("A canary step moves only the indices below new_version_indices, the others keep the baseline") {
  DesiredProcess d{kWeb, "v2", 3};
  d.baseline_version = "v1";
  d.new_version_indices = 1;
  std::vector<ActualInstance> v1 = {Inst("a0", kWeb, 0, InstanceState::kRunning), Inst("a1", kWeb, 1, InstanceState::kRunning),
                                    Inst("a2", kWeb, 2, InstanceState::kRunning)};
  auto plan = PlanConvergence(Snap({d}, v1), {});
  CHECK(plan.start == std::vector<Plan::Start>{{kWeb, "v2", 0, 0, ""}});
  std::vector<ActualInstance> canary = {Inst("b0", kWeb, 0, InstanceState::kRunning, "v2"),
                                        Inst("a1", kWeb, 1, InstanceState::kRunning),
                                        Inst("a2", kWeb, 2, InstanceState::kRunning)};
  CHECK(PlanConvergence(Snap({d}, canary), {}).empty());  // paused: nothing more moves
  // A baseline instance that crashes is restarted at the baseline version.
  canary[2] = Inst("a2", kWeb, 2, InstanceState::kCrashed);
  canary[2].crash_count = 1;
  plan = PlanConvergence(Snap({d}, canary), {});
  CHECK(plan.start == std::vector<Plan::Start>{{kWeb, "v1", 2, 1, "a2"}});
  // Scaling up during the pause adds baseline instances.
  d.instances = 4;
  canary[2] = Inst("a2", kWeb, 2, InstanceState::kRunning);
  plan = PlanConvergence(Snap({d}, canary), {});
  CHECK(plan.start == std::vector<Plan::Start>{{kWeb, "v1", 3, 0, ""}});
  // Cancel: the baseline becomes the version everywhere and replaces the canary.
  DesiredProcess back{kWeb, "v1", 3};
  plan = PlanConvergence(Snap({back}, {canary[0], canary[1], canary[2]}), {});
  CHECK(plan.start == std::vector<Plan::Start>{{kWeb, "v1", 0, 0, ""}});
}

TEST_CASE("Scaling to zero stops every instance of the process") {
  auto plan = PlanConvergence(Snap({{kWeb, "v1", 0}}, {Inst("c0", kWeb, 0, InstanceState::kRunning),
                                                       Inst("c1", kWeb, 1, InstanceState::kCrashed)}),
                              {});
  CHECK(plan.start.empty());
  CHECK(plan.stop == std::vector<std::string>{"c0", "c1"});
}

TEST_CASE("A crashed replacement is restarted with its crash count and no second replacement starts beside it") {
  auto snap = Snap({{kWeb, "v2", 2}}, {});
  auto crashed = Inst("b0", kWeb, 0, InstanceState::kCrashed, "v2");
  crashed.crash_count = 1;
  crashed.crashed_at = snap.now;
  snap.actual = {Inst("a0", kWeb, 0, InstanceState::kRunning), Inst("a1", kWeb, 1, InstanceState::kRunning), crashed};
  auto plan = PlanConvergence(snap, {});
  REQUIRE(plan.start.size() == 1);  // not a fresh one for index 0, not one for index 1
  CHECK(plan.start[0] == Plan::Start{kWeb, "v2", 0, 1, "b0"});
  CHECK(plan.stop.empty());  // the old version keeps serving
}

TEST_CASE("A replacement that keeps crashing while the old version serves is abandoned, not restarted") {
  auto snap = Snap({{kWeb, "v2", 1}}, {});
  auto crashed = Inst("b0", kWeb, 0, InstanceState::kCrashed, "v2");
  crashed.crash_count = 4;  // past the three immediate restarts
  crashed.crashed_at = snap.now - 1h;
  snap.actual = {Inst("a0", kWeb, 0, InstanceState::kRunning), crashed};
  auto plan = PlanConvergence(snap, {});
  CHECK(plan.empty());
  CHECK(plan.abandoned == std::vector<std::string>{"b0"});
  CHECK_FALSE(plan.next_restart_due.has_value());
}

TEST_CASE("Without an old version serving, a crashing new version is restarted per the backoff as usual") {
  auto snap = Snap({{kWeb, "v2", 1}}, {});
  auto crashed = Inst("b0", kWeb, 0, InstanceState::kCrashed, "v2");
  crashed.crash_count = 4;  // 30 s
  crashed.crashed_at = snap.now - 30s;
  snap.actual = {crashed};
  auto plan = PlanConvergence(snap, {});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v2", 0, 4, "b0"});
  CHECK(plan.abandoned.empty());
}

TEST_CASE("Several instances of the desired version at one index: one is kept, running before starting") {
  auto plan = PlanConvergence(Snap({{kWeb, "v2", 1}}, {Inst("b1", kWeb, 0, InstanceState::kStarting, "v2"),
                                                       Inst("b2", kWeb, 0, InstanceState::kRunning, "v2"),
                                                       Inst("b3", kWeb, 0, InstanceState::kRunning, "v2"),
                                                       Inst("b4", kWeb, 0, InstanceState::kCrashed, "v2"),
                                                       Inst("a0", kWeb, 0, InstanceState::kRunning, "v1")}),
                              {});
  CHECK(plan.start.empty());
  CHECK(plan.stop == std::vector<std::string>{"a0", "b1", "b3", "b4"});
}

TEST_CASE("A new version replaces a crashed old instance at once instead of waiting out its backoff") {
  auto snap = Snap({{kWeb, "v2", 1}}, {});
  auto crashed = Inst("a0", kWeb, 0, InstanceState::kCrashed, "v1");
  crashed.crash_count = 6;  // 2 min of backoff left
  crashed.crashed_at = snap.now;
  snap.actual = {crashed};
  auto plan = PlanConvergence(snap, {});
  CHECK(plan.stop == std::vector<std::string>{"a0"});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v2", 0, 0, ""});
}

TEST_CASE("Crashed instances of an abandoned version are stopped when a fixed version comes") {
  auto snap = Snap({{kWeb, "v3", 1}}, {});
  auto crashed = Inst("b0", kWeb, 0, InstanceState::kCrashed, "v2");
  crashed.crash_count = 4;
  crashed.crashed_at = snap.now;
  snap.actual = {Inst("a0", kWeb, 0, InstanceState::kRunning, "v1"), crashed};
  auto plan = PlanConvergence(snap, {});
  CHECK(plan.stop == std::vector<std::string>{"b0"});
  REQUIRE(plan.start.size() == 1);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v3", 0, 0, ""});
}

}  // namespace wharf::health

namespace wharf::health {

TEST_CASE("Placed indices: only the listed indices run here, the others are stopped, none started") {
  struct Case {
    const char* name;
    std::vector<int> indices;              // the process's placement on this cell
    std::vector<ActualInstance> actual;    // what runs
    std::vector<int> started;              // indices the plan starts
    std::vector<std::string> stopped;      // containers the plan stops
  };
  const std::vector<Case> cases = {
      {"no list: every index of [0, instances)", {}, {}, {0, 1, 2, 3}, {}},
      {"a list: only those indices", {1, 3}, {}, {1, 3}, {}},
      {"a listed index already running is kept", {1, 3}, {Inst("c1", kWeb, 1, InstanceState::kRunning)}, {3}, {}},
      {"an index moved elsewhere is stopped",
       {2},
       {Inst("c0", kWeb, 0, InstanceState::kRunning), Inst("c2", kWeb, 2, InstanceState::kRunning)},
       {},
       {"c0"}},
      {"a crashed instance at an index no longer here is stopped, not restarted",
       {0},
       {Inst("c0", kWeb, 0, InstanceState::kRunning), Inst("c3", kWeb, 3, InstanceState::kCrashed)},
       {},
       {"c3"}},
      {"a listed index beyond instances is not started", {1, 5}, {}, {1}, {}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    DesiredProcess d{kWeb, "v1", 4, "", -1, 1, c.indices};
    auto plan = PlanConvergence(Snap({d}, c.actual), {});
    std::vector<int> started;
    for (const auto& s : plan.start) {
      CHECK(s.version == "v1");
      started.push_back(s.index);
    }
    CHECK(started == c.started);
    CHECK(plan.stop == c.stopped);
    CHECK(plan.remove.empty());
  }
}

TEST_CASE("Placed indices with a new version: only the listed indices are replaced") {
  DesiredProcess d{kWeb, "v2", 3, "", -1, 3, {0, 2}};
  auto plan = PlanConvergence(Snap({d}, {Inst("a0", kWeb, 0, InstanceState::kRunning),
                                         Inst("a2", kWeb, 2, InstanceState::kRunning)}),
                              {});
  REQUIRE(plan.start.size() == 2);
  CHECK(plan.start[0] == Plan::Start{kWeb, "v2", 0, 0, ""});
  CHECK(plan.start[1] == Plan::Start{kWeb, "v2", 2, 0, ""});
  CHECK(plan.stop.empty());
}

}  // namespace wharf::health
