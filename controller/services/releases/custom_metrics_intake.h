// Custom metrics an app sends about itself, in App Autoscaler's body
// ({"instance_index": 0, "metrics": [{"name": "jobs", "value": 12, "unit": "jobs"}]}), with the
// app's own credential (create-autoscaling-credential). The API serves it, and so does the
// metrics forwarder that apps reach through the router (autoscaler-metrics.<domain>).
//
// A hostile app can post as fast as it likes: the samples it may have recorded are limited per app
// (each metric of a post takes a token: 10 a second after a burst of 20, about 2.5 times what the
// platform records of an app's built-in metrics), and a post names at most `max_metrics_per_post`,
// so one app cannot fill the samples table (kept 24 h) or the disk: at most 864,000 rows a day.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time/clock.h"
#include "common/time/rate_limiter.h"
#include "controller/services/releases/autoscaling_metrics.h"
#include "controller/services/releases/autoscaling_service.h"

namespace wharf::controller {

struct CustomMetricsLimits {
  double samples_per_second = 10;
  double burst = 20;
  std::size_t max_metrics_per_post = 20;
};

class CustomMetricsIntake {
 public:
  CustomMetricsIntake(AutoscalingService& service, AutoscalingMetrics& metrics, const Clock& clock,
                      CustomMetricsLimits limits = {})
      : service_(service), metrics_(metrics), clock_(clock), limits_(limits),
        rate_(clock, limits.samples_per_second, limits.burst) {}

  // "Basic base64(user:password)" → the credential is checked (401), then the body (400, the field
  // named), then the app's rate (429, a token per metric); the values are recorded at the clock's now.
  Status Post(const std::string& app_guid, std::string_view authorization, const nlohmann::json& body);

 private:
  AutoscalingService& service_;
  AutoscalingMetrics& metrics_;
  const Clock& clock_;
  CustomMetricsLimits limits_;
  KeyedRateLimiter rate_;
};

// The body's metrics as (name, value), or the first field that is wrong.
Result<std::vector<std::pair<std::string, double>>> ParseCustomMetrics(const nlohmann::json& body,
                                                                      std::size_t max_metrics);

}  // namespace wharf::controller
