#include "controller/bootstrap.h"

#include <system_error>

#include "common/file_io.h"
#include "common/ids.h"
#include "common/names.h"
#include "controller/auth.h"
#include "controller/route_store.h"
#include "controller/user_store.h"

namespace wharf::controller {
namespace {

Result<Tenancy> EnsureTenancy(Tx& tx, const std::string& now) {
  UserStore users(tx);
  auto org = users.FindOrgByName(kDefaultOrgName);
  if (!org.ok()) return org.status();
  Tenancy t;
  if (*org) {
    t.org = **org;
  } else {
    t.org = Org{NewGuid(), std::string(kDefaultOrgName), now};
    WHARF_RETURN_IF_ERROR(users.InsertOrg(t.org));
  }
  auto space = users.FindSpace(t.org.guid, kDefaultSpaceName);
  if (!space.ok()) return space.status();
  if (*space) {
    t.space = **space;
  } else {
    t.space = Space{NewGuid(), t.org.guid, std::string(kDefaultSpaceName), now};
    WHARF_RETURN_IF_ERROR(users.InsertSpace(t.space));
  }
  return t;
}

Status EnsureSharedDomain(Tx& tx, EventRecorder& events, const std::string& name, const std::string& now) {
  RouteStore routes(tx);
  auto existing = routes.FindDomainByName(name);
  if (!existing.ok()) return existing.status();
  if (*existing) return Status::Ok();
  Domain d{NewGuid(), name, true, std::nullopt, now};
  WHARF_RETURN_IF_ERROR(routes.InsertDomain(d));
  return events.Record(tx, Actor::System(), "domain-created", EventTarget{"domain", d.guid, d.name, std::nullopt},
                       {{"shared", true}});
}

}  // namespace

Result<BootstrapResult> Bootstrap(Database& db, const Clock& clock, EventRecorder& events,
                                  const BootstrapOptions& options) {
  WHARF_RETURN_IF_ERROR(ValidateDomainName(options.shared_domain).WithContext("--domain"));
  std::error_code ec;
  bool token_file_exists = std::filesystem::exists(options.admin_token_file, ec);
  if (ec) return Status::Internal("cannot check " + options.admin_token_file.string() + ": " + ec.message());

  return db.Transact<BootstrapResult>([&](Tx& tx) -> Result<BootstrapResult> {
    std::string now = FormatRfc3339(clock.Now());
    BootstrapResult out;
    Result<Tenancy> tenancy = EnsureTenancy(tx, now);
    if (!tenancy.ok()) return tenancy.status();
    out.tenancy = std::move(tenancy).value();

    UserStore users(tx);
    auto admin = users.FindUserByName(kAdminUserName);
    if (!admin.ok()) return admin.status();
    bool created = !*admin;
    if (created) {
      out.admin = User{NewGuid(), std::string(kAdminUserName), now};
      WHARF_RETURN_IF_ERROR(users.InsertUser(out.admin));
      WHARF_RETURN_IF_ERROR(users.AssignRole(out.admin.guid, "admin", std::nullopt, std::nullopt, now));
      WHARF_RETURN_IF_ERROR(events.Record(tx, Actor::System(), "user-created",
                                          EventTarget{"user", out.admin.guid, out.admin.name, std::nullopt},
                                          {{"roles", {"admin"}}}));
    } else {
      out.admin = **admin;
    }
    if (created || !token_file_exists) {
      Result<std::string> secret = IssueToken(tx, out.admin.guid, created ? "admin" : "admin (reissued)", clock);
      if (!secret.ok()) return secret.status();
      // Written before the commit: if the commit fails, the next start finds no admin
      // (or no matching token) and issues again, overwriting this file.
      WHARF_RETURN_IF_ERROR(WriteFileAtomic(options.admin_token_file, *secret + "\n", 0600)
                                .WithContext("writing the admin token"));
      out.token_issued = true;
      WHARF_RETURN_IF_ERROR(events.Record(tx, Actor::System(), "token-issued",
                                          EventTarget{"user", out.admin.guid, out.admin.name, std::nullopt},
                                          {{"file", options.admin_token_file.string()}}));
    }
    WHARF_RETURN_IF_ERROR(EnsureSharedDomain(tx, events, options.shared_domain, now));
    return out;
  });
}

}  // namespace wharf::controller
