// The wire contract between the API and a cell on another host (`wharfd --roles cell`), as Diego's
// rep and bbs exchange it, in JSON over the API's HTTP(S) with the cell's token:
//
//   PUT /v1/cells/:cell_id   body CellHeartbeat  ->  200 CellAssignment
//       Sent every CellAssignment::heartbeat_interval. Registers the cell the first time (its zone,
//       address and capacity), says it is alive, and reports everything it runs (the instance listing
//       and the routes of remote cells come from here). The answer is what the cell should run now.
//   GET /v1/droplets/:guid/download
//       A droplet the assignment names; the cell checks the bytes against DesiredProcess::droplet_sha256
//       and keeps it (content-addressed) until no assignment names it.
//
// The API places each instance index of each desired process on one live cell (spread across zones,
// then cells, within capacity); a cell whose heartbeats stop for the API's cell timeout is lost: its
// indices are placed elsewhere and its instances' routes withdrawn. A lost cell that comes back gets an
// assignment without them and stops its duplicates.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cell/desired_state.h"
#include "cell/instance_reporter.h"
#include "common/status.h"

namespace wharf::cell {

struct CellCapacity {
  int memory_mb = 0;  // what instances may use in all (their memory limits add up to at most this)
  int disk_mb = 0;
  int instances = 0;  // containers at most
  bool operator==(const CellCapacity&) const = default;
};

// One instance a remote cell runs.
struct ReportedInstance {
  std::string app_guid;
  std::string process_type;
  InstanceReport report;  // index, state, address ("ip:port"), version, usage
  // The router may send to report.address: healthy and ready (the supervisor published its endpoint).
  bool routable = false;
};

struct CellHeartbeat {
  std::string cell_id;           // [a-z0-9-], at most 63 characters; the path's :cell_id
  std::string zone = "default";  // placement spreads an app across zones first
  std::string address;           // the cell host's address (routers reach container_subnet through it)
  std::string container_subnet;  // CIDR the instances' addresses come from
  CellCapacity capacity;
  std::uint64_t assignment_version = 0;  // CellAssignment::version the cell last applied (0: none yet)
  std::string wharf_version;
  // Everything it runs now. `instances_known` false: not known yet (a cell that has just started and not
  // yet adopted its running containers), sent as null; the API then keeps what the cell reported last.
  bool instances_known = true;
  std::vector<ReportedInstance> instances;
};

struct CellAssignment {
  std::uint64_t version = 0;  // grows whenever what this cell should run changed
  // What this cell runs: each process with `indices` set to the indices placed here (never empty: a
  // process with no index here is left out) and `droplet_archive` empty (the cell downloads it).
  std::vector<DesiredProcess> processes;
  std::chrono::milliseconds heartbeat_interval{1000};
};

nlohmann::json DesiredProcessToJson(const DesiredProcess& process);
Result<DesiredProcess> DesiredProcessFromJson(const nlohmann::json& j);
nlohmann::json InstanceReportToJson(const InstanceReport& report);
Result<InstanceReport> InstanceReportFromJson(const nlohmann::json& j);
nlohmann::json CellHeartbeatToJson(const CellHeartbeat& heartbeat);
Result<CellHeartbeat> CellHeartbeatFromJson(const nlohmann::json& j);
nlohmann::json CellAssignmentToJson(const CellAssignment& assignment);
Result<CellAssignment> CellAssignmentFromJson(const nlohmann::json& j);

}  // namespace wharf::cell
