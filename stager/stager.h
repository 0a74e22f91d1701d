// The stager: turns an app's package into a droplet by running buildpacks in a
// staging container. This is the interface the controller calls.
//
//   Stager stager(config, blobs, runtime, registry, clock);
//   StagingOutcome out = stager.Stage(request, observer);   // blocks; thread-safe
//
// One staging, in order:
//   1. the buildpacks are resolved (names through the registry, folders,
//      archives, git URLs with #ref); detection uses the registry's order;
//   2. the package is materialized into a fresh build folder, and the app's
//      previous buildpack cache (a blob) is unpacked beside it;
//   3. one staging container (own network namespace with egress to registries only, memory/disk limits, timeout) runs
//      the builder, which follows the plan (stager/staging_plan.h): detect,
//      supply, finalize or compile, release, per Cloud Foundry and Heroku;
//   4. the start command is decided (-c, Procfile, buildpack), and app/, deps/,
//      profile.d/, staging_info.yml and droplet.json are archived straight into
//      the blob store; the cache is stored if it changed.
// Guarantees: nothing but new blobs is written to the store, and only on
// success (the droplet) or success (the cache); a failure leaves the app's
// current droplet and cache exactly as they were. Running apps are never
// touched. The staging's folder is removed afterwards, whatever happened.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/time/clock.h"
#include "droplet-store/blob_store.h"
#include "runtime/container_runtime.h"
#include "stager/buildpacks/buildpack_registry.h"
#include "stager/droplet/droplet_metadata.h"
#include "stager/source/tree_archive.h"
#include "stager/staging_error.h"

namespace wharf::stager {

struct StagingLimits {
  std::uint64_t memory_bytes = 1ull << 30;      // 1 GiB, as Cloud Foundry's staging task
  std::uint64_t disk_bytes = 4ull << 30;        // 4 GiB: the droplet's files may not exceed it
  std::chrono::seconds timeout{15 * 60};        // 15 min
  std::uint64_t max_log_bytes = 8ull << 20;     // output beyond this is dropped, with a notice
};

struct StagingRequest {
  std::string build_guid;                       // names the staging container and folder
  std::string app_guid;
  std::string app_name;
  std::string package_sha256;                   // digest of the package manifest (droplet-store)
  // As the user gave them (-b, manifest buildpacks): registered names, absolute
  // folders or archives on this machine, git URLs with an optional #ref.
  // Empty (or "default"/"null" alone): detect from the registry.
  std::vector<std::string> buildpacks;
  std::string stack = "host";  // the host stack unless a built one is named (stacks/)
  std::map<std::string, std::string> env;       // the app's env (user + staging group), visible to buildpacks
  std::optional<std::string> start_command;     // -c / manifest command
  StagingLimits limits;
  std::optional<std::string> previous_cache_sha256;
  // The staging container's policy groups (runtime/network/network_plan.h); empty: the platform-wide
  // staging group only.
  std::vector<std::string> policy_groups;
  // Set to true to stop the staging container at once (wharfd stopping); the staging then
  // fails as kCancelled. Null: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

// Where the time went, for the log and the benchmark.
struct StagingTimings {
  std::chrono::milliseconds prepare{0};    // buildpacks fetched, package materialized, cache restored
  std::chrono::milliseconds buildpacks{0}; // the staging container, start to exit
  std::chrono::milliseconds droplet{0};    // start command decided, droplet archived and stored
  std::chrono::milliseconds cache{0};      // cache compared and stored
};

struct StagingResult {
  std::string droplet_sha256;
  std::uint64_t droplet_size = 0;
  Compression droplet_compression = Compression::kZstd;
  DropletMetadata metadata;
  std::optional<std::string> cache_sha256;      // the app's cache from now on; nullopt: none
  bool cache_unchanged = false;
  std::chrono::milliseconds duration{0};
  StagingTimings timings;
};

// Either a result or an error, never both.
class StagingOutcome {
 public:
  StagingOutcome(StagingResult r) : v_(std::move(r)) {}  // NOLINT: implicit by design
  StagingOutcome(StagingError e) : v_(std::move(e)) {}   // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<StagingResult>(v_); }
  const StagingResult& result() const { return std::get<StagingResult>(v_); }
  const StagingError& error() const { return std::get<StagingError>(v_); }

 private:
  std::variant<StagingResult, StagingError> v_;
};

// Receives the staging log live, line by line, in order, on the staging thread.
// The caller tags the lines ([STG/0]) and stores or streams them.
class StagingObserver {
 public:
  virtual ~StagingObserver() = default;
  virtual void OnLogLine(std::string_view line, bool is_stderr) const = 0;
};

struct StagerConfig {
  std::filesystem::path work_dir;               // staging folders and unpacked buildpack archives
  Compression droplet_compression = Compression::kZstd;
  int droplet_compression_level = 0;            // 0 = default of the compressor
  std::string container_id_prefix = "stg-";
  bool keep_failed_workspaces = false;          // for debugging buildpacks
  // The staging's disk limit enforced by the kernel: its workspace (app, dependencies, cache,
  // /tmp, droplet) is a file system of StagingLimits::disk_bytes (root, OCI runtimes). Otherwise
  // only measured.
  bool disk_quota_loop = false;
};

class StagingRun;

class Stager {
 public:
  Stager(StagerConfig config, store::BlobStore& blobs, runtime::ContainerRuntime& runtime,
         const BuildpackRegistry& registry, const Clock& clock);
  ~Stager();

  StagingOutcome Stage(const StagingRequest& request, const StagingObserver& observer);

  // Removes what an interrupted staging of `build_guid` left behind (wharfd was
  // killed mid-staging): its staging container, stopped and destroyed if it
  // still exists, and its workspace folder. Call it only for a build that no
  // Stage() of this process is running. Nothing left is not an error.
  Status DiscardLeftovers(const std::string& build_guid);

 private:
  friend class StagingRun;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::stager
