// service-brokers, create-service-broker, update-service-broker, delete-service-broker, marketplace,
// enable-service-access, disable-service-access.
#include <ostream>

#include "api-model/platform/service.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status RunServiceBrokers(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto brokers, api->GetAllAs<api::ServiceBroker>("/v1/service_brokers"));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(brokers));
    return Status::Ok();
  }
  ctx.out() << "Getting service brokers" << ctx.AsUser() << "...\n\n";
  if (brokers.empty()) {
    ctx.out() << "No service brokers found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::ServiceBroker& b : brokers) rows.push_back({b.name, b.url});
  ctx.out() << RenderTable({"name", "url"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunCreateServiceBroker(CliContext& ctx, const ParsedArgs& args) {
  const auto& p = args.positionals;
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Creating service broker " << p[0] << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto made, api->Post("/v1/service_brokers",
                                   json{{"name", p[0]}, {"username", p[1]}, {"password", p[2]}, {"url", p[3]}}));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUpdateServiceBroker(CliContext& ctx, const ParsedArgs& args) {
  const auto& p = args.positionals;
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto brokers, api->GetAllAs<api::ServiceBroker>("/v1/service_brokers"));
  for (const api::ServiceBroker& b : brokers) {
    if (b.name != p[0]) continue;
    ctx.out() << "Updating service broker " << p[0] << ctx.AsUser() << "...\n";
    WHARF_ASSIGN_OR_RETURN(auto r, api->Patch("/v1/service_brokers/" + b.guid,
                                   json{{"username", p[1]}, {"password", p[2]}, {"url", p[3]}}));
    ctx.out() << "OK\n";
    return Status::Ok();
  }
  return Status::NotFound("service broker '" + p[0] + "' not found");
}

Status RunDeleteServiceBroker(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "service broker " + name));
  if (!go_on) return Status::Ok();
  ctx.out() << "Deleting service broker " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto brokers, api->GetAllAs<api::ServiceBroker>("/v1/service_brokers"));
  for (const api::ServiceBroker& b : brokers) {
    if (b.name != name) continue;
    WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/service_brokers/" + b.guid));
    ctx.out() << "OK\n";
    return Status::Ok();
  }
  ctx.out() << "Service broker '" << name << "' does not exist.\nOK\n";
  return Status::Ok();
}

Status RunMarketplace(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto offerings, api->GetAllAs<api::ServiceOffering>("/v1/service_offerings"));
  std::optional<std::string> only = args.Value("e");
  if (only) {
    ctx.out() << "Getting service plan information for service offering " << *only << ctx.AsUser() << "...\n\n";
    bool found = false;
    for (const api::ServiceOffering& o : offerings) {
      if (o.name != *only) continue;
      found = true;
      ctx.out() << "broker: " << o.broker_name << "\n";
      std::vector<std::vector<std::string>> rows;
      for (const api::ServicePlan& p : o.plans) {
        rows.push_back({p.name, p.description, p.free ? "free" : "paid", p.public_ ? "enabled" : "disabled"});
      }
      ctx.out() << RenderTable({"plan", "description", "free or paid", "access"}, rows, ctx.term().out_is_tty) << "\n";
    }
    if (!found) return Status::NotFound("service offering '" + *only + "' not found");
    return Status::Ok();
  }
  ctx.out() << "Getting all service offerings from marketplace" << ctx.AsUser() << "...\n\n";
  if (offerings.empty()) {
    ctx.out() << "No service offerings found.\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::ServiceOffering& o : offerings) {
    std::string plans;
    for (const api::ServicePlan& p : o.plans) {
      if (p.public_) plans += (plans.empty() ? "" : ", ") + p.name;
    }
    rows.push_back({o.name, plans, o.description, o.broker_name});
  }
  ctx.out() << RenderTable({"offering", "plans", "description", "broker"}, rows, ctx.term().out_is_tty)
            << "\nTIP: Use 'wharf marketplace -e SERVICE_OFFERING' to view descriptions of individual plans of a "
               "given service offering.\n";
  return Status::Ok();
}

