// Orgs, spaces, roles and the target: target, create-org, orgs, delete-org, create-space, spaces,
// delete-space, set-/unset-org-role, set-/unset-space-role, org-users, space-users (cf's names).
#include <ostream>

#include "api-model/platform/tenancy.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Result<api::Org> GetOrg(ApiClient& api, const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Org> all, api.GetAllAs<api::Org>("/v1/orgs?names=" + ApiClient::Escape(name)));
  for (api::Org& o : all) {
    if (o.name == name) return std::move(o);
  }
  return Status::NotFound("org '" + name + "' not found");
}

Result<api::Space> GetSpace(ApiClient& api, const api::Org& org, const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Space> all,
                         api.GetAllAs<api::Space>("/v1/spaces?organization_guids=" + ApiClient::Escape(org.guid) +
                                                  "&names=" + ApiClient::Escape(name)));
  for (api::Space& s : all) {
    if (s.name == name) return std::move(s);
  }
  return Status::NotFound("space '" + name + "' not found in org '" + org.name + "'");
}

// The org named by -o, else the targeted one.
Result<api::Org> OrgOf(CliContext& ctx, ApiClient& api, const ParsedArgs& args) {
  if (std::optional<std::string> o = args.Value("o")) return GetOrg(api, *o);
  WHARF_ASSIGN_OR_RETURN(Config config, ctx.EffectiveConfig());
  if (config.org.empty()) return Status::InvalidArgument("no org targeted; use -o ORG or 'wharf target -o ORG'");
  return GetOrg(api, config.org);
}

Status SaveTarget(CliContext& ctx, const api::Org* org, const api::Space* space) {
  WHARF_ASSIGN_OR_RETURN(std::filesystem::path path, ctx.ConfigPath());
  WHARF_ASSIGN_OR_RETURN(Config file, LoadConfigFile(path));
  file.org = org ? org->name : "";
  file.org_guid = org ? org->guid : "";
  file.space = space ? space->name : "";
  file.space_guid = space ? space->guid : "";
  return SaveConfigFile(path, file);
}

void PrintTarget(CliContext& ctx, const Config& config) {
  ctx.out() << "API endpoint:   " << config.api << "\n"
            << "user:           " << (config.user.empty() ? "(unnamed)" : config.user) << "\n"
            << "org:            " << (config.org.empty() ? "(none: the platform's default)" : config.org) << "\n"
            << "space:          " << (config.space.empty() ? "(none: the platform's default)" : config.space) << "\n";
}

Status RunTarget(CliContext& ctx, const ParsedArgs& args) {
  std::optional<std::string> org_name = args.Value("o");
  std::optional<std::string> space_name = args.Value("s");
  if (org_name || space_name) {
    WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
    WHARF_ASSIGN_OR_RETURN(api::Org org, OrgOf(ctx, *api, args));
    std::optional<api::Space> space;
    if (space_name) {
      WHARF_ASSIGN_OR_RETURN(space, GetSpace(*api, org, *space_name));
    } else {
      // As cf: an org with exactly one space (that the user sees) targets it too.
      WHARF_ASSIGN_OR_RETURN(std::vector<api::Space> spaces,
                             api->GetAllAs<api::Space>("/v1/spaces?organization_guids=" + ApiClient::Escape(org.guid)));
      if (spaces.size() == 1) space = spaces[0];
    }
    WHARF_RETURN_IF_ERROR(SaveTarget(ctx, &org, space ? &*space : nullptr));
  }
  WHARF_ASSIGN_OR_RETURN(Config config, ctx.EffectiveConfig());
  PrintTarget(ctx, config);
  if (config.org.empty() == false && config.space.empty()) {
    ctx.out() << "\nNo space targeted, use 'wharf target -s SPACE'\n";
  }
  return Status::Ok();
}

Status RunCreateOrg(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  ctx.out() << "Creating org " << name << ctx.AsUser() << "...\n";
  Result<api::Org> made = api->PostAs<api::Org>("/v1/orgs", {{"name", name}});
  if (!made.ok() && made.status().code() == StatusCode::kConflict) {
    ctx.out() << "Org " << name << " already exists.\nOK\n";
    return Status::Ok();
  }
  if (!made.ok()) return made.status();
  ctx.out() << "OK\n\nTIP: Use 'wharf target -o \"" << name << "\"' to target new org\n";
  return Status::Ok();
}

