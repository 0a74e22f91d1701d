#include "runtime/log_tailer.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "common/clock.h"
#include "common/file_io.h"

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
  auto state = dir.path / "c1";
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

}  // namespace wharf::runtime
