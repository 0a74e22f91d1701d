#include "state/sql/sql_dialect.h"

#include <doctest/doctest.h>

#include "state/sql/db.h"

namespace wharf::state::detail {
namespace {

TEST_CASE("SQLite's placeholders become PostgreSQL's numbered ones, outside literals and comments") {
  PostgresSql s = ToPostgresSql("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ? -- ?\n LIMIT ?", false);
  CHECK(s.sql == "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2 -- ?\n LIMIT $3");
  CHECK(s.parameters == 3);
  // Numbered ones keep their number; a bare one takes the next after the highest, as in SQLite.
  s = ToPostgresSql("SELECT ?1, ?3, ?1, ?", false);
  CHECK(s.sql == "SELECT $1, $3, $1, $4");
  CHECK(s.parameters == 4);
  s = ToPostgresSql("SELECT 'it''s ?', \"odd?name\" FROM t WHERE x = ?", false);
  CHECK(s.sql == "SELECT 'it''s ?', \"odd?name\" FROM t WHERE x = $1");
}

TEST_CASE("IFNULL, INTEGER and REAL become PostgreSQL's, and schema TEXT collates by bytes") {
  CHECK(ToPostgresSql("SELECT IFNULL(SUM(n), 0), ifnull(a, '') FROM t", false).sql ==
        "SELECT COALESCE(SUM(n), 0), COALESCE(a, '') FROM t");
  CHECK(ToPostgresSql("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, v REAL, s TEXT NOT NULL)", true).sql ==
        "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, v DOUBLE PRECISION, s TEXT COLLATE \"C\" NOT NULL)");
  // Outside a schema statement, and in a cast, TEXT stays: only columns collate.
  CHECK(ToPostgresSql("SELECT CAST(? AS TEXT), CAST(? AS REAL)", false).sql ==
        "SELECT CAST($1 AS TEXT), CAST($2 AS DOUBLE PRECISION)");
  CHECK(ToPostgresSql("SELECT CAST(x AS TEXT) FROM t", true).sql == "SELECT CAST(x AS TEXT) FROM t");
  // Words inside literals and longer names are left alone.
  CHECK(ToPostgresSql("INSERT INTO texts (integer_count) VALUES ('INTEGER TEXT')", true).sql ==
        "INSERT INTO texts (integer_count) VALUES ('INTEGER TEXT')");
}

TEST_CASE("A database URL's password is masked, wherever it is") {
  CHECK(MaskDatabaseUrl("postgres://wharf:s3cret@db.example:5432/wharf") == "postgres://wharf:***@db.example:5432/wharf");
  CHECK(MaskDatabaseUrl("postgresql://wharf@db/wharf") == "postgresql://wharf@db/wharf");
  CHECK(MaskDatabaseUrl("postgresql://u:p%40ss@db/w?sslmode=require&password=other") ==
        "postgresql://u:***@db/w?sslmode=require&password=***");
  CHECK(MaskDatabaseUrl("postgresql:///w?host=/run/pg&user=u") == "postgresql:///w?host=/run/pg&user=u");
  CHECK(IsPostgresUrl("postgres://h/db"));
  CHECK(IsPostgresUrl("postgresql://h/db"));
  CHECK_FALSE(IsPostgresUrl("sqlite"));
}

}  // namespace
}  // namespace wharf::state::detail
