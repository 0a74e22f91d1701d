// The PostgreSQL engine of state::Database, on plain libpq.
//
// Why libpq and not libpqxx or Poco::Data: the engine needs little (run a statement with text
// parameters, read text columns, SQLSTATE codes, LISTEN/NOTIFY on a socket it can poll), all of
// it libpq's C API, which wharfd already links for the built-in PostgreSQL broker. Debian's
// libpqxx (6.4) is old and would add a C++ layer that throws where the stores want Status values;
// Poco::Data's PostgreSQL connector is not packaged by Debian.
//
// Statements: each SQL text is prepared once per session (PQprepare, parameter types inferred by
// the server); each Step of a fresh statement then runs it with its text parameters in one round
// trip (PQexecPrepared) and keeps the whole result; later Steps walk its rows. SQL is rewritten from SQLite's dialect (sql_dialect.h).
//
// Transactions: a write transaction begins with pg_advisory_xact_lock on one key, so writers
// are serialised across every process on the database as SQLite serialises them in one file:
// each sees the commits before it and nothing commits in between (read-then-write checks such
// as quotas stay correct, and no serialization failure can happen, so a transaction's function
// never runs twice). Reads are REPEATABLE READ READ ONLY snapshots and take no lock. A write
// transaction that changed rows sends NOTIFY on wharf_commits; a listener connection hears the
// others' (Database counts them in CommitCount and wakes its commit listeners).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "state/sql/db.h"
#include "state/sql/db_engine.h"
#include "state/sql/sql_dialect.h"

