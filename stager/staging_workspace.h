// The folder of one staging, and how its parts appear inside the staging
// container.
//
//   <work>/staging/<build>/app        BUILD_DIR, bound at /home/vcap/app
//                          deps       DEPS_DIR            /tmp/deps
//                          profile.d  PROFILE_DIR         /tmp/profile.d
//                          cache      buildpack caches    /tmp/cache
//                          env        ENV_DIR (Heroku)    /tmp/env (read-only)
//                          out        plan, detect and release output  /tmp/staging
//                          scratch    cloned and unpacked buildpacks (host only)
//                          tmp        the container's $TMPDIR        /home/vcap/tmp
//   <work>/staging/<build>.img        with a disk quota: the ext4 image mounted at <build>, so
//                                     everything the staging writes stops at the quota
//   buildpack roots                                       /tmp/buildpacks/<i> (read-only)
// With an isolated runtime the plan uses the container paths and the runtime
// binds them; the plain-process backend shares the host's file system, so the
// plan uses the host paths and nothing is bound.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/container_runtime.h"
#include "stager/staging_plan.h"

namespace wharf::stager {

struct StagingWorkspace {
  std::filesystem::path root, app, deps, profile, cache, env, out, scratch, tmp;
  std::filesystem::path image;  // with a quota: the file system's image, else empty

  // Creates <parent>/<name> and its parts; fails if it exists. With `quota_bytes`, <name> is a
  // file system of that size of its own (runtime/oci/quota_filesystem.h).
  static Result<StagingWorkspace> Create(const std::filesystem::path& parent, std::string_view name,
                                         std::uint64_t quota_bytes = 0);
  // Removes <parent>/<name> (unmounting its file system, if any) and the image. Idempotent.
  static void Remove(const std::filesystem::path& parent, std::string_view name);
  // True when the workspace has a quota and it is used up.
  bool QuotaExhausted() const;
};

struct ContainerLayout {
  PlanDirs dirs;
  std::vector<std::string> buildpack_dirs;      // per buildpack root, as the plan names it
  std::vector<runtime::BindMount> mounts;
  std::string plan_file;                        // where the builder reads the plan
};

ContainerLayout LayoutFor(const StagingWorkspace& ws, const std::vector<std::filesystem::path>& buildpack_roots,
                          bool isolated);

// Writes one file per variable into `env_dir` (Heroku's ENV_DIR). Names must be
// valid environment names (refused otherwise, naming the variable).
Status WriteEnvDir(const std::filesystem::path& env_dir, const std::map<std::string, std::string>& env);

// Gives the tree to vcap (uid 2000), which the staging container runs as, when
// wharfd runs as root; otherwise does nothing.
Status GiveToVcap(const std::filesystem::path& root);

}  // namespace wharf::stager
