#include "stager/staging_plan.h"

#include <doctest/doctest.h>

using namespace wharf;
using namespace wharf::stager;

namespace {

PlanDirs Dirs() { return {"/app", "/cache", "/deps", "/profile.d", "/env", "/out"}; }

PlannedBuildpack Cf(std::string name, bool supply = true, bool finalize = true) {
  PlannedBuildpack b;
  b.name = name;
  b.key = name;
  b.dir = "/bp/" + name;
  b.scripts = {true, supply, finalize, false, true};
  return b;
}

PlannedBuildpack Heroku(std::string name) {
  PlannedBuildpack b;
  b.name = name;
  b.key = name;
  b.dir = "/bp/" + name;
  b.scripts = {true, false, false, true, true};
  return b;
}

std::vector<std::string> Argv(std::initializer_list<std::string> a) { return a; }

}  // namespace

TEST_CASE("Detection plans one branch per buildpack in the given order, each alone and final") {
  auto plan = PlanStaging({Cf("static"), Cf("node"), Heroku("ruby")}, true, Dirs());
  CHECK(plan.detecting);
  REQUIRE(plan.branches.size() == 3);
  CHECK(plan.branches[0].detect->argv == Argv({"/bp/static/bin/detect", "/app"}));
  CHECK(plan.branches[1].detect->argv == Argv({"/bp/node/bin/detect", "/app"}));
  CHECK(plan.branches[2].detect->argv == Argv({"/bp/ruby/bin/detect", "/app"}));
  CHECK(plan.branches[1].buildpacks == std::vector<int>{1});
  // A CF buildpack supplies then finalizes into deps index 0 with the final cache.
  const auto& steps = plan.branches[1].steps;
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].argv == Argv({"/bp/node/bin/supply", "/app", "/cache/final", "/deps", "0"}));
  CHECK(steps[1].argv == Argv({"/bp/node/bin/finalize", "/app", "/cache/final", "/deps", "0", "/profile.d"}));
  CHECK(steps[2].argv == Argv({"/bp/node/bin/release", "/app"}));
  CHECK(steps[2].stdout_file == "/out/release.yml");
  // A Heroku buildpack compiles with BUILD CACHE ENV.
  CHECK(plan.branches[2].steps[0].argv == Argv({"/bp/ruby/bin/compile", "/app", "/cache/final", "/env"}));
}

TEST_CASE("Detection skips buildpacks that have no bin/detect") {
  PlannedBuildpack nodetect = Cf("nodetect");
  nodetect.scripts.detect = false;
  auto plan = PlanStaging({nodetect, Cf("node")}, true, Dirs());
  REQUIRE(plan.branches.size() == 1);
  CHECK(plan.branches[0].buildpacks == std::vector<int>{1});
}

TEST_CASE("Several given buildpacks: all but the last supply, the last supplies and finalizes") {
  auto plan = PlanStaging({Cf("a"), Cf("b"), Cf("c")}, false, Dirs());
  CHECK_FALSE(plan.detecting);
  REQUIRE(plan.branches.size() == 1);
  const auto& b = plan.branches[0];
  CHECK_FALSE(b.detect.has_value());
  CHECK(b.buildpacks == std::vector<int>{0, 1, 2});
  REQUIRE(b.steps.size() == 5);
  CHECK(b.steps[0].argv == Argv({"/bp/a/bin/supply", "/app", "/cache/" + SupplyCacheName("a"), "/deps", "0"}));
  CHECK(b.steps[1].argv == Argv({"/bp/b/bin/supply", "/app", "/cache/" + SupplyCacheName("b"), "/deps", "1"}));
  CHECK(b.steps[2].argv == Argv({"/bp/c/bin/supply", "/app", "/cache/final", "/deps", "2"}));
  CHECK(b.steps[3].phase == Phase::kFinalize);
  CHECK(b.steps[3].argv.back() == "/profile.d");
  CHECK(b.steps[4].phase == Phase::kRelease);
  CHECK(b.steps[4].argv[0] == "/bp/c/bin/release");
  // A launch.yml written by the final buildpack stands for its release.
  CHECK(b.steps[4].unless_exists == "/deps/2/launch.yml");
}

