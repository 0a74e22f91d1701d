#include <unistd.h>

#include "common/time/clock.h"
#include "runtime/container_runtime.h"
#include "runtime/helpers_path.h"
#include "runtime/oci/oci_runtime.h"
#include "runtime/process_runtime.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

Result<fs::path> FindHelper(const RuntimeConfig& config, std::string_view name) {
  std::vector<fs::path> candidates;
  if (!config.helper_dir.empty()) {
    candidates.push_back(config.helper_dir / name);
  } else {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      candidates.push_back(self.parent_path() / name);
      candidates.push_back(self.parent_path().parent_path() / "runtime" / name);
    }
#ifdef WHARF_RUNTIME_BUILD_DIR
    candidates.push_back(fs::path(WHARF_RUNTIME_BUILD_DIR) / name);
#endif
  }
  for (const auto& c : candidates) {
    if (::access(c.c_str(), X_OK) == 0) return fs::absolute(c);
  }
  std::string tried;
  for (const auto& c : candidates) tried += (tried.empty() ? "" : ", ") + c.string();
  return Status::NotFound("helper " + std::string(name) + " not found (tried " + tried + ")");
}

Result<std::unique_ptr<ContainerRuntime>> MakeRuntime(const RuntimeConfig& config) {
  static SystemClock system_clock;  // stateless; the one clock of a real runtime
  const Clock& clock = config.clock ? *config.clock : system_clock;
  if (config.state_root.empty()) return Status::InvalidArgument("runtime state_root is empty");
  std::error_code ec;
  fs::create_directories(config.state_root, ec);
  if (ec) return Status::Internal("cannot create " + config.state_root.string() + ": " + ec.message());
  RuntimeConfig c = config;
  c.state_root = fs::absolute(config.state_root);
  WHARF_ASSIGN_OR_RETURN(auto monitor, FindHelper(c, "wharf-monitor"));

  if (c.backend == "process") {
    return std::unique_ptr<ContainerRuntime>(std::make_unique<ProcessRuntime>(c, monitor, clock));
  }
  if (c.backend != "auto" && c.backend != "runc" && c.backend != "crun") {
    return Status::InvalidArgument("unknown runtime backend '" + c.backend + "' (want auto, crun, runc or process)");
  }
  WHARF_ASSIGN_OR_RETURN(auto init, FindHelper(c, "wharf-init"));
  auto oci = MakeOciRuntime(c, monitor, init, clock);
  if (oci.ok()) return std::move(*oci);
  if (c.backend != "auto") return oci.status();
  return std::unique_ptr<ContainerRuntime>(
      std::make_unique<ProcessRuntime>(c, monitor, clock, "no isolated backend: " + oci.status().message()));
}

}  // namespace wharf::runtime
