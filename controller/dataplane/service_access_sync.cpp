#include "controller/dataplane/service_access_sync.h"

#include <map>

#include "state/platform/broker_store.h"
#include "state/platform/service_store.h"

namespace wharf::controller {

namespace {
constexpr const char* kLabelApp = "wharf.app";  // as the supervisor labels containers

int PortOf(const nlohmann::json& credentials) {
  auto it = credentials.find("port");
  if (it == credentials.end()) return 0;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) {
    const std::string text = it->get<std::string>();
    if (!text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoi(text);
    }
  }
  return 0;
}
}  // namespace

std::set<runtime::Opening> PlanServiceOpenings(const std::vector<BoundServicePort>& bound,
                                               const std::vector<RunningAddress>& running,
                                               const std::set<int>& server_ports) {
  std::multimap<std::string, int> ports_of_app;
  for (const auto& b : bound) {
    if (server_ports.count(b.port) != 0) ports_of_app.emplace(b.app_guid, b.port);
  }
  std::set<runtime::Opening> out;
  for (const auto& r : running) {
    if (r.ip.empty()) continue;
    auto [from, to] = ports_of_app.equal_range(r.app_guid);
    for (auto it = from; it != to; ++it) out.insert(runtime::Opening{r.ip, it->second});
  }
  return out;
}

Result<std::vector<BoundServicePort>> ReadBuiltinBindings(state::Database& db, const std::set<std::string>& broker_guids) {
  return db.Read<std::vector<BoundServicePort>>([&](state::Tx& tx) -> Result<std::vector<BoundServicePort>> {
    state::ServiceStore services(tx);
    state::BrokerStore brokers(tx);
    WHARF_ASSIGN_OR_RETURN(auto bindings, services.ListBindings(std::nullopt, std::nullopt, std::string("app")));
    std::map<std::string, bool> builtin_instance;  // instance guid -> of a built-in broker
    std::vector<BoundServicePort> out;
    for (const auto& b : bindings) {
      if (!b.app_guid) continue;
      auto known = builtin_instance.find(b.instance_guid);
      if (known == builtin_instance.end()) {
        bool builtin = false;
        WHARF_ASSIGN_OR_RETURN(auto instance, services.GetInstance(b.instance_guid));
        if (instance.type == "managed" && instance.plan_guid) {
          WHARF_ASSIGN_OR_RETURN(auto plan, brokers.GetPlan(*instance.plan_guid));
          WHARF_ASSIGN_OR_RETURN(auto offering, brokers.GetOffering(plan.offering_guid));
          builtin = broker_guids.count(offering.broker_guid) != 0;
        }
        known = builtin_instance.emplace(b.instance_guid, builtin).first;
      }
      if (!known->second) continue;
      const int port = PortOf(b.credentials);
      if (port > 0) out.push_back(BoundServicePort{*b.app_guid, port});
    }
    return out;
  });
}

Status ServiceAccessSync::Sync() {
  std::lock_guard lock(mu_);
  WHARF_ASSIGN_OR_RETURN(auto bound, ReadBuiltinBindings(db_, broker_guids_));
  WHARF_ASSIGN_OR_RETURN(auto containers, runtime_.List());
  std::vector<RunningAddress> running;
  for (const auto& c : containers) {
    if (c.status != runtime::ContainerStatus::kRunning || c.host_network) continue;
    auto app = c.labels.find(kLabelApp);
    if (app != c.labels.end()) running.push_back(RunningAddress{app->second, c.ip});
  }
  const auto ports = ports_();
  auto planned = PlanServiceOpenings(bound, running, std::set<int>(ports.begin(), ports.end()));
  if (applied_once_ && planned == applied_) return Status::Ok();
  WHARF_RETURN_IF_ERROR(apply_(planned));
  applied_ = std::move(planned);
  applied_once_ = true;
  return Status::Ok();
}

void ServiceAccessSync::Start(std::chrono::milliseconds interval) {
  task_.Start(interval, [this] { (void)Sync(); });
}

}  // namespace wharf::controller
