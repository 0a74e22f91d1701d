// Helpers for tests over the database: private temporary folders, the database under test
// (SQLite, or a real PostgreSQL server the test binary starts) and an opened, migrated database.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/ids.h"
#include "common/testing/temp_dir.h"
#include "common/time/clock.h"
#include "state/sql/db.h"

namespace wharf::state::testing {

using TempDir = ::wharf::testing::TempDir;

// The engine the tests open their databases on: SQLite, or PostgreSQL when the environment has
// WHARF_TEST_DATABASE=postgres (ctest's "<binary>: on PostgreSQL" runs).
DatabaseEngine EngineUnderTest();

// Opens the test database `path` names: on SQLite that file; on PostgreSQL a database of the
// test server named after the path (created on first use: a fresh one per test case, since each
// has its own TempDir; the same path opens the same database again). A PostgreSQL run without
// the server binaries fails the test, naming what is missing.
Result<std::unique_ptr<Database>> OpenTestDatabase(const std::filesystem::path& path,
                                                   const DatabaseOptions& options = {});

// The URL of the PostgreSQL test database for `path` (starting the server, creating the database).
std::string PostgresTestUrl(const std::filesystem::path& path);

// Opens `path` (OpenTestDatabase) and migrates it to the latest schema; fails the test otherwise.
std::unique_ptr<Database> OpenMigrated(const std::filesystem::path& path, const Clock& clock);

// The start of the stores' tests: a migrated database in a private folder, on a FakeClock, with
// one org ("wharf") and its space ("default"). Fixtures derive from it and add their own rows.
struct SpaceFixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Database> db = OpenMigrated(dir / "w.db", clock);
  std::string org = NewGuid();
  std::string space = NewGuid();

  SpaceFixture();
};

}  // namespace wharf::state::testing
