#include "state/platform/scope_store.h"

#include <string>

namespace wharf::state {
namespace {

// Each query takes the resource's guid and answers (org guid, space guid).
std::string_view SqlFor(ScopedKind kind) {
  switch (kind) {
    case ScopedKind::kOrg:
      return "SELECT guid, '' FROM orgs WHERE guid = ?";
    case ScopedKind::kSpace:
      return "SELECT org_guid, guid FROM spaces WHERE guid = ?";
    case ScopedKind::kApp:
      return "SELECT s.org_guid, s.guid FROM apps a JOIN spaces s ON s.guid = a.space_guid WHERE a.guid = ?";
    case ScopedKind::kProcess:
      return "SELECT s.org_guid, s.guid FROM processes p JOIN apps a ON a.guid = p.app_guid "
             "JOIN spaces s ON s.guid = a.space_guid WHERE p.guid = ?";
    case ScopedKind::kRoute:
      return "SELECT s.org_guid, s.guid FROM routes r JOIN spaces s ON s.guid = r.space_guid WHERE r.guid = ?";
    case ScopedKind::kServiceInstance:
      return "SELECT s.org_guid, s.guid FROM service_instances i JOIN spaces s ON s.guid = i.space_guid "
             "WHERE i.guid = ?";
    case ScopedKind::kServiceBinding:
      return "SELECT s.org_guid, s.guid FROM service_bindings b JOIN service_instances i ON i.guid = b.instance_guid "
             "JOIN spaces s ON s.guid = i.space_guid WHERE b.guid = ?";
    case ScopedKind::kTask:
      return "SELECT s.org_guid, s.guid FROM tasks t JOIN apps a ON a.guid = t.app_guid "
             "JOIN spaces s ON s.guid = a.space_guid WHERE t.guid = ?";
    case ScopedKind::kBuild:
      return "SELECT s.org_guid, s.guid FROM builds b JOIN apps a ON a.guid = b.app_guid "
             "JOIN spaces s ON s.guid = a.space_guid WHERE b.guid = ?";
    case ScopedKind::kDroplet:
      return "SELECT s.org_guid, s.guid FROM droplets d JOIN apps a ON a.guid = d.app_guid "
             "JOIN spaces s ON s.guid = a.space_guid WHERE d.guid = ?";
    case ScopedKind::kPackage:
      return "SELECT s.org_guid, s.guid FROM packages p JOIN apps a ON a.guid = p.app_guid "
             "JOIN spaces s ON s.guid = a.space_guid WHERE p.guid = ?";
    case ScopedKind::kRotation:
      return "SELECT s.org_guid, s.guid FROM service_rotations r JOIN service_instances i ON i.guid = r.instance_guid "
             "JOIN spaces s ON s.guid = i.space_guid WHERE r.guid = ?";
  }
  return "SELECT NULL, NULL WHERE 0";
}

}  // namespace

Result<std::optional<SpaceRef>> ScopeStore::Find(ScopedKind kind, std::string_view guid) {
  return FetchOne<SpaceRef>(tx_.Query(SqlFor(kind), guid),
                            [](Statement& st) -> Result<SpaceRef> { return SpaceRef{st.Text(0), st.Text(1)}; });
}

}  // namespace wharf::state