Status SetAccess(CliContext& ctx, const ParsedArgs& args, bool enable) {
  const std::string& service = args.positionals[0];
  std::optional<std::string> plan = args.Value("p");
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto offerings, api->GetAllAs<api::ServiceOffering>("/v1/service_offerings"));
  ctx.out() << (enable ? "Enabling" : "Disabling") << " access to " << (plan ? "plan " + *plan : "all plans")
            << " of service offering " << service << " for all orgs" << ctx.AsUser() << "...\n";
  bool found_service = false, found_plan = false;
  for (const api::ServiceOffering& o : offerings) {
    if (o.name != service) continue;
    found_service = true;
    for (const api::ServicePlan& p : o.plans) {
      if (plan && p.name != *plan) continue;
      found_plan = true;
      WHARF_ASSIGN_OR_RETURN(auto r, api->Patch("/v1/service_plans/" + p.guid, json{{"public", enable}}));
    }
  }
  if (!found_service) return Status::NotFound("service offering '" + service + "' not found");
  if (!found_plan) return Status::NotFound("service plan '" + plan.value_or("") + "' not found");
  ctx.out() << "OK\n";
  return Status::Ok();
}

FlagSpec PlanFlag() { return {"p", 'p', FlagKind::kString, "PLAN", "Only this plan of the service offering", false}; }

}  // namespace

void AddBrokerCommands(std::vector<Command>& out) {
  const std::string group = "Services";
  out.push_back({{"marketplace", {"m"}, group, "List service offerings in the marketplace",
                  "wharf marketplace [-e SERVICE_OFFERING]", "Plans are listed once an admin enables them.", {},
                  {{"e", 'e', FlagKind::kString, "SERVICE_OFFERING", "Show plan details for a service offering",
                    false}}},
                 RunMarketplace});
  out.push_back({{"service-brokers", {}, group, "List service brokers", "wharf service-brokers [--json]", "", {},
                  {JsonFlag()}},
                 RunServiceBrokers});
  out.push_back({{"create-service-broker", {"csb"}, group, "Create a service broker",
                  "wharf create-service-broker SERVICE_BROKER USERNAME PASSWORD URL",
                  "Reads the broker's catalog (Open Service Broker API v2.17) first: a broker that is down or\n"
                  "answers an invalid catalog is not registered. New plans are disabled until\n"
                  "'wharf enable-service-access'. Needs the admin role.",
                  {{"SERVICE_BROKER"}, {"USERNAME"}, {"PASSWORD"}, {"URL"}}, {}},
                 RunCreateServiceBroker});
  out.push_back({{"update-service-broker", {}, group, "Update a service broker",
                  "wharf update-service-broker SERVICE_BROKER USERNAME PASSWORD URL",
                  "Reads the broker's catalog again at URL with the new credentials first: when the broker is\n"
                  "down, refuses them or answers an invalid catalog, nothing changes. Offerings and plans are\n"
                  "updated from the catalog; new plans are disabled until 'wharf enable-service-access'.\n"
                  "Needs the admin role.",
                  {{"SERVICE_BROKER"}, {"USERNAME"}, {"PASSWORD"}, {"URL"}}, {}},
                 RunUpdateServiceBroker});
  out.push_back({{"delete-service-broker", {}, group, "Delete a service broker",
                  "wharf delete-service-broker SERVICE_BROKER [-f]",
                  "Refused while service instances of its plans exist. Needs the admin role.", {{"SERVICE_BROKER"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteServiceBroker});
  out.push_back({{"enable-service-access", {}, group, "Enable access to a service offering or plan for all orgs",
                  "wharf enable-service-access SERVICE_OFFERING [-p PLAN]", "Needs the admin role.",
                  {{"SERVICE_OFFERING"}}, {PlanFlag()}},
                 [](CliContext& ctx, const ParsedArgs& args) { return SetAccess(ctx, args, true); }});
  out.push_back({{"disable-service-access", {}, group, "Disable access to a service offering or plan for all orgs",
                  "wharf disable-service-access SERVICE_OFFERING [-p PLAN]", "Needs the admin role.",
                  {{"SERVICE_OFFERING"}}, {PlanFlag()}},
                 [](CliContext& ctx, const ParsedArgs& args) { return SetAccess(ctx, args, false); }});
}

}  // namespace wharf::cli
