// What a fresh platform needs before its first request, made idempotently at
// every start: the default org "wharf" and space "default", the admin user with
// role admin and its token, the router user with role routing (it may only read
// the routing table and send access logs: what `wharfd --roles router` needs) and
// its token, the cell user with role cell (its heartbeats, droplet downloads and its
// apps' log lines: what `wharfd --roles cell` on another host needs) and its token,
// and the --domain as a shared domain.
//
// Each token secret is written to its file (mode 0600, atomically) only when a
// token is issued: at the first start, or when that file has gone missing (a new
// token is issued then; older ones stay valid).
// A restart otherwise keeps the token and leaves the file alone.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

inline constexpr std::string_view kDefaultOrgName = "wharf";
inline constexpr std::string_view kDefaultSpaceName = "default";
// Cloud Foundry's internal domain: routes on it name apps inside containers (network policies).
inline constexpr std::string_view kInternalDomainName = "apps.internal";
inline constexpr std::string_view kAdminUserName = "admin";
inline constexpr std::string_view kRouterUserName = "router";
// The role of the router user: /v1/routing/* and nothing else.
inline constexpr std::string_view kRoutingRole = "routing";
inline constexpr std::string_view kCellUserName = "cell";
// The role of the cell user (cells on other hosts): its heartbeats, its droplets, its apps' logs.
inline constexpr std::string_view kCellRole = "cell";

struct BootstrapOptions {
  std::filesystem::path admin_token_file;
  std::string shared_domain;  // e.g. "localhost"
  std::filesystem::path router_token_file;
  std::filesystem::path cell_token_file = {};  // empty: no cell user (tests of other things)
};

struct Tenancy {
  state::Org org;
  state::Space space;  // where apps and routes go until spaces are exposed in the API
};

struct BootstrapResult {
  Tenancy tenancy;
  state::User admin;
  bool token_issued = false;         // true when admin_token_file was (re)written
  bool router_token_issued = false;  // true when router_token_file was (re)written
  bool cell_token_issued = false;    // true when cell_token_file was (re)written
};

Result<BootstrapResult> Bootstrap(state::Database& db, const Clock& clock, EventRecorder& events,
                                  const BootstrapOptions& options);

}  // namespace wharf::controller
