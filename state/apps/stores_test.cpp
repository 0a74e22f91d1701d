// Stores of apps, processes, packages, builds, droplets and events.
#include <doctest/doctest.h>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/apps/build_store.h"
#include "state/apps/deployment_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/package_store.h"
#include "state/apps/revision_store.h"
#include "state/apps/task_store.h"
#include "state/platform/event_store.h"
#include "state/platform/user_store.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

struct Fixture : testing::SpaceFixture {

  App MakeApp(const std::string& name) {
    App a;
    a.guid = NewGuid();
    a.space_guid = space;
    a.name = name;
    a.created_at = a.updated_at = "2026-01-01T00:00:00Z";
    a.environment_variables = {{"A", "1"}};
    a.buildpacks = {"nodejs_buildpack"};
    return a;
  }

  App InsertApp(const std::string& name) {
    App a = MakeApp(name);
    Status s = db->Transact([&](Tx& tx) { return AppStore(tx).Insert(a); });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return a;
  }
};

TEST_CASE("UserStore lists spaces and role assignments with and without each filter") {
  Fixture f;
  Status s = f.db->Transact([&](Tx& tx) -> Status {
    UserStore users(tx);
    const std::string other = NewGuid(), user = NewGuid();
    WHARF_RETURN_IF_ERROR(users.InsertOrg(Org{other, "other", "t"}));
    WHARF_RETURN_IF_ERROR(users.InsertSpace(Space{NewGuid(), other, "dev", "t"}));
    WHARF_RETURN_IF_ERROR(users.InsertUser(User{user, "alice", "t"}));
    WHARF_RETURN_IF_ERROR(users.AssignRole(user, "organization_user", other, std::nullopt, "t"));
    WHARF_RETURN_IF_ERROR(users.AssignRole(user, "space_developer", std::nullopt, f.space, "t"));
    WHARF_ASSIGN_OR_RETURN(auto all, users.ListSpaces(std::nullopt));
    CHECK(all.size() == 2);
    WHARF_ASSIGN_OR_RETURN(auto in_other, users.ListSpaces(other));
    REQUIRE(in_other.size() == 1);
    CHECK(in_other[0].name == "dev");
    WHARF_ASSIGN_OR_RETURN(auto every, users.ListAssignments({}));
    CHECK(every.size() == 2);
    WHARF_ASSIGN_OR_RETURN(auto of_user, users.ListAssignments({std::nullopt, std::nullopt, user, false}));
    CHECK(of_user.size() == 2);
    WHARF_ASSIGN_OR_RETURN(auto in_space, users.ListAssignments({std::nullopt, f.space, std::nullopt, false}));
    REQUIRE(in_space.size() == 1);
    CHECK(in_space[0].role == "space_developer");
    WHARF_ASSIGN_OR_RETURN(auto org_only, users.ListAssignments({other, std::nullopt, std::nullopt, false}));
    CHECK(org_only.size() == 1);
    return Status::Ok();
  });
  CHECK_MESSAGE(s.ok(), s.ToString());
}

TEST_CASE("AppStore stores an app and reads back every field") {
  Fixture f;
  App a = f.InsertApp("web");
  auto got = f.db->Read<App>([&](Tx& tx) { return AppStore(tx).Get(a.guid); });
  REQUIRE(got.ok());
  CHECK(got->name == "web");
  CHECK(got->state == AppState::kStopped);
  CHECK(got->environment_variables == EnvVars{{"A", "1"}});
  CHECK(got->buildpacks == std::vector<std::string>{"nodejs_buildpack"});
  CHECK(got->stack == "host");
  CHECK(!got->current_droplet_guid);
}

