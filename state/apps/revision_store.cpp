#include "state/apps/revision_store.h"

#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kColumns =
    "guid, app_guid, version, droplet_guid, environment_variables, commands, description, rolled_back_from, "
    "created_at";

std::string Select(std::string_view rest) {
  return "SELECT " + std::string(kColumns) + " FROM revisions " + std::string(rest);
}

Result<Revision> ReadRevision(Statement& st) {
  Revision r;
  r.guid = st.Text(0);
  r.app_guid = st.Text(1);
  r.version = st.Int(2);
  r.droplet_guid = st.Text(3);
  WHARF_ASSIGN_OR_RETURN(nlohmann::json env,
                         ParseJsonColumn(st.Text(4), "environment variables of revision " + r.guid));
  for (const auto& [k, v] : env.items()) {
    if (v.is_string()) r.environment_variables[k] = v.get<std::string>();
  }
  WHARF_ASSIGN_OR_RETURN(nlohmann::json commands, ParseJsonColumn(st.Text(5), "commands of revision " + r.guid));
  for (const auto& [k, v] : commands.items()) {
    r.commands[k] = v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
  }
  r.description = st.Text(6);
  if (!st.IsNull(7)) r.rolled_back_from = st.Int(7);
  r.created_at = st.Text(8);
  return r;
}

}  // namespace

Status RevisionStore::Insert(const Revision& r) {
  nlohmann::json commands = nlohmann::json::object();
  for (const auto& [type, command] : r.commands) {
    commands[type] = command ? nlohmann::json(*command) : nlohmann::json(nullptr);
  }
  WHARF_ASSIGN_OR_RETURN(Statement st, tx_.Query(
      "INSERT INTO revisions (guid, app_guid, version, droplet_guid, environment_variables, commands, description, "
      "rolled_back_from, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      r.guid, r.app_guid, r.version, r.droplet_guid, DumpJsonColumn(r.environment_variables), DumpJsonColumn(commands),
      r.description, nullptr, r.created_at));
  if (r.rolled_back_from) st.Bind(8, *r.rolled_back_from);
  Status ran = st.Run();
  if (!ran.ok() && st.FailedOnDuplicate()) {
    return Status::Conflict("revision " + std::to_string(r.version) + " of app " + r.app_guid + " already exists");
  }
  return ran;
}

Result<Revision> RevisionStore::Get(std::string_view app_guid, std::int64_t version) {
  WHARF_ASSIGN_OR_RETURN(auto r,
                         FetchOne<Revision>(tx_.Query(Select("WHERE app_guid = ? AND version = ?"), app_guid, version), ReadRevision));
  if (!r) return Status::NotFound("revision " + std::to_string(version) + " of app '" + std::string(app_guid) + "' not found");
  return std::move(*r);
}

Result<std::optional<Revision>> RevisionStore::Latest(std::string_view app_guid) {
  return FetchOne<Revision>(tx_.Query(Select("WHERE app_guid = ? ORDER BY version DESC LIMIT 1"), app_guid),
                            ReadRevision);
}

Result<std::vector<Revision>> RevisionStore::ListForApp(std::string_view app_guid) {
  return FetchAll<Revision>(tx_.Query(Select("WHERE app_guid = ? ORDER BY version DESC"), app_guid), ReadRevision);
}

Result<std::vector<std::string>> RevisionStore::RecentDroplets(std::string_view app_guid, int count) {
  return FetchAll<std::string>(
      tx_.Query("SELECT droplet_guid FROM revisions WHERE app_guid = ? ORDER BY version DESC LIMIT ?", app_guid, count),
      [](Statement& st) -> Result<std::string> { return st.Text(0); });
}

Status RevisionStore::DeleteForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM revisions WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
