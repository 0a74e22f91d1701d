// From what the database says should run (RunnableProcess) to what the health
// supervisor keeps running (health::ProcessDesire): the version that decides when
// instances are replaced, the health check, and the container of each instance
// (droplet, Cloud Foundry environment, launcher, limits, network). Pure: the
// caller unpacks the droplet and passes its folder.
#pragma once

#include <filesystem>
#include <string>

#include "controller/platform_info.h"
#include "controller/runnable_processes.h"
#include "health/supervisor.h"

namespace wharf::controller {

// Instances of another version are replaced one at a time: a start or restart
// (run generation), a new droplet, new memory or disk limits.
std::string InstanceVersion(const std::string& droplet_guid, std::int64_t run_generation, int memory_in_mb,
                            int disk_in_mb);
std::string InstanceVersion(const RunnableProcess& rp);
// The version instances of `process` should have now; empty when the app has nothing to run.
std::string InstanceVersion(const App& app, const Process& process);

// Everything the desire depends on; when it changes the supervisor is told.
std::string DesireFingerprint(const RunnableProcess& rp);

health::HealthCheckSpec CheckFor(const Process& process);

// CPU shares proportional to memory, as Cloud Foundry does (1 GiB -> 1024), within [2, 8192].
std::uint32_t CpuSharesFor(int memory_mb);

// `droplet_dir` is the unpacked droplet (runtime::UnpackDroplet).
health::ProcessDesire MakeDesire(const RunnableProcess& rp, const std::filesystem::path& droplet_dir,
                                 const PlatformInfo& platform);

}  // namespace wharf::controller
