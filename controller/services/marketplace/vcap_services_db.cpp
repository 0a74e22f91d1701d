#include "controller/services/marketplace/vcap_services_db.h"

#include <set>

#include "services/vcap_services.h"
#include "state/platform/broker_store.h"
#include "state/platform/service_store.h"

namespace wharf::controller {

Result<nlohmann::json> ReadVcapServices(state::Tx& tx, const std::string& app_guid) {
  state::ServiceStore store(tx);
  WHARF_ASSIGN_OR_RETURN(auto bindings, store.ListBindings(std::nullopt, app_guid, std::string("app")));
  // A credential rotation's new binding, once the broker made it, takes the place of the one it replaces.
  std::set<std::string> replaced;
  for (const state::ServiceBinding& b : bindings) {
    if (b.replaces && b.last_operation_type == "create" && b.last_operation_state == "succeeded") {
      replaced.insert(*b.replaces);
    }
  }
  std::vector<services::BoundService> bound;
  for (const state::ServiceBinding& b : bindings) {
    if (b.last_operation_type != "create" || b.last_operation_state != "succeeded") continue;
    if (replaced.count(b.guid) > 0) continue;
    WHARF_ASSIGN_OR_RETURN(auto instance, store.GetInstance(b.instance_guid));
    services::BoundService s;
    s.instance_guid = instance.guid;
    s.instance_name = instance.name;
    s.binding_guid = b.guid;
    s.binding_name = b.name;
    s.credentials = b.credentials;
    s.volume_mounts = b.volume_mounts;
    if (instance.type == "user-provided") {
      s.label = services::kUserProvidedLabel;
      s.tags = instance.tags;
      s.syslog_drain_url = b.syslog_drain_url;
    } else {
      state::BrokerStore catalog(tx);
      Result<state::ServicePlan> plan = catalog.GetPlan(instance.plan_guid.value_or(""));
      if (!plan.ok()) return plan.status();
      WHARF_ASSIGN_OR_RETURN(auto offering, catalog.GetOffering(plan->offering_guid));
      s.label = offering.name;
      s.plan = plan->name;
      s.tags = services::MergeTags(offering.tags, instance.tags);
      if (!b.syslog_drain_url.empty()) s.syslog_drain_url = b.syslog_drain_url;
    }
    bound.push_back(std::move(s));
  }
  return services::BuildVcapServices(bound);
}

}  // namespace wharf::controller
