// The database schema as a numbered list of migrations. The list only grows:
// a released migration is never edited; a change is a new, higher number.
// schema_migrations records which numbers are applied. Each migration runs in
// its own transaction together with its schema_migrations row, so a crash
// mid-migration leaves the database at the previous version.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "common/status.h"
#include "common/time/clock.h"
#include "state/sql/db.h"

namespace wharf::state {

struct Migration {
  int version;            // 1, 2, 3, ... without gaps
  std::string_view name;  // what it adds, for schema_migrations and errors
  std::string_view sql;   // one or more statements
  // On PostgreSQL, when `sql` needs SQLite's own functions (strftime, randomblob) or rebuilds a
  // table: the same schema and rows by PostgreSQL's means. Empty: `sql` serves both (rewritten
  // as sql_dialect.h says). `sql` stays what SQLite databases were migrated with.
  std::string_view postgres_sql = {};
};

std::span<const Migration> Migrations();
int LatestSchemaVersion();

// 0 for a fresh database.
Result<int> CurrentSchemaVersion(Database& db);

// Applies every migration above the current version, up to `target` (default:
// the latest). Applying when already there is a no-op. Refuses a database whose
// version is newer than this program knows (written by a newer wharfd).
Status Migrate(Database& db, const Clock& clock, std::optional<int> target = std::nullopt);

}  // namespace wharf::state
