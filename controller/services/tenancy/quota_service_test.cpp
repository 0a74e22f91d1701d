// Quotas: the arithmetic of quota_check.h on numbers, and the QuotaService with enforcement in
// the services that create or grow what quotas limit.
#include "controller/services/tenancy/quota_service.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "controller/services/marketplace/service_fixture.h"
#include "controller/services/tenancy/quota_check.h"

namespace wharf::controller {
namespace {

using state::QuotaKind;
using state::QuotaUsage;
using testing::ServiceFixture;

QuotaScope SmallOrg() {
  QuotaScope s;
  s.kind = state::QuotaKind::kOrg;
  s.quota_name = "small";
  s.scope_name = "dev";
  s.limits.total_memory_mb = 1024;
  s.limits.instance_memory_mb = 512;
  s.limits.app_instances = 4;
  s.limits.routes = 2;
  return s;
}

TEST_CASE("Quota arithmetic: memory, instance memory and instances against the limits") {
  const QuotaScope q = SmallOrg();
  const state::QuotaUsage others{512, 2, 0, 0};
  const AppDemand before{256, 1, 256};

  CHECK(CheckAppQuota(q, others, before, AppDemand{512, 2, 256}, "this scale").ok());  // exactly full
  Status over = CheckAppQuota(q, others, before, AppDemand{768, 3, 256}, "this scale");
  CHECK(over.code() == StatusCode::kUnprocessable);
  CHECK(over.message() ==
        "org quota 'small' allows 1024 MB of memory in org 'dev'; 768 MB are in use and this scale asks for 512 MB more");

  Status big = CheckAppQuota(q, state::QuotaUsage{}, AppDemand{}, AppDemand{1024, 1, 1024}, "this start");
  CHECK(big.message() ==
        "org quota 'small' allows 512 MB of memory per instance in org 'dev'; this start asks for 1024 MB per instance");

  QuotaScope space = q;
  space.kind = state::QuotaKind::kSpace;
  space.scope_name = "web";
  space.limits.total_memory_mb = state::kUnlimited;
  Status instances =
      CheckAppQuota(space, state::QuotaUsage{0, 3, 0, 0}, AppDemand{}, AppDemand{128, 2, 64}, "this start");
  CHECK(instances.message() ==
        "space quota 'small' allows 4 app instances in space 'web'; 3 are in use and this start asks for 2 more");

  SUBCASE("asking for no more than before always passes, even over a lowered quota") {
    CHECK(CheckAppQuota(q, state::QuotaUsage{4096, 10, 0, 0}, AppDemand{2048, 2, 1024}, AppDemand{1024, 1, 1024},
                        "this scale")
              .ok());
    CHECK(CheckAppQuota(q, state::QuotaUsage{4096, 10, 0, 0}, AppDemand{2048, 2, 1024}, AppDemand{2048, 2, 1024},
                        "this scale")
              .ok());
  }
  SUBCASE("unlimited is -1 and 0 allows nothing") {
    QuotaScope open;
    CHECK(CheckAppQuota(open, state::QuotaUsage{1 << 30, 1 << 20, 0, 0}, AppDemand{}, AppDemand{1 << 20, 1000, 1 << 20},
                        "this start")
              .ok());
    QuotaScope zero = q;
    zero.limits.app_instances = 0;
    zero.limits.total_memory_mb = state::kUnlimited;
    CHECK_FALSE(CheckAppQuota(zero, state::QuotaUsage{}, AppDemand{}, AppDemand{64, 1, 64}, "this start").ok());
    CHECK(CheckAppQuota(zero, state::QuotaUsage{}, AppDemand{}, AppDemand{0, 0, 0}, "this start").ok());
  }
}

TEST_CASE("Quota arithmetic: one more route or service instance") {
  const QuotaScope q = SmallOrg();
  CHECK(CheckCountQuota(q, "route", 1, 2).ok());
  Status full = CheckCountQuota(q, "route", 2, 2);
  CHECK(full.code() == StatusCode::kUnprocessable);
  CHECK(full.message() == "org quota 'small' allows 2 routes in org 'dev'; 2 are in use and this route would be one more");
  CHECK(CheckCountQuota(q, "service instance", 1, 1).message() ==
        "org quota 'small' allows 1 service instance in org 'dev'; 1 is in use and this service instance would be one "
        "more");
  CHECK(CheckCountQuota(q, "route", 1'000'000, state::kUnlimited).ok());
}

struct QuotaFixture : ServiceFixture {
  QuotaService quotas{*db, clock, events, platform};

