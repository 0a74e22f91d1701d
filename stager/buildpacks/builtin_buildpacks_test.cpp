// The built-in buildpacks' bin/detect, run for real against every example:
// each says yes to its own example and no to all the others.
#include <doctest/doctest.h>

#include <map>

#include "stager/buildpacks/buildpack_dir.h"
#include "stager/buildpacks/buildpack_registry.h"
#include "stager/testing/test_support.h"

using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

namespace {
const fs::path kSource = WHARF_SOURCE_DIR;

// example folder -> the buildpack that must claim it (binary: none, it is chosen with -b).
const std::map<std::string, std::string> kOwner = {
    {"static-site", "staticfile"}, {"nginx", "nginx"}, {"nodejs", "nodejs"}, {"python", "python"},
    {"go", "go"},                  {"ruby", "ruby"},   {"java", "java"},     {"php", "php"},
    {"binary", ""}};
}  // namespace

TEST_CASE("Each built-in buildpack detects its own example and none of the others") {
  TempDir home;
  for (const auto& bp : BuiltinBuildpacks(kSource / "buildpacks")) {
    const std::string folder = bp.folder.filename().string();
    for (const auto& [example, owner] : kOwner) {
      auto out = RunProcess({(bp.folder / "bin/detect").string(), (kSource / "examples" / example).string()},
                            home.path(), BasicEnv(home.path()));
      INFO(bp.name << " on examples/" << example << ": " << out.output);
      CHECK((out.exit_code == 0) == (owner == folder));
    }
  }
}

TEST_CASE("The built-in buildpacks are registered in Cloud Foundry's order, all with the full CF API") {
  auto list = BuiltinBuildpacks(kSource / "buildpacks");
  std::vector<std::string> names;
  for (const auto& b : list) names.push_back(b.name);
  CHECK(names == std::vector<std::string>{"staticfile_buildpack", "java_buildpack", "ruby_buildpack",
                                          "nodejs_buildpack", "go_buildpack", "python_buildpack", "php_buildpack",
                                          "nginx_buildpack", "httpd_buildpack", "binary_buildpack"});
  for (std::size_t i = 0; i < list.size(); ++i) {
    CHECK(list[i].position == static_cast<int>(i) + 1);
    auto info = InspectBuildpack(list[i].folder, list[i].name);
    REQUIRE(info.ok());
    CHECK(info->scripts.detect);
    CHECK(info->scripts.supply);
    CHECK(info->scripts.finalize);
    CHECK(info->scripts.release);
    CHECK(info->version == "1.0.0");
    CHECK_FALSE(info->detects.empty());
  }
}

TEST_CASE("FindBuiltinBuildpacksDir takes a configured folder and refuses a missing one") {
  auto found = FindBuiltinBuildpacksDir(kSource / "buildpacks");
  REQUIRE(found.ok());
  CHECK(fs::is_directory(*found / "nodejs"));
  CHECK_FALSE(FindBuiltinBuildpacksDir("/nonexistent/buildpacks").ok());
  CHECK(FindBuiltinBuildpacksDir().ok());  // this source tree's, compiled in
}
