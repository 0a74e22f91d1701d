#include "runtime/oci_runtime.h"

namespace wharf::runtime {

Result<std::unique_ptr<ContainerRuntime>> MakeOciRuntime(const RuntimeConfig&, const std::filesystem::path&,
                                                         const std::filesystem::path&, const Clock&) {
  return Status::Unavailable("OCI backend not built yet");
}

}  // namespace wharf::runtime
