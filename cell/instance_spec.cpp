#include "cell/instance_spec.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/facts/revision_tag.h"
#include "common/ids.h"
#include "runtime/environment.h"

namespace wharf::cell {

std::string InstanceVersion(std::int64_t revision, const std::string& droplet_guid, std::int64_t run_generation,
                            int memory_in_mb, int disk_in_mb, std::int64_t log_rate_limit) {
  return (revision > 0 ? RevisionTagPrefix(revision) : std::string()) + droplet_guid.substr(0, 8) + "-g" + std::to_string(run_generation) + "-m" + std::to_string(memory_in_mb) +
         "-d" + std::to_string(disk_in_mb) + (log_rate_limit >= 0 ? "-l" + std::to_string(log_rate_limit) : "");
}

std::int64_t LogRateLimitOf(const std::map<std::string, std::string>& labels) {
  auto it = labels.find(kLabelLogRateLimit);
  if (it == labels.end() || it->second.empty()) return -1;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  return *end == '\0' && v >= 0 ? static_cast<std::int64_t>(v) : -1;
}

std::string InstanceVersion(const DesiredProcess& process) {
  return InstanceVersion(process.revision, process.droplet_guid, process.run_generation, process.memory_mb, process.disk_mb,
                         process.log_rate_limit);
}

std::string DesireFingerprint(const DesiredProcess& p) {
  const health::HealthCheckSpec& hc = p.check;
  nlohmann::json j = {{"version", InstanceVersion(p)},
                      {"instances", p.instances},
                      {"indices", p.indices},
                      {"argv", p.launch_argv},
                      {"check",
                       {HealthCheckTypeName(hc.type), hc.http_endpoint, hc.invocation_timeout.count(),
                        hc.start_timeout.count(), hc.startup_interval.count(), hc.liveness_interval.count()}},
                      {"readiness",
                       {HealthCheckTypeName(p.readiness.type), p.readiness.http_endpoint,
                        p.readiness.invocation_timeout.count(), p.readiness.interval.count()}},
                      {"uris", p.uris},
                      {"env", p.environment},
                      {"services", p.vcap_services},
                      {"name", p.app_name},
                      {"tenancy", {p.space_guid, p.space_name, p.org_guid, p.org_name}},
                      {"deployment",
                       {p.baseline ? DesireFingerprint(*p.baseline) : std::string(), p.new_instances, p.max_in_flight}}};
  return j.dump();
}

std::uint32_t CpuSharesFor(int memory_mb) {
  return static_cast<std::uint32_t>(std::clamp(memory_mb, 2, 8192));
}

health::ProcessDesire MakeDesire(const DesiredProcess& p, const std::filesystem::path& droplet_dir,
                                 const std::string& api_url) {
  health::ProcessDesire d;
  d.key = {p.app_guid, p.process_type};
  d.version = InstanceVersion(p);
  d.instances = p.instances;
  d.indices = p.indices;
  d.check = p.check;
  d.readiness = p.readiness;
  d.routable = p.process_type == "web";
  d.new_version_indices = p.baseline ? p.new_instances : -1;
  d.max_in_flight = p.max_in_flight;
  d.make_spec = [p, droplet_dir, api_url](int index, const std::string&) -> Result<runtime::ContainerSpec> {
    if (p.launch_argv.empty()) {
      return Status::Unprocessable("no start command for process type '" + p.process_type +
                                   "': the droplet has none; set one with -c or a Procfile");
    }
    runtime::InstanceDescription desc;
    desc.app_guid = p.app_guid;
    desc.app_name = p.app_name;
    desc.version = p.droplet_guid;
    desc.process_guid = p.process_guid;
    desc.process_type = p.process_type;
    desc.uris = p.uris;
    desc.space_guid = p.space_guid;
    desc.space_name = p.space_name;
    desc.org_guid = p.org_guid;
    desc.org_name = p.org_name;
    desc.cf_api = api_url;
    desc.index = index;
    desc.instance_guid = NewGuid();
    desc.memory_mb = p.memory_mb;
    desc.disk_mb = p.disk_mb;
    desc.user_env = p.environment;
    desc.vcap_services = p.vcap_services;
    auto env = runtime::BuildInstanceEnv(desc);
    if (!env.ok()) return env.status();
    runtime::ContainerSpec spec;
    spec.droplet_dir = droplet_dir;
    spec.stack = p.stack;
    spec.env = std::move(env).value();
    spec.argv = p.launch_argv;
    spec.limits.memory_bytes = static_cast<std::uint64_t>(p.memory_mb) << 20;
    spec.limits.disk_bytes = static_cast<std::uint64_t>(p.disk_mb) << 20;
    spec.limits.cpu_shares = CpuSharesFor(p.memory_mb);
    spec.network = runtime::NetworkMode::kIsolated;
    spec.policy_groups = runtime::RunningPolicyGroups(p.space_guid, p.app_guid);
    spec.labels["wharf.droplet"] = p.droplet_guid;
    if (p.log_rate_limit >= 0) spec.labels[kLabelLogRateLimit] = std::to_string(p.log_rate_limit);
    return spec;
  };
  return d;
}

void AddBaseline(health::ProcessDesire& desire, const DesiredProcess& baseline, const std::filesystem::path& baseline_dir,
                 const std::string& api_url) {
  health::ProcessDesire b = MakeDesire(baseline, baseline_dir, api_url);
  if (b.version == desire.version) return;  // nothing to keep apart
  desire.baseline_version = std::move(b.version);
  desire.baseline_make_spec = std::move(b.make_spec);
}

}  // namespace wharf::cell
