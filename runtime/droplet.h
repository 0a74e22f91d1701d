// Droplets as the runtime uses them: the stager's tarball unpacks to app/,
// deps/, profile.d/ and staging_info.yml; instances mount that folder (read
// only, shared) below their own writable layer.
#pragma once

#include <filesystem>

#include "common/status.h"

namespace wharf::runtime {

// Unpacks the droplet tarball at `tarball` into `dest` (created; must not
// exist), via a temporary sibling folder renamed into place, so `dest` is
// either absent or complete. Files are owned by uid/gid 2000 (vcap) when
// running as root, so the app may write its copy-on-write layer.
Status UnpackDroplet(const std::filesystem::path& tarball, const std::filesystem::path& dest);

}  // namespace wharf::runtime
