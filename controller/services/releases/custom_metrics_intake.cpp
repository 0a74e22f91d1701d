#include "controller/services/releases/custom_metrics_intake.h"

#include <cstdio>

#include "autoscaler/instance_metrics.h"
#include "autoscaler/policy.h"
#include "common/net/basic_auth.h"

namespace wharf::controller {

Result<std::vector<std::pair<std::string, double>>> ParseCustomMetrics(const nlohmann::json& body,
                                                                      std::size_t max_metrics) {
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object with a 'metrics' array");
  auto metrics = body.find("metrics");
  if (metrics == body.end() || !metrics->is_array() || metrics->empty()) {
    return Status::InvalidArgument("field 'metrics' must be a non-empty array of {name, value, unit}");
  }
  if (metrics->size() > max_metrics) {
    return Status::InvalidArgument("field 'metrics' holds " + std::to_string(metrics->size()) +
                                   " metrics; a post may hold at most " + std::to_string(max_metrics));
  }
  if (auto index = body.find("instance_index");
      index != body.end() && !(index->is_number_integer() && index->get<std::int64_t>() >= 0)) {
    return Status::InvalidArgument("field 'instance_index' must be a non-negative integer");
  }
  std::vector<std::pair<std::string, double>> values;
  for (std::size_t i = 0; i < metrics->size(); ++i) {
    const auto& m = (*metrics)[i];
    const std::string path = "metrics[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("name") || !m["name"].is_string()) {
      return Status::InvalidArgument(path + ".name: must be a string");
    }
    const std::string name = m["name"].get<std::string>();
    if (name.empty() || name.size() > 100 ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            std::string::npos) {
      return Status::InvalidArgument(path + ".name: must be 1-100 letters, digits or _, got \"" + name + "\"");
    }
    if (autoscaler::IsBuiltinMetric(name) || name == autoscaler::kInstancesSeries) {
      return Status::InvalidArgument(path + ".name: '" + name + "' is a built-in metric the platform measures");
    }
    if (!m.contains("value") || !m["value"].is_number()) {
      return Status::InvalidArgument(path + ".value: must be a number");
    }
    values.emplace_back(name, m["value"].get<double>());
  }
  return values;
}

Status CustomMetricsIntake::Post(const std::string& app_guid, std::string_view authorization,
                                 const nlohmann::json& body) {
  const std::optional<BasicCredentials> cred = ParseBasicAuthorization(authorization);
  if (!cred) {
    return Status::Unauthenticated(
        "custom metrics need 'Authorization: Basic ...' with the app's credential (create-autoscaling-credential)");
  }
  WHARF_RETURN_IF_ERROR(service_.CheckCredential(app_guid, cred->user, cred->password));
  WHARF_ASSIGN_OR_RETURN(auto values, ParseCustomMetrics(body, limits_.max_metrics_per_post));
  if (!rate_.Allow(app_guid, static_cast<double>(values.size()))) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", limits_.samples_per_second);
    return Status::TooManyRequests(std::string("this app sends more than ") + rate +
                                   " custom metric values a second; the post was dropped");
  }
  return metrics_.Record(app_guid, values, clock_.Now());
}

}  // namespace wharf::controller
