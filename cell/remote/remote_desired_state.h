// What a cell on another host (wharfd --roles cell) runs: the API's CellAssignment, as a
// DesiredStateSource for the Cell (cell/cell.h), as Diego's rep follows bbs.
//
//   heartbeat thread: every CellAssignment::heartbeat_interval (1 s until the API says otherwise)
//     PUT /v1/cells/:cell_id  CellHeartbeat (who the cell is, capacity, the assignment version it
//     applied, every instance it runs and whether its endpoint is published) -> CellAssignment
//   fetch thread: woken by a new assignment (and every retry_interval while a droplet is missing)
//     downloads the droplets it names into the DropletCache, then publishes the processes:
//     ReadDesired returns them with droplet_archive in the cache; ChangeCount moves.
//
// A process whose droplet cannot be fetched keeps the desire published before (what it runs keeps
// running, as Cell::Sync does when a droplet will not unpack); with none before it is left out
// unless its droplet is unpacked already (an instance adopted after a restart of wharfd keeps
// running). The assignment counts as applied (CellHeartbeat::assignment_version) once every
// droplet it names is here. Time comes from the injected Clock: tests call Heartbeat and
// FetchDroplets directly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cell/cell_wire.h"
#include "cell/desired_state.h"
#include "cell/instance_reporter.h"
#include "cell/remote/api_client.h"
#include "cell/remote/droplet_cache.h"
#include "cell/route_endpoints.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"

namespace wharf::cell {

// The cell's EndpointTable when no router runs in its process: it remembers the endpoints the
// supervisor published, so the heartbeat can say which instances a router may send to.
class PublishedEndpoints final : public EndpointTable {
 public:
  void SetEndpoints(const std::string& app_guid, const std::string& process_type,
                    std::vector<health::Endpoint> endpoints) override;
  // "ip:port" of every published endpoint of (app, process type).
  std::set<std::string> Addresses(const std::string& app_guid, const std::string& process_type) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::vector<health::Endpoint>> endpoints_;
};

struct RemoteCellOptions {
  std::string cell_id;
  std::string zone = "default";
  std::string address;
  std::string container_subnet;
  CellCapacity capacity;
  std::string wharf_version;
  std::filesystem::path droplets_dir;  // CellOptions::droplets_dir: droplets unpacked already, by guid
  std::chrono::milliseconds retry_interval{5'000};  // a droplet that could not be fetched is tried again
  std::chrono::milliseconds tick{100};              // how often the heartbeat thread looks at the clock
};

class RemoteDesiredState final : public DesiredStateSource {
 public:
  using Log = std::function<void(const std::string& line)>;
  RemoteDesiredState(ApiClient& api, DropletCache& cache, const Clock& clock, RemoteCellOptions options, Log log);
  ~RemoteDesiredState() override;
  RemoteDesiredState(const RemoteDesiredState&) = delete;
  RemoteDesiredState& operator=(const RemoteDesiredState&) = delete;

  // Where the heartbeat's instances come from, once the cell is open (until then it reports none).
  void SetInstanceSource(InstanceReporter* reporter, const PublishedEndpoints* endpoints);

  // One heartbeat: PUT the CellHeartbeat, take the CellAssignment. An error leaves the last assignment.
  Status Heartbeat();
  // Downloads what the last assignment names and is not cached, and publishes the processes. kUnavailable
  // when a droplet is still missing (it is retried); Ok once all are here.
  Status FetchDroplets();
  // The threads: heartbeats on the clock, fetches when an assignment comes. `changed` is called
  // after ChangeCount moved (wharfd: Cell::DesiredStateChanged).
  void Start(std::function<void()> changed);
  void Stop();

  Result<std::vector<DesiredProcess>> ReadDesired() override;
  std::uint64_t ChangeCount() override;

  bool has_assignment() const;
  std::uint64_t assignment_version() const;  // of the last assignment received
  std::uint64_t applied_version() const;     // of the last one whose droplets are all here
  std::chrono::milliseconds heartbeat_interval() const;
  CellHeartbeat MakeHeartbeat() const;

 private:
  std::vector<ReportedInstance> RunningInstances() const;
  void HeartbeatTick();

  ApiClient& api_;
  DropletCache& cache_;
  const Clock& clock_;
  const RemoteCellOptions options_;
  Log log_;

  mutable std::mutex mu_;
  std::optional<CellAssignment> assignment_;  // the last one received
  std::vector<DesiredProcess> published_;     // what ReadDesired returns
  std::string published_signature_;
  bool published_any_ = false;
  std::uint64_t changes_ = 0;
  std::uint64_t applied_version_ = 0;
  std::chrono::milliseconds interval_{1000};
  std::chrono::steady_clock::time_point next_heartbeat_{};
  bool api_down_ = false;                      // the last heartbeat failed (logged once)
  std::set<std::string> failing_droplets_;     // logged once each until fetched
  InstanceReporter* reporter_ = nullptr;
  const PublishedEndpoints* endpoints_ = nullptr;

  std::function<void()> changed_;
  PeriodicTask heartbeats_;
  PeriodicTask fetches_;
};

}  // namespace wharf::cell
