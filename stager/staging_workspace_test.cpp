#include "stager/staging_workspace.h"

#include <doctest/doctest.h>

#include "stager/testing/test_support.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

TEST_CASE("StagingWorkspace makes its parts once and refuses to reuse a folder") {
  TempDir t;
  auto ws = StagingWorkspace::Create(t / "staging", "build-1");
  REQUIRE(ws.ok());
  for (const auto& p : {ws->app, ws->deps, ws->profile, ws->cache, ws->env, ws->out, ws->scratch}) {
    CHECK(fs::is_directory(p));
  }
  CHECK(StagingWorkspace::Create(t / "staging", "build-1").status().code() == StatusCode::kConflict);
}

TEST_CASE("An isolated runtime sees container paths through mounts, and the process backend sees host paths") {
  TempDir t;
  auto ws = StagingWorkspace::Create(t.path(), "b");
  REQUIRE(ws.ok());
  auto iso = LayoutFor(*ws, {"/srv/bp/one", "/srv/bp/two"}, true);
  CHECK(iso.dirs.build == "/home/vcap/app");
  CHECK(iso.dirs.deps == "/tmp/deps");
  CHECK(iso.buildpack_dirs == std::vector<std::string>{"/tmp/buildpacks/0", "/tmp/buildpacks/1"});
  bool bp_read_only = false, deps_writable = false;
  for (const auto& m : iso.mounts) {
    if (m.container == "/tmp/buildpacks/1") bp_read_only = m.host == "/srv/bp/two" && !m.writable;
    if (m.container == "/tmp/deps") deps_writable = m.host == ws->deps && m.writable;
  }
  CHECK(bp_read_only);
  CHECK(deps_writable);
  auto plain = LayoutFor(*ws, {"/srv/bp/one"}, false);
  CHECK(plain.dirs.build == ws->app.string());
  CHECK(plain.buildpack_dirs == std::vector<std::string>{"/srv/bp/one"});
  CHECK(plain.mounts.empty());
  CHECK(plain.plan_file == (ws->out / "plan").string());
}

TEST_CASE("WriteEnvDir writes one file per variable and refuses names that are not variable names") {
  TempDir t;
  REQUIRE(WriteEnvDir(t.path(), {{"GREETING", "hello"}, {"VCAP_SERVICES", "{}"}}).ok());
  CHECK(ReadTestFile(t / "GREETING") == "hello");
  CHECK(ReadTestFile(t / "VCAP_SERVICES") == "{}");
  auto bad = WriteEnvDir(t.path(), {{"../escape", "x"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message().find("../escape") != std::string::npos);
  CHECK_FALSE(fs::exists(t.path().parent_path() / "escape"));
}
