// Tenancy and identity in SQL: orgs, spaces, users, role assignments and API
// tokens (stored as sha256 only). Bound to one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::state {

class UserStore {
 public:
  explicit UserStore(Tx& tx) : tx_(tx) {}

  Status InsertOrg(const Org& org);
  Result<std::optional<Org>> FindOrgByName(std::string_view name);
  Result<Org> GetOrg(std::string_view guid);

  Result<std::vector<Org>> ListOrgs();  // by name
  // With its space quota definitions; kNotFound when there is none. The caller checks it has no spaces first.
  Status DeleteOrg(std::string_view guid);

  Status InsertSpace(const Space& space);
  Result<std::vector<Space>> ListSpaces(const std::optional<std::string>& org_guid);  // by name
  Status DeleteSpace(std::string_view guid);
  // What still lives in a space (a space or org is deleted only when empty).
  struct SpaceContents {
    std::int64_t apps = 0;
    std::int64_t routes = 0;
    std::int64_t service_instances = 0;
  };
  Result<SpaceContents> ContentsOf(std::string_view space_guid);
  Result<std::optional<Space>> FindSpace(std::string_view org_guid, std::string_view name);
  Result<Space> GetSpace(std::string_view guid);

  Status InsertUser(const User& user);
  Result<std::optional<User>> FindUserByName(std::string_view name);
  Result<User> GetUser(std::string_view guid);
  Result<std::vector<User>> ListUsers();  // by name
  Status SetPasswordHash(std::string_view guid, std::string_view hash);
  // The user, their role assignments and tokens; kNotFound when there is none.
  Status DeleteUser(std::string_view guid);

  // Platform-wide when org and space are empty. Assigning an existing role is a no-op.
  Status AssignRole(std::string_view user_guid, std::string_view role, const std::optional<std::string>& org_guid,
                    const std::optional<std::string>& space_guid, std::string_view now);
  Result<std::vector<std::string>> RolesOf(std::string_view user_guid);
  // Every role `user_guid` holds, with where.
  Result<std::vector<RoleAssignment>> AssignmentsOf(std::string_view user_guid);
  // Role assignments in an org (its own roles, and with `with_spaces` those of its spaces too) or a
  // space; by user name, then role.
  struct RoleFilter {
    std::optional<std::string> org_guid = std::nullopt;
    std::optional<std::string> space_guid = std::nullopt;
    std::optional<std::string> user_guid = std::nullopt;
    bool with_spaces = false;
  };
  Result<std::vector<RoleAssignment>> ListAssignments(const RoleFilter& filter);
  Result<std::optional<RoleAssignment>> FindAssignment(std::string_view guid);
  Result<std::optional<RoleAssignment>> FindAssignment(std::string_view user_guid, std::string_view role,
                                                       const std::optional<std::string>& org_guid,
                                                       const std::optional<std::string>& space_guid);
  Status DeleteAssignment(std::string_view guid);

  Status InsertToken(const Token& token);
  Result<std::int64_t> CountTokensOf(std::string_view user_guid);
  // Tokens whose hash starts with `lookup` (16 hex digits); the caller compares whole hashes.
  Result<std::vector<Token>> TokensByLookup(std::string_view lookup);
  Status TouchToken(std::string_view guid, std::string_view now);
  // The access and refresh tokens of one login / of every login of a user (logout, a new password).
  Status DeleteSession(std::string_view session);
  Status DeleteSessionsOf(std::string_view user_guid);
  // Tokens whose expiry (RFC 3339, compared as text) is at or before `now`.
  Status DeleteExpiredTokens(std::string_view now);

 private:
  Tx& tx_;
};

// The first 16 hex digits of a token hash: the index key for TokensByLookup.
std::string TokenLookupKey(std::string_view token_hash);

}  // namespace wharf::state
