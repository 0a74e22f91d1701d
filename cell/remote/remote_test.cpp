// A cell on another host against a fake API (Poco's HTTPServer on 127.0.0.1): heartbeats and
// assignments, droplet downloads into the content-addressed cache, log batches.
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <doctest/doctest.h>

#include <atomic>
#include <iterator>
#include <map>
#include <mutex>
#include <vector>

#include "cell/remote/api_client.h"
#include "cell/remote/api_log_sink.h"
#include "cell/remote/droplet_cache.h"
#include "cell/remote/remote_desired_state.h"
#include "cell/remote/testing/fake_http_server.h"
#include "common/file_io.h"
#include "common/sha256.h"
#include "common/testing/temp_dir.h"

namespace wharf::cell {
namespace {

using namespace std::chrono_literals;

class FakeApi {
 public:
  std::string url() const { return server_.url(); }

  std::mutex mu;
  nlohmann::json assignment = nlohmann::json::object();
  std::map<std::string, std::string> droplets;  // guid -> bytes
  std::map<std::string, int> downloads;         // guid -> GETs
  std::vector<nlohmann::json> heartbeats;
  std::vector<nlohmann::json> log_entries;
  std::vector<std::string> auth;
  bool logs_down = false;

 private:
  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    std::string body((std::istreambuf_iterator<char>(req.stream())), std::istreambuf_iterator<char>());
    std::lock_guard lock(mu);
    auth.push_back(req.get("Authorization", ""));
    const std::string uri = req.getURI();
    auto reply = [&](Poco::Net::HTTPResponse::HTTPStatus status, const std::string& text) {
      res.setStatus(status);
      res.setContentLength(static_cast<std::streamsize>(text.size()));
      res.send() << text;
    };
    if (req.getMethod() == "PUT" && uri == "/v1/cells/cell-a") {
      heartbeats.push_back(nlohmann::json::parse(body));
      return reply(Poco::Net::HTTPResponse::HTTP_OK, assignment.dump());
    }
    if (req.getMethod() == "POST" && uri == "/v1/cells/cell-a/logs") {
      if (logs_down) return reply(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE, R"({"description":"down"})");
      const nlohmann::json posted = nlohmann::json::parse(body);
      for (const auto& e : posted.at("entries")) {
        if (e.at("app_guid") == "gone") {  // as the API: lines of an app not placed here refuse the whole batch
          return reply(Poco::Net::HTTPResponse::HTTP_FORBIDDEN, R"({"description":"not placed here"})");
        }
      }
      for (const auto& e : posted.at("entries")) log_entries.push_back(e);
      return reply(Poco::Net::HTTPResponse::HTTP_NO_CONTENT, "");
    }
    const std::string prefix = "/v1/droplets/", suffix = "/download";
    if (req.getMethod() == "GET" && uri.rfind(prefix, 0) == 0 && uri.size() > prefix.size() + suffix.size()) {
      const std::string guid = uri.substr(prefix.size(), uri.size() - prefix.size() - suffix.size());
      ++downloads[guid];
      auto it = droplets.find(guid);
      if (it == droplets.end()) return reply(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, R"({"description":"no droplet"})");
      return reply(Poco::Net::HTTPResponse::HTTP_OK, it->second);
    }
    reply(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "{}");
  }

  testing::FakeHttpServer server_{[this](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    Handle(req, res);
  }};
};

using ::wharf::testing::TempDir;

struct Logs {
  std::mutex mu;
  std::vector<std::string> lines;
  DropletCache::Log fn() {
    return [this](const std::string& line) {
      std::lock_guard lock(mu);
      lines.push_back(line);
    };
  }
  int Count(const std::string& part) {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& l : lines) n += l.find(part) != std::string::npos;
    return n;
  }
};

DesiredProcess Placed(const std::string& droplet_guid, const std::string& bytes, std::vector<int> indices) {
  DesiredProcess p;
  p.app_guid = "app-1";
  p.app_name = "hello";
  p.process_guid = "proc-web";
  p.process_type = "web";
  p.instances = 3;
  p.indices = std::move(indices);
  p.run_generation = 1;
  p.droplet_guid = droplet_guid;
  p.droplet_sha256 = Sha256Hex(bytes);
  p.launch_argv = {"launcher", "node server.js"};
  return p;
}

