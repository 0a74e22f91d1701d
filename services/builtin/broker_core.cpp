#include "services/builtin/broker_core.h"

#include "common/file_io.h"

namespace wharf::services::builtin {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

OsbReply Error(int status, const std::string& description, const std::string& error = "") {
  OsbReply r{status, json{{"description", description}}};
  if (!error.empty()) r.body["error"] = error;
  return r;
}

std::string Text(const json& request, const char* key) {
  auto it = request.find(key);
  return it != request.end() && it->is_string() ? it->get<std::string>() : "";
}

// The app a binding is for: bind_resource.app_guid, else the deprecated app_guid, else "" (a key).
std::string AppOf(const json& request) {
  auto resource = request.find("bind_resource");
  if (resource != request.end() && resource->is_object()) {
    std::string app = Text(*resource, "app_guid");
    if (!app.empty()) return app;
  }
  return Text(request, "app_guid");
}

}  // namespace

Result<std::unique_ptr<BrokerCore>> BrokerCore::Open(std::unique_ptr<BrokerBackend> backend, const fs::path& file) {
  std::unique_ptr<BrokerCore> core(new BrokerCore(std::move(backend), file));
  core->records_ = json{{"instances", json::object()}, {"bindings", json::object()}};
  if (fs::exists(file)) {
    WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(file));
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("instances") || !parsed.contains("bindings")) {
      return Status::Internal("the broker's records " + file.string() + " are not valid JSON");
    }
    core->records_ = std::move(parsed);
  }
  std::vector<json> ready;
  for (const auto& [id, instance] : core->records_["instances"].items()) {
    if (instance.value("state", "") == "ready") ready.push_back(instance["data"]);
  }
  WHARF_RETURN_IF_ERROR(core->backend_->Start(ready).WithContext("starting the " + core->Service().name + " broker"));
  // Undo what a crash left half-made: pending bindings first, then pending instances.
  auto& bindings = core->records_["bindings"];
  for (auto it = bindings.begin(); it != bindings.end();) {
    const json* instance = nullptr;
    auto owner = core->records_["instances"].find((*it)["instance_id"].get<std::string>());
    if (owner != core->records_["instances"].end()) instance = &*owner;
    if ((*it).value("state", "") != "ready" || instance == nullptr) {
      if (instance != nullptr) {
        WHARF_RETURN_IF_ERROR(core->backend_->DestroyBinding((*instance)["data"], (*it)["data"]));
      }
      it = bindings.erase(it);
    } else {
      ++it;
    }
  }
  auto& instances = core->records_["instances"];
  for (auto it = instances.begin(); it != instances.end();) {
    if ((*it).value("state", "") != "ready") {
      WHARF_RETURN_IF_ERROR(core->backend_->DestroyInstance((*it)["data"]));
      it = instances.erase(it);
    } else {
      ++it;
    }
  }
  WHARF_RETURN_IF_ERROR(core->Save());
  return core;
}

BrokerCore::~BrokerCore() { Stop(); }

void BrokerCore::Stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  backend_->Stop();
}

Status BrokerCore::Save() { return WriteFileAtomic(file_, records_.dump(2) + "\n", 0600); }

const PlanSpec* BrokerCore::FindPlan(const std::string& plan_id) const {
  for (const auto& plan : Service().plans) {
    if (plan.id == plan_id) return &plan;
  }
  return nullptr;
}

json BrokerCore::Catalog() const {
  const ServiceSpec& s = Service();
  json plans = json::array();
  for (const auto& p : s.plans) {
    plans.push_back({{"id", p.id}, {"name", p.name}, {"description", p.description}, {"free", true}});
  }
  return json{{"services",
               json::array({{{"id", s.id},
                             {"name", s.name},
                             {"description", s.description},
                             {"bindable", true},
                             {"plan_updateable", false},
                             {"instances_retrievable", false},
                             {"bindings_retrievable", true},
                             {"tags", s.tags},
                             {"metadata", {{"displayName", s.name}, {"providerDisplayName", "Wharf"}}},
                             {"plans", plans}}})}};
}

OsbReply BrokerCore::Provision(const std::string& id, const json& request) {
  std::lock_guard lock(mu_);
  if (stopped_) return Error(503, "the broker is stopping");
  const std::string service_id = Text(request, "service_id");
  const std::string plan_id = Text(request, "plan_id");
  if (service_id != Service().id) return Error(400, "unknown service_id '" + service_id + "'");
  const PlanSpec* plan = FindPlan(plan_id);
  if (plan == nullptr) return Error(400, "unknown plan_id '" + plan_id + "'");
  auto& instances = records_["instances"];
  if (auto it = instances.find(id); it != instances.end()) {
    if ((*it)["service_id"] == service_id && (*it)["plan_id"] == plan_id) return OsbReply{200, json::object()};
    return Error(409, "service instance '" + id + "' exists with another service or plan");
  }
  auto data = backend_->PrepareInstance(*plan);
  if (!data.ok()) return Error(500, data.status().message());
  instances[id] = json{{"service_id", service_id}, {"plan_id", plan_id}, {"state", "pending"}, {"data", *data}};
  if (Status saved = Save(); !saved.ok()) {
    instances.erase(id);
    return Error(500, saved.message());
  }
  Status created = backend_->CreateInstance(*data);
  if (created.ok()) {
    instances[id]["state"] = "ready";
    created = Save();
  }
  if (!created.ok()) {
    Status undone = backend_->DestroyInstance(*data);
    if (undone.ok()) {
      instances.erase(id);
      (void)Save();
    }  // else it stays pending and the next start undoes it
    return Error(500, created.message());
  }
  return OsbReply{201, json::object()};
}

