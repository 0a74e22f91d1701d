// Application security groups, as the cf CLI names its commands: security-groups, security-group,
// create-, update-, delete-security-group, bind-/unbind-security-group (a space),
// bind-/unbind-running-security-group, bind-/unbind-staging-security-group (platform-wide),
// running-security-groups, staging-security-groups.
#include <ostream>

#include "api-model/platform/security_group.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

std::string Path(const std::string& name) { return "/v1/security-groups/" + ApiClient::Escape(name); }

// The rules array of a file, checked here first so that a mistake names the file.
Result<json> ReadRules(CliContext& ctx, const std::string& arg) {
  std::filesystem::path file = arg;
  if (file.is_relative()) file = ctx.cwd() / file;
  Result<std::string> text = ReadFile(file);
  if (!text.ok()) return text.status().WithContext("reading the rules file " + arg);
  json rules;
  try {
    rules = json::parse(*text);
  } catch (const json::exception& e) {
    return Status::InvalidArgument("the rules file " + arg + " is not valid JSON (" + e.what() +
                                   "): it must hold an array of rules, as in [{\"protocol\": \"tcp\", \"destination\": "
                                   "\"10.0.0.0/8\", \"ports\": \"443\"}]");
  }
  auto parsed = api::ParseSecurityGroupRules(rules);
  if (!parsed.ok()) return parsed.status().WithContext("the rules file " + arg);
  return rules;
}

