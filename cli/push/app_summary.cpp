#include "cli/push/app_summary.h"

#include <cstdio>
#include <ostream>

#include "api-model/apps/build.h"
#include "api-model/page.h"
#include "api-model/platform/info.h"
#include "cli/output/table.h"
#include "cli/push/deploy.h"
#include "common/facts/byte_size.h"

namespace wharf::cli {
namespace {

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Percent(const api::Instance& instance) {
  if (!instance.cpu) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *instance.cpu * 100.0);
  return buf;
}

std::string Usage(const std::optional<std::uint64_t>& bytes, std::int64_t limit_mb) {
  std::string limit = limit_mb > 0 ? FormatMegabytes(limit_mb) : "?";
  if (!bytes) return "";
  return FormatBytes(*bytes) + " of " + limit;
}

// The current droplet, or nullopt when the app has none.
Result<std::optional<api::Droplet>> CurrentDroplet(ApiClient& api, const std::string& app_guid) {
  Result<api::Droplet> d = api.GetAs<api::Droplet>("/v1/apps/" + app_guid + "/droplets/current");
  if (!d.ok() && d.status().code() == StatusCode::kNotFound) return std::optional<api::Droplet>();
  if (!d.ok()) return d.status();
  return std::optional<api::Droplet>(std::move(*d));
}

Result<std::string> LastUploaded(ApiClient& api, const std::string& app_guid) {
  Result<api::Page<api::Package>> packages =
      api.GetAs<api::Page<api::Package>>("/v1/apps/" + app_guid + "/packages?per_page=1");
  if (!packages.ok()) return packages.status();
  if (packages->resources.empty()) return std::string();
  return packages->resources[0].created_at;
}

std::string Buildpacks(const api::App& app, const std::optional<api::Droplet>& droplet) {
  std::vector<std::string> names;
  if (droplet) {
    for (const api::DropletBuildpack& b : droplet->buildpacks) {
      names.push_back(b.name + (b.version.empty() ? "" : " " + b.version));
    }
  } else {
    names = app.lifecycle.buildpacks;
  }
  return Join(names, ", ");
}

}  // namespace

std::string RequestedState(const api::App& app) { return Lower(app.state); }

Status PrintAppSummary(CliContext& ctx, ApiClient& api, const api::App& app) {
  const std::string& guid = app.guid;
  WHARF_ASSIGN_OR_RETURN(auto droplet, CurrentDroplet(api, guid));
  WHARF_ASSIGN_OR_RETURN(auto uploaded, LastUploaded(api, guid));
  WHARF_ASSIGN_OR_RETURN(auto processes, api.GetAllAs<api::Process>("/v1/apps/" + guid + "/processes"));

  std::string stack = droplet ? droplet->stack : "";
  if (stack.empty()) stack = app.lifecycle.stack;
  std::ostream& out = ctx.out();
  // Instances that are plain processes are not isolated: say so every time, loudly.
  if (Result<api::Info> info = api.GetAs<api::Info>("/v1/info"); info.ok() && info->runtime && !info->runtime->isolated) {
    out << "WARNING: this wharfd runs instances as plain processes (runtime '" << info->runtime->name
        << "'): they are NOT isolated from each other or the host.\n";
    for (const std::string& w : info->runtime->warnings) out << "  " << w << "\n";
    out << "\n";
  }
  out << RenderKeyValues({{"name", app.name},
                          {"requested state", RequestedState(app)},
                          {"routes", Join(app.routes, ", ")},
                          {"last uploaded", uploaded},
                          {"stack", stack},
                          {"buildpacks", Buildpacks(app, droplet)}});
  // The active deployment, as cf shows it (an older wharfd without deployments: none).
  if (Result<std::optional<api::Deployment>> d = ActiveDeployment(api, guid); d.ok() && *d) {
    out << "\n" << RenderDeployment(**d);
  }

  for (const api::Process& process : processes) {
    Result<api::Page<api::Instance>> instances =
        api.GetAs<api::Page<api::Instance>>("/v1/processes/" + process.guid + "/instances");
    if (!instances.ok()) return instances.status();
    const std::vector<api::Instance>& list = instances->resources;
    long running = 0;
    for (const api::Instance& i : list) running += i.state == "RUNNING" && !i.outdated ? 1 : 0;
    std::string command = process.command.value_or("");
    if (command.empty() && droplet) {
      auto it = droplet->process_types.find(process.type);
      if (it != droplet->process_types.end()) command = it->second;
    }
    std::string health = process.health_check.type;
    if (process.health_check.endpoint && !process.health_check.endpoint->empty()) {
      health += " " + *process.health_check.endpoint;
    }
    out << "\n"
        << RenderKeyValues({{"type", process.type},
                            {"instances", std::to_string(running) + "/" + std::to_string(process.instances)},
                            {"memory usage", FormatMegabytes(process.memory_in_mb)},
                            {"disk quota", FormatMegabytes(process.disk_in_mb)},
                            {"start command", command},
                            {"health check", health}});
    if (list.empty()) {
      out << "There are no running instances of this process.\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows;
    for (const api::Instance& i : list) {
      rows.push_back({"#" + std::to_string(i.index), Lower(i.state) + (i.outdated ? " (previous version)" : ""),
                      i.since.value_or(""), Percent(i),
                      Usage(i.memory_bytes, process.memory_in_mb), Usage(i.disk_bytes, process.disk_in_mb),
                      i.details.value_or("")});
    }
    out << RenderTable({"", "state", "since", "cpu", "memory", "disk", "details"}, rows, ctx.term().out_is_tty);
  }
  return Status::Ok();
}

}  // namespace wharf::cli
