// The logic of service brokers and the marketplace: registering a broker reads
// its catalog (services/osb_client.h) and stores its offerings and plans;
// service access (enable-service-access) makes plans available. New plans are
// disabled until an admin enables them, as in Cloud Foundry.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct OfferingView {
  state::ServiceOffering offering;
  std::vector<state::ServicePlan> plans;
};

struct NewBroker {
  std::string name;
  std::string url;
  std::string username;
  std::string password;
};

// update-service-broker: what changes (absent: stays).
struct BrokerPatch {
  std::optional<std::string> name;
  std::optional<std::string> url;
  std::optional<std::string> username;
  std::optional<std::string> password;
};

class ServiceBrokerService {
 public:
  ServiceBrokerService(state::Database& db, const Clock& clock, EventRecorder& events,
                       std::chrono::milliseconds broker_timeout = std::chrono::seconds(60))
      : db_(db), clock_(clock), events_(events), broker_timeout_(broker_timeout) {}

  // Reads the catalog first: a broker that is down or answers an invalid catalog is not
  // registered (kUnavailable / kInvalidArgument naming the field); kConflict when the name is taken.
  Result<state::ServiceBroker> Create(const Actor& actor, const NewBroker& spec);
  // Wharf's own brokers (services/builtin/builtin_brokers.h), at every start: registers the
  // broker under `spec.name` or, when it exists, updates its url and credentials (its port
  // changes with each start) and re-reads its catalog; every plan is made public.
  Result<state::ServiceBroker> RegisterBuiltin(const NewBroker& spec);
  // Re-reads the catalog at the (new) URL with the (new) credentials first: nothing changes when the
  // broker is unreachable, refuses them or answers an invalid catalog (the same errors as Create).
  // Offerings and plans are updated by their catalog ids; new plans start disabled; those gone from
  // the catalog are removed unless instances still use them.
  Result<state::ServiceBroker> Update(const Actor& actor, const std::string& guid, const BrokerPatch& patch);
  Result<std::vector<state::ServiceBroker>> List();
  // kConflict while instances of its plans exist.
  Status Delete(const Actor& actor, const std::string& guid);
  Result<std::vector<OfferingView>> Marketplace();
  // Enables or disables a plan for everyone.
  Result<state::ServicePlan> SetPlanPublic(const Actor& actor, const std::string& plan_guid, bool is_public);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  std::chrono::milliseconds broker_timeout_;
};

}  // namespace wharf::controller
