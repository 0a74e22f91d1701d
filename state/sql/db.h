// Wharf's database: one connection, prepared statements, and transactions that roll
// back unless the work succeeds, on one of two engines behind the same interface:
//
// - SQLite (Database::Open, the default): the file DATA_DIR/wharf.db of one wharfd.
//   WAL journal, synchronous=FULL, foreign keys on, busy_timeout set.
// - PostgreSQL (Database::OpenPostgres, `wharfd --database postgres://...`): several
//   wharfd processes on one database. The stores' SQL is SQLite's; the engine rewrites
//   the little that differs (sql_dialect.h: `?` placeholders, IFNULL, INTEGER as BIGINT,
//   TEXT columns with byte-order collation) and migrations carry a PostgreSQL variant
//   where SQLite's own functions were used (migrations.h).
//
// Threading: a Database owns one connection guarded by a mutex. Every access
// goes through Transact/Read, which hold that mutex for the whole transaction,
// so transactions are serialised (the control plane's load is small; SQLite
// allows one writer anyway). Statements and Tx objects must not outlive the
// callback they were handed to.
//
// Writers are serialised across processes too, as SQLite does: a PostgreSQL write
// transaction takes one advisory transaction lock first, so a store's read-then-write
// (a quota check, a uniqueness check by query) sees every earlier commit and nobody
// commits in between; reads run in REPEATABLE READ READ ONLY snapshots, in parallel.
//
// Durability: a committed transaction survives a crash of the process (kill -9) and of
// the machine; an interrupted one leaves no trace.
#pragma once


#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::state {

// The engines (db_engine.h, internal to state/): neither sqlite3's nor libpq's handles show here.
namespace detail {
class StatementEngine;
class Connection;
}  // namespace detail

enum class DatabaseEngine { kSqlite, kPostgres };

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binds parameter `index` (1-based). Errors are remembered and reported by Step/Run.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, std::uint64_t value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& Bind(int index, const std::optional<std::string>& text);
  Statement& Bind(int index, const std::optional<std::int64_t>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }
  Statement& BindNull(int index);
  Statement& Bind(int index, std::nullptr_t) { return BindNull(index); }

  // Advances to the next row: true when a row is available, false when done.
  // Constraint violations come back as kConflict (unique, primary key, foreign
  // key) so stores can turn them into messages about names; anything else is kInternal.
  Result<bool> Step();
  // True when the last Step failed on a UNIQUE or PRIMARY KEY constraint, by the engine's
  // code (SQLite's SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL's SQLSTATE 23505).
  bool FailedOnDuplicate() const { return failed_on_duplicate_; }
  // Steps until done, for statements that return no rows.
  Status Run();

  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  std::int64_t Int(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  bool IsNull(int column) const;

 private:
  friend class Tx;
  Statement(std::unique_ptr<detail::StatementEngine> impl, std::string sql);
  void RememberBindError(const Status& s);

  std::unique_ptr<detail::StatementEngine> impl_;
  std::string sql_;
  Status bind_error_;
  bool failed_on_duplicate_ = false;
};

// What a write that may collide with a UNIQUE or PRIMARY KEY constraint did.
enum class WriteOutcome {
  kWritten,    // the statement ran
  kDuplicate,  // the database refused it as a duplicate key; nothing was written, the transaction goes on
};

