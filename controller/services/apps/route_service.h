// The logic of domains, routes and route destinations (which app's process a
// route sends traffic to).
#pragma once

#include <cstdint>

#include <optional>
#include <string>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/platform/platform_info.h"
#include "state/model.h"
#include "state/network/route_store.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::controller {

// Routes on internal domains the platform holds at most (each is a line of every container's /etc/hosts).
inline constexpr std::int64_t kMaxInternalRoutes = 1000;

struct NewRoute {
  std::string host;
  std::string domain_guid;
  std::string path;  // "" or "/segment/..."
  std::string load_balancing = "round-robin";
  std::string hash_header;   // with "hash" only
  std::string hash_balance;  // with "hash" only; "" = none
  std::optional<std::string> space_guid = std::nullopt;  // default: the platform's default space
};

// Cloud Foundry's route options: "loadbalancing" (round-robin, least-connection, hash) and,
// with hash only, "hash_header" (required: an HTTP header name) and "hash_balance" (a
// number, 0 = off, otherwise 1.1 to 10, as gorouter). Bad values are kInvalidArgument
// naming the option.
Status ValidateLoadBalancing(std::string_view value);
Status ValidateRouteOptions(std::string_view load_balancing, std::string_view hash_header,
                            std::string_view hash_balance);

// A change of a route's options: an absent member keeps the option, an empty optional (a
// JSON null, cf's --remove-option) removes it (loadbalancing then returns to round-robin).
struct RouteOptionsPatch {
  std::optional<std::optional<std::string>> load_balancing, hash_header, hash_balance;
  bool empty() const { return !load_balancing && !hash_header && !hash_balance; }
};

// "" or '/'-separated segments of [A-Za-z0-9._~%!$&'()*+,;=:@-], at most 128 characters,
// no empty, "." or ".." segment and no trailing '/'.
Status ValidateRoutePath(std::string_view path);

// A domain's TLS certificate as the API receives it. Checked by ValidateDomainCertificate
// (kUnprocessable naming the problem); the key is stored and handed only to the routers.
struct DomainCertificateInput {
  std::string certificate_pem;
  std::string private_key_pem;
  std::string http_policy = "redirect";  // plain HTTP to the domain: "redirect", "refuse", "allow"
};

class RouteService {
 public:
  RouteService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
               const PlatformInfo& platform)
      : db_(db), clock_(clock), events_(events), logs_(logs), platform_(platform) {}

  Result<state::Page<state::Domain>> ListDomains(const state::PageRequest& page);
  // A private domain of the default org. kConflict when it exists.
  Result<state::Domain> CreateDomain(const Actor& actor, const std::string& name);
  // With a certificate (TLS domain), in one transaction. The caller checks the admin role.
  Result<state::Domain> CreateDomain(const Actor& actor, const std::string& name, const DomainCertificateInput& tls);
  Status DeleteDomain(const Actor& actor, const std::string& guid);
  // Sets (or replaces) a domain's certificate; routers use it for new handshakes at once.
  Status SetDomainCertificate(const Actor& actor, const std::string& guid, const DomainCertificateInput& tls);
  Status RemoveDomainCertificate(const Actor& actor, const std::string& guid);
  // Every certificate, without private keys.
  Result<std::vector<state::DomainCertificate>> DomainCertificates();

  Result<state::Page<state::Route>> ListRoutes(const state::RouteFilter& filter, const state::PageRequest& page);
  Result<state::Route> GetRoute(const std::string& guid);
  Result<state::Route> CreateRoute(const Actor& actor, const NewRoute& spec);
  Status DeleteRoute(const Actor& actor, const std::string& guid);
  // Changes the route's options; the router uses them within a moment. Leaving "hash"
  // drops hash_header and hash_balance.
  Result<state::Route> UpdateOptions(const Actor& actor, const std::string& guid, const RouteOptionsPatch& patch);
  Result<std::vector<state::Route>> RoutesForApp(const std::string& app_guid);

  // Maps the route to the app's process type (default web). Idempotent.
  Result<state::Route> AddDestination(const Actor& actor, const std::string& route_guid, const std::string& app_guid,
                                      const std::string& process_type);
  Result<state::Route> RemoveDestination(const Actor& actor, const std::string& route_guid,
                                         const std::string& app_guid);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  const PlatformInfo& platform_;
};

}  // namespace wharf::controller
