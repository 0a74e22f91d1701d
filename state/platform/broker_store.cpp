#include "state/platform/broker_store.h"

#include <algorithm>

#include "state/sql/where_clause.h"
#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kBrokerColumns = "guid, name, url, username, password, created_at, updated_at";

Result<ServiceBroker> ReadBroker(Statement& st) {
  return ServiceBroker{st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5), st.Text(6)};
}

constexpr std::string_view kOfferingSelect =
    "SELECT o.guid, o.broker_guid, b.name, o.broker_id, o.name, o.description, o.bindable, o.plan_updateable, "
    "o.instances_retrievable, o.bindings_retrievable, o.tags, o.requires, o.metadata, o.created_at "
    "FROM service_offerings o JOIN service_brokers b ON b.guid = o.broker_guid";

Result<ServiceOffering> ReadOffering(Statement& st) {
  ServiceOffering o;
  o.guid = st.Text(0);
  o.broker_guid = st.Text(1);
  o.broker_name = st.Text(2);
  o.broker_id = st.Text(3);
  o.name = st.Text(4);
  o.description = st.Text(5);
  o.bindable = st.Int(6) != 0;
  o.plan_updateable = st.Int(7) != 0;
  o.instances_retrievable = st.Int(8) != 0;
  o.bindings_retrievable = st.Int(9) != 0;
  Result<nlohmann::json> tags = ParseJsonColumn(st.Text(10), "tags of service offering " + o.guid);
  if (!tags.ok()) return tags.status();
  o.tags = std::move(tags).value();
  WHARF_ASSIGN_OR_RETURN(nlohmann::json req, ParseJsonColumn(st.Text(11), "requires of service offering " + o.guid));
  o.requires_ = std::move(req);
  Result<nlohmann::json> metadata = ParseJsonColumn(st.Text(12), "metadata of service offering " + o.guid);
  if (!metadata.ok()) return metadata.status();
  o.metadata = std::move(metadata).value();
  o.created_at = st.Text(13);
  return o;
}

constexpr std::string_view kPlanColumns =
    "guid, offering_guid, broker_id, name, description, free, bindable, plan_updateable, maximum_polling_duration, "
    "public, created_at";

std::optional<std::int64_t> OptionalBool(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return *b ? 1 : 0;
}

Result<ServicePlan> ReadPlan(Statement& st) {
  ServicePlan p;
  p.guid = st.Text(0);
  p.offering_guid = st.Text(1);
  p.broker_id = st.Text(2);
  p.name = st.Text(3);
  p.description = st.Text(4);
  p.free = st.Int(5) != 0;
  if (auto b = st.OptionalInt(6)) p.bindable = *b != 0;
  if (auto u = st.OptionalInt(7)) p.plan_updateable = *u != 0;
  if (auto m = st.OptionalInt(8)) p.maximum_polling_duration = static_cast<int>(*m);
  p.public_ = st.Int(9) != 0;
  p.created_at = st.Text(10);
  return p;
}

Status ServiceBrokerConflict(const ServiceBroker& b, const Result<WriteOutcome>& written) {
  if (!written.ok()) return written.status();
  if (*written == WriteOutcome::kDuplicate) return Status::Conflict("service broker '" + b.name + "' already exists");
  return Status::Ok();
}

}  // namespace

// ---- brokers ----

Status BrokerStore::InsertBroker(const ServiceBroker& b) {
  return ServiceBrokerConflict(
      b, tx_.RunUnlessDuplicate("INSERT INTO service_brokers (" + std::string(kBrokerColumns) +
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                                b.guid, b.name, b.url, b.username, b.password, b.created_at, b.updated_at));
}

Status BrokerStore::UpdateBroker(const ServiceBroker& b) {
  WHARF_RETURN_IF_ERROR(ServiceBrokerConflict(
      b, tx_.RunUnlessDuplicate(
             "UPDATE service_brokers SET name = ?, url = ?, username = ?, password = ?, updated_at = ? WHERE guid = ?",
             b.name, b.url, b.username, b.password, b.updated_at, b.guid)));
  if (tx_.Changes() == 0) return Status::NotFound("service broker '" + b.guid + "' not found");
  return Status::Ok();
}

