// Plans a staging: which buildpack scripts run, in which order, with which
// arguments, and which exit code reports each one's failure. Pure: it reads no
// files (the caller says which scripts each buildpack has) and runs nothing.
// The plan is carried out inside the staging container by the builder script
// (builder.sh), which only follows it.
//
// Rules (Cloud Foundry's buildpackapplifecycle, with Heroku's compile API):
//   - Detecting: one branch per candidate, in the given (admin) order; the
//     first whose bin/detect exits 0 runs, alone, as the final buildpack.
//   - Given buildpacks (-b, one or more): no detection; every buildpack but the
//     last must have bin/supply (checked before anything runs, else 225) and
//     only supplies; the last supplies (if it can) and finalizes, or, lacking
//     bin/finalize, compiles (Heroku: BUILD CACHE ENV); neither is 223.
//   - The final buildpack's bin/release runs last, its stdout kept as YAML,
//     unless that buildpack wrote DEPS_DIR/IDX/launch.yml, which then stands
//     for it (Cloud Foundry's rule; a buildpack saves the cost of release).
//   - Caches: the final buildpack uses CACHE/final, a supplying one
//     CACHE/<digest of its key>, so caches survive changes of the others.
//   - Deps index: position in the list, zero-padded to the width of the largest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "stager/staging_error.h"

namespace wharf::stager {

struct BuildpackScripts {
  bool detect = false;
  bool supply = false;
  bool finalize = false;
  bool compile = false;
  bool release = false;
};

struct PlannedBuildpack {
  std::string name;     // for messages: "nodejs_buildpack", a URL, a folder
  std::string key;      // stable identity for its supply cache (name or URL)
  std::string dir;      // its root, as seen inside the staging container
  BuildpackScripts scripts;
};

// Folders as seen inside the staging container.
struct PlanDirs {
  std::string build;    // the app: BUILD_DIR
  std::string cache;    // root of the buildpack caches
  std::string deps;     // DEPS_DIR
  std::string profile;  // PROFILE_DIR (droplet's profile.d)
  std::string env;      // ENV_DIR for Heroku compile: one file per variable
  std::string output;   // detect and release output files
};

enum class Phase { kDetect, kSupply, kFinalize, kCompile, kRelease };
std::string_view PhaseName(Phase phase);
// The failure kind of each phase (detect has none: a failed detect means "no").
StagingErrorKind FailureKindFor(Phase phase);

struct PlanStep {
  enum class Kind { kRun, kSay, kFail };
  Kind kind = Kind::kRun;
  Phase phase = Phase::kSupply;
  int buildpack = -1;                // index into the planned buildpacks
  std::vector<std::string> argv;     // kRun
  std::string stdout_file;           // kRun: where stdout goes; empty = the log
  int exit_code = 0;                 // kRun, kFail: the staging exit code on failure
  std::string text;                  // kSay, kFail: the line to print; kRun: label
  std::string unless_exists;         // kRun: skipped when this file exists (release after a launch.yml)
};

struct PlanBranch {
  std::optional<PlanStep> detect;    // absent when buildpacks were given
  std::vector<int> buildpacks;       // indexes, in deps order; the last is final
  std::vector<PlanStep> steps;
};

struct StagingPlan {
  bool detecting = false;
  std::vector<PlanBranch> branches;
};

// `buildpacks` must not be empty.
StagingPlan PlanStaging(const std::vector<PlannedBuildpack>& buildpacks, bool detect, const PlanDirs& dirs);

// The deps index folder name for position `i` of `count` buildpacks.
std::string DepsIndex(int i, int count);
// The cache folder (under PlanDirs::cache) of a supplying buildpack.
std::string SupplyCacheName(std::string_view key);

// The builder's input: one instruction per line, fields separated by tabs.
// Fails (naming the field) if any field is empty or holds a tab or a newline.
Result<std::string> RenderPlan(const StagingPlan& plan);

}  // namespace wharf::stager
