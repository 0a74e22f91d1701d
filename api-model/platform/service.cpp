#include "api-model/platform/service.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<LastOperation> LastOperation::FromJson(const json& j) {
  LastOperation o;
  return FieldReader(j, "last_operation")
      .Optional("type", o.type)
      .Optional("state", o.state)
      .Optional("description", o.description)
      .Finish(o);
}

json LastOperation::ToJson() const { return {{"type", type}, {"state", state}, {"description", description}}; }

Result<ServiceBroker> ServiceBroker::FromJson(const json& j) {
  ServiceBroker b;
  return FieldReader(j, "service broker")
      .Required("guid", b.guid)
      .Required("name", b.name)
      .Optional("url", b.url)
      .Optional("username", b.username)
      .Optional("created_at", b.created_at)
      .Finish(b);
}

json ServiceBroker::ToJson() const {
  return {{"guid", guid}, {"name", name}, {"url", url}, {"username", username}, {"created_at", created_at}};
}

Result<ServicePlan> ServicePlan::FromJson(const json& j) {
  ServicePlan p;
  return FieldReader(j, "service plan")
      .Required("guid", p.guid)
      .Required("name", p.name)
      .Optional("description", p.description)
      .Optional("free", p.free)
      .Optional("bindable", p.bindable)
      .Optional("public", p.public_)
      .Finish(p);
}

json ServicePlan::ToJson() const {
  return {{"guid", guid}, {"name", name}, {"description", description},
          {"free", free}, {"bindable", bindable}, {"public", public_}};
}

Result<ServiceOffering> ServiceOffering::FromJson(const json& j) {
  ServiceOffering o;
  return FieldReader(j, "service offering")
      .Required("guid", o.guid)
      .Required("name", o.name)
      .Optional("description", o.description)
      .Optional("broker_guid", o.broker_guid)
      .Optional("broker_name", o.broker_name)
      .Optional("bindable", o.bindable)
      .Optional("plan_updateable", o.plan_updateable)
      .Optional("tags", o.tags)
      .Optional("plans", o.plans)
      .Finish(o);
}

json ServiceOffering::ToJson() const {
  return {{"guid", guid},
          {"name", name},
          {"description", description},
          {"broker_guid", broker_guid},
          {"broker_name", broker_name},
          {"bindable", bindable},
          {"plan_updateable", plan_updateable},
          {"tags", tags},
          {"plans", ListJson(plans)}};
}

Result<ServiceBinding> ServiceBinding::FromJson(const json& j) {
  ServiceBinding b;
  return FieldReader(j, "service binding")
      .Required("guid", b.guid)
      .Optional("type", b.type)
      .Optional("instance_guid", b.instance_guid)
      .Optional("instance_name", b.instance_name)
      .Optional("app_guid", b.app_guid)
      .Optional("app_name", b.app_name)
      .Optional("name", b.name)
      .Optional("last_operation", b.last_operation)
      .Optional("created_at", b.created_at)
      .Finish(b);
}

json ServiceBinding::ToJson() const {
  return {{"guid", guid},
          {"type", type},
          {"instance_guid", instance_guid},
          {"instance_name", instance_name},
          {"app_guid", app_guid.empty() ? json(nullptr) : json(app_guid)},
          {"app_name", app_name},
          {"name", name.empty() ? json(nullptr) : json(name)},
          {"last_operation", last_operation.ToJson()},
          {"created_at", created_at}};
}

Result<BindingDetails> BindingDetails::FromJson(const json& j) {
  BindingDetails d;
  return FieldReader(j, "binding details")
      .Optional("credentials", d.credentials)
      .Optional("syslog_drain_url", d.syslog_drain_url)
      .Optional("volume_mounts", d.volume_mounts)
      .Finish(d);
}

json BindingDetails::ToJson() const {
  return {{"credentials", credentials}, {"syslog_drain_url", syslog_drain_url}, {"volume_mounts", volume_mounts}};
}

Result<ServiceRotation> ServiceRotation::FromJson(const json& j) {
  ServiceRotation r;
  return FieldReader(j, "service credential rotation")
      .Required("guid", r.guid)
      .Optional("app_guid", r.app_guid)
      .Optional("instance_guid", r.instance_guid)
      .Optional("old_binding_guid", r.old_binding_guid)
      .Optional("new_binding_guid", r.new_binding_guid)
      .Optional("state", r.state)
      .Optional("deployment_guid", r.deployment_guid)
      .Optional("description", r.description)
      .Optional("created_at", r.created_at)
      .Optional("updated_at", r.updated_at)
      .Finish(r);
}

json ServiceRotation::ToJson() const {
  return {{"guid", guid},
          {"app_guid", app_guid},
          {"instance_guid", instance_guid},
          {"old_binding_guid", old_binding_guid},
          {"new_binding_guid", new_binding_guid},
          {"state", state},
          {"deployment_guid", deployment_guid.empty() ? json(nullptr) : json(deployment_guid)},
          {"description", description},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

Result<ServiceInstance> ServiceInstance::FromJson(const json& j) {
  ServiceInstance i;
  return FieldReader(j, "service instance")
      .Required("guid", i.guid)
      .Required("name", i.name)
      .Optional("type", i.type)
      .Optional("offering_name", i.offering_name)
      .Optional("plan_guid", i.plan_guid)
      .Optional("plan_name", i.plan_name)
      .Optional("broker_name", i.broker_name)
      .Optional("tags", i.tags)
      .Optional("syslog_drain_url", i.syslog_drain_url)
      .Optional("route_service_url", i.route_service_url)
      .Optional("dashboard_url", i.dashboard_url)
      .Optional("last_operation", i.last_operation)
      .Optional("bindings", i.bindings)
      .Optional("created_at", i.created_at)
      .Optional("updated_at", i.updated_at)
      .Finish(i);
}

json ServiceInstance::ToJson() const {
  return {{"guid", guid},
          {"name", name},
          {"type", type},
          {"offering_name", offering_name},
          {"plan_guid", plan_guid.empty() ? json(nullptr) : json(plan_guid)},
          {"plan_name", plan_name},
          {"broker_name", broker_name},
          {"tags", tags},
          {"syslog_drain_url", syslog_drain_url},
          {"route_service_url", route_service_url},
          {"dashboard_url", dashboard_url},
          {"last_operation", last_operation.ToJson()},
          {"bindings", ListJson(bindings)},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

}  // namespace wharf::api
