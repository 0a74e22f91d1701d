#include "controller/services/marketplace/service_operations.h"

#include "state/platform/user_store.h"

#include "services/osb_client.h"
#include "state/platform/broker_store.h"
#include "state/platform/service_store.h"

namespace wharf::controller {

using state::ServiceBinding;
using state::ServiceInstance;
using state::ServiceStore;
using state::Tx;

namespace {

// What a call to the broker about one instance needs.
struct BrokerContext {
  services::BrokerEndpoint endpoint;
  services::OsbTarget target;
  std::chrono::seconds max_polling{0};
};

Result<BrokerContext> ContextFor(state::Tx& tx, const std::string& plan_guid, const ServiceOperationsOptions& options) {
  state::BrokerStore catalog(tx);
  WHARF_ASSIGN_OR_RETURN(auto plan, catalog.GetPlan(plan_guid));
  WHARF_ASSIGN_OR_RETURN(auto offering, catalog.GetOffering(plan.offering_guid));
  WHARF_ASSIGN_OR_RETURN(auto broker, catalog.GetBroker(offering.broker_guid));
  BrokerContext c;
  c.endpoint = {broker.url, broker.username, broker.password, options.broker_timeout};
  c.target = {offering.broker_id, plan.broker_id};
  c.max_polling = plan.maximum_polling_duration ? std::chrono::seconds(*plan.maximum_polling_duration)
                                                 : options.max_polling_duration;
  return c;
}

EventTarget TargetOf(const state::ServiceInstance& i) {
  return EventTarget{"service_instance", i.guid, i.name, i.space_guid};
}

}  // namespace

ServiceOperations::ServiceOperations(state::Database& db, const Clock& clock, EventRecorder& events,
                                     const PlatformInfo& platform, ServiceOperationsOptions options)
    : db_(db), clock_(clock), events_(events), platform_(platform), options_(options) {
  worker_ = std::thread([this] { Loop(); });
}

ServiceOperations::~ServiceOperations() { Stop(); }

void ServiceOperations::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ServiceOperations::Enqueue(const BrokerJob& job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(job);
  }
  cv_.notify_all();
}

Status ServiceOperations::Resume() {
  auto instances = db_.Read<std::vector<state::ServiceInstance>>(
      [](state::Tx& tx) { return state::ServiceStore(tx).InstancesInProgress(); });
  if (!instances.ok()) return instances.status();
  for (const state::ServiceInstance& i : *instances) Enqueue({BrokerJob::Kind::kInstance, i.guid});
  auto bindings = db_.Read<std::vector<state::ServiceBinding>>(
      [](state::Tx& tx) { return state::ServiceStore(tx).BindingsInProgress(); });
  if (!bindings.ok()) return bindings.status();
  for (const state::ServiceBinding& b : *bindings) Enqueue({BrokerJob::Kind::kBinding, b.guid});
  return Status::Ok();
}

void ServiceOperations::Loop() {
  for (;;) {
    BrokerJob job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
    }
    if (job.kind == BrokerJob::Kind::kInstance) {
      RunInstance(job.guid);
    } else {
      RunBinding(job.guid);
    }
  }
}

