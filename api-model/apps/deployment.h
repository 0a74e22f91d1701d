// App deployments (docs/api.md "Deployments"): rolling or canary, with steps by instances
// or by traffic share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct Deployment {
  std::string guid;      // required
  std::string strategy;  // required: "rolling" or "canary"
  std::string state;     // required: DEPLOYING, PAUSED, DEPLOYED, CANCELED, FAILED
  std::int64_t revision = 0;
  std::int64_t previous_revision = 0;
  int max_in_flight = 1;
  std::vector<int> instance_steps;  // percent of instances per canary step
  std::vector<int> canary_weights;  // percent of requests per canary step
  int step = 0;                     // 0-based canary step in progress
  int steps = 1;                    // how many canary steps
  std::optional<int> canary_weight; // the share of requests the new revision gets now, if set by weights
  std::string reason;
  int analysis_interval_secs = 0;   // automated canary analysis window (0: off)
  std::string analysis_probe_path;  // synthetic probes' path when traffic is thin ("": none)
  std::string created_at;
  std::string updated_at;
  static Result<Deployment> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// Synthetic probes sent for a thin canary analysis window: how many to each side, and where.
struct AnalysisProbes {
  std::string path;
  std::int64_t baseline = 0;
  std::int64_t canary = 0;
  static Result<AnalysisProbes> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The data of an "app-deployment-analysis" event: one judged window of a canary step (what the
// analyzer in wharfd records and `wharf deployment APP` shows).
struct AnalysisWindowEvent {
  std::string deployment_guid;  // required
  std::int64_t revision = 0;
  std::int64_t previous_revision = 0;
  int step = 0;  // 0-based
  int window_secs = 0;
  std::string verdict;          // required: PASS, FAIL or INSUFFICIENT
  std::string reason;
  std::string decision;         // required: PROMOTE, ROLLBACK, CONTINUE or EXTEND
  std::string decision_reason;
  std::int64_t baseline_requests = 0;
  std::int64_t canary_requests = 0;
  std::int64_t baseline_5xx = 0;
  std::int64_t canary_5xx = 0;
  bool needs_probes = false;
  std::int64_t requests_missing = 0;
  std::vector<std::string> checks;  // one line per check
  std::optional<AnalysisProbes> probes;
  static Result<AnalysisWindowEvent> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
