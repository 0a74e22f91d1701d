#include "autoscaler/metric_window.h"

namespace wharf::autoscaler {

void MetricWindow::Add(TimePoint at, double value) {
  if (!samples_.empty() && at < samples_.back().at) return;
  samples_.push_back({at, value});
  while (!samples_.empty() && samples_.front().at < at - span_) samples_.pop_front();
  while (samples_.size() > max_samples_) samples_.pop_front();
}

std::optional<Sample> MetricWindow::Latest() const {
  if (samples_.empty()) return std::nullopt;
  return samples_.back();
}

std::vector<Sample> MetricWindow::Between(TimePoint from, TimePoint to) const {
  std::vector<Sample> out;
  for (const Sample& s : samples_) {
    if (s.at >= from && s.at <= to) out.push_back(s);
  }
  return out;
}

void AppMetrics::Add(const std::string& metric, TimePoint at, double value) {
  auto it = windows_.find(metric);
  if (it == windows_.end()) {
    if (windows_.size() >= max_metrics_ && !windows_.empty()) {
      auto stalest = windows_.begin();
      for (auto w = windows_.begin(); w != windows_.end(); ++w) {
        auto latest = w->second.Latest(), worst = stalest->second.Latest();
        if (!latest || (worst && latest->at < worst->at)) stalest = w;
      }
      windows_.erase(stalest);
    }
    it = windows_.emplace(metric, MetricWindow(span_, max_samples_)).first;
  }
  it->second.Add(at, value);
}

const MetricWindow* AppMetrics::Find(const std::string& metric) const {
  auto it = windows_.find(metric);
  return it == windows_.end() ? nullptr : &it->second;
}

std::vector<std::string> AppMetrics::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, w] : windows_) out.push_back(name);
  return out;
}

}  // namespace wharf::autoscaler