nlohmann::json AssignmentJson(std::uint64_t version, std::vector<DesiredProcess> processes) {
  CellAssignment a;
  a.version = version;
  a.processes = std::move(processes);
  a.heartbeat_interval = 500ms;
  return CellAssignmentToJson(a);
}

class FakeReporter final : public InstanceReporter {
 public:
  std::vector<InstanceReport> Instances(const std::string& app_guid, const std::string& process_type) override {
    if (app_guid != "app-1" || process_type != "web") return {};
    InstanceReport a, b;
    a.index = 1;
    a.state = "RUNNING";
    a.address = "10.250.0.2:8080";
    b.index = 2;
    b.state = "STARTING";
    b.address = "10.250.0.3:8080";
    return {a, b};
  }
  Status RestartInstance(const std::string&, const std::string&, int) override { return Status::Ok(); }
};

struct World {
  TempDir dir;
  FakeApi api;
  FakeClock clock;
  Logs logs;
  std::unique_ptr<ApiClient> client;
  std::unique_ptr<DropletCache> cache;
  std::unique_ptr<RemoteDesiredState> remote;

  World() {
    auto made = ApiClient::Make({api.url(), "cell-token"});
    REQUIRE(made.ok());
    client = std::move(made).value();
    cache = std::make_unique<DropletCache>(dir.path() / "droplet-cache", *client, logs.fn());
    REQUIRE(cache->Open().ok());
    RemoteCellOptions options;
    options.cell_id = "cell-a";
    options.zone = "z1";
    options.address = "192.168.50.2";
    options.container_subnet = "10.250.0.0/16";
    options.capacity = {4096, 20000, 250};
    options.wharf_version = "test";
    options.droplets_dir = dir.path() / "droplets";
    remote = std::make_unique<RemoteDesiredState>(*client, *cache, clock, options, logs.fn());
  }
  void Assign(std::uint64_t version, std::vector<DesiredProcess> processes) {
    std::lock_guard lock(api.mu);
    api.assignment = AssignmentJson(version, std::move(processes));
  }
  void AddDroplet(const std::string& guid, const std::string& bytes) {
    std::lock_guard lock(api.mu);
    api.droplets[guid] = bytes;
  }
  int Downloads(const std::string& guid) {
    std::lock_guard lock(api.mu);
    return api.downloads[guid];
  }
  nlohmann::json LastHeartbeat() {
    std::lock_guard lock(api.mu);
    REQUIRE(!api.heartbeats.empty());
    return api.heartbeats.back();
  }
};

}  // namespace

