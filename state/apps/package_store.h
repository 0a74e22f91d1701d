// Packages (an app's uploaded source, as a manifest blob digest) in SQL.
// Bound to one transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::state {

class PackageStore {
 public:
  explicit PackageStore(Tx& tx) : tx_(tx) {}

  Status Insert(const Package& package);
  Result<Package> Get(std::string_view guid);
  // Newest first.
  Result<Page<Package>> ListForApp(std::string_view app_guid, const PageRequest& page);
  Result<std::vector<Package>> AllForApp(std::string_view app_guid);  // newest first
  Result<std::optional<Package>> NewestForApp(std::string_view app_guid);
  Status Delete(std::string_view guid);
  Status DeleteForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
