// The real wharfd API for CLI tests: controller::Daemon in-process on
// 127.0.0.1 with a temporary data folder, reached through a RecordingProxy
// that records what the CLI sent and injects faults. What the daemon cannot
// do in a unit test is scripted at its own interfaces: staging (a
// BuildScheduler that stages at once, or fails with a given error) and the
// cell (an InstanceReporter that reports the instances a test sets).
// Observations read the daemon's own state through its API and blob store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cell/instance_reporter.h"
#include "cli/testing/recording_proxy.h"
#include "cli/testing/temp_dir.h"
#include "common/time/clock.h"

namespace wharf::controller {
class Daemon;
}

namespace wharf::cli::testing {

class ScriptedStager;
class ScriptedCell;

class TestWharfd {
 public:
  TestWharfd();
  ~TestWharfd();
  TestWharfd(const TestWharfd&) = delete;
  TestWharfd& operator=(const TestWharfd&) = delete;

  std::string url() const { return proxy_.url(); }  // through the recording proxy
  std::string direct_url() const;                    // the daemon itself (https:// with EnableApiTls)
  std::string token() const;                         // the admin token
  std::filesystem::path data_dir() const { return dir_.path() / "data"; }
  RecordingProxy& proxy() { return proxy_; }
  controller::Daemon& daemon() { return *daemon_; }

  // --- roles (each restarts the daemon on the same data folder) ---
  // A stager that stages every build at once (nodejs_buildpack 1.0.0, web: node server.js),
  // or fails it with `failure`.
  void EnableStaging(std::optional<std::string> failure = std::nullopt);
  // A cell whose instances are those SetInstances gives.
  void EnableCell();
  // The API speaks HTTPS with this pair (wharfd --api-tls-cert/--api-tls-key); the recording
  // proxy, plain HTTP, is then of no use: talk to direct_url().
  void EnableApiTls(const std::filesystem::path& cert, const std::filesystem::path& key);

  // --- state set through the API ---
  void AddDomain(const std::string& name);
  void AddLogLine(const std::string& app_guid, const std::string& source, const std::string& message);
  // The cell reports these for the app's web process; `outdated` ones run an older version.
  struct Instance {
    cell::InstanceReport report;
    bool outdated = false;
  };
  void SetInstances(const std::string& app_name, std::vector<Instance> instances);

  // --- observations ---
  std::vector<std::string> requests() const { return proxy_.requests(); }
  std::vector<std::string> mutations() const { return proxy_.mutations(); }
  void ClearRequests() { proxy_.ClearRequests(); }
  int uploads() const;  // POST /v1/resources the CLI sent
  bool HasBlob(const std::string& sha256) const;
  // The app's packages, oldest first, each with its "files" read from its file list blob.
  nlohmann::json packages(const std::string& app_name) const;
  std::optional<nlohmann::json> app(const std::string& name) const;
  nlohmann::json process(const std::string& app_name, const std::string& type) const;
  nlohmann::json routes() const;
  nlohmann::json buildpacks() const;                            // in position order
  std::string buildpack_upload(const std::string& name) const;  // the archive stored, or ""

  // A GET or other call with the admin token straight to the daemon; CHECKs the status is 2xx.
  nlohmann::json Call(const std::string& method, const std::string& path,
                      const std::optional<nlohmann::json>& body = std::nullopt) const;

 private:
  void Restart();

  TempDir dir_;
  SystemClock clock_;
  std::vector<std::string> roles_ = {"api"};
  std::filesystem::path tls_cert_;
  std::filesystem::path tls_key_;
  std::unique_ptr<ScriptedStager> stager_;
  std::unique_ptr<ScriptedCell> cell_;
  std::unique_ptr<controller::Daemon> daemon_;
  RecordingProxy proxy_{0};
};

}  // namespace wharf::cli::testing
