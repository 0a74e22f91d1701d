// Autoscaling in SQL: policies per app, custom-metric credentials, metric samples.
// Bound to one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

struct AutoscalingPolicyRow {
  std::string app_guid;
  std::string policy;  // the JSON document as attached
  bool enabled = true;
  std::string created_at, updated_at;
};

struct AutoscalingCredentialRow {
  std::string app_guid;
  std::string username;
  std::string password_sha256;
  std::string created_at;
};

struct MetricSampleRow {
  std::string app_guid;
  std::string metric;
  std::int64_t at_ms = 0;  // milliseconds since the epoch
  double value = 0;
};

class AutoscalingStore {
 public:
  explicit AutoscalingStore(Tx& tx) : tx_(tx) {}

  Status PutPolicy(const AutoscalingPolicyRow& row);  // insert or replace (keeps created_at)
  Result<std::optional<AutoscalingPolicyRow>> FindPolicy(const std::string& app_guid);
  Result<std::vector<AutoscalingPolicyRow>> ListPolicies();
  // kNotFound when the app has no policy.
  Status SetEnabled(const std::string& app_guid, bool enabled, const std::string& now);
  Status DeletePolicy(const std::string& app_guid);

  Status PutCredential(const AutoscalingCredentialRow& row);
  Result<std::optional<AutoscalingCredentialRow>> FindCredential(const std::string& app_guid);
  Status DeleteCredential(const std::string& app_guid);

  Status InsertSample(const MetricSampleRow& row);
  // Samples of one app (and metric, unless empty) at or after `since_ms`, oldest first, at most `limit`
  // (the newest ones when there are more).
  Result<std::vector<MetricSampleRow>> Samples(const std::string& app_guid, const std::string& metric,
                                               std::int64_t since_ms, int limit);
  Status DeleteSamplesBefore(std::int64_t before_ms);
  Status DeleteSamplesOf(const std::string& app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
