// Cloud Foundry's readiness checks, apart from liveness: an instance gets
// traffic only while its readiness check passes, and a failing readiness check
// never restarts it (that is the liveness check's job). The manifest's
// `readiness-health-check-type` (`process`, the default: ready while running;
// `port`; `http`), `-http-endpoint`, `-invocation-timeout` and `-interval`.
//
// Readiness is pure: it keeps one instance's state from probe results and the
// time it is given (the supervisor probes, with the Prober of health_check.h).
#pragma once

#include <chrono>
#include <string>

#include "common/facts/health_check_type.h"
#include "common/status.h"
#include "health/health_check.h"

namespace wharf::health {

struct ReadinessSpec {
  HealthCheckType type = HealthCheckType::kProcess;  // kProcess: ready while running, never probed
  std::string http_endpoint = "/";
  std::chrono::milliseconds invocation_timeout{1000};
  std::chrono::seconds interval{5};
  bool operator==(const ReadinessSpec&) const = default;

  bool Probed() const { return type != HealthCheckType::kProcess; }
  // The probe's spec for the Prober (the liveness fields it does not use keep their defaults).
  HealthCheckSpec AsProbe() const;
};

// Refuses an interval under 1 s or over 3600 s, a non-positive invocation timeout,
// and an http endpoint that does not start with '/'.
Status ValidateReadiness(const ReadinessSpec& spec);

// One instance's readiness. A probed instance starts unready and due at once; an
// unprobed one is ready from the start.
class Readiness {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Readiness(const ReadinessSpec& spec, TimePoint now)
      : probed_(spec.Probed()), interval_(spec.interval), ready_(!spec.Probed()), next_(now) {}

  bool ready() const { return ready_; }
  // Whether a probe is due at `now` (never for an unprobed instance).
  bool Due(TimePoint now) const { return probed_ && now >= next_; }
  TimePoint next_check() const { return next_; }
  // Records a probe's outcome at `now` and schedules the next one. Returns true
  // when the instance's readiness changed (its endpoint is to be published or
  // withdrawn).
  bool Record(bool passed, TimePoint now) {
    next_ = now + interval_;
    if (passed == ready_) return false;
    ready_ = passed;
    return true;
  }

 private:
  bool probed_;
  std::chrono::seconds interval_;
  bool ready_;
  TimePoint next_;
};

}  // namespace wharf::health
