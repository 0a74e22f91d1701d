#include "common/event_log.h"

#include <doctest/doctest.h>

#include "common/file_io.h"

using namespace wharf;

TEST_CASE("events render as greppable key=value lines") {
  CHECK(FormatEvent("app-created", {{"name", "web"}, {"guid", "g1"}}) == "app-created name=web guid=g1");
  CHECK(FormatEvent("app-updated", {{"command", "node server.js"}}) == "app-updated command=\"node server.js\"");
  CHECK(FormatEvent("x", {{"empty", ""}}) == "x empty=\"\"");
}

TEST_CASE("secret fields are redacted") {
  std::string line = FormatEvent("login", {{"admin_token", "s3cr3t"}, {"password", "p"}, {"user", "admin"}});
  CHECK(line.find("s3cr3t") == std::string::npos);
  CHECK(line.find("p\"") == std::string::npos);
  CHECK(line == "login admin_token=[redacted] password=[redacted] user=admin");
}

TEST_CASE("FileEventLog appends timestamped lines") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-log-");
  REQUIRE(dir.ok());
  FakeClock clock;
  {
    auto log = FileEventLog::Open(*dir / "events.log", clock, false);
    REQUIRE(log.ok());
    (*log)->Write("app-created", {{"name", "web"}});
    (*log)->Write("app-deleted", {{"name", "web"}});
  }
  auto text = ReadFile(*dir / "events.log");
  REQUIRE(text.ok());
  CHECK(*text == "2027-01-15T08:00:00Z app-created name=web\n2027-01-15T08:00:00Z app-deleted name=web\n");
  std::filesystem::remove_all(*dir);
}
