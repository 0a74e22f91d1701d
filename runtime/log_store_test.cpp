#include "runtime/log_store.h"

#include <doctest/doctest.h>

#include <fstream>

#include "common/clock.h"
#include "common/file_io.h"
#include "runtime/log_tailer.h"

namespace wharf::runtime {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() : path(*MakeTempDirectory(std::filesystem::temp_directory_path(), "logs-")) {}
  ~TempDir() { std::filesystem::remove_all(path); }
};

LogEntry Entry(std::string msg, bool err = false, std::string type = "APP/PROC/WEB", std::string inst = "0") {
  LogEntry e;
  e.at = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'800'000'000'120}};
  e.source_type = std::move(type);
  e.source_instance = std::move(inst);
  e.is_err = err;
  e.message = std::move(msg);
  return e;
}

}  // namespace

TEST_CASE("Log entries are formatted like the cf CLI prints them") {
  CHECK(FormatLogEntry(Entry("hello")) == "2027-01-15T08:00:00.12+0000 [APP/PROC/WEB/0] OUT hello");
  CHECK(FormatLogEntry(Entry("boom", true, "CELL", "1")) == "2027-01-15T08:00:00.12+0000 [CELL/1] ERR boom");
  CHECK(AppSourceType("worker") == "APP/PROC/WORKER");
}

TEST_CASE("The store keeps the newest lines per app in memory, bounded") {
  TempDir dir;
  LogStore store(dir.path, {.recent_lines = 3, .file_bytes = 1 << 20, .files = 2});
  for (int i = 0; i < 5; ++i) REQUIRE(store.Append("app-1", Entry("line " + std::to_string(i))).ok());
  REQUIRE(store.Append("app-2", Entry("other")).ok());
  auto recent = store.Recent("app-1", 10);
  REQUIRE(recent.size() == 3);
  CHECK(recent[0].message == "line 2");
  CHECK(recent[2].message == "line 4");
  CHECK(store.Recent("app-1", 1)[0].message == "line 4");
  CHECK(store.Recent("app-2", 10).size() == 1);
  CHECK(store.Recent("unknown", 10).empty());
}

TEST_CASE("After a restart, recent lines come back from the files, and files rotate and stay bounded") {
  TempDir dir;
  {
    LogStore store(dir.path, {.recent_lines = 100, .file_bytes = 200, .files = 2});
    for (int i = 0; i < 40; ++i) REQUIRE(store.Append("app-1", Entry("message number " + std::to_string(i))).ok());
  }
  std::uintmax_t total = 0;
  int files = 0;
  for (auto& f : std::filesystem::directory_iterator(dir.path / "app-1")) {
    total += std::filesystem::file_size(f.path());
    ++files;
  }
  CHECK(files <= 2);
  CHECK(total <= 2 * 260);
  LogStore again(dir.path, {.recent_lines = 100, .file_bytes = 200, .files = 2});
  auto recent = again.Recent("app-1", 100);
  REQUIRE_FALSE(recent.empty());
  CHECK(recent.back().message == "message number 39");
  CHECK(recent.back().source_type == "APP/PROC/WEB");
  CHECK(recent.size() < 40);  // the oldest were rotated away
}

TEST_CASE("Subscribers get new entries of their app only, until they unsubscribe") {
  TempDir dir;
  LogStore store(dir.path);
  std::vector<std::string> got;
  auto sub = store.Subscribe("app-1", [&](const LogEntry& e) { got.push_back(e.message); });
  REQUIRE(store.Append("app-1", Entry("a")).ok());
  REQUIRE(store.Append("app-2", Entry("b")).ok());
  store.Unsubscribe(sub);
  REQUIRE(store.Append("app-1", Entry("c")).ok());
  CHECK(got == std::vector<std::string>{"a"});
}

TEST_CASE("An app guid that could escape the log folder is refused") {
  TempDir dir;
  LogStore store(dir.path);
  CHECK_FALSE(store.Append("../x", Entry("a")).ok());
  CHECK_FALSE(store.Append("", Entry("a")).ok());
}

TEST_CASE("The tailer tags container output lines and truncates a fully read, oversized file") {
  TempDir dir;
  LogStore store(dir.path / "logs");
  FakeClock clock;
  LogTailer tailer(store, clock, std::chrono::milliseconds(200), /*truncate_over=*/10);
  auto state = dir.path / "c1";
  std::filesystem::create_directories(state);
  std::ofstream(state / "stdout.log") << "old line\n";
  tailer.Add("c1", {.app_guid = "app-1", .source_type = "APP/PROC/WORKER", .instance = "2", .state_dir = state,
                    .from_start = false});
  { std::ofstream(state / "stdout.log", std::ios::app) << "hello world\n"; }
  { std::ofstream(state / "stderr.log", std::ios::app) << "oops\nno newline"; }
  tailer.PollOnce();
  auto recent = store.Recent("app-1", 10);
  REQUIRE(recent.size() == 2);
  CHECK(FormatLogEntry(recent[0]).find("[APP/PROC/WORKER/2] OUT hello world") != std::string::npos);
  CHECK(recent[1].is_err);
  CHECK(recent[1].message == "oops");
  CHECK(std::filesystem::file_size(state / "stdout.log") == 0);  // read to its end and over 10 bytes
  { std::ofstream(state / "stdout.log", std::ios::app) << "after truncation\n"; }
  tailer.Remove("c1");
  recent = store.Recent("app-1", 10);
  REQUIRE(recent.size() == 4);
  CHECK(recent[2].message == "after truncation");
  CHECK(recent[3].message == "no newline");
}

}  // namespace wharf::runtime
