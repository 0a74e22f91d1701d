// Where a resource lives: the org and space of an app, a process, a route, a service instance,
// a binding, a task, a build, a droplet, a package or a rotation, found from its guid in one
// query. The authorization of a request needs this before any handler reads the resource.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

enum class ScopedKind {
  kOrg,
  kSpace,
  kApp,
  kProcess,
  kRoute,
  kServiceInstance,
  kServiceBinding,
  kTask,
  kBuild,
  kDroplet,
  kPackage,
  kRotation,
};

struct SpaceRef {
  std::string org_guid;
  std::string space_guid;  // empty for an org
};

class ScopeStore {
 public:
  explicit ScopeStore(Tx& tx) : tx_(tx) {}

  // None when there is no such resource.
  Result<std::optional<SpaceRef>> Find(ScopedKind kind, std::string_view guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
