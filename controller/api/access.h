// Every authenticated endpoint's authorization policy, and the checks handlers use when the
// scope of a request is in its body. The decision itself is Decide (platform/authorization.h):
// this file only finds the scope a request touches.
//
// A policy says which Permission an endpoint needs and where the scope comes from:
//   kPlatform   the platform itself (stacks, buildpacks, users, brokers)
//   kPath       the resource named by the path's first guid (":guid", ":name" for none)
//   kFiltered   a list: the handler shows only what the caller may see (VisibleSpacesOf)
//   kInHandler  the scope is in the body (a new app's space, a binding's app and instance):
//               the handler calls Authorize/AuthorizeIn before changing anything
// EnforcePolicies wraps every authenticated handler of a router with its check, and refuses to
// start when an endpoint has no policy, so a new endpoint cannot be left open by mistake.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "controller/http/http_router.h"
#include "controller/platform/authorization.h"
#include "state/model.h"
#include "state/platform/scope_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

enum class Target { kPlatform, kPath, kFiltered, kInHandler };

struct EndpointPolicy {
  Permission permission = Permission::kRead;
  Target target = Target::kPlatform;
  state::ScopedKind kind = state::ScopedKind::kApp;  // for kPath
  bool cells = false;  // the cell role may call it too (cells on other hosts), whatever the scope
};

// The policy of "METHOD /pattern"; none for an endpoint nobody wrote one for.
std::optional<EndpointPolicy> PolicyOf(std::string_view endpoint);

// The check EnforcePolicies runs before an endpoint's handler: for kPlatform and kPath policies
// the decision on the platform or on the resource named by params["guid"]; ok for kFiltered and
// kInHandler (their handlers decide).
Status CheckEndpoint(state::Database& db, const state::Principal& who, const EndpointPolicy& policy,
                     const std::string& guid);

// Wraps every authenticated handler of `router` with its policy's check; kInternal naming the
// first endpoint without a policy.
Status EnforcePolicies(HttpRouter& router, state::Database& db);

// The resource's name in messages ("app", "service instance").
std::string_view KindName(state::ScopedKind kind);

// ok, or kNotFound ("app 'GUID' not found": the same as for a resource that does not exist)
// or kPermissionDenied naming the role it needs.
Status Authorize(state::Database& db, const state::Principal& who, Permission permission, state::ScopedKind kind,
                 std::string_view guid);
Status Authorize(state::Tx& tx, const state::Principal& who, Permission permission, state::ScopedKind kind,
                 std::string_view guid);
// The same for a scope already known; `what` names it for a 404 ("space 'GUID'").
Status AuthorizeIn(const state::Principal& who, Permission permission, const Scope& scope, std::string_view what);

// Whether the caller may read the secrets (environment variables) of what lives in `space_guid`.
bool MayReadSecretsIn(const state::Principal& who, std::string_view space_guid);

// The spaces a list request shows: those the caller may see, narrowed by "?space_guids=a,b";
// none: every space (an admin without the parameter).
Result<std::optional<std::vector<std::string>>> SpacesToList(state::Database& db, const ApiRequest& req);

// The spaces the caller may see; none: every space (an admin).
Result<std::optional<std::vector<std::string>>> VisibleSpacesOf(state::Database& db, const state::Principal& who);
Result<std::optional<std::vector<std::string>>> VisibleSpacesOf(state::Tx& tx, const state::Principal& who);

}  // namespace wharf::controller
