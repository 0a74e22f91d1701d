#include "stager/buildpacks/buildpack_choice.h"

#include <doctest/doctest.h>

using namespace wharf;
using namespace wharf::stager;
using Kind = BuildpackChoice::Kind;

TEST_CASE("ParseBuildpackChoice classifies names, folders, archives and git URLs") {
  CHECK(ParseBuildpackChoice("nodejs_buildpack")->kind == Kind::kRegistered);
  CHECK(ParseBuildpackChoice("/srv/bp/mine")->kind == Kind::kFolder);
  CHECK(ParseBuildpackChoice("/srv/bp/mine.zip")->kind == Kind::kArchive);
  CHECK(ParseBuildpackChoice("/srv/bp/mine.tar.gz")->kind == Kind::kArchive);
  auto git = ParseBuildpackChoice("https://example.com/bp.git#v1.2");
  REQUIRE(git.ok());
  CHECK(git->kind == Kind::kGit);
  CHECK(git->value == "https://example.com/bp.git");
  CHECK(git->ref == "v1.2");
  CHECK(ParseBuildpackChoice("git@example.com:org/bp.git")->kind == Kind::kGit);
  auto local = ParseBuildpackChoice("/srv/repo#main");
  REQUIRE(local.ok());
  CHECK(local->kind == Kind::kGit);
  CHECK(local->value == "/srv/repo");
  CHECK(local->ref == "main");
}

TEST_CASE("default, null and empty mean detection") {
  CHECK(ParseBuildpackChoice("default")->kind == Kind::kDetect);
  CHECK(ParseBuildpackChoice("null")->kind == Kind::kDetect);
  auto list = ParseBuildpackChoices({"default"});
  REQUIRE(list.ok());
  CHECK(list->empty());
}

TEST_CASE("ParseBuildpackChoice refuses what cannot be a buildpack, naming it") {
  CHECK_FALSE(ParseBuildpackChoice("relative/path").ok());
  CHECK_FALSE(ParseBuildpackChoice("has space").ok());
  CHECK_FALSE(ParseBuildpackChoice("name#ref").ok());
  CHECK_FALSE(ParseBuildpackChoice("https://example.com/bp.git#").ok());
  auto zip = ParseBuildpackChoice("https://example.com/bp.zip");
  REQUIRE_FALSE(zip.ok());
  CHECK(zip.status().message().find("bp.zip") != std::string::npos);
}

TEST_CASE("A detect marker among other buildpacks is refused") {
  auto list = ParseBuildpackChoices({"nodejs_buildpack", "default"});
  REQUIRE_FALSE(list.ok());
  CHECK(list.status().message().find("cannot be combined") != std::string::npos);
}
