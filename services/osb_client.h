// A client of the Open Service Broker API v2.17 (one broker): the catalog,
// provision / update / deprovision of instances, bind / unbind, and the
// last_operation endpoints of asynchronous operations. Every request carries
// X-Broker-API-Version: 2.17, basic auth and a timeout; accepts_incomplete=true
// is always sent, so a broker may answer 202.
//
// Errors are values naming the broker: a broker that is down or too slow is
// kUnavailable; a 5xx is kUnavailable with the broker's description; a 2xx whose
// body is not the JSON the spec requires is kUnavailable "invalid response";
// 400 is kInvalidArgument, 409 kConflict, 422 kUnprocessable (with the error code,
// e.g. AsyncRequired).
//
// Orphan mitigation (spec "Orphan Mitigation"): when a provision or a bind may
// have created something the platform will not record (timeout, 5xx, 408, or a
// 200/201 it cannot read), the client sends the matching deprovision / unbind at
// once (best effort) before returning the error.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::services {

inline constexpr const char* kBrokerApiVersion = "2.17";

struct BrokerEndpoint {
  std::string url;  // http://host:port[/prefix]
  std::string username;
  std::string password;
  std::chrono::milliseconds timeout{60000};  // per request
};

// What an instance or binding request is about (the catalog's ids).
struct OsbTarget {
  std::string service_id;
  std::string plan_id;
};

// The answer to provision, update, deprovision, bind or unbind.
struct OsbOutcome {
  bool async = false;          // 202: poll last_operation
  std::string operation;       // the broker's operation handle (async)
  bool gone = false;           // deprovision / unbind: 410, it was already gone
  std::string dashboard_url;   // provision / update
  nlohmann::json credentials = nlohmann::json::object();  // bind
  std::string syslog_drain_url;                            // bind
  nlohmann::json volume_mounts = nlohmann::json::array();  // bind
};

struct LastOperation {
  std::string state;  // "in progress", "succeeded" or "failed"
  std::string description;
  std::optional<std::chrono::seconds> retry_after;  // the broker's Retry-After
  bool gone = false;  // 410: for a delete, it succeeded
};

class OsbClient {
 public:
  explicit OsbClient(BrokerEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // GET /v2/catalog: the body, checked to have a "services" array.
  Result<nlohmann::json> Catalog();

  Result<OsbOutcome> Provision(const std::string& instance_id, const OsbTarget& target, const nlohmann::json& parameters,
                               const std::string& org_guid, const std::string& space_guid);
  Result<OsbOutcome> Update(const std::string& instance_id, const OsbTarget& target, const std::string& previous_plan_id,
                            const nlohmann::json& parameters);
  Result<OsbOutcome> Deprovision(const std::string& instance_id, const OsbTarget& target);
  Result<LastOperation> InstanceLastOperation(const std::string& instance_id, const OsbTarget& target,
                                              const std::string& operation);

  // `app_guid` empty for a service key.
  Result<OsbOutcome> Bind(const std::string& instance_id, const std::string& binding_id, const OsbTarget& target,
                          const std::string& app_guid, const nlohmann::json& parameters);
  Result<OsbOutcome> Unbind(const std::string& instance_id, const std::string& binding_id, const OsbTarget& target);
  Result<LastOperation> BindingLastOperation(const std::string& instance_id, const std::string& binding_id,
                                             const OsbTarget& target, const std::string& operation);
  // GET a binding (after an asynchronous bind): its credentials.
  Result<OsbOutcome> FetchBinding(const std::string& instance_id, const std::string& binding_id);

  const BrokerEndpoint& endpoint() const { return endpoint_; }

 private:
  struct Reply {
    int status = 0;
    std::string body;
    std::optional<std::chrono::seconds> retry_after;
  };
  Result<Reply> Send(const std::string& method, const std::string& path_and_query, const nlohmann::json* body);

  BrokerEndpoint endpoint_;
};

// Polls `poll` until the operation is no longer "in progress", sleeping the broker's
// Retry-After (else `interval`) through `sleep`, for at most `max_duration` of slept
// time: then kUnavailable "... still in progress after Ns".
Result<LastOperation> PollLastOperation(const std::function<Result<LastOperation>()>& poll,
                                        const std::function<void(std::chrono::milliseconds)>& sleep,
                                        std::chrono::milliseconds interval, std::chrono::seconds max_duration);

}  // namespace wharf::services
