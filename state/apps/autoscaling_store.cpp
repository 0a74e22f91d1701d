#include "state/apps/autoscaling_store.h"

#include <algorithm>
#include <cstdio>

namespace wharf::state {
namespace {

Result<AutoscalingPolicyRow> ReadPolicy(Statement& st) {
  return AutoscalingPolicyRow{st.Text(0), st.Text(1), st.Int(2) != 0, st.Text(3), st.Text(4)};
}

std::string RealText(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Status AutoscalingStore::PutPolicy(const AutoscalingPolicyRow& row) {
  return tx_.Run(
      "INSERT INTO autoscaling_policies (app_guid, policy, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (app_guid) DO UPDATE SET policy = excluded.policy, enabled = excluded.enabled, "
      "updated_at = excluded.updated_at",
      row.app_guid, row.policy, row.enabled, row.created_at, row.updated_at);
}

Result<std::optional<AutoscalingPolicyRow>> AutoscalingStore::FindPolicy(const std::string& app_guid) {
  return FetchOne<AutoscalingPolicyRow>(
      tx_.Query("SELECT app_guid, policy, enabled, created_at, updated_at FROM autoscaling_policies WHERE app_guid = ?",
                app_guid),
      ReadPolicy);
}

Result<std::vector<AutoscalingPolicyRow>> AutoscalingStore::ListPolicies() {
  return FetchAll<AutoscalingPolicyRow>(
      tx_.Query("SELECT app_guid, policy, enabled, created_at, updated_at FROM autoscaling_policies ORDER BY app_guid"),
      ReadPolicy);
}

Status AutoscalingStore::SetEnabled(const std::string& app_guid, bool enabled, const std::string& now) {
  WHARF_RETURN_IF_ERROR(
      tx_.Run("UPDATE autoscaling_policies SET enabled = ?, updated_at = ? WHERE app_guid = ?", enabled, now, app_guid));
  if (tx_.Changes() == 0) return Status::NotFound("the app has no autoscaling policy");
  return Status::Ok();
}

Status AutoscalingStore::DeletePolicy(const std::string& app_guid) {
  return tx_.Run("DELETE FROM autoscaling_policies WHERE app_guid = ?", app_guid);
}

Status AutoscalingStore::PutCredential(const AutoscalingCredentialRow& row) {
  return tx_.Run(
      "INSERT INTO autoscaling_credentials (app_guid, username, password_sha256, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (app_guid) DO UPDATE SET username = excluded.username, password_sha256 = excluded.password_sha256, "
      "created_at = excluded.created_at",
      row.app_guid, row.username, row.password_sha256, row.created_at);
}

Result<std::optional<AutoscalingCredentialRow>> AutoscalingStore::FindCredential(const std::string& app_guid) {
  return FetchOne<AutoscalingCredentialRow>(
      tx_.Query("SELECT app_guid, username, password_sha256, created_at FROM autoscaling_credentials WHERE app_guid = ?",
                app_guid),
      [](Statement& st) { return Result<AutoscalingCredentialRow>({st.Text(0), st.Text(1), st.Text(2), st.Text(3)}); });
}

Status AutoscalingStore::DeleteCredential(const std::string& app_guid) {
  return tx_.Run("DELETE FROM autoscaling_credentials WHERE app_guid = ?", app_guid);
}

Status AutoscalingStore::InsertSample(const MetricSampleRow& row) {
  return tx_.Run("INSERT INTO autoscaling_samples (app_guid, metric, at_ms, value) VALUES (?, ?, ?, CAST(? AS REAL))",
                 row.app_guid, row.metric, row.at_ms, RealText(row.value));
}

Result<std::vector<MetricSampleRow>> AutoscalingStore::Samples(const std::string& app_guid, const std::string& metric,
                                                                std::int64_t since_ms, int limit) {
  auto read = [](Statement& st) {
    return Result<MetricSampleRow>({st.Text(0), st.Text(1), st.Int(2), std::stod(st.Text(3))});
  };
  WHARF_ASSIGN_OR_RETURN(std::vector<MetricSampleRow> rows,
      metric.empty()
          ? FetchAll<MetricSampleRow>(
                tx_.Query("SELECT app_guid, metric, at_ms, value FROM autoscaling_samples WHERE app_guid = ? AND "
                          "at_ms >= ? ORDER BY at_ms DESC, id DESC LIMIT ?",
                          app_guid, since_ms, limit),
                read)
          : FetchAll<MetricSampleRow>(
                tx_.Query("SELECT app_guid, metric, at_ms, value FROM autoscaling_samples WHERE app_guid = ? AND "
                          "metric = ? AND at_ms >= ? ORDER BY at_ms DESC, id DESC LIMIT ?",
                          app_guid, metric, since_ms, limit),
                read));
  std::reverse(rows.begin(), rows.end());
  return rows;
}

Status AutoscalingStore::DeleteSamplesBefore(std::int64_t before_ms) {
  return tx_.Run("DELETE FROM autoscaling_samples WHERE at_ms < ?", before_ms);
}

Status AutoscalingStore::DeleteSamplesOf(const std::string& app_guid) {
  return tx_.Run("DELETE FROM autoscaling_samples WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