  QuotaView OrgQuota(const std::string& name, std::int64_t memory, std::int64_t routes = -1) {
    QuotaSpec spec;
    spec.name = name;
    spec.total_memory_mb = memory;
    spec.routes = routes;
    auto q = quotas.Create(actor, state::QuotaKind::kOrg, spec);
    REQUIRE_MESSAGE(q.ok(), q.status().ToString());
    auto assigned = quotas.AssignToOrg(actor, q->quota.guid, platform.tenancy.org.name);
    REQUIRE_MESSAGE(assigned.ok(), assigned.status().ToString());
    return *assigned;
  }

  AppView Staged(const std::string& name) {
    AppView a = CreateApp(name);
    Stage(CreatePackage(a.app.guid, {{name, "1"}}), "droplet-" + name);
    return a;
  }

  Status Scale(const AppView& a, std::optional<int> instances, std::optional<int> memory) {
    ScaleRequest r;
    r.instances = instances;
    r.memory_in_mb = memory;
    return processes->Scale(actor, a.processes[0].guid, r).status();
  }
};

TEST_CASE("QuotaService creates, lists, assigns, updates and deletes org quotas") {
  QuotaFixture f;
  auto list = f.quotas.List(state::QuotaKind::kOrg);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK(list->at(0).quota.name == "default");
  CHECK(list->at(0).quota.limits.total_memory_mb == 102400);

  QuotaView small = f.OrgQuota("small", 1024);
  CHECK(small.assigned == std::vector<std::string>{f.platform.tenancy.org.name});
  QuotaSpec dup;
  dup.name = "small";
  CHECK(f.quotas.Create(f.actor, state::QuotaKind::kOrg, dup).status().code() == StatusCode::kConflict);
  QuotaSpec bad;
  bad.name = "bad";
  bad.routes = -2;
  CHECK(f.quotas.Create(f.actor, state::QuotaKind::kOrg, bad).status().code() == StatusCode::kInvalidArgument);

  QuotaSpec patch;
  patch.routes = 5;
  auto updated = f.quotas.Update(f.actor, state::QuotaKind::kOrg, small.quota.guid, patch);
  REQUIRE(updated.ok());
  CHECK(updated->quota.limits.routes == 5);
  CHECK(updated->quota.limits.total_memory_mb == 1024);

  CHECK(f.quotas.Delete(f.actor, state::QuotaKind::kOrg, small.quota.guid).code() == StatusCode::kConflict);  // in use
  CHECK(f.quotas.Delete(f.actor, state::QuotaKind::kOrg, list->at(0).quota.guid).code() == StatusCode::kConflict);
  REQUIRE(f.quotas.AssignToOrg(f.actor, list->at(0).quota.guid, f.platform.tenancy.org.guid).ok());
  CHECK(f.quotas.Delete(f.actor, state::QuotaKind::kOrg, small.quota.guid).ok());
  CHECK(f.quotas.AssignToOrg(f.actor, list->at(0).quota.guid, "no-such-org").status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("An org quota refuses a scale, a start and a task past its memory and accepts what fits") {
  QuotaFixture f;
  f.OrgQuota("small", 1024);
  AppView a = f.Staged("a");
  REQUIRE(f.Scale(a, 3, 256).ok());  // stopped: checked when it starts
  REQUIRE(f.apps->Act(f.actor, a.app.guid, state::AppAction::kStart).ok());  // 768 of 1024 MB

  Status over = f.Scale(a, 5, std::nullopt);
  CHECK(over.code() == StatusCode::kUnprocessable);
  CHECK(over.message() == "org quota 'small' allows 1024 MB of memory in org '" + f.platform.tenancy.org.name +
                              "'; 768 MB are in use and this scale asks for 512 MB more");
  CHECK(f.apps->Get(a.app.guid)->processes[0].instances == 3);  // nothing changed
  CHECK(f.Scale(a, 4, std::nullopt).ok());                      // exactly full

  // A push PUTs the process spec: refused the same way, before anything else of the push happens.
  ProcessSpec pushed;
  pushed.instances = 4;
  pushed.memory_in_mb = 512;
  Status put = f.processes->Put(f.actor, a.app.guid, "web", pushed).status();
  CHECK(put.code() == StatusCode::kUnprocessable);
  CHECK(put.message().find("1024 MB are in use and this scale asks for 1024 MB more") != std::string::npos);
  CHECK(f.apps->Get(a.app.guid)->processes[0].memory_in_mb == 256);

  AppView b = f.Staged("b");
  REQUIRE(f.Scale(b, 1, 64).ok());
  Status start = f.apps->Act(f.actor, b.app.guid, state::AppAction::kStart).status();
  CHECK(start.code() == StatusCode::kUnprocessable);
  CHECK(start.message().find("1024 MB are in use and this start asks for 64 MB more") != std::string::npos);
  CHECK(f.apps->Get(b.app.guid)->app.state == state::AppState::kStopped);

  CHECK(f.Scale(a, 2, std::nullopt).ok());  // down always passes
  CHECK(f.apps->Act(f.actor, b.app.guid, state::AppAction::kStart).ok());
}

TEST_CASE("A space quota applies beside the org quota, and a route past the limit is refused") {
  QuotaFixture f;
  f.OrgQuota("roomy", 4096, 1);
  QuotaSpec spec;
  spec.name = "tight";
  spec.instance_memory_mb = 256;
  auto sq = f.quotas.Create(f.actor, state::QuotaKind::kSpace, spec);  // in the default org
  REQUIRE_MESSAGE(sq.ok(), sq.status().ToString());
  CHECK(sq->quota.org_guid == f.platform.tenancy.org.guid);
  CHECK(sq->org_name == f.platform.tenancy.org.name);
  REQUIRE(f.quotas.AssignToSpace(f.actor, sq->quota.guid, f.platform.tenancy.space.name).ok());

  AppView a = f.Staged("a");
  REQUIRE(f.Scale(a, 1, 256).ok());
  REQUIRE(f.apps->Act(f.actor, a.app.guid, state::AppAction::kStart).ok());
  Status big = f.Scale(a, std::nullopt, 512);
  CHECK(big.message() == "space quota 'tight' allows 256 MB of memory per instance in space '" +
                             f.platform.tenancy.space.name + "'; this scale asks for 512 MB per instance");
  REQUIRE(f.quotas.UnassignFromSpace(f.actor, sq->quota.guid, f.platform.tenancy.space.guid).ok());
  CHECK(f.Scale(a, std::nullopt, 512).ok());

  auto domains = f.routes->ListDomains(state::PageRequest{});
  REQUIRE(domains.ok());
  NewRoute r;
  r.domain_guid = domains->items.at(0).guid;
  r.host = "one";
  REQUIRE(f.routes->CreateRoute(f.actor, r).ok());
  r.host = "two";
  Status second = f.routes->CreateRoute(f.actor, r).status();
  CHECK(second.code() == StatusCode::kUnprocessable);
  CHECK(second.message().find("org quota 'roomy' allows 1 route in org") != std::string::npos);
}

TEST_CASE("Concurrent requests cannot both slip under a limit: the check and the write are one transaction") {
  QuotaFixture f;
  f.OrgQuota("three-routes", 1024, 3);
  auto domains = f.routes->ListDomains(state::PageRequest{});
  REQUIRE(domains.ok());
  const std::string domain = domains->items.at(0).guid;
  std::atomic<int> routes_made{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      NewRoute r;
      r.domain_guid = domain;
      r.host = "h" + std::to_string(i);
      if (f.routes->CreateRoute(f.actor, r).ok()) ++routes_made;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(routes_made == 3);
  auto listed = f.routes->ListRoutes(state::RouteFilter{}, state::PageRequest{});
  REQUIRE(listed.ok());
  CHECK(listed->items.size() == 3);
}

}  // namespace
}  // namespace wharf::controller
