#include "controller/services/marketplace/service_instance_service.h"
#include "controller/services/tenancy/quota_check.h"

#include <thread>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/platform/broker_store.h"
#include "state/platform/service_store.h"

namespace wharf::controller {

using state::ServiceBinding;
using state::ServiceInstance;
using state::ServiceStore;
using state::Tx;

namespace {

EventTarget TargetOf(const state::ServiceInstance& i) {
  return EventTarget{"service_instance", i.guid, i.name, i.space_guid};
}

bool Printable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// "app web, key k1" for the refusal to delete an instance.
std::string DescribeBindings(const std::vector<state::ServiceBinding>& bindings) {
  std::string out;
  for (const state::ServiceBinding& b : bindings) {
    out += out.empty() ? "" : ", ";
    out += b.type == "key" ? "key " + b.name.value_or("") : "app " + b.app_name;
  }
  return out;
}

bool InProgress(const state::ServiceInstance& i) { return i.last_operation_state == "in progress"; }

}  // namespace

Status ValidateServiceInstanceName(std::string_view name, std::string_view what) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " must not be empty");
  if (name.size() > 255) return Status::InvalidArgument(std::string(what) + " is longer than 255 characters");
  if (!Printable(name)) return Status::InvalidArgument(std::string(what) + " has control characters");
  if (name.front() == ' ' || name.back() == ' ') {
    return Status::InvalidArgument(std::string(what) + " must not start or end with a space");
  }
  return Status::Ok();
}

Status ValidateTags(const std::vector<std::string>& tags) {
  std::size_t total = 0;
  for (const std::string& t : tags) {
    WHARF_RETURN_IF_ERROR(ValidateServiceInstanceName(t, "tag '" + t + "'"));
    total += t.size();
  }
  if (total > 2048) return Status::InvalidArgument("tags are longer than 2048 characters in all");
  return Status::Ok();
}

namespace {

Status ValidateCredentials(const nlohmann::json& credentials) {
  if (!credentials.is_object()) return Status::InvalidArgument("credentials must be a JSON object");
  if (credentials.dump().size() > 64 * 1024) return Status::TooLarge("credentials are larger than 64 KB");
  return Status::Ok();
}

Status ValidateUrlField(std::string_view url, std::string_view field, std::initializer_list<std::string_view> schemes) {
  if (url.empty()) return Status::Ok();
  for (std::string_view scheme : schemes) {
    if (url.substr(0, scheme.size() + 3) == std::string(scheme) + "://" && url.size() > scheme.size() + 3 &&
        Printable(url) && url.find(' ') == std::string_view::npos) {
      return Status::Ok();
    }
  }
  std::string names;
  for (std::string_view s : schemes) names += (names.empty() ? "" : ", ") + std::string(s) + "://";
  return Status::InvalidArgument(std::string(field) + " '" + std::string(url) + "' must be a URL (" + names + ")");
}

}  // namespace

void ServiceInstanceService::LogApi(state::Tx& tx, const std::string& app_guid, std::string message) {
  tx.OnCommit([this, app_guid, message = std::move(message)] { logs_.Append(app_guid, "API/0", "OUT", message); });
}

void ServiceInstanceService::Hand(BrokerJob job) {
  if (jobs_) jobs_->Enqueue(job);
}

Result<InstanceView> ServiceInstanceService::LoadView(state::Tx& tx, state::ServiceInstance instance) {
  InstanceView view;
  if (instance.type == "managed") {
    state::BrokerStore catalog(tx);
    WHARF_ASSIGN_OR_RETURN(auto plan, catalog.GetPlan(instance.plan_guid.value_or("")));
    WHARF_ASSIGN_OR_RETURN(auto offering, catalog.GetOffering(plan.offering_guid));
    view.plan_name = plan.name;
    view.offering_name = offering.name;
    view.broker_name = offering.broker_name;
  } else {
    view.offering_name = "user-provided";
  }
  auto bindings = state::ServiceStore(tx).ListBindings(instance.guid, std::nullopt, std::nullopt);
  if (!bindings.ok()) return bindings.status();
  view.bindings = std::move(bindings).value();
  for (state::ServiceBinding& b : view.bindings) b.credentials = nlohmann::json::object();
  view.instance = std::move(instance);
  return view;
}

