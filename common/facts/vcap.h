// The container user every app and staging runs as: Cloud Foundry's `vcap`.
// One definition for the runtime (who owns droplets and bundles, whom the OCI
// config names) and the stager (who owns the build tree and droplet entries).
#pragma once

#include <string_view>

namespace wharf {

inline constexpr int kVcapUid = 2000;
inline constexpr int kVcapGid = 2000;
inline constexpr std::string_view kVcapHome = "/home/vcap";         // vcap's home in a container
inline constexpr std::string_view kVcapAppDir = "/home/vcap/app";   // the droplet's app/: HOME and cwd of an app

}  // namespace wharf
