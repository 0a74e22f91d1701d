// The cell over fake time: a fake desired state, the in-memory container runtime
// (runtime/testing/), a fake prober and a FakeClock. The cell is opened without its
// threads and driven with Sync/SyncIfChanged and Tick, so every step is exact.
#include "cell/cell.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "cell/instance_spec.h"
#include "common/file_io.h"
#include "common/testing/temp_dir.h"
#include "runtime/testing/fake_container_runtime.h"

namespace wharf::cell {
namespace {

using namespace std::chrono_literals;
using runtime::testing::FakeContainerRuntime;

class FakeDesiredState final : public DesiredStateSource {
 public:
  Result<std::vector<DesiredProcess>> ReadDesired() override {
    std::lock_guard lock(mu_);
    ++reads_;
    if (!fail_.ok()) return fail_;
    return processes_;
  }
  std::uint64_t ChangeCount() override {
    std::lock_guard lock(mu_);
    return changes_;
  }
  // Replaces what should run (a change the cell sees through ChangeCount).
  void Set(std::vector<DesiredProcess> processes) {
    std::lock_guard lock(mu_);
    processes_ = std::move(processes);
    ++changes_;
  }
  void Fail(Status status) {
    std::lock_guard lock(mu_);
    fail_ = std::move(status);
  }
  int reads() {
    std::lock_guard lock(mu_);
    return reads_;
  }

 private:
  std::mutex mu_;
  std::vector<DesiredProcess> processes_;
  std::uint64_t changes_ = 1;
  Status fail_ = Status::Ok();
  int reads_ = 0;
};

class FakeProber final : public health::Prober {
 public:
  Status Probe(const health::HealthCheckSpec&, const std::string& ip, int, bool) override {
    std::lock_guard lock(mu);
    return healthy_ips.count(ip) ? Status::Ok() : Status::Unavailable("connection refused");
  }
  std::mutex mu;
  std::set<std::string> healthy_ips;
};

class RecordingLogs final : public runtime::LogSink {
 public:
  Status Append(std::string_view app_guid, const runtime::LogEntry& entry) override {
    std::lock_guard lock(mu_);
    lines_.push_back(std::string(app_guid) + " [" + entry.source_type + "/" + entry.source_instance + "] " +
                     (entry.is_err ? "ERR " : "OUT ") + entry.message);
    return Status::Ok();
  }
  int Count(const std::string& part) {
    std::lock_guard lock(mu_);
    return static_cast<int>(
        std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; }));
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class RecordingAudit final : public health::InstanceEventSink {
 public:
  void OnInstanceEvent(const health::InstanceEvent& event) override {
    std::lock_guard lock(mu_);
    kinds_.push_back(event.kind);
  }
  int Count(health::InstanceEventKind kind) {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count(kinds_.begin(), kinds_.end(), kind));
  }

 private:
  std::mutex mu_;
  std::vector<health::InstanceEventKind> kinds_;
};

class RecordingTable final : public EndpointTable {
 public:
  void SetEndpoints(const std::string& app_guid, const std::string& process_type,
                    std::vector<health::Endpoint> endpoints) override {
    std::lock_guard lock(mu_);
    tables_[{app_guid, process_type}] = std::move(endpoints);
  }
  std::vector<health::Endpoint> Of(const std::string& app_guid, const std::string& process_type) {
    std::lock_guard lock(mu_);
    auto it = tables_.find({app_guid, process_type});
    return it == tables_.end() ? std::vector<health::Endpoint>{} : it->second;
  }
  bool Told(const std::string& app_guid, const std::string& process_type) {
    std::lock_guard lock(mu_);
    return tables_.count({app_guid, process_type}) > 0;
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::vector<health::Endpoint>> tables_;
};

using ::wharf::testing::TempDir;

DesiredProcess Process(std::string type, int instances) {
  DesiredProcess p;
  p.app_guid = "app-1";
  p.app_name = "hello";
  p.process_guid = "proc-" + type;
  p.process_type = std::move(type);
  p.instances = instances;
  p.run_generation = 1;
  p.droplet_guid = "droplet-1";
  p.launch_argv = {"launcher", "node server.js"};
  p.environment = {{"GREETING", "hi"}};
  p.uris = {"hello.localhost"};
  p.memory_mb = 256;
  p.disk_mb = 512;
  p.check.startup_interval = 1s;
  p.check.liveness_interval = 30s;
  p.space_name = "dev";
  return p;
}

DesiredProcess Web(int instances) { return Process("web", instances); }

struct World {
  TempDir dir;
  FakeClock clock;
  FakeContainerRuntime rt;
  FakeDesiredState desired;
  FakeProber prober;
  RecordingLogs logs;
  RecordingAudit audit;
  RecordingTable table;
  CellOptions options;
  std::unique_ptr<Cell> cell;