Result<std::vector<InstanceView>> ServiceInstanceService::List(const std::optional<std::vector<std::string>>& spaces) {
  return db_.Read<std::vector<InstanceView>>([&](state::Tx& tx) -> Result<std::vector<InstanceView>> {
    WHARF_ASSIGN_OR_RETURN(auto instances, state::ServiceStore(tx).ListInstances(spaces));
    std::vector<InstanceView> out;
    for (state::ServiceInstance& i : instances) {
      WHARF_ASSIGN_OR_RETURN(auto view, LoadView(tx, std::move(i)));
      out.push_back(std::move(view));
    }
    return out;
  });
}

Result<InstanceView> ServiceInstanceService::Get(const std::string& guid) {
  return db_.Read<InstanceView>([&](state::Tx& tx) -> Result<InstanceView> {
    WHARF_ASSIGN_OR_RETURN(auto i, state::ServiceStore(tx).GetInstance(guid));
    return LoadView(tx, std::move(i));
  });
}

Result<InstanceView> ServiceInstanceService::CreateUserProvided(const Actor& actor, const NewUserProvided& spec) {
  WHARF_RETURN_IF_ERROR(ValidateServiceInstanceName(spec.name));
  WHARF_RETURN_IF_ERROR(ValidateCredentials(spec.credentials));
  WHARF_RETURN_IF_ERROR(ValidateUrlField(spec.syslog_drain_url, "syslog_drain_url", {"syslog", "syslog-tls", "https"}));
  WHARF_RETURN_IF_ERROR(ValidateUrlField(spec.route_service_url, "route_service_url", {"https"}));
  WHARF_RETURN_IF_ERROR(ValidateTags(spec.tags));
  state::ServiceInstance i;
  i.guid = NewGuid();
  i.space_guid = spec.space_guid.value_or(platform_.tenancy.space.guid);
  i.name = spec.name;
  i.type = "user-provided";
  i.credentials = spec.credentials;
  i.syslog_drain_url = spec.syslog_drain_url;
  i.route_service_url = spec.route_service_url;
  i.tags = spec.tags;
  i.created_at = i.updated_at = FormatRfc3339(clock_.Now());
  return db_.Transact<InstanceView>([&](state::Tx& tx) -> Result<InstanceView> {
    WHARF_RETURN_IF_ERROR(state::ServiceStore(tx).InsertInstance(i));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-instance-created", TargetOf(i),
                                         {{"type", "user-provided"}}));
    return LoadView(tx, i);
  });
}

Result<InstanceView> ServiceInstanceService::UpdateUserProvided(const Actor& actor, const std::string& guid,
                                                                const UserProvidedPatch& patch) {
  if (patch.name) WHARF_RETURN_IF_ERROR(ValidateServiceInstanceName(*patch.name));
  if (patch.credentials) WHARF_RETURN_IF_ERROR(ValidateCredentials(*patch.credentials));
  if (patch.syslog_drain_url) {
    WHARF_RETURN_IF_ERROR(
        ValidateUrlField(*patch.syslog_drain_url, "syslog_drain_url", {"syslog", "syslog-tls", "https"}));
  }
  if (patch.route_service_url) {
    WHARF_RETURN_IF_ERROR(ValidateUrlField(*patch.route_service_url, "route_service_url", {"https"}));
  }
  if (patch.tags) WHARF_RETURN_IF_ERROR(ValidateTags(*patch.tags));
  return db_.Transact<InstanceView>([&](state::Tx& tx) -> Result<InstanceView> {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(guid));
    if (i.type != "user-provided") {
      return Status::InvalidArgument("service instance '" + i.name +
                                     "' is not user-provided; change it with 'wharf update-service'");
    }
    nlohmann::json changed = nlohmann::json::array();
    if (patch.name) i.name = *patch.name, changed.push_back("name");
    if (patch.credentials) i.credentials = *patch.credentials, changed.push_back("credentials");
    if (patch.syslog_drain_url) i.syslog_drain_url = *patch.syslog_drain_url, changed.push_back("syslog_drain_url");
    if (patch.route_service_url) {
      i.route_service_url = *patch.route_service_url, changed.push_back("route_service_url");
    }
    if (patch.tags) i.tags = *patch.tags, changed.push_back("tags");
    i.last_operation_type = "update";
    i.last_operation_state = "succeeded";
    i.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.UpdateInstance(i));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-instance-updated", TargetOf(i), {{"changed", changed}}));
    return LoadView(tx, std::move(i));
  });
}

