// Container-to-container network policies, as the cf CLI names its commands: add-network-policy,
// network-policies, remove-network-policy.
#include <ostream>

#include "api-model/platform/network_policy.h"
#include "cli/client/resources.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

struct PolicyArgs {
  std::string destination, protocol, port;
};

// DESTINATION_APP as the second positional (cf CLI 7 and later) or --destination-app (cf CLI 6).
Result<PolicyArgs> PolicyArgsOf(const ParsedArgs& args) {
  PolicyArgs p;
  if (args.positionals.size() > 1) p.destination = args.positionals[1];
  if (auto d = args.Value("destination-app")) {
    if (!p.destination.empty() && p.destination != *d) {
      return UsageError("name the destination app once: as DESTINATION_APP or with --destination-app");
    }
    p.destination = *d;
  }
  if (p.destination.empty()) return UsageError("name the destination app (DESTINATION_APP)");
  p.protocol = args.Value("protocol").value_or("tcp");
  if (p.protocol != "tcp" && p.protocol != "udp") return UsageError("--protocol must be tcp or udp, not '" + p.protocol + "'");
  p.port = args.Value("port").value_or("8080");
  return p;
}

Status RunAdd(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(PolicyArgs p, PolicyArgsOf(args));
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App source, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::App destination, GetApp(*api, p.destination));
  ctx.out() << "Adding network policy from app " << source.name << " to app " << destination.name << ctx.AsUser()
            << "...\n";
  Result<json> added = api->Post("/v1/network-policies", json{{"source_app_guid", source.guid},
                                                              {"destination_app_guid", destination.guid},
                                                              {"protocol", p.protocol},
                                                              {"ports", p.port}});
  if (!added.ok() && added.status().code() != StatusCode::kConflict) return added.status();
  ctx.out() << "OK\n\n"
            << source.name << " may now connect to " << destination.name << "'s instances on " << p.protocol
            << " port " << p.port
            << " at their own addresses (CF_INSTANCE_INTERNAL_IP, or a route on apps.internal).\n";
  return Status::Ok();
}

Status RunList(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  std::string path = "/v1/network-policies";
  std::string source_guid;
  if (auto source = args.Value("source")) {
    WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, *source));
    source_guid = app.guid;
    path += "?app=" + ApiClient::Escape(app.guid);
  }
  WHARF_ASSIGN_OR_RETURN(std::vector<api::NetworkPolicy> all, api->GetAllAs<api::NetworkPolicy>(path));
  std::vector<api::NetworkPolicy> shown;
  for (auto& p : all) {
    if (source_guid.empty() || p.source.guid == source_guid) shown.push_back(std::move(p));
  }
  if (args.Has("json")) {
    json items = json::array();
    for (const auto& p : shown) items.push_back(p.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Listing network policies" << ctx.AsUser() << "...\n\n";
  if (shown.empty()) {
    ctx.out() << "No network policies.\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : shown) rows.push_back({p.source.name, p.destination.name, p.protocol, p.ports.Text()});
  ctx.out() << RenderTable({"source", "destination", "protocol", "ports"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunRemove(CliContext& ctx, const ParsedArgs& args) {
  if (!args.Value("protocol") || !args.Value("port")) {
    return UsageError("remove-network-policy needs --protocol and --port, as the policy was added");
  }
  WHARF_ASSIGN_OR_RETURN(PolicyArgs p, PolicyArgsOf(args));
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App source, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::App destination, GetApp(*api, p.destination));
  ctx.out() << "Removing network policy from app " << source.name << " to app " << destination.name << ctx.AsUser()
            << "...\n";
  WHARF_RETURN_IF_ERROR(api->Delete("/v1/network-policies?source_app_guid=" + ApiClient::Escape(source.guid) +
                                    "&destination_app_guid=" + ApiClient::Escape(destination.guid) +
                                    "&protocol=" + p.protocol + "&ports=" + ApiClient::Escape(p.port))
                            .status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

std::vector<FlagSpec> PolicyFlags() {
  return {{"destination-app", 0, FlagKind::kString, "APP", "The destination app (instead of DESTINATION_APP)"},
          {"protocol", 0, FlagKind::kString, "tcp|udp", "Protocol to connect apps with (default: tcp)"},
          {"port", 0, FlagKind::kString, "PORT", "Port or range of ports, 8080 or 8080-8090 (default: 8080)"}};
}

}  // namespace

void AddNetworkPolicyCommands(std::vector<Command>& out) {
  const std::string group = "Network policies";
  out.push_back({{"add-network-policy", {}, group, "Create a policy to allow direct network traffic from one app to another",
                  "wharf add-network-policy SOURCE_APP DESTINATION_APP [--protocol tcp|udp] [--port RANGE]",
                  "Without a policy an app reaches another only through its routes. With one, the source app's "
                  "instances connect straight to the destination's instances, at their addresses on the platform's "
                  "network (the destination's CF_INSTANCE_INTERNAL_IP), on that protocol and port; apps listen on "
                  "8080 by default. Takes effect within a second, without a restart.\n"
                  "EXAMPLES:\n   wharf add-network-policy frontend backend\n"
                  "   wharf add-network-policy frontend backend --protocol udp --port 8080-8090",
                  {{"SOURCE_APP"}, {"DESTINATION_APP", false}}, PolicyFlags()},
                 RunAdd});
  out.push_back({{"network-policies", {}, group, "List direct network traffic policies",
                  "wharf network-policies [--source SOURCE_APP] [--json]", "", {},
                  {{"source", 0, FlagKind::kString, "SOURCE_APP", "Only the policies from this app"}, JsonFlag()}},
                 RunList});
  out.push_back({{"remove-network-policy", {}, group, "Remove network traffic policy of an app",
                  "wharf remove-network-policy SOURCE_APP DESTINATION_APP --protocol tcp|udp --port RANGE",
                  "The protocol and port must be those the policy was added with.",
                  {{"SOURCE_APP"}, {"DESTINATION_APP", false}}, PolicyFlags()},
                 RunRemove});
}

}  // namespace wharf::cli