  World() {
    options.droplets_dir = dir.path() / "droplets";
    options.api_url = "http://api.test";
    options.supervisor.drain_delay = 0ms;
    // droplet-1 counts as unpacked already: the cell unpacks a droplet only once.
    std::filesystem::create_directories(options.droplets_dir / "droplet-1");
  }
  void Open() {
    CellDeps deps{rt, desired, prober, logs, audit, &table, clock};
    auto opened = Cell::Open(deps, options);
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    cell = std::move(opened).value();
  }
  void Step(std::chrono::milliseconds d = 0ms) {
    clock.Advance(d);
    cell->Tick();
  }
  void HealAll() {
    std::lock_guard lock(prober.mu);
    for (const std::string& id : rt.Ids()) prober.healthy_ips.insert(rt.Inspect(id)->ip);
  }
  std::vector<std::string> Labels(const char* key) {
    std::vector<std::string> out;
    for (const std::string& id : rt.Ids()) out.push_back(rt.Inspect(id)->labels.at(key));
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace

TEST_CASE("Cell starts a started app's instances with their container: droplet, environment, launcher, limits") {
  World w;
  w.desired.Set({Web(2)});
  w.Open();
  CHECK(w.rt.Ids().empty());  // nothing starts before the first tick
  w.Step();
  REQUIRE(w.rt.Ids().size() == 2);
  CHECK(w.Labels("wharf.index") == std::vector<std::string>{"0", "1"});
  for (const std::string& id : w.rt.Ids()) {
    auto spec = w.rt.SpecOf(id);
    REQUIRE(spec.ok());
    const std::string index = spec->labels.at("wharf.index");
    CHECK(spec->droplet_dir == w.options.droplets_dir / "droplet-1");
    CHECK(spec->argv == std::vector<std::string>{"launcher", "node server.js"});
    CHECK(spec->env.at("GREETING") == "hi");
    CHECK(spec->env.at("CF_INSTANCE_INDEX") == index);
    CHECK(spec->env.at("MEMORY_LIMIT") == "256m");
    CHECK(spec->env.at("VCAP_APPLICATION").find("http://api.test") != std::string::npos);
    CHECK(spec->limits.memory_bytes == 256ull << 20);
    CHECK(spec->limits.disk_bytes == 512ull << 20);
    CHECK(spec->limits.cpu_shares == 256);
    CHECK(spec->network == runtime::NetworkMode::kIsolated);
    CHECK(spec->labels.at("wharf.app") == "app-1");
    CHECK(spec->labels.at("wharf.process") == "web");
    CHECK(spec->labels.at("wharf.version") == InstanceVersion(Web(2)));
    CHECK(spec->labels.at("wharf.droplet") == "droplet-1");
  }
  CHECK(w.logs.Count("[CELL/0] OUT Creating container for app instance") == 1);
  CHECK(w.logs.Count("[CELL/1] OUT Creating container for app instance") == 1);
  CHECK(w.audit.Count(health::InstanceEventKind::kStarting) == 2);
}

TEST_CASE("Cell reports healthy web instances as endpoints and withdraws a crashed one, workers get none") {
  World w;
  w.desired.Set({Web(2), Process("worker", 1)});
  w.Open();
  w.Step();
  REQUIRE(w.rt.Ids().size() == 3);
  CHECK(w.table.Of("app-1", "web").empty());  // started, not yet healthy
  w.HealAll();
  w.Step(1s);
  auto endpoints = w.table.Of("app-1", "web");
  REQUIRE(endpoints.size() == 2);
  for (const health::Endpoint& e : endpoints) {
    CHECK(e.port == 8080);
    CHECK(e.ip == w.rt.Inspect(e.container_id)->ip);
    CHECK(e.version == InstanceVersion(Web(2)));
  }
  CHECK_FALSE(w.table.Told("app-1", "worker"));
  CHECK(w.audit.Count(health::InstanceEventKind::kHealthy) == 3);
  auto reports = w.cell->Instances("app-1", "web");
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].state == "RUNNING");
  CHECK(reports[0].address == endpoints[0].ip + ":8080");