Result<InstanceView> ServiceInstanceService::CreateManaged(const Actor& actor, const NewManaged& spec) {
  WHARF_RETURN_IF_ERROR(ValidateServiceInstanceName(spec.name));
  WHARF_RETURN_IF_ERROR(ValidateTags(spec.tags));
  if (!spec.parameters.is_object()) return Status::InvalidArgument("parameters must be a JSON object");
  if (!jobs_) return Status::Unavailable("this wharfd runs no service broker client");
  state::ServiceInstance i;
  i.guid = NewGuid();
  i.space_guid = spec.space_guid.value_or(platform_.tenancy.space.guid);
  i.name = spec.name;
  i.type = "managed";
  i.plan_guid = spec.plan_guid;
  i.tags = spec.tags;
  i.parameters = spec.parameters;
  i.last_operation_type = "create";
  i.last_operation_state = "in progress";
  i.created_at = i.updated_at = FormatRfc3339(clock_.Now());
  Result<InstanceView> view = db_.Transact<InstanceView>([&](state::Tx& tx) -> Result<InstanceView> {
    WHARF_ASSIGN_OR_RETURN(auto plan, state::BrokerStore(tx).GetPlan(spec.plan_guid));
    if (!plan.public_) {
      return Status::Unprocessable("service plan '" + plan.name +
                                   "' is not enabled; an admin enables it with 'wharf enable-service-access'");
    }
    WHARF_RETURN_IF_ERROR(CheckServiceInstanceQuotas(tx, i.space_guid));
    WHARF_RETURN_IF_ERROR(state::ServiceStore(tx).InsertInstance(i));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-instance-create-requested", TargetOf(i),
                                         {{"type", "managed"}, {"plan", plan.name}}));
    return LoadView(tx, i);
  });
  if (view.ok()) Hand({BrokerJob::Kind::kInstance, i.guid});
  return view;
}

Result<InstanceView> ServiceInstanceService::UpdateManaged(const Actor& actor, const std::string& guid,
                                                           const ManagedPatch& patch) {
  if (patch.name) WHARF_RETURN_IF_ERROR(ValidateServiceInstanceName(*patch.name));
  if (patch.tags) WHARF_RETURN_IF_ERROR(ValidateTags(*patch.tags));
  if (patch.parameters && !patch.parameters->is_object()) {
    return Status::InvalidArgument("parameters must be a JSON object");
  }
  bool to_broker = patch.plan_guid.has_value() || patch.parameters.has_value();
  if (to_broker && !jobs_) return Status::Unavailable("this wharfd runs no service broker client");
  Result<InstanceView> view = db_.Transact<InstanceView>([&](state::Tx& tx) -> Result<InstanceView> {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(guid));
    if (i.type != "managed") {
      return Status::InvalidArgument("service instance '" + i.name +
                                     "' is user-provided; change it with 'wharf update-user-provided-service'");
    }
    if (InProgress(i)) {
      return Status::Conflict("an operation on service instance '" + i.name + "' is in progress");
    }
    if (to_broker && i.last_operation_type == "create" && i.last_operation_state == "failed") {
      return Status::Unprocessable("service instance '" + i.name + "' failed to be created; delete it");
    }
    std::optional<std::string> new_plan = patch.plan_guid;
    if (new_plan && *new_plan == i.plan_guid.value_or("")) new_plan.reset();  // the plan it has
    if (new_plan) {
      // Checked before the broker is asked: a plan of the same offering, enabled, and plan changes allowed.
      state::BrokerStore catalog(tx);
      WHARF_ASSIGN_OR_RETURN(auto current, catalog.GetPlan(i.plan_guid.value_or("")));
      WHARF_ASSIGN_OR_RETURN(auto offering, catalog.GetOffering(current.offering_guid));
      Result<state::ServicePlan> plan = catalog.GetPlan(*new_plan);
      if (!plan.ok()) {
        if (plan.status().code() != StatusCode::kNotFound) return plan.status();
        return Status::InvalidArgument("plan_guid: service plan '" + *new_plan + "' not found");
      }
      if (plan->offering_guid != current.offering_guid) {
        Result<state::ServiceOffering> other = catalog.GetOffering(plan->offering_guid);
        return Status::Unprocessable("plan_guid: service plan '" + plan->name + "' belongs to service offering '" +
                                     (other.ok() ? other->name : plan->offering_guid) + "', not to '" +
                                     offering.name + "' of service instance '" + i.name + "'");
      }
      if (!current.plan_updateable.value_or(offering.plan_updateable)) {
        return Status::Unprocessable("plan_guid: service offering '" + offering.name +
                                     "' does not allow plan changes (plan_updateable is false for plan '" +
                                     current.name + "'); create a new service instance with plan '" + plan->name +
                                     "' instead");
      }
      if (!plan->public_) {
        return Status::Unprocessable("plan_guid: service plan '" + plan->name +
                                     "' is not enabled; an admin enables it with 'wharf enable-service-access'");
      }
    }
    to_broker = new_plan.has_value() || patch.parameters.has_value();
    if (patch.name) i.name = *patch.name;
    if (patch.tags) i.tags = *patch.tags;
    if (to_broker) {
      // The request to the broker carries the new plan and parameters; the row keeps them
      // in `parameters` under "_update" until the broker agrees (service_operations.cpp).
      nlohmann::json update = nlohmann::json::object();
      if (new_plan) update["plan_guid"] = *new_plan;
      if (patch.parameters) update["parameters"] = *patch.parameters;
      i.parameters["_update"] = update;
      i.last_operation_type = "update";
      i.last_operation_state = "in progress";
      i.last_operation_description.clear();
      i.broker_operation.reset();
    }
    i.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.UpdateInstance(i));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, to_broker ? "service-instance-update-requested" : "service-instance-updated",
                                         TargetOf(i)));
    return LoadView(tx, std::move(i));
  });
  if (view.ok() && to_broker) Hand({BrokerJob::Kind::kInstance, guid});
  return view;
}

