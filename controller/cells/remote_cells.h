// What the cells on other hosts report, kept in memory by the API process their heartbeats reach
// (issue 17): each cell's instances (PUT /v1/cells/:id), turned into
//   - the instance listing (cell::InstanceReporter, plugged into the Daemon's InstanceReporterSlot
//     when this wharfd has no cell role): the reported instances of live cells, plus a DOWN row
//     with its reason for every index of a started process that no live cell reports (unplaced:
//     "no cell has room: ...", placed but not reported yet, or its cell lost);
//   - the routing table: the routable instances of live cells become the endpoints of their
//     (app, process type) in RoutingSync, merged across cells; a cell silent for the cell timeout
//     is forgotten at the next Sweep and its endpoints withdrawn at once.
// Restarting one instance or `wharf ssh` into a remote instance is not supported yet: kUnavailable
// naming the cell. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cell/cell_wire.h"
#include "cell/instance_reporter.h"
#include "common/time/clock.h"
#include "controller/cells/placement_planner.h"
#include "router/routes/route_table.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Where the endpoints of one (app, process type) go: RoutingSync::SetEndpoints in wharfd.
using EndpointSink =
    std::function<void(const std::string& app_guid, const std::string& process_type, std::vector<router::Endpoint>)>;

class RemoteCells final : public cell::InstanceReporter {
 public:
  RemoteCells(state::Database& db, const Clock& clock, std::chrono::milliseconds cell_timeout)
      : db_(db), clock_(clock), timeout_(cell_timeout) {}

  std::chrono::milliseconds cell_timeout() const { return timeout_; }
  // Where endpoints go (empty: nowhere; no routing in this wharfd). The current ones are pushed at once.
  void SetRouting(EndpointSink sink);

  // A heartbeat's report: everything `cell_id` runs now.
  void Report(const std::string& cell_id, std::vector<cell::ReportedInstance> instances);
  // Forgets the cells whose last report is older than the cell timeout, withdrawing their endpoints.
  void Sweep();
  // Forgets `cell_id` at once (the placement driver marked it lost).
  void Forget(const std::string& cell_id);
  // What `cell_id` reported last (empty: nothing, or forgotten).
  std::vector<cell::ReportedInstance> InstancesOn(const std::string& cell_id) const;
  // Whether `cell_id` reported within the cell timeout.
  bool Alive(const std::string& cell_id) const;

  // The indices the last placement round could not place, with why (the placement driver's).
  void SetUnplaced(std::vector<UnplacedIndex> unplaced);

  // cell::InstanceReporter
  std::vector<cell::InstanceReport> Instances(const std::string& app_guid, const std::string& process_type) override;
  Status RestartInstance(const std::string& app_guid, const std::string& process_type, int index) override;
  Result<int> ExecInInstance(const std::string& app_guid, const std::string& process_type, int index,
                             const runtime::ExecSpec& spec) override;

 private:
  struct Reported {
    std::chrono::steady_clock::time_point at;
    std::vector<cell::ReportedInstance> instances;
  };
  using Key = std::pair<std::string, std::string>;  // app guid, process type
  // The endpoints of `keys` from every remembered cell, pushed to routing (mu_ held).
  void PushLocked(const std::set<Key>& keys);
  static std::set<Key> KeysOf(const std::vector<cell::ReportedInstance>& instances);
  // The cell an (app, type, index) is reported by or placed on, for messages.
  std::string CellOf(const std::string& app_guid, const std::string& process_type, int index);

  state::Database& db_;
  const Clock& clock_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mu_;
  std::map<std::string, Reported> cells_;
  std::map<std::pair<std::string, int>, std::string> unplaced_;  // (process guid, index) -> reason
  std::map<Key, std::vector<router::Endpoint>> pushed_;
  EndpointSink routing_;
};

}  // namespace wharf::controller
