#include "cli/app_summary.h"

#include <cstdio>
#include <ostream>

#include "cli/resources.h"
#include "cli/table.h"
#include "common/byte_size.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::int64_t Int(const json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_number()) return j[key].get<std::int64_t>();
  return 0;
}

std::string Percent(const json& instance) {
  if (!instance.contains("cpu") || !instance["cpu"].is_number()) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", instance["cpu"].get<double>() * 100.0);
  return buf;
}

std::string Usage(const json& instance, const char* key, std::int64_t limit_mb) {
  std::string limit = limit_mb > 0 ? FormatMegabytes(limit_mb) : "?";
  if (!instance.contains(key) || !instance[key].is_number()) return "";
  return FormatBytes(instance[key].get<std::uint64_t>()) + " of " + limit;
}

// The current droplet, or null when the app has none.
Result<json> CurrentDroplet(ApiClient& api, const std::string& app_guid) {
  Result<json> d = api.Get("/v1/apps/" + app_guid + "/droplets/current");
  if (!d.ok() && d.status().code() == StatusCode::kNotFound) return json(nullptr);
  return d;
}

Result<std::string> LastUploaded(ApiClient& api, const std::string& app_guid) {
  Result<json> packages = api.Get("/v1/apps/" + app_guid + "/packages?per_page=1");
  if (!packages.ok()) return packages.status();
  if (!packages->contains("resources") || !(*packages)["resources"].is_array() || (*packages)["resources"].empty()) {
    return std::string();
  }
  return Str((*packages)["resources"][0], "created_at");
}

std::string Buildpacks(const json& app, const json& droplet) {
  std::vector<std::string> names;
  if (droplet.is_object() && droplet.contains("buildpacks") && droplet["buildpacks"].is_array()) {
    for (const json& b : droplet["buildpacks"]) {
      std::string version = Str(b, "version");
      names.push_back(Str(b, "name") + (version.empty() ? "" : " " + version));
    }
  } else if (app.contains("lifecycle") && app["lifecycle"].contains("buildpacks") &&
             app["lifecycle"]["buildpacks"].is_array()) {
    for (const json& b : app["lifecycle"]["buildpacks"]) {
      if (b.is_string()) names.push_back(b.get<std::string>());
    }
  }
  return Join(names, ", ");
}

}  // namespace

std::string RequestedState(const json& app) {
  std::string state = Str(app, "state");
  for (char& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return state;
}

Status PrintAppSummary(CliContext& ctx, ApiClient& api, const json& app) {
  const std::string guid = Str(app, "guid");
  Result<json> droplet = CurrentDroplet(api, guid);
  if (!droplet.ok()) return droplet.status();
  Result<std::string> uploaded = LastUploaded(api, guid);
  if (!uploaded.ok()) return uploaded.status();
  Result<std::vector<json>> processes = api.GetAll("/v1/apps/" + guid + "/processes");
  if (!processes.ok()) return processes.status();

  std::vector<std::string> routes;
  if (app.contains("routes") && app["routes"].is_array()) {
    for (const json& r : app["routes"]) {
      if (r.is_string()) routes.push_back(r.get<std::string>());
    }
  }
  std::string stack = Str(*droplet, "stack");
  if (stack.empty() && app.contains("lifecycle")) stack = Str(app["lifecycle"], "stack");
  std::ostream& out = ctx.out();
  // Instances that are plain processes are not isolated: say so every time, loudly.
  if (Result<json> info = api.Get("/v1/info"); info.ok() && info->contains("runtime") &&
                                                  (*info)["runtime"].is_object() &&
                                                  (*info)["runtime"].value("isolated", true) == false) {
    out << "WARNING: this wharfd runs instances as plain processes (runtime '" << Str((*info)["runtime"], "name")
        << "'): they are NOT isolated from each other or the host.\n";
    if ((*info)["runtime"].contains("warnings") && (*info)["runtime"]["warnings"].is_array()) {
      for (const json& w : (*info)["runtime"]["warnings"]) {
        if (w.is_string()) out << "  " << w.get<std::string>() << "\n";
      }
    }
    out << "\n";
  }
  out << RenderKeyValues({{"name", Str(app, "name")},
                          {"requested state", RequestedState(app)},
                          {"routes", Join(routes, ", ")},
                          {"last uploaded", *uploaded},
                          {"stack", stack},
                          {"buildpacks", Buildpacks(app, *droplet)}});

  for (const json& process : *processes) {
    const std::string type = Str(process, "type");
    Result<json> instances = api.Get("/v1/processes/" + Str(process, "guid") + "/instances");
    if (!instances.ok()) return instances.status();
    std::vector<json> list;
    if (instances->contains("resources") && (*instances)["resources"].is_array()) {
      for (const json& i : (*instances)["resources"]) list.push_back(i);
    }
    long running = 0;
    for (const json& i : list) running += Str(i, "state") == "RUNNING" ? 1 : 0;
    std::string command = Str(process, "command");
    if (command.empty() && droplet->is_object() && droplet->contains("process_types")) {
      command = Str((*droplet)["process_types"], type);
    }
    std::string health;
    if (process.contains("health_check") && process["health_check"].is_object()) {
      health = Str(process["health_check"], "type");
      std::string endpoint = Str(process["health_check"], "endpoint");
      if (!endpoint.empty()) health += " " + endpoint;
    }
    out << "\n"
        << RenderKeyValues({{"type", type},
                            {"instances", std::to_string(running) + "/" + std::to_string(Int(process, "instances"))},
                            {"memory usage", FormatMegabytes(Int(process, "memory_in_mb"))},
                            {"disk quota", FormatMegabytes(Int(process, "disk_in_mb"))},
                            {"start command", command},
                            {"health check", health}});
    if (list.empty()) {
      out << "There are no running instances of this process.\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows;
    for (const json& i : list) {
      std::string state = Str(i, "state");
      for (char& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      rows.push_back({"#" + std::to_string(Int(i, "index")), state, Str(i, "since"), Percent(i),
                      Usage(i, "memory_bytes", Int(process, "memory_in_mb")),
                      Usage(i, "disk_bytes", Int(process, "disk_in_mb")), Str(i, "details")});
    }
    out << RenderTable({"", "state", "since", "cpu", "memory", "disk", "details"}, rows, ctx.term().out_is_tty);
  }
  return Status::Ok();
}

}  // namespace wharf::cli
