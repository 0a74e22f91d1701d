#include "state/test_support.h"

#include <doctest/doctest.h>

#include <system_error>

#include "common/file_io.h"
#include "state/migrations.h"

namespace wharf::state::testing {

TempDir::TempDir() {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-state-test-");
  REQUIRE_MESSAGE(dir.ok(), dir.status().ToString());
  path_ = *dir;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<Database> OpenMigrated(const std::filesystem::path& path, const Clock& clock) {
  auto db = Database::Open(path);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  Status s = Migrate(**db, clock);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(db).value();
}

}  // namespace wharf::state::testing
