#include "controller/instance_spec.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "runtime/environment.h"
#include "stager/scripts.h"

namespace wharf::controller {

std::string InstanceVersion(const std::string& droplet_guid, std::int64_t run_generation, int memory_in_mb,
                            int disk_in_mb) {
  return droplet_guid.substr(0, 8) + "-g" + std::to_string(run_generation) + "-m" + std::to_string(memory_in_mb) +
         "-d" + std::to_string(disk_in_mb);
}

std::string InstanceVersion(const RunnableProcess& rp) {
  return InstanceVersion(rp.droplet.guid, rp.app.run_generation, rp.process.memory_in_mb, rp.process.disk_in_mb);
}

std::string InstanceVersion(const App& app, const Process& process) {
  const std::optional<std::string>& droplet = app.run_droplet_guid ? app.run_droplet_guid : app.current_droplet_guid;
  if (!droplet) return "";
  return InstanceVersion(*droplet, app.run_generation, process.memory_in_mb, process.disk_in_mb);
}

std::string DesireFingerprint(const RunnableProcess& rp) {
  const HealthCheck& hc = rp.process.health_check;
  nlohmann::json j = {{"version", InstanceVersion(rp)},
                      {"instances", rp.process.instances},
                      {"command", rp.start_command},
                      {"check", {HealthCheckTypeName(hc.type), hc.endpoint.value_or(""), hc.invocation_timeout, hc.timeout}},
                      {"uris", rp.uris},
                      {"env", rp.app.environment_variables},
                      {"name", rp.app.name}};
  return j.dump();
}

health::HealthCheckSpec CheckFor(const Process& process) {
  health::HealthCheckSpec spec;
  spec.type = process.health_check.type;
  if (process.health_check.endpoint) spec.http_endpoint = *process.health_check.endpoint;
  spec.invocation_timeout = std::chrono::seconds(std::max(1, process.health_check.invocation_timeout));
  spec.start_timeout = std::chrono::seconds(
      std::clamp<int>(process.health_check.timeout, 1, static_cast<int>(health::kMaxStartTimeout.count())));
  return spec;
}

std::uint32_t CpuSharesFor(int memory_mb) {
  return static_cast<std::uint32_t>(std::clamp(memory_mb, 2, 8192));
}

health::ProcessDesire MakeDesire(const RunnableProcess& rp, const std::filesystem::path& droplet_dir,
                                 const PlatformInfo& platform) {
  health::ProcessDesire d;
  d.key = {rp.app.guid, rp.process.type};
  d.version = InstanceVersion(rp);
  d.instances = rp.process.instances;
  d.check = CheckFor(rp.process);
  d.routable = rp.process.type == "web";
  d.make_spec = [rp, droplet_dir, platform](int index, const std::string&) -> Result<runtime::ContainerSpec> {
    if (rp.start_command.empty()) {
      return Status::Unprocessable("no start command for process type '" + rp.process.type +
                                   "': the droplet has none; set one with -c or a Procfile");
    }
    runtime::InstanceDescription desc;
    desc.app_guid = rp.app.guid;
    desc.app_name = rp.app.name;
    desc.version = rp.droplet.guid;
    desc.process_guid = rp.process.guid;
    desc.process_type = rp.process.type;
    desc.uris = rp.uris;
    desc.space_guid = platform.tenancy.space.guid;
    desc.space_name = platform.tenancy.space.name;
    desc.org_guid = platform.tenancy.org.guid;
    desc.org_name = platform.tenancy.org.name;
    desc.cf_api = platform.api_url;
    desc.index = index;
    desc.instance_guid = NewGuid();
    desc.memory_mb = rp.process.memory_in_mb;
    desc.disk_mb = rp.process.disk_in_mb;
    desc.user_env = rp.app.environment_variables;
    auto env = runtime::BuildInstanceEnv(desc);
    if (!env.ok()) return env.status();
    runtime::ContainerSpec spec;
    spec.droplet_dir = droplet_dir;
    spec.env = std::move(env).value();
    spec.argv = stager::LaunchArgv(rp.start_command);
    spec.limits.memory_bytes = static_cast<std::uint64_t>(rp.process.memory_in_mb) << 20;
    spec.limits.disk_bytes = static_cast<std::uint64_t>(rp.process.disk_in_mb) << 20;
    spec.limits.cpu_shares = CpuSharesFor(rp.process.memory_in_mb);
    spec.network = runtime::NetworkMode::kIsolated;
    spec.labels["wharf.droplet"] = rp.droplet.guid;
    return spec;
  };
  return d;
}

}  // namespace wharf::controller
