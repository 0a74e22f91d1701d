// Builds (stagings of a package) in SQL. Bound to one transaction.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::state {

class BuildStore {
 public:
  explicit BuildStore(Tx& tx) : tx_(tx) {}

  Status Insert(const Build& build);
  // Writes state, error, droplet_guid and updated_at.
  Status Update(const Build& build);
  Result<Build> Get(std::string_view guid);
  // Newest first.
  Result<Page<Build>> ListForApp(std::string_view app_guid, const PageRequest& page);
  // Packages that a build is staging right now (GC must keep them).
  Result<std::set<std::string>> PackagesBeingStaged();
  // Every build in STAGING, oldest first.
  Result<std::vector<Build>> ListStaging();
  Status DeleteForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