TEST_CASE("Remote cell: a heartbeat says who the cell is and takes the assignment, and ReadDesired waits for the droplets") {
  World w;
  CHECK_FALSE(w.remote->ReadDesired().ok());  // nothing to run before the first assignment
  w.AddDroplet("droplet-1", "tarball bytes");
  w.Assign(7, {Placed("droplet-1", "tarball bytes", {1, 2})});
  REQUIRE(w.remote->Heartbeat().ok());
  auto hb = CellHeartbeatFromJson(w.LastHeartbeat());
  REQUIRE(hb.ok());
  CHECK(hb->cell_id == "cell-a");
  CHECK(hb->zone == "z1");
  CHECK(hb->address == "192.168.50.2");
  CHECK(hb->container_subnet == "10.250.0.0/16");
  CHECK(hb->capacity == CellCapacity{4096, 20000, 250});
  CHECK(hb->assignment_version == 0);
  CHECK(hb->instances.empty());
  {
    std::lock_guard lock(w.api.mu);
    CHECK(w.api.auth.back() == "Bearer cell-token");
  }
  CHECK(w.remote->heartbeat_interval() == 500ms);
  CHECK(w.remote->assignment_version() == 7);
  CHECK_FALSE(w.remote->ReadDesired().ok());  // the droplet is not here yet

  const std::uint64_t before = w.remote->ChangeCount();
  REQUIRE(w.remote->FetchDroplets().ok());
  CHECK(w.remote->ChangeCount() > before);
  auto desired = w.remote->ReadDesired();
  REQUIRE(desired.ok());
  REQUIRE(desired->size() == 1);
  CHECK((*desired)[0].indices == std::vector<int>{1, 2});
  CHECK((*desired)[0].droplet_archive == w.dir.path() / "droplet-cache" / Sha256Hex("tarball bytes"));
  CHECK(ReadFile((*desired)[0].droplet_archive).value() == "tarball bytes");
  CHECK(w.remote->applied_version() == 7);

  // The same assignment again: nothing moves, nothing is downloaded again.
  const std::uint64_t settled = w.remote->ChangeCount();
  REQUIRE(w.remote->Heartbeat().ok());
  REQUIRE(w.remote->FetchDroplets().ok());
  CHECK(w.remote->ChangeCount() == settled);
  CHECK(w.Downloads("droplet-1") == 1);

  // The next heartbeat reports the applied version and the instances, routable when published.
  FakeReporter reporter;
  PublishedEndpoints endpoints;
  endpoints.SetEndpoints("app-1", "web", {health::Endpoint{"app-1", "web", 1, "c1", "10.250.0.2", 8080, "v"}});
  w.remote->SetInstanceSource(&reporter, &endpoints);
  REQUIRE(w.remote->Heartbeat().ok());
  hb = CellHeartbeatFromJson(w.LastHeartbeat());
  REQUIRE(hb.ok());
  CHECK(hb->assignment_version == 7);
  REQUIRE(hb->instances.size() == 2);
  CHECK(hb->instances[0].app_guid == "app-1");
  CHECK(hb->instances[0].process_type == "web");
  CHECK(hb->instances[0].report.index == 1);
  CHECK(hb->instances[0].routable);
  CHECK(hb->instances[1].report.index == 2);
  CHECK_FALSE(hb->instances[1].routable);
}

TEST_CASE("Remote cell: a droplet whose bytes do not match the digest is refused, deleted and logged with both digests") {
  World w;
  w.AddDroplet("droplet-1", "tampered bytes");
  w.Assign(1, {Placed("droplet-1", "tarball bytes", {0})});
  REQUIRE(w.remote->Heartbeat().ok());
  Status s = w.remote->FetchDroplets();
  CHECK_FALSE(s.ok());
  CHECK(w.logs.Count(Sha256Hex("tampered bytes")) == 1);
  CHECK(w.logs.Count("refused: its download has sha256 " + Sha256Hex("tampered bytes") + ", the assignment names " +
                     Sha256Hex("tarball bytes")) == 1);
  CHECK(std::filesystem::is_empty(w.dir.path() / "droplet-cache"));  // nothing kept, no partial file
  // No earlier desire, nothing unpacked: the process is left out, and the assignment is not applied.
  auto desired = w.remote->ReadDesired();
  REQUIRE(desired.ok());
  CHECK(desired->empty());
  CHECK(w.remote->applied_version() == 0);
  // Retried: once the API serves the right bytes, it runs.
  w.AddDroplet("droplet-1", "tarball bytes");
  REQUIRE(w.remote->FetchDroplets().ok());
  desired = w.remote->ReadDesired();
  REQUIRE(desired.ok());
  CHECK(desired->size() == 1);
  CHECK(w.remote->applied_version() == 1);
}

