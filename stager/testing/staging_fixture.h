// A whole staging set-up for the stager's integration tests: a blob store, the
// runtime's plain-process backend, the built-in buildpacks registered in
// Cloud Foundry's order, packages made from folders, and a way to run a
// droplet's start command and fetch a page from it.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/time/clock.h"
#include "droplet-store/blob_store.h"
#include "runtime/container_runtime.h"
#include "stager/stager.h"
#include "stager/testing/test_support.h"

namespace wharf::stager::testing {

// The repository's examples/ and buildpacks/ folders.
std::filesystem::path SourceDir();

class CollectingObserver final : public StagingObserver {
 public:
  void OnLogLine(std::string_view line, bool) const override { lines_.emplace_back(line); }
  std::string Text() const;
  bool Contains(std::string_view s) const { return Text().find(s) != std::string::npos; }
  std::size_t Count() const { return lines_.size(); }

 private:
  mutable std::vector<std::string> lines_;
};

class StagingFixture {
 public:
  // `registry`: nullopt = the built-in buildpacks. `backend`: "process", or
  // "auto" for an isolated OCI runtime when root and runc/crun are here (check
  // runtime().Isolated()); it then uses its own bridge and subnet.
  explicit StagingFixture(std::optional<std::vector<RegisteredBuildpack>> registry = std::nullopt,
                          const std::string& backend = "process");
  ~StagingFixture();

  // Stores every file under `dir` as a package; returns the manifest digest.
  std::string PackageFolder(const std::filesystem::path& dir);
  StagingRequest Request(const std::filesystem::path& app_dir, std::vector<std::string> buildpacks = {});
  StagingOutcome Stage(const StagingRequest& req, CollectingObserver& log);

  // Unpacks the droplet with the runtime's own UnpackDroplet; returns its folder.
  std::filesystem::path Unpack(const std::string& droplet_sha256);

  // Starts the droplet's command through the launcher, waits until it answers
  // GET / on its port (or `timeout`), returns the body (nullopt on timeout,
  // with the app's output in `failure`), and stops it.
  std::optional<std::string> RunAndFetch(const std::filesystem::path& droplet_dir, const std::string& command,
                                         std::string& failure,
                                         std::chrono::seconds timeout = std::chrono::seconds(60));

  TempDir& dir() { return tmp_; }
  store::BlobStore& blobs() { return *blobs_; }
  runtime::ContainerRuntime& runtime() { return *runtime_; }
  Stager& stager() { return *stager_; }
  StagerConfig& config() { return config_; }
  void Rebuild();  // applies a changed config()

 private:
  TempDir tmp_;
  SystemClock clock_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<runtime::ContainerRuntime> runtime_;
  std::unique_ptr<StaticBuildpackRegistry> registry_;
  StagerConfig config_;
  std::unique_ptr<Stager> stager_;
  int builds_ = 0;
};

// GET http://127.0.0.1:port/path; nullopt when nothing answers.
std::optional<std::string> HttpGet(int port, const std::string& path = "/");

}  // namespace wharf::stager::testing