Result<ServiceBroker> BrokerStore::GetBroker(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto b, FetchOne<ServiceBroker>(
      tx_.Query("SELECT " + std::string(kBrokerColumns) + " FROM service_brokers WHERE guid = ?", guid), ReadBroker));
  if (!b) return Status::NotFound("service broker '" + std::string(guid) + "' not found");
  return std::move(*b);
}

Result<std::optional<ServiceBroker>> BrokerStore::FindBrokerByName(std::string_view name) {
  return FetchOne<ServiceBroker>(
      tx_.Query("SELECT " + std::string(kBrokerColumns) + " FROM service_brokers WHERE name = ?", name), ReadBroker);
}

Result<std::vector<ServiceBroker>> BrokerStore::ListBrokers() {
  return FetchAll<ServiceBroker>(
      tx_.Query("SELECT " + std::string(kBrokerColumns) + " FROM service_brokers ORDER BY name"), ReadBroker);
}

Status BrokerStore::DeleteBroker(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(ServiceBroker broker, GetBroker(guid));
  WHARF_ASSIGN_OR_RETURN(std::int64_t used, FetchInt(tx_.Query(
      "SELECT COUNT(*) FROM service_instances si JOIN service_plans p ON p.guid = si.plan_guid "
      "JOIN service_offerings o ON o.guid = p.offering_guid WHERE o.broker_guid = ?",
      guid)));
  if (used > 0) {
    return Status::Conflict("service broker '" + broker.name + "' has " + std::to_string(used) +
                            " service instance(s); delete them first");
  }
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "DELETE FROM service_plans WHERE offering_guid IN (SELECT guid FROM service_offerings WHERE broker_guid = ?)",
      guid));
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_offerings WHERE broker_guid = ?", guid));
  return tx_.Run("DELETE FROM service_brokers WHERE guid = ?", guid);
}

// ---- catalog ----

Result<std::string> BrokerStore::UpsertOffering(const ServiceOffering& o) {
  WHARF_ASSIGN_OR_RETURN(auto existing, FetchOne<std::string>(
      tx_.Query("SELECT guid FROM service_offerings WHERE broker_guid = ? AND broker_id = ?", o.broker_guid,
                o.broker_id),
      [](Statement& st) -> Result<std::string> { return st.Text(0); }));
  if (existing) {
    WHARF_RETURN_IF_ERROR(tx_.Run(
        "UPDATE service_offerings SET name = ?, description = ?, bindable = ?, plan_updateable = ?, "
        "instances_retrievable = ?, bindings_retrievable = ?, tags = ?, requires = ?, metadata = ? WHERE guid = ?",
        o.name, o.description, o.bindable, o.plan_updateable, o.instances_retrievable, o.bindings_retrievable,
        DumpJsonColumn(o.tags), DumpJsonColumn(o.requires_), DumpJsonColumn(o.metadata), *existing));
    return *existing;
  }
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "INSERT INTO service_offerings (guid, broker_guid, broker_id, name, description, bindable, plan_updateable, "
      "instances_retrievable, bindings_retrievable, tags, requires, metadata, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      o.guid, o.broker_guid, o.broker_id, o.name, o.description, o.bindable, o.plan_updateable,
      o.instances_retrievable, o.bindings_retrievable, DumpJsonColumn(o.tags), DumpJsonColumn(o.requires_),
      DumpJsonColumn(o.metadata), o.created_at));
  return o.guid;
}

Result<std::string> BrokerStore::UpsertPlan(const ServicePlan& p) {
  WHARF_ASSIGN_OR_RETURN(auto existing, FetchOne<std::string>(
      tx_.Query("SELECT guid FROM service_plans WHERE offering_guid = ? AND broker_id = ?", p.offering_guid,
                p.broker_id),
      [](Statement& st) -> Result<std::string> { return st.Text(0); }));
  std::optional<std::int64_t> polling;
  if (p.maximum_polling_duration) polling = *p.maximum_polling_duration;
  if (existing) {
    // `public` is the platform's (service access), not the catalog's: kept.
    WHARF_RETURN_IF_ERROR(tx_.Run(
        "UPDATE service_plans SET name = ?, description = ?, free = ?, bindable = ?, plan_updateable = ?, "
        "maximum_polling_duration = ? WHERE guid = ?",
        p.name, p.description, p.free, OptionalBool(p.bindable), OptionalBool(p.plan_updateable), polling,
        *existing));
    return *existing;
  }
  WHARF_RETURN_IF_ERROR(tx_.Run("INSERT INTO service_plans (" + std::string(kPlanColumns) +
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                p.guid, p.offering_guid, p.broker_id, p.name, p.description, p.free,
                                OptionalBool(p.bindable), OptionalBool(p.plan_updateable), polling, p.public_,
                                p.created_at));
  return p.guid;
}

