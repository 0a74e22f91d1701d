#include "state/sql/db.h"

#include <doctest/doctest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "state/sql/lease.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

std::unique_ptr<Database> OpenWithTable(const std::filesystem::path& path) {
  auto db = testing::OpenTestDatabase(path);
  REQUIRE(db.ok());
  REQUIRE((*db)->Transact([](Tx& tx) { return tx.Exec("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER)"); }).ok());
  return std::move(db).value();
}

std::int64_t CountRows(Database& db) {
  auto n = db.Read<std::int64_t>([](Tx& tx) { return FetchInt(tx.Query("SELECT COUNT(*) FROM t")); });
  REQUIRE(n.ok());
  return *n;
}

TEST_CASE("Database commits a transaction whose work succeeds") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1); }).ok());
  CHECK(CountRows(*db) == 1);
}

TEST_CASE("Database rolls back every statement of a transaction that returns an error") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  Status s = db->Transact([](Tx& tx) -> Status {
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1));
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO t VALUES (?, ?)", "b", 2));
    return Status::Conflict("changed my mind");
  });
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(s.message() == "changed my mind");
  CHECK(CountRows(*db) == 0);
}

TEST_CASE("Database rolls back a transaction that throws and reports it as internal") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  Status s = db->Transact([](Tx& tx) -> Status {
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1));
    throw std::runtime_error("boom");
  });
  CHECK(s.code() == StatusCode::kInternal);
  CHECK(s.message().find("boom") != std::string::npos);
  CHECK(CountRows(*db) == 0);
  // The connection is usable afterwards.
  CHECK(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "b", 2); }).ok());
  CHECK(CountRows(*db) == 1);
}

TEST_CASE("Database reports a unique violation as a conflict and keeps the first row") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1); }).ok());
  Status s = db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 2); });
  CHECK(s.code() == StatusCode::kConflict);
  auto v = db->Read<std::int64_t>([](Tx& tx) { return FetchInt(tx.Query("SELECT v FROM t WHERE k = ?", "a")); });
  CHECK(*v == 1);
}

TEST_CASE("Database runs commit callbacks only after a commit, in order") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  std::vector<std::string> seen;
  REQUIRE(db->Transact([&](Tx& tx) -> Status {
              tx.OnCommit([&] { seen.push_back("first"); });
              tx.OnCommit([&] { seen.push_back("second"); });
              CHECK(seen.empty());
              return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1);
            }).ok());
  CHECK(seen == std::vector<std::string>{"first", "second"});
  seen.clear();
  Status failed = db->Transact([&](Tx& tx) -> Status {
    tx.OnCommit([&] { seen.push_back("never"); });
    return Status::Internal("no");
  });
  CHECK(!failed.ok());
  CHECK(seen.empty());
}

TEST_CASE("Database commit listeners hear every committed write, not reads or failures, until unsubscribed") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  int heard = 0;
  std::uint64_t count_seen = 0;
  CommitSubscription sub = db->OnCommit([&] {
    ++heard;
    count_seen = db->CommitCount();  // already counted when listeners run
  });
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1); }).ok());
  CHECK(heard == 1);
  CHECK(count_seen == db->CommitCount());
  CHECK(CountRows(*db) == 1);  // a read
  CHECK(!db->Transact([](Tx&) { return Status::Internal("no"); }).ok());
  CHECK(heard == 1);
  // A write transaction that changes no row is not a change (most API requests' authentication).
  const std::uint64_t count = db->CommitCount();
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("UPDATE t SET v = 9 WHERE k = 'none'"); }).ok());
  CHECK(heard == 1);
  CHECK(db->CommitCount() == count);
  CommitSubscription moved = std::move(sub);
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "b", 2); }).ok());
  CHECK(heard == 2);
  moved.Reset();
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "c", 3); }).ok());
  CHECK(heard == 2);
}

TEST_CASE("On SQLite the one wharfd that owns the file always holds a lease" * doctest::test_suite("sqlite-only")) {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  Lease a(*db, "background-jobs");
  Lease b(*db, "background-jobs");
  CHECK(a.Held());
  CHECK(b.Held());
}

