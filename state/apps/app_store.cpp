#include "state/apps/app_store.h"

#include "state/sql/where_clause.h"
#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kAppColumns =
    "guid, space_guid, name, state, buildpacks, stack, environment_variables, current_droplet_guid, created_at, "
    "updated_at, run_droplet_guid, run_generation, run_revision, enable_ssh";

Result<App> ReadApp(Statement& st) {
  App app;
  app.guid = st.Text(0);
  app.space_guid = st.Text(1);
  app.name = st.Text(2);
  Result<AppState> state = ParseAppState(st.Text(3));
  if (!state.ok()) return Status::Internal("app " + app.guid + ": " + state.status().message());
  app.state = *state;
  WHARF_ASSIGN_OR_RETURN(nlohmann::json buildpacks, ParseJsonColumn(st.Text(4), "buildpacks of app " + app.guid));
  for (const auto& b : buildpacks) {
    if (b.is_string()) app.buildpacks.push_back(b.get<std::string>());
  }
  app.stack = st.Text(5);
  WHARF_ASSIGN_OR_RETURN(nlohmann::json env, ParseJsonColumn(st.Text(6), "environment variables of app " + app.guid));
  for (const auto& [k, v] : env.items()) {
    if (v.is_string()) app.environment_variables[k] = v.get<std::string>();
  }
  app.current_droplet_guid = st.OptionalText(7);
  app.created_at = st.Text(8);
  app.updated_at = st.Text(9);
  app.run_droplet_guid = st.OptionalText(10);
  app.run_generation = st.Int(11);
  app.run_revision = st.Int(12);
  app.enable_ssh = st.Int(13) != 0;
  return app;
}

Status NameTaken(const App& app, const Result<WriteOutcome>& written) {
  if (!written.ok()) return written.status();
  if (*written == WriteOutcome::kDuplicate) return Status::Conflict("app name '" + app.name + "' is already taken");
  return Status::Ok();
}

constexpr std::string_view kProcessColumns =
    "guid, app_guid, type, command, instances, memory_in_mb, disk_in_mb, health_check_type, health_check_endpoint, "
    "health_check_invocation_timeout, health_check_timeout, created_at, updated_at, readiness_check_type, "
    "readiness_check_endpoint, readiness_check_invocation_timeout, readiness_check_interval, log_rate_limit";

Result<Process> ReadProcess(Statement& st) {
  Process p;
  p.guid = st.Text(0);
  p.app_guid = st.Text(1);
  p.type = st.Text(2);
  p.command = st.OptionalText(3);
  p.instances = static_cast<int>(st.Int(4));
  p.memory_in_mb = static_cast<int>(st.Int(5));
  p.disk_in_mb = static_cast<int>(st.Int(6));
  Result<HealthCheckType> hc = ParseHealthCheckType(st.Text(7));
  if (!hc.ok()) return Status::Internal("process " + p.guid + ": " + hc.status().message());
  p.health_check.type = *hc;
  p.health_check.endpoint = st.OptionalText(8);
  p.health_check.invocation_timeout = static_cast<int>(st.Int(9));
  p.health_check.timeout = static_cast<int>(st.Int(10));
  p.created_at = st.Text(11);
  p.updated_at = st.Text(12);
  Result<HealthCheckType> ready = ParseHealthCheckType(st.Text(13));
  if (!ready.ok()) return Status::Internal("process " + p.guid + ": " + ready.status().message());
  p.readiness_check.type = *ready;
  p.readiness_check.endpoint = st.OptionalText(14);
  p.readiness_check.invocation_timeout = static_cast<int>(st.Int(15));
  p.readiness_check.interval = static_cast<int>(st.Int(16));
  p.log_rate_limit = st.Int(17);
  return p;
}

}  // namespace

// ---- AppStore ----

Status AppStore::Insert(const App& app) {
  Result<WriteOutcome> written = tx_.RunUnlessDuplicate(
      "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
      "current_droplet_guid, created_at, updated_at, run_droplet_guid, run_generation, run_revision, enable_ssh) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      app.guid, app.space_guid, app.name, AppStateName(app.state), DumpJsonColumn(app.buildpacks), app.stack,
      DumpJsonColumn(app.environment_variables), app.current_droplet_guid, app.created_at, app.updated_at,
      app.run_droplet_guid, app.run_generation, app.run_revision, std::int64_t{app.enable_ssh ? 1 : 0});
  return NameTaken(app, written);
}

Status AppStore::Update(const App& app) {
  Result<WriteOutcome> written = tx_.RunUnlessDuplicate(
      "UPDATE apps SET name = ?, state = ?, buildpacks = ?, stack = ?, environment_variables = ?, "
      "current_droplet_guid = ?, updated_at = ?, run_droplet_guid = ?, run_generation = ?, run_revision = ?, "
      "enable_ssh = ? WHERE guid = ?",
      app.name, AppStateName(app.state), DumpJsonColumn(app.buildpacks), app.stack,
      DumpJsonColumn(app.environment_variables), app.current_droplet_guid, app.updated_at, app.run_droplet_guid,
      app.run_generation, app.run_revision, std::int64_t{app.enable_ssh ? 1 : 0}, app.guid);
  WHARF_RETURN_IF_ERROR(NameTaken(app, written));
  if (tx_.Changes() == 0) return Status::NotFound("app '" + app.guid + "' not found");
  return Status::Ok();
}

