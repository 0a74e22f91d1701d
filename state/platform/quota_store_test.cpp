// QuotaStore: org and space quota definitions, their assignment and the usage they limit.
#include <doctest/doctest.h>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/apps/task_store.h"
#include "state/network/route_store.h"
#include "state/platform/quota_store.h"
#include "state/platform/user_store.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Database> db = testing::OpenMigrated(dir / "w.db", clock);
  std::string org = NewGuid();
  std::string space = NewGuid();
  std::string other_space = NewGuid();

  Fixture() {
    Must([&](Tx& tx) -> Status {
      UserStore users(tx);
      WHARF_RETURN_IF_ERROR(users.InsertOrg(Org{org, "dev", "t"}));
      WHARF_RETURN_IF_ERROR(users.InsertSpace(Space{space, org, "one", "t"}));
      return users.InsertSpace(Space{other_space, org, "two", "t"});
    });
  }

  void Must(const std::function<Status(Tx&)>& fn) {
    Status s = db->Transact(fn);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }

  Quota MakeQuota(const std::string& name, std::string org_guid = "") {
    Quota q;
    q.guid = NewGuid();
    q.name = name;
    q.org_guid = std::move(org_guid);
    q.limits.total_memory_mb = 1024;
    q.limits.routes = 2;
    q.created_at = q.updated_at = "t";
    return q;
  }

  // A app in `space_guid` with a web process of `instances` x `memory`.
  std::string App(const std::string& space_guid, const std::string& name, AppState state, int instances, int memory) {
    state::App a;
    a.guid = NewGuid();
    a.space_guid = space_guid;
    a.name = name;
    a.state = state;
    a.created_at = a.updated_at = "t";
    Process p;
    p.guid = NewGuid();
    p.app_guid = a.guid;
    p.instances = instances;
    p.memory_in_mb = memory;
    p.created_at = p.updated_at = "t";
    Must([&](Tx& tx) -> Status {
      WHARF_RETURN_IF_ERROR(AppStore(tx).Insert(a));
      return ProcessStore(tx).Insert(p);
    });
    return a.guid;
  }

  QuotaUsage OrgUsage(const std::string& except = "") {
    auto u = db->Read<QuotaUsage>([&](Tx& tx) { return QuotaStore(tx).UsageOfOrg(org, except); });
    REQUIRE_MESSAGE(u.ok(), u.status().ToString());
    return *u;
  }
};

TEST_CASE("Migration 30 seeds the default org quota with Cloud Foundry's limits and every org has it") {
  Fixture f;
  auto q = f.db->Read<std::optional<Quota>>([&](Tx& tx) { return QuotaStore(tx).OfOrg(f.org); });
  REQUIRE(q.ok());
  REQUIRE(q->has_value());
  CHECK((*q)->name == "default");
  CHECK((*q)->limits.total_memory_mb == 102400);
  CHECK((*q)->limits.instance_memory_mb == kUnlimited);
  CHECK((*q)->limits.app_instances == kUnlimited);
  CHECK((*q)->limits.routes == 1000);
  CHECK((*q)->limits.service_instances == 100);
  CHECK((*q)->guid.size() == 36);
}

TEST_CASE("QuotaStore stores, renames, lists, assigns and deletes quotas") {
  Fixture f;
  Quota small = f.MakeQuota("small");
  f.Must([&](Tx& tx) { return QuotaStore(tx).Insert(QuotaKind::kOrg, small); });
  Status dup = f.db->Transact([&](Tx& tx) { return QuotaStore(tx).Insert(QuotaKind::kOrg, f.MakeQuota("small")); });
  CHECK(dup.code() == StatusCode::kConflict);

  f.Must([&](Tx& tx) { return QuotaStore(tx).AssignToOrg(f.org, small.guid); });
  auto of = f.db->Read<std::optional<Quota>>([&](Tx& tx) { return QuotaStore(tx).OfOrg(f.org); });
  REQUIRE(of.ok());
  REQUIRE(of->has_value());
  CHECK((*of)->name == "small");
  CHECK((*of)->limits.total_memory_mb == 1024);

  Status in_use = f.db->Transact([&](Tx& tx) { return QuotaStore(tx).Delete(QuotaKind::kOrg, small); });
  CHECK(in_use.code() == StatusCode::kConflict);
  CHECK(in_use.message().find("dev") != std::string::npos);

  small.name = "tiny";
  small.limits.app_instances = 3;
  f.Must([&](Tx& tx) { return QuotaStore(tx).Update(QuotaKind::kOrg, small); });
  auto list = f.db->Read<std::vector<Quota>>([&](Tx& tx) { return QuotaStore(tx).List(QuotaKind::kOrg); });
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].name == "default");
  CHECK((*list)[1].name == "tiny");
  CHECK((*list)[1].limits.app_instances == 3);

  f.Must([&](Tx& tx) { return QuotaStore(tx).AssignToOrg(f.org, std::nullopt); });
  f.Must([&](Tx& tx) { return QuotaStore(tx).Delete(QuotaKind::kOrg, small); });
  auto gone = f.db->Read<Quota>([&](Tx& tx) { return QuotaStore(tx).Get(QuotaKind::kOrg, small.guid); });
  CHECK(gone.status().code() == StatusCode::kNotFound);
}

