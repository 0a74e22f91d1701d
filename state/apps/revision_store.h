// App revisions in SQL (Cloud Foundry v3): immutable once written. Bound to one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::state {

class RevisionStore {
 public:
  explicit RevisionStore(Tx& tx) : tx_(tx) {}

  // kConflict when the app already has a revision of that version.
  Status Insert(const Revision& revision);
  // kNotFound "revision 7 of app ... not found".
  Result<Revision> Get(std::string_view app_guid, std::int64_t version);
  Result<std::optional<Revision>> Latest(std::string_view app_guid);
  // Newest first.
  Result<std::vector<Revision>> ListForApp(std::string_view app_guid);
  // The droplets of the app's `count` newest revisions (kept by the droplet GC).
  Result<std::vector<std::string>> RecentDroplets(std::string_view app_guid, int count);
  Status DeleteForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