Result<std::optional<InstanceView>> ServiceInstanceService::Delete(const Actor& actor, const std::string& guid) {
  bool managed = false;
  auto out = db_.Transact<std::optional<InstanceView>>([&](state::Tx& tx) -> Result<std::optional<InstanceView>> {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(guid));
    WHARF_ASSIGN_OR_RETURN(auto bindings, store.ListBindings(guid, std::nullopt, std::nullopt));
    if (!bindings.empty()) {
      return Status::Conflict("service instance '" + i.name + "' has bindings or keys: " +
                              DescribeBindings(bindings) +
                              "; unbind them ('wharf unbind-service', 'wharf delete-service-key') first");
    }
    if (InProgress(i) && i.last_operation_type != "create") {
      return Status::Conflict("an operation on service instance '" + i.name + "' is in progress");
    }
    if (i.type == "user-provided") {
      WHARF_RETURN_IF_ERROR(store.DeleteInstance(guid));
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-instance-deleted", TargetOf(i)));
      return std::optional<InstanceView>();
    }
    if (!jobs_) return Status::Unavailable("this wharfd runs no service broker client");
    managed = true;
    // A create still in progress is abandoned: deprovisioning it is the orphan mitigation.
    i.last_operation_type = "delete";
    i.last_operation_state = "in progress";
    i.last_operation_description.clear();
    i.broker_operation.reset();
    i.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.UpdateInstance(i));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-instance-delete-requested", TargetOf(i)));
    WHARF_ASSIGN_OR_RETURN(auto view, LoadView(tx, std::move(i)));
    return std::optional<InstanceView>(std::move(view));
  });
  if (out.ok() && managed) Hand({BrokerJob::Kind::kInstance, guid});
  return out;
}

Result<std::vector<state::ServiceBinding>> ServiceInstanceService::ListBindings(
    const std::optional<std::string>& instance_guid, const std::optional<std::string>& app_guid,
    const std::optional<std::string>& type) {
  return db_.Read<std::vector<state::ServiceBinding>>(
      [&](state::Tx& tx) { return state::ServiceStore(tx).ListBindings(instance_guid, app_guid, type); });
}

Result<state::ServiceBinding> ServiceInstanceService::GetBinding(const std::string& guid) {
  return db_.Read<state::ServiceBinding>([&](state::Tx& tx) { return state::ServiceStore(tx).GetBinding(guid); });
}

