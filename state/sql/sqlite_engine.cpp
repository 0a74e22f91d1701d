// The SQLite engine of state::Database: one sqlite3 connection (see db.h for the pragmas).
#include <sqlite3.h>

#include <utility>

#include "state/sql/db.h"
#include "state/sql/db_engine.h"

namespace wharf::state::detail {
namespace {

bool IsDuplicateKey(int extended_code) {
  return extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT) {
    int extended = db ? sqlite3_extended_errcode(db) : rc;
    if (IsDuplicateKey(extended) || extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Status::Conflict(msg);
    }
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Unavailable(msg);
  return Status::Internal(msg);
}

class SqliteStatement final : public StatementEngine {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql) : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  Status BindText(int index, std::string_view text) override {
    return Check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  }
  Status BindInt(int index, std::int64_t value) override { return Check(sqlite3_bind_int64(stmt_, index, value), index); }
  Status BindNull(int index) override { return Check(sqlite3_bind_null(stmt_, index), index); }

  Result<bool> Step(StepFailure& failure) override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    failure = IsDuplicateKey(sqlite3_extended_errcode(db_)) ? StepFailure::kDuplicate : StepFailure::kOther;
    return SqliteError(db_, rc, "running '" + sql_ + "'");
  }

  std::string Text(int column) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  Status Check(int rc, int index) const {
    if (rc == SQLITE_OK) return Status::Ok();
    return Status::Internal("binding parameter " + std::to_string(index) + " of '" + sql_ + "': " + sqlite3_errstr(rc));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // Every Statement is finalised by now (they live inside callbacks), so close succeeds
  // and checkpoints the WAL.
  ~SqliteConnection() override { sqlite3_close(db_); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<std::unique_ptr<StatementEngine>> Prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "preparing '" + std::string(sql) + "'");
    return std::unique_ptr<StatementEngine>(new SqliteStatement(db_, stmt, std::string(sql)));
  }

  Status Exec(std::string_view sql) override {
    std::string copy(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return SqliteError(nullptr, rc, "executing SQL: " + msg);
    }
    return Status::Ok();
  }

  std::int64_t Changes() const override { return sqlite3_changes64(db_); }
  std::uint64_t TotalChanges() const override { return static_cast<std::uint64_t>(sqlite3_total_changes64(db_)); }

  Status Begin(bool read_only) override {
    read_only_ = read_only;
    if (read_only) WHARF_RETURN_IF_ERROR(Exec("PRAGMA query_only = ON"));
    Status s = Exec(read_only ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
    if (!s.ok()) [[maybe_unused]] Status reset = EndReadOnly();
    return s;
  }

  Status Commit(bool /*changed*/) override {
    Status s = Exec("COMMIT");
    if (!s.ok()) return s;  // Rollback follows
    return EndReadOnly();
  }

  void Rollback() override {
    // A failed ROLLBACK (SQLite already rolled back) changes nothing.
    [[maybe_unused]] Status ignored = Exec("ROLLBACK");
    [[maybe_unused]] Status reset = EndReadOnly();
  }

  bool LastFailureWasDiskFull() const override { return (sqlite3_extended_errcode(db_) & 0xff) == SQLITE_FULL; }

  // A failed statement leaves an SQLite transaction usable: nothing to guard.
  Status Guarded(const std::function<Status()>& run) override { return run(); }

  std::string Describe() const override { return path_; }

 private:
  Status EndReadOnly() {
    if (!read_only_) return Status::Ok();
    read_only_ = false;
    return Exec("PRAGMA query_only = OFF");
  }

  sqlite3* db_;
  std::string path_;
  bool read_only_ = false;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, const DatabaseOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::Internal("cannot open database " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  auto out = std::make_unique<SqliteConnection>(db, path);
  // journal_mode returns a row; sqlite3_exec ignores it. WAL can't be set inside a transaction.
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
    char* err = nullptr;
    rc = sqlite3_exec(db, pragma, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::Internal("database " + path + ": " + pragma + ": " + msg);
    }
  }
  return std::unique_ptr<Connection>(std::move(out));
}

}  // namespace wharf::state::detail
