#include "stager/droplet/procfile.h"

#include <doctest/doctest.h>

using namespace wharf;
using namespace wharf::stager;

TEST_CASE("ParseProcfile reads types and commands, skipping comments, blank lines and CRLF") {
  auto p = ParseProcfile("# processes\r\nweb: node server.js --port $PORT\r\n\n  worker:   bundle exec sidekiq  \n");
  REQUIRE(p.ok());
  CHECK(p->size() == 2);
  CHECK(p->at("web") == "node server.js --port $PORT");
  CHECK(p->at("worker") == "bundle exec sidekiq");
}

TEST_CASE("ParseProcfile keeps colons inside the command and unquotes a wholly quoted command") {
  auto p = ParseProcfile("web: bash -c 'echo a: b'\nclock: \"python clock.py\"\n");
  REQUIRE(p.ok());
  CHECK(p->at("web") == "bash -c 'echo a: b'");
  CHECK(p->at("clock") == "python clock.py");
}

TEST_CASE("ParseProcfile refuses a malformed line and names its number") {
  auto p = ParseProcfile("web: ok\nthis is not a process\n");
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kInvalidArgument);
  CHECK(p.status().message().find("Procfile line 2") != std::string::npos);
}

TEST_CASE("ParseProcfile refuses empty commands, bad type names and duplicates") {
  CHECK(ParseProcfile("web:\n").status().message().find("empty command") != std::string::npos);
  CHECK(ParseProcfile("we b: x\n").status().message().find("may only hold") != std::string::npos);
  auto dup = ParseProcfile("web: a\nweb: b\n");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message().find("line 2") != std::string::npos);
  CHECK(dup.status().message().find("twice") != std::string::npos);
}

TEST_CASE("ParseProcfile of an empty file gives no process types") {
  auto p = ParseProcfile("\n# nothing\n");
  REQUIRE(p.ok());
  CHECK(p->empty());
}
