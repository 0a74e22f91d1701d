#include "health/readiness.h"

namespace wharf::health {

HealthCheckSpec ReadinessSpec::AsProbe() const {
  HealthCheckSpec probe;
  probe.type = type;
  probe.http_endpoint = http_endpoint;
  probe.invocation_timeout = invocation_timeout;
  return probe;
}

Status ValidateReadiness(const ReadinessSpec& s) {
  if (s.interval < std::chrono::seconds(1) || s.interval > std::chrono::seconds(3600)) {
    return Status::InvalidArgument("readiness health check interval must be 1 to 3600 seconds, not " +
                                   std::to_string(s.interval.count()));
  }
  if (s.invocation_timeout.count() <= 0) {
    return Status::InvalidArgument("readiness health check invocation timeout must be positive");
  }
  if (s.type == HealthCheckType::kHttp && (s.http_endpoint.empty() || s.http_endpoint[0] != '/')) {
    return Status::InvalidArgument("readiness health check http endpoint must start with '/': '" + s.http_endpoint +
                                   "'");
  }
  return Status::Ok();
}

}  // namespace wharf::health
