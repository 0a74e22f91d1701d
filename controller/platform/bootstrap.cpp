#include "controller/platform/bootstrap.h"

#include <system_error>

#include "common/facts/names.h"
#include "common/file_io.h"
#include "common/ids.h"
#include "controller/platform/auth.h"
#include "state/network/route_store.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

Result<Tenancy> EnsureTenancy(state::Tx& tx, const std::string& now) {
  state::UserStore users(tx);
  auto org = users.FindOrgByName(kDefaultOrgName);
  if (!org.ok()) return org.status();
  Tenancy t;
  if (*org) {
    t.org = **org;
  } else {
    t.org = state::Org{NewGuid(), std::string(kDefaultOrgName), now};
    WHARF_RETURN_IF_ERROR(users.InsertOrg(t.org));
  }
  auto space = users.FindSpace(t.org.guid, kDefaultSpaceName);
  if (!space.ok()) return space.status();
  if (*space) {
    t.space = **space;
  } else {
    t.space = state::Space{NewGuid(), t.org.guid, std::string(kDefaultSpaceName), now};
    WHARF_RETURN_IF_ERROR(users.InsertSpace(t.space));
  }
  return t;
}

// `internal`: a name for container-to-container traffic (apps.internal), never routed.
Status EnsureSharedDomain(state::Tx& tx, EventRecorder& events, const std::string& name, const std::string& now,
                          bool internal = false) {
  state::RouteStore routes(tx);
  WHARF_ASSIGN_OR_RETURN(auto existing, routes.FindDomainByName(name));
  if (existing) return Status::Ok();
  state::Domain d{NewGuid(), name, true, std::nullopt, now, internal};
  WHARF_RETURN_IF_ERROR(routes.InsertDomain(d));
  return events.Record(tx, Actor::System(), "domain-created", EventTarget{"domain", d.guid, d.name, std::nullopt},
                       {{"shared", true}, {"internal", internal}});
}

// The user `name` with `role`, created if missing; a token is issued into `token_file`
// when the user is new or the file is missing. Returns the user and whether a token was issued.
Result<std::pair<state::User, bool>> EnsureUserWithToken(state::Tx& tx, EventRecorder& events, const Clock& clock,
                                                         std::string_view name, std::string_view role,
                                                         const std::filesystem::path& token_file,
                                                         const std::string& now) {
  std::error_code ec;
  const bool token_file_exists = std::filesystem::exists(token_file, ec);
  if (ec) return Status::Internal("cannot check " + token_file.string() + ": " + ec.message());
  state::UserStore users(tx);
  WHARF_ASSIGN_OR_RETURN(auto existing, users.FindUserByName(name));
  const bool created = !existing;
  state::User user;
  if (created) {
    user = state::User{NewGuid(), std::string(name), now};
    WHARF_RETURN_IF_ERROR(users.InsertUser(user));
    WHARF_RETURN_IF_ERROR(users.AssignRole(user.guid, std::string(role), std::nullopt, std::nullopt, now));
    WHARF_RETURN_IF_ERROR(events.Record(tx, Actor::System(), "user-created",
                                        EventTarget{"user", user.guid, user.name, std::nullopt},
                                        {{"roles", {std::string(role)}}}));
  } else {
    user = *existing;
  }
  if (!created && token_file_exists) return std::make_pair(user, false);
  Result<std::string> secret =
      IssueToken(tx, user.guid, created ? std::string(name) : std::string(name) + " (reissued)", clock);
  if (!secret.ok()) return secret.status();
  // Written before the commit: if the commit fails, the next start finds no user
  // (or no matching token) and issues again, overwriting this file.
  WHARF_RETURN_IF_ERROR(
      WriteFileAtomic(token_file, *secret + "\n", 0600).WithContext("writing the " + std::string(name) + " token"));
  WHARF_RETURN_IF_ERROR(events.Record(tx, Actor::System(), "token-issued",
                                      EventTarget{"user", user.guid, user.name, std::nullopt},
                                      {{"file", token_file.string()}}));
  return std::make_pair(user, true);
}

}  // namespace

Result<BootstrapResult> Bootstrap(state::Database& db, const Clock& clock, EventRecorder& events,
                                  const BootstrapOptions& options) {
  WHARF_RETURN_IF_ERROR(ValidateDomainName(options.shared_domain).WithContext("--domain"));
  if (options.shared_domain == kInternalDomainName) {
    return Status::InvalidArgument("--domain: " + options.shared_domain + " is the internal domain (names inside containers)");
  }
  return db.Transact<BootstrapResult>([&](state::Tx& tx) -> Result<BootstrapResult> {
    std::string now = FormatRfc3339(clock.Now());
    BootstrapResult out;
    Result<Tenancy> tenancy = EnsureTenancy(tx, now);
    if (!tenancy.ok()) return tenancy.status();
    out.tenancy = std::move(tenancy).value();

    auto admin = EnsureUserWithToken(tx, events, clock, kAdminUserName, "admin", options.admin_token_file, now);
    if (!admin.ok()) return admin.status();
    out.admin = admin->first;
    out.token_issued = admin->second;
    WHARF_ASSIGN_OR_RETURN(auto router, EnsureUserWithToken(tx, events, clock, kRouterUserName, kRoutingRole, options.router_token_file, now));
    out.router_token_issued = router.second;
    if (!options.cell_token_file.empty()) {
      WHARF_ASSIGN_OR_RETURN(auto cell, EnsureUserWithToken(tx, events, clock, kCellUserName, kCellRole, options.cell_token_file, now));
      out.cell_token_issued = cell.second;
    }
    WHARF_RETURN_IF_ERROR(EnsureSharedDomain(tx, events, options.shared_domain, now));
    WHARF_RETURN_IF_ERROR(EnsureSharedDomain(tx, events, std::string(kInternalDomainName), now, true));
    return out;
  });
}

}  // namespace wharf::controller
