#include "controller/services/apps/route_service.h"
#include "controller/services/tenancy/quota_check.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/facts/names.h"
#include "common/ids.h"
#include "common/net/tls_pem.h"
#include "controller/services/apps/process_service.h"
#include "state/apps/app_store.h"

namespace wharf::controller {
namespace {

EventTarget TargetOf(const state::Route& r) { return EventTarget{"route", r.guid, r.Url(), r.space_guid}; }

}  // namespace

Status ValidateRoutePath(std::string_view path) {
  if (path.empty()) return Status::Ok();
  auto bad = [&](std::string why) {
    return Status::InvalidArgument("route path '" + std::string(path) + "' " + why);
  };
  if (path.size() > 128) return bad("is longer than 128 characters");
  if (path.front() != '/') return bad("must start with '/'");
  if (path.back() == '/') return bad("must not end with '/'");
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return bad("has an empty, '.' or '..' segment");
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~%!$&'()*+,;=:@").find(c) != std::string_view::npos;
      if (!ok) return bad("may contain only URL path characters");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

Result<state::Page<state::Domain>> RouteService::ListDomains(const state::PageRequest& page) {
  return db_.Read<state::Page<state::Domain>>([&](state::Tx& tx) { return state::RouteStore(tx).ListDomains(page); });
}

Result<state::Domain> RouteService::CreateDomain(const Actor& actor, const std::string& name) {
  WHARF_RETURN_IF_ERROR(ValidateDomainName(name));
  state::Domain d{NewGuid(), name, false, platform_.tenancy.org.guid, FormatRfc3339(clock_.Now())};
  return db_.Transact<state::Domain>([&](state::Tx& tx) -> Result<state::Domain> {
    WHARF_RETURN_IF_ERROR(state::RouteStore(tx).InsertDomain(d));
    WHARF_RETURN_IF_ERROR(
        events_.Record(tx, actor, "domain-created", EventTarget{"domain", d.guid, d.name, std::nullopt}));
    return d;
  });
}

namespace {

Result<state::DomainCertificate> CheckedCertificate(const std::string& domain_guid, const std::string& domain_name,
                                                    const DomainCertificateInput& tls, const std::string& now) {
  if (tls.http_policy != "redirect" && tls.http_policy != "refuse" && tls.http_policy != "allow") {
    return Status::InvalidArgument("http must be redirect, refuse or allow");
  }
  WHARF_ASSIGN_OR_RETURN(CertificateInfo info,
                         ValidateDomainCertificate(domain_name, tls.certificate_pem, tls.private_key_pem));
  state::DomainCertificate c;
  c.domain_guid = domain_guid;
  c.domain_name = domain_name;
  c.certificate_pem = tls.certificate_pem;
  c.private_key_pem = tls.private_key_pem;
  c.http_policy = tls.http_policy;
  for (const std::string& n : info.dns_names) c.names += (c.names.empty() ? "" : ",") + n;
  c.not_after = info.not_after;
  c.updated_at = now;
  return c;
}

}  // namespace

Result<state::Domain> RouteService::CreateDomain(const Actor& actor, const std::string& name,
                                                 const DomainCertificateInput& tls) {
  WHARF_RETURN_IF_ERROR(ValidateDomainName(name));
  state::Domain d{NewGuid(), name, false, platform_.tenancy.org.guid, FormatRfc3339(clock_.Now())};
  WHARF_ASSIGN_OR_RETURN(state::DomainCertificate cert, CheckedCertificate(d.guid, d.name, tls, d.created_at));
  return db_.Transact<state::Domain>([&](state::Tx& tx) -> Result<state::Domain> {
    state::RouteStore routes(tx);
    WHARF_RETURN_IF_ERROR(routes.InsertDomain(d));
    WHARF_RETURN_IF_ERROR(routes.PutDomainCertificate(cert));
    WHARF_RETURN_IF_ERROR(
        events_.Record(tx, actor, "domain-created", EventTarget{"domain", d.guid, d.name, std::nullopt}));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "domain-certificate-set",
                                         EventTarget{"domain", d.guid, d.name, std::nullopt}));
    return d;
  });
}

Status RouteService::SetDomainCertificate(const Actor& actor, const std::string& guid,
                                          const DomainCertificateInput& tls) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(state::Domain d, routes.GetDomain(guid));
    if (d.internal) return Status::InvalidArgument("domain '" + d.name + "' is internal: never served by the router");
    WHARF_ASSIGN_OR_RETURN(state::DomainCertificate cert,
                           CheckedCertificate(d.guid, d.name, tls, FormatRfc3339(clock_.Now())));
    WHARF_RETURN_IF_ERROR(routes.PutDomainCertificate(cert));
    return events_.Record(tx, actor, "domain-certificate-set", EventTarget{"domain", d.guid, d.name, std::nullopt});
  });
}

