// The API's side of the cells on other hosts (issue 17), behind PUT /v1/cells/:id,
// GET /v1/cells[/:id] and POST /v1/cells/:id/logs:
//   Heartbeat  registers the cell the first time, refreshes it (alive again if it was lost), keeps
//              what it reports in RemoteCells, and answers its assignment: the started processes
//              with indices placed on it (`indices` below `instances`, `droplet_archive` empty,
//              `droplet_sha256` the droplet blob's digest); the version grows whenever that
//              assignment changes (its digest is persisted per cell, so it survives restarts).
//   List/Get   each cell with its state (a cell silent for the cell timeout is shown lost even
//              before the placement driver marks it), heartbeat age, capacity, what its placements
//              use, and the instances it reports.
//   AppendLogs the cell's app log lines into the API's LogBuffer, only for apps that have an
//              instance placed on that cell (a cell's token cannot write into other apps' logs).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cell/cell_wire.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "controller/cells/remote_cells.h"
#include "controller/dataplane/desired_state_db.h"
#include "controller/platform/log_buffer.h"
#include "state/network/cell_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

// [a-z0-9-], 1 to 63 characters.
Status ValidateCellId(std::string_view id);

struct CellInstanceView {
  std::string app_guid;
  std::string app_name;
  std::string process_type;
  int index = 0;
  std::string state;
  std::string address;
};

struct CellView {
  state::CellRow cell;
  std::string state;  // alive or lost (lost too when silent for the cell timeout)
  std::int64_t heartbeat_age_ms = 0;
  std::int64_t used_memory_mb = 0, used_disk_mb = 0;
  int used_instances = 0;  // placed indices
  std::vector<CellInstanceView> instances;
};

struct CellLogEntry {
  std::string app_guid;
  std::string source_type;  // "APP/PROC/WEB", "CELL"
  std::string source_instance;
  std::string message;
  bool is_err = false;
  std::chrono::system_clock::time_point at;
};

inline constexpr std::size_t kMaxCellLogEntries = 1000;
inline constexpr std::uint64_t kMaxCellLogBytes = 1 << 20;

// `{"entries":[...]}` with each field checked (named in the error), at most kMaxCellLogEntries.
Result<std::vector<CellLogEntry>> CellLogEntriesFromJson(const nlohmann::json& body);

class CellService {
 public:
  CellService(state::Database& db, const Clock& clock, cell::DesiredStateSource& desired, RemoteCells& remote,
              LogBuffer& logs, std::chrono::milliseconds heartbeat_interval = std::chrono::milliseconds(1000))
      : db_(db), clock_(clock), desired_(desired), remote_(remote), logs_(logs), interval_(heartbeat_interval) {}

  // `path_id` is the path's :cell_id; the body's cell_id must be the same.
  Result<cell::CellAssignment> Heartbeat(const std::string& path_id, const cell::CellHeartbeat& heartbeat);
  Result<std::vector<CellView>> List();
  Result<CellView> Get(const std::string& id);
  // kPermissionDenied naming the first app without an instance placed on the cell (nothing written).
  Status AppendLogs(const std::string& cell_id, const std::vector<CellLogEntry>& entries);

 private:
  Result<std::vector<CellView>> Views(const std::optional<std::string>& only);

  state::Database& db_;
  const Clock& clock_;
  cell::DesiredStateSource& desired_;
  RemoteCells& remote_;
  LogBuffer& logs_;
  std::chrono::milliseconds interval_;
};

}  // namespace wharf::controller
