#include "state/platform/user_store.h"

#include "common/ids.h"

namespace wharf::state {
namespace {

Status Taken(const Result<WriteOutcome>& written, std::string what) {
  if (!written.ok()) return written.status();
  if (*written == WriteOutcome::kDuplicate) return Status::Conflict(std::move(what) + " already exists");
  return Status::Ok();
}

Result<Org> ReadOrg(Statement& st) { return Org{st.Text(0), st.Text(1), st.Text(2)}; }
Result<Space> ReadSpace(Statement& st) { return Space{st.Text(0), st.Text(1), st.Text(2), st.Text(3)}; }
constexpr std::string_view kUserColumns = "guid, name, created_at, password_hash";
Result<User> ReadUser(Statement& st) { return User{st.Text(0), st.Text(1), st.Text(2), st.OptionalText(3)}; }

constexpr std::string_view kTokenColumns =
    "guid, user_guid, name, token_hash, created_at, last_used_at, kind, expires_at, session";
Result<Token> ReadToken(Statement& st) {
  Token t{st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.OptionalText(5)};
  const std::string kind = st.Text(6);
  t.kind = kind == "access" ? TokenKind::kAccess : kind == "refresh" ? TokenKind::kRefresh : TokenKind::kApi;
  t.expires_at = st.OptionalText(7);
  t.session = st.OptionalText(8);
  return t;
}

std::string UserQuery(std::string_view rest) { return "SELECT " + std::string(kUserColumns) + " FROM users " + std::string(rest); }

template <typename T>
Result<T> Required(Result<std::optional<T>> found, std::string what) {
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound(std::move(what) + " not found");
  return std::move(**found);
}

}  // namespace

std::string TokenLookupKey(std::string_view token_hash) { return std::string(token_hash.substr(0, 16)); }

Status UserStore::InsertOrg(const Org& o) {
  return Taken(tx_.RunUnlessDuplicate("INSERT INTO orgs (guid, name, created_at) VALUES (?, ?, ?)", o.guid, o.name,
                                      o.created_at),
               "org '" + o.name + "'");
}

Result<std::optional<Org>> UserStore::FindOrgByName(std::string_view name) {
  return FetchOne<Org>(tx_.Query("SELECT guid, name, created_at FROM orgs WHERE name = ?", name), ReadOrg);
}

Result<Org> UserStore::GetOrg(std::string_view guid) {
  return Required(FetchOne<Org>(tx_.Query("SELECT guid, name, created_at FROM orgs WHERE guid = ?", guid), ReadOrg),
                  "org '" + std::string(guid) + "'");
}

Result<std::vector<Org>> UserStore::ListOrgs() {
  return FetchAll<Org>(tx_.Query("SELECT guid, name, created_at FROM orgs ORDER BY name"), ReadOrg);
}

Status UserStore::DeleteOrg(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM space_quotas WHERE org_guid = ?", guid));  // the org's own quotas
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM orgs WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("org '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<std::vector<Space>> UserStore::ListSpaces(const std::optional<std::string>& org_guid) {
  // CAST: PostgreSQL cannot type a parameter that is tested for NULL before its other use.
  return FetchAll<Space>(tx_.Query("SELECT guid, org_guid, name, created_at FROM spaces "
                                   "WHERE CAST(?1 AS TEXT) IS NULL OR org_guid = ?1 "
                                   "ORDER BY name, org_guid",
                                   org_guid),
                         ReadSpace);
}

Status UserStore::DeleteSpace(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM security_group_spaces WHERE space_guid = ?", guid));
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM spaces WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("space '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<UserStore::SpaceContents> UserStore::ContentsOf(std::string_view space_guid) {
  auto row = FetchOne<SpaceContents>(
      tx_.Query("SELECT (SELECT COUNT(*) FROM apps WHERE space_guid = ?1), "
                "(SELECT COUNT(*) FROM routes WHERE space_guid = ?1), "
                "(SELECT COUNT(*) FROM service_instances WHERE space_guid = ?1)",
                space_guid),
      [](Statement& st) -> Result<SpaceContents> { return SpaceContents{st.Int(0), st.Int(1), st.Int(2)}; });
  if (!row.ok()) return row.status();
  return row->value_or(SpaceContents{});
}

Status UserStore::InsertSpace(const Space& s) {
  return Taken(tx_.RunUnlessDuplicate("INSERT INTO spaces (guid, org_guid, name, created_at) VALUES (?, ?, ?, ?)",
                                      s.guid, s.org_guid, s.name, s.created_at),
               "space '" + s.name + "'");
}

Result<std::optional<Space>> UserStore::FindSpace(std::string_view org_guid, std::string_view name) {
  return FetchOne<Space>(
      tx_.Query("SELECT guid, org_guid, name, created_at FROM spaces WHERE org_guid = ? AND name = ?", org_guid, name),
      ReadSpace);
}

Result<Space> UserStore::GetSpace(std::string_view guid) {
  return Required(
      FetchOne<Space>(tx_.Query("SELECT guid, org_guid, name, created_at FROM spaces WHERE guid = ?", guid), ReadSpace),
      "space '" + std::string(guid) + "'");
}

Status UserStore::InsertUser(const User& u) {
  return Taken(tx_.RunUnlessDuplicate("INSERT INTO users (guid, name, created_at, password_hash) VALUES (?, ?, ?, ?)",
                                      u.guid, u.name, u.created_at, u.password_hash),
               "user '" + u.name + "'");
}

Result<std::optional<User>> UserStore::FindUserByName(std::string_view name) {
  return FetchOne<User>(tx_.Query(UserQuery("WHERE name = ?"), name), ReadUser);
}

Result<User> UserStore::GetUser(std::string_view guid) {
  return Required(FetchOne<User>(tx_.Query(UserQuery("WHERE guid = ?"), guid), ReadUser),
                  "user '" + std::string(guid) + "'");
}

Result<std::vector<User>> UserStore::ListUsers() {
  return FetchAll<User>(tx_.Query(UserQuery("ORDER BY name")), ReadUser);
}

Status UserStore::SetPasswordHash(std::string_view guid, std::string_view hash) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE users SET password_hash = ? WHERE guid = ?", hash, guid));
  if (tx_.Changes() == 0) return Status::NotFound("user '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Status UserStore::DeleteUser(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM tokens WHERE user_guid = ?", guid));
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM role_assignments WHERE user_guid = ?", guid));
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM users WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("user '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Status UserStore::AssignRole(std::string_view user_guid, std::string_view role,
                             const std::optional<std::string>& org_guid, const std::optional<std::string>& space_guid,
                             std::string_view now) {
  return tx_.Run(
      "INSERT INTO role_assignments (guid, user_guid, role, org_guid, space_guid, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      NewGuid(), user_guid, role, org_guid, space_guid, now);
}

namespace {

constexpr std::string_view kAssignmentColumns =
    "SELECT r.guid, r.user_guid, r.role, "
    "COALESCE(r.org_guid, (SELECT s.org_guid FROM spaces s WHERE s.guid = r.space_guid)), r.space_guid, "
    "r.created_at, u.name "
    "FROM role_assignments r JOIN users u ON u.guid = r.user_guid ";

Result<RoleAssignment> ReadAssignment(Statement& st) {
  RoleAssignment a;
  a.guid = st.Text(0);
  a.user_guid = st.Text(1);
  a.role = st.Text(2);
  a.org_guid = st.OptionalText(3);
  a.space_guid = st.OptionalText(4);
  a.created_at = st.Text(5);
  a.user_name = st.Text(6);
  return a;
}

}  // namespace

Result<std::vector<RoleAssignment>> UserStore::AssignmentsOf(std::string_view user_guid) {
  return FetchAll<RoleAssignment>(
      tx_.Query(std::string(kAssignmentColumns) + "WHERE r.user_guid = ? ORDER BY r.id", user_guid), ReadAssignment);
}

Result<std::vector<RoleAssignment>> UserStore::ListAssignments(const RoleFilter& f) {
  return FetchAll<RoleAssignment>(
      tx_.Query(std::string(kAssignmentColumns) +
                    "WHERE (CAST(?1 AS TEXT) IS NULL OR r.org_guid = ?1 OR (?4 = 1 AND r.space_guid IN "
                    "(SELECT guid FROM spaces WHERE org_guid = ?1))) "
                    "AND (CAST(?2 AS TEXT) IS NULL OR r.space_guid = ?2) "
                    "AND (CAST(?3 AS TEXT) IS NULL OR r.user_guid = ?3) "
                    "ORDER BY u.name, r.role, r.id",
                f.org_guid, f.space_guid, f.user_guid, f.with_spaces ? 1 : 0),
      ReadAssignment);
}

Result<std::optional<RoleAssignment>> UserStore::FindAssignment(std::string_view guid) {
  return FetchOne<RoleAssignment>(tx_.Query(std::string(kAssignmentColumns) + "WHERE r.guid = ?", guid),
                                  ReadAssignment);
}

Result<std::optional<RoleAssignment>> UserStore::FindAssignment(std::string_view user_guid, std::string_view role,
                                                                const std::optional<std::string>& org_guid,
                                                                const std::optional<std::string>& space_guid) {
  return FetchOne<RoleAssignment>(
      tx_.Query(std::string(kAssignmentColumns) +
                    "WHERE r.user_guid = ? AND r.role = ? AND IFNULL(r.org_guid, '') = IFNULL(?, '') "
                    "AND IFNULL(r.space_guid, '') = IFNULL(?, '')",
                user_guid, role, org_guid, space_guid),
      ReadAssignment);
}

Status UserStore::DeleteAssignment(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM role_assignments WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("role '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<std::vector<std::string>> UserStore::RolesOf(std::string_view user_guid) {
  return FetchAll<std::string>(
      tx_.Query("SELECT DISTINCT role FROM role_assignments WHERE user_guid = ? ORDER BY role", user_guid),
      [](Statement& st) -> Result<std::string> { return st.Text(0); });
}

Status UserStore::InsertToken(const Token& t) {
  return tx_.Run(
      "INSERT INTO tokens (guid, user_guid, name, token_hash, lookup, created_at, last_used_at, kind, expires_at, "
      "session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      t.guid, t.user_guid, t.name, t.token_hash, TokenLookupKey(t.token_hash), t.created_at, t.last_used_at,
      TokenKindName(t.kind), t.expires_at, t.session);
}

Status UserStore::DeleteSession(std::string_view session) {
  return tx_.Run("DELETE FROM tokens WHERE session = ?", session);
}

Status UserStore::DeleteSessionsOf(std::string_view user_guid) {
  return tx_.Run("DELETE FROM tokens WHERE user_guid = ? AND session IS NOT NULL", user_guid);
}

Status UserStore::DeleteExpiredTokens(std::string_view now) {
  return tx_.Run("DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= ?", now);
}

Result<std::int64_t> UserStore::CountTokensOf(std::string_view user_guid) {
  return FetchInt(tx_.Query("SELECT COUNT(*) FROM tokens WHERE user_guid = ?", user_guid));
}

Result<std::vector<Token>> UserStore::TokensByLookup(std::string_view lookup) {
  return FetchAll<Token>(
      tx_.Query("SELECT " + std::string(kTokenColumns) + " FROM tokens WHERE lookup = ?", lookup), ReadToken);
}

Status UserStore::TouchToken(std::string_view guid, std::string_view now) {
  return tx_.Run("UPDATE tokens SET last_used_at = ? WHERE guid = ?", now, guid);
}

}  // namespace wharf::state
