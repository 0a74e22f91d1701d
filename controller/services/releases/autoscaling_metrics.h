// The autoscaler's metric samples: in memory as bounded windows per app (what the decision
// reads), and in the database (what `autoscaling-metrics`, the history after a restart and
// the simulator read). Thread-safe: the engine writes, the API reads and takes custom metrics.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "autoscaler/metric_window.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "state/apps/autoscaling_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

class AutoscalingMetrics {
 public:
  // Memory keeps `window` per metric (the longest breach_duration_secs allowed); the database keeps `retention`.
  AutoscalingMetrics(state::Database& db, std::chrono::seconds window = std::chrono::hours{1},
                     std::chrono::seconds retention = std::chrono::hours{24})
      : db_(db), window_(window), retention_(retention) {}

  // Records one sample per (metric, value) at `at`, in memory and in one transaction.
  Status Record(const std::string& app_guid, const std::vector<std::pair<std::string, double>>& values,
                autoscaler::TimePoint at);
  // Runs `fn` on the app's windows under the lock (loaded from the database on first use, so
  // the windows survive a restart of wharfd).
  void With(const std::string& app_guid, const std::function<void(const autoscaler::AppMetrics&)>& fn);
  // Recorded samples of one metric (all when empty) since `since`, oldest first, at most `limit`.
  Result<std::vector<state::MetricSampleRow>> History(const std::string& app_guid, const std::string& metric,
                                                      autoscaler::TimePoint since, int limit);
  // Drops samples older than the retention, and every sample of `forget` apps (detached policies).
  Status Prune(autoscaler::TimePoint now);
  void Forget(const std::string& app_guid);

 private:
  autoscaler::AppMetrics& LoadedLocked(const std::string& app_guid);

  state::Database& db_;
  std::chrono::seconds window_, retention_;
  std::mutex mu_;
  std::map<std::string, autoscaler::AppMetrics> apps_;
};

std::int64_t ToMillis(autoscaler::TimePoint t);
autoscaler::TimePoint FromMillis(std::int64_t ms);

}  // namespace wharf::controller
