#include "state/platform/service_store.h"

#include "state/sql/where_clause.h"
#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kInstanceColumns =
    "guid, space_guid, name, type, plan_guid, credentials, syslog_drain_url, route_service_url, tags, parameters, "
    "dashboard_url, last_operation_type, last_operation_state, last_operation_description, broker_operation, "
    "created_at, updated_at";

Result<ServiceInstance> ReadInstance(Statement& st) {
  ServiceInstance i;
  i.guid = st.Text(0);
  i.space_guid = st.Text(1);
  i.name = st.Text(2);
  i.type = st.Text(3);
  i.plan_guid = st.OptionalText(4);
  Result<nlohmann::json> credentials = ParseJsonColumn(st.Text(5), "credentials of service instance " + i.guid);
  if (!credentials.ok()) return credentials.status();
  i.credentials = std::move(credentials).value();
  i.syslog_drain_url = st.Text(6);
  i.route_service_url = st.Text(7);
  Result<nlohmann::json> tags = ParseJsonColumn(st.Text(8), "tags of service instance " + i.guid);
  if (!tags.ok()) return tags.status();
  i.tags = std::move(tags).value();
  Result<nlohmann::json> parameters = ParseJsonColumn(st.Text(9), "parameters of service instance " + i.guid);
  if (!parameters.ok()) return parameters.status();
  i.parameters = std::move(parameters).value();
  i.dashboard_url = st.Text(10);
  i.last_operation_type = st.Text(11);
  i.last_operation_state = st.Text(12);
  i.last_operation_description = st.Text(13);
  i.broker_operation = st.OptionalText(14);
  i.created_at = st.Text(15);
  i.updated_at = st.Text(16);
  return i;
}

constexpr std::string_view kBindingSelect =
    "SELECT b.guid, b.instance_guid, si.name, b.type, b.app_guid, IFNULL(a.name, ''), b.name, b.credentials, "
    "b.parameters, b.syslog_drain_url, b.volume_mounts, b.last_operation_type, b.last_operation_state, "
    "b.last_operation_description, b.broker_operation, b.created_at, b.updated_at, b.replaces "
    "FROM service_bindings b JOIN service_instances si ON si.guid = b.instance_guid "
    "LEFT JOIN apps a ON a.guid = b.app_guid";

Result<ServiceBinding> ReadBinding(Statement& st) {
  ServiceBinding b;
  b.guid = st.Text(0);
  b.instance_guid = st.Text(1);
  b.instance_name = st.Text(2);
  b.type = st.Text(3);
  b.app_guid = st.OptionalText(4);
  b.app_name = st.Text(5);
  b.name = st.OptionalText(6);
  Result<nlohmann::json> credentials = ParseJsonColumn(st.Text(7), "credentials of service binding " + b.guid);
  if (!credentials.ok()) return credentials.status();
  b.credentials = std::move(credentials).value();
  Result<nlohmann::json> parameters = ParseJsonColumn(st.Text(8), "parameters of service binding " + b.guid);
  if (!parameters.ok()) return parameters.status();
  b.parameters = std::move(parameters).value();
  b.syslog_drain_url = st.Text(9);
  WHARF_ASSIGN_OR_RETURN(nlohmann::json mounts,
                         ParseJsonColumn(st.Text(10), "volume mounts of service binding " + b.guid));
  b.volume_mounts = std::move(mounts);
  b.last_operation_type = st.Text(11);
  b.last_operation_state = st.Text(12);
  b.last_operation_description = st.Text(13);
  b.broker_operation = st.OptionalText(14);
  b.created_at = st.Text(15);
  b.updated_at = st.Text(16);
  b.replaces = st.OptionalText(17);
  return b;
}

constexpr std::string_view kRotationColumns =
    "guid, app_guid, instance_guid, old_binding_guid, new_binding_guid, state, deployment_guid, description, "
    "created_at, updated_at";

Result<ServiceRotation> ReadRotation(Statement& st) {
  ServiceRotation r;
  r.guid = st.Text(0);
  r.app_guid = st.Text(1);
  r.instance_guid = st.Text(2);
  r.old_binding_guid = st.Text(3);
  r.new_binding_guid = st.Text(4);
  r.state = st.Text(5);
  r.deployment_guid = st.OptionalText(6);
  r.description = st.Text(7);
  r.created_at = st.Text(8);
  r.updated_at = st.Text(9);
  return r;
}

}  // namespace

// ---- instances ----

