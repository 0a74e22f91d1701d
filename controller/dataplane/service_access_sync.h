// Keeps the per-binding openings of the bridge (runtime/network/service_openings.h) in
// step with what runs: each running container of an app that has a binding to
// an instance of one of Wharf's built-in brokers may reach that binding's
// server port at the bridge address; nothing else is opened. A user-provided
// service, or a managed one of any other broker, never opens anything, whatever
// port its credentials name; and only ports a built-in server listens on now
// are ever opened (defence in depth against a record naming another port).
//
// Sync() reads the bindings (one read transaction) and the runtime's containers,
// plans with PlanServiceOpenings, and applies the set only when it changed. It
// runs every `interval` (an instance's opening follows its start, and an
// unbinding closes it, within about that time). Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/periodic_task.h"
#include "runtime/container_runtime.h"
#include "runtime/network/service_openings.h"
#include "state/sql/db.h"

namespace wharf::controller {

// An app's binding to a built-in service: the server port in its credentials.
struct BoundServicePort {
  std::string app_guid;
  int port = 0;
};

// A running container of an app, with its address on the bridge.
struct RunningAddress {
  std::string app_guid;
  std::string ip;
};

// Pure: the (address, port) pairs to open: every running address of an app times the ports
// of its bindings, for ports in `server_ports` only.
std::set<runtime::Opening> PlanServiceOpenings(const std::vector<BoundServicePort>& bound,
                                               const std::vector<RunningAddress>& running,
                                               const std::set<int>& server_ports);

// The app bindings whose instance belongs to one of `broker_guids` (not keys, not
// user-provided instances), with the port of their credentials.
Result<std::vector<BoundServicePort>> ReadBuiltinBindings(state::Database& db, const std::set<std::string>& broker_guids);

class ServiceAccessSync {
 public:
  using ApplyFn = std::function<Status(const std::set<runtime::Opening>&)>;
  using PortsFn = std::function<std::vector<int>()>;

  ServiceAccessSync(state::Database& db, runtime::ContainerRuntime& runtime, std::set<std::string> broker_guids,
                    PortsFn server_ports, ApplyFn apply)
      : db_(db), runtime_(runtime), broker_guids_(std::move(broker_guids)), ports_(std::move(server_ports)),
        apply_(std::move(apply)) {}
  ~ServiceAccessSync() { Stop(); }

  Status Sync();
  void Start(std::chrono::milliseconds interval);
  void Stop() { task_.Stop(); }

 private:
  state::Database& db_;
  runtime::ContainerRuntime& runtime_;
  std::set<std::string> broker_guids_;
  PortsFn ports_;
  ApplyFn apply_;
  std::mutex mu_;
  bool applied_once_ = false;
  std::set<runtime::Opening> applied_;
  PeriodicTask task_;
};

}  // namespace wharf::controller
