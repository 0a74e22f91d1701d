// Org and space quotas, with Cloud Foundry's verbs and flags: create-org-quota, update-org-quota,
// delete-org-quota, org-quotas, org-quota, set-org-quota (aliases create-quota, update-quota,
// delete-quota, quotas, quota, set-quota), and the space-quota counterparts with -o ORG (default:
// the platform's default org). Admins write; anyone signed in reads.
#include <ostream>

#include "api-model/platform/info.h"
#include "api-model/platform/quota.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/facts/byte_size.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

enum class Kind { kOrg, kSpace };

std::string Base(Kind kind) { return kind == Kind::kOrg ? "/v1/org_quotas" : "/v1/space_quotas"; }
std::string Noun(Kind kind) { return kind == Kind::kOrg ? "org quota" : "space quota"; }

std::string Mb(std::int64_t mb) {
  if (mb < 0) return "unlimited";
  if (mb > 0 && mb % 1024 == 0) return std::to_string(mb / 1024) + "G";
  return std::to_string(mb) + "M";
}
std::string Count(std::int64_t n) { return n < 0 ? "unlimited" : std::to_string(n); }

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The org a space-quota command works in: -o, else the platform's default org.
Result<std::string> OrgOf(ApiClient& api, const ParsedArgs& args) {
  if (auto o = args.Value("org")) return *o;
  WHARF_ASSIGN_OR_RETURN(api::Info info, api.GetAs<api::Info>("/v1/info"));
  return info.org;
}

Result<api::Quota> FindQuota(ApiClient& api, Kind kind, const std::string& name, const std::string& org) {
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Quota> all, api.GetAllAs<api::Quota>(Base(kind)));
  for (api::Quota& q : all) {
    if (q.name == name && (kind == Kind::kOrg || q.org_name == org)) return std::move(q);
  }
  return Status::NotFound(Noun(kind) + " '" + name + "' not found" + (kind == Kind::kSpace ? " in org '" + org + "'" : ""));
}

// -m, -i: "1G", "512M", or -1 for unlimited.
Result<std::int64_t> Memory(const std::string& flag, const std::string& value) {
  if (value == "-1") return std::int64_t{-1};
  Result<std::int64_t> mb = ParseMegabytes(value);
  if (!mb.ok()) return Status::InvalidArgument("-" + flag + ": " + mb.status().message() + " (or -1 for unlimited)");
  return mb;
}

Result<std::int64_t> Number(const std::string& flag, const std::string& value) {
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(value, &used);
  } catch (...) {
    used = 0;
  }
  if (used != value.size() || value.empty() || n < -1) {
    return Status::InvalidArgument("-" + flag + ": must be a whole number, or -1 for unlimited, not '" + value + "'");
  }
  return static_cast<std::int64_t>(n);
}

// The limits given on the command line. `create`: total memory, routes and service instances
// not given are 0, as cf create-org-quota has them; instance memory and app instances unlimited.
Result<json> LimitsBody(const ParsedArgs& args, bool create) {
  json body = json::object();
  if (auto v = args.Value("m")) {
    WHARF_ASSIGN_OR_RETURN(body["total_memory_in_mb"], Memory("m", *v));
  } else if (create) {
    body["total_memory_in_mb"] = 0;
  }
  if (auto v = args.Value("i")) {
    WHARF_ASSIGN_OR_RETURN(body["instance_memory_in_mb"], Memory("i", *v));
  }
  if (auto v = args.Value("a")) {
    WHARF_ASSIGN_OR_RETURN(body["total_app_instances"], Number("a", *v));
  }
  if (auto v = args.Value("r")) {
    WHARF_ASSIGN_OR_RETURN(body["total_routes"], Number("r", *v));
  } else if (create) {
    body["total_routes"] = 0;
  }
  if (auto v = args.Value("s")) {
    WHARF_ASSIGN_OR_RETURN(body["total_service_instances"], Number("s", *v));
  } else if (create) {
    body["total_service_instances"] = 0;
  }
  return body;
}

