// create-app, rename, set-health-check, get-health-check, droplets, set-droplet, download-droplet: an
// app's settings and droplets without a push.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "api-model/apps/build.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/facts/health_check_type.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status RunCreateApp(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Creating app " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto existing, FindApp(*api, name));
  if (existing.has_value()) {
    ctx.out() << "App '" << name << "' already exists.\nOK\n";
    return Status::Ok();
  }
  json body = {{"name", name}};
  if (auto stack = args.Value("stack")) body["lifecycle"] = {{"stack", *stack}};
  if (auto bp = args.Value("buildpack")) {
    body["lifecycle"]["buildpacks"] = json::array({*bp});
  }
  WHARF_ASSIGN_OR_RETURN(auto created, api->Post("/v1/apps", api->InSpace(body)));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunRename(CliContext& ctx, const ParsedArgs& args) {
  const std::string& from = args.positionals[0];
  const std::string& to = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, from));
  ctx.out() << "Renaming app " << from << " to " << to << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto renamed, api->Patch("/v1/apps/" + app.guid, {{"name", to}}));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunSetHealthCheck(CliContext& ctx, const ParsedArgs& args) {
  const std::string& type = args.positionals[1];
  Result<HealthCheckType> parsed = ParseHealthCheckType(type);
  if (!parsed.ok()) return Status::InvalidArgument("HEALTH_CHECK_TYPE: " + parsed.status().message());
  std::optional<std::string> endpoint = args.Value("endpoint");
  if (endpoint && *parsed != HealthCheckType::kHttp) {
    return Status::InvalidArgument("--endpoint is for the http health check only");
  }
  if (endpoint && (endpoint->empty() || endpoint->front() != '/')) {
    return Status::InvalidArgument("--endpoint must be a path starting with '/', not '" + *endpoint + "'");
  }
  std::optional<long> invocation_timeout;
  if (auto t = args.Value("invocation-timeout")) {
    char* end = nullptr;
    long n = std::strtol(t->c_str(), &end, 10);
    if (t->empty() || *end != '\0' || n < 1 || n > 180) {
      return Status::InvalidArgument("--invocation-timeout must be a number of seconds from 1 to 180, not '" + *t + "'");
    }
    invocation_timeout = n;
  }
  const std::string process_type = args.Value("process").value_or("web");
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  Result<api::Process> process =
      api->GetAs<api::Process>("/v1/apps/" + app.guid + "/processes/" + process_type);
  if (!process.ok() && process.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("app '" + app.name + "' has no process of type '" + process_type + "'");
  }
  if (!process.ok()) return process.status();
  ctx.out() << "Updating health check type for app " << app.name << " process " << process_type << ctx.AsUser()
            << "...\n";
  // The whole check is sent, so the timeouts not given keep their values.
  api::HealthCheck hc = process->health_check;
  hc.type = type;
  hc.endpoint = *parsed == HealthCheckType::kHttp
                    ? std::optional<std::string>(endpoint.value_or(hc.endpoint.value_or("/")))
                    : std::nullopt;
  if (invocation_timeout) hc.invocation_timeout = *invocation_timeout;
  WHARF_ASSIGN_OR_RETURN(auto updated, api->Patch("/v1/processes/" + process->guid, {{"health_check", hc.ToJson()}}));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunGetHealthCheck(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  Result<std::vector<api::Process>> processes =
      api->GetAllAs<api::Process>("/v1/apps/" + app.guid + "/processes");
  if (!processes.ok()) return processes.status();
  std::sort(processes->begin(), processes->end(), [](const api::Process& a, const api::Process& b) {
    return (a.type == "web") != (b.type == "web") ? a.type == "web" : a.type < b.type;
  });
  ctx.out() << "Getting type of health check for app " << app.name << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::Process& p : *processes) {
    rows.push_back({p.type, p.health_check.type, p.health_check.endpoint.value_or(""),
                    std::to_string(p.health_check.invocation_timeout), std::to_string(p.health_check.timeout)});
  }
  ctx.out() << RenderTable({"process", "health check", "endpoint (for http)", "invocation timeout", "start timeout"},
                           rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunDroplets(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto droplets, api->GetAllAs<api::Droplet>("/v1/apps/" + app.guid + "/droplets"));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(droplets));
    return Status::Ok();
  }
  ctx.out() << "Getting droplets of app " << app.name << ctx.AsUser() << "...\n\n";
  if (droplets.empty()) {
    ctx.out() << "No droplets found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Droplet& d : droplets) {  // newest first, as the API lists them
    std::string state = d.state;
    std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::tolower(c); });
    if (app.current_droplet_guid == d.guid) state += " (current)";
    std::string buildpacks;
    for (const api::DropletBuildpack& b : d.buildpacks) buildpacks += (buildpacks.empty() ? "" : ", ") + b.name;
    rows.push_back({d.guid, state, d.created_at, buildpacks});
  }
  ctx.out() << RenderTable({"guid", "state", "created", "buildpacks"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

bool IsZstd(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char magic[4] = {};
  in.read(reinterpret_cast<char*>(magic), sizeof magic);
  return in.gcount() == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
}

Status RunSetDroplet(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  const std::string& droplet = args.positionals[1];
  ctx.out() << "Setting app " << app.name << " to droplet " << droplet << ctx.AsUser() << "...\n";
  WHARF_RETURN_IF_ERROR(SetCurrentDroplet(*api, app.guid, droplet));
  ctx.out() << "OK\n";
  if (app.state == "STARTED") {
    ctx.out() << "TIP: 'wharf restart " << app.name << "' runs the new droplet.\n";
  }
  return Status::Ok();
}

Status RunDownloadDroplet(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  std::string droplet;
  if (auto chosen = args.Value("droplet")) {
    droplet = *chosen;
    ctx.out() << "Downloading droplet " << droplet << " for app " << app.name << ctx.AsUser() << "...\n";
  } else {
    if (!app.current_droplet_guid) {
      return Status::NotFound("app '" + app.name + "' has no current droplet; push or restage it first");
    }
    droplet = *app.current_droplet_guid;
    ctx.out() << "Downloading current droplet for app " << app.name << ctx.AsUser() << "...\n";
  }
  // Only a droplet of this app: a guid of another app's droplet is refused as unknown.
  WHARF_ASSIGN_OR_RETURN(api::Droplet d, api->GetAs<api::Droplet>("/v1/droplets/" + droplet));
  if (d.app_guid != app.guid) return Status::NotFound("app '" + app.name + "' has no droplet '" + droplet + "'");
  // Named as cf names it (droplet_GUID.tgz), or .tar.zst for the zstd tarballs Wharf's stager makes.
  std::filesystem::path dest = "droplet_" + droplet + ".tgz";
  bool named_by_us = true;
  if (auto path = args.Value("path")) {
    dest = *path;
    std::error_code ec;
    named_by_us = std::filesystem::is_directory(dest, ec);
    if (named_by_us) dest /= "droplet_" + droplet + ".tgz";
  }
  WHARF_ASSIGN_OR_RETURN(std::uint64_t bytes, api->DownloadToFile("/v1/droplets/" + droplet + "/download", dest));
  if (named_by_us && IsZstd(dest)) {
    std::filesystem::path zst = dest;
    zst.replace_extension(".tar.zst");
    std::error_code ec;
    std::filesystem::rename(dest, zst, ec);
    if (ec) return Status::Internal("renaming " + dest.string() + " to " + zst.string() + ": " + ec.message());
    dest = zst;
  }
  ctx.out() << "Droplet downloaded successfully at " << dest.string() << " (" << bytes << " bytes)\nOK\n";
  return Status::Ok();
}

}  // namespace

void AddAppSettingsCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back({{"create-app", {}, group, "Create an app without pushing it",
                  "wharf create-app APP_NAME [-b BUILDPACK] [-s STACK]",
                  "The app is created STOPPED with its web process (1 instance, 1G memory, 1G disk, port check) and\n"
                  "no droplet; a later 'wharf push APP_NAME' uploads and stages it. An existing app is left as it is.",
                  {{"APP_NAME"}},
                  {{"buildpack", 'b', FlagKind::kString, "BUILDPACK", "Buildpack to stage the app with (default: detect)"},
                   {"stack", 's', FlagKind::kString, "STACK", "Stack to run the app on (see: wharf stacks)"}}},
                 RunCreateApp});
  out.push_back({{"rename", {}, group, "Rename an app", "wharf rename APP_NAME NEW_APP_NAME",
                  "Its routes stay as they are: map a route with the new name if you want one ('wharf map-route').",
                  {{"APP_NAME"}, {"NEW_APP_NAME"}},
                  {}},
                 RunRename});
  out.push_back({{"set-health-check", {}, group, "Change the type of health check performed on an app's process",
                  "wharf set-health-check APP_NAME (process | port | http [--endpoint PATH]) [--process PROCESS]\n"
                  "   [--invocation-timeout SECONDS]",
                  "port: a TCP connection to the instance's port; http: a GET of --endpoint (default /) answering\n"
                  "2xx; process: the process being alive. The start timeout and the other settings are kept.",
                  {{"APP_NAME"}, {"HEALTH_CHECK_TYPE"}},
                  {{"endpoint", 0, FlagKind::kString, "PATH", "Path of the http health check (default /)"},
                   {"process", 0, FlagKind::kString, "PROCESS", "App process to update (default: web)"},
                   {"invocation-timeout", 0, FlagKind::kString, "SECONDS",
                    "Seconds one check may take before it counts as failed (1-180)"}}},
                 RunSetHealthCheck});
  out.push_back({{"get-health-check", {}, group, "Show the type of health check performed on an app",
                  "wharf get-health-check APP_NAME", "One line per process type.", {{"APP_NAME"}}, {}},
                 RunGetHealthCheck});
  out.push_back({{"droplets", {}, group, "List droplets of an app", "wharf droplets APP_NAME [--json]",
                  "Newest first; the app's current droplet is marked (current).", {{"APP_NAME"}}, {JsonFlag()}},
                 RunDroplets});
  out.push_back({{"set-droplet", {}, group, "Set the droplet used to run an app",
                  "wharf set-droplet APP_NAME DROPLET_GUID",
                  "The droplet must be one of the app's own ('wharf droplets APP_NAME'). It runs from the next\n"
                  "start or restart; processes its types name that the app lacks are added.",
                  {{"APP_NAME"}, {"DROPLET_GUID"}},
                  {}},
                 RunSetDroplet});
  out.push_back({{"download-droplet", {}, group, "Download an app's droplet to a local tarball",
                  "wharf download-droplet APP_NAME [--droplet DROPLET_GUID] [--path PATH]",
                  "The current droplet unless --droplet names another of the app's droplets. Saved as\n"
                  "droplet_GUID.tgz (droplet_GUID.tar.zst for the zstd tarballs Wharf stages) in the current\n"
                  "folder, or at --path (a file, or a folder to save it in).\n"
                  "'wharf push APP_NAME --droplet FILE' runs such a tarball again, here or on another Wharf.",
                  {{"APP_NAME"}},
                  {{"droplet", 0, FlagKind::kString, "DROPLET_GUID", "The droplet to download (default: the current one)"},
                   {"path", 0, FlagKind::kString, "PATH", "Where to save the tarball"}}},
                 RunDownloadDroplet});
}

}  // namespace wharf::cli
