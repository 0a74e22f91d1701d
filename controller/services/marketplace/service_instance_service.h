// The logic of service instances (user-provided and managed), their bindings
// to apps and their service keys. User-provided ones change in one
// transaction; managed ones are written "in progress" and handed to the
// BrokerJobs (service_operations.h), which talks to the broker and records the
// outcome, so a broker that is slow or down never holds an API request.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/platform/platform_info.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Broker work for one resource, by guid. The runner reads the row and does what its
// last operation says (create, update or delete, in progress).
struct BrokerJob {
  enum class Kind { kInstance, kBinding };
  Kind kind = Kind::kInstance;
  std::string guid;
};

// Where managed instances' and bindings' broker work goes.
class BrokerJobs {
 public:
  virtual ~BrokerJobs() = default;
  virtual void Enqueue(const BrokerJob& job) = 0;
};

// An instance as the API shows it: with its offering, plan and broker names
// (managed) and its bindings and keys (without credentials).
struct InstanceView {
  state::ServiceInstance instance;
  std::string offering_name;  // "user-provided" for user-provided ones
  std::string plan_name;
  std::string broker_name;
  std::vector<state::ServiceBinding> bindings;
};

struct NewUserProvided {
  std::string name;
  std::optional<std::string> space_guid = std::nullopt;  // default: the platform's default space
  nlohmann::json credentials = nlohmann::json::object();
  std::string syslog_drain_url;
  std::string route_service_url;
  std::vector<std::string> tags;
};

struct UserProvidedPatch {
  std::optional<std::string> name;
  std::optional<nlohmann::json> credentials;
  std::optional<std::string> syslog_drain_url;
  std::optional<std::string> route_service_url;
  std::optional<std::vector<std::string>> tags;
};

struct NewManaged {
  std::string name;
  std::optional<std::string> space_guid = std::nullopt;  // default: the platform's default space
  std::string plan_guid;
  nlohmann::json parameters = nlohmann::json::object();
  std::vector<std::string> tags;
};

struct ManagedPatch {
  std::optional<std::string> name;
  std::optional<std::string> plan_guid;
  std::optional<nlohmann::json> parameters;
  std::optional<std::vector<std::string>> tags;
};

struct NewBinding {
  std::string type = "app";  // or "key"
  std::string instance_guid;
  std::optional<std::string> app_guid;  // type app
  std::optional<std::string> name;      // binding name (optional) or key name (required)
  nlohmann::json parameters = nlohmann::json::object();
};

// Validation shared with the API: 1..255 printable characters, no leading or trailing space.
Status ValidateServiceInstanceName(std::string_view name, std::string_view what = "service instance name");
// At most 2048 characters of tags in all, each 1..255 printable characters.
Status ValidateTags(const std::vector<std::string>& tags);

class ServiceInstanceService {
 public:
  ServiceInstanceService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
                         const PlatformInfo& platform)
      : db_(db), clock_(clock), events_(events), logs_(logs), platform_(platform) {}

  // Managed operations go to `jobs` once set (the daemon sets it when it starts the runner).
  void SetBrokerJobs(BrokerJobs* jobs) { jobs_ = jobs; }

  // Of these spaces (none: of every space).
  Result<std::vector<InstanceView>> List(const std::optional<std::vector<std::string>>& spaces);
  Result<InstanceView> Get(const std::string& guid);

  Result<InstanceView> CreateUserProvided(const Actor& actor, const NewUserProvided& spec);
  Result<InstanceView> UpdateUserProvided(const Actor& actor, const std::string& guid, const UserProvidedPatch& patch);
  // kUnprocessable when the plan is not enabled (service access) or the broker is unavailable.
  Result<InstanceView> CreateManaged(const Actor& actor, const NewManaged& spec);
  Result<InstanceView> UpdateManaged(const Actor& actor, const std::string& guid, const ManagedPatch& patch);
  // kConflict while bindings or keys exist (listing them) or another operation is in progress.
  // User-provided: deleted now (the result is nullopt); managed: "delete in progress".
  Result<std::optional<InstanceView>> Delete(const Actor& actor, const std::string& guid);

  Result<std::vector<state::ServiceBinding>> ListBindings(const std::optional<std::string>& instance_guid,
                                                   const std::optional<std::string>& app_guid,
                                                   const std::optional<std::string>& type);
  Result<state::ServiceBinding> GetBinding(const std::string& guid);
  // User-provided: bound now with the instance's credentials; managed: "create in progress".
  Result<state::ServiceBinding> Bind(const Actor& actor, const NewBinding& spec);
  // User-provided, or a failed create: deleted now (nullopt); managed: "delete in progress".
  // kConflict while a credential rotation of the binding runs, unless `by_rotation` (the rotation's own step).
  Result<std::optional<state::ServiceBinding>> Unbind(const Actor& actor, const std::string& guid,
                                                      bool by_rotation = false);
  // Before an app is deleted (Cloud Foundry's `cf delete` unbinds its services): every binding of the
  // app is unbound; user-provided ones at once, managed ones at their broker through the BrokerJobs,
  // waited for up to `timeout`. kUnavailable naming the instances when a broker failed to unbind (the
  // binding shows "delete failed") or is still at it after `timeout`; the caller then keeps the app.
  // kConflict, with nothing unbound, while a credential rotation of one of its bindings runs.
  Status UnbindApp(const Actor& actor, const std::string& app_guid, std::chrono::milliseconds timeout);

 private:
  Result<InstanceView> LoadView(state::Tx& tx, state::ServiceInstance instance);
  void Hand(BrokerJob job);
  void LogApi(state::Tx& tx, const std::string& app_guid, std::string message);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  const PlatformInfo& platform_;
  BrokerJobs* jobs_ = nullptr;
};

}  // namespace wharf::controller