TEST_CASE("Space quotas are named per org and a space has none until one is assigned") {
  Fixture f;
  Quota sq = f.MakeQuota("dev-space", f.org);
  f.Must([&](Tx& tx) { return QuotaStore(tx).Insert(QuotaKind::kSpace, sq); });
  auto none = f.db->Read<std::optional<Quota>>([&](Tx& tx) { return QuotaStore(tx).OfSpace(f.space); });
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  f.Must([&](Tx& tx) { return QuotaStore(tx).AssignToSpace(f.space, sq.guid); });
  auto found = f.db->Read<std::optional<Quota>>(
      [&](Tx& tx) { return QuotaStore(tx).FindByName(QuotaKind::kSpace, f.org, "dev-space"); });
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->org_guid == f.org);
  auto of = f.db->Read<std::optional<Quota>>([&](Tx& tx) { return QuotaStore(tx).OfSpace(f.space); });
  REQUIRE(of.ok());
  REQUIRE(of->has_value());
  CHECK((*of)->guid == sq.guid);
  auto other = f.db->Read<std::optional<Quota>>([&](Tx& tx) { return QuotaStore(tx).OfSpace(f.other_space); });
  REQUIRE(other.ok());
  CHECK_FALSE(other->has_value());
}

TEST_CASE("Usage counts started apps' instances and memory, running tasks, routes and managed services") {
  Fixture f;
  std::string web = f.App(f.space, "web", AppState::kStarted, 2, 256);      // 512 MB, 2 instances
  f.App(f.other_space, "worker", AppState::kStarted, 1, 128);              // 128 MB, 1 instance
  std::string idle = f.App(f.space, "idle", AppState::kStopped, 4, 1024);  // stopped: nothing
  auto task = [&](const std::string& app, std::int64_t seq, TaskState state) {
    Task t;
    t.guid = NewGuid();
    t.app_guid = app;
    t.sequence_id = seq;
    t.name = "t";
    t.command = "true";
    t.state = state;
    t.memory_in_mb = 64;
    t.droplet_guid = "d";
    t.created_at = t.updated_at = "t";
    f.Must([&](Tx& tx) { return TaskStore(tx).Insert(t); });
  };
  task(idle, 1, TaskState::kRunning);    // a running task counts, even of a stopped app
  task(idle, 2, TaskState::kSucceeded);  // a finished one does not
  f.Must([&](Tx& tx) -> Status {
    RouteStore routes(tx);
    Domain d{NewGuid(), "example.test", true, std::nullopt, "t", false};
    WHARF_RETURN_IF_ERROR(routes.InsertDomain(d));
    Route r;
    r.guid = NewGuid();
    r.space_guid = f.space;
    r.domain_guid = d.guid;
    r.host = "a";
    r.created_at = "t";
    return routes.InsertRoute(r);
  });

  QuotaUsage org = f.OrgUsage();
  CHECK(org.memory_mb == 512 + 128 + 64);
  CHECK(org.app_instances == 3);
  CHECK(org.routes == 1);
  CHECK(org.service_instances == 0);

  QuotaUsage without_web = f.OrgUsage(web);
  CHECK(without_web.memory_mb == 128 + 64);
  CHECK(without_web.app_instances == 1);

  auto space = f.db->Read<QuotaUsage>([&](Tx& tx) { return QuotaStore(tx).UsageOfSpace(f.other_space); });
  REQUIRE(space.ok());
  CHECK(space->memory_mb == 128);
  CHECK(space->app_instances == 1);
  CHECK(space->routes == 0);
}

}  // namespace
}  // namespace wharf::state
