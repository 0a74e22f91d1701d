#include "controller/services/marketplace/credential_rotation_service.h"

#include <cstdio>
#include <ctime>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"
#include "state/platform/broker_store.h"
#include "state/platform/service_store.h"

namespace wharf::controller {

using state::ServiceBinding;
using state::ServiceRotation;
using state::ServiceStore;
using state::Tx;

namespace {

bool Final(const std::string& state) { return state == "succeeded" || state == "failed"; }

// Seconds since the epoch of an RFC 3339 UTC time as FormatRfc3339 writes it ("2026-11-26T08:35:47Z").
std::optional<std::int64_t> EpochSeconds(const std::string& text) {
  std::tm tm{};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::int64_t SecondsBetween(const std::string& from, const std::string& to) {
  std::optional<std::int64_t> a = EpochSeconds(from), b = EpochSeconds(to);
  return a && b ? *b - *a : 0;
}

}  // namespace

Result<state::ServiceRotation> CredentialRotationService::Start(const Actor& actor, const std::string& binding_guid) {
  if (!jobs_) return Status::Unavailable("this wharfd runs no service broker client");
  state::ServiceRotation r;
  Result<state::ServiceRotation> out = db_.Transact<state::ServiceRotation>([&](state::Tx& tx)
                                                                                -> Result<state::ServiceRotation> {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto old, store.GetBinding(binding_guid));
    if (old.type != "app" || !old.app_guid) {
      return Status::Unprocessable("service binding '" + old.guid +
                                   "' is a service key; create a new key and delete the old one instead");
    }
    Result<state::ServiceInstance> instance = store.GetInstance(old.instance_guid);
    if (!instance.ok()) return instance.status();
    if (instance->type != "managed") {
      return Status::Unprocessable("service instance '" + instance->name +
                                   "' is user-provided: its credentials are the ones you gave; change them with "
                                   "'wharf update-user-provided-service' and rebind");
    }
    WHARF_ASSIGN_OR_RETURN(auto active, store.ActiveRotationOf(*old.app_guid, old.instance_guid));
    if (active) {
      return Status::Conflict("the credentials of service instance '" + instance->name + "' for app '" +
                              old.app_name + "' are already being rotated (" + active->state + ")");
    }
    if (old.replaces || old.last_operation_type != "create" || old.last_operation_state != "succeeded") {
      return Status::Unprocessable("the binding of service instance '" + instance->name + "' to app '" +
                                   old.app_name + "' is not ready (" + old.last_operation_type + " " +
                                   old.last_operation_state + ")");
    }
    WHARF_ASSIGN_OR_RETURN(auto siblings, store.ListBindings(old.instance_guid, old.app_guid, std::string("app")));
    for (const state::ServiceBinding& b : siblings) {
      if (b.replaces == old.guid) {  // left by an earlier rotation that failed: that one is the app's binding
        return Status::Unprocessable("service binding '" + old.guid + "' was replaced by '" + b.guid +
                                     "' in an earlier rotation; rotate that one");
      }
    }
    if (instance->last_operation_state == "in progress") {
      return Status::Conflict("an operation on service instance '" + instance->name + "' is in progress");
    }
    Result<state::App> app = state::AppStore(tx).Get(*old.app_guid);
    if (!app.ok()) return app.status();
    WHARF_ASSIGN_OR_RETURN(auto deployment, state::DeploymentStore(tx).Active(app->guid));
    if (deployment) {
      return Status::Conflict("app '" + app->name + "' has an active deployment (" + deployment->state +
                              "); wait for it, or continue or cancel it, first");
    }
    state::ServiceBinding fresh;
    fresh.guid = NewGuid();
    fresh.instance_guid = old.instance_guid;
    fresh.type = "app";
    fresh.app_guid = old.app_guid;
    fresh.name = old.name;
    fresh.parameters = old.parameters;
    fresh.last_operation_type = "create";
    fresh.last_operation_state = "in progress";
    fresh.replaces = old.guid;
    const std::string now = FormatRfc3339(clock_.Now());
    fresh.created_at = fresh.updated_at = now;
    WHARF_RETURN_IF_ERROR(store.InsertBinding(fresh));
    r.guid = NewGuid();
    r.app_guid = app->guid;
    r.instance_guid = instance->guid;
    r.old_binding_guid = old.guid;
    r.new_binding_guid = fresh.guid;
    r.state = "binding";
    r.description = "the broker makes new credentials";
    r.created_at = r.updated_at = now;
    WHARF_RETURN_IF_ERROR(store.InsertRotation(r));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-credentials-rotation-started",
                                         EventTarget{"app", app->guid, app->name, app->space_guid},
                                         {{"rotation", r.guid},
                                          {"instance", instance->name},
                                          {"old_binding", old.guid},
                                          {"new_binding", fresh.guid}}));
    tx.OnCommit([this, app_guid = app->guid, name = instance->name] {
      logs_.Append(app_guid, "API/0", "OUT", "Rotating the credentials of service instance " + name +
                                                 ": new binding requested from the broker");
    });
    return r;
  });
  if (out.ok()) jobs_->Enqueue({BrokerJob::Kind::kBinding, out->new_binding_guid});
  return out;
}

