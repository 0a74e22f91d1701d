// Helpers for controller tests: private temporary folders, an opened and
// migrated database, and tars built in memory with the real TarWriter.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "controller/db.h"

namespace wharf::controller::testing {

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

// An uncompressed tar holding `entries` (name, content) as regular files.
std::string TarOf(const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace wharf::controller::testing