Result<state::ServiceBinding> ServiceInstanceService::Bind(const Actor& actor, const NewBinding& spec) {
  if (spec.type != "app" && spec.type != "key") return Status::InvalidArgument("type must be 'app' or 'key'");
  if (spec.type == "app" && !spec.app_guid) return Status::InvalidArgument("app_guid is required for an app binding");
  if (spec.type == "key" && spec.app_guid) return Status::InvalidArgument("a service key has no app_guid");
  if (spec.type == "key" && !spec.name) return Status::InvalidArgument("name is required for a service key");
  if (spec.name) {
    WHARF_RETURN_IF_ERROR(ValidateServiceInstanceName(*spec.name, spec.type == "key" ? "key name" : "binding name"));
  }
  if (!spec.parameters.is_object()) return Status::InvalidArgument("parameters must be a JSON object");
  bool managed = false;
  state::ServiceBinding b;
  Result<state::ServiceBinding> out = db_.Transact<state::ServiceBinding>([&](state::Tx& tx)
                                                                              -> Result<state::ServiceBinding> {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(spec.instance_guid));
    std::string app_name;
    if (spec.app_guid) {
      WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(*spec.app_guid));
      if (app.space_guid != i.space_guid) {
        // As in Cloud Foundry (without instance sharing): an app binds to instances of its own space.
        return Status::InvalidArgument("service instance '" + i.name + "' and app '" + app.name +
                                       "' are in different spaces; an app binds only to instances of its space");
      }
      app_name = app.name;
    }
    b.guid = NewGuid();
    b.instance_guid = i.guid;
    b.type = spec.type;
    b.app_guid = spec.app_guid;
    b.name = spec.name;
    b.parameters = spec.parameters;
    b.created_at = b.updated_at = FormatRfc3339(clock_.Now());
    if (i.type == "user-provided") {
      if (spec.type == "key") {
        return Status::Unprocessable("service keys are not supported for user-provided service instances");
      }
      if (!spec.parameters.empty()) {
        return Status::Unprocessable("binding parameters are not supported for user-provided service instances");
      }
      b.credentials = i.credentials;
      b.syslog_drain_url = i.syslog_drain_url;
    } else {
      if (!(i.last_operation_state == "succeeded" || (i.last_operation_type == "update"))) {
        return Status::Unprocessable("service instance '" + i.name + "' is not ready (" + i.last_operation_type +
                                     " " + i.last_operation_state + ")");
      }
      if (InProgress(i)) {
        return Status::Conflict("an operation on service instance '" + i.name + "' is in progress");
      }
      WHARF_ASSIGN_OR_RETURN(auto plan, state::BrokerStore(tx).GetPlan(i.plan_guid.value_or("")));
      WHARF_ASSIGN_OR_RETURN(auto offering, state::BrokerStore(tx).GetOffering(plan.offering_guid));
      if (!plan.bindable.value_or(offering.bindable)) {
        return Status::Unprocessable("service instance '" + i.name + "' is not bindable (plan " + plan.name + ")");
      }
      if (!jobs_) return Status::Unavailable("this wharfd runs no service broker client");
      managed = true;
      b.last_operation_state = "in progress";
    }
    WHARF_RETURN_IF_ERROR(store.InsertBinding(b));
    nlohmann::json data = {{"instance", i.name}};
    if (spec.app_guid) data["app"] = app_name;
    WHARF_RETURN_IF_ERROR(events_.Record(
        tx, actor, spec.type == "key" ? "service-key-created" : "service-binding-created",
        EventTarget{spec.type == "key" ? "service_key" : "service_binding", b.guid,
                    b.name.value_or(i.name), i.space_guid},
        data));
    if (spec.app_guid) LogApi(tx, *spec.app_guid, "Bound service instance " + i.name + " to app " + app_name);
    return store.GetBinding(b.guid);
  });
  if (out.ok() && managed) Hand({BrokerJob::Kind::kBinding, b.guid});
  return out;
}

