#include "cli/manifest/vars.h"

#include <doctest/doctest.h>

#include "cli/testing/temp_dir.h"

namespace wharf::cli {
namespace {

using testing::TempDir;

YAML::Node Substituted(const std::string& yaml, const Variables& vars, Status* status = nullptr) {
  YAML::Node root = YAML::Load(yaml);
  Status s = SubstituteVariables(root, vars, "m.yml");
  if (status != nullptr) *status = s;
  return root;
}

TEST_CASE("A whole-value placeholder takes the variable's value and type") {
  TempDir dir;
  Variables vars;
  REQUIRE(vars.AddFile(dir.Write("vars.yml", "n: 3\nroutes:\n- route: a.localhost\n")).ok());
  YAML::Node root = Substituted("instances: ((n))\nroutes: ((routes))\n", vars);
  CHECK(root["instances"].as<int>() == 3);
  REQUIRE(root["routes"].IsSequence());
  CHECK(root["routes"][0]["route"].Scalar() == "a.localhost");
}

TEST_CASE("A placeholder inside a string is replaced by the variable's text, several per string") {
  Variables vars;
  REQUIRE(vars.AddAssignment("host=web").ok());
  REQUIRE(vars.AddAssignment("env=prod").ok());
  YAML::Node root = Substituted("route: ((host))-((env)).localhost/((env))\n", vars);
  CHECK(root["route"].Scalar() == "web-prod.localhost/prod");
}

TEST_CASE("A substituted scalar keeps its position in the manifest") {
  Variables vars;
  REQUIRE(vars.AddAssignment("mem=lots").ok());
  YAML::Node root = Substituted("a: 1\nmemory: ((mem))\n", vars);
  CHECK(root["memory"].Mark().line == 1);
  CHECK(root["memory"].Mark().column == 8);
}

TEST_CASE("--var overrides --vars-file and a later file overrides an earlier one") {
  TempDir dir;
  Variables vars;
  REQUIRE(vars.AddAssignment("a=flag").ok());
  REQUIRE(vars.AddFile(dir.Write("one.yml", "a: one\nb: one\nc: one\n")).ok());
  REQUIRE(vars.AddFile(dir.Write("two.yml", "b: two\n")).ok());
  CHECK(vars.Find("a")->Scalar() == "flag");
  CHECK(vars.Find("b")->Scalar() == "two");
  CHECK(vars.Find("c")->Scalar() == "one");
  CHECK(vars.Find("d") == nullptr);
}

TEST_CASE("Every undefined variable is named with its file, line and column") {
  Variables vars;
  Status s;
  Substituted("name: web\nroute: ((host)).localhost\ncommand: ((cmd))\n", vars, &s);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("m.yml:2:8: variable ((host)) is not defined") != std::string::npos);
  CHECK(s.message().find("m.yml:3:10: variable ((cmd)) is not defined") != std::string::npos);
}

TEST_CASE("A list variable cannot be part of a string") {
  TempDir dir;
  Variables vars;
  REQUIRE(vars.AddFile(dir.Write("v.yml", "l: [1, 2]\n")).ok());
  Status s;
  Substituted("x: a-((l))\n", vars, &s);
  CHECK(s.message().find("variable ((l)) is a list or map") != std::string::npos);
}

TEST_CASE("Bad --var and --vars-file inputs are errors naming the input") {
  TempDir dir;
  Variables vars;
  CHECK_FALSE(vars.AddAssignment("novalue").ok());
  CHECK_FALSE(vars.AddAssignment("=x").ok());
  CHECK(vars.AddAssignment("empty=").ok());
  CHECK(vars.AddAssignment("eq=a=b").ok());
  CHECK(vars.Find("eq")->Scalar() == "a=b");
  Status list = vars.AddFile(dir.Write("list.yml", "- a\n- b\n"));
  CHECK(list.message().find("list.yml:1:1: a vars file must be a map") != std::string::npos);
  Status bad = vars.AddFile(dir.Write("bad.yml", "a: [1\n"));
  CHECK(bad.message().find("bad.yml:") != std::string::npos);
  CHECK(vars.AddFile(dir / "missing.yml").message().find("cannot read vars file") != std::string::npos);
}

}  // namespace
}  // namespace wharf::cli
