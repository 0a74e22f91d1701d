// After the buildpacks ran: decide the process types and start command, record
// what was used, and archive the droplet into the blob store.
//
// The droplet unpacks to:
//   app/              the build folder as the buildpacks left it
//   deps/             DEPS_DIR (each supplying buildpack's index folder)
//   profile.d/        PROFILE_DIR, plus deps/<i>/profile.d/<f> copied as <i>_<f>
//                     unless the final buildpack already wrote that name
//   tmp/, logs/       empty, as Cloud Foundry's
//   staging_info.yml  and droplet.json (see droplet_metadata.h)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "droplet-store/blob_store.h"
#include "stager/buildpacks/buildpack_fetcher.h"
#include "stager/stager.h"
#include "stager/staging_plan.h"
#include "stager/staging_workspace.h"

namespace wharf::stager {

struct DropletInputs {
  const StagingWorkspace& ws;
  const std::vector<ResolvedBuildpack>& buildpacks;  // as planned
  const StagingPlan& plan;
  bool detecting;
  const std::optional<std::string>& start_command;
  const std::string& stack;
};

struct DropletOptions {
  Compression compression = Compression::kZstd;
  int level = 0;
  std::uint64_t max_content_bytes = UINT64_MAX;  // the staging disk limit
};

// Reads the builder's output in `ws.out` (chosen branch, detect and release
// output), the deps' config.yml and launch.yml, and the app's Procfile.
// Errors: invalid release YAML (224), an invalid Procfile (AppInvalid), files
// over the disk limit (OverLimit), a store failure (Platform).
std::variant<StagingResult, StagingError> AssembleDroplet(const DropletInputs& in, store::BlobStore& blobs,
                                                          const DropletOptions& options,
                                                          const std::function<void(std::string_view)>& say);

}  // namespace wharf::stager