Status RunSecurityGroups(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(std::vector<api::SecurityGroup> all, api->GetAllAs<api::SecurityGroup>("/v1/security-groups"));
  if (args.Has("json")) {
    json items = json::array();
    for (const auto& g : all) items.push_back(g.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting security groups" << ctx.AsUser() << "...\n\n";
  if (all.empty()) {
    ctx.out() << "No security groups.\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : all) {
    const std::size_t before = rows.size();
    if (g.running_default) rows.push_back({g.name, "<all>", "<all>", "running"});
    if (g.staging_default) rows.push_back({g.name, "<all>", "<all>", "staging"});
    for (const auto& s : g.spaces) rows.push_back({g.name, s.org, s.space, s.lifecycle});
    if (rows.size() == before) rows.push_back({g.name, "", "", ""});
  }
  ctx.out() << RenderTable({"name", "organization", "space", "lifecycle"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunSecurityGroup(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::SecurityGroup g, api->GetAs<api::SecurityGroup>(Path(args.positionals[0])));
  if (args.Has("json")) {
    PrintJson(ctx, g.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Getting info for security group " << g.name << ctx.AsUser() << "...\n\n";
  ctx.out() << RenderKeyValues({{"name:", g.name}}) << "rules:\n"
            << api::SecurityGroupRulesJson(g.rules).dump(2) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  if (g.running_default) rows.push_back({"<all>", "<all>", "running"});
  if (g.staging_default) rows.push_back({"<all>", "<all>", "staging"});
  for (const auto& s : g.spaces) rows.push_back({s.org, s.space, s.lifecycle});
  if (rows.empty()) {
    ctx.out() << "No spaces assigned\n";
  } else {
    ctx.out() << RenderTable({"organization", "space", "lifecycle"}, rows, ctx.term().out_is_tty);
  }
  return Status::Ok();
}

Status RunCreate(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(json rules, ReadRules(ctx, args.positionals[1]));
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ctx.out() << "Creating security group " << name << ctx.AsUser() << "...\n";
  Result<json> created = api->Post("/v1/security-groups", json{{"name", name}, {"rules", rules}});
  if (!created.ok() && created.status().code() == StatusCode::kConflict) {
    ctx.out() << "Security group " << name << " already exists\nOK\n";
    return Status::Ok();
  }
  if (!created.ok()) return created.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUpdate(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(json rules, ReadRules(ctx, args.positionals[1]));
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ctx.out() << "Updating security group " << name << ctx.AsUser() << "...\n";
  WHARF_RETURN_IF_ERROR(api->Patch(Path(name), json{{"rules", rules}}).status());
  ctx.out() << "OK\n\nRunning containers get the new rules within a second; no restart is needed.\n";
  return Status::Ok();
}

Status RunDelete(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(bool go_on, ConfirmDelete(ctx, args, "security group " + name));
  if (!go_on) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ctx.out() << "Deleting security group " << name << ctx.AsUser() << "...\n";
  Result<json> r = api->Delete(Path(name));
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    ctx.out() << "Security group " << name << " does not exist\nOK\n";
    return Status::Ok();
  }
  if (!r.ok()) return r.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

Result<std::string> LifecycleOf(const ParsedArgs& args) {
  std::string lifecycle = args.Value("lifecycle").value_or("running");
  if (lifecycle != "running" && lifecycle != "staging") {
    return UsageError("--lifecycle must be 'running' or 'staging', not '" + lifecycle + "'");
  }
  return lifecycle;
}

Status RunBindSpace(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  const std::string& org = args.positionals[1];
  auto space = args.Value("space");
  if (!space && args.positionals.size() > 2) space = args.positionals[2];  // the older cf form: NAME ORG SPACE
  if (!space) return UsageError("name the space with --space SPACE");
  WHARF_ASSIGN_OR_RETURN(std::string lifecycle, LifecycleOf(args));
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ctx.out() << "Assigning " << lifecycle << " security group " << name << " to space " << *space << " in org " << org
            << ctx.AsUser() << "...\n";
  WHARF_RETURN_IF_ERROR(
      api->Post(Path(name) + "/spaces", json{{"org", org}, {"space", *space}, {"lifecycle", lifecycle}}).status());
  ctx.out() << "OK\n\nThe space's " << (lifecycle == "running" ? "running containers get" : "next stagings get")
            << " these rules within a second; no restart is needed.\n";
  return Status::Ok();
}

Status RunUnbindSpace(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  const std::string& org = args.positionals[1];
  const std::string& space = args.positionals[2];
  WHARF_ASSIGN_OR_RETURN(std::string lifecycle, LifecycleOf(args));
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ctx.out() << "Removing " << lifecycle << " security group " << name << " from org " << org << " / space " << space
            << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto r, api->Delete(Path(name) + "/spaces?org=" + ApiClient::Escape(org) + "&space=" +
                               ApiClient::Escape(space) + "&lifecycle=" + lifecycle));
  ctx.out() << "OK\n";
  return Status::Ok();
}

// bind-/unbind-running-/staging-security-group: the platform-wide default sets.
CommandFn SetDefault(std::string lifecycle, bool bound) {
  return [lifecycle, bound](CliContext& ctx, const ParsedArgs& args) -> Status {
    const std::string& name = args.positionals[0];
    WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
    ctx.out() << (bound ? "Binding" : "Unbinding") << " security group " << name << (bound ? " to" : " from")
              << " the defaults for " << lifecycle << ctx.AsUser() << "...\n";
    WHARF_RETURN_IF_ERROR(api->Patch(Path(name), json{{"globally_enabled", {{lifecycle, bound}}}}).status());
    ctx.out() << "OK\n\n"
              << (lifecycle == "running" ? "Every running app container gets" : "Every staging gets")
              << (bound ? " these rules" : " these rules no more") << " within a second; no restart is needed.\n";
    return Status::Ok();
  };
}

CommandFn ListDefaults(std::string lifecycle) {
  return [lifecycle](CliContext& ctx, const ParsedArgs& args) -> Status {
    WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
    WHARF_ASSIGN_OR_RETURN(std::vector<api::SecurityGroup> all,
                           api->GetAllAs<api::SecurityGroup>("/v1/security-groups"));
    std::vector<std::string> names;
    for (const auto& g : all) {
      if (lifecycle == "running" ? g.running_default : g.staging_default) names.push_back(g.name);
    }
    if (args.Has("json")) {
      PrintJson(ctx, names);
      return Status::Ok();
    }
    ctx.out() << "Getting global " << lifecycle << " security groups" << ctx.AsUser() << "...\n\n";
    if (names.empty()) {
      ctx.out() << "No global " << lifecycle << " security groups found.\n";
      return Status::Ok();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : names) rows.push_back({n});
    ctx.out() << RenderTable({"name"}, rows, ctx.term().out_is_tty);
    return Status::Ok();
  };
}

const char* kRulesHelp =
    "RULES_FILE holds a JSON array of rules in Cloud Foundry's format: protocol (tcp, udp, icmp or all), "
    "destination (an address, a CIDR, a range a.b.c.d-e.f.g.h, or a comma-separated list of those), ports for tcp "
    "and udp (\"443\", \"80,443\", \"8000-8100\"), type and code for icmp (-1 for any), and optional log and "
    "description.\n"
    "   [\n     {\"protocol\": \"tcp\", \"destination\": \"10.0.11.0/24\", \"ports\": \"5432\"},\n"
    "     {\"protocol\": \"udp\", \"destination\": \"0.0.0.0/0\", \"ports\": \"53\"},\n"
    "     {\"protocol\": \"icmp\", \"destination\": \"0.0.0.0/0\", \"type\": 0, \"code\": -1}\n   ]\n"
    "Rules allow egress off the platform: the host itself, its API and admin ports and other containers are never "
    "reachable through a security group (containers reach each other with network policies).";

}  // namespace

void AddSecurityGroupCommands(std::vector<Command>& out) {
  const std::string group = "Security groups";
  const FlagSpec lifecycle{"lifecycle", 0, FlagKind::kString, "running|staging",
                           "Lifecycle phase the group applies to (default: running)"};
  out.push_back({{"security-groups", {}, group, "List all security groups", "wharf security-groups [--json]",
                  "Each group with where it is bound: <all> for the platform-wide running and staging sets.",
                  {}, {JsonFlag()}},
                 RunSecurityGroups});
  out.push_back({{"security-group", {}, group, "Show a single security group", "wharf security-group SECURITY_GROUP [--json]",
                  "", {{"SECURITY_GROUP"}}, {JsonFlag()}},
                 RunSecurityGroup});
  out.push_back({{"create-security-group", {}, group, "Create a security group",
                  "wharf create-security-group SECURITY_GROUP RULES_FILE", std::string(kRulesHelp) +
                  "\nA new group applies to nothing until it is bound. Needs the admin role.",
                  {{"SECURITY_GROUP"}, {"RULES_FILE"}}, {}},
                 RunCreate});
  out.push_back({{"update-security-group", {}, group, "Update a security group's rules",
                  "wharf update-security-group SECURITY_GROUP RULES_FILE",
                  std::string(kRulesHelp) + "\nThe rules replace the group's rules. Needs the admin role.",
                  {{"SECURITY_GROUP"}, {"RULES_FILE"}}, {}},
                 RunUpdate});
  out.push_back({{"delete-security-group", {}, group, "Delete a security group", "wharf delete-security-group SECURITY_GROUP [-f]",
                  "Its bindings go with it. Needs the admin role.", {{"SECURITY_GROUP"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDelete});
  out.push_back({{"bind-security-group", {}, group, "Bind a security group to a space",
                  "wharf bind-security-group SECURITY_GROUP ORG --space SPACE [--lifecycle running|staging]",
                  "The space's app containers (running) or stagings (staging) may then reach what the group's rules "
                  "allow, within a second and without a restart. Needs the admin role.\n"
                  "EXAMPLE:\n   wharf bind-security-group databases wharf --space default",
                  {{"SECURITY_GROUP"}, {"ORG"}, {"SPACE", false}},
                  {{"space", 0, FlagKind::kString, "SPACE", "The space to bind the group to"}, lifecycle}},
                 RunBindSpace});
  out.push_back({{"unbind-security-group", {}, group, "Unbind a security group from a space",
                  "wharf unbind-security-group SECURITY_GROUP ORG SPACE [--lifecycle running|staging]",
                  "Needs the admin role.", {{"SECURITY_GROUP"}, {"ORG"}, {"SPACE"}}, {lifecycle}},
                 RunUnbindSpace});
  for (const std::string lc : {"running", "staging"}) {
    const std::string what = lc == "running" ? "every running app container" : "every staging";
    out.push_back({{"bind-" + lc + "-security-group", {}, group, "Bind a security group to " + what,
                    "wharf bind-" + lc + "-security-group SECURITY_GROUP",
                    "Platform-wide, within a second and without a restart. Needs the admin role.",
                    {{"SECURITY_GROUP"}}, {}},
                   SetDefault(lc, true)});
    out.push_back({{"unbind-" + lc + "-security-group", {}, group, "Unbind a security group from " + what,
                    "wharf unbind-" + lc + "-security-group SECURITY_GROUP", "Needs the admin role.",
                    {{"SECURITY_GROUP"}}, {}},
                   SetDefault(lc, false)});
    out.push_back({{lc + "-security-groups", {}, group, "List the security groups of " + what,
                    "wharf " + lc + "-security-groups [--json]", "", {}, {JsonFlag()}},
                   ListDefaults(lc)});
  }
}

}  // namespace wharf::cli
