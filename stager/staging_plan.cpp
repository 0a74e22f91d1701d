#include "stager/staging_plan.h"

#include "common/sha256.h"

namespace wharf::stager {
namespace {

PlanStep Run(Phase phase, int bp, const PlannedBuildpack& b, std::vector<std::string> args, std::string stdout_file = {}) {
  PlanStep s;
  s.kind = PlanStep::Kind::kRun;
  s.phase = phase;
  s.buildpack = bp;
  s.argv.push_back(b.dir + "/bin/" + std::string(PhaseName(phase)));
  for (auto& a : args) s.argv.push_back(std::move(a));
  s.stdout_file = std::move(stdout_file);
  s.exit_code = phase == Phase::kDetect ? 0 : ExitCodeFor(FailureKindFor(phase));
  s.text = phase == Phase::kDetect ? b.name : std::string(PhaseName(phase)) + " of " + b.name;
  return s;
}

PlanStep Say(std::string text) {
  PlanStep s;
  s.kind = PlanStep::Kind::kSay;
  s.text = std::move(text);
  return s;
}

PlanStep Fail(Phase phase, int bp, StagingErrorKind kind, std::string text) {
  PlanStep s;
  s.kind = PlanStep::Kind::kFail;
  s.phase = phase;
  s.buildpack = bp;
  s.exit_code = ExitCodeFor(kind);
  s.text = std::move(text);
  return s;
}

// Steps of the final buildpack at `index` (deps position `pos` of `count`).
void AddFinalSteps(PlanBranch& branch, const std::vector<PlannedBuildpack>& bps, int index, int pos, int count,
                   const PlanDirs& d) {
  const PlannedBuildpack& b = bps[static_cast<std::size_t>(index)];
  const std::string idx = DepsIndex(pos, count);
  const std::string cache = d.cache + "/final";
  if (b.scripts.finalize) {
    if (b.scripts.supply) branch.steps.push_back(Run(Phase::kSupply, index, b, {d.build, cache, d.deps, idx}));
    branch.steps.push_back(Run(Phase::kFinalize, index, b, {d.build, cache, d.deps, idx, d.profile}));
  } else if (b.scripts.compile) {
    if (count > 1) {
      branch.steps.push_back(Say("Warning: the last buildpack (" + b.name +
                                 ") has no bin/finalize; it compiles alone and cannot use the other buildpacks' "
                                 "dependencies."));
    }
    branch.steps.push_back(Run(Phase::kCompile, index, b, {d.build, cache, d.env}));
  } else {
    branch.steps.push_back(Fail(Phase::kCompile, index, StagingErrorKind::kCompileFailed,
                                "Buildpack " + b.name + " has neither bin/finalize nor bin/compile, so it cannot be "
                                "the last buildpack."));
    return;
  }
  if (b.scripts.release) {
    PlanStep release = Run(Phase::kRelease, index, b, {d.build}, d.output + "/release.yml");
    release.unless_exists = d.deps + "/" + idx + "/launch.yml";
    branch.steps.push_back(std::move(release));
  }
}

}  // namespace

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kDetect: return "detect";
    case Phase::kSupply: return "supply";
    case Phase::kFinalize: return "finalize";
    case Phase::kCompile: return "compile";
    case Phase::kRelease: return "release";
  }
  return "?";
}

StagingErrorKind FailureKindFor(Phase phase) {
  switch (phase) {
    case Phase::kDetect: return StagingErrorKind::kNoAppDetected;
    case Phase::kSupply: return StagingErrorKind::kSupplyFailed;
    case Phase::kFinalize: return StagingErrorKind::kFinalizeFailed;
    case Phase::kCompile: return StagingErrorKind::kCompileFailed;
    case Phase::kRelease: return StagingErrorKind::kReleaseFailed;
  }
  return StagingErrorKind::kPlatform;
}

std::string DepsIndex(int i, int count) {
  const std::size_t width = std::to_string(count > 0 ? count - 1 : 0).size();
  std::string s = std::to_string(i);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

std::string SupplyCacheName(std::string_view key) { return Sha256Hex(key).substr(0, 32); }

StagingPlan PlanStaging(const std::vector<PlannedBuildpack>& bps, bool detect, const PlanDirs& d) {
  StagingPlan plan;
  plan.detecting = detect;
  const int n = static_cast<int>(bps.size());
  if (detect) {
    for (int i = 0; i < n; ++i) {
      const PlannedBuildpack& b = bps[static_cast<std::size_t>(i)];
      if (!b.scripts.detect) continue;  // cannot say yes; the caller warns
      PlanBranch branch;
      branch.detect = Run(Phase::kDetect, i, b, {d.build}, d.output + "/detect-" + std::to_string(i) + ".out");
      branch.buildpacks = {i};
      AddFinalSteps(branch, bps, i, 0, 1, d);
      plan.branches.push_back(std::move(branch));
    }
    return plan;
  }
  PlanBranch branch;
  for (int i = 0; i < n; ++i) branch.buildpacks.push_back(i);
  // Cloud Foundry checks every supplying buildpack before running any.
  for (int i = 0; i + 1 < n; ++i) {
    const PlannedBuildpack& b = bps[static_cast<std::size_t>(i)];
    if (!b.scripts.supply) {
      branch.steps.push_back(Fail(Phase::kSupply, i, StagingErrorKind::kSupplyFailed,
                                  "Buildpack " + b.name + " has no bin/supply, so it can only be the last buildpack."));
      plan.branches.push_back(std::move(branch));
      return plan;
    }
  }
  for (int i = 0; i + 1 < n; ++i) {
    const PlannedBuildpack& b = bps[static_cast<std::size_t>(i)];
    branch.steps.push_back(
        Run(Phase::kSupply, i, b, {d.build, d.cache + "/" + SupplyCacheName(b.key), d.deps, DepsIndex(i, n)}));
  }
  AddFinalSteps(branch, bps, n - 1, n - 1, n, d);
  plan.branches.push_back(std::move(branch));
  return plan;
}

Result<std::string> RenderPlan(const StagingPlan& plan) {
  std::string out;
  Status bad;
  auto field = [&](std::string_view f) {
    if ((f.empty() || f.find_first_of("\t\n\r") != std::string_view::npos) && bad.ok()) {
      bad = Status::InvalidArgument("staging plan field '" + std::string(f) +
                                    "' is empty or holds a tab or a line break");
    }
    out += '\t';
    out += f;
  };
  auto step = [&](const PlanStep& s) {
    switch (s.kind) {
      case PlanStep::Kind::kRun:
        if (!s.unless_exists.empty()) {
          out += "unless";
          field(s.unless_exists);
          out += '\n';
        }
        out += s.phase == Phase::kDetect ? "detect" : "run";
        field(std::to_string(s.exit_code));
        field(s.text);
        field(s.stdout_file.empty() ? "-" : s.stdout_file);
        for (const auto& a : s.argv) field(a);
        break;
      case PlanStep::Kind::kSay:
        out += "say";
        field(s.text);
        break;
      case PlanStep::Kind::kFail:
        out += "fail";
        field(std::to_string(s.exit_code));
        field(s.text);
        break;
    }
    out += '\n';
  };
  for (std::size_t i = 0; i < plan.branches.size(); ++i) {
    out += "branch";
    field(std::to_string(i));
    out += '\n';
    const PlanBranch& b = plan.branches[i];
    if (b.detect) step(*b.detect);
    for (const auto& s : b.steps) step(s);
  }
  if (!bad.ok()) return bad;
  return out;
}

}  // namespace wharf::stager
