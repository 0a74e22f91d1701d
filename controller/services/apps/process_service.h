// The logic of processes: an app's process types with their instance counts,
// limits, start commands and health checks (desired state only; the runtime
// reports actual instances).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/services/apps/cell_capacity.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Fields of PUT /v1/apps/:guid/processes/:type; omitted ones take the defaults.
struct ProcessSpec {
  std::optional<std::string> command;
  std::optional<int> instances;
  std::optional<int> memory_in_mb;
  std::optional<int> disk_in_mb;
  std::optional<std::int64_t> log_rate_limit;  // bytes per second, -1 unlimited
  std::optional<state::HealthCheck> health_check;
  std::optional<state::ReadinessCheck> readiness_check;
};

struct ProcessPatch {
  std::optional<std::optional<std::string>> command;  // set, or reset to null
  std::optional<state::HealthCheck> health_check;
  std::optional<state::ReadinessCheck> readiness_check;
};

struct ScaleRequest {
  std::optional<int> instances;
  std::optional<int> memory_in_mb;
  std::optional<int> disk_in_mb;
  std::optional<std::int64_t> log_rate_limit;  // bytes per second, -1 unlimited
};

// [A-Za-z0-9_-], 1-63 characters (Procfile process type names).
Status ValidateProcessType(std::string_view type);
// Limits: instances 0..1000, memory and disk 1..1048576 MB, timeouts 1..180 s,
// an http endpoint starting with '/', no endpoint for the other types.
Status ValidateProcess(const state::Process& process);

class ProcessService {
 public:
  // `capacity`: a started app's scale-up that does not fit the cell is refused (default: unchecked).
  ProcessService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
                 CellCapacity capacity = {})
      : db_(db), clock_(clock), events_(events), logs_(logs), capacity_(capacity) {}

  Result<std::vector<state::Process>> ListForApp(const std::string& app_guid);
  Result<state::Process> GetByType(const std::string& app_guid, const std::string& type);
  Result<state::Process> Get(const std::string& guid);
  // Creates the process type or replaces its whole spec.
  Result<state::Process> Put(const Actor& actor, const std::string& app_guid, const std::string& type,
                             const ProcessSpec& spec);
  Result<state::Process> Patch(const Actor& actor, const std::string& guid, const ProcessPatch& patch);
  Result<state::Process> Scale(const Actor& actor, const std::string& guid, const ScaleRequest& request);
  // The web process cannot be deleted (kConflict).
  Status Delete(const Actor& actor, const std::string& guid);

 private:
  // Admission: the app's processes with `changed` in place of its row (or added) fit the cell.
  Status CheckFitsWith(state::Tx& tx, const state::App& app, const state::Process& changed);
  // Loads the process, applies `mutate` (which returns the event data), validates and
  // stores the result, all in one transaction.
  Result<state::Process> Modify(const Actor& actor, const std::string& guid, std::string_view event,
                                const std::function<nlohmann::json(state::Process&)>& mutate);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  CellCapacity capacity_;
};

}  // namespace wharf::controller
