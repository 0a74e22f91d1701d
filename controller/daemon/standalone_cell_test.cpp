// wharfd --roles cell end to end in one process: StandaloneCell against a fake API (Poco's
// HTTPServer on 127.0.0.1) with the process backend: it registers with its first heartbeat,
// downloads the assigned droplet once, runs only the index placed on it, posts its log lines and
// reports the instance in its next heartbeats. Label "integration": it starts real processes.
#include "controller/daemon/standalone_cell.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <iterator>
#include <mutex>
#include <thread>

#include "cell/cell_wire.h"
#include "cell/remote/testing/fake_http_server.h"
#include "common/file_io.h"
#include "common/sha256.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;

class FakeApi {
 public:
  std::string url() const { return server_.url(); }

  std::mutex mu;
  std::string assignment;
  std::string droplet;
  int downloads = 0;
  std::vector<cell::CellHeartbeat> heartbeats;
  std::vector<nlohmann::json> logs;

 private:
  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    std::string body((std::istreambuf_iterator<char>(req.stream())), std::istreambuf_iterator<char>());
    std::lock_guard lock(mu);
    auto reply = [&](Poco::Net::HTTPResponse::HTTPStatus status, const std::string& text) {
      res.setStatus(status);
      res.setContentLength(static_cast<std::streamsize>(text.size()));
      res.send() << text;
    };
    if (req.get("Authorization", "") != "Bearer cell-secret") {
      return reply(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED, R"({"description":"bad token"})");
    }
    const std::string uri = req.getURI();
    if (req.getMethod() == "PUT" && uri == "/v1/cells/cell-a") {
      auto hb = cell::CellHeartbeatFromJson(nlohmann::json::parse(body));
      if (!hb.ok()) return reply(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST, "{}");
      heartbeats.push_back(*hb);
      return reply(Poco::Net::HTTPResponse::HTTP_OK, assignment);
    }
    if (req.getMethod() == "POST" && uri == "/v1/cells/cell-a/logs") {
      const nlohmann::json posted = nlohmann::json::parse(body);
      for (const auto& e : posted.at("entries")) logs.push_back(e);
      return reply(Poco::Net::HTTPResponse::HTTP_OK, R"({"accepted":1})");
    }
    if (req.getMethod() == "GET" && uri == "/v1/droplets/d1/download") {
      ++downloads;
      return reply(Poco::Net::HTTPResponse::HTTP_OK, droplet);
    }
    reply(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "{}");
  }
  cell::testing::FakeHttpServer server_{[this](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    Handle(req, res);
  }};
};

template <typename F>
bool WaitFor(F done, std::chrono::milliseconds limit = 20s) {
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

}  // namespace

TEST_CASE("wharfd --roles cell: registers, downloads its droplet once, runs the index placed on it, posts its logs") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-standalone-cell-test-");
  REQUIRE(dir.ok());
  const std::filesystem::path root = *dir;
  std::filesystem::create_directories(root / "droplet" / "app");
  REQUIRE(WriteFileAtomic(root / "droplet" / "app" / "index.html", "hi\n").ok());
  const std::string tar = "tar czf '" + (root / "droplet.tgz").string() + "' -C '" + (root / "droplet").string() + "' .";
  REQUIRE(std::system(tar.c_str()) == 0);
  REQUIRE(WriteFileAtomic(root / "token", "cell-secret\n").ok());

  FakeApi api;
  {
    std::lock_guard lock(api.mu);
    api.droplet = ReadFile(root / "droplet.tgz").value();
    cell::DesiredProcess p;
    p.app_guid = "app-1";
    p.app_name = "hello";
    p.process_guid = "p-web";
    p.process_type = "web";
    p.instances = 2;
    p.indices = {1};
    p.run_generation = 1;
    p.droplet_guid = "d1";
    p.droplet_sha256 = Sha256Hex(api.droplet);
    p.launch_argv = {"/bin/sh", "-c", "exec sleep 600"};
    p.memory_mb = 64;
    p.disk_mb = 256;
    cell::CellAssignment a;
    a.version = 4;
    a.processes = {p};
    a.heartbeat_interval = 200ms;
    api.assignment = cell::CellAssignmentToJson(a).dump();
  }

  auto inv = ParseFlags({"--roles", "cell", "--data-dir", (root / "data").string(), "--cell-id", "cell-a",
                         "--cell-address", "127.0.0.1", "--zone", "z1", "--api-url", api.url(), "--api-token-file",
                         (root / "token").string(), "--runtime", "process", "--cell-memory-mb", "1024",
                         "--cell-disk-mb", "2048", "--cell-max-instances", "7"},
                        "");
  REQUIRE_MESSAGE(inv.ok(), inv.status().ToString());
  SystemClock clock;
  auto started = StandaloneCell::Start(inv->config, clock, [] { return false; });
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  auto& cell = *started;

  {
    std::lock_guard lock(api.mu);
    REQUIRE(!api.heartbeats.empty());
    const cell::CellHeartbeat& first = api.heartbeats.front();
    CHECK(first.cell_id == "cell-a");
    CHECK(first.zone == "z1");
    CHECK(first.address == "127.0.0.1");
    CHECK(first.capacity == cell::CellCapacity{1024, 2048, 7});
    CHECK(first.assignment_version == 0);
    CHECK_FALSE(first.instances_known);  // sent before the cell adopted its containers: not "none"
    CHECK(api.downloads == 1);
  }
  // The next heartbeats say the assignment is applied and report the instance at index 1 only.
  CHECK(WaitFor([&] {
    std::lock_guard lock(api.mu);
    const cell::CellHeartbeat& last = api.heartbeats.back();
    return last.assignment_version == 4 && last.instances.size() == 1;
  }));
  {
    std::lock_guard lock(api.mu);
    const cell::CellHeartbeat& last = api.heartbeats.back();
    REQUIRE(last.instances.size() == 1);
    CHECK(last.instances[0].app_guid == "app-1");
    CHECK(last.instances[0].process_type == "web");
    CHECK(last.instances[0].report.index == 1);
    CHECK(api.downloads == 1);
  }
  // Its [CELL/1] lines reach the API.
  CHECK(WaitFor([&] {
    std::lock_guard lock(api.mu);
    for (const auto& e : api.logs) {
      if (e.at("app_guid") == "app-1" && e.at("source_type") == "CELL" && e.at("source_instance") == "1") return true;
    }
    return false;
  }));
  CHECK(std::filesystem::exists(root / "data" / "droplet-cache" / Sha256Hex(ReadFile(root / "droplet.tgz").value())));

  // Nothing assigned any more: the instance stops and the droplet leaves the cache.
  {
    std::lock_guard lock(api.mu);
    cell::CellAssignment none;
    none.version = 5;
    none.heartbeat_interval = 200ms;
    api.assignment = cell::CellAssignmentToJson(none).dump();
  }
  CHECK(WaitFor([&] {
    std::lock_guard lock(api.mu);
    const cell::CellHeartbeat& last = api.heartbeats.back();
    return last.assignment_version == 5 && last.instances.empty();
  }));
  CHECK(std::filesystem::is_empty(root / "data" / "droplet-cache"));
  cell->Stop();
  cell.reset();
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

}  // namespace wharf::controller
