// The logic of autoscaling as a resource: an app's policy (validated by autoscaler/,
// stored as attached), enabling and disabling it, the credential an app posts custom
// metrics with, and the history of the autoscaler's decisions (events "app-autoscaled").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoscaler/decision.h"
#include "autoscaler/metric_window.h"
#include "autoscaler/policy.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "state/apps/autoscaling_store.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::controller {

struct AttachedPolicy {
  std::string app_guid;
  nlohmann::json policy;  // the document as attached
  bool enabled = true;
  std::string created_at, updated_at;
};

struct CustomMetricsCredential {
  std::string app_guid;
  std::string username;
  std::string password;  // shown once, stored as a hash
};

// One decision the engine acted on, as its event records it.
struct AutoscalingDecisionRecord {
  int from = 0, to = 0;
  std::string direction;  // "scale-out", "scale-in"
  std::string trigger, reason;
  autoscaler::TimePoint at;
  std::optional<autoscaler::TimePoint> breach_end;
  std::string process_type = "web";
};

class AutoscalingService {
 public:
  AutoscalingService(state::Database& db, const Clock& clock, EventRecorder& events, const autoscaler::TimeZoneDb& zones,
                     autoscaler::ParseOptions options)
      : db_(db), clock_(clock), events_(events), zones_(zones), options_(options) {}

  // Validates with the field named ("scaling_rules[0].threshold: ...") and stores it, enabled.
  Result<AttachedPolicy> Attach(const Actor& actor, const std::string& app_guid, std::string_view policy_json);
  Result<AttachedPolicy> Get(const std::string& app_guid);
  Status Detach(const Actor& actor, const std::string& app_guid);
  Result<AttachedPolicy> SetEnabled(const Actor& actor, const std::string& app_guid, bool enabled);
  // Every policy, enabled or not (the engine skips disabled ones).
  Result<std::vector<AttachedPolicy>> List();
  Result<autoscaler::Policy> Parse(std::string_view policy_json) const;

  Result<CustomMetricsCredential> CreateCredential(const Actor& actor, const std::string& app_guid);
  // kUnauthenticated unless (username, password) is the app's credential.
  Status CheckCredential(const std::string& app_guid, std::string_view username, std::string_view password);

  Status RecordDecision(const std::string& app_guid, const AutoscalingDecisionRecord& record);
  // A scaling the engine decided but holds while deployment `deployment_guid` runs: an
  // "app-autoscaling-deferred" event (status "deferred" in the history).
  Status RecordDeferral(const std::string& app_guid, const std::string& deployment_guid, int current,
                        const autoscaler::Decision& decision);
  // The newest decisions first.
  Result<state::Page<state::Event>> History(const std::string& app_guid, const state::PageRequest& page);
  // When the autoscaler last scaled the app (from its events, so it survives a restart).
  Result<std::optional<autoscaler::TimePoint>> LastScaling(const std::string& app_guid);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  const autoscaler::TimeZoneDb& zones_;
  autoscaler::ParseOptions options_;
};

}  // namespace wharf::controller
