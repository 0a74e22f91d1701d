// The OCI backend: each container is a bundle (config.json, see oci_bundle.h)
// run by runc or crun under wharf-monitor, with cgroup limits, namespaces, a
// read-only root made from the host's /usr and /etc, seccomp, and its own
// network namespace on wharfd's bridge (see network.h).
#pragma once

#include <memory>

#include "common/time/clock.h"
#include "runtime/container_runtime.h"

namespace wharf::runtime {

// Probes the host for the configured OCI runtime ("crun", "runc", or "auto":
// crun if it can run a container here, else runc) and builds the backend.
// Unavailable when no OCI runtime works here (not root, not installed, refused).
Result<std::unique_ptr<ContainerRuntime>> MakeOciRuntime(const RuntimeConfig& config,
                                                         const std::filesystem::path& monitor_binary,
                                                         const std::filesystem::path& init_binary, const Clock& clock);

}  // namespace wharf::runtime