Status RouteService::RemoveDomainCertificate(const Actor& actor, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(state::Domain d, routes.GetDomain(guid));
    WHARF_RETURN_IF_ERROR(routes.DeleteDomainCertificate(guid));
    return events_.Record(tx, actor, "domain-certificate-removed",
                          EventTarget{"domain", d.guid, d.name, std::nullopt});
  });
}

Result<std::vector<state::DomainCertificate>> RouteService::DomainCertificates() {
  return db_.Read<std::vector<state::DomainCertificate>>(
      [&](state::Tx& tx) { return state::RouteStore(tx).DomainCertificateInfos(); });
}

Status RouteService::DeleteDomain(const Actor& actor, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(auto d, routes.GetDomain(guid));
    WHARF_RETURN_IF_ERROR(routes.DeleteDomain(guid));
    return events_.Record(tx, actor, "domain-deleted", EventTarget{"domain", d.guid, d.name, std::nullopt});
  });
}

Result<state::Page<state::Route>> RouteService::ListRoutes(const state::RouteFilter& filter,
                                                           const state::PageRequest& page) {
  return db_.Read<state::Page<state::Route>>(
      [&](state::Tx& tx) { return state::RouteStore(tx).ListRoutes(filter, page); });
}

Result<state::Route> RouteService::GetRoute(const std::string& guid) {
  return db_.Read<state::Route>([&](state::Tx& tx) { return state::RouteStore(tx).GetRoute(guid); });
}

Result<std::vector<state::Route>> RouteService::RoutesForApp(const std::string& app_guid) {
  return db_.Read<std::vector<state::Route>>([&](state::Tx& tx) -> Result<std::vector<state::Route>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    return state::RouteStore(tx).RoutesForApp(app_guid);
  });
}

Status ValidateLoadBalancing(std::string_view value) {
  if (value == "round-robin" || value == "least-connection" || value == "hash") return Status::Ok();
  return Status::InvalidArgument("route option loadbalancing: '" + std::string(value) +
                                 "' is not round-robin, least-connection or hash");
}

Status ValidateRouteOptions(std::string_view load_balancing, std::string_view hash_header,
                            std::string_view hash_balance) {
  WHARF_RETURN_IF_ERROR(ValidateLoadBalancing(load_balancing));
  if (load_balancing != "hash") {
    if (!hash_header.empty() || !hash_balance.empty()) {
      return Status::InvalidArgument("route options hash_header and hash_balance need loadbalancing hash");
    }
    return Status::Ok();
  }
  if (hash_header.empty()) return Status::InvalidArgument("route option hash_header is required with loadbalancing hash");
  if (hash_header.size() > 128 || !std::all_of(hash_header.begin(), hash_header.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      })) {
    return Status::InvalidArgument("route option hash_header: '" + std::string(hash_header) +
                                   "' is not an HTTP header name");
  }
  if (!hash_balance.empty()) {
    double v = 0;
    auto [end, ec] = std::from_chars(hash_balance.data(), hash_balance.data() + hash_balance.size(), v);
    if (ec != std::errc() || end != hash_balance.data() + hash_balance.size() || !(v == 0 || (v >= 1.1 && v <= 10))) {
      return Status::InvalidArgument("route option hash_balance: '" + std::string(hash_balance) +
                                     "' is not 0 or a number from 1.1 to 10");
    }
  }
  return Status::Ok();
}

Result<state::Route> RouteService::CreateRoute(const Actor& actor, const NewRoute& spec) {
  WHARF_RETURN_IF_ERROR(ValidateDnsLabel(spec.host, "route host"));
  WHARF_RETURN_IF_ERROR(ValidateRoutePath(spec.path));
  WHARF_RETURN_IF_ERROR(ValidateRouteOptions(spec.load_balancing, spec.hash_header, spec.hash_balance));
  return db_.Transact<state::Route>([&](state::Tx& tx) -> Result<state::Route> {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(auto domain, routes.GetDomain(spec.domain_guid));
    if (domain.name == platform_.domain && spec.host == kAutoscalerMetricsHost) {
      // The router serves the platform's metrics forwarder there: an app holding it would receive
      // other apps' custom-metrics credentials.
      return Status::Conflict("route host '" + spec.host + "' on domain '" + domain.name +
                              "' is reserved for the platform (the autoscaler's metrics forwarder)");
    }
    if (domain.internal && !spec.path.empty()) {
      return Status::InvalidArgument("a route on the internal domain '" + domain.name +
                                     "' names apps for container-to-container traffic and takes no path");
    }
    if (domain.internal && spec.host.empty()) {
      return Status::InvalidArgument("a route on the internal domain '" + domain.name + "' needs a host name");
    }
    if (domain.internal) {
      // Every internal name is a line in every container's /etc/hosts, read at each lookup: bounded.
      WHARF_ASSIGN_OR_RETURN(std::int64_t internal, routes.CountInternalRoutes());
      if (internal >= kMaxInternalRoutes) {
        return Status::TooLarge("the platform has " + std::to_string(internal) +
                                " routes on internal domains, the most it allows; unmap one first");
      }
    }
    state::Route r;
    r.guid = NewGuid();
    r.space_guid = spec.space_guid.value_or(platform_.tenancy.space.guid);
    r.domain_guid = domain.guid;
    r.domain_name = domain.name;
    r.internal = domain.internal;
    r.host = spec.host;
    r.path = spec.path;
    r.load_balancing = spec.load_balancing;
    r.hash_header = spec.hash_header;
    r.hash_balance = spec.hash_balance;
    r.created_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(CheckRouteQuotas(tx, r.space_guid));
    WHARF_RETURN_IF_ERROR(routes.InsertRoute(r));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "route-created", TargetOf(r)));
    return r;
  });
}