Status RunOrgs(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Org> all, api->GetAllAs<api::Org>("/v1/orgs"));
  if (args.Has("json")) {
    json items = json::array();
    for (const api::Org& o : all) items.push_back(o.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting orgs" << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::Org& o : all) rows.push_back({o.name});
  ctx.out() << RenderTable({"name"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunDeleteOrg(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(bool go, ConfirmDelete(ctx, args, "org " + name));
  if (!go) return Status::Ok();
  ctx.out() << "Deleting org " << name << ctx.AsUser() << "...\n";
  Result<api::Org> org = GetOrg(*api, name);
  if (!org.ok() && org.status().code() == StatusCode::kNotFound) {
    ctx.out() << "Org " << name << " does not exist.\nOK\n";
    return Status::Ok();
  }
  if (!org.ok()) return org.status();
  WHARF_RETURN_IF_ERROR(api->Delete("/v1/orgs/" + org->guid).status());
  WHARF_ASSIGN_OR_RETURN(Config config, ctx.EffectiveConfig());
  if (config.org_guid == org->guid) WHARF_RETURN_IF_ERROR(SaveTarget(ctx, nullptr, nullptr));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunCreateSpace(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(api::Org org, OrgOf(ctx, *api, args));
  ctx.out() << "Creating space " << name << " in org " << org.name << ctx.AsUser() << "...\n";
  Result<api::Space> made = api->PostAs<api::Space>("/v1/spaces", {{"name", name}, {"org_guid", org.guid}});
  if (!made.ok() && made.status().code() == StatusCode::kConflict) {
    ctx.out() << "Space " << name << " already exists\nOK\n";
    return Status::Ok();
  }
  if (!made.ok()) return made.status();
  ctx.out() << "OK\n\nTIP: Use 'wharf target -o \"" << org.name << "\" -s \"" << name << "\"' to target new space\n";
  return Status::Ok();
}

Status RunSpaces(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, OrgOf(ctx, *api, args));
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Space> all,
                         api->GetAllAs<api::Space>("/v1/spaces?organization_guids=" + ApiClient::Escape(org.guid)));
  if (args.Has("json")) {
    json items = json::array();
    for (const api::Space& s : all) items.push_back(s.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting spaces in org " << org.name << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::Space& s : all) rows.push_back({s.name});
  ctx.out() << RenderTable({"name"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunDeleteSpace(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(api::Org org, OrgOf(ctx, *api, args));
  WHARF_ASSIGN_OR_RETURN(bool go, ConfirmDelete(ctx, args, "space " + name));
  if (!go) return Status::Ok();
  ctx.out() << "Deleting space " << name << " in org " << org.name << ctx.AsUser() << "...\n";
  Result<api::Space> space = GetSpace(*api, org, name);
  if (!space.ok() && space.status().code() == StatusCode::kNotFound) {
    ctx.out() << "Space " << name << " does not exist.\nOK\n";
    return Status::Ok();
  }
  if (!space.ok()) return space.status();
  WHARF_RETURN_IF_ERROR(api->Delete("/v1/spaces/" + space->guid).status());
  WHARF_ASSIGN_OR_RETURN(Config config, ctx.EffectiveConfig());
  if (config.space_guid == space->guid) WHARF_RETURN_IF_ERROR(SaveTarget(ctx, &org, nullptr));
  ctx.out() << "OK\n";
  return Status::Ok();
}

// ---- roles ----

Result<std::vector<api::Role>> RolesIn(ApiClient& api, const std::string& query) {
  return api.GetAllAs<api::Role>("/v1/roles?" + query);
}

Status SetRole(CliContext& ctx, const std::string& user, const std::string& role, const json& where,
               const std::string& described) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  ctx.out() << "Assigning role " << role << " to user " << user << " in " << described << ctx.AsUser() << "...\n";
  json body = where;
  body["type"] = role;
  body["user_name"] = user;
  WHARF_RETURN_IF_ERROR(api->Post("/v1/roles", body).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status UnsetRole(CliContext& ctx, ApiClient& api, const std::string& user, const std::string& role,
                 const std::string& query, const std::string& described) {
  ctx.out() << "Removing role " << role << " from user " << user << " in " << described << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Role> roles, RolesIn(api, query));
  // cf's names and the v3 names both work: compare without case and separators.
  auto squash = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (out.rfind("organization", 0) == 0) out = "org" + out.substr(12);
    if (out == "orgbillingmanager") out = "billingmanager";
    return out;
  };
  for (const api::Role& r : roles) {
    if (r.user_name == user && squash(r.type) == squash(role)) {
      WHARF_RETURN_IF_ERROR(api.Delete("/v1/roles/" + r.guid).status());
      ctx.out() << "OK\n";
      return Status::Ok();
    }
  }
  ctx.out() << "User " << user << " does not have role " << role << ".\nOK\n";
  return Status::Ok();
}

Status RunSetOrgRole(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, GetOrg(*api, args.positionals[1]));
  return SetRole(ctx, args.positionals[0], args.positionals[2], {{"org_guid", org.guid}}, "org " + org.name);
}

Status RunUnsetOrgRole(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, GetOrg(*api, args.positionals[1]));
  return UnsetRole(ctx, *api, args.positionals[0], args.positionals[2],
                   "organization_guids=" + ApiClient::Escape(org.guid), "org " + org.name);
}

Status RunSetSpaceRole(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, GetOrg(*api, args.positionals[1]));
  WHARF_ASSIGN_OR_RETURN(api::Space space, GetSpace(*api, org, args.positionals[2]));
  return SetRole(ctx, args.positionals[0], args.positionals[3], {{"space_guid", space.guid}},
                 "org " + org.name + " / space " + space.name);
}

Status RunUnsetSpaceRole(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, GetOrg(*api, args.positionals[1]));
  WHARF_ASSIGN_OR_RETURN(api::Space space, GetSpace(*api, org, args.positionals[2]));
  return UnsetRole(ctx, *api, args.positionals[0], args.positionals[3], "space_guids=" + ApiClient::Escape(space.guid),
                   "org " + org.name + " / space " + space.name);
}

// cf groups users by role: "ORG MANAGER\n  alice\n\nBILLING MANAGER\n  No BILLING MANAGER found".
void PrintByRole(CliContext& ctx, const std::vector<api::Role>& roles,
                 const std::vector<std::pair<std::string, std::string>>& headings) {
  for (const auto& [type, heading] : headings) {
    ctx.out() << heading << "\n";
    bool any = false;
    for (const api::Role& r : roles) {
      if (r.type != type) continue;
      ctx.out() << "  " << r.user_name << "\n";
      any = true;
    }
    if (!any) ctx.out() << "  No " << heading << " found\n";
    ctx.out() << "\n";
  }
}

Status RunOrgUsers(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, GetOrg(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Role> roles,
                         RolesIn(*api, "organization_guids=" + ApiClient::Escape(org.guid)));
  if (args.Has("json")) {
    json items = json::array();
    for (const api::Role& r : roles) items.push_back(r.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting users in org " << org.name << ctx.AsUser() << "...\n\n";
  PrintByRole(ctx, roles,
              {{"organization_manager", "ORG MANAGER"},
               {"organization_billing_manager", "BILLING MANAGER"},
               {"organization_auditor", "ORG AUDITOR"},
               {"organization_user", "USERS"}});
  return Status::Ok();
}

Status RunSpaceUsers(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Org org, GetOrg(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::Space space, GetSpace(*api, org, args.positionals[1]));
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Role> roles, RolesIn(*api, "space_guids=" + ApiClient::Escape(space.guid)));
  if (args.Has("json")) {
    json items = json::array();
    for (const api::Role& r : roles) items.push_back(r.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting users in org " << org.name << " / space " << space.name << ctx.AsUser() << "...\n\n";
  PrintByRole(ctx, roles,
              {{"space_manager", "SPACE MANAGER"},
               {"space_developer", "SPACE DEVELOPER"},
               {"space_auditor", "SPACE AUDITOR"},
               {"space_supporter", "SPACE SUPPORTER"}});
  return Status::Ok();
}

FlagSpec OrgFlag() { return {"o", 'o', FlagKind::kString, "ORG", "the org (default: the targeted one)", false}; }
FlagSpec ForceFlag() { return {"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}; }

}  // namespace

Status TargetAfterLogin(CliContext& ctx, ApiClient& api, const api::Info& info, std::optional<std::string> org_name,
                        std::optional<std::string> space_name) {
  // An explicit -o/-s, else the platform's default space when the user may use it, else the
  // user's only space, else nothing (cf login asks; we say how to choose).
  Result<std::vector<api::Space>> listed = api.GetAllAs<api::Space>("/v1/spaces");
  if (!listed.ok() && listed.status().code() == StatusCode::kNotFound && !org_name && !space_name) {
    return Status::Ok();  // a wharfd without orgs and spaces: nothing to target
  }
  if (!listed.ok()) return listed.status();
  const std::vector<api::Space>& spaces = *listed;
  const std::string want_org = org_name.value_or(info.org);
  const std::string want_space = space_name.value_or(info.space);
  const api::Space* chosen = nullptr;
  for (const api::Space& s : spaces) {
    if (s.org_name == want_org && s.name == want_space) chosen = &s;
  }
  if (chosen == nullptr && !org_name && !space_name && spaces.size() == 1) chosen = &spaces[0];
  if (chosen == nullptr && (org_name || space_name)) {
    return Status::NotFound("space '" + want_space + "' in org '" + want_org + "' not found (or not yours)");
  }
  if (chosen == nullptr) {
    WHARF_RETURN_IF_ERROR(SaveTarget(ctx, nullptr, nullptr));
    if (!spaces.empty()) ctx.out() << "No space targeted; use 'wharf target -o ORG -s SPACE'\n";
    return Status::Ok();
  }
  api::Org org{chosen->org_guid, chosen->org_name, ""};
  WHARF_RETURN_IF_ERROR(SaveTarget(ctx, &org, chosen));
  ctx.out() << "Targeted org " << org.name << " / space " << chosen->name << "\n";
  return Status::Ok();
}

void AddOrgCommands(std::vector<Command>& out) {
  const char* group = "Orgs and spaces";
  out.push_back({{"target", {"t"}, group, "Set or view the targeted org and space", "wharf target [-o ORG] [-s SPACE]",
                  "Apps, routes and service instances are made in the targeted space and found there by name.\n"
                  "-o alone targets the org, and its space when it has exactly one.",
                  {},
                  {OrgFlag(), {"s", 's', FlagKind::kString, "SPACE", "the space", false}}},
                 RunTarget});
  out.push_back({{"create-org", {"co"}, group, "Create an org", "wharf create-org ORG", "Needs the admin role.",
                  {{"ORG"}}, {}},
                 RunCreateOrg});
  out.push_back({{"orgs", {"o"}, group, "List the orgs you have a role in (every org for an admin)",
                  "wharf orgs [--json]", "", {}, {JsonFlag()}},
                 RunOrgs});
  out.push_back({{"delete-org", {}, group, "Delete an org", "wharf delete-org ORG [-f]",
                  "Only an empty org (no spaces) is deleted; the default org stays. Needs the admin role.",
                  {{"ORG"}}, {ForceFlag()}},
                 RunDeleteOrg});
  out.push_back({{"create-space", {"csp"}, group, "Create a space", "wharf create-space SPACE [-o ORG]",
                  "Needs the organization_manager role (OrgManager) in the org. Its creator becomes its\n"
                  "SpaceManager and SpaceDeveloper.",
                  {{"SPACE"}}, {OrgFlag()}},
                 RunCreateSpace});
  out.push_back({{"spaces", {}, group, "List the spaces of an org that you may see", "wharf spaces [-o ORG] [--json]",
                  "", {}, {OrgFlag(), JsonFlag()}},
                 RunSpaces});
  out.push_back({{"delete-space", {}, group, "Delete a space", "wharf delete-space SPACE [-o ORG] [-f]",
                  "Only an empty space (no apps, routes or service instances) is deleted; the default space\n"
                  "stays. Needs the organization_manager role in its org.",
                  {{"SPACE"}}, {OrgFlag(), ForceFlag()}},
                 RunDeleteSpace});
  const char* org_roles = "ROLE is OrgManager, BillingManager or OrgAuditor. Needs OrgManager in the org (or admin).";
  const char* space_roles =
      "ROLE is SpaceManager, SpaceDeveloper, SpaceAuditor or SpaceSupporter. Needs SpaceManager in the\n"
      "space or OrgManager in its org (or admin). A user without a role in the org becomes an org user.";
  out.push_back({{"set-org-role", {}, group, "Give a user a role in an org", "wharf set-org-role USERNAME ORG ROLE",
                  org_roles, {{"USERNAME"}, {"ORG"}, {"ROLE"}}, {}},
                 RunSetOrgRole});
  out.push_back({{"unset-org-role", {}, group, "Take a role in an org from a user",
                  "wharf unset-org-role USERNAME ORG ROLE", org_roles, {{"USERNAME"}, {"ORG"}, {"ROLE"}}, {}},
                 RunUnsetOrgRole});
  out.push_back({{"set-space-role", {}, group, "Give a user a role in a space",
                  "wharf set-space-role USERNAME ORG SPACE ROLE", space_roles,
                  {{"USERNAME"}, {"ORG"}, {"SPACE"}, {"ROLE"}}, {}},
                 RunSetSpaceRole});
  out.push_back({{"unset-space-role", {}, group, "Take a role in a space from a user",
                  "wharf unset-space-role USERNAME ORG SPACE ROLE", space_roles,
                  {{"USERNAME"}, {"ORG"}, {"SPACE"}, {"ROLE"}}, {}},
                 RunUnsetSpaceRole});
  out.push_back({{"org-users", {}, group, "List the users of an org by role", "wharf org-users ORG [--json]", "",
                  {{"ORG"}}, {JsonFlag()}},
                 RunOrgUsers});
  out.push_back({{"space-users", {}, group, "List the users of a space by role",
                  "wharf space-users ORG SPACE [--json]", "", {{"ORG"}, {"SPACE"}}, {JsonFlag()}},
                 RunSpaceUsers});
}

}  // namespace wharf::cli
