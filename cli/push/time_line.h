// The line that ends every push: where its time went.
//
//   Pushed in 0.95 s: settings 0.00 s, upload 0.01 s, staging 0.24 s (prepare 0.00 s, buildpacks
//   0.20 s, droplet 0.02 s, cache 0.00 s), start 0.70 s (container 0.07 s, app healthy after 0.55 s)
//
// The phases are the CLI's own clock; the staging's steps and the instance's start are what the
// server measured (GET /v1/builds/:guid `steps`, an instance's `startup`), shown when it said.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "api-model/apps/app.h"
#include "api-model/apps/build.h"

namespace wharf::cli {

// When each phase of one app's push ended, and what the server said of the staging's steps and
// of the first new instance's start.
struct PushTimes {
  std::chrono::steady_clock::time_point began, settings, uploaded, staged;
  bool droplet_reused = false;
  std::optional<api::StagingSteps> staging;
  std::optional<api::InstanceStartup> startup;
};

// The "Pushed in ..." line, newline included, for a push that ended at `done`.
std::string PushTimeLine(const PushTimes& t, std::chrono::steady_clock::time_point done);

}  // namespace wharf::cli
