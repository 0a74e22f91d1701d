// The closed sets of states and kinds in the resource model, each with one
// string codec (the exact strings the database CHECK constraints list and the
// API shows) and, for the state machines, one transition function that lists
// every legal move. A refused move has its own error.
#pragma once

#include <string_view>

#include "common/facts/health_check_type.h"
#include "common/status.h"

namespace wharf::state {

// ---- App: the state the user asked for (desired state). ----
enum class AppState { kStopped, kStarted };
enum class AppAction { kStart, kStop, kRestart };

std::string_view AppStateName(AppState s);  // "STOPPED", "STARTED"
Result<AppState> ParseAppState(std::string_view s);

struct AppFacts {
  std::string_view name;
  bool has_droplet = false;
};

// STOPPED|STARTED --start|restart--> STARTED   (needs a current droplet: kUnprocessable otherwise)
// STOPPED|STARTED --stop-->          STOPPED
// Starting a started app or stopping a stopped one is allowed and changes nothing.
Result<AppState> TransitionApp(AppState from, AppAction action, const AppFacts& facts);

// ---- Build: one staging of a package into a droplet. ----
enum class BuildState { kStaging, kStaged, kFailed };
enum class BuildEvent { kSucceeded, kFailed };

std::string_view BuildStateName(BuildState s);  // "STAGING", "STAGED", "FAILED"
Result<BuildState> ParseBuildState(std::string_view s);

// STAGING --succeeded--> STAGED;  STAGING --failed--> FAILED.
// STAGED and FAILED are final: any event on them is kConflict.
Result<BuildState> TransitionBuild(BuildState from, BuildEvent event);

// ---- Package: created READY, since its blobs are complete before its row exists. ----
enum class PackageState { kReady, kFailed };
std::string_view PackageStateName(PackageState s);  // "READY", "FAILED"
Result<PackageState> ParsePackageState(std::string_view s);

// ---- Task: a one-off container from an app's droplet (Cloud Foundry v3 tasks). ----
enum class TaskState { kPending, kRunning, kCanceling, kSucceeded, kFailed };
enum class TaskEvent { kStarted, kCancel, kSucceeded, kFailed };

std::string_view TaskStateName(TaskState s);  // "PENDING", "RUNNING", "CANCELING", "SUCCEEDED", "FAILED"
Result<TaskState> ParseTaskState(std::string_view s);
bool TaskFinished(TaskState s);  // SUCCEEDED or FAILED

// PENDING --started--> RUNNING;  PENDING|RUNNING --cancel--> CANCELING;
// PENDING|RUNNING|CANCELING --succeeded--> SUCCEEDED (a cancelled task that exited 0 anyway);
// PENDING|RUNNING|CANCELING --failed--> FAILED;  CANCELING --started--> CANCELING (the stop follows).
// SUCCEEDED and FAILED are final: any event on them is kConflict, as is cancelling a CANCELING task.
Result<TaskState> TransitionTask(TaskState from, TaskEvent event);

// ---- Health check kinds of a process. ----
// HealthCheckType and its codec: common/health_check_type.h.

}  // namespace wharf::state