  w.rt.Exit(endpoints[0].container_id, 1);
  w.Step();
  auto after = w.table.Of("app-1", "web");
  REQUIRE(after.size() == 1);
  CHECK(after[0].container_id == endpoints[1].container_id);
  CHECK(w.audit.Count(health::InstanceEventKind::kCrashed) == 1);
  CHECK(w.logs.Count("ERR exited with status 1") == 1);
}

TEST_CASE("Cell stops the extra instances when an app is scaled down") {
  World w;
  w.desired.Set({Web(3)});
  w.Open();
  w.Step();
  REQUIRE(w.rt.Ids().size() == 3);
  w.desired.Set({Web(1)});
  REQUIRE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.Labels("wharf.index") == std::vector<std::string>{"0"});
  CHECK(w.rt.started == 3);  // the remaining one is not restarted
  CHECK(w.audit.Count(health::InstanceEventKind::kStopped) == 2);
}

TEST_CASE("Cell runs only the indices placed on it, and a changed placement moves them") {
  World w;
  DesiredProcess placed = Web(4);
  placed.indices = {1, 3};
  w.desired.Set({placed});
  w.Open();
  w.Step();
  CHECK(w.Labels("wharf.index") == std::vector<std::string>{"1", "3"});
  placed.indices = {0, 1};  // index 3 went to another cell, index 0 came here
  w.desired.Set({placed});
  REQUIRE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.Labels("wharf.index") == std::vector<std::string>{"0", "1"});
  CHECK(w.rt.started == 3);  // index 1 kept running
  CHECK(w.audit.Count(health::InstanceEventKind::kStopped) == 1);
}

TEST_CASE("Cell stops every instance of an app that is no longer desired, and only that app's") {
  World w;
  DesiredProcess other = Web(1);
  other.app_guid = "app-2";
  w.desired.Set({Web(2), Process("worker", 1), other});
  w.Open();
  w.Step();
  REQUIRE(w.rt.Ids().size() == 4);
  w.desired.Set({other});
  REQUIRE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.Labels("wharf.app") == std::vector<std::string>{"app-2"});
  CHECK(w.cell->Instances("app-1", "web").empty());
}

TEST_CASE("Cell stops a process type that went away while the app keeps running") {
  World w;
  w.desired.Set({Web(1), Process("worker", 1)});
  w.Open();
  w.Step();
  REQUIRE(w.rt.Ids().size() == 2);
  w.desired.Set({Web(1)});
  REQUIRE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.Labels("wharf.process") == std::vector<std::string>{"web"});
  CHECK(w.rt.started == 2);
}

TEST_CASE("Cell restarts nothing while the desired state is unchanged, a new version is rolled out") {
  World w;
  w.desired.Set({Web(2)});
  w.Open();
  w.Step();
  w.HealAll();
  w.Step(1s);
  REQUIRE(w.table.Of("app-1", "web").size() == 2);
  const auto before = w.rt.Ids();

  w.desired.Set({Web(2)});  // a change elsewhere: the same desire is read again
  REQUIRE(w.cell->SyncIfChanged().ok());
  for (int i = 0; i < 5; ++i) w.Step(10s);
  w.clock.Advance(w.options.full_sync_interval);  // the periodic full read
  REQUIRE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.rt.Ids() == before);
  CHECK(w.rt.started == 2);
  CHECK(w.audit.Count(health::InstanceEventKind::kStopped) == 0);

  DesiredProcess bigger = Web(2);
  bigger.memory_mb = 512;  // a new version: replaced one at a time
  w.desired.Set({bigger});
  REQUIRE(w.cell->SyncIfChanged().ok());
  for (int i = 0; i < 10 && w.Labels("wharf.version") != std::vector<std::string>(2, InstanceVersion(bigger)); ++i) {
    w.Step(1s);
    w.HealAll();
  }
  CHECK(w.Labels("wharf.version") == std::vector<std::string>(2, InstanceVersion(bigger)));
  CHECK(w.rt.started == 4);
}

