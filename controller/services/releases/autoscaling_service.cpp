#include "controller/services/releases/autoscaling_service.h"

#include "common/ids.h"
#include "common/sha256.h"
#include "controller/services/releases/autoscaling_metrics.h"
#include "state/apps/app_store.h"
#include "state/platform/event_store.h"

namespace wharf::controller {
namespace {

using state::AutoscalingPolicyRow;
using state::AutoscalingStore;
using state::Tx;

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

AttachedPolicy ViewOf(const state::AutoscalingPolicyRow& row) {
  AttachedPolicy p;
  p.app_guid = row.app_guid;
  p.policy = nlohmann::json::parse(row.policy, nullptr, false);
  p.enabled = row.enabled;
  p.created_at = row.created_at;
  p.updated_at = row.updated_at;
  return p;
}

Status NoPolicy(const state::App& app) {
  return Status::NotFound("app '" + app.name + "' has no autoscaling policy (attach one with attach-autoscaling-policy)");
}

}  // namespace

Result<autoscaler::Policy> AutoscalingService::Parse(std::string_view policy_json) const {
  return autoscaler::ParsePolicy(policy_json, zones_, options_);
}

Result<AttachedPolicy> AutoscalingService::Attach(const Actor& actor, const std::string& app_guid,
                                                  std::string_view policy_json) {
  WHARF_RETURN_IF_ERROR(Parse(policy_json).status());
  const std::string now = FormatRfc3339(clock_.Now());
  // Stored compact but otherwise as attached (unknown fields kept, as App Autoscaler does).
  const std::string text = nlohmann::json::parse(policy_json).dump();
  return db_.Transact<AttachedPolicy>([&](state::Tx& tx) -> Result<AttachedPolicy> {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    state::AutoscalingStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto existing, store.FindPolicy(app_guid));
    state::AutoscalingPolicyRow row{app_guid, text, true, existing ? existing->created_at : now, now};
    WHARF_RETURN_IF_ERROR(store.PutPolicy(row));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-autoscaling-policy-attached", TargetOf(app)));
    return ViewOf(row);
  });
}

Result<AttachedPolicy> AutoscalingService::Get(const std::string& app_guid) {
  return db_.Read<AttachedPolicy>([&](state::Tx& tx) -> Result<AttachedPolicy> {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    WHARF_ASSIGN_OR_RETURN(auto row, state::AutoscalingStore(tx).FindPolicy(app_guid));
    if (!row) return NoPolicy(app);
    return ViewOf(*row);
  });
}

Status AutoscalingService::Detach(const Actor& actor, const std::string& app_guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    state::AutoscalingStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto row, store.FindPolicy(app_guid));
    if (!row) return NoPolicy(app);
    WHARF_RETURN_IF_ERROR(store.DeletePolicy(app_guid));
    return events_.Record(tx, actor, "app-autoscaling-policy-detached", TargetOf(app));
  });
}

Result<AttachedPolicy> AutoscalingService::SetEnabled(const Actor& actor, const std::string& app_guid, bool enabled) {
  const std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<AttachedPolicy>([&](state::Tx& tx) -> Result<AttachedPolicy> {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    state::AutoscalingStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto row, store.FindPolicy(app_guid));
    if (!row) return NoPolicy(app);
    WHARF_RETURN_IF_ERROR(store.SetEnabled(app_guid, enabled, now));
    WHARF_RETURN_IF_ERROR(events_.Record(
        tx, actor, enabled ? "app-autoscaling-enabled" : "app-autoscaling-disabled", TargetOf(app)));
    row->enabled = enabled;
    row->updated_at = now;
    return ViewOf(*row);
  });
}

Result<std::vector<AttachedPolicy>> AutoscalingService::List() {
  WHARF_ASSIGN_OR_RETURN(auto rows, db_.Read<std::vector<state::AutoscalingPolicyRow>>(
                                        [](state::Tx& tx) { return state::AutoscalingStore(tx).ListPolicies(); }));
  std::vector<AttachedPolicy> out;
  for (const auto& r : rows) out.push_back(ViewOf(r));
  return out;
}

