// The stager's view of the admin-ordered buildpack list, read from the
// database at each staging: a built-in row is its folder in the built-in
// buildpacks folder, an uploaded one its archive blob. A row whose bits were
// never uploaded (or a built-in whose folder is missing) is left out.
#pragma once

#include <filesystem>
#include <vector>

#include "stager/buildpacks/buildpack_registry.h"
#include "state/sql/db.h"

namespace wharf::controller {

class DbBuildpackRegistry final : public stager::BuildpackRegistry {
 public:
  // `builtin_dir` is where the built-in buildpacks are (stager::FindBuiltinBuildpacksDir).
  DbBuildpackRegistry(state::Database& db, std::filesystem::path builtin_dir)
      : db_(db), builtin_dir_(std::move(builtin_dir)) {}

  Result<std::vector<stager::RegisteredBuildpack>> List() const override;

 private:
  state::Database& db_;
  std::filesystem::path builtin_dir_;
};

}  // namespace wharf::controller
