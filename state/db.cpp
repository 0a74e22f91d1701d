#include "state/db.h"

#include <sqlite3.h>

#include <exception>
#include <utility>

namespace wharf::state {
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

}  // namespace

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      sql_(std::move(other.sql_)),
      bind_error_(std::move(other.bind_error_)),
      failed_on_duplicate_(other.failed_on_duplicate_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Statement::RememberBindError(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_.ok()) {
    bind_error_ = Status::Internal("binding parameter " + std::to_string(index) + " of '" + sql_ +
                                   "': " + sqlite3_errstr(rc));
  }
}

Statement& Statement::Bind(int index, std::string_view text) {
  RememberBindError(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  RememberBindError(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  RememberBindError(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Result<bool> Statement::Step() {
  failed_on_duplicate_ = false;
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  failed_on_duplicate_ = IsDuplicateKey(sqlite3_extended_errcode(db_));
  return SqliteError(db_, rc, "running '" + sql_ + "'");
}

Status Statement::Run() {
  for (;;) {
    WHARF_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string Statement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// ---- Tx ----

Result<Statement> Tx::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "preparing '" + std::string(sql) + "'");
  return Statement(db_, stmt, std::string(sql));
}

Status Tx::Exec(std::string_view sql) {
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

std::int64_t Tx::Changes() const { return sqlite3_changes64(db_); }

void Tx::OnCommit(std::function<void()> fn) { on_commit_.push_back(std::move(fn)); }

Result<std::int64_t> FetchInt(Result<Statement> st) {
  if (!st.ok()) return st.status();
  WHARF_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("query returned no row");
  return st->Int(0);
}

// ---- Database ----

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path, const DatabaseOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::Internal("cannot open database " + path.string() + ": " +
                                (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  std::unique_ptr<Database> out(new Database(db, path, options.on_disk_full));
  // journal_mode returns a row; sqlite3_exec ignores it. WAL can't be set inside a transaction.
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
    char* err = nullptr;
    rc = sqlite3_exec(db, pragma, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::Internal("database " + path.string() + ": " + pragma + ": " + msg);
    }
  }
  return out;
}

Database::~Database() {
  // Every Statement is finalised by now (they live inside callbacks), so close succeeds
  // and checkpoints the WAL.
  sqlite3_close(db_);
}

Status Database::Attempt(bool read_only, const std::function<Status(Tx&)>& fn, bool& disk_full,
                         std::vector<std::function<void()>>& after) {
  Tx tx(db_);
  if (read_only) WHARF_RETURN_IF_ERROR(tx.Exec("PRAGMA query_only = ON"));
  Status result = tx.Exec(read_only ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
  if (result.ok()) {
    try {
      result = fn(tx);
    } catch (const std::exception& e) {
      result = Status::Internal(std::string("unexpected exception in transaction: ") + e.what());
    } catch (...) {
      result = Status::Internal("unexpected exception in transaction");
    }
    if (result.ok()) {
      result = tx.Exec("COMMIT");
      if (!result.ok()) result = result.WithContext("committing");
    }
    if (!result.ok()) {
      // Read before the ROLLBACK resets it: the failing step's (or COMMIT's) code.
      disk_full = (sqlite3_extended_errcode(db_) & 0xff) == SQLITE_FULL;
      // A failed ROLLBACK (SQLite already rolled back) changes nothing.
      [[maybe_unused]] Status ignored = tx.Exec("ROLLBACK");
    }
  }
  if (read_only) {
    Status reset = tx.Exec("PRAGMA query_only = OFF");
    if (result.ok()) result = reset;
  }
  if (result.ok()) after = std::move(tx.on_commit_);
  return result;
}

Status Database::RunTransaction(bool read_only, const std::function<Status(Tx&)>& fn, bool reclaiming) {
  std::vector<std::function<void()>> after;
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    const sqlite3_int64 changes_before = sqlite3_total_changes64(db_);
    bool disk_full = false;
    Status result = Attempt(read_only, fn, disk_full, after);
    if (!result.ok() && disk_full && reclaiming && on_disk_full_ && on_disk_full_()) {
      disk_full = false;
      result = Attempt(read_only, fn, disk_full, after);
    }
    if (!result.ok()) return result;
    // Only a transaction that changed rows counts: most write transactions (an API request's
    // authentication among them) change nothing, and readers that wait for changes skip them.
    changed = !read_only && sqlite3_total_changes64(db_) != changes_before;
    if (changed) commits_.fetch_add(1, std::memory_order_acq_rel);
  }
  for (auto& fn_after : after) fn_after();
  if (changed) {
    std::lock_guard lock(listeners_mu_);
    for (auto& [id, listener] : listeners_) listener();
  }
  return Status::Ok();
}

CommitSubscription Database::OnCommit(std::function<void()> fn) {
  std::lock_guard lock(listeners_mu_);
  CommitSubscription s;
  s.db_ = this;
  s.id_ = next_listener_++;
  listeners_.emplace(s.id_, std::move(fn));
  return s;
}

void Database::Unsubscribe(std::uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

CommitSubscription& CommitSubscription::operator=(CommitSubscription&& other) noexcept {
  if (this != &other) {
    Reset();
    db_ = std::exchange(other.db_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CommitSubscription::Reset() {
  if (db_ != nullptr) db_->Unsubscribe(id_);
  db_ = nullptr;
  id_ = 0;
}

Status Database::Transact(const std::function<Status(Tx&)>& fn) { return RunTransaction(false, fn); }

Status Database::Read(const std::function<Status(Tx&)>& fn) { return RunTransaction(true, fn); }

Status Database::TransactReclaiming(const std::function<Status(Tx&)>& fn) { return RunTransaction(false, fn, true); }

}  // namespace wharf::state
