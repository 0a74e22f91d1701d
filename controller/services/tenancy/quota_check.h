// Quota enforcement (issue 16): the arithmetic that tells whether a change fits an org or space
// quota (pure, on numbers), and the checks that run inside the transaction of the change, so that
// two concurrent requests (serialized by BEGIN IMMEDIATE) cannot both slip under a limit. A change
// that asks for no more than the app already has always passes, even over a quota lowered since.
// A refusal is kUnprocessable (422, as Cloud Foundry answers) naming the quota, the limit and the numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/platform/quota_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

// One quota that applies: "org quota 'small' ... in org 'dev'".
struct QuotaScope {
  state::QuotaKind kind = state::QuotaKind::kOrg;
  std::string quota_name;
  std::string scope_name;  // the org's or the space's name
  state::QuotaLimits limits;
};

// What one app (or one task) holds of the limits.
struct AppDemand {
  std::int64_t memory_mb = 0;           // instances x memory
  std::int64_t app_instances = 0;
  std::int64_t largest_instance_mb = 0;  // the largest memory of one instance (or task)
};

AppDemand AppDemandOf(const std::vector<state::Process>& processes);

// `others`: the scope's usage without the app; `before`: what the app holds now (nothing when it
// is stopped); `after`: what it holds once changed. `change` names the change in the message
// ("this scale", "this start", "this task").
Status CheckAppQuota(const QuotaScope& scope, const state::QuotaUsage& others, const AppDemand& before,
                     const AppDemand& after, std::string_view change);

// One more of a counted resource ("route", "service instance"): `used` now against `limit`.
Status CheckCountQuota(const QuotaScope& scope, std::string_view resource, std::int64_t used, std::int64_t limit);

// Inside the change's transaction: the space quota (if the space has one) and the org quota.
// `app` with `processes` as its rows will be; `starts`: the app is being started (it holds nothing yet).
Status CheckAppQuotas(state::Tx& tx, const state::App& app, bool starts, const std::vector<state::Process>& processes);
// A new task of `memory_mb` for `app`.
Status CheckTaskQuotas(state::Tx& tx, const state::App& app, std::int64_t memory_mb);
// One more route / managed service instance in the space.
Status CheckRouteQuotas(state::Tx& tx, const std::string& space_guid);
Status CheckServiceInstanceQuotas(state::Tx& tx, const std::string& space_guid);

}  // namespace wharf::controller
