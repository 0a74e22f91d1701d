#include "controller/dataplane/buildpack_registry_db.h"

#include "state/apps/buildpack_store.h"

namespace wharf::controller {

Result<std::vector<stager::RegisteredBuildpack>> DbBuildpackRegistry::List() const {
  auto rows = db_.Read<std::vector<state::Buildpack>>([](state::Tx& tx) { return state::BuildpackStore(tx).List(); });
  if (!rows.ok()) return rows.status().WithContext("reading the buildpack list");
  std::vector<stager::RegisteredBuildpack> out;
  for (const state::Buildpack& b : *rows) {
    stager::RegisteredBuildpack r;
    r.name = b.name;
    r.position = static_cast<int>(b.position);
    r.enabled = b.enabled;
    r.stack = b.stack.value_or("");
    if (b.builtin) {
      std::error_code ec;
      if (builtin_dir_.empty() || b.filename.empty() || !std::filesystem::is_directory(builtin_dir_ / b.filename, ec)) {
        continue;
      }
      r.folder = builtin_dir_ / b.filename;
    } else if (b.sha256) {
      r.archive_sha256 = *b.sha256;
    } else {
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace wharf::controller