TEST_CASE("Database read transactions refuse writes") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  Status s = db->Read([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1); });
  CHECK(!s.ok());
  CHECK(CountRows(*db) == 0);
  // A later write transaction works: read-only mode does not stick.
  CHECK(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "a", 1); }).ok());
}

TEST_CASE("Database binds NULL and optional values and reads them back") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  REQUIRE(db->Transact([](Tx& tx) -> Status {
              WHARF_RETURN_IF_ERROR(tx.Exec("CREATE TABLE n (a TEXT, b TEXT)"));
              return tx.Run("INSERT INTO n VALUES (?, ?)", std::optional<std::string>(), std::optional<std::string>("x"));
            }).ok());
  auto row = db->Read<std::pair<bool, std::string>>([](Tx& tx) -> Result<std::pair<bool, std::string>> {
    auto r = FetchOne<std::pair<bool, std::string>>(tx.Query("SELECT a, b FROM n"), [](Statement& st) {
      return Result<std::pair<bool, std::string>>(std::make_pair(st.IsNull(0), *st.OptionalText(1)));
    });
    if (!r.ok()) return r.status();
    return **r;
  });
  REQUIRE(row.ok());
  CHECK(row->first);
  CHECK(row->second == "x");
}

TEST_CASE("A committed transaction is in the files on disk before the database is closed (kill -9)" *
          doctest::test_suite("sqlite-only")) {
  TempDir dir;
  auto db = OpenWithTable(dir / "live.db");
  REQUIRE(db->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "kept", 7); }).ok());
  // What a crash leaves behind: the database and its WAL as they are on disk now,
  // with the first connection never closed.
  std::filesystem::create_directory(dir / "crash");
  for (const char* suffix : {"", "-wal"}) {
    std::filesystem::copy_file(dir / (std::string("live.db") + suffix), dir / (std::string("crash/copy.db") + suffix));
  }
  auto reopened = Database::Open(dir / "crash/copy.db");
  REQUIRE(reopened.ok());
  auto v = (*reopened)->Read<std::int64_t>(
      [](Tx& tx) { return FetchInt(tx.Query("SELECT v FROM t WHERE k = ?", "kept")); });
  REQUIRE(v.ok());
  CHECK(*v == 7);
  // And a second connection to the live file sees it too.
  auto second = Database::Open(dir / "live.db");
  REQUIRE(second.ok());
  CHECK(CountRows(**second) == 1);
}

TEST_CASE("Database enables foreign keys and WAL" * doctest::test_suite("sqlite-only")) {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  auto fk = db->Read<std::int64_t>([](Tx& tx) { return FetchInt(tx.Query("PRAGMA foreign_keys")); });
  CHECK(*fk == 1);
  auto mode = db->Read<std::string>([](Tx& tx) -> Result<std::string> {
    WHARF_ASSIGN_OR_RETURN(auto r,
                           FetchOne<std::string>(tx.Query("PRAGMA journal_mode"), [](Statement& st) { return Result<std::string>(st.Text(0)); }));
    if (!r) return Status::NotFound("PRAGMA journal_mode returned no row");
    return *r;
  });
  CHECK(*mode == "wal");
}

TEST_CASE("Tx::RunUnlessDuplicate tells a duplicate key from other failures by the engine's error code") {
  TempDir dir;
  auto db = OpenWithTable(dir / "a.db");
  REQUIRE(db->Transact([](Tx& tx) {
              return tx.Exec(
                  "CREATE TABLE names (n TEXT NOT NULL UNIQUE);"
                  "CREATE TABLE refs (k TEXT NOT NULL REFERENCES t(k));"
                  "INSERT INTO t VALUES ('a', 1); INSERT INTO names VALUES ('web')");
            }).ok());

  Status s = db->Transact([](Tx& tx) -> Status {
    Result<WriteOutcome> fresh = tx.RunUnlessDuplicate("INSERT INTO t VALUES (?, ?)", "b", 2);
    REQUIRE(fresh.ok());
    CHECK(*fresh == WriteOutcome::kWritten);

    Result<WriteOutcome> same_key = tx.RunUnlessDuplicate("INSERT INTO t VALUES (?, ?)", "a", 3);  // PRIMARY KEY
    REQUIRE(same_key.ok());
    CHECK(*same_key == WriteOutcome::kDuplicate);

    Result<WriteOutcome> same_name = tx.RunUnlessDuplicate("INSERT INTO names VALUES (?)", "web");  // UNIQUE
    REQUIRE(same_name.ok());
    CHECK(*same_name == WriteOutcome::kDuplicate);

    // A foreign key is a conflict too, but not a duplicate: it stays an error.
    Result<WriteOutcome> dangling = tx.RunUnlessDuplicate("INSERT INTO refs VALUES (?)", "nobody");
    CHECK(dangling.status().code() == StatusCode::kConflict);
    Result<WriteOutcome> null_name = tx.RunUnlessDuplicate("INSERT INTO names VALUES (?)", nullptr);  // NOT NULL
    CHECK(null_name.status().code() == StatusCode::kInternal);
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  // A refused duplicate aborts its statement only: the transaction's other write committed.
  CHECK(CountRows(*db) == 2);
}

}  // namespace
}  // namespace wharf::state