Result<std::vector<std::string>> BrokerStore::PruneCatalog(std::string_view broker_guid,
                                                           const std::vector<std::string>& keep_offerings,
                                                           const std::vector<std::string>& keep_plans) {
  auto plans = FetchAll<std::pair<std::string, std::string>>(
      tx_.Query("SELECT p.guid, p.name FROM service_plans p JOIN service_offerings o ON o.guid = p.offering_guid "
                "WHERE o.broker_guid = ?",
                broker_guid),
      [](Statement& st) -> Result<std::pair<std::string, std::string>> { return std::pair(st.Text(0), st.Text(1)); });
  if (!plans.ok()) return plans.status();
  std::vector<std::string> still_used;
  for (const auto& [guid, name] : *plans) {
    if (std::find(keep_plans.begin(), keep_plans.end(), guid) != keep_plans.end()) continue;
    WHARF_ASSIGN_OR_RETURN(std::int64_t used,
                           FetchInt(tx_.Query("SELECT COUNT(*) FROM service_instances WHERE plan_guid = ?", guid)));
    if (used > 0) {
      still_used.push_back(name);
      continue;
    }
    WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_plans WHERE guid = ?", guid));
  }
  WHARF_ASSIGN_OR_RETURN(auto offerings, FetchAll<std::string>(tx_.Query("SELECT guid FROM service_offerings WHERE broker_guid = ?", broker_guid),
                                         [](Statement& st) -> Result<std::string> { return st.Text(0); }));
  for (const std::string& guid : offerings) {
    if (std::find(keep_offerings.begin(), keep_offerings.end(), guid) != keep_offerings.end()) continue;
    WHARF_ASSIGN_OR_RETURN(std::int64_t plans_left,
                           FetchInt(tx_.Query("SELECT COUNT(*) FROM service_plans WHERE offering_guid = ?", guid)));
    if (plans_left == 0) WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM service_offerings WHERE guid = ?", guid));
  }
  return still_used;
}

Result<std::vector<ServiceOffering>> BrokerStore::ListOfferings(const std::optional<std::string>& broker_guid) {
  WhereClause where;
  if (broker_guid) where.Equals("o.broker_guid", *broker_guid);
  return FetchAll<ServiceOffering>(where.Prepare(tx_, std::string(kOfferingSelect), " ORDER BY o.name, b.name"),
                                   ReadOffering);
}

Result<ServiceOffering> BrokerStore::GetOffering(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto o,
                         FetchOne<ServiceOffering>(tx_.Query(std::string(kOfferingSelect) + " WHERE o.guid = ?", guid), ReadOffering));
  if (!o) return Status::NotFound("service offering '" + std::string(guid) + "' not found");
  return std::move(*o);
}

Result<std::vector<ServicePlan>> BrokerStore::ListPlans(std::string_view offering_guid) {
  return FetchAll<ServicePlan>(tx_.Query("SELECT " + std::string(kPlanColumns) +
                                             " FROM service_plans WHERE offering_guid = ? ORDER BY id",
                                         offering_guid),
                               ReadPlan);
}

Result<ServicePlan> BrokerStore::GetPlan(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto p, FetchOne<ServicePlan>(
      tx_.Query("SELECT " + std::string(kPlanColumns) + " FROM service_plans WHERE guid = ?", guid), ReadPlan));
  if (!p) return Status::NotFound("service plan '" + std::string(guid) + "' not found");
  return std::move(*p);
}

Status BrokerStore::SetPlanPublic(std::string_view plan_guid, bool is_public) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE service_plans SET public = ? WHERE guid = ?", is_public, plan_guid));
  if (tx_.Changes() == 0) return Status::NotFound("service plan '" + std::string(plan_guid) + "' not found");
  return Status::Ok();
}

}  // namespace wharf::state