OsbReply BrokerCore::Update(const std::string& id, const json& request) {
  std::lock_guard lock(mu_);
  auto& instances = records_["instances"];
  auto it = instances.find(id);
  if (it == instances.end()) return Error(404, "no service instance '" + id + "'");
  const std::string plan_id = Text(request, "plan_id");
  if (plan_id.empty() || plan_id == (*it)["plan_id"]) return OsbReply{200, json::object()};
  if (FindPlan(plan_id) == nullptr) return Error(400, "unknown plan_id '" + plan_id + "'");
  return Error(422, "the plans of " + Service().name + " are not updateable; create a new instance", "PlanChangeNotSupported");
}

OsbReply BrokerCore::Deprovision(const std::string& id) {
  std::lock_guard lock(mu_);
  auto& instances = records_["instances"];
  auto it = instances.find(id);
  if (it == instances.end()) return Error(410, "no service instance '" + id + "'");
  auto& bindings = records_["bindings"];
  for (auto b = bindings.begin(); b != bindings.end();) {
    if ((*b)["instance_id"] != id) {
      ++b;
      continue;
    }
    if (Status s = backend_->DestroyBinding((*it)["data"], (*b)["data"]); !s.ok()) return Error(500, s.message());
    b = bindings.erase(b);
  }
  (*it)["state"] = "deleting";  // undone at the next start if this fails half-way
  if (Status s = Save(); !s.ok()) return Error(500, s.message());
  if (Status s = backend_->DestroyInstance((*it)["data"]); !s.ok()) return Error(500, s.message());
  instances.erase(it);
  if (Status s = Save(); !s.ok()) return Error(500, s.message());
  return OsbReply{200, json::object()};
}

OsbReply BrokerCore::Bind(const std::string& instance_id, const std::string& binding_id, const json& request) {
  std::lock_guard lock(mu_);
  if (stopped_) return Error(503, "the broker is stopping");
  auto& instances = records_["instances"];
  auto inst = instances.find(instance_id);
  if (inst == instances.end() || (*inst)["state"] != "ready") {
    return Error(404, "no service instance '" + instance_id + "'");
  }
  const std::string app = AppOf(request);
  auto& bindings = records_["bindings"];
  if (auto it = bindings.find(binding_id); it != bindings.end()) {
    if ((*it)["instance_id"] == instance_id && (*it)["app_guid"] == app) {
      return OsbReply{200, json{{"credentials", (*it)["credentials"]}}};
    }
    return Error(409, "service binding '" + binding_id + "' exists for another instance or app");
  }
  auto data = backend_->PrepareBinding((*inst)["data"]);
  if (!data.ok()) return Error(500, data.status().message());
  bindings[binding_id] = json{{"instance_id", instance_id}, {"app_guid", app}, {"state", "pending"}, {"data", *data}};
  if (Status saved = Save(); !saved.ok()) {
    bindings.erase(binding_id);
    return Error(500, saved.message());
  }
  auto credentials = backend_->CreateBinding((*inst)["data"], *data);
  Status done = credentials.status();
  if (done.ok()) {
    bindings[binding_id]["credentials"] = *credentials;
    bindings[binding_id]["state"] = "ready";
    done = Save();
  }
  if (!done.ok()) {
    if (backend_->DestroyBinding((*inst)["data"], *data).ok()) {
      bindings.erase(binding_id);
      (void)Save();
    }
    return Error(500, done.message());
  }
  return OsbReply{201, json{{"credentials", *credentials}}};
}

OsbReply BrokerCore::Unbind(const std::string& instance_id, const std::string& binding_id) {
  std::lock_guard lock(mu_);
  auto& bindings = records_["bindings"];
  auto it = bindings.find(binding_id);
  if (it == bindings.end() || (*it)["instance_id"] != instance_id) {
    return Error(410, "no service binding '" + binding_id + "'");
  }
  auto inst = records_["instances"].find(instance_id);
  if (inst != records_["instances"].end()) {
    (*it)["state"] = "deleting";
    if (Status s = Save(); !s.ok()) return Error(500, s.message());
    if (Status s = backend_->DestroyBinding((*inst)["data"], (*it)["data"]); !s.ok()) return Error(500, s.message());
  }
  bindings.erase(it);
  if (Status s = Save(); !s.ok()) return Error(500, s.message());
  return OsbReply{200, json::object()};
}

OsbReply BrokerCore::FetchBinding(const std::string& instance_id, const std::string& binding_id) {
  std::lock_guard lock(mu_);
  auto& bindings = records_["bindings"];
  auto it = bindings.find(binding_id);
  if (it == bindings.end() || (*it)["instance_id"] != instance_id || (*it)["state"] != "ready") {
    return Error(404, "no service binding '" + binding_id + "'");
  }
  return OsbReply{200, json{{"credentials", (*it)["credentials"]}}};
}

std::vector<int> BrokerCore::ServerPorts() {
  std::lock_guard lock(mu_);
  return stopped_ ? std::vector<int>{} : backend_->ServerPorts();
}

std::size_t BrokerCore::InstanceCount() {
  std::lock_guard lock(mu_);
  return records_["instances"].size();
}

std::size_t BrokerCore::BindingCount() {
  std::lock_guard lock(mu_);
  return records_["bindings"].size();
}

}  // namespace wharf::services::builtin