Status ServiceStore::InsertInstance(const ServiceInstance& i) {
  WHARF_ASSIGN_OR_RETURN(WriteOutcome written, tx_.RunUnlessDuplicate(
      "INSERT INTO service_instances (" + std::string(kInstanceColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      i.guid, i.space_guid, i.name, i.type, i.plan_guid, DumpJsonColumn(i.credentials), i.syslog_drain_url,
      i.route_service_url, DumpJsonColumn(i.tags), DumpJsonColumn(i.parameters), i.dashboard_url,
      i.last_operation_type, i.last_operation_state, i.last_operation_description, i.broker_operation, i.created_at,
      i.updated_at));
  if (written == WriteOutcome::kDuplicate) {
    return Status::Conflict("service instance '" + i.name + "' already exists");
  }
  return Status::Ok();
}

Status ServiceStore::UpdateInstance(const ServiceInstance& i) {
  WHARF_ASSIGN_OR_RETURN(WriteOutcome written, tx_.RunUnlessDuplicate(
      "UPDATE service_instances SET name = ?, plan_guid = ?, credentials = ?, syslog_drain_url = ?, "
      "route_service_url = ?, tags = ?, parameters = ?, dashboard_url = ?, last_operation_type = ?, "
      "last_operation_state = ?, last_operation_description = ?, broker_operation = ?, updated_at = ? WHERE guid = ?",
      i.name, i.plan_guid, DumpJsonColumn(i.credentials), i.syslog_drain_url, i.route_service_url,
      DumpJsonColumn(i.tags), DumpJsonColumn(i.parameters), i.dashboard_url, i.last_operation_type,
      i.last_operation_state, i.last_operation_description, i.broker_operation, i.updated_at, i.guid));
  if (written == WriteOutcome::kDuplicate) {
    return Status::Conflict("service instance '" + i.name + "' already exists");
  }
  if (tx_.Changes() == 0) return Status::NotFound("service instance '" + i.guid + "' not found");
  return Status::Ok();
}

Result<ServiceInstance> ServiceStore::GetInstance(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto i, FetchOne<ServiceInstance>(
      tx_.Query("SELECT " + std::string(kInstanceColumns) + " FROM service_instances WHERE guid = ?", guid),
      ReadInstance));
  if (!i) return Status::NotFound("service instance '" + std::string(guid) + "' not found");
  return std::move(*i);
}

Result<std::optional<ServiceInstance>> ServiceStore::FindInstanceByName(std::string_view space_guid,
                                                                        std::string_view name) {
  return FetchOne<ServiceInstance>(tx_.Query("SELECT " + std::string(kInstanceColumns) +
                                                 " FROM service_instances WHERE space_guid = ? AND name = ?",
                                             space_guid, name),
                                   ReadInstance);
}

Result<std::vector<ServiceInstance>> ServiceStore::ListInstances(
    const std::optional<std::vector<std::string>>& space_guids) {
  WhereClause where;
  if (space_guids) where.In("space_guid", *space_guids);
  return FetchAll<ServiceInstance>(
      where.Prepare(tx_, "SELECT " + std::string(kInstanceColumns) + " FROM service_instances", " ORDER BY name"),
      ReadInstance);
}

Result<std::vector<ServiceInstance>> ServiceStore::InstancesInProgress() {
  return FetchAll<ServiceInstance>(
      tx_.Query("SELECT " + std::string(kInstanceColumns) +
                " FROM service_instances WHERE last_operation_state = 'in progress' ORDER BY id"),
      ReadInstance);
}

Status ServiceStore::DeleteInstance(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t used,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM service_bindings WHERE instance_guid = ?", guid)));
  if (used > 0) return Status::Conflict("service instance '" + std::string(guid) + "' has bindings or keys");
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_instances WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("service instance '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<std::int64_t> ServiceStore::CountInstancesOfPlan(std::string_view plan_guid) {
  return FetchInt(tx_.Query("SELECT COUNT(*) FROM service_instances WHERE plan_guid = ?", plan_guid));
}

// ---- bindings and keys ----

Status ServiceStore::InsertBinding(const ServiceBinding& b) {
  Result<WriteOutcome> written = tx_.RunUnlessDuplicate(
      "INSERT INTO service_bindings (guid, instance_guid, type, app_guid, name, credentials, parameters, "
      "syslog_drain_url, volume_mounts, last_operation_type, last_operation_state, last_operation_description, "
      "broker_operation, created_at, updated_at, replaces) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      b.guid, b.instance_guid, b.type, b.app_guid, b.name, DumpJsonColumn(b.credentials), DumpJsonColumn(b.parameters),
      b.syslog_drain_url, DumpJsonColumn(b.volume_mounts), b.last_operation_type, b.last_operation_state,
      b.last_operation_description, b.broker_operation, b.created_at, b.updated_at, b.replaces);
  if (written.ok() && *written == WriteOutcome::kDuplicate) {
    if (b.type == "key") return Status::Conflict("service key '" + b.name.value_or("") + "' already exists");
    return Status::Conflict("the app is already bound to this service instance");
  }
  if (written.status().code() == StatusCode::kConflict) {
    return Status::NotFound("service instance '" + b.instance_guid + "' or app '" + b.app_guid.value_or("") +
                            "' not found");
  }
  return written.status();
}

Status ServiceStore::UpdateBinding(const ServiceBinding& b) {
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "UPDATE service_bindings SET credentials = ?, syslog_drain_url = ?, volume_mounts = ?, last_operation_type = ?, "
      "last_operation_state = ?, last_operation_description = ?, broker_operation = ?, updated_at = ?, replaces = ? "
      "WHERE guid = ?",
      DumpJsonColumn(b.credentials), b.syslog_drain_url, DumpJsonColumn(b.volume_mounts), b.last_operation_type,
      b.last_operation_state, b.last_operation_description, b.broker_operation, b.updated_at, b.replaces, b.guid));
  if (tx_.Changes() == 0) return Status::NotFound("service binding '" + b.guid + "' not found");
  return Status::Ok();
}

