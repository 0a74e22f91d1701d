#include "state/network/network_store.h"

namespace wharf::state {
namespace {

constexpr std::string_view kGroupColumns =
    "guid, name, rules, running_default, staging_default, created_at, updated_at";

constexpr std::string_view kPolicyColumns =
    "guid, source_app_guid, destination_app_guid, protocol, start_port, end_port, created_at";

Result<SecurityGroupRow> ReadGroup(Statement& st) {
  SecurityGroupRow g;
  g.guid = st.Text(0);
  g.name = st.Text(1);
  g.rules = st.Text(2);
  g.running_default = st.Int(3) != 0;
  g.staging_default = st.Int(4) != 0;
  g.created_at = st.Text(5);
  g.updated_at = st.Text(6);
  return g;
}

Result<NetworkPolicyRow> ReadPolicy(Statement& st) {
  NetworkPolicyRow p;
  p.guid = st.Text(0);
  p.source_app_guid = st.Text(1);
  p.destination_app_guid = st.Text(2);
  p.protocol = st.Text(3);
  p.start_port = static_cast<int>(st.Int(4));
  p.end_port = static_cast<int>(st.Int(5));
  p.created_at = st.Text(6);
  return p;
}

// The duplicate key is the name: the guid is fresh and id is SQLite's.
Status GroupNameConflict(const Result<WriteOutcome>& written, const std::string& name) {
  if (!written.ok()) return written.status();
  if (*written == WriteOutcome::kDuplicate) return Status::Conflict("security group '" + name + "' already exists");
  return Status::Ok();
}

Status GroupNotFound(std::string_view guid) {
  return Status::NotFound("security group '" + std::string(guid) + "' not found");
}

}  // namespace

// ---- security groups ----

Status NetworkStore::InsertGroup(const SecurityGroupRow& g) {
  return GroupNameConflict(
      tx_.RunUnlessDuplicate("INSERT INTO security_groups (" + std::string(kGroupColumns) +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                             g.guid, g.name, g.rules, g.running_default, g.staging_default, g.created_at,
                             g.updated_at),
      g.name);
}

Result<std::optional<SecurityGroupRow>> NetworkStore::FindGroup(std::string_view name) {
  return FetchOne<SecurityGroupRow>(
      tx_.Query("SELECT " + std::string(kGroupColumns) + " FROM security_groups WHERE name = ?", name), ReadGroup);
}

Result<std::vector<SecurityGroupRow>> NetworkStore::ListGroups() {
  return FetchAll<SecurityGroupRow>(
      tx_.Query("SELECT " + std::string(kGroupColumns) + " FROM security_groups ORDER BY name"), ReadGroup);
}

Status NetworkStore::UpdateGroup(const SecurityGroupRow& g) {
  WHARF_RETURN_IF_ERROR(GroupNameConflict(
      tx_.RunUnlessDuplicate("UPDATE security_groups SET name = ?, rules = ?, running_default = ?, "
                             "staging_default = ?, updated_at = ? WHERE guid = ?",
                             g.name, g.rules, g.running_default, g.staging_default, g.updated_at, g.guid),
      g.name));
  if (tx_.Changes() == 0) return GroupNotFound(g.guid);
  return Status::Ok();
}

Status NetworkStore::DeleteGroup(std::string_view guid) {
  // The bindings go by ON DELETE CASCADE (Changes counts the group row only).
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM security_groups WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return GroupNotFound(guid);
  return Status::Ok();
}

// ---- space bindings ----

Status NetworkStore::BindSpace(const SecurityGroupSpaceRow& b) {
  // DO NOTHING names the key so that only a duplicate binding is skipped: INSERT OR IGNORE
  // would skip a row failing the lifecycle CHECK as well.
  Status s = tx_.Run(
      "INSERT INTO security_group_spaces (group_guid, space_guid, lifecycle) VALUES (?, ?, ?) "
      "ON CONFLICT (group_guid, space_guid, lifecycle) DO NOTHING",
      b.group_guid, b.space_guid, b.lifecycle);
  // What is left of kConflict is a foreign key: the group or the space.
  if (s.code() == StatusCode::kConflict) {
    return Status::NotFound("security group '" + b.group_guid + "' or space '" + b.space_guid + "' not found");
  }
  return s;
}

Status NetworkStore::UnbindSpace(const SecurityGroupSpaceRow& b) {
  WHARF_RETURN_IF_ERROR(
      tx_.Run("DELETE FROM security_group_spaces WHERE group_guid = ? AND space_guid = ? AND lifecycle = ?",
              b.group_guid, b.space_guid, b.lifecycle));
  if (tx_.Changes() == 0) {
    return Status::NotFound("security group '" + b.group_guid + "' is not bound to space '" + b.space_guid +
                            "' for " + b.lifecycle);
  }
  return Status::Ok();
}

Result<std::vector<SecurityGroupSpaceRow>> NetworkStore::ListSpaceBindings() {
  return FetchAll<SecurityGroupSpaceRow>(
      tx_.Query("SELECT group_guid, space_guid, lifecycle FROM security_group_spaces "
                "ORDER BY group_guid, space_guid, lifecycle"),
      [](Statement& st) { return Result<SecurityGroupSpaceRow>({st.Text(0), st.Text(1), st.Text(2)}); });
}

// ---- network policies ----

Status NetworkStore::InsertPolicy(const NetworkPolicyRow& p) {
  Result<WriteOutcome> written = tx_.RunUnlessDuplicate(
      "INSERT INTO network_policies (" + std::string(kPolicyColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?)", p.guid,
      p.source_app_guid, p.destination_app_guid, p.protocol, p.start_port, p.end_port, p.created_at);
  if (!written.ok()) {
    // What is left of kConflict is a foreign key: one of the apps.
    if (written.status().code() == StatusCode::kConflict) {
      return Status::NotFound("app '" + p.source_app_guid + "' or app '" + p.destination_app_guid + "' not found");
    }
    return written.status();
  }
  // The duplicate key is the five fields: the guid is fresh and id is SQLite's.
  if (*written == WriteOutcome::kDuplicate) return Status::Conflict("network policy already exists");
  return Status::Ok();
}

Status NetworkStore::DeletePolicy(const NetworkPolicyRow& p) {
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "DELETE FROM network_policies WHERE source_app_guid = ? AND destination_app_guid = ? AND protocol = ? "
      "AND start_port = ? AND end_port = ?",
      p.source_app_guid, p.destination_app_guid, p.protocol, p.start_port, p.end_port));
  if (tx_.Changes() == 0) return Status::NotFound("network policy not found");
  return Status::Ok();
}

Result<std::int64_t> NetworkStore::CountPoliciesFrom(std::string_view source_app_guid) {
  return FetchInt(tx_.Query("SELECT COUNT(*) FROM network_policies WHERE source_app_guid = ?", source_app_guid));
}

Result<std::vector<NetworkPolicyRow>> NetworkStore::ListPolicies() {
  return FetchAll<NetworkPolicyRow>(
      tx_.Query("SELECT " + std::string(kPolicyColumns) +
                " FROM network_policies ORDER BY source_app_guid, destination_app_guid, protocol, start_port, "
                "end_port"),
      ReadPolicy);
}

}  // namespace wharf::state
