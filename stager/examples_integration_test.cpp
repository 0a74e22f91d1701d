// Every example app, staged for real by the built-in buildpacks through the
// runtime's plain-process backend, then started from its droplet with the
// launcher and asked for its page on $PORT.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "stager/droplet/droplet_metadata.h"
#include "stager/testing/staging_fixture.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

namespace {

void StageAndServe(const std::string& example, const std::vector<std::string>& buildpacks,
                   const std::string& expected_buildpack, const std::string& expected_body) {
  StagingFixture f;
  CollectingObserver log;
  auto outcome = f.Stage(f.Request(SourceDir() / "examples" / example, buildpacks), log);
  INFO("staging log:\n" << log.Text());
  REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().Summary()));
  const StagingResult& r = outcome.result();
  CHECK(r.metadata.detected_buildpack == expected_buildpack);
  CHECK_FALSE(r.metadata.start_command.empty());
  CHECK(r.metadata.stack == "host");
  REQUIRE(r.metadata.buildpacks.size() == 1);
  CHECK(r.metadata.buildpacks[0].version == "1.0.0");
  CHECK(f.blobs().Has(r.droplet_sha256));

  fs::path droplet = f.Unpack(r.droplet_sha256);
  for (const char* d : {"app", "deps", "profile.d", "tmp", "logs"}) CHECK(fs::is_directory(droplet / d));
  auto info = nlohmann::json::parse(ReadTestFile(droplet / "staging_info.yml"));
  CHECK(info["detected_buildpack"] == expected_buildpack);
  CHECK(info["start_command"] == r.metadata.start_command);
  auto meta = ParseDropletMetadataJson(ReadTestFile(droplet / "droplet.json"));
  REQUIRE(meta.ok());
  CHECK(meta->process_types == r.metadata.process_types);

  std::string failure;
  auto body = f.RunAndFetch(droplet, r.metadata.start_command, failure);
  INFO("app output:\n" << failure);
  REQUIRE(body.has_value());
  CHECK(body->find(expected_body) != std::string::npos);
}

}  // namespace

TEST_CASE("examples/static-site stages with staticfile_buildpack and nginx serves it on $PORT") {
  StageAndServe("static-site", {}, "staticfile_buildpack", "Hello from Wharf");
}

TEST_CASE("examples/nginx stages with nginx_buildpack and its nginx.conf serves on $PORT") {
  StageAndServe("nginx", {}, "nginx_buildpack", "Hello from nginx on Wharf");
}

TEST_CASE("examples/nodejs stages with nodejs_buildpack (npm ci, offline) and serves on $PORT") {
  StageAndServe("nodejs", {}, "nodejs_buildpack", "Hello from Node.js on Wharf");
}

TEST_CASE("examples/python stages with python_buildpack (venv, vendored wheel) and serves on $PORT") {
  StageAndServe("python", {}, "python_buildpack", "Hello from Python 3");
}

TEST_CASE("examples/go stages with go_buildpack (vendored module) and serves on $PORT") {
  StageAndServe("go", {}, "go_buildpack", "Hello from Go go1");
}

TEST_CASE("examples/ruby stages with ruby_buildpack (bundle install --local) and rackup serves on $PORT") {
  StageAndServe("ruby", {}, "ruby_buildpack", "Hello from Ruby 3");
}

TEST_CASE("examples/java stages with java_buildpack and the jar serves on $PORT with a heap from the limit") {
  StageAndServe("java", {}, "java_buildpack", "max heap ");
}

TEST_CASE("examples/php stages with php_buildpack (autoloader written offline) and serves on $PORT") {
  StageAndServe("php", {}, "php_buildpack", "Hello from PHP 8");
}

TEST_CASE("examples/binary stages only with -b binary_buildpack and runs its Procfile command") {
  StageAndServe("binary", {"binary_buildpack"}, "binary_buildpack", "Hello from a binary on Wharf");
  StagingFixture f;
  CollectingObserver log;
  auto detected = f.Stage(f.Request(SourceDir() / "examples" / "binary"), log);
  REQUIRE_FALSE(detected.ok());
  CHECK(detected.error().exit_code() == 222);
}

TEST_CASE("nodejs_buildpack runs a plain 'node ARGS' start script directly, with npm's package variables, and any other through npm") {
  StagingFixture f;
  const std::string server =
      "require('http').createServer((q, s) => s.end([process.env.npm_package_name, process.env.npm_package_version,\n"
      "  process.env.npm_lifecycle_event, process.argv.slice(2).join(',')].join(' '))).listen(process.env.PORT);\n";
  auto app = [&](const std::string& name, const std::string& scripts) {
    const fs::path dir = f.dir().path() / name;
    WriteTestFile(dir / "server.js", server);
    WriteTestFile(dir / "package.json",
                  "{\"name\": \"" + name + "\", \"version\": \"2.3.4\", \"scripts\": {" + scripts + "}}\n");
    return dir;
  };
  auto stage = [&](const fs::path& dir) {
    CollectingObserver log;
    auto outcome = f.Stage(f.Request(dir, {}), log);
    INFO("staging log:\n" << log.Text());
    REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().Summary()));
    return outcome.result();
  };

  SUBCASE("plain: run as it is, and the app sees npm's variables") {
    const StagingResult r = stage(app("plain-app", "\"start\": \"node  server.js --color=blue\""));
    CHECK(r.metadata.start_command == "node server.js --color=blue");
    std::string failure;
    auto body = f.RunAndFetch(f.Unpack(r.droplet_sha256), r.metadata.start_command, failure);
    INFO("app output:\n" << failure);
    REQUIRE(body.has_value());
    CHECK(*body == "plain-app 2.3.4 start --color=blue");
  }
  SUBCASE("shell syntax, environment settings or a prestart script: npm start") {
    CHECK(stage(app("chained", "\"start\": \"node server.js && echo done\"")).metadata.start_command == "npm start");
    CHECK(stage(app("env-set", "\"start\": \"PORT=1 node server.js\"")).metadata.start_command == "npm start");
    CHECK(stage(app("variable", "\"start\": \"node $ENTRY\"")).metadata.start_command == "npm start");
    CHECK(stage(app("prestart", "\"prestart\": \"node -e 0\", \"start\": \"node server.js\"")).metadata.start_command ==
          "npm start");
    CHECK(stage(app("nodemon", "\"start\": \"nodemon server.js\"")).metadata.start_command == "npm start");
  }
}
