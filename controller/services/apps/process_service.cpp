#include "controller/services/apps/process_service.h"

#include "common/ids.h"
#include "state/apps/app_store.h"

namespace wharf::controller {
namespace {

Status Range(std::string_view field, long value, long min, long max) {
  if (value < min || value > max) {
    return Status::InvalidArgument(std::string(field) + " must be from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", got " + std::to_string(value));
  }
  return Status::Ok();
}

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

}  // namespace

Status ValidateProcessType(std::string_view type) {
  if (type.empty() || type.size() > 63) return Status::InvalidArgument("process type must be 1-63 characters");
  for (char c : type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("process type '" + std::string(type) +
                                     "' may contain only letters, digits, '_' and '-'");
    }
  }
  return Status::Ok();
}

Status ValidateProcess(const state::Process& p) {
  WHARF_RETURN_IF_ERROR(ValidateProcessType(p.type));
  WHARF_RETURN_IF_ERROR(Range("instances", p.instances, 0, 1000));
  WHARF_RETURN_IF_ERROR(Range("memory_in_mb", p.memory_in_mb, 1, 1 << 20));
  WHARF_RETURN_IF_ERROR(Range("disk_in_mb", p.disk_in_mb, 1, 1 << 20));
  if (p.log_rate_limit < -1) {
    return Status::InvalidArgument("field 'log_rate_limit_in_bytes_per_second' must be -1 (unlimited) or 0 or more, not " +
                                   std::to_string(p.log_rate_limit));
  }
  WHARF_RETURN_IF_ERROR(Range("health_check.invocation_timeout", p.health_check.invocation_timeout, 1, 180));
  WHARF_RETURN_IF_ERROR(Range("health_check.timeout", p.health_check.timeout, 1, 180));
  if (p.command && (p.command->empty() || p.command->size() > 4096)) {
    return Status::InvalidArgument("command must be 1-4096 characters, or null for the droplet's command");
  }
  const auto& endpoint = p.health_check.endpoint;
  if (p.health_check.type == HealthCheckType::kHttp) {
    if (endpoint && (endpoint->empty() || endpoint->front() != '/' || endpoint->size() > 1024)) {
      return Status::InvalidArgument("health_check.endpoint must be a path starting with '/'");
    }
  } else if (endpoint) {
    return Status::InvalidArgument("health_check.endpoint is only for the 'http' health check type");
  }
  const state::ReadinessCheck& ready = p.readiness_check;
  WHARF_RETURN_IF_ERROR(Range("readiness_check.invocation_timeout", ready.invocation_timeout, 1, 180));
  WHARF_RETURN_IF_ERROR(Range("readiness_check.interval", ready.interval, 1, 3600));
  if (ready.type == HealthCheckType::kHttp) {
    if (ready.endpoint && (ready.endpoint->empty() || ready.endpoint->front() != '/' || ready.endpoint->size() > 1024)) {
      return Status::InvalidArgument("readiness_check.endpoint must be a path starting with '/'");
    }
  } else if (ready.endpoint) {
    return Status::InvalidArgument("readiness_check.endpoint is only for the 'http' readiness check type");
  }
  return Status::Ok();
}

Result<std::vector<state::Process>> ProcessService::ListForApp(const std::string& app_guid) {
  return db_.Read<std::vector<state::Process>>([&](state::Tx& tx) -> Result<std::vector<state::Process>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    return state::ProcessStore(tx).ListForApp(app_guid);
  });
}

Result<state::Process> ProcessService::GetByType(const std::string& app_guid, const std::string& type) {
  return db_.Read<state::Process>([&](state::Tx& tx) -> Result<state::Process> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    WHARF_ASSIGN_OR_RETURN(auto p, state::ProcessStore(tx).Find(app_guid, type));
    if (!p) return Status::NotFound("app '" + app.name + "' has no process of type '" + type + "'");
    return std::move(*p);
  });
}

Result<state::Process> ProcessService::Get(const std::string& guid) {
  return db_.Read<state::Process>([&](state::Tx& tx) { return state::ProcessStore(tx).Get(guid); });
}

