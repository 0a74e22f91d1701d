// Helpers for tests over the database: private temporary folders and an
// opened, migrated database.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "state/db.h"

namespace wharf::state::testing {

// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Opens `path` and migrates it to the latest schema; fails the test otherwise.
std::unique_ptr<Database> OpenMigrated(const std::filesystem::path& path, const Clock& clock);

}  // namespace wharf::state::testing