Result<App> AppStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto app,
                         FetchOne<App>(tx_.Query("SELECT " + std::string(kAppColumns) + " FROM apps WHERE guid = ?", guid), ReadApp));
  if (!app) return Status::NotFound("app '" + std::string(guid) + "' not found");
  return std::move(*app);
}

Result<std::optional<App>> AppStore::FindByName(std::string_view space_guid, std::string_view name) {
  return FetchOne<App>(
      tx_.Query("SELECT " + std::string(kAppColumns) + " FROM apps WHERE space_guid = ? AND name = ?", space_guid, name),
      ReadApp);
}

Result<Page<App>> AppStore::List(const AppFilter& filter, const PageRequest& page) {
  WhereClause where;
  if (filter.space_guid) where.Equals("space_guid", *filter.space_guid);
  if (filter.space_guids) where.In("space_guid", *filter.space_guids);
  if (!filter.names.empty()) where.In("name", filter.names);
  WHARF_ASSIGN_OR_RETURN(std::int64_t total, FetchInt(where.Prepare(tx_, "SELECT COUNT(*) FROM apps", "")));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<App>(where.Prepare(tx_, "SELECT " + std::string(kAppColumns) + " FROM apps",
                                           " ORDER BY name LIMIT ? OFFSET ?", {page.per_page, page.Offset()}),
                             ReadApp));
  return Page<App>{std::move(items), total};
}

Result<std::vector<std::string>> AppStore::AllGuids() {
  return FetchAll<std::string>(tx_.Query("SELECT guid FROM apps ORDER BY id"),
                               [](Statement& st) -> Result<std::string> { return st.Text(0); });
}

Status AppStore::Delete(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM apps WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("app '" + std::string(guid) + "' not found");
  return Status::Ok();
}

// ---- ProcessStore ----

Status ProcessStore::Insert(const Process& p) {
  WHARF_ASSIGN_OR_RETURN(WriteOutcome written, tx_.RunUnlessDuplicate(
      "INSERT INTO processes (guid, app_guid, type, command, instances, memory_in_mb, disk_in_mb, health_check_type, "
      "health_check_endpoint, health_check_invocation_timeout, health_check_timeout, created_at, updated_at, "
      "readiness_check_type, readiness_check_endpoint, readiness_check_invocation_timeout, readiness_check_interval, "
      "log_rate_limit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      p.guid, p.app_guid, p.type, p.command, p.instances, p.memory_in_mb, p.disk_in_mb,
      HealthCheckTypeName(p.health_check.type), p.health_check.endpoint, p.health_check.invocation_timeout,
      p.health_check.timeout, p.created_at, p.updated_at, HealthCheckTypeName(p.readiness_check.type),
      p.readiness_check.endpoint, p.readiness_check.invocation_timeout, p.readiness_check.interval,
      p.log_rate_limit));
  if (written == WriteOutcome::kDuplicate) {
    return Status::Conflict("the app already has a process of type '" + p.type + "'");
  }
  return Status::Ok();
}

Status ProcessStore::Update(const Process& p) {
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "UPDATE processes SET command = ?, instances = ?, memory_in_mb = ?, disk_in_mb = ?, health_check_type = ?, "
      "health_check_endpoint = ?, health_check_invocation_timeout = ?, health_check_timeout = ?, updated_at = ?, "
      "readiness_check_type = ?, readiness_check_endpoint = ?, readiness_check_invocation_timeout = ?, "
      "readiness_check_interval = ?, log_rate_limit = ? WHERE guid = ?",
      p.command, p.instances, p.memory_in_mb, p.disk_in_mb, HealthCheckTypeName(p.health_check.type),
      p.health_check.endpoint, p.health_check.invocation_timeout, p.health_check.timeout, p.updated_at,
      HealthCheckTypeName(p.readiness_check.type), p.readiness_check.endpoint, p.readiness_check.invocation_timeout,
      p.readiness_check.interval, p.log_rate_limit, p.guid));
  if (tx_.Changes() == 0) return Status::NotFound("process '" + p.guid + "' not found");
  return Status::Ok();
}

Result<Process> ProcessStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto p, FetchOne<Process>(
      tx_.Query("SELECT " + std::string(kProcessColumns) + " FROM processes WHERE guid = ?", guid), ReadProcess));
  if (!p) return Status::NotFound("process '" + std::string(guid) + "' not found");
  return std::move(*p);
}

Result<std::optional<Process>> ProcessStore::Find(std::string_view app_guid, std::string_view type) {
  return FetchOne<Process>(tx_.Query("SELECT " + std::string(kProcessColumns) +
                                         " FROM processes WHERE app_guid = ? AND type = ?",
                                     app_guid, type),
                           ReadProcess);
}

Result<std::vector<Process>> ProcessStore::ListForApp(std::string_view app_guid) {
  return FetchAll<Process>(tx_.Query("SELECT " + std::string(kProcessColumns) +
                                         " FROM processes WHERE app_guid = ? ORDER BY type != 'web', type",
                                     app_guid),
                           ReadProcess);
}

Status ProcessStore::Delete(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM processes WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("process '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Status ProcessStore::DeleteForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM processes WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