Result<CustomMetricsCredential> AutoscalingService::CreateCredential(const Actor& actor, const std::string& app_guid) {
  CustomMetricsCredential c{app_guid, "metrics-" + RandomHex(8), RandomHex(24)};
  const std::string now = FormatRfc3339(clock_.Now());
  Status stored = db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    WHARF_RETURN_IF_ERROR(
        state::AutoscalingStore(tx).PutCredential({app_guid, c.username, Sha256Hex(c.password), now}));
    return events_.Record(tx, actor, "app-autoscaling-credential-created", TargetOf(app),
                          {{"username", c.username}});
  });
  if (!stored.ok()) return stored;
  return c;
}

Status AutoscalingService::CheckCredential(const std::string& app_guid, std::string_view username,
                                           std::string_view password) {
  const Status denied = Status::Unauthenticated("not the app's custom-metrics credential");
  auto row = db_.Read<std::optional<state::AutoscalingCredentialRow>>(
      [&](state::Tx& tx) { return state::AutoscalingStore(tx).FindCredential(app_guid); });
  if (!row.ok()) return row.status();
  if (!*row || (*row)->username != username) return denied;
  // Both sides are hashes of the same length: comparing them leaks nothing about the password.
  if (Sha256Hex(password) != (*row)->password_sha256) return denied;
  return Status::Ok();
}

Status AutoscalingService::RecordDecision(const std::string& app_guid, const AutoscalingDecisionRecord& r) {
  nlohmann::json data = {{"process_type", r.process_type},
                         {"from", r.from},
                         {"to", r.to},
                         {"direction", r.direction},
                         {"status", "succeeded"},
                         {"trigger", r.trigger},
                         {"reason", r.reason},
                         {"at_ms", ToMillis(r.at)}};
  if (r.breach_end) {
    data["breach_end_ms"] = ToMillis(*r.breach_end);
    data["reaction_ms"] = ToMillis(r.at) - ToMillis(*r.breach_end);  // breach end to scale request
  }
  return db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    return events_.Record(tx, Actor{std::nullopt, "autoscaler"}, "app-autoscaled", TargetOf(app), data);
  });
}

Status AutoscalingService::RecordDeferral(const std::string& app_guid, const std::string& deployment_guid,
                                          int current, const autoscaler::Decision& d) {
  nlohmann::json data = {{"process_type", "web"},
                         {"from", current},
                         {"to", d.target},
                         {"direction", std::string(autoscaler::DirectionName(d.direction))},
                         {"status", "deferred"},
                         {"trigger", d.trigger},
                         {"reason", d.reason + "; waits for deployment " + deployment_guid + " to end"},
                         {"deployment_guid", deployment_guid},
                         {"at_ms", ToMillis(clock_.Now())}};
  return db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    return events_.Record(tx, Actor{std::nullopt, "autoscaler"}, "app-autoscaling-deferred", TargetOf(app), data);
  });
}

Result<state::Page<state::Event>> AutoscalingService::History(const std::string& app_guid,
                                                              const state::PageRequest& page) {
  WHARF_RETURN_IF_ERROR(db_.Read([&](state::Tx& tx) { return state::AppStore(tx).Get(app_guid).status(); }));
  state::EventFilter filter{app_guid, std::nullopt, {"app-autoscaled", "app-autoscaling-deferred"}};
  return state::ListEvents(db_, filter, page);
}

Result<std::optional<autoscaler::TimePoint>> AutoscalingService::LastScaling(const std::string& app_guid) {
  WHARF_ASSIGN_OR_RETURN(auto page, state::ListEvents(db_, state::EventFilter{app_guid, "app-autoscaled", {}},
                                                      state::PageRequest{1, 1}));
  if (page.items.empty() || !page.items[0].data.contains("at_ms")) return std::optional<autoscaler::TimePoint>{};
  return std::optional<autoscaler::TimePoint>{FromMillis(page.items[0].data["at_ms"].get<std::int64_t>())};
}

}  // namespace wharf::controller
