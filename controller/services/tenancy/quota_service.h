// The logic of quotas (issue 16): org quota definitions and space quota definitions (a space
// quota belongs to one org), and which org or space has which. Who may call what is the API's
// business (admins write, any signed-in user reads); enforcement is quota_check.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/platform_info.h"
#include "state/platform/quota_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Fields of POST (name required) and PATCH; omitted limits stay unlimited (POST) or as they were.
struct QuotaSpec {
  std::optional<std::string> name;
  std::optional<std::int64_t> total_memory_mb;
  std::optional<std::int64_t> instance_memory_mb;
  std::optional<std::int64_t> app_instances;
  std::optional<std::int64_t> routes;
  std::optional<std::int64_t> service_instances;
};

// A quota with the names of its org (space quotas) and of the orgs or spaces that have it.
struct QuotaView {
  state::Quota quota;
  std::string org_name;               // space quotas
  std::vector<std::string> assigned;  // org names (org quotas) or space names (space quotas)
};

// Quota names: 1-128 characters, no control characters. Limits: -1 (unlimited) or 0 or more.
Status ValidateQuota(const state::Quota& quota);

class QuotaService {
 public:
  QuotaService(state::Database& db, const Clock& clock, EventRecorder& events, const PlatformInfo& platform)
      : db_(db), clock_(clock), events_(events), platform_(platform) {}

  // Space quotas of the org named or with the guid `org` (every org's when empty).
  Result<std::vector<QuotaView>> List(state::QuotaKind kind, const std::string& org = "");
  Result<QuotaView> Get(state::QuotaKind kind, const std::string& guid);
  // `org`: a space quota's org, by name or guid (empty: the default org).
  Result<QuotaView> Create(const Actor& actor, state::QuotaKind kind, const QuotaSpec& spec, const std::string& org = "");
  // Lowering a limit below what is in use is allowed (as in Cloud Foundry): only growth is refused then.
  Result<QuotaView> Update(const Actor& actor, state::QuotaKind kind, const std::string& guid, const QuotaSpec& spec);
  // kConflict while an org or space has it; the 'default' org quota cannot be deleted.
  Status Delete(const Actor& actor, state::QuotaKind kind, const std::string& guid);
  // The org (by name or guid) has the org quota `guid` from now on.
  Result<QuotaView> AssignToOrg(const Actor& actor, const std::string& guid, const std::string& org);
  // The space (by name or guid, in the quota's org) has the space quota `guid`; `Unassign` removes it.
  Result<QuotaView> AssignToSpace(const Actor& actor, const std::string& guid, const std::string& space);
  Status UnassignFromSpace(const Actor& actor, const std::string& guid, const std::string& space);

 private:
  Result<QuotaView> View(state::Tx& tx, state::QuotaKind kind, state::Quota quota);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  const PlatformInfo& platform_;
};

}  // namespace wharf::controller
