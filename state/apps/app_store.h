// Apps and their processes (desired state) in SQL. Bound to one transaction.
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

struct AppFilter {
  std::optional<std::string> space_guid;
  std::optional<std::vector<std::string>> space_guids = std::nullopt;  // none: any space; empty: none
  std::vector<std::string> names;  // empty: any name
};

class AppStore {
 public:
  explicit AppStore(Tx& tx) : tx_(tx) {}

  // kConflict "app name 'web' is already taken" when the space has an app of that name.
  Status Insert(const App& app);
  // Writes every mutable field of `app` (found by guid). kNotFound, kConflict on a taken name.
  Status Update(const App& app);
  Result<App> Get(std::string_view guid);
  Result<std::optional<App>> FindByName(std::string_view space_guid, std::string_view name);
  // Ordered by name.
  Result<Page<App>> List(const AppFilter& filter, const PageRequest& page);
  // Every app's guid, for sweeps (GC).
  Result<std::vector<std::string>> AllGuids();
  // Deletes the app row only; its dependants must be gone (foreign keys refuse otherwise).
  Status Delete(std::string_view guid);

 private:
  Tx& tx_;
};

class ProcessStore {
 public:
  explicit ProcessStore(Tx& tx) : tx_(tx) {}

  // kConflict when the app already has a process of that type.
  Status Insert(const Process& process);
  Status Update(const Process& process);
  Result<Process> Get(std::string_view guid);
  Result<std::optional<Process>> Find(std::string_view app_guid, std::string_view type);
  // Ordered by type, web first.
  Result<std::vector<Process>> ListForApp(std::string_view app_guid);
  Status Delete(std::string_view guid);
  Status DeleteForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
