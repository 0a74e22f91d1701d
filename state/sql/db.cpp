#include "state/sql/db.h"

#include <exception>
#include <utility>

#include "state/sql/db_engine.h"

namespace wharf::state {

// ---- Statement ----

Statement::Statement(std::unique_ptr<detail::StatementEngine> impl, std::string sql)
    : impl_(std::move(impl)), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : impl_(std::move(other.impl_)),
      sql_(std::move(other.sql_)),
      bind_error_(std::move(other.bind_error_)),
      failed_on_duplicate_(other.failed_on_duplicate_) {}

Statement::~Statement() = default;

void Statement::RememberBindError(const Status& s) {
  if (!s.ok() && bind_error_.ok()) bind_error_ = s;
}

Statement& Statement::Bind(int index, std::string_view text) {
  RememberBindError(impl_->BindText(index, text));
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  RememberBindError(impl_->BindInt(index, value));
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  RememberBindError(impl_->BindNull(index));
  return *this;
}

Result<bool> Statement::Step() {
  failed_on_duplicate_ = false;
  if (!bind_error_.ok()) return bind_error_;
  detail::StepFailure failure = detail::StepFailure::kNone;
  Result<bool> r = impl_->Step(failure);
  failed_on_duplicate_ = failure == detail::StepFailure::kDuplicate;
  return r;
}

Status Statement::Run() {
  for (;;) {
    WHARF_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string Statement::Text(int column) const { return impl_->Text(column); }

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::int64_t Statement::Int(int column) const { return impl_->Int(column); }

bool Statement::IsNull(int column) const { return impl_->IsNull(column); }

// ---- Tx ----

Result<Statement> Tx::Prepare(std::string_view sql) {
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<detail::StatementEngine> impl, conn_->Prepare(sql));
  return Statement(std::move(impl), std::string(sql));
}

Result<WriteOutcome> Tx::RunStatementUnlessDuplicate(Statement& st) {
  bool duplicate = false;
  Status ran = conn_->Guarded([&]() -> Status {
    Status s = st.Run();
    duplicate = !s.ok() && st.FailedOnDuplicate();
    return s;
  });
  if (ran.ok()) return WriteOutcome::kWritten;
  if (duplicate) return WriteOutcome::kDuplicate;
  return ran;
}

Status Tx::Exec(std::string_view sql) { return conn_->Exec(sql); }

std::int64_t Tx::Changes() const { return conn_->Changes(); }

void Tx::OnCommit(std::function<void()> fn) { on_commit_.push_back(std::move(fn)); }

Result<std::int64_t> FetchInt(Result<Statement> st) {
  if (!st.ok()) return st.status();
  WHARF_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("query returned no row");
  return st->Int(0);
}

// ---- Database ----

Database::Database(std::unique_ptr<detail::Connection> conn, DatabaseEngine engine, std::filesystem::path path,
                   std::function<bool()> on_disk_full)
    : conn_(std::move(conn)),
      engine_(engine),
      path_(std::move(path)),
      description_(conn_->Describe()),
      on_disk_full_(std::move(on_disk_full)) {}

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path, const DatabaseOptions& options) {
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<detail::Connection> conn, detail::OpenSqlite(path.string(), options));
  return std::unique_ptr<Database>(new Database(std::move(conn), DatabaseEngine::kSqlite, path, options.on_disk_full));
}

Result<std::unique_ptr<Database>> Database::OpenPostgres(const std::string& url, const DatabaseOptions& options) {
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<detail::Connection> conn, detail::OpenPostgres(url, options));
  // A full disk there is the database server's: wharfd's reserve file frees nothing on it.
  std::unique_ptr<Database> db(new Database(std::move(conn), DatabaseEngine::kPostgres, {}, nullptr));
  Database* self = db.get();
  db->conn_->WatchForeignCommits([self] { self->CountForeignCommit(); });
  return db;
}

Database::~Database() {
  // The watcher thread calls listeners: it stops before they go.
  conn_->StopWatching();
}

void Database::CountForeignCommit() {
  commits_.fetch_add(1, std::memory_order_acq_rel);
  std::lock_guard lock(listeners_mu_);
  for (auto& [id, listener] : listeners_) listener();
}

Status Database::Attempt(bool read_only, const std::function<Status(Tx&)>& fn, bool& disk_full,
                         std::vector<std::function<void()>>& after) {
  Tx tx(conn_.get(), engine_);
  const std::uint64_t changes_before = conn_->TotalChanges();
  Status result = conn_->Begin(read_only);
  if (!result.ok()) return result;
  try {
    result = fn(tx);
  } catch (const std::exception& e) {
    result = Status::Internal(std::string("unexpected exception in transaction: ") + e.what());
  } catch (...) {
    result = Status::Internal("unexpected exception in transaction");
  }
  if (result.ok()) {
    result = conn_->Commit(!read_only && conn_->TotalChanges() != changes_before);
    if (!result.ok()) result = result.WithContext("committing");
  }
  if (!result.ok()) {
    // Read before the rollback resets it: the failing step's (or the commit's) code.
    disk_full = conn_->LastFailureWasDiskFull();
    conn_->Rollback();
  }
  if (result.ok()) after = std::move(tx.on_commit_);
  return result;
}

Status Database::RunTransaction(bool read_only, const std::function<Status(Tx&)>& fn, bool reclaiming) {
  std::vector<std::function<void()>> after;
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    const std::uint64_t changes_before = conn_->TotalChanges();
    bool disk_full = false;
    Status result = Attempt(read_only, fn, disk_full, after);
    if (!result.ok() && disk_full && reclaiming && on_disk_full_ && on_disk_full_()) {
      disk_full = false;
      result = Attempt(read_only, fn, disk_full, after);
    }
    if (!result.ok()) return result;
    // Only a transaction that changed rows counts: most write transactions (an API request's
    // authentication among them) change nothing, and readers that wait for changes skip them.
    changed = !read_only && conn_->TotalChanges() != changes_before;
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

bool IsPostgresUrl(std::string_view url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

std::string MaskDatabaseUrl(std::string_view url) {
  std::string out(url);
  const std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    // The authority ends at the first '/', '?' or '#'; its userinfo at the last '@' in it.
    std::size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    const std::size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... among the parameters (libpq's URI and key=value forms).
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    const bool at_key = pos == 0 || out[pos - 1] == '?' || out[pos - 1] == '&' || out[pos - 1] == ' ';
    pos += 9;
    if (!at_key) continue;
    std::size_t end = out.find_first_of("& #", pos);
    if (end == std::string::npos) end = out.size();
    out.replace(pos, end - pos, "***");
    pos += 3;
  }
  return out;
}

}  // namespace wharf::state
