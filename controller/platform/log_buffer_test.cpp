#include "controller/platform/log_buffer.h"

#include <doctest/doctest.h>

#include <thread>

#include "common/file_io.h"
#include "common/time/log_time.h"
#include "controller/platform/test_support.h"

namespace wharf::controller {
namespace {

using testing::TempDir;
constexpr const char* kApp = "3f2c9a4e-7b1d-4c8e-9a0f-2d6b5e1c7a93";

TEST_CASE("LogBuffer keeps only the newest lines of an app, oldest first") {
  TempDir dir;
  FakeClock clock;
  LogBuffer logs(dir / "apps", clock, 3);
  for (int i = 0; i < 5; ++i) logs.Append(kApp, "API/0", "OUT", "line " + std::to_string(i));
  auto recent = logs.Recent(kApp, 1000);
  REQUIRE(recent.size() == 3);
  CHECK(recent[0].message == "line 2");
  CHECK(recent[2].message == "line 4");
  CHECK(logs.Recent(kApp, 2).front().message == "line 3");
  CHECK(logs.Recent("other", 10).empty());
}

TEST_CASE("LogBuffer splits a multi-line message into lines with the same header") {
  TempDir dir;
  FakeClock clock;
  LogBuffer logs(dir / "apps", clock);
  logs.Append(kApp, "STG/0", "ERR", "one\r\ntwo\n");
  auto recent = logs.Recent(kApp, 10);
  REQUIRE(recent.size() == 2);
  CHECK(recent[0].message == "one");
  CHECK(recent[1].message == "two");
  CHECK(recent[1].source == "STG/0");
  CHECK(recent[1].stream == "ERR");
  CHECK(recent[1].timestamp == FormatRfc3339Micros(clock.Now()));
}

TEST_CASE("LogBuffer appends lines to the app's file and refills from it after a restart") {
  TempDir dir;
  FakeClock clock;
  {
    LogBuffer logs(dir / "apps", clock);
    logs.Append(kApp, "API/0", "OUT", "Created app with guid x");
  }
  auto file = ReadFile(dir / "apps" / (std::string(kApp) + ".log"));
  REQUIRE(file.ok());
  CHECK(*file == FormatRfc3339Micros(clock.Now()) + " [API/0] OUT Created app with guid x\n");
  LogBuffer again(dir / "apps", clock);
  auto recent = again.Recent(kApp, 10);
  REQUIRE(recent.size() == 1);
  CHECK(recent[0].message == "Created app with guid x");
  CHECK(recent[0].source == "API/0");
}

TEST_CASE("An app's log file is rotated at its cap, so its logs take at most twice that, Forget removes them") {
  TempDir dir;
  FakeClock clock;
  const std::filesystem::path file = dir / "apps" / (std::string(kApp) + ".log");
  std::filesystem::path old = file;
  old += ".1";
  {
    LogBuffer logs(dir / "apps", clock, 1000, 4096);
    for (int i = 0; i < 1000; ++i) logs.Append(kApp, "APP/PROC/WEB/0", "OUT", "flood " + std::to_string(i));
    CHECK(std::filesystem::file_size(file) <= 4096);
    CHECK(std::filesystem::file_size(old) <= 4096);
    CHECK(std::filesystem::file_size(old) > 3000);
    auto last = ReadFile(file);
    REQUIRE(last.ok());
    CHECK(last->find("flood 999\n") != std::string::npos);
    CHECK(logs.Recent(kApp, 1).front().message == "flood 999");  // the ring does not care
  }
  {
    // A restart goes on from the file's size on disk.
    LogBuffer logs(dir / "apps", clock, 1000, 4096);
    for (int i = 0; i < 200; ++i) logs.Append(kApp, "APP/PROC/WEB/0", "OUT", "more " + std::to_string(i));
    CHECK(std::filesystem::file_size(file) <= 4096);
    logs.Forget(kApp);
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK_FALSE(std::filesystem::exists(old));
    CHECK(logs.Recent(kApp, 10).empty());
  }
}

TEST_CASE("Log file lines parse back, and other text is refused") {
  LogLine line{0, "2026-11-26T08:35:47Z", "APP/PROC/WEB/0", "ERR", "boom [x] y"};
  LogLine parsed;
  REQUIRE(ParseLogFileLine(FormatLogFileLine(line), parsed));
  CHECK(parsed.timestamp == line.timestamp);
  CHECK(parsed.source == line.source);
  CHECK(parsed.stream == line.stream);
  CHECK(parsed.message == line.message);
  CHECK(!ParseLogFileLine("garbage", parsed));
  CHECK(!ParseLogFileLine("t [API/0] MAYBE x", parsed));
}

TEST_CASE("WaitAfter hands a follower the lines appended after it started") {
  TempDir dir;
  FakeClock clock;
  LogBuffer logs(dir / "apps", clock);
  logs.Append(kApp, "API/0", "OUT", "before");
  std::uint64_t from = logs.LastSeq();
  std::thread writer([&] { logs.Append(kApp, "API/0", "OUT", "after"); });
  std::vector<LogLine> got;
  while (got.empty()) got = logs.WaitAfter(kApp, from, std::chrono::seconds(10));
  writer.join();
  REQUIRE(got.size() == 1);
  CHECK(got[0].message == "after");
  CHECK(got[0].seq > from);
}

TEST_CASE("WaitAfter returns nothing on timeout, and at once after Shutdown") {
  TempDir dir;
  FakeClock clock;
  LogBuffer logs(dir / "apps", clock);
  CHECK(logs.WaitAfter(kApp, logs.LastSeq(), std::chrono::milliseconds(1)).empty());
  logs.Shutdown();
  CHECK(logs.IsShutDown());
  logs.Append(kApp, "API/0", "OUT", "late");
  CHECK(logs.WaitAfter(kApp, 0, std::chrono::hours(1)).empty());
}

TEST_CASE("LogBuffer writes no file for a name that is not a guid") {
  TempDir dir;
  FakeClock clock;
  LogBuffer logs(dir / "apps", clock);
  logs.Append("../escape", "API/0", "OUT", "x");
  CHECK(!std::filesystem::exists(dir / "escape.log"));
  CHECK(logs.Recent("../escape", 5).size() == 1);
}

}  // namespace
}  // namespace wharf::controller