Result<state::ServiceRotation> CredentialRotationService::Get(const std::string& guid) {
  return db_.Read<state::ServiceRotation>([&](state::Tx& tx) { return state::ServiceStore(tx).GetRotation(guid); });
}

Status CredentialRotationService::Tick(const OldInstancesLeft& old_instances_left) {
  auto active = db_.Read<std::vector<state::ServiceRotation>>(
      [](state::Tx& tx) { return state::ServiceStore(tx).ActiveRotations(); });
  if (!active.ok()) return active.status();
  Status first = Status::Ok();
  for (const state::ServiceRotation& r : *active) {
    Status s = Step(r, old_instances_left);
    if (!s.ok()) {
      events_.Log("service-credentials-rotation-step-failed", {{"rotation", r.guid}, {"error", s.ToString()}});
      if (first.ok()) first = s;
    }
  }
  return first;
}

Status CredentialRotationService::Move(const state::ServiceRotation& from, const std::string& state,
                                       const std::string& description, std::optional<std::string> deployment_guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::ServiceStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto r, store.GetRotation(from.guid));
    if (r.state != from.state) return Status::Ok();  // moved on meanwhile
    r.state = state;
    r.description = description;
    if (deployment_guid) r.deployment_guid = deployment_guid;
    r.updated_at = FormatRfc3339(clock_.Now());
    if (state == "succeeded") {
      // The old binding is gone: the new one is the app's binding now.
      WHARF_ASSIGN_OR_RETURN(auto fresh, store.GetBinding(r.new_binding_guid));
      fresh.replaces.reset();
      fresh.updated_at = r.updated_at;
      WHARF_RETURN_IF_ERROR(store.UpdateBinding(fresh));
    }
    WHARF_RETURN_IF_ERROR(store.UpdateRotation(r));
    Result<state::App> app = state::AppStore(tx).Get(r.app_guid);
    if (!app.ok()) return app.status();
    Result<state::ServiceInstance> instance = store.GetInstance(r.instance_guid);
    const std::string instance_name = instance.ok() ? instance->name : r.instance_guid;
    std::string line = "Rotating the credentials of service instance " + instance_name + ": " + description;
    if (Final(state)) {
      const std::int64_t took = SecondsBetween(r.created_at, r.updated_at);
      WHARF_RETURN_IF_ERROR(events_.Record(
          tx, Actor::System(), state == "succeeded" ? "service-credentials-rotated" : "service-credentials-rotation-failed",
          EventTarget{"app", app->guid, app->name, app->space_guid},
          {{"rotation", r.guid},
           {"instance", instance_name},
           {"old_binding", r.old_binding_guid},
           {"new_binding", r.new_binding_guid},
           {"description", description},
           {"duration_seconds", took}}));
      line = state == "succeeded"
                 ? "Rotated the credentials of service instance " + instance_name + " in about " +
                       std::to_string(took) + "s; the old ones are revoked"
                 : "Rotating the credentials of service instance " + instance_name + " failed: " + description;
    }
    tx.OnCommit([this, app_guid = app->guid, line] { logs_.Append(app_guid, "API/0", "OUT", line); });
    return Status::Ok();
  });
}

