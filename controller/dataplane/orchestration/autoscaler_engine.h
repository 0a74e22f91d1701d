// The autoscaler's loop in wharfd: every `interval` (2 s by default) it samples each app
// with an enabled policy (cpu, memory, disk of its running web instances from the cell;
// throughput and response time from the router's per-app counters), records the samples,
// asks autoscaler::Decide, and applies a scaling through ProcessService::Scale (the path of
// `wharf scale`), recording the decision as an "app-autoscaled" event. While a deployment of
// the app is in progress a scaling waits (an "app-autoscaling-deferred" event says which
// deployment, once) and is decided again when it ends.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "autoscaler/decision.h"
#include "autoscaler/instance_metrics.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "controller/platform/instance_reporter.h"
#include "controller/services/apps/process_service.h"
#include "controller/services/releases/autoscaling_metrics.h"
#include "controller/services/releases/autoscaling_service.h"
#include "router/traffic_stats.h"
#include "state/sql/db.h"

namespace wharf::controller {

// The router's per-app counters (app guid -> totals); empty without a router role.
using TrafficSource = std::function<std::map<std::string, router::TrafficTotals>()>;

struct AutoscalerEngineOptions {
  std::chrono::milliseconds interval{2000};
  std::chrono::seconds max_sample_age{30};
  autoscaler::CellShape cell;  // for cpuutil's entitlement (unknown: cpuutil is cpu)
};

class AutoscalerEngine {
 public:
  AutoscalerEngine(state::Database& db, const Clock& clock, AutoscalingService& service, AutoscalingMetrics& metrics,
                   ProcessService& processes, InstanceReporterSlot& instances, TrafficSource traffic,
                   EventRecorder& events, AutoscalerEngineOptions options = {})
      : db_(db), clock_(clock), service_(service), metrics_(metrics), processes_(processes), instances_(instances),
        traffic_(std::move(traffic)), events_(events), options_(options) {}
  ~AutoscalerEngine() { Stop(); }

  // `leads`: whether this wharfd runs the job now (a state::Lease when several share a database); unset: always.
  void Start(std::function<bool()> leads = {});
  void Stop() { task_.Stop(); }
  // One round: sample, decide, scale. Public for tests.
  void Tick();

 private:
  struct TrafficMark {
    autoscaler::TimePoint at;
    std::uint64_t requests = 0, latency_sum_us = 0;
  };
  void Evaluate(const AttachedPolicy& attached, const std::map<std::string, router::TrafficTotals>& traffic);

  state::Database& db_;
  const Clock& clock_;
  AutoscalingService& service_;
  AutoscalingMetrics& metrics_;
  ProcessService& processes_;
  InstanceReporterSlot& instances_;
  TrafficSource traffic_;
  EventRecorder& events_;
  AutoscalerEngineOptions options_;
  std::map<std::string, TrafficMark> marks_;                                  // app guid -> previous counters
  std::map<std::string, std::optional<autoscaler::TimePoint>> last_scaling_;  // app guid -> last scaling
  std::map<std::string, std::pair<std::string, autoscaler::Policy>> parsed_;  // app guid -> (text, policy)
  std::map<std::string, std::string> deferred_;  // app guid -> the deployment a scaling waits for (told once)
  int ticks_ = 0;
  PeriodicTask task_;
};

}  // namespace wharf::controller
