#include "controller/services/releases/autoscaling_metrics.h"

namespace wharf::controller {

using state::AutoscalingStore;
using state::MetricSampleRow;

std::int64_t ToMillis(autoscaler::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

autoscaler::TimePoint FromMillis(std::int64_t ms) {
  return autoscaler::TimePoint{std::chrono::duration_cast<autoscaler::TimePoint::duration>(std::chrono::milliseconds{ms})};
}

autoscaler::AppMetrics& AutoscalingMetrics::LoadedLocked(const std::string& app_guid) {
  auto it = apps_.find(app_guid);
  if (it != apps_.end()) return it->second;
  autoscaler::AppMetrics& m = apps_.emplace(app_guid, autoscaler::AppMetrics(window_, 4096)).first->second;
  // The newest window's worth of samples from before a restart.
  auto rows = db_.Read<std::vector<state::MetricSampleRow>>(
      [&](state::Tx& tx) { return state::AutoscalingStore(tx).Samples(app_guid, "", 0, 20000); });
  if (rows.ok()) {
    for (const state::MetricSampleRow& r : *rows) m.Add(r.metric, FromMillis(r.at_ms), r.value);
  }
  return m;
}

Status AutoscalingMetrics::Record(const std::string& app_guid,
                                  const std::vector<std::pair<std::string, double>>& values,
                                  autoscaler::TimePoint at) {
  if (values.empty()) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    autoscaler::AppMetrics& m = LoadedLocked(app_guid);
    for (const auto& [metric, value] : values) m.Add(metric, at, value);
  }
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::AutoscalingStore store(tx);
    for (const auto& [metric, value] : values) {
      WHARF_RETURN_IF_ERROR(store.InsertSample({app_guid, metric, ToMillis(at), value}));
    }
    return Status::Ok();
  });
}

void AutoscalingMetrics::With(const std::string& app_guid,
                              const std::function<void(const autoscaler::AppMetrics&)>& fn) {
  std::lock_guard lock(mu_);
  fn(LoadedLocked(app_guid));
}

Result<std::vector<state::MetricSampleRow>> AutoscalingMetrics::History(const std::string& app_guid,
                                                                        const std::string& metric,
                                                                        autoscaler::TimePoint since, int limit) {
  return db_.Read<std::vector<state::MetricSampleRow>>(
      [&](state::Tx& tx) { return state::AutoscalingStore(tx).Samples(app_guid, metric, ToMillis(since), limit); });
}

Status AutoscalingMetrics::Prune(autoscaler::TimePoint now) {
  return db_.Transact(
      [&](state::Tx& tx) { return state::AutoscalingStore(tx).DeleteSamplesBefore(ToMillis(now - retention_)); });
}

void AutoscalingMetrics::Forget(const std::string& app_guid) {
  std::lock_guard lock(mu_);
  apps_.erase(app_guid);
}

}  // namespace wharf::controller
