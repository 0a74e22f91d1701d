#include "controller/services/releases/revision_service.h"

#include <doctest/doctest.h>

#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

std::vector<std::string> Descriptions(ServiceFixture& f, const std::string& app_guid) {
  auto list = f.revisions->List(app_guid);
  REQUIRE_MESSAGE(list.ok(), list.status().ToString());
  std::vector<std::string> out;
  for (const RevisionView& r : *list) out.push_back(std::to_string(r.revision.version) + " " + r.revision.description);
  return out;
}

TEST_CASE("Starts and restarts make a revision only when the droplet, environment or a start command changed") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Droplet d1 = f.Stage(f.CreatePackage(app.app.guid, {{"a", "1"}}), "droplet-1");
  auto started = f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart);
  REQUIRE(started.ok());
  CHECK(started->app.run_revision == 1);
  CHECK(f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart)->app.run_revision == 1);  // nothing changed

  REQUIRE(f.apps->PatchEnv(f.actor, app.app.guid, {{"COLOR", "blue"}}).ok());
  state::Droplet d2 = f.Stage(f.CreatePackage(app.app.guid, {{"a", "2"}}), "droplet-2");
  auto restarted = f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart);
  REQUIRE(restarted.ok());
  CHECK(restarted->app.run_revision == 2);
  CHECK(restarted->app.run_droplet_guid == d2.guid);

  ProcessPatch command;
  command.command = std::optional<std::string>("./serve --fast");
  REQUIRE(f.processes->Patch(f.actor, app.processes[0].guid, command).ok());
  CHECK(f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart)->app.run_revision == 3);
  CHECK(Descriptions(f, app.app.guid) ==
        std::vector<std::string>{"3 Custom start command added for 'web' process.",
                                 "2 New droplet deployed. New environment variables deployed.",
                                 "1 Initial revision."});
  CHECK(d1.guid != d2.guid);
}

TEST_CASE("Rollback deploys an old revision again as a new one, with its droplet, environment and command") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Droplet d1 = f.Stage(f.CreatePackage(app.app.guid, {{"a", "1"}}), "droplet-1");
  REQUIRE(f.apps->PatchEnv(f.actor, app.app.guid, {{"COLOR", "blue"}}).ok());
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  state::Droplet d2 = f.Stage(f.CreatePackage(app.app.guid, {{"a", "2"}}), "droplet-2");
  REQUIRE(f.apps->PatchEnv(f.actor, app.app.guid, {{"COLOR", "green"}}).ok());
  ProcessPatch command;
  command.command = std::optional<std::string>("./v2");
  REQUIRE(f.processes->Patch(f.actor, app.processes[0].guid, command).ok());
  auto before = f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart);
  REQUIRE(before.ok());
  CHECK(before->app.run_revision == 2);
  std::int64_t generation = before->app.run_generation;

  auto rolled = f.revisions->Rollback(f.actor, app.app.guid, 1);
  REQUIRE_MESSAGE(rolled.ok(), rolled.status().ToString());
  CHECK(rolled->version == 3);
  CHECK(rolled->description == "Rolled back to revision 1.");
  CHECK(rolled->rolled_back_from == std::optional<std::int64_t>(1));
  AppView after = *f.apps->Get(app.app.guid);
  CHECK(after.app.run_revision == 3);
  CHECK(after.app.run_droplet_guid == d1.guid);
  CHECK(after.app.current_droplet_guid == d1.guid);
  CHECK(after.app.environment_variables == state::EnvVars{{"COLOR", "blue"}});
  CHECK(after.app.run_generation == generation + 1);
  CHECK(!after.processes[0].command);
  bool logged = false;
  for (const std::string& line : f.log.Lines()) logged = logged || line.find("app-rolled-back") != std::string::npos;
  CHECK(logged);
  // A restart now runs the same content: no new revision.
  CHECK(f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart)->app.run_revision == 3);

  // Rolling back to what already runs, or to a revision that does not exist, is refused.
  CHECK(f.revisions->Rollback(f.actor, app.app.guid, 1).status().code() == StatusCode::kUnprocessable);
  auto missing = f.revisions->Rollback(f.actor, app.app.guid, 9);
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "app 'web' has no revision 9");
  CHECK(d2.guid != d1.guid);
}

TEST_CASE("GC keeps the droplets of the newest five revisions") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  std::vector<state::Droplet> droplets;
  for (int i = 0; i < 7; ++i) {
    droplets.push_back(f.Stage(f.CreatePackage(app.app.guid, {{"v", std::to_string(i)}}), "droplet " + std::to_string(i)));
    REQUIRE(f.apps->Act(f.actor, app.app.guid, i == 0 ? state::AppAction::kStart : state::AppAction::kRestart).ok());
  }
  f.clock.Advance(std::chrono::hours(2));
  auto result = f.Gc(/*keep_droplets=*/1)->Run(f.actor);
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  // Kept: the droplets of revisions 3..7 (the newest five, 7 also current) and, by keep_droplets=1,
  // the newest other one (revision 2's). Revision 1's goes.
  CHECK(result->removed_droplets == 1);
  CHECK(f.builds->GetDroplet(droplets[0].guid).status().code() == StatusCode::kNotFound);
  CHECK(f.builds->GetDroplet(droplets[1].guid).ok());
  CHECK(f.builds->GetDroplet(droplets[2].guid).ok());
  auto list = f.revisions->List(app.app.guid);
  REQUIRE(list.ok());
  CHECK(list->front().deployable);
  CHECK_FALSE(list->back().deployable);
  CHECK(f.revisions->Rollback(f.actor, app.app.guid, 1).status().code() == StatusCode::kUnprocessable);
  CHECK(f.revisions->Rollback(f.actor, app.app.guid, 3).ok());
}

}  // namespace
}  // namespace wharf::controller