namespace wharf::state::detail {
namespace {

// The key of the advisory lock every write transaction holds ("Wharf" in ASCII).
constexpr long long kWriteLockKey = 0x5768617266LL;
constexpr const char* kCommitChannel = "wharf_commits";

std::string SqlState(const PGresult* r) {
  const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

std::string PrimaryMessage(PGconn* conn, const PGresult* r) {
  const char* m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = m ? m : PQerrorMessage(conn);
  if (r) {
    if (const char* d = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) msg += std::string(" (") + d + ")";
  }
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

// Constraint violations as SQLite's: unique and foreign key are conflicts; a serialization
// failure or deadlock (which the write lock should make impossible) is unavailable, so a client
// may retry; the rest is internal.
Status PgError(const std::string& state, const std::string& what) {
  if (state == "23505" || state == "23503") return Status::Conflict(what);
  if (state == "40001" || state == "40P01" || state.rfind("08", 0) == 0) return Status::Unavailable(what);
  return Status::Internal(what);
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresConnection;

class PostgresStatement final : public StatementEngine {
 public:
  PostgresStatement(PostgresConnection* conn, PostgresSql sql, std::string original)
      : conn_(conn), sql_(std::move(sql)), original_(std::move(original)) {
    values_.resize(static_cast<std::size_t>(sql_.parameters));
    set_.resize(values_.size(), false);
  }

  Status BindText(int index, std::string_view text) override {
    WHARF_RETURN_IF_ERROR(CheckIndex(index));
    values_[index - 1].assign(text.data(), text.size());
    set_[index - 1] = true;
    return Status::Ok();
  }
  Status BindInt(int index, std::int64_t value) override { return BindText(index, std::to_string(value)); }
  Status BindNull(int index) override {
    WHARF_RETURN_IF_ERROR(CheckIndex(index));
    set_[index - 1] = false;
    return Status::Ok();
  }

  Result<bool> Step(StepFailure& failure) override;

  std::string Text(int column) const override {
    if (!result_ || row_ < 0 || PQgetisnull(result_.get(), row_, column)) return {};
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }
  std::int64_t Int(int column) const override {
    if (!result_ || row_ < 0 || PQgetisnull(result_.get(), row_, column)) return 0;
    const char* v = PQgetvalue(result_.get(), row_, column);
    if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean (SQLite's comparisons are 0 and 1)
    if (v[0] == 'f' && v[1] == '\0') return 0;
    return std::strtoll(v, nullptr, 10);
  }
  bool IsNull(int column) const override {
    return !result_ || row_ < 0 || PQgetisnull(result_.get(), row_, column);
  }

 private:
  Status CheckIndex(int index) const {
    if (index < 1 || index > static_cast<int>(values_.size())) {
      return Status::Internal("binding parameter " + std::to_string(index) + " of '" + original_ + "': out of range (" +
                              std::to_string(values_.size()) + " parameters)");
    }
    return Status::Ok();
  }

  PostgresConnection* conn_;
  PostgresSql sql_;
  std::string original_;
  std::vector<std::string> values_;
  std::vector<bool> set_;
  ResultPtr result_;
  int row_ = -1;
  bool executed_ = false;
};

// A session advisory lock on a connection of its own (lease.h). Keys: (class, FNV-1a of the
// name), the two-integer key space, apart from the write lock's single bigint key.
class PostgresLease final : public LeaseEngine {
 public:
  PostgresLease(std::string url, std::string_view name) : url_(std::move(url)) {
    std::uint32_t h = 2166136261u;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    key_ = static_cast<std::int32_t>(h);
  }
  ~PostgresLease() override {
    if (conn_) PQfinish(conn_);  // the server releases the lock with the session
  }
  PostgresLease(const PostgresLease&) = delete;
  PostgresLease& operator=(const PostgresLease&) = delete;

  bool Held() override {
    std::lock_guard lock(mu_);
    if (held_) {
      // Still ours while the session lives.
      ResultPtr r(PQexec(conn_, "SELECT 1"));
      if (r && PQresultStatus(r.get()) == PGRES_TUPLES_OK) return true;
      held_ = false;
    }
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      if (conn_) PQfinish(conn_);
      conn_ = PQconnectdb(url_.c_str());
      if (PQstatus(conn_) != CONNECTION_OK) return false;
      PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    }
    const std::string sql =
        "SELECT pg_try_advisory_lock(" + std::to_string(kLeaseClass) + ", " + std::to_string(key_) + ")";
    ResultPtr r(PQexec(conn_, sql.c_str()));
    held_ = r && PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
            std::strcmp(PQgetvalue(r.get(), 0, 0), "t") == 0;
    return held_;
  }

 private:
  static constexpr std::int32_t kLeaseClass = 0x57686172;  // "Whar"
  std::string url_;
  std::int32_t key_ = 0;
  std::mutex mu_;
  PGconn* conn_ = nullptr;
  bool held_ = false;
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, std::string url) : conn_(conn), url_(std::move(url)), masked_(MaskDatabaseUrl(url_)) {
    backend_pid_ = PQbackendPID(conn_);
  }
  ~PostgresConnection() override {
    StopWatching();
    PQfinish(conn_);
  }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Result<std::unique_ptr<StatementEngine>> Prepare(std::string_view sql) override {
    return std::unique_ptr<StatementEngine>(new PostgresStatement(this, ToPostgresSql(sql, false), std::string(sql)));
  }

  // Runs a statement with parameters; counts the rows it changed.
  Result<ResultPtr> Execute(const PostgresSql& sql, const std::string& original, const std::vector<const char*>& values,
                            StepFailure& failure) {
    // A named statement per SQL text, prepared at its first use (parse and plan once per session).
    const std::string* name = nullptr;
    auto it = prepared_.find(sql.sql);
    if (it != prepared_.end()) {
      name = &it->second;
    } else if (prepared_.size() < kMaxPrepared) {
      std::string fresh = "wharf_" + std::to_string(prepared_.size() + 1);
      ResultPtr p(PQprepare(conn_, fresh.c_str(), sql.sql.c_str(), sql.parameters, nullptr));
      if (!p || PQresultStatus(p.get()) != PGRES_COMMAND_OK) {
        last_state_ = SqlState(p.get());
        failure = StepFailure::kOther;
        return PgError(last_state_, "preparing '" + original + "': " + PrimaryMessage(conn_, p.get()));
      }
      name = &prepared_.emplace(sql.sql, std::move(fresh)).first->second;
    }
    ResultPtr r(name != nullptr
                    ? PQexecPrepared(conn_, name->c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                     nullptr, 0)
                    : PQexecParams(conn_, sql.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                   nullptr, nullptr, 0));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      last_state_ = SqlState(r.get());
      failure = last_state_ == "23505" ? StepFailure::kDuplicate : StepFailure::kOther;
      return PgError(last_state_, "running '" + original + "': " + PrimaryMessage(conn_, r.get()));
    }
    if (st == PGRES_COMMAND_OK) Count(r.get());
    return r;
  }

  Status Exec(std::string_view sql) override { return ExecRaw(ToPostgresSql(sql, true).sql, "executing SQL"); }

  std::int64_t Changes() const override { return changes_; }
  std::uint64_t TotalChanges() const override { return total_changes_; }

  Status Begin(bool read_only) override {
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);  // the server restarted, or the network dropped: one more try
      prepared_.clear();  // a new session has none
      if (PQstatus(conn_) != CONNECTION_OK) {
        return Status::Unavailable("cannot reach PostgreSQL at " + masked_ + ": " + PrimaryMessage(conn_, nullptr));
      }
      backend_pid_ = PQbackendPID(conn_);
    }
    in_write_ = !read_only;
    return ExecRaw(read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                             : "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                                   std::to_string(kWriteLockKey) + ")",
                   "beginning a transaction");
  }

