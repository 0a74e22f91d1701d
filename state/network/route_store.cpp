#include "state/network/route_store.h"

#include "state/sql/where_clause.h"

namespace wharf::state {
namespace {

constexpr std::string_view kDomainColumns = "guid, name, shared, org_guid, created_at, internal";

std::optional<std::string> NullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

Result<Domain> ReadDomain(Statement& st) {
  return Domain{st.Text(0), st.Text(1), st.Int(2) != 0, st.OptionalText(3), st.Text(4), st.Int(5) != 0};
}

constexpr std::string_view kRouteSelect =
    "SELECT r.guid, r.space_guid, r.domain_guid, d.name, r.host, r.path, r.created_at, r.load_balancing, "
    "r.hash_header, r.hash_balance, d.internal FROM routes r JOIN domains d ON d.guid = r.domain_guid";

Result<Route> ReadRoute(Statement& st) {
  Route r;
  r.guid = st.Text(0);
  r.space_guid = st.Text(1);
  r.domain_guid = st.Text(2);
  r.domain_name = st.Text(3);
  r.host = st.Text(4);
  r.path = st.Text(5);
  r.created_at = st.Text(6);
  r.load_balancing = st.Text(7);
  r.hash_header = st.OptionalText(8).value_or("");
  r.hash_balance = st.OptionalText(9).value_or("");
  r.internal = st.Int(10) != 0;
  return r;
}

}  // namespace

// ---- domains ----

Status RouteStore::InsertDomain(const Domain& d) {
  WHARF_ASSIGN_OR_RETURN(WriteOutcome written,
      tx_.RunUnlessDuplicate(
          "INSERT INTO domains (guid, name, shared, org_guid, created_at, internal) VALUES (?, ?, ?, ?, ?, ?)",
          d.guid, d.name, d.shared, d.org_guid, d.created_at, d.internal));
  if (written == WriteOutcome::kDuplicate) return Status::Conflict("domain '" + d.name + "' already exists");
  return Status::Ok();
}

Result<Domain> RouteStore::GetDomain(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto d, FetchOne<Domain>(
      tx_.Query("SELECT " + std::string(kDomainColumns) + " FROM domains WHERE guid = ?", guid), ReadDomain));
  if (!d) return Status::NotFound("domain '" + std::string(guid) + "' not found");
  return std::move(*d);
}

Result<std::optional<Domain>> RouteStore::FindDomainByName(std::string_view name) {
  return FetchOne<Domain>(
      tx_.Query("SELECT " + std::string(kDomainColumns) + " FROM domains WHERE name = ?", name), ReadDomain);
}

Result<Page<Domain>> RouteStore::ListDomains(const PageRequest& page) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t total, FetchInt(tx_.Query("SELECT COUNT(*) FROM domains")));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Domain>(tx_.Query("SELECT " + std::string(kDomainColumns) +
                                              " FROM domains ORDER BY id LIMIT ? OFFSET ?",
                                          page.per_page, page.Offset()),
                                ReadDomain));
  return Page<Domain>{std::move(items), total};
}

Result<std::int64_t> RouteStore::CountInternalRoutes() {
  return FetchInt(tx_.Query("SELECT COUNT(*) FROM routes r JOIN domains d ON d.guid = r.domain_guid WHERE d.internal = 1"));
}

Status RouteStore::PutDomainCertificate(const DomainCertificate& c) {
  return tx_.Run(
      "INSERT INTO domain_certificates (domain_guid, certificate_pem, private_key_pem, http_policy, names, not_after, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (domain_guid) DO UPDATE SET "
      "certificate_pem = excluded.certificate_pem, private_key_pem = excluded.private_key_pem, "
      "http_policy = excluded.http_policy, names = excluded.names, not_after = excluded.not_after, "
      "updated_at = excluded.updated_at",
      c.domain_guid, c.certificate_pem, c.private_key_pem, c.http_policy, c.names, c.not_after, c.updated_at);
}

