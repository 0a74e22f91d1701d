// A deployment: how an app moves from one revision to the next (Cloud Foundry's
// rolling and canary strategies, plus traffic-weighted canary steps), as plain data
// and pure decisions. The controller stores it and drives it (controller/services/
// deployment_service.*, controller/dataplane/orchestration/deployment_driver.*); time comes in as a
// parameter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::deployments {

enum class Strategy { kRolling, kCanary };
std::string_view StrategyName(Strategy s);  // "rolling", "canary"
Result<Strategy> ParseStrategy(std::string_view text);  // error names --strategy

// DEPLOYING: instances are being replaced; PAUSED: a canary step is reached, waiting for
// continue-deployment; DEPLOYED: every instance runs the new revision; CANCELED: back to the
// previous revision; FAILED: a new instance kept crashing, the previous revision serves.
enum class State { kDeploying, kPaused, kDeployed, kCanceled, kFailed };
std::string_view StateName(State s);  // "DEPLOYING", ...
Result<State> ParseState(std::string_view text);
bool IsActive(State s);  // DEPLOYING or PAUSED

struct Deployment {
  std::string guid;
  std::string app_guid;
  Strategy strategy = Strategy::kRolling;
  State state = State::kDeploying;
  std::int64_t revision = 0;           // the revision deployed
  std::int64_t previous_revision = 0;  // the one it replaces (0: none)
  std::int64_t previous_generation = 0;
  std::string previous_droplet_guid;
  int max_in_flight = 1;
  std::vector<int> instance_steps;  // canary: percent of instances per step ("10,50")
  std::vector<int> canary_weights;  // canary: percent of the route's requests per step ("1,5,25,50,100")
  int step = 0;                     // canary: the step in progress (0-based)
  // canary: automated analysis (canary_analysis.h) judges each step over windows of this many
  // seconds and promotes or rolls back by itself; 0: the steps wait for continue-deployment.
  int analysis_interval_secs = 0;
  // canary analysis: when a window has too little traffic to judge, synthetic requests to this path
  // (through the router, pinned to each revision) supply it; "": none, the step is extended.
  std::string analysis_probe_path;
  std::string reason;               // why it failed or was canceled
  std::string created_at, updated_at;
};

// "10,50" -> {10, 50}: integers 1..100, strictly increasing. Errors name `field`.
Result<std::vector<int>> ParsePercentSteps(std::string_view text, std::string_view field);
// --max-in-flight: 1..1000, naming the field.
Result<int> ParseMaxInFlight(std::string_view text);

// Canary steps: the longer of instance_steps and canary_weights, at least one.
int StepCount(const Deployment& d);
bool AtLastStep(const Deployment& d);

// How many of `instances` indices run the new revision now: every one for rolling and for a
// canary past its steps (-1), else the step's percent of instances rounded up, at least 1.
int NewInstances(const Deployment& d, int instances);

// The percent of the route's requests the new revision gets now (canary steps with
// weights), or nullopt: traffic follows instance counts.
std::optional<int> CanaryWeight(const Deployment& d);

// What the cell reports about the app's web instances, by revision.
struct Observation {
  int desired_instances = 0;  // of the web process
  int new_running = 0;        // RUNNING instances of the new revision
  int new_crashed = 0;        // crashed instances of the new revision
  int old_running = 0;        // instances of other revisions still running or starting
  bool new_abandoned = false; // the cell gave up on a new instance (the rollout gate)
};

// The state a deployment moves to, given what runs. Pure.
//   - FAILED as soon as a new instance was abandoned (it crashed past its immediate restarts
//     while an old one served); the reason says so.
//   - A canary step is reached (PAUSED) once its new instances all run.
//   - DEPLOYED once every desired index runs the new revision and no old instance is left
//     (rolling, or a canary past its last step).
struct Decision {
  State state = State::kDeploying;
  std::string reason;
};
Decision Decide(const Deployment& d, const Observation& o);

// continue-deployment: the next step, or past the last (then the rollout completes).
// kUnprocessable unless PAUSED.
Result<Deployment> Continue(Deployment d);

// Per-endpoint router weights that give the new revision `percent` of the requests whatever
// the instance counts: new ones get percent * old_count, old ones (100 - percent) * new_count,
// so each side's total is its share exactly. With no instance on a side, the other gets all.
struct Weights {
  std::uint32_t new_each = 1;
  std::uint32_t old_each = 1;
};
Weights SplitWeights(int percent, int new_count, int old_count);

}  // namespace wharf::deployments