namespace {

// kConflict while a credential rotation of the app's binding to the instance runs.
Status NotRotating(state::ServiceStore& store, const state::ServiceBinding& b, const state::ServiceInstance& i) {
  if (!b.app_guid) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(auto rotation, store.ActiveRotationOf(*b.app_guid, b.instance_guid));
  if (rotation) {
    return Status::Conflict("the credentials of service instance '" + i.name + "' for app '" + b.app_name +
                            "' are being rotated (" + rotation->state + "); wait for the rotation to end");
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<state::ServiceBinding>> ServiceInstanceService::Unbind(const Actor& actor, const std::string& guid,
                                                                            bool by_rotation) {
  bool managed = false;
  auto out = db_.Transact<std::optional<state::ServiceBinding>>([&](state::Tx& tx)
                                                                    -> Result<std::optional<state::ServiceBinding>> {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto b, store.GetBinding(guid));
    WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(b.instance_guid));
    if (!by_rotation) WHARF_RETURN_IF_ERROR(NotRotating(store, b, i));
    EventTarget target{b.type == "key" ? "service_key" : "service_binding", b.guid, b.name.value_or(i.name),
                       i.space_guid};
    if (b.last_operation_state == "in progress" && b.last_operation_type == "delete") {
      return std::optional<state::ServiceBinding>(b);  // already being deleted
    }
    if (i.type == "user-provided") {
      WHARF_RETURN_IF_ERROR(store.DeleteBinding(guid));
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, b.type == "key" ? "service-key-deleted" : "service-binding-deleted",
                                           target, {{"instance", i.name}}));
      if (b.app_guid) LogApi(tx, *b.app_guid, "Unbound service instance " + i.name + " from app " + b.app_name);
      return std::optional<state::ServiceBinding>();
    }
    if (!jobs_) return Status::Unavailable("this wharfd runs no service broker client");
    managed = true;
    b.last_operation_type = "delete";
    b.last_operation_state = "in progress";
    b.last_operation_description.clear();
    b.broker_operation.reset();
    b.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.UpdateBinding(b));
    WHARF_RETURN_IF_ERROR(events_.Record(
        tx, actor, b.type == "key" ? "service-key-delete-requested" : "service-binding-delete-requested", target,
        {{"instance", i.name}}));
    b.credentials = nlohmann::json::object();
    return std::optional<state::ServiceBinding>(b);
  });
  if (out.ok() && managed) Hand({BrokerJob::Kind::kBinding, guid});
  return out;
}

Status ServiceInstanceService::UnbindApp(const Actor& actor, const std::string& app_guid,
                                         std::chrono::milliseconds timeout) {
  WHARF_ASSIGN_OR_RETURN(auto bindings, ListBindings(std::nullopt, app_guid, std::string("app")));
  Result<bool> not_rotating = db_.Read<bool>([&](state::Tx& tx) -> Result<bool> {
    state::ServiceStore store(tx);
    for (const state::ServiceBinding& b : bindings) {
      WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(b.instance_guid));
      WHARF_RETURN_IF_ERROR(NotRotating(store, b, i));
    }
    return true;
  });
  if (!not_rotating.ok()) return not_rotating.status();
  std::vector<std::string> waiting;  // managed ones, being unbound by the BrokerJobs
  for (const state::ServiceBinding& b : bindings) {
    auto r = Unbind(actor, b.guid);
    if (!r.ok()) {
      return r.status().WithContext("unbinding service instance '" + b.instance_name + "' from app '" +
                                    b.app_name + "'");
    }
    if (*r) waiting.push_back(b.guid);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string failed, pending;
    for (const std::string& guid : waiting) {
      Result<state::ServiceBinding> b = GetBinding(guid);
      if (!b.ok()) {
        if (b.status().code() == StatusCode::kNotFound) continue;  // unbound at its broker and removed
        return b.status();
      }
      if (b->last_operation_state == "failed") {
        failed += (failed.empty() ? "" : "; ") + b->instance_name + ": " + b->last_operation_description;
      } else {
        pending += (pending.empty() ? "" : ", ") + b->instance_name;
      }
    }
    if (!failed.empty()) {
      return Status::Unavailable("the broker did not unbind the app from service instance(s) " + failed +
                                 "; the app was not deleted (try again, or 'wharf unbind-service')");
    }
    if (pending.empty()) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("unbinding the app from service instance(s) " + pending +
                                 " is still in progress at the broker; the app was not deleted (try again later)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace wharf::controller
