// Decide over every role and permission, on a space, its org, another space and the platform.
#include <doctest/doctest.h>

#include "controller/platform/authorization.h"

namespace wharf::controller {
namespace {

using state::RoleAssignment;

state::RoleAssignment InOrg(std::string role, std::string org) {
  return state::RoleAssignment{"g", "u", std::move(role), std::move(org), std::nullopt, "t", "user"};
}
state::RoleAssignment InSpace(std::string role, std::string org, std::string space) {
  return state::RoleAssignment{"g", "u", std::move(role), std::move(org), std::move(space), "t", "user"};
}

// One letter per permission, in the order of kPermissions: A allowed, F forbidden, H hidden.
constexpr Permission kPermissions[] = {Permission::kRead,        Permission::kReadSecrets, Permission::kOperate,
                                       Permission::kDevelop,     Permission::kManageSpace, Permission::kManageOrg,
                                       Permission::kAdmin,       Permission::kRouting};

std::string Row(const std::vector<state::RoleAssignment>& roles, const Scope& scope) {
  std::string out;
  for (Permission p : kPermissions) {
    switch (Decide(roles, p, scope)) {
      case Decision::kAllow: out += 'A'; break;
      case Decision::kForbidden: out += 'F'; break;
      case Decision::kHidden: out += 'H'; break;
    }
  }
  return out;
}

TEST_CASE("Decide: each role on its space, its org, another org's space and the platform") {
  const Scope space{"o1", "s1"};
  const Scope other_space_same_org{"o1", "s2"};
  const Scope org{"o1", ""};
  const Scope other_org_space{"o2", "s3"};
  const Scope platform{};
  struct Case {
    std::vector<state::RoleAssignment> roles;
    const char* on_space;
    const char* on_sibling_space;
    const char* on_org;
    const char* elsewhere;
    const char* on_platform;
  };
  const std::vector<Case> cases = {
      // read, secrets, operate, develop, manage-space, manage-org, admin, routing
      {{InOrg("admin", "")}, "AAAAAAAA", "AAAAAAAA", "AAAAAAAA", "AAAAAAAA", "AAAAAAAA"},
      {{InOrg("organization_manager", "o1")}, "AFFFAAFF", "AFFFAAFF", "AFFFAAFF", "HHHHHHHF", "AFFFFFFF"},
      {{InOrg("organization_auditor", "o1")}, "HHHHHHHF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InOrg("organization_billing_manager", "o1")}, "HHHHHHHF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InOrg("organization_user", "o1")}, "HHHHHHHF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InSpace("space_manager", "o1", "s1")}, "AFFFAFFF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InSpace("space_developer", "o1", "s1")}, "AAAAFFFF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InSpace("space_auditor", "o1", "s1")}, "AFFFFFFF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InSpace("space_supporter", "o1", "s1")}, "AFAFFFFF", "HHHHHHHF", "AFFFFFFF", "HHHHHHHF", "AFFFFFFF"},
      {{InOrg("routing", "")}, "HHHHHHHA", "HHHHHHHA", "HHHHHHHA", "HHHHHHHA", "AFFFFFFA"},
      {{}, "HHHHHHHF", "HHHHHHHF", "HHHHHHHF", "HHHHHHHF", "AFFFFFFF"},
  };
  for (const Case& c : cases) {
    INFO((c.roles.empty() ? std::string("no role") : c.roles[0].role));
    CHECK(Row(c.roles, space) == c.on_space);
    CHECK(Row(c.roles, other_space_same_org) == c.on_sibling_space);
    CHECK(Row(c.roles, org) == c.on_org);
    CHECK(Row(c.roles, other_org_space) == c.elsewhere);
    CHECK(Row(c.roles, platform) == c.on_platform);
  }
}

TEST_CASE("Decide: roles add up, and a role in one space gives nothing in another") {
  std::vector<state::RoleAssignment> both = {InSpace("space_auditor", "o1", "s1"),
                                             InSpace("space_developer", "o1", "s2")};
  CHECK(Decide(both, Permission::kDevelop, Scope{"o1", "s1"}) == Decision::kForbidden);
  CHECK(Decide(both, Permission::kDevelop, Scope{"o1", "s2"}) == Decision::kAllow);
  CHECK(Decide(both, Permission::kRead, Scope{"o1", "s3"}) == Decision::kHidden);
}

TEST_CASE("CanonicalRole: cf names and v3 names, nothing else") {
  CHECK(CanonicalRole("SpaceDeveloper") == std::optional<std::string>("space_developer"));
  CHECK(CanonicalRole("OrgManager") == std::optional<std::string>("organization_manager"));
  CHECK(CanonicalRole("space_auditor") == std::optional<std::string>("space_auditor"));
  CHECK_FALSE(CanonicalRole("admin").has_value());
  CHECK_FALSE(CanonicalRole("routing").has_value());
  CHECK_FALSE(CanonicalRole("Developer").has_value());
}

TEST_CASE("VisibleSpaces: an admin sees all, an org manager the org's spaces, others their own") {
  auto spaces_of = [](const std::string& org) {
    return org == "o1" ? std::vector<std::string>{"s1", "s2"} : std::vector<std::string>{};
  };
  CHECK_FALSE(VisibleSpaces(std::vector<state::RoleAssignment>{InOrg("admin", "")}, spaces_of).has_value());
  CHECK(VisibleSpaces(std::vector<state::RoleAssignment>{InOrg("organization_manager", "o1")}, spaces_of) ==
        std::vector<std::string>{"s1", "s2"});
  CHECK(VisibleSpaces(std::vector<state::RoleAssignment>{InOrg("organization_auditor", "o1")}, spaces_of)->empty());
  CHECK(VisibleSpaces(std::vector<state::RoleAssignment>{InSpace("space_auditor", "o1", "s2")}, spaces_of) ==
        std::vector<std::string>{"s2"});
}

}  // namespace
}  // namespace wharf::controller