Status CredentialRotationService::Step(const state::ServiceRotation& r, const OldInstancesLeft& old_instances_left) {
  struct Facts {
    std::optional<state::ServiceBinding> fresh, old;
    std::optional<state::App> app;
    std::optional<state::DeploymentRecord> deployment;
  };
  Result<Facts> facts = db_.Read<Facts>([&](state::Tx& tx) -> Result<Facts> {
    Facts f;
    state::ServiceStore store(tx);
    for (auto [guid, out] : {std::pair{&r.new_binding_guid, &f.fresh}, std::pair{&r.old_binding_guid, &f.old}}) {
      Result<state::ServiceBinding> b = store.GetBinding(*guid);
      if (b.ok()) {
        *out = std::move(b).value();
      } else if (b.status().code() != StatusCode::kNotFound) {
        return b.status();
      }
    }
    Result<state::App> app = state::AppStore(tx).Get(r.app_guid);
    if (app.ok()) {
      f.app = std::move(app).value();
    } else if (app.status().code() != StatusCode::kNotFound) {
      return app.status();
    }
    if (r.deployment_guid) {
      Result<state::DeploymentRecord> d = state::DeploymentStore(tx).Get(*r.deployment_guid);
      if (d.ok()) f.deployment = std::move(d).value();
    }
    return f;
  });
  if (!facts.ok()) return facts.status();
  if (!facts->app) return Move(r, "failed", "the app was deleted");

  // Asks the broker to revoke the old credentials.
  auto unbind_old = [&]() -> Status {
    if (facts->old) {
      auto unbound = instances_.Unbind(Actor::System(), r.old_binding_guid, /*by_rotation=*/true);
      if (!unbound.ok() && unbound.status().code() != StatusCode::kNotFound) {
        return Move(r, "failed", "the old credentials could not be revoked: " + unbound.status().message());
      }
    }
    return Move(r, "unbinding", "the broker revokes the old credentials");
  };

  if (r.state == "binding") {
    if (!facts->fresh || facts->fresh->last_operation_type == "delete") {
      return Move(r, "failed", "the new binding was removed; the app keeps its old credentials");
    }
    if (facts->fresh->last_operation_state == "in progress") return Status::Ok();
    if (facts->fresh->last_operation_state == "failed") {
      // The broker made nothing the platform keeps (its client's orphan mitigation ran): drop the row.
      Status dropped = db_.Transact([&](state::Tx& tx) -> Status {
        Status s = state::ServiceStore(tx).DeleteBinding(r.new_binding_guid);
        return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
      });
      if (!dropped.ok()) return dropped;
      return Move(r, "failed",
                  "the broker did not make new credentials (" + facts->fresh->last_operation_description +
                      "); the app keeps its old ones");
    }
    if (facts->app->state != state::AppState::kStarted) return unbind_old();  // nothing runs on the old credentials
    DeploymentRequest rolling;
    rolling.strategy = deployments::Strategy::kRolling;
    rolling.max_in_flight = 1;
    auto deployed = deployments_.Create(Actor::System(), r.app_guid, rolling);
    if (!deployed.ok()) {
      if (deployed.status().code() == StatusCode::kConflict) return Status::Ok();  // another deployment: wait for it
      return Move(r, "failed", "the rolling restart could not start: " + deployed.status().message() +
                                   "; both credentials stay valid");
    }
    if (!*deployed) return unbind_old();  // the app was not running after all
    return Move(r, "restarting", "new credentials ready; the instances restart onto them one at a time",
                (*deployed)->guid);
  }

  if (r.state == "restarting") {
    if (!facts->deployment) return Move(r, "failed", "the rolling restart's deployment is gone");
    const std::string& state = facts->deployment->state;
    if (state == "DEPLOYED") return Move(r, "draining", "every instance runs on the new credentials; the old ones drain");
    if (state == "FAILED" || state == "CANCELED") {
      return Move(r, "failed",
                  "the rolling restart ended " + state +
                      (facts->deployment->reason.empty() ? "" : " (" + facts->deployment->reason + ")") +
                      "; the old and the new credentials both stay valid (restart the app, then unbind the old "
                      "binding or rotate again)");
    }
    return Status::Ok();
  }

  if (r.state == "draining") {
    WHARF_ASSIGN_OR_RETURN(auto left, old_instances_left(r.app_guid));
    if (left && *left) return Status::Ok();
    return unbind_old();
  }

  if (r.state == "unbinding") {
    if (!facts->old) return Move(r, "succeeded", "the old credentials are revoked");
    if (facts->old->last_operation_state == "failed") {
      return Move(r, "failed",
                  "the broker did not revoke the old credentials (" + facts->old->last_operation_description +
                      "); unbind them again with 'wharf curl -X DELETE /v1/service_bindings/" + r.old_binding_guid +
                      "'");
    }
    return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace wharf::controller
