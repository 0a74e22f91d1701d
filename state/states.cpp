#include "state/states.h"

#include <string>

namespace wharf::state {
namespace {

Status UnknownValue(std::string_view what, std::string_view value, std::string_view allowed) {
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + std::string(value) + "' (expected one of " +
                                 std::string(allowed) + ")");
}

}  // namespace

std::string_view AppStateName(AppState s) {
  switch (s) {
    case AppState::kStopped: return "STOPPED";
    case AppState::kStarted: return "STARTED";
  }
  return "STOPPED";
}

Result<AppState> ParseAppState(std::string_view s) {
  if (s == "STOPPED") return AppState::kStopped;
  if (s == "STARTED") return AppState::kStarted;
  return UnknownValue("app state", s, "STOPPED, STARTED");
}

Result<AppState> TransitionApp(AppState from, AppAction action, const AppFacts& facts) {
  switch (action) {
    case AppAction::kStop:
      return AppState::kStopped;
    case AppAction::kStart:
    case AppAction::kRestart:
      if (!facts.has_droplet) {
        return Status::Unprocessable("app '" + std::string(facts.name) + "' has no droplet; push or restage it");
      }
      return AppState::kStarted;
  }
  return from;
}

std::string_view BuildStateName(BuildState s) {
  switch (s) {
    case BuildState::kStaging: return "STAGING";
    case BuildState::kStaged: return "STAGED";
    case BuildState::kFailed: return "FAILED";
  }
  return "FAILED";
}

Result<BuildState> ParseBuildState(std::string_view s) {
  if (s == "STAGING") return BuildState::kStaging;
  if (s == "STAGED") return BuildState::kStaged;
  if (s == "FAILED") return BuildState::kFailed;
  return UnknownValue("build state", s, "STAGING, STAGED, FAILED");
}

Result<BuildState> TransitionBuild(BuildState from, BuildEvent event) {
  if (from != BuildState::kStaging) {
    return Status::Conflict("build is already " + std::string(BuildStateName(from)) + "; a finished build cannot change");
  }
  switch (event) {
    case BuildEvent::kSucceeded: return BuildState::kStaged;
    case BuildEvent::kFailed: return BuildState::kFailed;
  }
  return from;
}

std::string_view TaskStateName(TaskState s) {
  switch (s) {
    case TaskState::kPending: return "PENDING";
    case TaskState::kRunning: return "RUNNING";
    case TaskState::kCanceling: return "CANCELING";
    case TaskState::kSucceeded: return "SUCCEEDED";
    case TaskState::kFailed: return "FAILED";
  }
  return "FAILED";
}

Result<TaskState> ParseTaskState(std::string_view s) {
  if (s == "PENDING") return TaskState::kPending;
  if (s == "RUNNING") return TaskState::kRunning;
  if (s == "CANCELING") return TaskState::kCanceling;
  if (s == "SUCCEEDED") return TaskState::kSucceeded;
  if (s == "FAILED") return TaskState::kFailed;
  return UnknownValue("task state", s, "PENDING, RUNNING, CANCELING, SUCCEEDED, FAILED");
}

bool TaskFinished(TaskState s) { return s == TaskState::kSucceeded || s == TaskState::kFailed; }

Result<TaskState> TransitionTask(TaskState from, TaskEvent event) {
  if (TaskFinished(from)) {
    return Status::Conflict("task is already " + std::string(TaskStateName(from)) + "; a finished task cannot change");
  }
  switch (event) {
    case TaskEvent::kStarted: return from == TaskState::kPending ? TaskState::kRunning : from;
    case TaskEvent::kCancel:
      if (from == TaskState::kCanceling) return Status::Conflict("task is already being cancelled");
      return TaskState::kCanceling;
    case TaskEvent::kSucceeded: return TaskState::kSucceeded;
    case TaskEvent::kFailed: return TaskState::kFailed;
  }
  return from;
}

std::string_view PackageStateName(PackageState s) {
  switch (s) {
    case PackageState::kReady: return "READY";
    case PackageState::kFailed: return "FAILED";
  }
  return "FAILED";
}

Result<PackageState> ParsePackageState(std::string_view s) {
  if (s == "READY") return PackageState::kReady;
  if (s == "FAILED") return PackageState::kFailed;
  return UnknownValue("package state", s, "READY, FAILED");
}

}  // namespace wharf::state