TEST_CASE("Cell reads the desired state only when it changed, or when a full interval passed") {
  World w;
  w.desired.Set({Web(1)});
  w.Open();
  CHECK(w.desired.reads() == 1);
  REQUIRE(w.cell->SyncIfChanged().ok());
  CHECK(w.desired.reads() == 1);
  w.desired.Set({Web(2)});
  REQUIRE(w.cell->SyncIfChanged().ok());
  CHECK(w.desired.reads() == 2);
  w.clock.Advance(w.options.full_sync_interval);
  REQUIRE(w.cell->SyncIfChanged().ok());
  CHECK(w.desired.reads() == 3);

  w.desired.Fail(Status::Unavailable("database locked"));  // the last desire is kept
  w.desired.Set({});
  CHECK_FALSE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.rt.Ids().size() == 2);
}

TEST_CASE("Cell adopts the running instances at start: kept, checked and routed before Open returns") {
  World w;
  runtime::ContainerInfo adopted;
  adopted.id = "from-last-wharfd";
  adopted.status = runtime::ContainerStatus::kRunning;
  adopted.ip = "10.244.9.9";
  adopted.port = 8080;
  adopted.labels = {{"wharf.app", "app-1"}, {"wharf.process", "web"}, {"wharf.index", "0"},
                    {"wharf.version", InstanceVersion(Web(1))}, {"wharf.crashes", "0"}};
  w.rt.Adopt(adopted);
  runtime::ContainerInfo gone = adopted;  // an app deleted while wharfd was down
  gone.id = "of-a-deleted-app";
  gone.ip = "10.244.9.10";
  gone.labels["wharf.app"] = "app-deleted";
  w.rt.Adopt(gone);
  w.prober.healthy_ips = {"10.244.9.9", "10.244.9.10"};
  w.desired.Set({Web(1)});

  w.Open();
  auto endpoints = w.table.Of("app-1", "web");
  REQUIRE(endpoints.size() == 1);
  CHECK(endpoints[0].container_id == "from-last-wharfd");
  w.Step(1s);
  w.Step(1s);
  CHECK(w.rt.Ids() == std::vector<std::string>{"from-last-wharfd"});
  CHECK(w.rt.started == 0);  // nothing restarted
  CHECK(w.table.Of("app-1", "web").size() == 1);
}

TEST_CASE("Cell restarts one instance on request, an unknown index is not found") {
  World w;
  w.desired.Set({Web(2)});
  w.Open();
  w.Step();
  REQUIRE(w.rt.Ids().size() == 2);
  CHECK(w.cell->RestartInstance("app-1", "web", 7).code() == StatusCode::kNotFound);
  REQUIRE(w.cell->RestartInstance("app-1", "web", 1).ok());
  w.Step();
  w.Step();
  CHECK(w.Labels("wharf.index") == std::vector<std::string>{"0", "1"});
  CHECK(w.rt.started == 3);
}

TEST_CASE("Cell starts nothing from a droplet that does not unpack, and says so once") {
  World w;
  DesiredProcess broken = Web(1);
  broken.droplet_guid = "droplet-broken";
  broken.droplet_archive = w.dir.path() / "no-such-droplet.tgz";
  w.desired.Set({broken});
  w.Open();
  w.Step();
  CHECK(w.rt.Ids().empty());
  w.clock.Advance(w.options.full_sync_interval);
  REQUIRE(w.cell->SyncIfChanged().ok());
  w.Step();
  CHECK(w.rt.Ids().empty());
  CHECK(w.logs.Count("app-1 [CELL/0] ERR") == 1);
  CHECK(w.logs.Count("droplet-broken") == 1);
}

}  // namespace wharf::cell
