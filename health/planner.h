// Convergence as a pure function: a snapshot of what is desired (process
// instances per app and process type, at a version) and what actually exists
// (instances the supervisor tracks, containers the runtime has) goes in; a
// plan comes out. No side effects, no clock: `now` is part of the snapshot.
//
// Rules:
//   - An index in [0, instances) with no instance is started; when the process
//     lists `indices` (placement across cells), only those indices.
//   - An instance whose index is >= instances or not among the listed indices, or
//     whose process is no longer desired, is stopped.
//   - One instance per index: of the desired version, a running one is kept
//     before a starting one before a crashed one; other instances of that
//     version at the index (duplicates) are stopped.
//   - A crashed instance is restarted (same index, crash count kept) once its
//     backoff has passed; never after the policy gives up on it.
//   - A crashed instance of an old version is stopped and the desired version
//     started at once: a new droplet does not wait out an old backoff.
//   - A new version replaces running instances `max_in_flight` (default one) at a
//     time per process: a replacement starts beside the old instance of the lowest
//     index while fewer than `max_in_flight` of that process are starting and no
//     instance of the new version is crashed; the old one is stopped once the
//     replacement at its index runs.
//   - During a canary step only the indices below `new_version_indices` take the
//     new version; the others keep the baseline version (and go back to it).
//   - While an old version still serves an index, its crashed replacement gets
//     only the policy's immediate restarts; then the rollout is abandoned
//     (Plan::abandoned) and the old version keeps serving.
//   - A runtime container that no tracked instance owns is an orphan and is removed.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "health/crash_policy.h"

namespace wharf::health {

struct ProcessKey {
  std::string app_guid;
  std::string process_type;
  auto operator<=>(const ProcessKey&) const = default;
};

struct DesiredProcess {
  DesiredProcess() = default;
  DesiredProcess(ProcessKey k, std::string v, int n, std::string baseline = "", int new_indices = -1, int in_flight = 1,
                 std::vector<int> only = {})
      : key(std::move(k)),
        version(std::move(v)),
        instances(n),
        baseline_version(std::move(baseline)),
        new_version_indices(new_indices),
        max_in_flight(in_flight),
        indices(std::move(only)) {}
  ProcessKey key;
  std::string version;  // instances of another version are replaced
  int instances = 0;
  // A deployment in progress (a canary step): only indices below `new_version_indices` move
  // to `version`; the others keep, and restart at, `baseline_version`. -1 (or no baseline):
  // every index runs `version`.
  std::string baseline_version;
  int new_version_indices = -1;
  int max_in_flight = 1;  // replacements starting at once (rolling deployments' --max-in-flight)
  // The indices of [0, instances) that run here (placement across cells); empty: every one.
  std::vector<int> indices;
  bool Runs(int index) const {
    if (index < 0 || index >= instances) return false;
    return indices.empty() || std::find(indices.begin(), indices.end(), index) != indices.end();
  }
  std::string VersionAt(int index) const {
    return !baseline_version.empty() && new_version_indices >= 0 && index >= new_version_indices ? baseline_version
                                                                                                  : version;
  }
};

enum class InstanceState { kStarting, kRunning, kCrashed, kStopping };
std::string_view InstanceStateName(InstanceState state);

struct ActualInstance {
  std::string container_id;
  ProcessKey key;
  std::string version;
  int index = 0;
  InstanceState state = InstanceState::kStarting;
  int crash_count = 0;
  std::chrono::steady_clock::time_point crashed_at{};  // when state is kCrashed
};

struct Snapshot {
  std::chrono::steady_clock::time_point now{};
  std::vector<DesiredProcess> desired;
  std::vector<ActualInstance> actual;
  std::vector<std::string> runtime_containers;  // every container id the runtime lists
};

struct Plan {
  struct Start {
    ProcessKey key;
    std::string version;
    int index = 0;
    int crash_count = 0;
    std::string replaces;  // container id of the crashed instance this start replaces, if any
    auto operator<=>(const Start&) const = default;
  };
  std::vector<Start> start;             // crashed ones due for restart are here too, with `replaces` set
  std::vector<std::string> stop;        // container ids to stop gracefully, then remove
  std::vector<std::string> remove;      // orphaned container ids to remove at once
  std::optional<std::chrono::steady_clock::time_point> next_restart_due;  // earliest backoff still running
  // Crashed new-version instances left crashed because their rollout was abandoned
  // (an old version keeps serving their index). Not an action: for reporting.
  std::vector<std::string> abandoned;

  bool empty() const { return start.empty() && stop.empty() && remove.empty(); }
};

Plan PlanConvergence(const Snapshot& snapshot, const CrashPolicy& policy);

}  // namespace wharf::health