Status RouteService::DeleteRoute(const Actor& actor, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(auto r, routes.GetRoute(guid));
    WHARF_RETURN_IF_ERROR(routes.DeleteRoute(guid));
    return events_.Record(tx, actor, "route-deleted", TargetOf(r));
  });
}

Result<state::Route> RouteService::UpdateOptions(const Actor& actor, const std::string& guid,
                                                 const RouteOptionsPatch& patch) {
  return db_.Transact<state::Route>([&](state::Tx& tx) -> Result<state::Route> {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(auto before, routes.GetRoute(guid));
    state::Route after = before;
    if (patch.load_balancing) after.load_balancing = patch.load_balancing->value_or("round-robin");
    if (patch.hash_header) after.hash_header = patch.hash_header->value_or("");
    if (patch.hash_balance) after.hash_balance = patch.hash_balance->value_or("");
    if (after.load_balancing != "hash" && before.load_balancing == "hash") {
      if (!patch.hash_header) after.hash_header.clear();
      if (!patch.hash_balance) after.hash_balance.clear();
    }
    WHARF_RETURN_IF_ERROR(ValidateRouteOptions(after.load_balancing, after.hash_header, after.hash_balance));
    if (after.load_balancing == before.load_balancing && after.hash_header == before.hash_header &&
        after.hash_balance == before.hash_balance) {
      return before;
    }
    WHARF_RETURN_IF_ERROR(routes.SetOptions(after));
    nlohmann::json fields = {{"loadbalancing", after.load_balancing}};
    if (!after.hash_header.empty()) fields["hash_header"] = after.hash_header;
    if (!after.hash_balance.empty()) fields["hash_balance"] = after.hash_balance;
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "route-updated", TargetOf(before), fields));
    return routes.GetRoute(guid);
  });
}

Result<state::Route> RouteService::AddDestination(const Actor& actor, const std::string& route_guid,
                                                  const std::string& app_guid, const std::string& process_type) {
  WHARF_RETURN_IF_ERROR(ValidateProcessType(process_type));
  return db_.Transact<state::Route>([&](state::Tx& tx) -> Result<state::Route> {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(auto r, routes.GetRoute(route_guid));
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    if (app.space_guid != r.space_guid) {
      // As in Cloud Foundry: a route serves apps of its own space only.
      return Status::InvalidArgument("route " + r.Url() + " and app '" + app.name +
                                     "' are in different spaces; a route maps only to apps of its space");
    }
    state::Destination d{NewGuid(), route_guid, app_guid, app.name, process_type, FormatRfc3339(clock_.Now())};
    WHARF_RETURN_IF_ERROR(routes.AddDestination(d));
    if (tx.Changes() > 0) {
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "route-mapped", TargetOf(r),
                                           {{"app_guid", app_guid}, {"app", app.name}, {"process_type", process_type}}));
      std::string message = "Mapped route " + r.Url() + " to app with guid " + app_guid;
      tx.OnCommit([this, app_guid, message] { logs_.Append(app_guid, "API/0", "OUT", message); });
    }
    return routes.GetRoute(route_guid);
  });
}

Result<state::Route> RouteService::RemoveDestination(const Actor& actor, const std::string& route_guid,
                                                     const std::string& app_guid) {
  return db_.Transact<state::Route>([&](state::Tx& tx) -> Result<state::Route> {
    state::RouteStore routes(tx);
    WHARF_ASSIGN_OR_RETURN(auto r, routes.GetRoute(route_guid));
    WHARF_RETURN_IF_ERROR(routes.RemoveDestinations(route_guid, app_guid));
    std::string app_name;
    Result<state::App> app = state::AppStore(tx).Get(app_guid);
    if (app.ok()) app_name = app->name;
    WHARF_RETURN_IF_ERROR(
        events_.Record(tx, actor, "route-unmapped", TargetOf(r), {{"app_guid", app_guid}, {"app", app_name}}));
    std::string message = "Unmapped route " + r.Url() + " from app with guid " + app_guid;
    tx.OnCommit([this, app_guid, message] { logs_.Append(app_guid, "API/0", "OUT", message); });
    return routes.GetRoute(route_guid);
  });
}

}  // namespace wharf::controller