Status RunCreate(CliContext& ctx, const ParsedArgs& args, Kind kind) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(json body, LimitsBody(args, /*create=*/true));
  body["name"] = name;
  if (kind == Kind::kSpace) {
    WHARF_ASSIGN_OR_RETURN(std::string org, OrgOf(*api, args));
    body["org"] = org;
    ctx.out() << "Creating space quota " << name << " for org " << org << ctx.AsUser() << "...\n";
  } else {
    ctx.out() << "Creating org quota " << name << ctx.AsUser() << "...\n";
  }
  WHARF_RETURN_IF_ERROR(api->PostAs<api::Quota>(Base(kind), body).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUpdate(CliContext& ctx, const ParsedArgs& args, Kind kind) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(json body, LimitsBody(args, /*create=*/false));
  if (auto n = args.Value("n")) body["name"] = *n;
  std::string org;
  if (kind == Kind::kSpace) {
    WHARF_ASSIGN_OR_RETURN(org, OrgOf(*api, args));
  }
  ctx.out() << "Updating " << Noun(kind) << " " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(api::Quota q, FindQuota(*api, kind, name, org));
  WHARF_RETURN_IF_ERROR(api->PatchAs<api::Quota>(Base(kind) + "/" + q.guid, body).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunDelete(CliContext& ctx, const ParsedArgs& args, Kind kind) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(bool go, ConfirmDelete(ctx, args, Noun(kind) + " " + name));
  if (!go) return Status::Ok();
  std::string org;
  if (kind == Kind::kSpace) {
    WHARF_ASSIGN_OR_RETURN(org, OrgOf(*api, args));
  }
  ctx.out() << "Deleting " << Noun(kind) << " " << name << ctx.AsUser() << "...\n";
  Result<api::Quota> q = FindQuota(*api, kind, name, org);
  if (!q.ok() && q.status().code() == StatusCode::kNotFound) {
    ctx.out() << (kind == Kind::kOrg ? "Org" : "Space") << " quota " << name << " does not exist.\nOK\n";
    return Status::Ok();
  }
  if (!q.ok()) return q.status();
  WHARF_RETURN_IF_ERROR(api->Delete(Base(kind) + "/" + q->guid).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunList(CliContext& ctx, const ParsedArgs& args, Kind kind) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(std::vector<api::Quota> all, api->GetAllAs<api::Quota>(Base(kind)));
  std::string org;
  if (kind == Kind::kSpace) {
    WHARF_ASSIGN_OR_RETURN(org, OrgOf(*api, args));
    std::erase_if(all, [&](const api::Quota& q) { return q.org_name != org; });
  }
  if (args.Has("json")) {
    json items = json::array();
    for (const api::Quota& q : all) items.push_back(q.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting " << Noun(kind) << "s" << (kind == Kind::kSpace ? " for org " + org : "") << ctx.AsUser()
            << "...\n\n";
  if (all.empty()) {
    ctx.out() << "No " << Noun(kind) << "s found.\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Quota& q : all) {
    rows.push_back({q.name, Mb(q.total_memory_in_mb), Mb(q.instance_memory_in_mb), Count(q.total_routes),
                    Count(q.total_service_instances), Count(q.total_app_instances),
                    Join(kind == Kind::kOrg ? q.orgs : q.spaces)});
  }
  ctx.out() << RenderTable({"name", "total memory", "instance memory", "routes", "service instances", "app instances",
                            kind == Kind::kOrg ? "orgs" : "spaces"},
                           rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunShow(CliContext& ctx, const ParsedArgs& args, Kind kind) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  std::string org;
  if (kind == Kind::kSpace) {
    WHARF_ASSIGN_OR_RETURN(org, OrgOf(*api, args));
  }
  WHARF_ASSIGN_OR_RETURN(api::Quota q, FindQuota(*api, kind, name, org));
  if (args.Has("json")) {
    PrintJson(ctx, q.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Getting " << Noun(kind) << " " << name << ctx.AsUser() << "...\n\n";
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"total memory", Mb(q.total_memory_in_mb)},
      {"instance memory", Mb(q.instance_memory_in_mb)},
      {"routes", Count(q.total_routes)},
      {"service instances", Count(q.total_service_instances)},
      {"app instances", Count(q.total_app_instances)}};
  if (kind == Kind::kOrg) {
    pairs.push_back({"orgs", Join(q.orgs)});
  } else {
    pairs.push_back({"org", q.org_name});
    pairs.push_back({"spaces", Join(q.spaces)});
  }
  ctx.out() << RenderKeyValues(pairs);
  return Status::Ok();
}

// set-org-quota ORG QUOTA / set-space-quota SPACE QUOTA.
Status RunSet(CliContext& ctx, const ParsedArgs& args, Kind kind) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& target = args.positionals[0];
  const std::string& name = args.positionals[1];
  std::string org;
  if (kind == Kind::kSpace) {
    WHARF_ASSIGN_OR_RETURN(org, OrgOf(*api, args));
  }
  ctx.out() << "Setting " << Noun(kind) << " " << name << " to " << (kind == Kind::kOrg ? "org " : "space ") << target
            << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(api::Quota q, FindQuota(*api, kind, name, org));
  const std::string path = Base(kind) + "/" + q.guid + (kind == Kind::kOrg ? "/organizations" : "/spaces");
  WHARF_RETURN_IF_ERROR(api->PostAs<api::Quota>(path, api::QuotaAssignment{target}.ToJson()).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUnsetSpaceQuota(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& space = args.positionals[0];
  const std::string& name = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(std::string org, OrgOf(*api, args));
  ctx.out() << "Unassigning space quota " << name << " from space " << space << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(api::Quota q, FindQuota(*api, Kind::kSpace, name, org));
  WHARF_RETURN_IF_ERROR(api->Delete("/v1/space_quotas/" + q.guid + "/spaces/" + space).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

std::vector<FlagSpec> LimitFlags(bool create) {
  const std::string memory_default = create ? " (Default: 0)" : "";
  const std::string count_default = create ? " (Default: 0)" : "";
  return {
      {"m", 'm', FlagKind::kString, "TOTAL_MEMORY",
       "Total amount of memory all processes can have (e.g. 1024M, 1G, 10G). -1 represents an\nunlimited amount." +
           memory_default,
       false},
      {"i", 'i', FlagKind::kString, "INSTANCE_MEMORY",
       "Maximum amount of memory a process can have (e.g. 1024M, 1G, 10G). -1 represents an\nunlimited amount." +
           std::string(create ? " (Default: unlimited)" : ""),
       false},
      {"a", 'a', FlagKind::kString, "APP_INSTANCES",
       "Total number of application instances. -1 represents an unlimited amount." +
           std::string(create ? " (Default: unlimited)" : ""),
       false},
      {"r", 'r', FlagKind::kString, "ROUTES", "Total number of routes. -1 represents an unlimited amount." + count_default,
       false},
      {"s", 's', FlagKind::kString, "SERVICE_INSTANCES",
       "Total number of managed service instances. -1 represents an unlimited amount." + count_default, false},
  };
}

FlagSpec OrgFlag() { return {"org", 'o', FlagKind::kString, "ORG", "The org (default: the platform's default org)"}; }

std::vector<FlagSpec> With(std::vector<FlagSpec> flags, std::vector<FlagSpec> more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

const char* kEnforced =
    "Enforced in the transaction of each change: starting, pushing or scaling an app (instances x\n"
    "memory of the started apps' processes plus running tasks, each instance's memory, the app\n"
    "instances), running a task, creating a route or a managed service instance. A change past a\n"
    "limit fails with 422 naming the quota, the limit and the numbers. Needs the admin role.";

}  // namespace

void AddQuotaCommands(std::vector<Command>& out) {
  const char* group = "Quotas";
  const std::string create_help = std::string(
      "Limits as Cloud Foundry has them; -1 is unlimited. An org without a quota of its own has\n"
      "the 'default' org quota (100G of memory, 1000 routes, 100 service instances).\n") + kEnforced;
  out.push_back({{"create-org-quota", {"create-quota"}, group, "Define a new quota for an org",
                  "wharf create-org-quota QUOTA [-m TOTAL_MEMORY] [-i INSTANCE_MEMORY] [-r ROUTES] [-s SERVICE_INSTANCES] "
                  "[-a APP_INSTANCES]",
                  create_help, {{"QUOTA"}}, LimitFlags(true)},
                 [](CliContext& c, const ParsedArgs& a) { return RunCreate(c, a, Kind::kOrg); }});
  out.push_back({{"update-org-quota", {"update-quota"}, group, "Update an existing org quota",
                  "wharf update-org-quota QUOTA [-n NEW_NAME] [-m TOTAL_MEMORY] [-i INSTANCE_MEMORY] [-r ROUTES] "
                  "[-s SERVICE_INSTANCES] [-a APP_INSTANCES]",
                  "Limits not given stay as they are. A lower limit does not stop what runs: only what asks\n"
                  "for more is refused. Needs the admin role.",
                  {{"QUOTA"}},
                  With(LimitFlags(false), {{"n", 'n', FlagKind::kString, "NEW_NAME", "New name", false}})},
                 [](CliContext& c, const ParsedArgs& a) { return RunUpdate(c, a, Kind::kOrg); }});
  out.push_back({{"delete-org-quota", {"delete-quota"}, group, "Delete an org quota", "wharf delete-org-quota QUOTA [-f]",
                  "A quota an org has cannot be deleted (set another first), nor the 'default' one.\n"
                  "Needs the admin role.",
                  {{"QUOTA"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 [](CliContext& c, const ParsedArgs& a) { return RunDelete(c, a, Kind::kOrg); }});
  out.push_back({{"org-quotas", {"quotas"}, group, "List available org quotas", "wharf org-quotas [--json]",
                  "Each quota's limits and the orgs that have it assigned.", {}, {JsonFlag()}},
                 [](CliContext& c, const ParsedArgs& a) { return RunList(c, a, Kind::kOrg); }});
  out.push_back({{"org-quota", {"quota"}, group, "Show org quota info", "wharf org-quota QUOTA [--json]", "",
                  {{"QUOTA"}}, {JsonFlag()}},
                 [](CliContext& c, const ParsedArgs& a) { return RunShow(c, a, Kind::kOrg); }});
  out.push_back({{"set-org-quota", {"set-quota"}, group, "Assign a quota to an org", "wharf set-org-quota ORG QUOTA",
                  "The org's apps, routes and service instances count against QUOTA from now on.\n"
                  "Needs the admin role.",
                  {{"ORG"}, {"QUOTA"}}, {}},
                 [](CliContext& c, const ParsedArgs& a) { return RunSet(c, a, Kind::kOrg); }});

  out.push_back({{"create-space-quota", {}, group, "Define a new quota for spaces of an org",
                  "wharf create-space-quota QUOTA [-o ORG] [-m TOTAL_MEMORY] [-i INSTANCE_MEMORY] [-r ROUTES] "
                  "[-s SERVICE_INSTANCES] [-a APP_INSTANCES]",
                  std::string("A space quota belongs to one org and applies beside the org's quota; -1 is unlimited.\n") +
                      kEnforced,
                  {{"QUOTA"}}, With(LimitFlags(true), {OrgFlag()})},
                 [](CliContext& c, const ParsedArgs& a) { return RunCreate(c, a, Kind::kSpace); }});
  out.push_back({{"update-space-quota", {}, group, "Update an existing space quota",
                  "wharf update-space-quota QUOTA [-o ORG] [-n NEW_NAME] [-m TOTAL_MEMORY] [-i INSTANCE_MEMORY] "
                  "[-r ROUTES] [-s SERVICE_INSTANCES] [-a APP_INSTANCES]",
                  "Limits not given stay as they are. Needs the admin role.", {{"QUOTA"}},
                  With(LimitFlags(false), {OrgFlag(), {"n", 'n', FlagKind::kString, "NEW_NAME", "New name", false}})},
                 [](CliContext& c, const ParsedArgs& a) { return RunUpdate(c, a, Kind::kSpace); }});
  out.push_back({{"delete-space-quota", {}, group, "Delete a space quota", "wharf delete-space-quota QUOTA [-o ORG] [-f]",
                  "A quota a space has cannot be deleted (unset it first). Needs the admin role.", {{"QUOTA"}},
                  {OrgFlag(), {"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 [](CliContext& c, const ParsedArgs& a) { return RunDelete(c, a, Kind::kSpace); }});
  out.push_back({{"space-quotas", {}, group, "List available space quotas", "wharf space-quotas [-o ORG] [--json]",
                  "The org's space quotas, their limits and the spaces that have them.", {}, {OrgFlag(), JsonFlag()}},
                 [](CliContext& c, const ParsedArgs& a) { return RunList(c, a, Kind::kSpace); }});
  out.push_back({{"space-quota", {}, group, "Show space quota info", "wharf space-quota QUOTA [-o ORG] [--json]", "",
                  {{"QUOTA"}}, {OrgFlag(), JsonFlag()}},
                 [](CliContext& c, const ParsedArgs& a) { return RunShow(c, a, Kind::kSpace); }});
  out.push_back({{"set-space-quota", {}, group, "Assign a space quota definition to a space",
                  "wharf set-space-quota SPACE QUOTA [-o ORG]",
                  "SPACE and QUOTA are in ORG. Needs the admin role.", {{"SPACE"}, {"QUOTA"}}, {OrgFlag()}},
                 [](CliContext& c, const ParsedArgs& a) { return RunSet(c, a, Kind::kSpace); }});
  out.push_back({{"unset-space-quota", {}, group, "Unassign a quota from a space",
                  "wharf unset-space-quota SPACE QUOTA [-o ORG]",
                  "The space then has only its org's quota. Needs the admin role.", {{"SPACE"}, {"QUOTA"}},
                  {OrgFlag()}},
                 RunUnsetSpaceQuota});
}

}  // namespace wharf::cli
