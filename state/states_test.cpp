#include "state/states.h"

#include <doctest/doctest.h>

namespace wharf::state {
namespace {

TEST_CASE("State codecs round-trip every value and refuse unknown strings") {
  for (AppState s : {AppState::kStopped, AppState::kStarted}) CHECK(*ParseAppState(AppStateName(s)) == s);
  for (BuildState s : {BuildState::kStaging, BuildState::kStaged, BuildState::kFailed}) {
    CHECK(*ParseBuildState(BuildStateName(s)) == s);
  }
  for (PackageState s : {PackageState::kReady, PackageState::kFailed}) CHECK(*ParsePackageState(PackageStateName(s)) == s);
  for (HealthCheckType t : {HealthCheckType::kPort, HealthCheckType::kProcess, HealthCheckType::kHttp}) {
    CHECK(*ParseHealthCheckType(HealthCheckTypeName(t)) == t);
  }
  CHECK(ParseAppState("started").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseBuildState("").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseHealthCheckType("tcp").status().message().find("'tcp'") != std::string::npos);
}

TEST_CASE("An app with a droplet starts and restarts from either state") {
  AppFacts facts{"web", true};
  for (AppState from : {AppState::kStopped, AppState::kStarted}) {
    CHECK(*TransitionApp(from, AppAction::kStart, facts) == AppState::kStarted);
    CHECK(*TransitionApp(from, AppAction::kRestart, facts) == AppState::kStarted);
    CHECK(*TransitionApp(from, AppAction::kStop, facts) == AppState::kStopped);
  }
}

TEST_CASE("An app without a droplet cannot start, and the error says what to do") {
  AppFacts facts{"web", false};
  for (AppAction action : {AppAction::kStart, AppAction::kRestart}) {
    Result<AppState> r = TransitionApp(AppState::kStopped, action, facts);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kUnprocessable);
    CHECK(r.status().message() == "app 'web' has no droplet; push or restage it");
  }
  CHECK(*TransitionApp(AppState::kStopped, AppAction::kStop, facts) == AppState::kStopped);
}

TEST_CASE("A build moves from STAGING once and then never again") {
  CHECK(*TransitionBuild(BuildState::kStaging, BuildEvent::kSucceeded) == BuildState::kStaged);
  CHECK(*TransitionBuild(BuildState::kStaging, BuildEvent::kFailed) == BuildState::kFailed);
  for (BuildState done : {BuildState::kStaged, BuildState::kFailed}) {
    for (BuildEvent e : {BuildEvent::kSucceeded, BuildEvent::kFailed}) {
      Result<BuildState> r = TransitionBuild(done, e);
      CHECK(r.status().code() == StatusCode::kConflict);
    }
  }
}

TEST_CASE("A task runs, may be cancelled, and never changes once SUCCEEDED or FAILED") {
  CHECK(*TransitionTask(TaskState::kPending, TaskEvent::kStarted) == TaskState::kRunning);
  CHECK(*TransitionTask(TaskState::kRunning, TaskEvent::kSucceeded) == TaskState::kSucceeded);
  CHECK(*TransitionTask(TaskState::kRunning, TaskEvent::kFailed) == TaskState::kFailed);
  CHECK(*TransitionTask(TaskState::kPending, TaskEvent::kCancel) == TaskState::kCanceling);
  CHECK(*TransitionTask(TaskState::kRunning, TaskEvent::kCancel) == TaskState::kCanceling);
  CHECK(*TransitionTask(TaskState::kCanceling, TaskEvent::kStarted) == TaskState::kCanceling);
  CHECK(*TransitionTask(TaskState::kCanceling, TaskEvent::kFailed) == TaskState::kFailed);
  CHECK(TransitionTask(TaskState::kCanceling, TaskEvent::kCancel).status().code() == StatusCode::kConflict);
  for (TaskState done : {TaskState::kSucceeded, TaskState::kFailed}) {
    CHECK(TaskFinished(done));
    for (TaskEvent e : {TaskEvent::kStarted, TaskEvent::kCancel, TaskEvent::kSucceeded, TaskEvent::kFailed}) {
      CHECK(TransitionTask(done, e).status().code() == StatusCode::kConflict);
    }
  }
  for (TaskState s : {TaskState::kPending, TaskState::kRunning, TaskState::kCanceling, TaskState::kSucceeded,
                      TaskState::kFailed}) {
    CHECK(*ParseTaskState(TaskStateName(s)) == s);
  }
  CHECK(ParseTaskState("DONE").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wharf::state