  Status Commit(bool changed) override {
    // An error someone went past leaves the transaction aborted; COMMIT would then roll back
    // without an error. Say so instead.
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      return Status::Internal("the transaction was aborted by an earlier error");
    }
    in_write_ = false;
    ResultPtr r(PQexec(conn_, changed ? (std::string("NOTIFY ") + kCommitChannel + "; COMMIT").c_str() : "COMMIT"));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      last_state_ = SqlState(r.get());
      return PgError(last_state_, "committing: " + PrimaryMessage(conn_, r.get()));
    }
    if (std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0) return Status::Internal("the transaction was rolled back");
    return Status::Ok();
  }

  void Rollback() override {
    in_write_ = false;
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    ResultPtr r(PQexec(conn_, "ROLLBACK"));
  }

  bool LastFailureWasDiskFull() const override { return last_state_ == "53100"; }

  Status Guarded(const std::function<Status()>& run) override {
    if (!in_write_) return run();
    WHARF_RETURN_IF_ERROR(ExecRaw("SAVEPOINT wharf_guard", "guarding a statement"));
    Status s = run();
    if (!s.ok()) {
      const std::int64_t changes = changes_;
      Status undone = ExecRaw("ROLLBACK TO SAVEPOINT wharf_guard", "undoing a refused statement");
      changes_ = changes;
      if (!undone.ok()) return undone;
    }
    const std::int64_t changes = changes_;
    Status released = ExecRaw("RELEASE SAVEPOINT wharf_guard", "guarding a statement");
    changes_ = changes;
    if (!released.ok()) return released;
    return s;
  }

  void WatchForeignCommits(std::function<void()> fn) override {
    on_foreign_ = std::move(fn);
    stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_fd_ < 0) return;
    // Listening before Open returns: a commit made by another process after that is heard.
    PGconn* listen = nullptr;
    const bool connected = Listen(listen);
    watcher_ = std::thread([this, listen, connected] { Watch(listen, connected); });
  }

  void StopWatching() override {
    if (!watcher_.joinable()) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(stop_fd_, &one, sizeof one);
    watcher_.join();
    close(stop_fd_);
    stop_fd_ = -1;
  }

  std::unique_ptr<LeaseEngine> NewLease(std::string_view name) override {
    return std::make_unique<PostgresLease>(url_, name);
  }

  std::string Describe() const override { return masked_; }

 private:
  // Runs SQL without parameters (one or more statements), counting changed rows.
  Status ExecRaw(const std::string& sql, const char* what) {
    if (!PQsendQuery(conn_, sql.c_str())) {
      last_state_.clear();
      return Status::Unavailable(std::string(what) + ": " + PrimaryMessage(conn_, nullptr));
    }
    Status status;
    while (PGresult* raw = PQgetResult(conn_)) {
      ResultPtr r(raw);
      const ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_COMMAND_OK) {
        Count(r.get());
      } else if (st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY && status.ok()) {
        last_state_ = SqlState(r.get());
        status = PgError(last_state_, std::string(what) + ": " + PrimaryMessage(conn_, r.get()));
      }
    }
    return status;
  }

  void Count(const PGresult* r) {
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
    const char* tag = PQcmdStatus(const_cast<PGresult*>(r));
    // Only INSERT, UPDATE and DELETE change rows (a SELECT's count is what it read).
    if (std::strncmp(tag, "INSERT", 6) != 0 && std::strncmp(tag, "UPDATE", 6) != 0 &&
        std::strncmp(tag, "DELETE", 6) != 0) {
      return;
    }
    changes_ = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
    total_changes_ += static_cast<std::uint64_t>(changes_);
  }

  // The listener: its own connection, LISTEN wharf_commits, and a poll on its socket and the
  // stop eventfd. A notification from another backend than ours is another process's commit.
  // After a lost connection it reconnects each second and counts one commit (it may have missed some).
  bool Listen(PGconn*& listen) {
    if (listen) PQfinish(listen);
    listen = PQconnectdb(url_.c_str());
    if (PQstatus(listen) != CONNECTION_OK) return false;
    PQsetNoticeProcessor(listen, [](void*, const char*) {}, nullptr);
    ResultPtr r(PQexec(listen, (std::string("LISTEN ") + kCommitChannel).c_str()));
    return r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  }

  void Watch(PGconn* listen, bool connected) {
    auto connect = [&]() -> bool { return Listen(listen); };
    for (;;) {
      pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {connected ? PQsocket(listen) : -1, POLLIN, 0}};
      int n = poll(fds, 2, connected ? -1 : 1000);
      if (n < 0 && errno != EINTR) break;
      if (fds[0].revents & POLLIN) break;
      if (!connected) {
        connected = connect();
        if (connected && on_foreign_) on_foreign_();
        continue;
      }
      if (!(fds[1].revents & (POLLIN | POLLERR | POLLHUP))) continue;
      if (!PQconsumeInput(listen)) {
        connected = false;
        continue;
      }
      bool foreign = false;
      while (PGnotify* note = PQnotifies(listen)) {
        if (note->be_pid != backend_pid_.load()) foreign = true;
        PQfreemem(note);
      }
      if (foreign && on_foreign_) on_foreign_();
    }
    if (listen) PQfinish(listen);
  }

  PGconn* conn_;
  std::string url_;
  std::string masked_;
  std::atomic<int> backend_pid_{0};
  std::int64_t changes_ = 0;
  std::uint64_t total_changes_ = 0;
  std::string last_state_;
  bool in_write_ = false;
  // SQL text (rewritten) -> the name it is prepared under in this session. Bounded: SQL built
  // with a varying number of parameters (IN lists) must not grow it without end; past the bound
  // a statement runs unnamed (parsed each time).
  static constexpr std::size_t kMaxPrepared = 2000;
  std::map<std::string, std::string> prepared_;
  std::function<void()> on_foreign_;
  int stop_fd_ = -1;
  std::thread watcher_;
};

Result<bool> PostgresStatement::Step(StepFailure& failure) {
  if (!executed_) {
    std::vector<const char*> values(values_.size(), nullptr);
    for (std::size_t i = 0; i < values_.size(); ++i) values[i] = set_[i] ? values_[i].c_str() : nullptr;
    WHARF_ASSIGN_OR_RETURN(result_, conn_->Execute(sql_, original_, values, failure));
    executed_ = true;
    row_ = -1;
  }
  if (++row_ < PQntuples(result_.get())) return true;
  // Done: the next Step runs the statement again, as sqlite3_step does after SQLITE_DONE.
  executed_ = false;
  result_.reset();
  row_ = -1;
  return false;
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url, const DatabaseOptions& options) {
  (void)options;
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL at " + MaskDatabaseUrl(url) + ": " + error);
  }
  // The server's notices ("already exists, skipping") are not wharfd's log lines.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  auto out = std::make_unique<PostgresConnection>(conn, url);
  // Times are text written by wharfd; the session's settings only need to be predictable.
  WHARF_RETURN_IF_ERROR(out->Exec("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'"));
  return std::unique_ptr<Connection>(std::move(out));
}

}  // namespace wharf::state::detail
