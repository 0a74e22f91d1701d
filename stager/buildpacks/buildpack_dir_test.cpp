#include "stager/buildpacks/buildpack_dir.h"

#include <doctest/doctest.h>

#include "stager/testing/test_support.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

TEST_CASE("InspectBuildpack finds the scripts, the version and the detection hint") {
  TempDir t;
  WriteTestFile(t / "bp/bin/detect", "#!/bin/sh\n", 0755);
  WriteTestFile(t / "bp/bin/supply", "#!/bin/sh\n", 0755);
  WriteTestFile(t / "bp/bin/finalize", "#!/bin/sh\n", 0755);
  WriteTestFile(t / "bp/VERSION", "1.4.2\n");
  WriteTestFile(t / "bp/buildpack.yml", "language: nodejs\ndetects: a package.json file\n");
  auto info = InspectBuildpack(t / "bp", "nodejs_buildpack");
  REQUIRE(info.ok());
  CHECK(info->root == t / "bp");
  CHECK(info->scripts.detect);
  CHECK(info->scripts.supply);
  CHECK(info->scripts.finalize);
  CHECK_FALSE(info->scripts.compile);
  CHECK_FALSE(info->scripts.release);
  CHECK(info->version == "1.4.2");
  CHECK(info->language == "nodejs");
  CHECK(info->detects == "a package.json file");
}

TEST_CASE("InspectBuildpack looks one level down when the folder only wraps the buildpack") {
  TempDir t;
  WriteTestFile(t / "wrap/bp-main/bin/compile", "#!/bin/sh\n", 0755);
  WriteTestFile(t / "wrap/bp-main/manifest.yml", "language: ruby\n");
  auto info = InspectBuildpack(t / "wrap", "x");
  REQUIRE(info.ok());
  CHECK(info->root == t / "wrap/bp-main");
  CHECK(info->scripts.compile);
  CHECK(info->language == "ruby");
}

TEST_CASE("InspectBuildpack refuses a folder without bin/ or without scripts, naming the buildpack") {
  TempDir t;
  WriteTestFile(t / "empty/README", "hi");
  WriteTestFile(t / "empty/other", "hi");
  auto no_bin = InspectBuildpack(t / "empty", "mine");
  REQUIRE_FALSE(no_bin.ok());
  CHECK(no_bin.status().message().find("mine has no bin/") != std::string::npos);
  fs::create_directories(t / "noscripts/bin");
  CHECK_FALSE(InspectBuildpack(t / "noscripts", "x").ok());
  CHECK(InspectBuildpack(t / "missing", "x").status().code() == StatusCode::kNotFound);
}

TEST_CASE("MakeScriptsExecutable adds execute bits to bin/ files") {
  TempDir t;
  WriteTestFile(t / "bp/bin/detect", "#!/bin/sh\n", 0644);
  REQUIRE(MakeScriptsExecutable(t / "bp").ok());
  auto perms = fs::status(t / "bp/bin/detect").permissions();
  CHECK((perms & fs::perms::owner_exec) != fs::perms::none);
  CHECK((perms & fs::perms::others_exec) != fs::perms::none);
}
