// Cloud Foundry's health checks: `port` (a TCP connect to the instance's port),
// `http` (GET of an endpoint, 200 expected) and `process` (healthy while the
// container runs), each bounded by an invocation timeout.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/facts/health_check_type.h"
#include "common/status.h"

namespace wharf::health {

struct HealthCheckSpec {
  HealthCheckType type = HealthCheckType::kPort;
  std::string http_endpoint = "/";
  std::chrono::milliseconds invocation_timeout{1000};  // health-check-invocation-timeout
  std::chrono::seconds start_timeout{60};              // `timeout`; at most kMaxStartTimeout
  // The startup check polls every 20 ms for the first 2 s after the start, then every 200 ms
  // (health::kStartupFineInterval, kStartupProbeCap), and never less often than this (CF: every 2 s).
  std::chrono::milliseconds startup_interval{1000};
  std::chrono::seconds liveness_interval{30};
};

inline constexpr std::chrono::seconds kMaxStartTimeout{180};

// Refuses a start timeout over 180 s or under 1 s, a non-positive invocation
// timeout, and an http endpoint that does not start with '/'.
Status ValidateHealthCheck(const HealthCheckSpec& spec);

// Runs one check against an instance. Ok when healthy; otherwise Unavailable
// with the reason, worded as Cloud Foundry's: "Failed to make TCP connection to
// port 8080: connection refused", "Failed to make HTTP request to '/health' on
// port 8080: received status code 500", "...: timed out after 1.00 seconds".
class Prober {
 public:
  virtual ~Prober() = default;
  virtual Status Probe(const HealthCheckSpec& spec, const std::string& ip, int port, bool process_running) = 0;
};

// Probes real sockets (IPv4). Blocking, bounded by the invocation timeout.
class SocketProber final : public Prober {
 public:
  Status Probe(const HealthCheckSpec& spec, const std::string& ip, int port, bool process_running) override;

 private:
  // The bare failure ("connection refused", "received status code 500").
  Status ProbeSocket(const HealthCheckSpec& spec, const std::string& ip, int port);
};

}  // namespace wharf::health
