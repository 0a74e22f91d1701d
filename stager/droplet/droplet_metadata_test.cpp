#include "stager/droplet/droplet_metadata.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace wharf::stager;

namespace {
DropletMetadata Sample() {
  DropletMetadata m;
  m.buildpacks = {{"python_buildpack", "python_buildpack", "1.0.0"}, {"nodejs_buildpack", "nodejs_buildpack", "1.1.0"}};
  m.detected_buildpack = "nodejs_buildpack";
  m.detected_language = "nodejs";
  m.start_command = "npm start";
  m.command_source = "buildpack";
  m.process_types = {{"web", "npm start"}, {"worker", "node w.js"}};
  m.stack = "debian12";
  return m;
}
}  // namespace

TEST_CASE("staging_info.yml holds Cloud Foundry's two fields as JSON") {
  auto j = nlohmann::json::parse(StagingInfoJson(Sample()));
  CHECK(j.size() == 2);
  CHECK(j["detected_buildpack"] == "nodejs_buildpack");
  CHECK(j["start_command"] == "npm start");
}

TEST_CASE("droplet.json round-trips every field") {
  DropletMetadata m = Sample();
  auto back = ParseDropletMetadataJson(DropletMetadataJson(m));
  REQUIRE(back.ok());
  REQUIRE(back->buildpacks.size() == 2);
  CHECK(back->buildpacks[1].name == "nodejs_buildpack");
  CHECK(back->buildpacks[1].version == "1.1.0");
  CHECK(back->detected_language == "nodejs");
  CHECK(back->start_command == "npm start");
  CHECK(back->command_source == "buildpack");
  CHECK(back->process_types == m.process_types);
  CHECK(back->stack == "debian12");
}

TEST_CASE("droplet.json that is not JSON is refused with the file name") {
  auto bad = ParseDropletMetadataJson("{not json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("droplet.json") != std::string::npos);
}