TEST_CASE("Remote cell: a new droplet that cannot be fetched keeps the earlier desire, and unused droplets leave the cache") {
  World w;
  w.AddDroplet("droplet-1", "one");
  w.Assign(1, {Placed("droplet-1", "one", {0, 1})});
  REQUIRE(w.remote->Heartbeat().ok());
  REQUIRE(w.remote->FetchDroplets().ok());
  // A restage: droplet-2, which the API cannot serve yet.
  w.Assign(2, {Placed("droplet-2", "two", {0, 1})});
  REQUIRE(w.remote->Heartbeat().ok());
  CHECK_FALSE(w.remote->FetchDroplets().ok());
  auto desired = w.remote->ReadDesired();
  REQUIRE(desired.ok());
  REQUIRE(desired->size() == 1);
  CHECK((*desired)[0].droplet_guid == "droplet-1");
  CHECK(w.remote->applied_version() == 1);
  CHECK(w.cache->Has(Sha256Hex("one")));
  // It comes: the new desire is published and droplet-1 leaves the cache.
  w.AddDroplet("droplet-2", "two");
  const std::uint64_t before = w.remote->ChangeCount();
  REQUIRE(w.remote->FetchDroplets().ok());
  CHECK(w.remote->ChangeCount() > before);
  desired = w.remote->ReadDesired();
  REQUIRE(desired.ok());
  CHECK((*desired)[0].droplet_guid == "droplet-2");
  CHECK(w.remote->applied_version() == 2);
  CHECK_FALSE(w.cache->Has(Sha256Hex("one")));
  CHECK(w.cache->Has(Sha256Hex("two")));
  // A second process on the same droplet, a later assignment: still downloaded once.
  DesiredProcess worker = Placed("droplet-2", "two", {0});
  worker.process_type = "worker";
  w.Assign(3, {Placed("droplet-2", "two", {0, 1}), worker});
  REQUIRE(w.remote->Heartbeat().ok());
  REQUIRE(w.remote->FetchDroplets().ok());
  CHECK(w.remote->ReadDesired()->size() == 2);
  CHECK(w.Downloads("droplet-2") == 2);  // one 404, one download
  CHECK(w.cache->downloads() == 3);      // droplet-1, droplet-2 refused (404), droplet-2
  // Nothing assigned any more: the cache empties.
  w.Assign(4, {});
  REQUIRE(w.remote->Heartbeat().ok());
  REQUIRE(w.remote->FetchDroplets().ok());
  CHECK(w.remote->ReadDesired()->empty());
  CHECK(std::filesystem::is_empty(w.dir.path() / "droplet-cache"));
}

TEST_CASE("Remote cell: a process whose droplet is unpacked already runs while its archive cannot be fetched") {
  World w;  // after a restart of wharfd: the adopted instances keep running
  std::filesystem::create_directories(w.dir.path() / "droplets" / "droplet-1");
  w.Assign(1, {Placed("droplet-1", "one", {0})});
  REQUIRE(w.remote->Heartbeat().ok());
  CHECK_FALSE(w.remote->FetchDroplets().ok());
  auto desired = w.remote->ReadDesired();
  REQUIRE(desired.ok());
  CHECK(desired->size() == 1);
}

TEST_CASE("Remote cell: an unreachable API is an error for the heartbeat, logged once, and the last assignment stays") {
  World w;
  w.AddDroplet("droplet-1", "one");
  w.Assign(1, {Placed("droplet-1", "one", {0})});
  REQUIRE(w.remote->Heartbeat().ok());
  REQUIRE(w.remote->FetchDroplets().ok());
  auto made = ApiClient::Make({"http://127.0.0.1:1", "t", "", 500ms});
  REQUIRE(made.ok());
  RemoteCellOptions options;
  options.cell_id = "cell-a";
  RemoteDesiredState away(**made, *w.cache, w.clock, options, w.logs.fn());
  CHECK_FALSE(away.Heartbeat().ok());
  CHECK_FALSE(away.Heartbeat().ok());
  CHECK(w.logs.Count("heartbeat failed") == 1);
  CHECK_FALSE(ApiClient::Make({"ftp://host", "t"}).ok());
}

TEST_CASE("Remote cell: the heartbeat thread follows the injected clock and the assignment's interval") {
  World w;
  w.AddDroplet("droplet-1", "one");
  w.Assign(1, {Placed("droplet-1", "one", {0})});
  std::atomic<int> changed{0};
  RemoteCellOptions options;
  options.cell_id = "cell-a";
  options.tick = 5ms;
  RemoteDesiredState remote(*w.client, *w.cache, w.clock, options, w.logs.fn());
  remote.Start([&] { ++changed; });
  auto heartbeats = [&] {
    std::lock_guard lock(w.api.mu);
    return w.api.heartbeats.size();
  };
  for (int i = 0; i < 400 && (heartbeats() < 1 || changed.load() < 1); ++i) std::this_thread::sleep_for(5ms);
  CHECK(heartbeats() == 1);
  CHECK(changed.load() == 1);  // the assignment's droplet was fetched and published
  std::this_thread::sleep_for(30ms);
  CHECK(heartbeats() == 1);  // the clock did not move
  w.clock.Advance(500ms);
  for (int i = 0; i < 400 && heartbeats() < 2; ++i) std::this_thread::sleep_for(5ms);
  CHECK(heartbeats() == 2);
  remote.Stop();
}

