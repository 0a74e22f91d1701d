// The cell role of wharfd: runs the droplets of started apps as containers and
// keeps them healthy and routed. It knows no database and no router: it reads
// what should run through DesiredStateSource and reports through the interfaces
// in CellDeps (controller/dataplane/ implements them, controller/daemon/data_plane.cpp wires them).
//
//   DesiredStateSource --(when ChangeCount moved, checked every sync_interval)--> Cell::Sync
//     -> droplets unpacked once each under droplets_dir (shared by instances)
//     -> health::Supervisor::SetProcess / RemoveApp (only for what changed)
//   Supervisor (ticking thread): starts/stops containers through the runtime,
//     runs health checks, restarts crashes with CF's backoff
//     -> RouteEndpoints -> EndpointTable (healthy web instances become endpoints)
//     -> InstanceEventRecorder -> log tailing, [CELL/0] lines, then `audit`
//   LogTailer: instances' stdout/stderr -> [APP/PROC/WEB/i] lines (LogSink)
//
// Start order matters for surviving a restart of wharfd: Recover() adopts the
// containers already running, the first Sync gives the supervisor the desired
// state, and only then does it start ticking (so nothing is stopped for lack of a
// desire). Before Start returns, the adopted instances are checked once, and those
// that pass are routed. Stop() stops the threads; containers keep running for the
// next wharfd.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cell/desired_state.h"
#include "cell/instance_events.h"
#include "cell/instance_reporter.h"
#include "cell/route_endpoints.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "health/health_check.h"
#include "health/supervisor.h"
#include "runtime/container_runtime.h"
#include "runtime/logs/log_entry.h"
#include "runtime/logs/log_tailer.h"

namespace wharf::cell {

struct CellOptions {
  std::filesystem::path droplets_dir;  // unpacked droplets, one folder per droplet guid
  std::string api_url;                 // the API's URL, VCAP_APPLICATION's cf_api
  // How often the cell looks for changes; it reads the desired state only when its
  // ChangeCount moved since the last read, and at least every full_sync_interval.
  std::chrono::milliseconds sync_interval{50};
  std::chrono::milliseconds full_sync_interval{5000};
  std::chrono::milliseconds tick_interval{100};
  health::SupervisorOptions supervisor;
};

struct CellDeps {
  runtime::ContainerRuntime& runtime;
  DesiredStateSource& desired;
  health::Prober& prober;               // health::SocketProber in wharfd
  runtime::LogSink& logs;               // the apps' log lines: [CELL/0], [APP/PROC/WEB/i]
  health::InstanceEventSink& audit;     // every instance event, after its [CELL/0] lines
  EndpointTable* routes;                // null: no router role in this wharfd
  const Clock& clock;
};

class Cell final : public InstanceReporter {
 public:
  // Open, then Run.
  static Result<std::unique_ptr<Cell>> Start(const CellDeps& deps, const CellOptions& options);
  // Adopts the running containers, reads the desired state and checks the adopted
  // instances once (those that pass are routed); starts no thread and no container.
  static Result<std::unique_ptr<Cell>> Open(const CellDeps& deps, const CellOptions& options);
  // Starts the threads: log tailing, the supervisor's ticks, the sync timer.
  void Run();
  ~Cell() override;
  Cell(const Cell&) = delete;
  Cell& operator=(const Cell&) = delete;

  void Stop();
  // Reads the desired state and tells the supervisor what changed.
  Status Sync();
  // Sync() when the desired state changed since the last one, or a full interval passed.
  Status SyncIfChanged();
  // The desired state may have changed (wharfd calls it after every database commit): the sync
  // thread looks at once instead of at its next period, and a changed desire wakes the
  // supervisor, so a start or stop begins within milliseconds of the API's answer. At most one read
  // per kMinSyncGap: a stream of commits (metrics many apps post) is not a read per commit.
  void DesiredStateChanged();
  static constexpr std::chrono::milliseconds kMinSyncGap{10};
  // One step of the supervisor (what its thread does every tick_interval), then waits
  // for the stops it began: tests drive an Open cell with it and a FakeClock.
  void Tick();

  std::vector<InstanceReport> Instances(const std::string& app_guid, const std::string& process_type) override;
  Status RestartInstance(const std::string& app_guid, const std::string& process_type, int index) override;
  Result<int> ExecInInstance(const std::string& app_guid, const std::string& process_type, int index,
                             const runtime::ExecSpec& spec) override;

 private:
  Cell(const CellDeps& deps, const CellOptions& options);
  Result<std::filesystem::path> DropletDir(const DesiredProcess& process);
  void TailRecovered();
  void RemoveUnusedDroplets(const std::set<std::string>& in_use);

  CellDeps deps_;
  CellOptions options_;
  runtime::LogTailer tailer_;
  RouteEndpoints endpoints_;
  InstanceEventRecorder event_recorder_;
  std::unique_ptr<health::Supervisor> supervisor_;
  std::mutex sync_mu_;  // one Sync at a time; guards the members below
  std::map<health::ProcessKey, std::string> applied_;  // fingerprint of each desire given to the supervisor
  std::set<std::string> failed_droplets_;              // droplets that would not unpack (logged once)
  int syncs_ = 0;
  std::uint64_t synced_changes_ = 0;                        // DesiredStateSource::ChangeCount() at the last read
  std::chrono::steady_clock::time_point last_full_sync_{};
  PeriodicTask sync_timer_;
  std::atomic<std::int64_t> last_sync_ns_{0};  // steady clock, when the sync thread last looked
  bool stopped_ = false;
};

}  // namespace wharf::cell
