// Container-to-container network policies, as Cloud Foundry has them (`add-network-policy SOURCE
// DESTINATION --protocol tcp --port 8080`): the source app's containers may reach the destination
// app's containers directly, on their addresses (CF_INSTANCE_INTERNAL_IP, or an internal route's
// name), on that protocol and port range. Without a policy, containers reach each other only
// through routes. Policies take effect within a second (NetworkPlanSync) and go with either app.
// Every change is an audit event on the source app (network-policy-created, -deleted).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api-model/platform/network_policy.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "state/sql/db.h"

namespace wharf::controller {

using api::NetworkPolicy;

// Policies an app may be the source of, as Cloud Foundry's policy server allows by default: each is a
// rule rendered into the nft table at every container start.
inline constexpr std::int64_t kMaxPoliciesPerSource = 150;

// "8080" or "8080-8090" (1..65535, start <= end). kInvalidArgument naming the text.
Result<api::PolicyPortRange> ParsePolicyPorts(const std::string& text);

class NetworkPolicyService {
 public:
  NetworkPolicyService(state::Database& db, const Clock& clock, EventRecorder& events)
      : db_(db), clock_(clock), events_(events) {}

  // Every policy, or those whose source or destination is `app_guid`.
  Result<std::vector<NetworkPolicy>> List(const std::optional<std::string>& app_guid = std::nullopt);
  // kNotFound for an unknown app; kConflict when the same policy exists; kInvalidArgument for a
  // protocol other than tcp or udp, or bad ports; kTooLarge past kMaxPoliciesPerSource.
  Result<NetworkPolicy> Add(const Actor& actor, const std::string& source_app_guid,
                            const std::string& destination_app_guid, const std::string& protocol,
                            const std::string& ports);
  // kNotFound when there is no such policy.
  Status Remove(const Actor& actor, const std::string& source_app_guid, const std::string& destination_app_guid,
                const std::string& protocol, const std::string& ports);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
};

}  // namespace wharf::controller