TEST_CASE("TaskStore numbers an app's tasks, reads back every field and lists the unfinished ones") {
  Fixture f;
  App a = f.InsertApp("web");
  Task t;
  t.guid = NewGuid();
  t.app_guid = a.guid;
  t.name = "migrate";
  t.command = "rake db:migrate";
  t.memory_in_mb = 64;
  t.disk_in_mb = 128;
  t.droplet_guid = "d1";
  t.created_at = t.updated_at = "2026-01-01T00:00:00Z";
  Status s = f.db->Transact([&](Tx& tx) -> Status {
    TaskStore tasks(tx);
    auto seq = tasks.NextSequenceId(a.guid);
    if (!seq.ok()) return seq.status();
    t.sequence_id = *seq;
    return tasks.Insert(t);
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(t.sequence_id == 1);
  auto next = f.db->Read<std::int64_t>([&](Tx& tx) { return TaskStore(tx).NextSequenceId(a.guid); });
  CHECK(*next == 2);
  auto unfinished = f.db->Read<std::vector<Task>>([&](Tx& tx) { return TaskStore(tx).Unfinished(); });
  REQUIRE(unfinished->size() == 1);
  t.state = TaskState::kFailed;
  t.exit_status = 3;
  t.failure_reason = "Exited with status 3";
  t.started_at = "2026-01-01T00:00:01Z";
  REQUIRE(f.db->Transact([&](Tx& tx) { return TaskStore(tx).Update(t); }).ok());
  auto got = f.db->Read<Task>([&](Tx& tx) { return TaskStore(tx).Get(t.guid); });
  REQUIRE(got.ok());
  CHECK(got->name == "migrate");
  CHECK(got->command == "rake db:migrate");
  CHECK(got->state == TaskState::kFailed);
  CHECK(got->exit_status == 3);
  CHECK(got->failure_reason == "Exited with status 3");
  CHECK(got->started_at == "2026-01-01T00:00:01Z");
  CHECK(got->memory_in_mb == 64);
  CHECK(got->disk_in_mb == 128);
  unfinished = f.db->Read<std::vector<Task>>([&](Tx& tx) { return TaskStore(tx).Unfinished(); });
  CHECK(unfinished->empty());
  auto missing = f.db->Read<Task>([&](Tx& tx) { return TaskStore(tx).Get("nope"); });
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

TEST_CASE("AppStore refuses a second app with the same name in a space, naming it") {
  Fixture f;
  f.InsertApp("web");
  App dup = f.MakeApp("web");
  Status s = f.db->Transact([&](Tx& tx) { return AppStore(tx).Insert(dup); });
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(s.message() == "app name 'web' is already taken");
}

TEST_CASE("A store write inside a failed transaction leaves nothing behind") {
  Fixture f;
  App a = f.MakeApp("ghost");
  Status s = f.db->Transact([&](Tx& tx) -> Status {
    WHARF_RETURN_IF_ERROR(AppStore(tx).Insert(a));
    Process p;
    p.guid = NewGuid();
    p.app_guid = a.guid;
    WHARF_RETURN_IF_ERROR(ProcessStore(tx).Insert(p));
    WHARF_RETURN_IF_ERROR(ProcessStore(tx).Insert(p));  // same type again: conflict
    return Status::Ok();
  });
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(s.message().find("process of type 'web'") != std::string::npos);
  auto got = f.db->Read<App>([&](Tx& tx) { return AppStore(tx).Get(a.guid); });
  CHECK(got.status().code() == StatusCode::kNotFound);
}

TEST_CASE("AppStore lists by name, pages and filters by names") {
  Fixture f;
  for (const char* n : {"delta", "alpha", "charlie", "bravo", "echo"}) f.InsertApp(n);
  auto page = f.db->Read<Page<App>>([&](Tx& tx) { return AppStore(tx).List({}, PageRequest{2, 2}); });
  REQUIRE(page.ok());
  CHECK(page->total == 5);
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].name == "charlie");
  CHECK(page->items[1].name == "delta");
  AppFilter filter;
  filter.names = {"echo", "alpha", "zulu"};
  auto named = f.db->Read<Page<App>>([&](Tx& tx) { return AppStore(tx).List(filter, PageRequest{}); });
  REQUIRE(named.ok());
  CHECK(named->total == 2);
  CHECK(named->items[0].name == "alpha");
  CHECK(named->items[1].name == "echo");
}

TEST_CASE("AppStore update of an unknown app is not found, and renaming onto a taken name conflicts") {
  Fixture f;
  f.InsertApp("one");
  App two = f.InsertApp("two");
  App ghost = f.MakeApp("ghost");
  CHECK(f.db->Transact([&](Tx& tx) { return AppStore(tx).Update(ghost); }).code() == StatusCode::kNotFound);
  two.name = "one";
  CHECK(f.db->Transact([&](Tx& tx) { return AppStore(tx).Update(two); }).code() == StatusCode::kConflict);
}

TEST_CASE("ProcessStore lists web first and replaces a spec") {
  Fixture f;
  App a = f.InsertApp("web");
  Process worker;
  worker.guid = NewGuid();
  worker.app_guid = a.guid;
  worker.type = "worker";
  worker.health_check.type = HealthCheckType::kProcess;
  Process web;
  web.guid = NewGuid();
  web.app_guid = a.guid;
  REQUIRE(f.db->Transact([&](Tx& tx) -> Status {
                WHARF_RETURN_IF_ERROR(ProcessStore(tx).Insert(worker));
                return ProcessStore(tx).Insert(web);
              }).ok());
  web.instances = 3;
  web.command = "node server.js";
  REQUIRE(f.db->Transact([&](Tx& tx) { return ProcessStore(tx).Update(web); }).ok());
  auto list = f.db->Read<std::vector<Process>>([&](Tx& tx) { return ProcessStore(tx).ListForApp(a.guid); });
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].type == "web");
  CHECK((*list)[0].instances == 3);
  CHECK((*list)[0].command == "node server.js");
  CHECK((*list)[1].health_check.type == HealthCheckType::kProcess);
}