Status RouteStore::DeleteDomainCertificate(std::string_view domain_guid) {
  return tx_.Run("DELETE FROM domain_certificates WHERE domain_guid = ?", domain_guid);
}

namespace {
Result<DomainCertificate> ReadCertificate(Statement& st) {
  DomainCertificate c;
  c.domain_guid = st.Text(0);
  c.domain_name = st.Text(1);
  c.certificate_pem = st.Text(2);
  c.private_key_pem = st.Text(3);
  c.http_policy = st.Text(4);
  c.names = st.Text(5);
  c.not_after = st.Text(6);
  c.updated_at = st.Text(7);
  return c;
}
}  // namespace

Result<std::vector<DomainCertificate>> RouteStore::DomainCertificateInfos() {
  return FetchAll<DomainCertificate>(
      tx_.Query("SELECT c.domain_guid, d.name, c.certificate_pem, '', c.http_policy, c.names, c.not_after, "
                "c.updated_at FROM domain_certificates c JOIN domains d ON d.guid = c.domain_guid ORDER BY d.id"),
      ReadCertificate);
}

Result<std::vector<DomainCertificate>> RouteStore::DomainCertificatesWithKeys() {
  return FetchAll<DomainCertificate>(
      tx_.Query("SELECT c.domain_guid, d.name, c.certificate_pem, c.private_key_pem, c.http_policy, c.names, "
                "c.not_after, c.updated_at FROM domain_certificates c JOIN domains d ON d.guid = c.domain_guid "
                "ORDER BY d.id"),
      ReadCertificate);
}

Status RouteStore::DeleteDomain(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(Domain domain, GetDomain(guid));
  WHARF_ASSIGN_OR_RETURN(std::int64_t used,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM routes WHERE domain_guid = ?", guid)));
  if (used > 0) {
    return Status::Conflict("domain '" + domain.name + "' is used by " + std::to_string(used) +
                            " route(s); delete them first");
  }
  WHARF_RETURN_IF_ERROR(DeleteDomainCertificate(guid));
  return tx_.Run("DELETE FROM domains WHERE guid = ?", guid);
}

// ---- routes ----

Status RouteStore::InsertRoute(const Route& r) {
  Result<WriteOutcome> written = tx_.RunUnlessDuplicate(
      "INSERT INTO routes (guid, space_guid, domain_guid, host, path, created_at, load_balancing, hash_header, "
      "hash_balance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      r.guid, r.space_guid, r.domain_guid, r.host, r.path, r.created_at, r.load_balancing, NullIfEmpty(r.hash_header),
      NullIfEmpty(r.hash_balance));
  if (written.ok() && *written == WriteOutcome::kDuplicate) {
    return Status::Conflict("route '" + r.Url() + "' already exists");
  }
  // What is left of kConflict is the foreign key on the domain.
  if (written.status().code() == StatusCode::kConflict) {
    return Status::NotFound("domain '" + r.domain_guid + "' not found");
  }
  return written.status();
}

Status RouteStore::SetOptions(const Route& r) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE routes SET load_balancing = ?, hash_header = ?, hash_balance = ? WHERE guid = ?",
                                r.load_balancing, NullIfEmpty(r.hash_header), NullIfEmpty(r.hash_balance), r.guid));
  std::string_view guid = r.guid;
  if (tx_.Changes() == 0) return Status::NotFound("route '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<std::vector<Destination>> RouteStore::DestinationsOf(std::string_view route_guid) {
  return FetchAll<Destination>(
      tx_.Query("SELECT rd.guid, rd.route_guid, rd.app_guid, a.name, rd.process_type, rd.created_at "
                "FROM route_destinations rd JOIN apps a ON a.guid = rd.app_guid "
                "WHERE rd.route_guid = ? ORDER BY rd.id",
                route_guid),
      [](Statement& st) -> Result<Destination> {
        return Destination{st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5)};
      });
}

Result<Route> RouteStore::Complete(Route route) {
  WHARF_ASSIGN_OR_RETURN(auto dests, DestinationsOf(route.guid));
  route.destinations = std::move(dests);
  return route;
}