// An open transaction, handed to the callback of Database::Transact/Read.
class Tx {
 public:
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  Result<Statement> Prepare(std::string_view sql);
  // Prepares `sql` and binds `args` to its parameters 1..n.
  template <typename... Args>
  Result<Statement> Query(std::string_view sql, const Args&... args) {
    Result<Statement> st = Prepare(sql);
    if (!st.ok()) return st;
    int index = 0;
    (st->Bind(++index, args), ...);
    return st;
  }
  // Prepares, binds and runs a statement that returns no rows.
  template <typename... Args>
  Status Run(std::string_view sql, const Args&... args) {
    Result<Statement> st = Query(sql, args...);
    if (!st.ok()) return st.status();
    return st->Run();
  }
  // Like Run, for a write that may collide with a UNIQUE or PRIMARY KEY constraint:
  // kDuplicate when it did (told by the engine's error code, never by the
  // message text), kWritten when it ran. Every other failure, a foreign key
  // violation included, is the error Status that Run returns.
  template <typename... Args>
  Result<WriteOutcome> RunUnlessDuplicate(std::string_view sql, const Args&... args) {
    Result<Statement> st = Query(sql, args...);
    if (!st.ok()) return st.status();
    return RunStatementUnlessDuplicate(*st);
  }
  Result<WriteOutcome> RunStatementUnlessDuplicate(Statement& st);
  // Runs one or more statements without parameters (schema changes).
  Status Exec(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t Changes() const;
  // Runs `fn` after this transaction commits (never if it rolls back): event log
  // lines, in-memory notifications, anything that must not announce a change that
  // did not happen. Callbacks run outside the database lock, in order.
  void OnCommit(std::function<void()> fn);
  DatabaseEngine engine() const { return engine_; }

 private:
  friend class Database;
  Tx(detail::Connection* conn, DatabaseEngine engine) : conn_(conn), engine_(engine) {}
  detail::Connection* conn_;
  DatabaseEngine engine_;
  std::vector<std::function<void()>> on_commit_;
};

struct DatabaseOptions {
  std::chrono::milliseconds busy_timeout{5000};
  // Called (with the database's lock held: it must not use the database) when a reclaiming
  // transaction (TransactReclaiming: deletes) failed because the disk is full (SQLITE_FULL).
  // When it returns true (it freed space: wharfd's reserve file), the transaction runs once
  // more, so that deletes, which need a little room in the WAL too, still work on a full disk.
  // Other writes never get the reserve: they fail, and leave it to the deletes that free space.
  std::function<bool()> on_disk_full;
};

class Database;

// Keeps a commit listener (Database::OnCommit) registered while it lives.
class CommitSubscription {
 public:
  CommitSubscription() = default;
  CommitSubscription(CommitSubscription&& other) noexcept { *this = std::move(other); }
  CommitSubscription& operator=(CommitSubscription&& other) noexcept;
  CommitSubscription(const CommitSubscription&) = delete;
  CommitSubscription& operator=(const CommitSubscription&) = delete;
  ~CommitSubscription() { Reset(); }
  // Unregisters the listener; once it returns, the listener is not running and never runs again.
  void Reset();