TEST_CASE("Packages, builds and droplets list newest first") {
  Fixture f;
  App a = f.InsertApp("web");
  std::vector<std::string> packages;
  REQUIRE(f.db->Transact([&](Tx& tx) -> Status {
                for (int i = 0; i < 3; ++i) {
                  Package p;
                  p.guid = NewGuid();
                  p.app_guid = a.guid;
                  p.sha256 = std::string(64, static_cast<char>('a' + i));
                  p.source = {{"type", "git"}, {"commit", "abc"}};
                  p.created_at = "t";
                  WHARF_RETURN_IF_ERROR(PackageStore(tx).Insert(p));
                  packages.push_back(p.guid);
                  Build b{NewGuid(), a.guid, p.guid, BuildState::kStaging, std::nullopt, std::nullopt, "t", "t", std::nullopt};
                  WHARF_RETURN_IF_ERROR(BuildStore(tx).Insert(b));
                  Droplet d;
                  d.guid = NewGuid();
                  d.app_guid = a.guid;
                  d.package_guid = p.guid;
                  d.sha256 = p.sha256;
                  d.process_types = {{"web", "node s.js"}};
                  d.created_at = "t";
                  WHARF_RETURN_IF_ERROR(DropletStore(tx).Insert(d));
                }
                return Status::Ok();
              }).ok());
  auto list = f.db->Read<Page<Package>>([&](Tx& tx) { return PackageStore(tx).ListForApp(a.guid, PageRequest{1, 2}); });
  REQUIRE(list.ok());
  CHECK(list->total == 3);
  REQUIRE(list->items.size() == 2);
  CHECK(list->items[0].guid == packages[2]);
  CHECK(list->items[0].source["commit"] == "abc");
  auto builds = f.db->Read<Page<Build>>([&](Tx& tx) { return BuildStore(tx).ListForApp(a.guid, PageRequest{}); });
  CHECK(builds->items.front().package_guid == packages[2]);
  auto staging = f.db->Read<std::set<std::string>>([&](Tx& tx) { return BuildStore(tx).PackagesBeingStaged(); });
  CHECK(staging->size() == 3);
  // A finished staging keeps where its time went; one without steps reads back without them.
  Build staged = builds->items.front();
  CHECK(!staged.steps);
  staged.state = BuildState::kStaged;
  staged.steps = StagingSteps{12, 340, 56, 7};
  REQUIRE(f.db->Transact([&](Tx& tx) { return BuildStore(tx).Update(staged); }).ok());
  auto back = f.db->Read<Build>([&](Tx& tx) { return BuildStore(tx).Get(staged.guid); });
  REQUIRE(back.ok());
  REQUIRE(back->steps);
  CHECK(back->steps->prepare_ms == 12);
  CHECK(back->steps->buildpacks_ms == 340);
  CHECK(back->steps->droplet_ms == 56);
  CHECK(back->steps->cache_ms == 7);
  auto droplets = f.db->Read<std::vector<Droplet>>([&](Tx& tx) { return DropletStore(tx).AllForApp(a.guid); });
  REQUIRE(droplets->size() == 3);
  CHECK(droplets->front().package_guid == packages[2]);
  CHECK(droplets->front().process_types.at("web") == "node s.js");
}

