// Orgs, spaces and who holds which role in them (issue 16), as Cloud Foundry has them.
//
// An admin creates and deletes orgs; an org's managers create and delete its spaces (the
// creator of a space who is not an admin becomes its manager and developer, as `cf create-space`
// does); org managers give org roles, and space managers (or the org's managers) give space
// roles. Giving a space role to a user without a role in the org makes them an
// organization_user first. An org or space is deleted only when empty, and the default ones
// (where apps go without a target) never. Each check is Decide's (platform/authorization.h), in
// the transaction of the change; every change is an audit event with the acting user.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/authorization.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/platform_info.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// 1..255 characters without control characters or leading/trailing spaces. kInvalidArgument.
Status ValidateTenancyName(std::string_view what, std::string_view name);

class OrgService {
 public:
  OrgService(state::Database& db, const Clock& clock, EventRecorder& events, const PlatformInfo& platform)
      : db_(db), clock_(clock), events_(events), platform_(platform) {}

  Result<state::Org> CreateOrg(const state::Principal& caller, std::string_view name);
  // The orgs the caller has a role in (every org for an admin), by name.
  Result<std::vector<state::Org>> ListOrgs(const state::Principal& caller);
  Result<state::Org> GetOrg(std::string_view guid);
  Result<std::optional<state::Org>> FindOrg(std::string_view name);
  Status DeleteOrg(const state::Principal& caller, std::string_view guid);

  Result<state::Space> CreateSpace(const state::Principal& caller, std::string_view org_guid, std::string_view name);
  // The spaces the caller may see, of one org or of all.
  Result<std::vector<state::Space>> ListSpaces(const state::Principal& caller, const std::optional<std::string>& org_guid);
  Result<state::Space> GetSpace(std::string_view guid);
  Status DeleteSpace(const state::Principal& caller, std::string_view guid);

  // Gives `role` (cf's or v3's name) to the user named `user` (a name or a guid) in the org or the space.
  Result<state::RoleAssignment> AssignRole(const state::Principal& caller, std::string_view user, std::string_view role,
                                           const std::optional<std::string>& org_guid,
                                           const std::optional<std::string>& space_guid);
  Status RemoveRole(const state::Principal& caller, std::string_view guid);
  // The roles of one org (with its spaces' when `with_spaces`) or one space, which the caller must see.
  Result<std::vector<state::RoleAssignment>> ListRoles(const state::Principal& caller,
                                                       const std::optional<std::string>& org_guid,
                                                       const std::optional<std::string>& space_guid, bool with_spaces);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  const PlatformInfo& platform_;
};

}  // namespace wharf::controller