Result<Route> RouteStore::GetRoute(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto r,
                         FetchOne<Route>(tx_.Query(std::string(kRouteSelect) + " WHERE r.guid = ?", guid), ReadRoute));
  if (!r) return Status::NotFound("route '" + std::string(guid) + "' not found");
  return Complete(std::move(*r));
}

Result<Page<Route>> RouteStore::ListRoutes(const RouteFilter& filter, const PageRequest& page) {
  WhereClause where;
  if (filter.host) where.Equals("r.host", *filter.host);
  if (filter.domain_guid) where.Equals("r.domain_guid", *filter.domain_guid);
  if (filter.space_guids) where.In("r.space_guid", *filter.space_guids);
  if (filter.app_guid) {
    where.Condition("r.guid IN (SELECT route_guid FROM route_destinations WHERE app_guid = ?)", {*filter.app_guid});
  }
  WHARF_ASSIGN_OR_RETURN(std::int64_t total,
      FetchInt(where.Prepare(tx_, "SELECT COUNT(*) FROM routes r JOIN domains d ON d.guid = r.domain_guid", "")));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Route>(
      where.Prepare(tx_, std::string(kRouteSelect), " ORDER BY r.id LIMIT ? OFFSET ?", {page.per_page, page.Offset()}),
      ReadRoute));
  Page<Route> out{{}, total};
  for (Route& r : items) {
    WHARF_ASSIGN_OR_RETURN(Route full, Complete(std::move(r)));
    out.items.push_back(std::move(full));
  }
  return out;
}

Result<std::vector<Route>> RouteStore::RoutesForApp(std::string_view app_guid) {
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Route>(
      tx_.Query(std::string(kRouteSelect) +
                    " WHERE r.guid IN (SELECT route_guid FROM route_destinations WHERE app_guid = ?) ORDER BY r.id",
                app_guid),
      ReadRoute));
  std::vector<Route> out;
  for (Route& r : items) {
    WHARF_ASSIGN_OR_RETURN(Route full, Complete(std::move(r)));
    out.push_back(std::move(full));
  }
  return out;
}

Status RouteStore::DeleteRoute(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM route_destinations WHERE route_guid = ?", guid));
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM routes WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("route '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<std::vector<std::string>> RouteStore::RoutesMappedOnlyTo(std::string_view app_guid) {
  return FetchAll<std::string>(
      tx_.Query("SELECT route_guid FROM route_destinations GROUP BY route_guid "
                "HAVING SUM(CASE WHEN app_guid = ? THEN 1 ELSE 0 END) > 0 "
                "AND SUM(CASE WHEN app_guid <> ? THEN 1 ELSE 0 END) = 0",
                app_guid, app_guid),
      [](Statement& st) -> Result<std::string> { return st.Text(0); });
}

// ---- destinations ----

Status RouteStore::AddDestination(const Destination& d) {
  Status s = tx_.Run(
      "INSERT INTO route_destinations (guid, route_guid, app_guid, process_type, created_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (route_guid, app_guid, process_type) DO NOTHING",
      d.guid, d.route_guid, d.app_guid, d.process_type, d.created_at);
  if (s.code() == StatusCode::kConflict) {
    return Status::NotFound("route '" + d.route_guid + "' or app '" + d.app_guid + "' not found");
  }
  return s;
}

Status RouteStore::RemoveDestinations(std::string_view route_guid, std::string_view app_guid) {
  WHARF_RETURN_IF_ERROR(
      tx_.Run("DELETE FROM route_destinations WHERE route_guid = ? AND app_guid = ?", route_guid, app_guid));
  if (tx_.Changes() == 0) {
    return Status::NotFound("route '" + std::string(route_guid) + "' has no destination to app '" +
                            std::string(app_guid) + "'");
  }
  return Status::Ok();
}

Status RouteStore::RemoveDestinationsForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM route_destinations WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