TEST_CASE("EventStore lists newest first and filters by target and type") {
  Fixture f;
  REQUIRE(f.db->Transact([&](Tx& tx) -> Status {
                EventStore events(tx);
                for (const char* type : {"app-created", "app-started", "app-created"}) {
                  Event e;
                  e.guid = NewGuid();
                  e.type = type;
                  e.actor_name = "admin";
                  e.target_type = "app";
                  e.target_guid = std::string(type) == "app-started" ? "b" : "a";
                  e.target_name = "web";
                  e.data = {{"n", 1}};
                  e.created_at = "t";
                  WHARF_RETURN_IF_ERROR(events.Insert(e));
                }
                return Status::Ok();
              }).ok());
  auto all = ListEvents(*f.db, {}, PageRequest{});
  REQUIRE(all.ok());
  CHECK(all->total == 3);
  CHECK(all->items[0].type == "app-created");
  CHECK(all->items[1].type == "app-started");
  CHECK(all->items[0].data["n"] == 1);
  auto for_a = ListEvents(*f.db, EventFilter{"a", std::nullopt, {}}, PageRequest{});
  CHECK(for_a->total == 2);
  auto started = ListEvents(*f.db, EventFilter{std::nullopt, "app-started", {}}, PageRequest{});
  CHECK(started->total == 1);
  CHECK(started->items[0].target_guid == "b");
  auto either = ListEvents(*f.db, EventFilter{std::nullopt, std::nullopt, {"app-started", "app-created"}}, PageRequest{});
  CHECK(either->total == 3);
  auto one_of = ListEvents(*f.db, EventFilter{"b", std::nullopt, {"app-started", "app-stopped"}}, PageRequest{});
  CHECK(one_of->total == 1);
}

