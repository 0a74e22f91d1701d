// Quotas in SQL (issue 16): org and space quota definitions, which quota an org or a space has,
// and what an org or a space uses of the limits (memory and instances of its started apps and
// running tasks, its routes and service instances). Bound to one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

inline constexpr std::int64_t kUnlimited = -1;
inline constexpr std::string_view kDefaultOrgQuotaName = "default";

// Every limit: kUnlimited (-1), or 0 or more.
struct QuotaLimits {
  std::int64_t total_memory_mb = kUnlimited;     // instances x memory of started apps + running tasks
  std::int64_t instance_memory_mb = kUnlimited;  // one instance (or task)
  std::int64_t app_instances = kUnlimited;       // instances of started apps
  std::int64_t routes = kUnlimited;
  std::int64_t service_instances = kUnlimited;
  bool operator==(const QuotaLimits&) const = default;
};

// An org quota definition (org_guid empty) or a space quota definition of the org `org_guid`.
struct Quota {
  std::string guid;
  std::string name;
  std::string org_guid;
  QuotaLimits limits;
  std::string created_at;
  std::string updated_at;
};

// What an org or a space uses now.
struct QuotaUsage {
  std::int64_t memory_mb = 0;
  std::int64_t app_instances = 0;
  std::int64_t routes = 0;
  std::int64_t service_instances = 0;
};

enum class QuotaKind { kOrg, kSpace };

class QuotaStore {
 public:
  explicit QuotaStore(Tx& tx) : tx_(tx) {}

  // kConflict on a name taken (in the org, for space quotas).
  Status Insert(QuotaKind kind, const Quota& quota);
  Status Update(QuotaKind kind, const Quota& quota);  // name and limits
  // kConflict while an org or a space has it.
  Status Delete(QuotaKind kind, const Quota& quota);
  Result<Quota> Get(QuotaKind kind, std::string_view guid);
  // org_guid: empty for org quotas.
  Result<std::optional<Quota>> FindByName(QuotaKind kind, std::string_view org_guid, std::string_view name);
  // By name; space quotas of every org when `org_guid` is empty.
  Result<std::vector<Quota>> List(QuotaKind kind, std::string_view org_guid = {});

  Status AssignToOrg(std::string_view org_guid, const std::optional<std::string>& quota_guid);
  Status AssignToSpace(std::string_view space_guid, const std::optional<std::string>& quota_guid);
  // The org's quota: its assigned one, else the one named 'default' (none if that was deleted).
  Result<std::optional<Quota>> OfOrg(std::string_view org_guid);
  Result<std::optional<Quota>> OfSpace(std::string_view space_guid);
  // Names of the orgs / spaces that have this quota (the 'default' org quota: also every org without one).
  Result<std::vector<std::string>> OrgsWith(std::string_view quota_guid);
  Result<std::vector<std::string>> SpacesWith(std::string_view quota_guid);

  // Usage of the org / space, leaving out the processes of the app `except_app_guid` (not its tasks).
  Result<QuotaUsage> UsageOfOrg(std::string_view org_guid, std::string_view except_app_guid = {});
  Result<QuotaUsage> UsageOfSpace(std::string_view space_guid, std::string_view except_app_guid = {});

 private:
  Result<QuotaUsage> Usage(std::string_view space_filter, std::string_view scope_guid, std::string_view except_app_guid);
  Tx& tx_;
};

}  // namespace wharf::state
