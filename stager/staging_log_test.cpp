#include "stager/staging_log.h"

#include <doctest/doctest.h>

#include <vector>

using namespace wharf::stager;

namespace {
class Lines final : public StagingObserver {
 public:
  void OnLogLine(std::string_view line, bool is_stderr) const override {
    lines.emplace_back(line);
    err.push_back(is_stderr);
  }
  mutable std::vector<std::string> lines;
  mutable std::vector<bool> err;
};
}  // namespace

TEST_CASE("StagingLog forwards lines live with their stream") {
  Lines obs;
  StagingLog log(obs, 1024);
  log.Line("out", false);
  log.Line("err", true);
  log.Say("-----> mine");
  CHECK(obs.lines == std::vector<std::string>{"out", "err", "-----> mine"});
  CHECK(obs.err == std::vector<bool>{false, true, false});
}

TEST_CASE("StagingLog stops forwarding past its budget with one notice, but keeps the tail") {
  Lines obs;
  StagingLog log(obs, 100, 5);
  for (int i = 0; i < 1000; ++i) log.Line("line " + std::to_string(i), false);
  log.Say("-----> still shown");
  CHECK(obs.lines.size() < 30);
  int notices = 0;
  for (const auto& l : obs.lines) notices += l.find("further output is not shown") != std::string::npos;
  CHECK(notices == 1);
  CHECK(obs.lines.back() == "-----> still shown");
  CHECK(log.dropped_lines() > 900);
  auto tail = log.Tail(3);
  CHECK(tail == std::vector<std::string>{"line 998", "line 999", "-----> still shown"});
}

TEST_CASE("StagingLog cuts very long lines") {
  Lines obs;
  StagingLog log(obs, 1 << 20);
  log.Line(std::string(100000, 'x'), false);
  REQUIRE(obs.lines.size() == 1);
  CHECK(obs.lines[0].size() < 17000);
  CHECK(obs.lines[0].find("[line cut at 16 KiB]") != std::string::npos);
}
