#include "controller/dataplane/orchestration/autoscaler_engine.h"

#include <vector>

#include "autoscaler/instance_metrics.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"
#include "state/states.h"

namespace wharf::controller {

using autoscaler::TimePoint;

void AutoscalerEngine::Start(std::function<bool()> leads) {
  task_.Start(options_.interval, WhileLeading(std::move(leads), [this] { Tick(); }));
}

void AutoscalerEngine::Tick() {
  auto policies = service_.List();
  if (!policies.ok()) {
    events_.Log("autoscaler-failed", {{"error", policies.status().ToString()}});
    return;
  }
  const auto traffic = traffic_ ? traffic_() : std::map<std::string, router::TrafficTotals>{};
  for (const AttachedPolicy& p : *policies) {
    if (p.enabled) Evaluate(p, traffic);
  }
  if (++ticks_ % 300 == 0) (void)metrics_.Prune(clock_.Now());
}

void AutoscalerEngine::Evaluate(const AttachedPolicy& attached,
                                const std::map<std::string, router::TrafficTotals>& traffic) {
  const std::string& app_guid = attached.app_guid;
  const TimePoint now = clock_.Now();
  auto found = db_.Read<std::pair<state::App, std::optional<state::Process>>>(
      [&](state::Tx& tx) -> Result<std::pair<state::App, std::optional<state::Process>>> {
        WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
        WHARF_ASSIGN_OR_RETURN(auto web, state::ProcessStore(tx).Find(app_guid, "web"));
        return std::pair{std::move(app), std::move(web)};
      });
  if (!found.ok() || found->first.state != state::AppState::kStarted || !found->second) return;
  const state::Process& web = *found->second;

  // Sample: instance averages from the cell, per-instance traffic from the router.
  std::vector<std::pair<std::string, double>> values;
  if (auto reports = instances_.Instances(app_guid, "web")) {
    std::vector<autoscaler::InstanceUsage> running;
    for (const InstanceReport& r : *reports) {
      if (r.state == "RUNNING") running.push_back({r.cpu, r.memory_bytes, r.disk_bytes});
    }
    values = autoscaler::InstanceMetrics(running, {web.memory_in_mb, web.disk_in_mb}, options_.cell);
  }
  if (auto t = traffic.find(app_guid); t != traffic.end()) {
    const std::uint64_t requests = t->second.Requests();
    const std::uint64_t latency = t->second.latency_sum_us;
    auto mark = marks_.find(app_guid);
    if (mark != marks_.end() && now > mark->second.at && requests >= mark->second.requests) {
      const double secs = std::chrono::duration<double>(now - mark->second.at).count();
      const auto dreq = static_cast<double>(requests - mark->second.requests);
      values.emplace_back("throughput", dreq / secs / std::max(1, web.instances));
      if (dreq > 0) {
        values.emplace_back("responsetime", static_cast<double>(latency - mark->second.latency_sum_us) / 1000.0 / dreq);
      }
    }
    marks_[app_guid] = TrafficMark{now, requests, latency};
  }
  if (Status s = metrics_.Record(app_guid, values, now); !s.ok()) {
    events_.Log("autoscaler-failed", {{"app", app_guid}, {"error", s.ToString()}});
  }

  // Decide.
  const std::string text = attached.policy.dump();
  auto cached = parsed_.find(app_guid);
  if (cached == parsed_.end() || cached->second.first != text) {
    auto policy = service_.Parse(text);
    if (!policy.ok()) return;  // validated when attached; a policy stored by an older wharfd may not parse
    cached = parsed_.insert_or_assign(app_guid, std::pair{text, std::move(policy).value()}).first;
  }
  if (!last_scaling_.contains(app_guid)) {
    auto last = service_.LastScaling(app_guid);
    if (!last.ok()) return;
    last_scaling_[app_guid] = *last;
  }
  autoscaler::Decision decision;
  metrics_.With(app_guid, [&](const autoscaler::AppMetrics& m) {
    autoscaler::DecisionInput in;
    in.policy = &cached->second.second;
    in.metrics = &m;
    in.current_instances = web.instances;
    in.last_scaling = last_scaling_[app_guid];
    in.now = now;
    in.max_sample_age = options_.max_sample_age;
    decision = autoscaler::Decide(in);
  });
  if (!decision.Scales()) {
    deferred_.erase(app_guid);
    return;
  }

  // A deployment in progress owns the instance counts (it replaces instances step by step): the
  // scaling waits until it ends and is decided again then, on the metrics of that moment.
  auto active = db_.Read<std::optional<state::DeploymentRecord>>(
      [&](state::Tx& tx) { return state::DeploymentStore(tx).Active(app_guid); });
  if (!active.ok()) return;
  if (*active) {
    if (deferred_[app_guid] != (*active)->guid) {
      deferred_[app_guid] = (*active)->guid;
      events_.Log("app-autoscaling-deferred", {{"app", app_guid},
                                               {"deployment", (*active)->guid},
                                               {"would_scale_to", std::to_string(decision.target)},
                                               {"reason", decision.reason}});
      (void)service_.RecordDeferral(app_guid, (*active)->guid, web.instances, decision);
    }
    return;
  }
  deferred_.erase(app_guid);

  // Scale through the path of `wharf scale`.
  ScaleRequest request;
  request.instances = decision.target;
  auto scaled = processes_.Scale(Actor{std::nullopt, "autoscaler"}, web.guid, request);
  if (!scaled.ok()) {
    events_.Log("autoscaler-scale-failed", {{"app", app_guid}, {"error", scaled.status().ToString()}});
    return;
  }
  last_scaling_[app_guid] = now;
  AutoscalingDecisionRecord record;
  record.from = web.instances;
  record.to = decision.target;
  record.direction = std::string(autoscaler::DirectionName(decision.direction));
  record.trigger = decision.trigger;
  record.reason = decision.reason;
  record.at = now;
  record.breach_end = decision.breach_end;
  if (Status s = service_.RecordDecision(app_guid, record); !s.ok()) {
    events_.Log("autoscaler-failed", {{"app", app_guid}, {"error", s.ToString()}});
  }
}

}  // namespace wharf::controller
