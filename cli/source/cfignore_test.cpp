#include "cli/source/cfignore.h"

#include <doctest/doctest.h>

namespace wharf::cli {
namespace {

IgnoreRules With(const char* patterns) {
  IgnoreRules rules;
  rules.AddPatterns(patterns);
  return rules;
}

TEST_CASE("IgnoreRules leaves out cf's built-in names at any depth") {
  IgnoreRules rules;
  CHECK(rules.IsIgnored(".git", true));
  CHECK(rules.IsIgnored("vendor/lib/.svn", true));
  CHECK(rules.IsIgnored("_darcs", true));
  CHECK(rules.IsIgnored(".cfignore", false));
  CHECK(rules.IsIgnored("manifest.yml", false));
  CHECK(rules.IsIgnored(".DS_Store", false));
  CHECK_FALSE(rules.IsIgnored("server.js", false));
  CHECK_FALSE(rules.IsIgnored("git", true));
}

TEST_CASE("A pattern without a slash matches a name at any depth, '*' stays within one name") {
  IgnoreRules rules = With("*.log\n");
  CHECK(rules.IsIgnored("debug.log", false));
  CHECK(rules.IsIgnored("logs/2026/debug.log", false));
  CHECK_FALSE(rules.IsIgnored("debug.log.txt", false));
}

TEST_CASE("A leading slash or an inner slash anchors a pattern at the app root") {
  IgnoreRules rules = With("/tmp\ndocs/*.md\n");
  CHECK(rules.IsIgnored("tmp", true));
  CHECK_FALSE(rules.IsIgnored("src/tmp", true));
  CHECK(rules.IsIgnored("docs/readme.md", false));
  CHECK_FALSE(rules.IsIgnored("docs/api/readme.md", false));
  CHECK_FALSE(rules.IsIgnored("other/docs/readme.md", false));
}

TEST_CASE("A trailing slash matches folders only") {
  IgnoreRules rules = With("build/\n");
  CHECK(rules.IsIgnored("build", true));
  CHECK(rules.IsIgnored("sub/build", true));
  CHECK_FALSE(rules.IsIgnored("build", false));
}

TEST_CASE("Double stars match any number of folders") {
  IgnoreRules rules = With("**/cache\nassets/**\na/**/z.txt\n");
  CHECK(rules.IsIgnored("cache", true));
  CHECK(rules.IsIgnored("x/y/cache", true));
  CHECK(rules.IsIgnored("assets/img/logo.png", false));
  CHECK_FALSE(rules.IsIgnored("assets", true));
  CHECK(rules.IsIgnored("a/z.txt", false));
  CHECK(rules.IsIgnored("a/b/c/z.txt", false));
  CHECK_FALSE(rules.IsIgnored("b/a/z.txt", false));
}

TEST_CASE("A negation re-includes, and the last matching pattern wins") {
  IgnoreRules rules = With("*.env\n!example.env\n");
  CHECK(rules.IsIgnored("prod.env", false));
  CHECK_FALSE(rules.IsIgnored("example.env", false));
  IgnoreRules reversed = With("!example.env\n*.env\n");
  CHECK(reversed.IsIgnored("example.env", false));
}

TEST_CASE("Negation can bring back a built-in name") {
  IgnoreRules rules = With("!manifest.yml\n");
  CHECK_FALSE(rules.IsIgnored("manifest.yml", false));
}

TEST_CASE("Comments, blank lines, CRLF endings and '?' and classes are handled") {
  IgnoreRules rules = With("# a comment\r\n\r\nfile?.txt\r\n[ab].c\r\n\\#hash\n");
  CHECK(rules.IsIgnored("file1.txt", false));
  CHECK_FALSE(rules.IsIgnored("file10.txt", false));
  CHECK(rules.IsIgnored("a.c", false));
  CHECK_FALSE(rules.IsIgnored("c.c", false));
  CHECK(rules.IsIgnored("#hash", false));
  CHECK_FALSE(rules.IsIgnored("# a comment", false));
}

TEST_CASE("Regex metacharacters in patterns are literal") {
  IgnoreRules rules = With("a+b(1).txt\n");
  CHECK(rules.IsIgnored("a+b(1).txt", false));
  CHECK_FALSE(rules.IsIgnored("aab1.txt", false));
}

}  // namespace
}  // namespace wharf::cli
