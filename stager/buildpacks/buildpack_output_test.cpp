#include "stager/buildpacks/buildpack_output.h"

#include <doctest/doctest.h>

using namespace wharf;
using namespace wharf::stager;

TEST_CASE("ParseReleaseYaml reads default_process_types and ignores Heroku's addons and config_vars") {
  auto r = ParseReleaseYaml("---\naddons: []\nconfig_vars:\n  PATH: /app/bin\ndefault_process_types:\n"
                            "  web: npm start\n  worker: node worker.js\n");
  REQUIRE(r.ok());
  CHECK(r->default_process_types.size() == 2);
  CHECK(r->default_process_types.at("web") == "npm start");
}

TEST_CASE("ParseReleaseYaml accepts empty output and a release without process types") {
  CHECK(ParseReleaseYaml("").ok());
  auto r = ParseReleaseYaml("---\naddons: []\n");
  REQUIRE(r.ok());
  CHECK(r->default_process_types.empty());
}

TEST_CASE("ParseReleaseYaml refuses invalid YAML with its line") {
  auto r = ParseReleaseYaml("default_process_types:\n  web: [unclosed\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("not valid YAML") != std::string::npos);
  CHECK(r.status().message().find("line ") != std::string::npos);
}

TEST_CASE("ParseReleaseYaml refuses process types that are not a map of strings") {
  CHECK_FALSE(ParseReleaseYaml("default_process_types: [web]\n").ok());
  CHECK_FALSE(ParseReleaseYaml("default_process_types:\n  web: {cmd: x}\n").ok());
  CHECK_FALSE(ParseReleaseYaml("just a string\n").ok());
}

TEST_CASE("ParseLaunchYaml reads the processes list") {
  auto l = ParseLaunchYaml("processes:\n- type: web\n  command: ./run\n- type: task\n  command: ./task\n");
  REQUIRE(l.ok());
  CHECK(l->at("web") == "./run");
  CHECK(l->at("task") == "./task");
  CHECK_FALSE(ParseLaunchYaml("processes:\n- type: web\n").ok());
}

TEST_CASE("ParseDepsConfigYaml reads name and version and tolerates extra keys") {
  auto c = ParseDepsConfigYaml("name: nodejs\nversion: 1.2.3\nconfig:\n  anything: true\n");
  REQUIRE(c.ok());
  CHECK(c->name == "nodejs");
  CHECK(c->version == "1.2.3");
}
