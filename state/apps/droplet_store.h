// Droplet records and buildpack caches in SQL (their bytes are blobs in the
// droplet-store component). Bound to one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::state {

class DropletStore {
 public:
  explicit DropletStore(Tx& tx) : tx_(tx) {}

  Status Insert(const Droplet& droplet);
  Result<Droplet> Get(std::string_view guid);
  // Newest first.
  Result<Page<Droplet>> ListForApp(std::string_view app_guid, const PageRequest& page);
  Result<std::vector<Droplet>> AllForApp(std::string_view app_guid);  // newest first
  // The app's newest droplet staged from exactly these inputs (Droplet::staging_key); none for "".
  Result<std::optional<Droplet>> FindByStagingKey(std::string_view app_guid, std::string_view key);
  Status Delete(std::string_view guid);
  Status DeleteForApp(std::string_view app_guid);

  // Buildpack caches: one per app and stack.
  Status PutBuildpackCache(const BuildpackCache& cache);
  Result<std::vector<BuildpackCache>> AllBuildpackCaches();
  Result<std::optional<BuildpackCache>> FindBuildpackCache(std::string_view app_guid, std::string_view stack);
  Status DeleteBuildpackCachesForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
