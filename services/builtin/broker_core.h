// The Open Service Broker API v2.17 semantics of a built-in broker, over one
// BrokerBackend: its catalog, and provision / deprovision / bind / unbind with
// the spec's status codes, answered synchronously (never 202):
//
//   provision    201 created; 200 the same instance exists with the same service
//                and plan; 409 it exists with other attributes; 400 unknown
//                service or plan; 422 an update (PATCH) to another plan (not updateable)
//   deprovision  200 done (its bindings are revoked too); 410 no such instance
//   bind         201 created; 200 the same binding exists (same credentials); 409
//                the id is taken by another instance or app; 404 no such instance
//   unbind       200 done; 410 no such binding
//
// The records (instances, bindings, their names and secrets) live in one JSON
// file written atomically with mode 0600. Resources are recorded "pending"
// before they are made (broker_backend.h), so Open() removes what a crash left
// half-made. One mutex serialises the operations.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "services/builtin/broker_backend.h"

namespace wharf::services::builtin {

struct OsbReply {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
};

class BrokerCore {
 public:
  // Reads `records_file` (absent: none), undoes pending records, starts the backend.
  static Result<std::unique_ptr<BrokerCore>> Open(std::unique_ptr<BrokerBackend> backend,
                                                  const std::filesystem::path& records_file);
  ~BrokerCore();
  void Stop();

  const ServiceSpec& Service() const { return backend_->Service(); }
  nlohmann::json Catalog() const;

  OsbReply Provision(const std::string& instance_id, const nlohmann::json& request);
  OsbReply Update(const std::string& instance_id, const nlohmann::json& request);
  OsbReply Deprovision(const std::string& instance_id);
  OsbReply Bind(const std::string& instance_id, const std::string& binding_id, const nlohmann::json& request);
  OsbReply Unbind(const std::string& instance_id, const std::string& binding_id);
  OsbReply FetchBinding(const std::string& instance_id, const std::string& binding_id);

  // The backend's server ports now (thread-safe).
  std::vector<int> ServerPorts();

  // For tests and the report: how many instances and bindings are recorded.
  std::size_t InstanceCount();
  std::size_t BindingCount();

 private:
  BrokerCore(std::unique_ptr<BrokerBackend> backend, std::filesystem::path file)
      : backend_(std::move(backend)), file_(std::move(file)) {}
  Status Save();
  const PlanSpec* FindPlan(const std::string& plan_id) const;

  std::unique_ptr<BrokerBackend> backend_;
  std::filesystem::path file_;
  std::mutex mu_;
  // {"instances": {id: {service_id, plan_id, state, data}}, "bindings": {id: {instance_id, app_guid, state, data, credentials}}}
  nlohmann::json records_;
  bool stopped_ = false;
};

}  // namespace wharf::services::builtin
