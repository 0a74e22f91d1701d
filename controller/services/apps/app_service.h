// The logic of apps: creating them with their web process, renaming, the
// STOPPED/STARTED desired state, environment variables, and deletion with
// everything that belongs to the app. Each operation is one transaction that
// also records its audit event; platform log lines ([API/0]) are appended once
// it commits.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/platform/platform_info.h"
#include "controller/services/apps/cell_capacity.h"
#include "state/apps/app_store.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::controller {

// An app as the API shows it: with its processes and route URLs.
struct AppView {
  state::App app;
  std::vector<state::Process> processes;
  std::vector<std::string> routes;  // "web.localhost", ...
};

struct NewApp {
  std::string name;
  std::optional<std::string> space_guid = std::nullopt;  // default: the platform's default space
  state::EnvVars environment_variables;
  std::vector<std::string> buildpacks;
  std::optional<std::string> stack;  // default: the platform's default stack (StackCatalog::DefaultName)
};

struct AppPatch {
  std::optional<std::string> name;
  std::optional<bool> enable_ssh;  // the ssh app feature
  std::optional<std::vector<std::string>> buildpacks;
  std::optional<std::string> stack;
};

// Environment variable changes: a value sets, nullopt unsets.
using EnvPatch = std::map<std::string, std::optional<std::string>>;

// Validation shared with other services.
Status ValidateBuildpackNames(const std::vector<std::string>& buildpacks);
Status ValidateStackName(std::string_view stack);
Status ValidateEnvVars(const state::EnvVars& vars);

class AppService {
 public:
  // `capacity`: starting an app whose instances do not fit the cell is refused (default: unchecked).
  AppService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
             const PlatformInfo& platform, CellCapacity capacity = {})
      : db_(db), clock_(clock), events_(events), logs_(logs), platform_(platform), capacity_(capacity) {}

  // kInvalidArgument for a bad name, env name or buildpack; kConflict when the name is taken.
  Result<AppView> Create(const Actor& actor, const NewApp& spec);
  // `spaces`: only apps of these spaces (none: of every space).
  Result<state::Page<AppView>> List(const std::vector<std::string>& names, const state::PageRequest& page,
                                    const std::optional<std::vector<std::string>>& spaces);
  Result<AppView> Get(const std::string& guid);
  Result<AppView> Update(const Actor& actor, const std::string& guid, const AppPatch& patch);
  // Deletes the app, its processes, packages, builds, droplets, buildpack caches and
  // route destinations in one transaction; with `recursive`, also the routes mapped
  // only to it. Blobs are left for GC.
  Status Delete(const Actor& actor, const std::string& guid, bool recursive);
  // start/stop/restart through TransitionApp. start and restart without a current
  // droplet are kUnprocessable and leave the app as it was.
  Result<AppView> Act(const Actor& actor, const std::string& guid, state::AppAction action);

  // GET /v1/apps/:guid/env
  Result<nlohmann::json> Env(const std::string& guid);
  // Applies `patch` and returns every variable after the change. Names are
  // validated (VCAP_ and CF_ are reserved); values are never logged.
  Result<state::EnvVars> PatchEnv(const Actor& actor, const std::string& guid, const EnvPatch& patch);

 private:
  Result<AppView> LoadView(state::Tx& tx, state::App app);
  void LogApi(state::Tx& tx, const std::string& app_guid, std::string message);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  const PlatformInfo& platform_;
  CellCapacity capacity_;
};

}  // namespace wharf::controller
