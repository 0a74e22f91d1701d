#include "runtime/logs/log_tailer.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "common/file_io.h"
#include "common/testing/temp_dir.h"
#include "common/time/clock.h"

namespace wharf::runtime {
namespace {

using ::wharf::testing::TempDir;

LogEntry Entry(std::string msg, bool err = false, std::string type = "APP/PROC/WEB", std::string inst = "0") {
  LogEntry e;
  e.at = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'800'000'000'120}};
  e.source_type = std::move(type);
  e.source_instance = std::move(inst);
  e.is_err = err;
  e.message = std::move(msg);
  return e;
}

// Keeps what the tailer appends, per app, in order.
class MemorySink final : public LogSink {
 public:
  Status Append(std::string_view app_guid, const LogEntry& entry) override {
    std::lock_guard lock(mu_);
    entries_[std::string(app_guid)].push_back(entry);
    return Status::Ok();
  }
  std::vector<LogEntry> Recent(const std::string& app_guid) {
    std::lock_guard lock(mu_);
    return entries_[app_guid];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<LogEntry>> entries_;
};

}  // namespace

TEST_CASE("Log entries are formatted like the cf CLI prints them") {
  CHECK(FormatLogEntry(Entry("hello")) == "2027-01-15T08:00:00.12+0000 [APP/PROC/WEB/0] OUT hello");
  CHECK(FormatLogEntry(Entry("boom", true, "CELL", "1")) == "2027-01-15T08:00:00.12+0000 [CELL/1] ERR boom");
  CHECK(AppSourceType("worker") == "APP/PROC/WORKER");
}

TEST_CASE("The tailer tags container output lines and truncates a fully read, oversized file") {
  TempDir dir;
  MemorySink store;
  FakeClock clock;
  LogTailer tailer(store, clock, std::chrono::milliseconds(200), /*truncate_over=*/10);
  auto state = dir.path() / "c1";
  std::filesystem::create_directories(state);
  std::ofstream(state / "stdout.log") << "old line\n";
  tailer.Add("c1", {.app_guid = "app-1", .source_type = "APP/PROC/WORKER", .instance = "2", .state_dir = state,
                    .from_start = false});
  { std::ofstream(state / "stdout.log", std::ios::app) << "hello world\n"; }
  { std::ofstream(state / "stderr.log", std::ios::app) << "oops\nno newline"; }
  tailer.PollOnce();
  auto recent = store.Recent("app-1");
  REQUIRE(recent.size() == 2);
  CHECK(FormatLogEntry(recent[0]).find("[APP/PROC/WORKER/2] OUT hello world") != std::string::npos);
  CHECK(recent[1].is_err);
  CHECK(recent[1].message == "oops");
  CHECK(std::filesystem::file_size(state / "stdout.log") == 0);  // read to its end and over 10 bytes
  { std::ofstream(state / "stdout.log", std::ios::app) << "after truncation\n"; }
  tailer.Remove("c1");
  recent = store.Recent("app-1");
  REQUIRE(recent.size() == 4);
  CHECK(recent[2].message == "after truncation");
  CHECK(recent[3].message == "no newline");
}

TEST_CASE("An instance over its log rate limit loses the rest of that second's lines, said once per second") {
  TempDir dir;
  MemorySink store;
  FakeClock clock;
  LogTailer tailer(store, clock);
  auto state = dir.path() / "c2";
  std::filesystem::create_directories(state);
  tailer.Add("c2", {.app_guid = "app-2", .state_dir = state, .log_rate_limit = 100});
  auto write = [&](int from, int n) {
    std::ofstream out(state / "stdout.log", std::ios::app);
    for (int i = from; i < from + n; ++i) out << "line " << (i < 10 ? "0" : "") << i << " of twenty b\n";  // 20 bytes with the newline
  };
  write(0, 12);
  tailer.PollOnce();
  auto recent = store.Recent("app-2");
  REQUIRE(recent.size() == 6);  // five lines of 20 bytes fit in 100, then the notice
  CHECK(recent[4].message == "line 04 of twenty b");
  CHECK(recent[5].message == "app instance exceeded log rate limit (100 bytes/sec)");
  CHECK(recent[5].is_err);
  write(12, 3);
  tailer.PollOnce();  // the same second: dropped, no second notice
  CHECK(store.Recent("app-2").size() == 6);
  clock.Advance(std::chrono::seconds(1));
  write(15, 2);
  tailer.PollOnce();
  recent = store.Recent("app-2");
  REQUIRE(recent.size() == 8);
  CHECK(recent[6].message.rfind("line 15", 0) == 0);
  CHECK(recent[7].message.rfind("line 16", 0) == 0);

  // Unlimited (-1, the default): everything passes.
  auto free_state = dir.path() / "c3";
  std::filesystem::create_directories(free_state);
  tailer.Add("c3", {.app_guid = "app-3", .state_dir = free_state});
  {
    std::ofstream out(free_state / "stdout.log");
    for (int i = 0; i < 500; ++i) out << "unlimited line " << i << "\n";
  }
  tailer.PollOnce();
  CHECK(store.Recent("app-3").size() == 500);
}

}  // namespace wharf::runtime
