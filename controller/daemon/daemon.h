// The composition root of wharfd: builds every object from the Config, wires
// them together, and takes them down in order. main() and the in-process API
// tests both use it, so the tests run exactly what ships.
//
// Start: data folder (0700) -> lock (one wharfd per data folder) -> event log
// -> database (migrated) -> blob store -> API socket bound (fails loudly if the
// port is taken) and the metrics forwarder's (any free loopback port) -> bootstrap
// (org, space, admin token, shared domain) -> services (builds left STAGING by a
// previous wharfd failed) -> GC timer -> Serve(): HTTP servers -> DATA_DIR/api-port.
// Stop: API (in-flight requests finish, bounded) -> log streams released ->
// GC timer -> database closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/daemon/config.h"
#include "controller/daemon/layout.h"
#include "controller/http/http_exchange.h"
#include "controller/http/http_router.h"
#include "controller/platform/instance_reporter.h"
#include "controller/platform/platform_info.h"
#include "controller/platform/task_slot.h"
#include "controller/services/apps/cell_capacity.h"
#include "controller/services/builds/build_scheduler.h"

namespace wharf::store {
class BlobStore;
}

namespace wharf::state {
class Database;
}

namespace wharf::controller {

class AutoscalingMetrics;
class AutoscalingService;
class DeploymentService;
class BuildService;
class EventRecorder;
class ProcessService;
class LogBuffer;
class RouteTableChannel;
class RoutingProgress;
class RemoteCells;
class TaskService;

// Knobs tests turn; the defaults are production's.
struct DaemonOptions {
  BodyLimits limits;
  std::chrono::milliseconds log_stream_keepalive{15000};
  std::chrono::milliseconds gc_interval{std::chrono::hours(1)};
  std::chrono::seconds gc_grace{3600};
  // Room kept on the data disk for deletes on a full disk (DiskReserve), how often the disk is
  // watched, and the grace of the garbage collection a full disk triggers.
  std::uint64_t disk_reserve_bytes = 64ull << 20;
  std::chrono::milliseconds disk_watch_interval{5000};
  // (Only what a write of the last seconds may still name is kept: on a full disk uploads fail anyway.)
  std::chrono::seconds emergency_gc_grace{10};
  std::chrono::milliseconds deployment_interval{200};  // how often active deployments are driven
  std::chrono::milliseconds placement_interval{500};   // how often instances are placed on remote cells
  bool echo_events_to_stderr = false;
  // false: the API accepts connections but answers nothing until Serve(), so
  // main() can start the router and the cell first (an answering /v1/info then
  // means the whole wharfd is up).
  bool serve_at_start = true;
  // Broker operations a previous wharfd left in progress wait for ResumeServiceOperations()
  // (wharfd: once its built-in brokers run again and are registered at their new address).
  bool defer_service_resume = false;
};

class Daemon {
 public:
  // `scheduler` may be null (no stager role yet). `clock` must outlive the daemon.
  static Result<std::unique_ptr<Daemon>> Start(const Config& config, const Clock& clock,
                                               const DaemonOptions& options = {},
                                               BuildScheduler* scheduler = nullptr);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts answering API requests and writes DATA_DIR/api-port. Idempotent;
  // Start() calls it unless DaemonOptions::serve_at_start is false.
  Status Serve();

  // Idempotent. In-flight requests get up to `grace` to finish.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // 0 when the api role is not run.
  std::uint16_t api_port() const;
  // The loopback port of the metrics forwarder (custom-metric posts only; 0 without the api role).
  std::uint16_t metrics_forwarder_port() const;
  // What this host's cell holds (memory, disk, CPUs), as admission checks it.
  const CellCapacity& cell_capacity() const;
  const DataLayout& layout() const;
  // The builds found STAGING at start (a previous wharfd stopped mid-staging),
  // failed by Start(); the stager removes their containers and workspaces.
  const std::vector<std::string>& interrupted_builds() const;
  // For components wired in later (the stager reports builds) and for tests.
  BuildService& builds();
  LogBuffer& logs();
  state::Database& database();
  // Whether this wharfd runs the orchestration loops now (deployments, credential rotations, canary
  // analysis, the autoscaler): one holder among the wharfds sharing a PostgreSQL database.
  bool LeadsOrchestration();
  // The API's endpoints (null without the api role): the access tests list them.
  const HttpRouter* api_router() const;
  store::BlobStore& blobs();
  EventRecorder& events();
  // Takes up the broker operations a previous wharfd left in progress, once (Start does it
  // itself unless DaemonOptions::defer_service_resume; a second call does nothing).
  Status ResumeServiceOperations();
  const PlatformInfo& platform() const;
  // The cell role plugs itself in here so the API can list instances.
  InstanceReporterSlot& instances();
  // What cells on other hosts report (their instances, for the listing and the routing table);
  // plugged into instances() when this wharfd has the api role and not the cell role.
  RemoteCells& remote_cells();
  // The cell role plugs its task runner in here; tasks are run and recorded through TaskService.
  TaskRunnerSlot& task_runners();
  TaskService& tasks();
  ProcessService& processes();
  AutoscalingService& autoscaling();
  DeploymentService& deployments();
  AutoscalingMetrics& autoscaling_metrics();
  // RoutingSync publishes the routing table here for the API's route stream.
  RouteTableChannel& route_table();
  // The in-process router's RoutingSync reports here; `wharf stop` waits on it.
  RoutingProgress& routing_progress();

 private:
  struct Parts;
  explicit Daemon(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::controller