TEST_CASE("Each phase fails with Cloud Foundry's exit code") {
  auto plan = PlanStaging({Cf("a"), Cf("b")}, false, Dirs());
  const auto& s = plan.branches[0].steps;
  CHECK(s[0].exit_code == 225);  // supply
  CHECK(s[1].exit_code == 225);  // final buildpack's supply
  CHECK(s[2].exit_code == 226);  // finalize
  CHECK(s[3].exit_code == 224);  // release
  auto heroku = PlanStaging({Heroku("h")}, false, Dirs());
  CHECK(heroku.branches[0].steps[0].exit_code == 223);  // compile
  CHECK(ExitCodeFor(StagingErrorKind::kNoAppDetected) == 222);
  CHECK(ExitCodeFor(StagingErrorKind::kTimedOut) == 1);
}

TEST_CASE("A non-final buildpack without bin/supply fails the plan with 225 before anything runs") {
  auto plan = PlanStaging({Heroku("old"), Cf("b")}, false, Dirs());
  const auto& s = plan.branches[0].steps;
  REQUIRE(s.size() == 1);
  CHECK(s[0].kind == PlanStep::Kind::kFail);
  CHECK(s[0].exit_code == 225);
  CHECK(s[0].text.find("old") != std::string::npos);
}

TEST_CASE("A final buildpack without finalize compiles, with a warning when others supplied") {
  auto plan = PlanStaging({Cf("a"), Heroku("h")}, false, Dirs());
  const auto& s = plan.branches[0].steps;
  REQUIRE(s.size() == 4);
  CHECK(s[0].phase == Phase::kSupply);
  CHECK(s[1].kind == PlanStep::Kind::kSay);
  CHECK(s[1].text.find("Warning") != std::string::npos);
  CHECK(s[2].phase == Phase::kCompile);
  CHECK(s[3].phase == Phase::kRelease);
}

TEST_CASE("A final buildpack with neither finalize nor compile fails with 223") {
  auto plan = PlanStaging({Cf("supplyonly", true, false)}, false, Dirs());
  const auto& s = plan.branches[0].steps;
  REQUIRE(s.size() == 1);
  CHECK(s[0].kind == PlanStep::Kind::kFail);
  CHECK(s[0].exit_code == 223);
}

TEST_CASE("A buildpack without bin/release ends with its finalize") {
  PlannedBuildpack b = Cf("norelease");
  b.scripts.release = false;
  auto plan = PlanStaging({b}, false, Dirs());
  CHECK(plan.branches[0].steps.back().phase == Phase::kFinalize);
}

TEST_CASE("Deps indexes are zero-padded to the width of the largest") {
  CHECK(DepsIndex(0, 1) == "0");
  CHECK(DepsIndex(3, 10) == "3");
  CHECK(DepsIndex(3, 11) == "03");
  CHECK(DepsIndex(10, 11) == "10");
}

TEST_CASE("RenderPlan writes tab-separated instructions the builder reads") {
  auto plan = PlanStaging({Cf("a")}, true, Dirs());
  auto text = RenderPlan(plan);
  REQUIRE(text.ok());
  CHECK(text->rfind("branch\t0\ndetect\t0\ta\t/out/detect-0.out\t/bp/a/bin/detect\t/app\n", 0) == 0);
  CHECK(text->find("run\t225\tsupply of a\t-\t/bp/a/bin/supply\t/app\t/cache/final\t/deps\t0\n") !=
        std::string::npos);
  CHECK(text->find("unless\t/deps/0/launch.yml\nrun\t224\trelease of a\t/out/release.yml\t/bp/a/bin/release\t/app\n") !=
        std::string::npos);
}

TEST_CASE("RenderPlan refuses a field with a tab or a line break") {
  PlannedBuildpack b = Cf("a");
  b.dir = "/bp/with\ttab";
  auto text = RenderPlan(PlanStaging({b}, false, Dirs()));
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("with\ttab") != std::string::npos);
}
