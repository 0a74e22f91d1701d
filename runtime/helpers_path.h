// Where the runtime's helper binaries (wharf-monitor, wharf-init) are found.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "runtime/container_runtime.h"

namespace wharf::runtime {

// config.helper_dir if set; else next to this executable, then in ../runtime of
// it, then the build tree's runtime folder (for tests).
Result<std::filesystem::path> FindHelper(const RuntimeConfig& config, std::string_view name);

}  // namespace wharf::runtime
