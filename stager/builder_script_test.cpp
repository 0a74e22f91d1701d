// The builder script (builder.sh) run for real by bash on plans from
// PlanStaging, with buildpacks written by the test that record their calls.
#include <doctest/doctest.h>

#include "stager/scripts.h"
#include "stager/staging_plan.h"
#include "stager/testing/test_support.h"

using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

namespace {

struct Workspace {
  TempDir tmp;
  PlanDirs dirs;
  Workspace() {
    for (const char* d : {"app", "cache", "deps", "profile.d", "env", "out"}) fs::create_directories(tmp / d);
    dirs = {(tmp / "app").string(),       (tmp / "cache").string(), (tmp / "deps").string(),
            (tmp / "profile.d").string(), (tmp / "env").string(),   (tmp / "out").string()};
  }
  std::string Calls() { return ReadTestFile(tmp / "calls"); }
};

// A buildpack whose scripts append "<name> <script> <args...>" to the calls file.
PlannedBuildpack MakeBuildpack(Workspace& ws, const std::string& name, std::vector<std::string> scripts,
                               int detect_exit = 0, int fail_script_exit = 0, const std::string& fail_script = "") {
  PlannedBuildpack b;
  b.name = name;
  b.key = name;
  b.dir = (ws.tmp / "buildpacks" / name).string();
  for (const auto& s : scripts) {
    std::string body = "#!/bin/sh\necho \"" + name + " " + s + " $*\" >> " + (ws.tmp / "calls").string() + "\n";
    if (s == "detect") body += "echo " + name + "-lang\nexit " + std::to_string(detect_exit) + "\n";
    if (s == "release") body += "printf 'default_process_types:\\n  web: run-" + name + "\\n'\n";
    if (s == fail_script) body += "echo " + name + " is failing >&2\nexit " + std::to_string(fail_script_exit) + "\n";
    WriteTestFile(fs::path(b.dir) / "bin" / s, body, 0755);
    if (s == "detect") b.scripts.detect = true;
    if (s == "supply") b.scripts.supply = true;
    if (s == "finalize") b.scripts.finalize = true;
    if (s == "compile") b.scripts.compile = true;
    if (s == "release") b.scripts.release = true;
  }
  return b;
}

ProcessOutput RunPlan(Workspace& ws, const StagingPlan& plan) {
  auto text = RenderPlan(plan);
  REQUIRE(text.ok());
  WriteTestFile(ws.tmp / "out" / "plan", *text);
  return RunProcess(BuilderArgv((ws.tmp / "out" / "plan").string(), ws.dirs.output), ws.tmp.path(),
                    BasicEnv(ws.tmp.path()));
}

const std::vector<std::string> kCf = {"detect", "supply", "finalize", "release"};

}  // namespace

TEST_CASE("Builder: the first buildpack whose detect says yes runs alone, and later ones are not asked") {
  Workspace ws;
  auto a = MakeBuildpack(ws, "a", kCf, 1);
  auto b = MakeBuildpack(ws, "b", kCf, 0);
  auto c = MakeBuildpack(ws, "c", kCf, 0);
  auto out = RunPlan(ws, PlanStaging({a, b, c}, true, ws.dirs));
  CHECK(out.exit_code == 0);
  CHECK(out.output.find("-----> Detected b (b-lang)") != std::string::npos);
  CHECK(ReadTestFile(ws.tmp / "out" / "chosen") == "1\n");
  const std::string expected = "a detect " + ws.dirs.build + "\n" + "b detect " + ws.dirs.build + "\n" +
                               "b supply " + ws.dirs.build + " " + ws.dirs.cache + "/final " + ws.dirs.deps + " 0\n" +
                               "b finalize " + ws.dirs.build + " " + ws.dirs.cache + "/final " + ws.dirs.deps +
                               " 0 " + ws.dirs.profile + "\n" + "b release " + ws.dirs.build + "\n";
  CHECK(ws.Calls() == expected);
  CHECK(ReadTestFile(ws.tmp / "out" / "release.yml") == "default_process_types:\n  web: run-b\n");
}

TEST_CASE("Builder: nothing detected exits 222 after asking every buildpack") {
  Workspace ws;
  auto a = MakeBuildpack(ws, "a", kCf, 1);
  auto b = MakeBuildpack(ws, "b", kCf, 3);
  auto out = RunPlan(ws, PlanStaging({a, b}, true, ws.dirs));
  CHECK(out.exit_code == 222);
  CHECK(out.output.find("None of the buildpacks detected a compatible application") != std::string::npos);
  CHECK(ws.Calls() == "a detect " + ws.dirs.build + "\nb detect " + ws.dirs.build + "\n");
  CHECK_FALSE(fs::exists(ws.tmp / "out" / "chosen"));
}