void ServiceOperations::RunInstance(const std::string& guid) {
  Result<state::ServiceInstance> row =
      db_.Read<state::ServiceInstance>([&](state::Tx& tx) { return state::ServiceStore(tx).GetInstance(guid); });
  if (!row.ok() || row->last_operation_state != "in progress" || row->type != "managed") return;
  const std::string op_type = row->last_operation_type;
  std::string plan_guid = row->plan_guid.value_or("");
  nlohmann::json parameters = row->parameters;
  // The org of the instance's space, for the broker's provision request.
  std::string org_guid = platform_.tenancy.org.guid;
  (void)db_.Read([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::Space space, state::UserStore(tx).GetSpace(row->space_guid));
    org_guid = space.org_guid;
    return Status::Ok();
  });
  nlohmann::json update = parameters.contains("_update") ? parameters["_update"] : nlohmann::json::object();
  parameters.erase("_update");
  if (op_type == "update" && update.contains("plan_guid")) plan_guid = update["plan_guid"].get<std::string>();
  Result<BrokerContext> ctx =
      db_.Read<BrokerContext>([&](state::Tx& tx) { return ContextFor(tx, plan_guid, options_); });
  Result<BrokerContext> previous =
      db_.Read<BrokerContext>([&](state::Tx& tx) { return ContextFor(tx, row->plan_guid.value_or(""), options_); });

  // Records the outcome in one transaction, unless the row changed meanwhile.
  auto finish = [&](const std::string& state, const std::string& description,
                    const std::function<void(state::ServiceInstance&)>& apply) {
    Status s = db_.Transact([&](state::Tx& tx) -> Status {
      state::ServiceStore store(tx);
      WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(guid));
      if (i.last_operation_type != op_type || i.last_operation_state != "in progress") return Status::Ok();
      if (op_type == "delete" && state == "succeeded") {
        WHARF_RETURN_IF_ERROR(store.DeleteInstance(guid));
        return events_.Record(tx, Actor::System(), "service-instance-deleted", TargetOf(i));
      }
      i.last_operation_state = state;
      i.last_operation_description = description;
      i.broker_operation.reset();
      if (apply) apply(i);
      i.updated_at = FormatRfc3339(clock_.Now());
      WHARF_RETURN_IF_ERROR(store.UpdateInstance(i));
      return events_.Record(tx, Actor::System(), "service-instance-" + op_type + (state == "succeeded" ? "d" : "-failed"),
                            TargetOf(i), {{"description", description}});
    });
    if (!s.ok()) events_.Log("service-operation-not-recorded", {{"instance", guid}, {"error", s.ToString()}});
  };
  if (!ctx.ok()) return finish("failed", ctx.status().message(), nullptr);
  services::OsbClient client(ctx->endpoint);

  auto poll = [&](const std::string& operation) -> Result<services::LastOperation> {
    // Remember the handle, so a restart resumes polling instead of starting over.
    (void)db_.Transact([&](state::Tx& tx) -> Status {
      state::ServiceStore store(tx);
      WHARF_ASSIGN_OR_RETURN(auto i, store.GetInstance(guid));
      i.broker_operation = operation;
      return store.UpdateInstance(i);
    });
    auto once = [&] { return client.InstanceLastOperation(guid, ctx->target, operation); };
    auto sleep = [&](std::chrono::milliseconds d) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, d, [&] { return stopping_; });
    };
    return services::PollLastOperation(once, sleep, options_.poll_interval, ctx->max_polling);
  };

  if (op_type == "create") {
    services::OsbOutcome resumed;  // a restart while the broker was working: poll its operation again
    resumed.async = true;
    resumed.operation = row->broker_operation.value_or("");
    Result<services::OsbOutcome> out =
        row->broker_operation ? Result<services::OsbOutcome>(resumed)
                              : client.Provision(guid, ctx->target, parameters, org_guid, row->space_guid);
    if (!out.ok()) return finish("failed", out.status().message(), nullptr);
    std::string dashboard = out->dashboard_url;
    if (out->async) {
      Result<services::LastOperation> done = poll(out->operation);
      if (!done.ok()) {
        (void)client.Deprovision(guid, ctx->target);  // orphan mitigation: the platform gives up on it
        return finish("failed", done.status().message(), nullptr);
      }
      if (done->state != "succeeded") return finish("failed", done->description, nullptr);
    }
    return finish("succeeded", "", [&](state::ServiceInstance& i) { i.dashboard_url = dashboard; });
  }
  if (op_type == "delete") {
    Result<services::OsbOutcome> out = client.Deprovision(guid, ctx->target);
    if (!out.ok()) return finish("failed", out.status().message(), nullptr);
    if (out->async) {
      Result<services::LastOperation> done = poll(out->operation);
      if (!done.ok()) return finish("failed", done.status().message(), nullptr);
      if (done->state == "failed") return finish("failed", done->description, nullptr);
    }
    return finish("succeeded", "", nullptr);
  }
  if (op_type == "update") {
    if (!previous.ok()) return finish("failed", previous.status().message(), nullptr);
    nlohmann::json new_parameters = update.value("parameters", nlohmann::json::object());
    Result<services::OsbOutcome> out = client.Update(guid, ctx->target, previous->target.plan_id, new_parameters);
    if (!out.ok())
      return finish("failed", out.status().message(), [](state::ServiceInstance& i) { i.parameters.erase("_update"); });
    if (out->async) {
      Result<services::LastOperation> done = poll(out->operation);
      if (!done.ok() || done->state != "succeeded") {
        return finish("failed", done.ok() ? done->description : done.status().message(),
                      [](state::ServiceInstance& i) { i.parameters.erase("_update"); });
      }
    }
    return finish("succeeded", "", [&](state::ServiceInstance& i) {
      i.plan_guid = plan_guid;
      i.parameters = update.contains("parameters") ? update["parameters"] : parameters;
    });
  }
}

