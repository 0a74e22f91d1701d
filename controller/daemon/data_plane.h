// The parts of wharfd beside the API, started by main() after the Daemon:
//   container runtime (stager or cell role): runtime::MakeRuntime over DATA_DIR/runtime,
//     its warnings logged loudly (e.g. the unisolated process backend);
//   routing table (router or api role): RoutingSync computes it from the database and
//     the cell's healthy instances, for this wharfd's router and the API's route stream;
//   router role: router::Router on 127.0.0.1:--router-port over a RouteRegistry
//     fed by RoutingSync; access log -> [RTR/0] app lines;
//   stager role: stager::Stager with the admin-ordered buildpack list from the
//     database (DbBuildpackRegistry; built-ins from --buildpacks-dir), attached to the
//     StagingScheduler the Daemon was given;
//   cell role: cell::Cell (supervisor, health checks, log tailing) reading the
//     database through DbDesiredState, its healthy instances published to
//     RoutingSync, its events to the app logs and events (cell_adapters.h), plugged
//     into the API's instance listing; and cell::TaskRunner for tasks, plugged into the
//     Daemon's TaskRunnerSlot after settling the task containers a previous wharfd left
//     (then every task still unfinished in the database is failed with a reason);
//   api role with --builtin-services: the built-in service brokers (services/builtin/),
//     registered at their new address, then the broker operations a previous wharfd
//     left in progress resumed (Daemon::ResumeServiceOperations), and with isolated
//     containers the bridge openings to their servers for bound apps (ServiceAccessSync).
// Stop (or destruction) takes them down before the Daemon stops: the cell
// (containers keep running for the next wharfd), the staging worker, the router.
#pragma once

#include <memory>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/daemon/config.h"
#include "controller/daemon/daemon.h"
#include "controller/dataplane/staging_scheduler.h"

namespace wharf::controller {

class DataPlane {
 public:
  // `scheduler` is the one given to Daemon::Start (null without the stager role).
  static Result<std::unique_ptr<DataPlane>> Start(const Config& config, const Clock& clock, Daemon& daemon,
                                                  StagingScheduler* scheduler);
  ~DataPlane();
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;

  void Stop();
  // 0 when the router role is not run.
  std::uint16_t router_port() const;
  // "runc", "crun", "process"; empty without a runtime.
  std::string runtime_name() const;

  struct Parts;

 private:
  explicit DataPlane(std::unique_ptr<Parts> parts);
  static Status StartBuiltinBrokers(const Config& config, const Clock& clock, Daemon& daemon, Parts& parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::controller
