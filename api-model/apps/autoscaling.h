// The autoscaler's resources (docs/api.md "Autoscaling"): an app's policy, a metric's recorded
// samples, a simulation's outcome and the custom-metrics credential.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// GET/PUT /v1/apps/:guid/autoscaling/policy, PUT .../enabled.
struct AutoscalingPolicy {
  std::string app_guid;
  bool enabled = false;
  nlohmann::json policy = nlohmann::json::object();  // App Autoscaler's policy document, as attached
  std::string created_at;
  std::string updated_at;
  static Result<AutoscalingPolicy> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct MetricSample {
  std::string at;  // RFC 3339
  std::int64_t at_ms = 0;
  double value = 0;
  static Result<MetricSample> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// GET /v1/apps/:guid/autoscaling/metrics/:metric.
struct MetricSeries {
  std::string app_guid;
  std::string metric;
  std::string unit;  // "MB", "%", "rps", "ms", or a custom metric's
  std::vector<MetricSample> samples;
  static Result<MetricSeries> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// One scaling a simulation would have made.
struct SimulatedScaling {
  std::string at;
  int from = 0;
  int to = 0;
  std::string direction;  // "scale-out", "scale-in"
  std::string trigger;
  std::string reason;
  static Result<SimulatedScaling> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct InstanceCountAt {
  std::string at;
  int instances = 0;
  static Result<InstanceCountAt> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// POST /v1/apps/:guid/autoscaling/simulate.
struct Simulation {
  std::int64_t samples = 0;  // how many recorded samples were replayed
  int start_instances = 0;
  int final_instances = 0;
  std::vector<SimulatedScaling> scalings;
  std::vector<InstanceCountAt> counts;
  static Result<Simulation> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// POST /v1/apps/:guid/autoscaling/credential (the password is shown only in this answer).
struct CustomMetricsCredential {
  std::string app_id;  // App Autoscaler's name for the app's guid
  std::string app_guid;
  std::string username;
  std::string password;
  std::string url;          // the metrics forwarder's base URL, through the router
  std::string metrics_url;  // url + /v1/apps/APP_ID/metrics
  static Result<CustomMetricsCredential> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
  // App Autoscaler's credential file: app_id, username, password, url.
  nlohmann::json CredentialFile() const;
};

// The `data` of an autoscaling-history event (an app-scaled event by the autoscaler).
struct ScalingRecord {
  std::string direction;
  int from = 0;
  int to = 0;
  std::string status = "succeeded";
  std::string trigger;
  std::string reason;
  std::optional<std::int64_t> reaction_ms;  // from the end of the breach to the scale request
  static Result<ScalingRecord> FromJson(const nlohmann::json& j);
};

}  // namespace wharf::api
