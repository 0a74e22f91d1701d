#include "stager/droplet/start_command.h"

#include <doctest/doctest.h>

using namespace wharf::stager;

TEST_CASE("The -c command wins over the Procfile and the buildpack") {
  auto d = DecideStartCommand({"./custom", {{"web", "from-procfile"}}, {{"web", "from-buildpack"}}});
  CHECK(d.web_command == "./custom");
  CHECK(d.source == CommandSource::kCommand);
  // -c changes the command, not the recorded process types.
  CHECK(d.process_types.at("web") == "from-procfile");
}

TEST_CASE("The Procfile wins over the buildpack, type by type") {
  auto d = DecideStartCommand({std::nullopt, {{"web", "from-procfile"}}, {{"web", "bp-web"}, {"worker", "bp-worker"}}});
  CHECK(d.web_command == "from-procfile");
  CHECK(d.source == CommandSource::kProcfile);
  CHECK(d.process_types.at("web") == "from-procfile");
  CHECK(d.process_types.at("worker") == "bp-worker");
}

TEST_CASE("The buildpack's web command is used when nothing else gives one") {
  auto d = DecideStartCommand({std::string(), {{"worker", "w"}}, {{"web", "npm start"}}});
  CHECK(d.web_command == "npm start");
  CHECK(d.source == CommandSource::kBuildpack);
  CHECK(CommandSourceName(d.source) == "buildpack");
}

TEST_CASE("No command anywhere leaves the web command empty with source none") {
  auto d = DecideStartCommand({std::nullopt, {}, {}});
  CHECK(d.web_command.empty());
  CHECK(d.source == CommandSource::kNone);
  CHECK(CommandSourceName(d.source) == "none");
}