void ServiceOperations::RunBinding(const std::string& guid) {
  Result<state::ServiceBinding> row =
      db_.Read<state::ServiceBinding>([&](state::Tx& tx) { return state::ServiceStore(tx).GetBinding(guid); });
  if (!row.ok() || row->last_operation_state != "in progress") return;
  const std::string op_type = row->last_operation_type;
  Result<BrokerContext> ctx = db_.Read<BrokerContext>([&](state::Tx& tx) -> Result<BrokerContext> {
    WHARF_ASSIGN_OR_RETURN(auto i, state::ServiceStore(tx).GetInstance(row->instance_guid));
    return ContextFor(tx, i.plan_guid.value_or(""), options_);
  });
  auto finish = [&](const std::string& state, const std::string& description, const services::OsbOutcome* bound) {
    Status s = db_.Transact([&](state::Tx& tx) -> Status {
      state::ServiceStore store(tx);
      WHARF_ASSIGN_OR_RETURN(auto b, store.GetBinding(guid));
      if (b.last_operation_type != op_type || b.last_operation_state != "in progress") return Status::Ok();
      EventTarget target{b.type == "key" ? "service_key" : "service_binding", b.guid,
                         b.name.value_or(b.instance_name), std::nullopt};
      if (op_type == "delete" && state == "succeeded") {
        WHARF_RETURN_IF_ERROR(store.DeleteBinding(guid));
        return events_.Record(tx, Actor::System(), b.type == "key" ? "service-key-deleted" : "service-binding-deleted",
                              target);
      }
      b.last_operation_state = state;
      b.last_operation_description = description;
      b.broker_operation.reset();
      if (bound) {
        b.credentials = bound->credentials;
        b.syslog_drain_url = bound->syslog_drain_url;
        b.volume_mounts = bound->volume_mounts;
      }
      b.updated_at = FormatRfc3339(clock_.Now());
      WHARF_RETURN_IF_ERROR(store.UpdateBinding(b));
      if (state == "failed") {
        return events_.Record(tx, Actor::System(), "service-binding-" + op_type + "-failed", target,
                              {{"description", description}});
      }
      return Status::Ok();
    });
    if (!s.ok()) events_.Log("service-operation-not-recorded", {{"binding", guid}, {"error", s.ToString()}});
  };
  if (!ctx.ok()) return finish("failed", ctx.status().message(), nullptr);
  services::OsbClient client(ctx->endpoint);
  auto sleep = [&](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, d, [&] { return stopping_; });
  };
  if (op_type == "create") {
    Result<services::OsbOutcome> out =
        client.Bind(row->instance_guid, guid, ctx->target, row->app_guid.value_or(""), row->parameters);
    if (!out.ok()) return finish("failed", out.status().message(), nullptr);
    if (out->async) {
      auto once = [&] { return client.BindingLastOperation(row->instance_guid, guid, ctx->target, out->operation); };
      Result<services::LastOperation> done =
          services::PollLastOperation(once, sleep, options_.poll_interval, ctx->max_polling);
      if (!done.ok() || done->state != "succeeded") {
        if (!done.ok()) (void)client.Unbind(row->instance_guid, guid, ctx->target);
        return finish("failed", done.ok() ? done->description : done.status().message(), nullptr);
      }
      Result<services::OsbOutcome> fetched = client.FetchBinding(row->instance_guid, guid);
      if (!fetched.ok()) return finish("failed", fetched.status().message(), nullptr);
      return finish("succeeded", "", &*fetched);
    }
    return finish("succeeded", "", &*out);
  }
  if (op_type == "delete") {
    Result<services::OsbOutcome> out = client.Unbind(row->instance_guid, guid, ctx->target);
    if (!out.ok()) return finish("failed", out.status().message(), nullptr);
    if (out->async) {
      auto once = [&] { return client.BindingLastOperation(row->instance_guid, guid, ctx->target, out->operation); };
      Result<services::LastOperation> done =
          services::PollLastOperation(once, sleep, options_.poll_interval, ctx->max_polling);
      if (!done.ok()) return finish("failed", done.status().message(), nullptr);
      if (done->state == "failed") return finish("failed", done->description, nullptr);
    }
    return finish("succeeded", "", nullptr);
  }
}

}  // namespace wharf::controller