 private:
  friend class Database;
  Database* db_ = nullptr;
  std::uint64_t id_ = 0;
};

class Database {
 public:
  // Opens (creating if needed) the SQLite database at `path` and applies the pragmas above.
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& path, const DatabaseOptions& options = {});
  // Connects to the PostgreSQL database at `url` (postgres://user:password@host:port/db, or
  // postgresql://; libpq's URI form, so ?host=/socket/dir works too). Error messages name the
  // URL with its password masked (MaskDatabaseUrl).
  static Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `fn` in a write transaction (BEGIN IMMEDIATE). Commits when it returns
  // ok; rolls back when it returns an error or throws (the exception is turned
  // into kInternal). Transactions do not nest: calling Transact from inside `fn`
  // deadlocks, by design of the lock (callers pass the Tx down instead).
  Status Transact(const std::function<Status(Tx&)>& fn);
  // A write that frees space (a delete): on a full disk it may run once more after
  // DatabaseOptions::on_disk_full freed some. `fn` may therefore run twice: it must only work
  // through the Tx and assign its outputs.
  Status TransactReclaiming(const std::function<Status(Tx&)>& fn);
  // Same, for work that produces a value.
  template <typename T>
  Result<T> Transact(const std::function<Result<T>(Tx&)>& fn) {
    std::optional<T> out;
    Status s = Transact([&](Tx& tx) -> Status {
      Result<T> r = fn(tx);
      if (!r.ok()) return r.status();
      out.emplace(std::move(r).value());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return std::move(*out);
  }

  // A read-only transaction: a consistent snapshot. Writes inside it fail.
  Status Read(const std::function<Status(Tx&)>& fn);
  template <typename T>
  Result<T> Read(const std::function<Result<T>(Tx&)>& fn) {
    std::optional<T> out;
    Status s = Read([&](Tx& tx) -> Status {
      Result<T> r = fn(tx);
      if (!r.ok()) return r.status();
      out.emplace(std::move(r).value());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return std::move(*out);
  }

  // The SQLite file (empty on PostgreSQL).
  const std::filesystem::path& path() const { return path_; }
  DatabaseEngine engine() const { return engine_; }
  // The database for messages: the SQLite file, or the PostgreSQL URL without its password.
  const std::string& Describe() const { return description_; }

  // Counts committed write transactions that changed rows: a reader that polls the state
  // (the cell, the router's route sync) skips its read when nothing was changed since.
  std::uint64_t CommitCount() const { return commits_.load(std::memory_order_acquire); }

  // On PostgreSQL it also counts the commits of other processes on the same database (told by
  // LISTEN/NOTIFY), so that their readers wake up for them too.
  //
  // Calls `fn` after every committed write transaction that changed rows (those CommitCount
  // counts), on the committing thread (another process's commit: the listener thread), outside the
  // database's lock: a loop that reads the state when it changed (the cell) is woken at once
  // instead of finding the change at its next poll. `fn` must be quick and must not use the
  // database. The database must outlive the subscription.
  [[nodiscard]] CommitSubscription OnCommit(std::function<void()> fn);

 private:
  Database(std::unique_ptr<detail::Connection> conn, DatabaseEngine engine, std::filesystem::path path,
           std::function<bool()> on_disk_full);
  void CountForeignCommit();
  Status RunTransaction(bool read_only, const std::function<Status(Tx&)>& fn, bool reclaiming = false);
  // One attempt, with mu_ held; `disk_full` tells whether it failed for want of disk space.
  Status Attempt(bool read_only, const std::function<Status(Tx&)>& fn, bool& disk_full,
                 std::vector<std::function<void()>>& after);

  std::unique_ptr<detail::Connection> conn_;
  DatabaseEngine engine_;
  std::filesystem::path path_;
  std::string description_;
  std::function<bool()> on_disk_full_;
  std::mutex mu_;
  std::atomic<std::uint64_t> commits_{0};
  friend class CommitSubscription;
  friend class Lease;
  void Unsubscribe(std::uint64_t id);
  std::mutex listeners_mu_;  // held while listeners run, so Unsubscribe waits for a running one
  std::uint64_t next_listener_ = 1;
  std::map<std::uint64_t, std::function<void()>> listeners_;
};

// Reads the first row of `st` with `read` (Statement& -> Result<T>); nullopt when there is none.
template <typename T, typename ReadRow>
Result<std::optional<T>> FetchOne(Result<Statement> st, ReadRow read) {
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  Result<T> value = read(*st);
  if (!value.ok()) return value.status();
  return std::optional<T>(std::move(value).value());
}

// Reads every row of `st` with `read`.
template <typename T, typename ReadRow>
Result<std::vector<T>> FetchAll(Result<Statement> st, ReadRow read) {
  if (!st.ok()) return st.status();
  std::vector<T> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    Result<T> value = read(*st);
    if (!value.ok()) return value.status();
    out.push_back(std::move(value).value());
  }
}

// The integer in the first column of the first row (a COUNT(*)).
Result<std::int64_t> FetchInt(Result<Statement> st);

// Whether a --database value names PostgreSQL (postgres:// or postgresql://).
bool IsPostgresUrl(std::string_view url);
// `url` with its password (user:PASSWORD@, or a password= parameter) replaced by "***":
// what messages and logs may show.
std::string MaskDatabaseUrl(std::string_view url);

}  // namespace wharf::state
