#include "state/platform/quota_store.h"

namespace wharf::state {
namespace {

std::string_view Table(QuotaKind kind) { return kind == QuotaKind::kOrg ? "org_quotas" : "space_quotas"; }
std::string_view Noun(QuotaKind kind) { return kind == QuotaKind::kOrg ? "org quota" : "space quota"; }

// org_quotas has no org_guid: '' in its place, so both tables read with one function.
std::string Select(QuotaKind kind, std::string_view rest) {
  return "SELECT guid, name, " + std::string(kind == QuotaKind::kOrg ? "''" : "org_guid") +
         ", total_memory_mb, instance_memory_mb, app_instances, routes, service_instances, created_at, updated_at "
         "FROM " +
         std::string(Table(kind)) + " " + std::string(rest);
}

Result<Quota> ReadQuota(Statement& st) {
  Quota q;
  q.guid = st.Text(0);
  q.name = st.Text(1);
  q.org_guid = st.Text(2);
  q.limits.total_memory_mb = st.Int(3);
  q.limits.instance_memory_mb = st.Int(4);
  q.limits.app_instances = st.Int(5);
  q.limits.routes = st.Int(6);
  q.limits.service_instances = st.Int(7);
  q.created_at = st.Text(8);
  q.updated_at = st.Text(9);
  return q;
}

Result<std::vector<std::string>> Names(Result<Statement> st) {
  return FetchAll<std::string>(std::move(st), [](Statement& s) -> Result<std::string> { return s.Text(0); });
}

}  // namespace

Status QuotaStore::Insert(QuotaKind kind, const Quota& q) {
  const QuotaLimits& l = q.limits;
  Result<WriteOutcome> written =
      kind == QuotaKind::kOrg
          ? tx_.RunUnlessDuplicate(
                "INSERT INTO org_quotas (guid, name, total_memory_mb, instance_memory_mb, app_instances, routes, "
                "service_instances, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                q.guid, q.name, l.total_memory_mb, l.instance_memory_mb, l.app_instances, l.routes,
                l.service_instances, q.created_at, q.updated_at)
          : tx_.RunUnlessDuplicate(
                "INSERT INTO space_quotas (guid, org_guid, name, total_memory_mb, instance_memory_mb, app_instances, "
                "routes, service_instances, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                q.guid, q.org_guid, q.name, l.total_memory_mb, l.instance_memory_mb, l.app_instances, l.routes,
                l.service_instances, q.created_at, q.updated_at);
  if (!written.ok()) return written.status();
  if (*written == WriteOutcome::kDuplicate) {
    return Status::Conflict(std::string(Noun(kind)) + " '" + q.name + "' already exists");
  }
  return Status::Ok();
}

Status QuotaStore::Update(QuotaKind kind, const Quota& q) {
  const QuotaLimits& l = q.limits;
  WHARF_ASSIGN_OR_RETURN(auto written, tx_.RunUnlessDuplicate(
      "UPDATE " + std::string(Table(kind)) +
          " SET name = ?, total_memory_mb = ?, instance_memory_mb = ?, app_instances = ?, routes = ?, "
          "service_instances = ?, updated_at = ? WHERE guid = ?",
      q.name, l.total_memory_mb, l.instance_memory_mb, l.app_instances, l.routes, l.service_instances, q.updated_at,
      q.guid));
  if (written == WriteOutcome::kDuplicate) {
    return Status::Conflict(std::string(Noun(kind)) + " '" + q.name + "' already exists");
  }
  if (tx_.Changes() == 0) return Status::NotFound(std::string(Noun(kind)) + " '" + q.guid + "' not found");
  return Status::Ok();
}

Status QuotaStore::Delete(QuotaKind kind, const Quota& q) {
  WHARF_ASSIGN_OR_RETURN(std::vector<std::string> users,
                         kind == QuotaKind::kOrg ? OrgsWith(q.guid) : SpacesWith(q.guid));
  if (!users.empty()) {
    std::string list;
    for (const std::string& n : users) list += (list.empty() ? "" : ", ") + n;
    return Status::Conflict(std::string(Noun(kind)) + " '" + q.name + "' is assigned to " +
                            (kind == QuotaKind::kOrg ? "org" : "space") + (users.size() > 1 ? "s " : " ") + list +
                            "; assign another quota first");
  }
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM " + std::string(Table(kind)) + " WHERE guid = ?", q.guid));
  if (tx_.Changes() == 0) return Status::NotFound(std::string(Noun(kind)) + " '" + q.name + "' not found");
  return Status::Ok();
}

Result<Quota> QuotaStore::Get(QuotaKind kind, std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(std::optional<Quota> q, FetchOne<Quota>(tx_.Query(Select(kind, "WHERE guid = ?"), guid), ReadQuota));
  if (!q) return Status::NotFound(std::string(Noun(kind)) + " '" + std::string(guid) + "' not found");
  return std::move(*q);
}

Result<std::optional<Quota>> QuotaStore::FindByName(QuotaKind kind, std::string_view org_guid, std::string_view name) {
  if (kind == QuotaKind::kOrg) return FetchOne<Quota>(tx_.Query(Select(kind, "WHERE name = ?"), name), ReadQuota);
  return FetchOne<Quota>(tx_.Query(Select(kind, "WHERE org_guid = ? AND name = ?"), org_guid, name), ReadQuota);
}

Result<std::vector<Quota>> QuotaStore::List(QuotaKind kind, std::string_view org_guid) {
  if (kind == QuotaKind::kSpace && !org_guid.empty()) {
    return FetchAll<Quota>(tx_.Query(Select(kind, "WHERE org_guid = ? ORDER BY name"), org_guid), ReadQuota);
  }
  return FetchAll<Quota>(tx_.Query(Select(kind, "ORDER BY name")), ReadQuota);
}

Status QuotaStore::AssignToOrg(std::string_view org_guid, const std::optional<std::string>& quota_guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE orgs SET quota_guid = ? WHERE guid = ?", quota_guid, org_guid));
  if (tx_.Changes() == 0) return Status::NotFound("org '" + std::string(org_guid) + "' not found");
  return Status::Ok();
}

Status QuotaStore::AssignToSpace(std::string_view space_guid, const std::optional<std::string>& quota_guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE spaces SET space_quota_guid = ? WHERE guid = ?", quota_guid, space_guid));
  if (tx_.Changes() == 0) return Status::NotFound("space '" + std::string(space_guid) + "' not found");
  return Status::Ok();
}

Result<std::optional<Quota>> QuotaStore::OfOrg(std::string_view org_guid) {
  return FetchOne<Quota>(
      tx_.Query(Select(QuotaKind::kOrg,
                       "WHERE guid = IFNULL((SELECT quota_guid FROM orgs WHERE guid = ?), "
                       "(SELECT guid FROM org_quotas WHERE name = ?))"),
                org_guid, kDefaultOrgQuotaName),
      ReadQuota);
}

Result<std::optional<Quota>> QuotaStore::OfSpace(std::string_view space_guid) {
  return FetchOne<Quota>(
      tx_.Query(Select(QuotaKind::kSpace, "WHERE guid = (SELECT space_quota_guid FROM spaces WHERE guid = ?)"),
                space_guid),
      ReadQuota);
}

Result<std::vector<std::string>> QuotaStore::OrgsWith(std::string_view quota_guid) {
  return Names(tx_.Query("SELECT name FROM orgs WHERE quota_guid = ?1 OR (quota_guid IS NULL AND ?1 = "
                         "(SELECT guid FROM org_quotas WHERE name = ?2)) ORDER BY name",
                         quota_guid, kDefaultOrgQuotaName));
}

Result<std::vector<std::string>> QuotaStore::SpacesWith(std::string_view quota_guid) {
  return Names(tx_.Query("SELECT name FROM spaces WHERE space_quota_guid = ? ORDER BY name", quota_guid));
}

Result<QuotaUsage> QuotaStore::UsageOfOrg(std::string_view org_guid, std::string_view except_app_guid) {
  return Usage("IN (SELECT guid FROM spaces WHERE org_guid = ?)", org_guid, except_app_guid);
}

Result<QuotaUsage> QuotaStore::UsageOfSpace(std::string_view space_guid, std::string_view except_app_guid) {
  return Usage("= ?", space_guid, except_app_guid);
}

Result<QuotaUsage> QuotaStore::Usage(std::string_view space_filter, std::string_view scope_guid,
                                     std::string_view except_app_guid) {
  const std::string filter(space_filter);
  const std::string except(except_app_guid);  // never NULL: no app has the empty guid
  QuotaUsage u;
  WHARF_ASSIGN_OR_RETURN(
      Statement st,
      tx_.Query("SELECT IFNULL(SUM(p.instances * p.memory_in_mb), 0), IFNULL(SUM(p.instances), 0) "
                "FROM processes p JOIN apps a ON a.guid = p.app_guid "
                "WHERE a.state = 'STARTED' AND a.guid <> ? AND a.space_guid " + filter,
                except, scope_guid));
  WHARF_RETURN_IF_ERROR(st.Step().status());
  u.memory_mb = st.Int(0);
  u.app_instances = st.Int(1);
  WHARF_ASSIGN_OR_RETURN(std::int64_t tasks,
                         FetchInt(tx_.Query("SELECT IFNULL(SUM(t.memory_in_mb), 0) FROM tasks t "
                                            "JOIN apps a ON a.guid = t.app_guid "
                                            "WHERE t.state IN ('PENDING', 'RUNNING', 'CANCELING') "
                                            "AND a.space_guid " + filter,
                                            scope_guid)));
  u.memory_mb += tasks;
  WHARF_ASSIGN_OR_RETURN(u.routes, FetchInt(tx_.Query("SELECT COUNT(*) FROM routes WHERE space_guid " + filter,
                                                      scope_guid)));
  WHARF_ASSIGN_OR_RETURN(u.service_instances,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM service_instances WHERE type = 'managed' "
                                            "AND space_guid " + filter,
                                            scope_guid)));
  return u;
}

}  // namespace wharf::state