Result<state::Process> ProcessService::Put(const Actor& actor, const std::string& app_guid, const std::string& type,
                                           const ProcessSpec& spec) {
  WHARF_RETURN_IF_ERROR(ValidateProcessType(type));
  std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<state::Process>([&](state::Tx& tx) -> Result<state::Process> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    state::ProcessStore processes(tx);
    WHARF_ASSIGN_OR_RETURN(auto existing, processes.Find(app_guid, type));
    state::Process p;  // the defaults
    p.app_guid = app_guid;
    p.type = type;
    p.guid = existing ? existing->guid : NewGuid();
    p.created_at = existing ? existing->created_at : now;
    p.updated_at = now;
    p.command = spec.command;
    if (spec.instances) p.instances = *spec.instances;
    if (spec.memory_in_mb) p.memory_in_mb = *spec.memory_in_mb;
    if (spec.disk_in_mb) p.disk_in_mb = *spec.disk_in_mb;
    if (spec.log_rate_limit) p.log_rate_limit = *spec.log_rate_limit;
    p.health_check.type = DefaultHealthCheckType(type);
    if (spec.health_check) p.health_check = *spec.health_check;
    if (spec.readiness_check) p.readiness_check = *spec.readiness_check;
    WHARF_RETURN_IF_ERROR(ValidateProcess(p));
    WHARF_RETURN_IF_ERROR(CheckFitsWith(tx, app, p));
    WHARF_RETURN_IF_ERROR(existing ? processes.Update(p) : processes.Insert(p));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, existing ? "process-updated" : "process-created", TargetOf(app),
                                         {{"process_type", type}, {"instances", p.instances}}));
    return p;
  });
}

Status ProcessService::CheckFitsWith(state::Tx& tx, const state::App& app, const state::Process& changed) {
  if (app.state != state::AppState::kStarted) return Status::Ok();  // checked when it starts
  WHARF_ASSIGN_OR_RETURN(std::vector<state::Process> rows, state::ProcessStore(tx).ListForApp(app.guid));
  bool replaced = false;
  for (state::Process& row : rows) {
    if (row.type == changed.type) {
      row = changed;
      replaced = true;
    }
  }
  if (!replaced) rows.push_back(changed);
  return CheckCellFits(tx, capacity_, app, /*starts=*/false, rows);
}

Result<state::Process> ProcessService::Modify(const Actor& actor, const std::string& guid, std::string_view event,
                                              const std::function<nlohmann::json(state::Process&)>& mutate) {
  return db_.Transact<state::Process>([&](state::Tx& tx) -> Result<state::Process> {
    state::ProcessStore processes(tx);
    WHARF_ASSIGN_OR_RETURN(auto p, processes.Get(guid));
    nlohmann::json data = mutate(p);
    WHARF_RETURN_IF_ERROR(ValidateProcess(p));
    p.updated_at = FormatRfc3339(clock_.Now());
    Result<state::App> app = state::AppStore(tx).Get(p.app_guid);
    if (!app.ok()) return app.status();
    WHARF_RETURN_IF_ERROR(CheckFitsWith(tx, *app, p));
    WHARF_RETURN_IF_ERROR(processes.Update(p));
    data["process_type"] = p.type;
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, event, TargetOf(*app), data));
    std::string message = "Updated process with guid " + p.guid + " (" + data.dump() + ")";
    tx.OnCommit([this, app_guid = app->guid, message] { logs_.Append(app_guid, "API/0", "OUT", message); });
    return p;
  });
}

Result<state::Process> ProcessService::Patch(const Actor& actor, const std::string& guid, const ProcessPatch& patch) {
  return Modify(actor, guid, "process-updated", [&](state::Process& p) {
    nlohmann::json data = nlohmann::json::object();
    if (patch.command) {
      p.command = *patch.command;
      data["command"] = "[PRIVATE DATA HIDDEN]";
    }
    if (patch.health_check) {
      p.health_check = *patch.health_check;
      data["health_check_type"] = std::string(HealthCheckTypeName(patch.health_check->type));
    }
    if (patch.readiness_check) {
      p.readiness_check = *patch.readiness_check;
      data["readiness_check_type"] = std::string(HealthCheckTypeName(patch.readiness_check->type));
    }
    return data;
  });
}

Result<state::Process> ProcessService::Scale(const Actor& actor, const std::string& guid, const ScaleRequest& request) {
  return Modify(actor, guid, "process-scaled", [&](state::Process& p) {
    nlohmann::json data = nlohmann::json::object();
    if (request.instances) data["instances"] = p.instances = *request.instances;
    if (request.memory_in_mb) data["memory_in_mb"] = p.memory_in_mb = *request.memory_in_mb;
    if (request.disk_in_mb) data["disk_in_mb"] = p.disk_in_mb = *request.disk_in_mb;
    if (request.log_rate_limit) {
      data["log_rate_limit_in_bytes_per_second"] = p.log_rate_limit = *request.log_rate_limit;
    }
    return data;
  });
}

Status ProcessService::Delete(const Actor& actor, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::ProcessStore processes(tx);
    WHARF_ASSIGN_OR_RETURN(auto p, processes.Get(guid));
    if (p.type == "web") return Status::Conflict("the web process cannot be deleted; scale it to 0 instead");
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(p.app_guid));
    WHARF_RETURN_IF_ERROR(processes.Delete(guid));
    return events_.Record(tx, actor, "process-deleted", TargetOf(app), {{"process_type", p.type}});
  });
}

}  // namespace wharf::controller
