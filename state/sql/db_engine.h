// The engines behind state::Database (internal to state/: db.cpp, sqlite_engine.cpp,
// postgres_engine.cpp). Callers include db.h only, which names these classes without
// defining them, so neither the sqlite3 nor the libpq handles leak to them.
//
// One Connection is one session with the database; Database serialises its use (one
// transaction at a time per Database). A StatementEngine belongs to the Connection that
// prepared it and is used inside the transaction it was prepared in.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::state {

struct DatabaseOptions;

namespace detail {

// What a failed step was, for callers that tell failures apart (never by message text).
enum class StepFailure {
  kNone,
  kDuplicate,  // unique or primary key violation
  kOther,
};

class StatementEngine {
 public:
  virtual ~StatementEngine() = default;
  // Parameters are 1-based. A bind error is returned, and Statement remembers it.
  virtual Status BindText(int index, std::string_view text) = 0;
  virtual Status BindInt(int index, std::int64_t value) = 0;
  virtual Status BindNull(int index) = 0;
  // true: a row is available; false: done (the next Step runs the statement again).
  virtual Result<bool> Step(StepFailure& failure) = 0;
  virtual std::string Text(int column) const = 0;
  virtual std::int64_t Int(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
};

// A leader lease (lease.h) on an engine where several processes share the database.
class LeaseEngine {
 public:
  virtual ~LeaseEngine() = default;
  virtual bool Held() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result<std::unique_ptr<StatementEngine>> Prepare(std::string_view sql) = 0;
  // One or more statements without parameters.
  virtual Status Exec(std::string_view sql) = 0;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  virtual std::int64_t Changes() const = 0;
  // A counter of changed rows that only grows: a transaction changed rows when it moved.
  virtual std::uint64_t TotalChanges() const = 0;

  // Transactions: Begin, then Commit or Rollback. `changed` tells Commit that the transaction
  // changed rows (PostgreSQL announces those to other processes).
  virtual Status Begin(bool read_only) = 0;
  virtual Status Commit(bool changed) = 0;
  virtual void Rollback() = 0;
  // After a failure inside a transaction: whether it was for want of disk space.
  virtual bool LastFailureWasDiskFull() const = 0;

  // Runs `run` so that a failure of it leaves the transaction usable (PostgreSQL aborts a
  // transaction on any error: the statement runs inside a savepoint there).
  virtual Status Guarded(const std::function<Status()>& run) = 0;

  // Calls `fn` (from another thread) when another process committed a change to the same
  // database; engines without other processes never call it.
  virtual void WatchForeignCommits(std::function<void()> fn) { (void)fn; }
  // Stops the watcher (before the Database's listeners go away).
  virtual void StopWatching() {}

  // A lease named `name`; null when one process owns the database (it always leads).
  virtual std::unique_ptr<LeaseEngine> NewLease(std::string_view name) {
    (void)name;
    return nullptr;
  }

  // What the database is, for messages: a file path, or a URL with its password masked.
  virtual std::string Describe() const = 0;
};

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, const DatabaseOptions& options);
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url, const DatabaseOptions& options);

}  // namespace detail
}  // namespace wharf::state
