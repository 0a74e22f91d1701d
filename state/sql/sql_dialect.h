// SQLite's SQL, as the stores and migrations write it, rewritten for PostgreSQL (internal to
// state/). The stores keep one SQL text for both engines; what differs is rewritten here,
// outside string literals, quoted names and comments:
//
// - parameters: `?` and `?N` become `$N` (`?` takes the next number after the highest so far,
//   as SQLite numbers them);
// - IFNULL(a, b) becomes COALESCE(a, b);
// - INTEGER becomes BIGINT (SQLite's integers are 64-bit), and a column `INTEGER PRIMARY KEY`
//   (SQLite's rowid: numbered on insert) becomes BIGSERIAL PRIMARY KEY;
// - REAL becomes DOUBLE PRECISION (SQLite's REAL is 8 bytes);
// - in schema statements (Tx::Exec), a TEXT column gets COLLATE "C": comparisons and ORDER BY
//   go by bytes, case-sensitive, as SQLite's BINARY collation does, whatever the database's
//   locale.
//
// What it cannot rewrite (SQLite's own functions: strftime, randomblob, hex) is kept out of
// the stores; the migrations that used it have a PostgreSQL variant (migrations.h).
#pragma once

#include <string>
#include <string_view>

namespace wharf::state::detail {

struct PostgresSql {
  std::string sql;
  int parameters = 0;  // the highest parameter number
};

// `schema`: a statement that defines tables (TEXT columns collate by bytes).
PostgresSql ToPostgresSql(std::string_view sqlite_sql, bool schema);

}  // namespace wharf::state::detail
