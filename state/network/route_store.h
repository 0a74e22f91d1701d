// Domains, routes and route destinations in SQL. Bound to one transaction.
// Routes come back with their domain name and destinations joined in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::state {

struct RouteFilter {
  std::optional<std::string> app_guid;  // routes with a destination to this app
  std::optional<std::string> host;
  std::optional<std::string> domain_guid;
  std::optional<std::vector<std::string>> space_guids = std::nullopt;  // none: any space
};

class RouteStore {
 public:
  explicit RouteStore(Tx& tx) : tx_(tx) {}

  // ---- domains ----
  // kConflict "domain 'x' already exists".
  Status InsertDomain(const Domain& domain);
  Result<Domain> GetDomain(std::string_view guid);
  Result<std::optional<Domain>> FindDomainByName(std::string_view name);
  Result<Page<Domain>> ListDomains(const PageRequest& page);  // oldest first
  // kConflict while any route uses the domain.
  Status DeleteDomain(std::string_view guid);
  // Routes on internal domains (names in every container's /etc/hosts).
  Result<std::int64_t> CountInternalRoutes();
  // ---- domain certificates (TLS) ----
  // Inserts or replaces the domain's certificate.
  Status PutDomainCertificate(const DomainCertificate& cert);
  Status DeleteDomainCertificate(std::string_view domain_guid);
  // Every certificate without its private key (for API answers), by domain guid order.
  Result<std::vector<DomainCertificate>> DomainCertificateInfos();
  // Every certificate with its private key: for the routing table only.
  Result<std::vector<DomainCertificate>> DomainCertificatesWithKeys();

  // ---- routes ----
  // kConflict "route 'web.localhost' already exists".
  Status InsertRoute(const Route& route);
  Result<Route> GetRoute(std::string_view guid);
  Result<Page<Route>> ListRoutes(const RouteFilter& filter, const PageRequest& page);  // oldest first
  Result<std::vector<Route>> RoutesForApp(std::string_view app_guid);
  // Deletes the route and its destinations.
  Status DeleteRoute(std::string_view guid);
  // Writes the route's options (load_balancing, hash_header, hash_balance).
  Status SetOptions(const Route& route);
  // Routes whose every destination is `app_guid` (deleted with the app on recursive delete).
  Result<std::vector<std::string>> RoutesMappedOnlyTo(std::string_view app_guid);

  // ---- destinations ----
  // Adding an existing (route, app, process type) destination is a no-op.
  Status AddDestination(const Destination& destination);
  // kNotFound when the route has no destination to that app.
  Status RemoveDestinations(std::string_view route_guid, std::string_view app_guid);
  Status RemoveDestinationsForApp(std::string_view app_guid);

 private:
  Result<std::vector<Destination>> DestinationsOf(std::string_view route_guid);
  Result<Route> Complete(Route route);

  Tx& tx_;
};

}  // namespace wharf::state