Result<ServiceBinding> ServiceStore::GetBinding(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto b,
                         FetchOne<ServiceBinding>(tx_.Query(std::string(kBindingSelect) + " WHERE b.guid = ?", guid), ReadBinding));
  if (!b) return Status::NotFound("service binding '" + std::string(guid) + "' not found");
  return std::move(*b);
}

Result<std::vector<ServiceBinding>> ServiceStore::ListBindings(const std::optional<std::string>& instance_guid,
                                                               const std::optional<std::string>& app_guid,
                                                               const std::optional<std::string>& type) {
  WhereClause where;
  if (instance_guid) where.Equals("b.instance_guid", *instance_guid);
  if (app_guid) where.Equals("b.app_guid", *app_guid);
  if (type) where.Equals("b.type", *type);
  return FetchAll<ServiceBinding>(where.Prepare(tx_, std::string(kBindingSelect), " ORDER BY b.id"), ReadBinding);
}

Result<std::vector<ServiceBinding>> ServiceStore::BindingsInProgress() {
  return FetchAll<ServiceBinding>(
      tx_.Query(std::string(kBindingSelect) + " WHERE b.last_operation_state = 'in progress' ORDER BY b.id"),
      ReadBinding);
}

Status ServiceStore::DeleteBinding(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_bindings WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("service binding '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<std::int64_t> ServiceStore::DeleteBindingsOfApp(std::string_view app_guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_bindings WHERE app_guid = ?", app_guid));
  std::int64_t deleted = tx_.Changes();
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_rotations WHERE app_guid = ?", app_guid));
  return deleted;
}

// ---- credential rotations ----

Status ServiceStore::InsertRotation(const ServiceRotation& r) {
  return tx_.Run("INSERT INTO service_rotations (" + std::string(kRotationColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 r.guid, r.app_guid, r.instance_guid, r.old_binding_guid, r.new_binding_guid, r.state,
                 r.deployment_guid, r.description, r.created_at, r.updated_at);
}

Status ServiceStore::UpdateRotation(const ServiceRotation& r) {
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "UPDATE service_rotations SET state = ?, deployment_guid = ?, description = ?, updated_at = ? WHERE guid = ?",
      r.state, r.deployment_guid, r.description, r.updated_at, r.guid));
  if (tx_.Changes() == 0) return Status::NotFound("credential rotation '" + r.guid + "' not found");
  return Status::Ok();
}

Result<ServiceRotation> ServiceStore::GetRotation(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto r, FetchOne<ServiceRotation>(
      tx_.Query("SELECT " + std::string(kRotationColumns) + " FROM service_rotations WHERE guid = ?", guid),
      ReadRotation));
  if (!r) return Status::NotFound("credential rotation '" + std::string(guid) + "' not found");
  return std::move(*r);
}

Result<std::vector<ServiceRotation>> ServiceStore::ActiveRotations() {
  return FetchAll<ServiceRotation>(
      tx_.Query("SELECT " + std::string(kRotationColumns) +
                " FROM service_rotations WHERE state NOT IN ('succeeded', 'failed') ORDER BY id"),
      ReadRotation);
}

Result<std::optional<ServiceRotation>> ServiceStore::ActiveRotationOf(std::string_view app_guid,
                                                                      std::string_view instance_guid) {
  return FetchOne<ServiceRotation>(
      tx_.Query("SELECT " + std::string(kRotationColumns) +
                    " FROM service_rotations WHERE app_guid = ? AND instance_guid = ? AND state NOT IN "
                    "('succeeded', 'failed') ORDER BY id DESC LIMIT 1",
                app_guid, instance_guid),
      ReadRotation);
}

}  // namespace wharf::state