namespace wharf::state {
namespace {

// A small tmpfs (root only): the database's disk fills up for real.
struct SmallDisk {
  TempDir dir;
  bool mounted = false;
  explicit SmallDisk(const char* size) {
    mounted = ::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, size) == 0;
  }
  ~SmallDisk() {
    if (mounted) ::umount2(dir.path().c_str(), MNT_DETACH);
  }
};

TEST_CASE("On a full disk, a reclaiming transaction (a delete) runs again once the reserve is freed, other writes fail cleanly" *
          doctest::test_suite("sqlite-only")) {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root to mount a small file system");
    return;
  }
  SmallDisk disk("size=3m");
  REQUIRE(disk.mounted);
  const std::filesystem::path reserve = disk.dir / "reserve";
  {
    std::ofstream(reserve) << std::string(512 * 1024, 'r');
  }
  int calls = 0;
  DatabaseOptions options;
  options.on_disk_full = [&] {
    ++calls;
    std::error_code ec;
    return std::filesystem::remove(reserve, ec);
  };
  auto opened = Database::Open(disk.dir / "full.db", options);
  REQUIRE(opened.ok());
  Database& db = **opened;
  REQUIRE(db.Transact([](Tx& tx) { return tx.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"); }).ok());
  // Fill the disk: rows until a write fails for want of space.
  const std::string blob(16 * 1024, 'x');
  Status last;
  int rows = 0;
  for (; rows < 10000; ++rows) {
    last = db.Transact([&](Tx& tx) { return tx.Run("INSERT INTO t (v) VALUES (?)", blob); });
    if (!last.ok()) break;
  }
  REQUIRE_FALSE(last.ok());
  CHECK(last.message().find("full") != std::string::npos);
  CHECK(calls == 0);  // an ordinary write never takes the reserve
  CHECK(std::filesystem::exists(reserve));
  // Nothing half-written: every committed row is there, the failed one is not.
  auto n = db.Read<std::int64_t>([](Tx& tx) { return FetchInt(tx.Query("SELECT COUNT(*) FROM t")); });
  REQUIRE(n.ok());
  CHECK(*n == rows);
  // Fill what the WAL may still hold, so that a delete needs new room for sure.
  {
    std::ofstream filler(disk.dir / "filler");
    const std::string chunk(4096, 'f');
    while (filler << chunk) {
    }
  }
  // An ordinary delete fails there; the reclaiming one frees the reserve and goes through.
  CHECK_FALSE(db.Transact([](Tx& tx) { return tx.Exec("DELETE FROM t WHERE k <= 5"); }).ok());
  Status deleted = db.TransactReclaiming([](Tx& tx) { return tx.Exec("DELETE FROM t WHERE k <= 5"); });
  CHECK_MESSAGE(deleted.ok(), deleted.ToString());
  CHECK(calls == 1);
  CHECK_FALSE(std::filesystem::exists(reserve));
  auto left = db.Read<std::int64_t>([](Tx& tx) { return FetchInt(tx.Query("SELECT COUNT(*) FROM t")); });
  REQUIRE(left.ok());
  CHECK(*left == rows - 5);
}

}  // namespace
}  // namespace wharf::state
