// Recent samples of one app's metrics, bounded in age and count. One sample is the app's
// value at an instant (instances already averaged by the collector). Not thread-safe:
// the owner locks.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wharf::autoscaler {

using TimePoint = std::chrono::system_clock::time_point;

struct Sample {
  TimePoint at;
  double value = 0;
};

class MetricWindow {
 public:
  // Keeps samples no older than `span` before the newest, and at most `max_samples`.
  explicit MetricWindow(std::chrono::seconds span = std::chrono::hours{1}, std::size_t max_samples = 4096)
      : span_(span), max_samples_(max_samples) {}
  // Samples arrive in time order; one older than the newest is dropped.
  void Add(TimePoint at, double value);
  const std::deque<Sample>& samples() const { return samples_; }
  std::optional<Sample> Latest() const;
  // The samples in [from, to].
  std::vector<Sample> Between(TimePoint from, TimePoint to) const;

 private:
  std::chrono::seconds span_;
  std::size_t max_samples_;
  std::deque<Sample> samples_;
};

// The windows of one app by metric type ("cpu", "throughput", a custom name).
class AppMetrics {
 public:
  // At most `max_metrics` metrics are kept: a new one beyond them replaces the one whose newest
  // sample is oldest (an app inventing custom metric names cannot grow wharfd's memory; the metrics
  // the platform samples every 2 s stay, being the freshest).
  explicit AppMetrics(std::chrono::seconds span = std::chrono::hours{1}, std::size_t max_samples = 4096,
                      std::size_t max_metrics = 64)
      : span_(span), max_samples_(max_samples), max_metrics_(max_metrics) {}
  void Add(const std::string& metric, TimePoint at, double value);
  // Null when the metric has no samples.
  const MetricWindow* Find(const std::string& metric) const;
  std::vector<std::string> Names() const;

 private:
  std::chrono::seconds span_;
  std::size_t max_samples_;
  std::size_t max_metrics_;
  std::map<std::string, MetricWindow> windows_;
};

}  // namespace wharf::autoscaler