TEST_CASE("RevisionStore keeps every field, lists newest first and refuses a taken version") {
  Fixture f;
  App a = f.InsertApp("web");
  auto make = [&](std::int64_t version, std::string droplet) {
    Revision r;
    r.guid = NewGuid();
    r.app_guid = a.guid;
    r.version = version;
    r.droplet_guid = std::move(droplet);
    r.environment_variables = {{"K", "v" + std::to_string(version)}};
    r.commands = {{"web", std::nullopt}, {"worker", std::string("./work")}};
    r.description = "d" + std::to_string(version);
    r.created_at = "t";
    return r;
  };
  REQUIRE(f.db->Transact([&](Tx& tx) -> Status {
                RevisionStore revisions(tx);
                for (int v = 1; v <= 7; ++v) {
                  Revision r = make(v, "drop" + std::to_string(v));
                  if (v == 7) r.rolled_back_from = 2;
                  WHARF_RETURN_IF_ERROR(revisions.Insert(r));
                }
                return Status::Ok();
              }).ok());
  Status taken = f.db->Transact([&](Tx& tx) { return RevisionStore(tx).Insert(make(3, "x")); });
  CHECK(taken.code() == StatusCode::kConflict);
  auto got = f.db->Read<Revision>([&](Tx& tx) { return RevisionStore(tx).Get(a.guid, 7); });
  REQUIRE(got.ok());
  CHECK(got->droplet_guid == "drop7");
  CHECK(got->environment_variables == EnvVars{{"K", "v7"}});
  CHECK(got->commands.at("web") == std::nullopt);
  CHECK(got->commands.at("worker") == std::optional<std::string>("./work"));
  CHECK(got->rolled_back_from == std::optional<std::int64_t>(2));
  auto missing = f.db->Read<Revision>([&](Tx& tx) { return RevisionStore(tx).Get(a.guid, 9); });
  CHECK(missing.status().code() == StatusCode::kNotFound);
  auto all = f.db->Read<std::vector<Revision>>([&](Tx& tx) { return RevisionStore(tx).ListForApp(a.guid); });
  REQUIRE(all.ok());
  REQUIRE(all->size() == 7);
  CHECK(all->front().version == 7);
  CHECK(!all->back().rolled_back_from);
  auto recent =
      f.db->Read<std::vector<std::string>>([&](Tx& tx) { return RevisionStore(tx).RecentDroplets(a.guid, 5); });
  CHECK(*recent == std::vector<std::string>{"drop7", "drop6", "drop5", "drop4", "drop3"});
}

TEST_CASE("DeploymentStore keeps one active deployment per app and reads back every field") {
  Fixture f;
  App a = f.InsertApp("web");
  DeploymentRecord d;
  d.guid = NewGuid();
  d.app_guid = a.guid;
  d.strategy = "canary";
  d.state = "PAUSED";
  d.revision = 3;
  d.previous_revision = 2;
  d.previous_generation = 7;
  d.previous_droplet_guid = "drop2";
  d.max_in_flight = 2;
  d.instance_steps = {10, 50};
  d.canary_weights = {1, 5};
  d.created_at = d.updated_at = "t";
  REQUIRE(f.db->Transact([&](Tx& tx) { return DeploymentStore(tx).Insert(d); }).ok());
  DeploymentRecord second = d;
  second.guid = NewGuid();
  Status taken = f.db->Transact([&](Tx& tx) { return DeploymentStore(tx).Insert(second); });
  CHECK(taken.code() == StatusCode::kConflict);
  auto active = f.db->Read<std::optional<DeploymentRecord>>([&](Tx& tx) { return DeploymentStore(tx).Active(a.guid); });
  REQUIRE(active.ok());
  REQUIRE(*active);
  CHECK((*active)->instance_steps == std::vector<int>{10, 50});
  CHECK((*active)->canary_weights == std::vector<int>{1, 5});
  CHECK((*active)->previous_generation == 7);
  CHECK((*active)->previous_droplet_guid == "drop2");
  d.state = "CANCELED";
  d.reason = "canceled by tester";
  REQUIRE(f.db->Transact([&](Tx& tx) { return DeploymentStore(tx).Update(d); }).ok());
  CHECK(f.db->Transact([&](Tx& tx) { return DeploymentStore(tx).Insert(second); }).ok());
  auto all = f.db->Read<std::vector<DeploymentRecord>>([&](Tx& tx) { return DeploymentStore(tx).AllActive(); });
  REQUIRE(all->size() == 1);
  CHECK(all->front().guid == second.guid);
  auto first = f.db->Read<DeploymentRecord>([&](Tx& tx) { return DeploymentStore(tx).Get(d.guid); });
  CHECK(first->reason == "canceled by tester");
}

}  // namespace
}  // namespace wharf::state
