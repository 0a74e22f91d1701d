#include "api-model/apps/autoscaling.h"

#include "api-model/json_fields.h"

namespace wharf::api {

Result<AutoscalingPolicy> AutoscalingPolicy::FromJson(const nlohmann::json& j) {
  AutoscalingPolicy p;
  return FieldReader(j, "autoscaling policy")
      .Optional("app_guid", p.app_guid)
      .Optional("enabled", p.enabled)
      .Optional("policy", p.policy)
      .Optional("created_at", p.created_at)
      .Optional("updated_at", p.updated_at)
      .Finish(p);
}

nlohmann::json AutoscalingPolicy::ToJson() const {
  return {{"app_guid", app_guid}, {"enabled", enabled}, {"policy", policy},
          {"created_at", created_at}, {"updated_at", updated_at}};
}

Result<MetricSample> MetricSample::FromJson(const nlohmann::json& j) {
  MetricSample s;
  return FieldReader(j, "sample").Optional("at", s.at).Optional("at_ms", s.at_ms).Optional("value", s.value).Finish(s);
}

nlohmann::json MetricSample::ToJson() const { return {{"at", at}, {"at_ms", at_ms}, {"value", value}}; }

Result<MetricSeries> MetricSeries::FromJson(const nlohmann::json& j) {
  MetricSeries m;
  return FieldReader(j, "metric")
      .Optional("app_guid", m.app_guid)
      .Optional("metric", m.metric)
      .Optional("unit", m.unit)
      .Optional("samples", m.samples)
      .Finish(m);
}

nlohmann::json MetricSeries::ToJson() const {
  return {{"app_guid", app_guid}, {"metric", metric}, {"unit", unit}, {"samples", ListJson(samples)}};
}

Result<SimulatedScaling> SimulatedScaling::FromJson(const nlohmann::json& j) {
  SimulatedScaling s;
  return FieldReader(j, "scaling")
      .Optional("at", s.at)
      .Optional("from", s.from)
      .Optional("to", s.to)
      .Optional("direction", s.direction)
      .Optional("trigger", s.trigger)
      .Optional("reason", s.reason)
      .Finish(s);
}

nlohmann::json SimulatedScaling::ToJson() const {
  return {{"at", at}, {"from", from}, {"to", to}, {"direction", direction}, {"trigger", trigger}, {"reason", reason}};
}

Result<InstanceCountAt> InstanceCountAt::FromJson(const nlohmann::json& j) {
  InstanceCountAt c;
  return FieldReader(j, "count").Optional("at", c.at).Optional("instances", c.instances).Finish(c);
}

nlohmann::json InstanceCountAt::ToJson() const { return {{"at", at}, {"instances", instances}}; }

Result<Simulation> Simulation::FromJson(const nlohmann::json& j) {
  Simulation s;
  return FieldReader(j, "simulation")
      .Optional("samples", s.samples)
      .Optional("start_instances", s.start_instances)
      .Optional("final_instances", s.final_instances)
      .Optional("scalings", s.scalings)
      .Optional("counts", s.counts)
      .Finish(s);
}

nlohmann::json Simulation::ToJson() const {
  return {{"samples", samples},           {"start_instances", start_instances}, {"final_instances", final_instances},
          {"scalings", ListJson(scalings)}, {"counts", ListJson(counts)}};
}

Result<CustomMetricsCredential> CustomMetricsCredential::FromJson(const nlohmann::json& j) {
  CustomMetricsCredential c;
  return FieldReader(j, "credential")
      .Optional("app_id", c.app_id)
      .Optional("app_guid", c.app_guid)
      .Required("username", c.username)
      .Required("password", c.password)
      .Optional("url", c.url)
      .Optional("metrics_url", c.metrics_url)
      .Finish(c);
}

nlohmann::json CustomMetricsCredential::ToJson() const {
  return {{"app_id", app_id},     {"app_guid", app_guid}, {"username", username},
          {"password", password}, {"url", url},           {"metrics_url", metrics_url}};
}

nlohmann::json CustomMetricsCredential::CredentialFile() const {
  return {{"app_id", app_id}, {"username", username}, {"password", password}, {"url", url}};
}

Result<ScalingRecord> ScalingRecord::FromJson(const nlohmann::json& j) {
  ScalingRecord r;
  return FieldReader(j, "scaling event data")
      .Optional("direction", r.direction)
      .Optional("from", r.from)
      .Optional("to", r.to)
      .Optional("status", r.status)
      .Optional("trigger", r.trigger)
      .Optional("reason", r.reason)
      .Optional("reaction_ms", r.reaction_ms)
      .Finish(r);
}

}  // namespace wharf::api
