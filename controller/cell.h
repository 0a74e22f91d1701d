// The cell role of wharfd: runs the droplets of started apps as containers and
// keeps them healthy and routed.
//
//   database --(every sync_interval: ReadRunnableProcesses)--> Cell::Sync
//     -> droplets unpacked once each under droplets_dir (shared by instances)
//     -> health::Supervisor::SetProcess / RemoveApp (only for what changed)
//   Supervisor (ticking thread): starts/stops containers through the runtime,
//     runs health checks, restarts crashes with CF's backoff
//     -> RouteEndpoints -> RoutingSync (healthy web instances become endpoints)
//     -> CellEventRecorder -> [CELL/0] lines, app-crashed events, log tailing
//   LogTailer: instances' stdout/stderr -> [APP/PROC/WEB/i] lines
//
// Start order matters for surviving a restart of wharfd: Recover() adopts the
// containers already running, the first Sync gives the supervisor the desired
// state, and only then does it start ticking (so nothing is stopped for lack of a
// desire). Before Start returns, the adopted instances are checked once, and those
// that pass are routed. Stop() stops the threads; containers keep running for the
// next wharfd.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "controller/cell_adapters.h"
#include "common/periodic_task.h"
#include "controller/instance_reporter.h"
#include "controller/platform_info.h"
#include "droplet-store/blob_store.h"
#include "health/health_check.h"
#include "health/supervisor.h"

namespace wharf::controller {

struct CellOptions {
  std::filesystem::path droplets_dir;  // unpacked droplets, one folder per droplet guid
  // How often the cell looks for changes; it reads the apps only when the database
  // committed something since its last read, and at least every full_sync_interval.
  std::chrono::milliseconds sync_interval{50};
  std::chrono::milliseconds full_sync_interval{5000};
  std::chrono::milliseconds tick_interval{100};
};

struct CellDeps {
  runtime::ContainerRuntime& runtime;
  Database& db;
  store::BlobStore& blobs;
  LogBuffer& logs;
  EventRecorder& events;
  const PlatformInfo& platform;
  RoutingSync* routing;  // null: no router role in this wharfd
  const Clock& clock;
};

class Cell final : public InstanceReporter {
 public:
  static Result<std::unique_ptr<Cell>> Start(const CellDeps& deps, const CellOptions& options);
  ~Cell() override;
  Cell(const Cell&) = delete;
  Cell& operator=(const Cell&) = delete;

  void Stop();
  // Reads the desired state and tells the supervisor what changed.
  Status Sync();
  // Sync() when the database changed since the last one, or a full interval passed.
  Status SyncIfChanged();

  std::vector<InstanceReport> Instances(const std::string& app_guid, const std::string& process_type) override;
  Status RestartInstance(const std::string& app_guid, const std::string& process_type, int index) override;

 private:
  Cell(const CellDeps& deps, const CellOptions& options);
  Result<std::filesystem::path> DropletDir(const Droplet& droplet);
  void TailRecovered();
  void RemoveUnusedDroplets(const std::set<std::string>& in_use);

  CellDeps deps_;
  CellOptions options_;
  LogBufferSink log_sink_;
  runtime::LogTailer tailer_;
  RouteEndpoints endpoints_;
  CellEventRecorder event_recorder_;
  health::SocketProber prober_;
  std::unique_ptr<health::Supervisor> supervisor_;
  std::mutex sync_mu_;  // one Sync at a time; guards the members below
  std::map<health::ProcessKey, std::string> applied_;  // fingerprint of each desire given to the supervisor
  std::set<std::string> failed_droplets_;              // droplets that would not unpack (logged once)
  int syncs_ = 0;
  std::uint64_t synced_commits_ = 0;                        // Database::CommitCount() at the last read
  std::chrono::steady_clock::time_point last_full_sync_{};
  PeriodicTask sync_timer_;
  bool stopped_ = false;
};

}  // namespace wharf::controller