TEST_CASE("Builder: given buildpacks supply in order and the last finalizes and releases") {
  Workspace ws;
  auto a = MakeBuildpack(ws, "a", kCf);
  auto b = MakeBuildpack(ws, "b", kCf);
  auto out = RunPlan(ws, PlanStaging({a, b}, false, ws.dirs));
  CHECK(out.exit_code == 0);
  const std::string calls = ws.Calls();
  CHECK(calls.find("detect") == std::string::npos);
  const auto sa = calls.find("a supply");
  const auto sb = calls.find("b supply");
  const auto fb = calls.find("b finalize");
  const auto rb = calls.find("b release");
  REQUIRE(sa != std::string::npos);
  CHECK(sa < sb);
  CHECK(sb < fb);
  CHECK(fb < rb);
  CHECK(calls.find("a finalize") == std::string::npos);
  CHECK(calls.find("a release") == std::string::npos);
  CHECK(calls.find(" " + ws.dirs.deps + " 1 ") != std::string::npos);
}

TEST_CASE("Builder: a failing supply stops the build with 225 and says which script failed") {
  Workspace ws;
  auto a = MakeBuildpack(ws, "a", kCf, 0, 7, "supply");
  auto b = MakeBuildpack(ws, "b", kCf);
  auto out = RunPlan(ws, PlanStaging({a, b}, false, ws.dirs));
  CHECK(out.exit_code == 225);
  CHECK(out.output.find("a is failing") != std::string::npos);
  CHECK(out.output.find("Failed: supply of a exited with status 7") != std::string::npos);
  CHECK(ws.Calls().find("b supply") == std::string::npos);
}

TEST_CASE("Builder: finalize, compile and release failures exit 226, 223 and 224") {
  {
    Workspace ws;
    auto out = RunPlan(ws, PlanStaging({MakeBuildpack(ws, "f", kCf, 0, 1, "finalize")}, false, ws.dirs));
    CHECK(out.exit_code == 226);
  }
  {
    Workspace ws;
    auto h = MakeBuildpack(ws, "h", {"detect", "compile", "release"}, 0, 1, "compile");
    auto out = RunPlan(ws, PlanStaging({h}, true, ws.dirs));
    CHECK(out.exit_code == 223);
  }
  {
    Workspace ws;
    auto out = RunPlan(ws, PlanStaging({MakeBuildpack(ws, "r", kCf, 0, 2, "release")}, false, ws.dirs));
    CHECK(out.exit_code == 224);
  }
}

TEST_CASE("Builder: a Heroku buildpack compiles with BUILD_DIR CACHE_DIR ENV_DIR") {
  Workspace ws;
  auto h = MakeBuildpack(ws, "h", {"detect", "compile", "release"});
  auto out = RunPlan(ws, PlanStaging({h}, true, ws.dirs));
  CHECK(out.exit_code == 0);
  CHECK(ws.Calls().find("h compile " + ws.dirs.build + " " + ws.dirs.cache + "/final " + ws.dirs.env + "\n") !=
        std::string::npos);
}

TEST_CASE("Builder: a planned failure prints its reason and exits with its code") {
  Workspace ws;
  auto heroku = MakeBuildpack(ws, "old", {"detect", "compile", "release"});
  auto b = MakeBuildpack(ws, "b", kCf);
  auto out = RunPlan(ws, PlanStaging({heroku, b}, false, ws.dirs));
  CHECK(out.exit_code == 225);
  CHECK(out.output.find("old has no bin/supply") != std::string::npos);
  CHECK_FALSE(fs::exists(ws.tmp / "calls"));
}

TEST_CASE("Builder: a launch.yml from the final buildpack replaces its bin/release") {
  Workspace ws;
  auto b = MakeBuildpack(ws, "b", kCf);
  WriteTestFile(fs::path(b.dir) / "bin" / "finalize",
                "#!/bin/sh\nprintf 'processes:\\n- type: web\\n  command: x\\n' > \"$3/$4/launch.yml\"\n", 0755);
  fs::create_directories(ws.tmp / "deps" / "0");
  auto out = RunPlan(ws, PlanStaging({b}, false, ws.dirs));
  CHECK(out.exit_code == 0);
  CHECK(fs::exists(ws.tmp / "deps" / "0" / "launch.yml"));
  CHECK(ws.Calls().find("b release") == std::string::npos);
  CHECK_FALSE(fs::exists(ws.tmp / "out" / "release.yml"));
}
