// Several wharfd processes on one PostgreSQL database, played by several Database objects (each
// its own session) on a real server the test starts: they see each other's commits, and their
// concurrent writes keep the invariants a single SQLite writer keeps. These always run on
// PostgreSQL, whatever engine the rest of the suite is on.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/time/clock.h"
#include "state/migrations.h"
#include "state/sql/db.h"
#include "state/sql/lease.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

std::unique_ptr<Database> OpenPostgres(const std::string& url) {
  auto db = Database::OpenPostgres(url);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  return std::move(db).value();
}

std::int64_t Count(Database& db, const std::string& sql) {
  auto n = db.Read<std::int64_t>([&](Tx& tx) { return FetchInt(tx.Query(sql)); });
  REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  return *n;
}

// Waits until `done` or 10 s pass.
template <typename Done>
bool WaitFor(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST_CASE("Two processes on one PostgreSQL database see each other's commits and hear of them") {
  TempDir dir;
  const std::string url = testing::PostgresTestUrl(dir / "shared");
  auto a = OpenPostgres(url);
  auto b = OpenPostgres(url);
  REQUIRE(a->Transact([](Tx& tx) { return tx.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)"); }).ok());
  std::atomic<int> heard_by_b{0};
  CommitSubscription sub = b->OnCommit([&] { ++heard_by_b; });
  const std::uint64_t b_before = b->CommitCount();
  const std::uint64_t a_before = a->CommitCount();

  REQUIRE(a->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "from-a", 1); }).ok());
  CHECK(a->CommitCount() == a_before + 1);
  CHECK(WaitFor([&] { return heard_by_b.load() >= 1; }));
  CHECK(b->CommitCount() > b_before);
  CHECK(Count(*b, "SELECT v FROM t WHERE k = 'from-a'") == 1);

  // Its own commits are counted once, not again when their notification comes back.
  const std::uint64_t a_now = a->CommitCount();
  REQUIRE(b->Transact([](Tx& tx) { return tx.Run("INSERT INTO t VALUES (?, ?)", "from-b", 2); }).ok());
  CHECK(WaitFor([&] { return a->CommitCount() == a_now + 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(a->CommitCount() == a_now + 1);
  CHECK(Count(*a, "SELECT COUNT(*) FROM t") == 2);

  // A write transaction that changes nothing is nobody's news.
  const int heard = heard_by_b.load();
  REQUIRE(a->Transact([](Tx& tx) { return tx.Run("UPDATE t SET v = 9 WHERE k = 'none'"); }).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(heard_by_b.load() == heard);
}

TEST_CASE("Concurrent writers on one PostgreSQL database: a limit checked by reading holds, a duplicate name loses") {
  TempDir dir;
  const std::string url = testing::PostgresTestUrl(dir / "shared");
  std::vector<std::unique_ptr<Database>> processes;
  for (int i = 0; i < 3; ++i) processes.push_back(OpenPostgres(url));
  REQUIRE(processes[0]
              ->Transact([](Tx& tx) {
                return tx.Exec("CREATE TABLE routes (name TEXT NOT NULL UNIQUE, space TEXT NOT NULL)");
              })
              .ok());
  // The quota: at most 10 routes in the space, checked as RouteService checks it (count, then
  // insert, in one transaction). 3 processes x 2 threads x 10 attempts each, with unique names.
  constexpr int kLimit = 10;
  std::atomic<int> created{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < 3; ++p) {
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, p, t] {
        for (int i = 0; i < 10; ++i) {
          const std::string name = "r-" + std::to_string(p) + "-" + std::to_string(t) + "-" + std::to_string(i);
          Status s = processes[p]->Transact([&](Tx& tx) -> Status {
            WHARF_ASSIGN_OR_RETURN(std::int64_t n,
                                   FetchInt(tx.Query("SELECT COUNT(*) FROM routes WHERE space = ?", "s")));
            if (n >= kLimit) return Status::Unprocessable("quota");
            return tx.Run("INSERT INTO routes (name, space) VALUES (?, ?)", name, "s");
          });
          if (s.ok()) ++created;
          else if (s.code() == StatusCode::kUnprocessable) ++refused;
          else ++failed;
        }
      });
    }
  }
  for (auto& th : threads) th.join();
  CHECK(failed.load() == 0);
  CHECK(created.load() == kLimit);
  CHECK(refused.load() == 60 - kLimit);
  CHECK(Count(*processes[1], "SELECT COUNT(*) FROM routes") == kLimit);

  // The same name from every process at once: one wins, the others get a conflict.
  std::atomic<int> won{0}, conflicts{0};
  threads.clear();
  for (int p = 0; p < 3; ++p) {
    threads.emplace_back([&, p] {
      Status s = processes[p]->Transact(
          [&](Tx& tx) { return tx.Run("INSERT INTO routes (name, space) VALUES (?, ?)", "same", "other"); });
      if (s.ok()) ++won;
      else if (s.code() == StatusCode::kConflict) ++conflicts;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(won.load() == 1);
  CHECK(conflicts.load() == 2);
}

TEST_CASE("Two wharfds migrating one fresh PostgreSQL database at once end at the latest schema, once") {
  TempDir dir;
  const std::string url = testing::PostgresTestUrl(dir / "shared");
  auto a = OpenPostgres(url);
  auto b = OpenPostgres(url);
  FakeClock clock;
  Status sa, sb;
  std::thread ta([&] { sa = Migrate(*a, clock); });
  std::thread tb([&] { sb = Migrate(*b, clock); });
  ta.join();
  tb.join();
  CHECK_MESSAGE(sa.ok(), sa.ToString());
  CHECK_MESSAGE(sb.ok(), sb.ToString());
  CHECK(*CurrentSchemaVersion(*a) == LatestSchemaVersion());
  CHECK(Count(*b, "SELECT COUNT(*) FROM schema_migrations") == LatestSchemaVersion());
  CHECK(Count(*b, "SELECT COUNT(*) FROM org_quotas WHERE name = 'default'") == 1);
}

TEST_CASE("One process at a time holds a PostgreSQL lease, passed on when the holder goes") {
  TempDir dir;
  const std::string url = testing::PostgresTestUrl(dir / "shared");
  auto a = OpenPostgres(url);
  auto b = OpenPostgres(url);
  auto lease_a = std::make_unique<Lease>(*a, "background-jobs");
  Lease lease_b(*b, "background-jobs");
  Lease other_b(*b, "another-job");
  CHECK(lease_a->Held());
  CHECK(lease_a->Held());  // kept
  CHECK_FALSE(lease_b.Held());
  CHECK(other_b.Held());  // another name is another lease
  lease_a.reset();        // the holder stops (its session ends)
  CHECK(WaitFor([&] { return lease_b.Held(); }));
  Lease again_a(*a, "background-jobs");
  CHECK_FALSE(again_a.Held());
}

}  // namespace
}  // namespace wharf::state