TEST_CASE("Remote cell logs: batches go to the API, while it is away they wait, and a full queue drops the oldest") {
  World w;
  ApiLogSinkOptions options;
  options.cell_id = "cell-a";
  options.flush_interval = 1h;  // the test flushes
  options.max_batch = 2;
  options.max_queued = 3;
  ApiLogSink sink(*w.client, options);
  auto entry = [](std::string message) {
    runtime::LogEntry e;
    e.at = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
    e.source_type = "APP/PROC/WEB";
    e.source_instance = "1";
    e.message = std::move(message);
    return e;
  };
  REQUIRE(sink.Append("app-1", entry("one")).ok());
  REQUIRE(sink.Append("app-1", entry("two")).ok());
  REQUIRE(sink.Append("app-1", entry("three")).ok());
  CHECK(sink.Flush());
  CHECK(sink.sent() == 3);
  CHECK(sink.queued() == 0);
  {
    std::lock_guard lock(w.api.mu);
    REQUIRE(w.api.log_entries.size() == 3);
    CHECK(w.api.log_entries[0] == nlohmann::json{{"app_guid", "app-1"},
                                                 {"source_type", "APP/PROC/WEB"},
                                                 {"source_instance", "1"},
                                                 {"message", "one"},
                                                 {"is_err", false},
                                                 {"at", "2027-01-15T08:00:00Z"}});
    w.api.logs_down = true;
  }
  for (const char* m : {"a", "b", "c", "d"}) REQUIRE(sink.Append("app-1", entry(m)).ok());
  CHECK(sink.dropped() == 1);  // "a": the queue holds 3
  CHECK_FALSE(sink.Flush());
  CHECK(sink.queued() == 3);
  {
    std::lock_guard lock(w.api.mu);
    w.api.logs_down = false;
  }
  CHECK(sink.Flush());
  std::lock_guard lock(w.api.mu);
  REQUIRE(w.api.log_entries.size() == 6);
  CHECK(w.api.log_entries[3]["message"] == "b");
  CHECK(w.api.log_entries[5]["message"] == "d");
}

TEST_CASE("Remote cell logs: a batch the API refuses is sent again one app at a time, and the refused app's lines are dropped") {
  World w;
  ApiLogSinkOptions options;
  options.cell_id = "cell-a";
  options.flush_interval = 1h;
  ApiLogSink sink(*w.client, options);
  runtime::LogEntry e;
  e.source_type = "CELL";
  e.source_instance = "0";
  e.message = "line";
  REQUIRE(sink.Append("app-1", e).ok());
  REQUIRE(sink.Append("gone", e).ok());  // a stopped instance's last line, its app no longer placed here
  REQUIRE(sink.Append("app-2", e).ok());
  CHECK(sink.Flush());
  CHECK(sink.sent() == 2);
  CHECK(sink.dropped() == 1);
  CHECK(sink.queued() == 0);
  std::lock_guard lock(w.api.mu);
  REQUIRE(w.api.log_entries.size() == 2);
  CHECK(w.api.log_entries[0]["app_guid"] == "app-1");
  CHECK(w.api.log_entries[1]["app_guid"] == "app-2");
}

TEST_CASE("Remote cell logs: a batch stays within the entry and byte bounds") {
  World w;
  ApiLogSinkOptions options;
  options.cell_id = "cell-a";
  options.flush_interval = 1h;
  options.max_batch_bytes = 1000;
  ApiLogSink sink(*w.client, options);
  runtime::LogEntry e;
  e.source_type = "APP/PROC/WEB";
  e.message = std::string(300, 'x');
  for (int i = 0; i < 10; ++i) REQUIRE(sink.Append("app-1", e).ok());
  CHECK(sink.Flush());
  CHECK(sink.sent() == 10);
  std::lock_guard lock(w.api.mu);
  CHECK(w.api.log_entries.size() == 10);
  // 10 entries of ~400 bytes in batches of at most 1000 bytes: at least 4 posts.
  CHECK(w.api.auth.size() >= 4);
}

}  // namespace wharf::cell
