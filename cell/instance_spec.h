// From what should run (DesiredProcess) to what the health supervisor keeps
// running (health::ProcessDesire): the version that decides when instances are
// replaced, and the container of each instance (droplet, Cloud Foundry
// environment, launcher, limits, network). Pure: the caller unpacks the droplet
// and passes its folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "cell/desired_state.h"
#include "health/supervisor.h"

namespace wharf::cell {

// Instances of another version are replaced one at a time: a start or restart
// (run generation), a new revision or droplet, new memory, disk or log rate limits. The tag
// starts with the revision (common/facts/revision_tag.h) when there is one.
std::string InstanceVersion(std::int64_t revision, const std::string& droplet_guid, std::int64_t run_generation,
                            int memory_in_mb, int disk_in_mb, std::int64_t log_rate_limit = -1);

// The container label that carries an instance's log rate limit to the log tailer.
inline constexpr const char* kLabelLogRateLimit = "wharf.log-rate-limit";
// The log rate limit a container was started with (-1: unlimited, also for a label that does not parse).
std::int64_t LogRateLimitOf(const std::map<std::string, std::string>& labels);
std::string InstanceVersion(const DesiredProcess& process);

// Everything the desire depends on; when it changes the supervisor is told.
std::string DesireFingerprint(const DesiredProcess& process);

// CPU shares proportional to memory, as Cloud Foundry does (1 GiB -> 1024), within [2, 8192].
std::uint32_t CpuSharesFor(int memory_mb);

// `droplet_dir` is the unpacked droplet (runtime::UnpackDroplet); `api_url` goes to
// VCAP_APPLICATION's cf_api. A baseline (deployment in progress) is added by the caller,
// which unpacks its droplet too: `AddBaseline`.
health::ProcessDesire MakeDesire(const DesiredProcess& process, const std::filesystem::path& droplet_dir,
                                 const std::string& api_url);

// Gives `desire` the baseline of a deployment in progress: its version and how its
// instances are made (`baseline_dir`: the baseline's unpacked droplet).
void AddBaseline(health::ProcessDesire& desire, const DesiredProcess& baseline, const std::filesystem::path& baseline_dir,
                 const std::string& api_url);

}  // namespace wharf::cell
