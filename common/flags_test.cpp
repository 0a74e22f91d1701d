#include "common/flags.h"

#include <doctest/doctest.h>

namespace wharf {
namespace {

CommandSpec MapRouteSpec() {
  CommandSpec spec;
  spec.name = "map-route";
  spec.usage = "wharf map-route APP_NAME DOMAIN [--hostname HOST] [--path PATH]";
  spec.positionals = {{"APP_NAME"}, {"DOMAIN"}};
  spec.flags = {{"hostname", 'n', FlagKind::kString, "HOST", "Hostname for the route"},
                {"path", 0, FlagKind::kString, "PATH", "Path for the route"},
                {"instances", 'i', FlagKind::kInt, "N", "Instances"},
                {"buildpack", 'b', FlagKind::kStringList, "BUILDPACK", "Buildpack"},
                {"force", 'f', FlagKind::kBool, "", "Force", false}};
  return spec;
}

Result<ParsedArgs> Parse(std::vector<std::string> words) { return ParseArgs(MapRouteSpec(), words); }

TEST_CASE("ParseArgs accepts flags before, between and after positionals in every spelling") {
  Result<ParsedArgs> a = Parse({"--hostname", "www", "web", "-i3", "--path=/api", "example.com", "-b", "x", "-b=y"});
  REQUIRE(a.ok());
  CHECK(a->positionals == std::vector<std::string>{"web", "example.com"});
  CHECK(a->Value("hostname") == "www");
  CHECK(a->Value("path") == "/api");
  CHECK(a->Int("instances") == 3);
  CHECK(a->Values("buildpack") == std::vector<std::string>{"x", "y"});
  CHECK_FALSE(a->Has("force"));
}

TEST_CASE("ParseArgs keeps the last value of a repeated single-value flag") {
  Result<ParsedArgs> a = Parse({"web", "d", "-n", "a", "--hostname", "b"});
  REQUIRE(a.ok());
  CHECK(a->Value("hostname") == "b");
}

TEST_CASE("ParseArgs treats words after -- as positionals") {
  Result<ParsedArgs> a = Parse({"web", "--", "--not-a-flag"});
  REQUIRE(a.ok());
  CHECK(a->positionals == std::vector<std::string>{"web", "--not-a-flag"});
}

TEST_CASE("ParseArgs reads a negative number that is not a known short flag as a positional") {
  Result<ParsedArgs> a = Parse({"web", "-5"});
  REQUIRE(a.ok());
  CHECK(a->positionals == std::vector<std::string>{"web", "-5"});
}

TEST_CASE("ParseArgs reports usage errors with what is wrong") {
  CHECK(Parse({"web", "d", "--nope"}).status().message() == "unknown flag '--nope'");
  CHECK(Parse({"web", "d", "-x"}).status().message() == "unknown flag '-x'");
  CHECK(Parse({"web"}).status().message() == "the required argument DOMAIN was not provided");
  CHECK(Parse({"web", "d", "extra"}).status().message() == "unexpected argument 'extra'");
  CHECK(Parse({"web", "d", "--hostname"}).status().message() == "flag -n, --hostname needs a value (HOST)");
  CHECK(Parse({"web", "d", "-i", "two"}).status().message() ==
        "invalid value 'two' for flag -i, --instances: expected a whole number");
  CHECK(Parse({"web", "d", "-f=1"}).status().message() == "flag -f takes no value");
}

TEST_CASE("ParseArgs knows a short-only flag only by its short name") {
  CHECK(Parse({"web", "d", "-f"}).ok());
  CHECK(Parse({"web", "d", "--force"}).status().message() == "unknown flag '--force'");
}

TEST_CASE("ParseArgs stops validating once --help is seen") {
  Result<ParsedArgs> a = Parse({"--help"});
  REQUIRE(a.ok());
  CHECK(a->help);
}

TEST_CASE("ParseArgs accepts a missing optional positional") {
  CommandSpec spec;
  spec.name = "push";
  spec.positionals = {{"APP_NAME", false}};
  std::vector<std::string> none;
  Result<ParsedArgs> a = ParseArgs(spec, none);
  REQUIRE(a.ok());
  CHECK(a->Positional(0).empty());
}

TEST_CASE("RenderFlagTable aligns descriptions, their further lines too, after the widest flag") {
  std::vector<FlagSpec> flags = {{"port", 0, FlagKind::kString, "N", "listen port"},
                                 {"hostname", 'n', FlagKind::kString, "HOST", "host name\nof the route"},
                                 {"version", 0, FlagKind::kBool, "", "print the version"}};
  CHECK(RenderFlagTable(flags, 2, 3) ==
        "  --port N              listen port\n"
        "  -n, --hostname HOST   host name\n"
        "                        of the route\n"
        "  --version             print the version\n");
}

}  // namespace
}  // namespace wharf
