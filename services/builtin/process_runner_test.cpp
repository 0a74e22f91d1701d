// RunAs's promise that a tool dies with the process that runs it (a killed wharfd leaves no
// initdb behind), with real processes.
#include "services/builtin/process_runner.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/file_io.h"
#include "common/ids.h"

namespace wharf::services::builtin {
namespace {

// Pids whose command line is exactly `argv` joined by NULs.
std::vector<pid_t> PidsRunning(const std::string& cmdline) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto text = ReadFile(entry.path() / "cmdline");
    if (text.ok() && *text == cmdline) pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

TEST_CASE("RunAs: the tool is killed when the process running it dies") {
  // A sleep no other process runs: its duration is random.
  const std::string seconds = "30." + std::to_string(1000 + std::stoul(RandomHex(3), nullptr, 16));
  const std::string cmdline = std::string("/bin/sleep") + '\0' + seconds + '\0';
  pid_t runner = ::fork();
  REQUIRE(runner >= 0);
  if (runner == 0) {
    (void)RunAs({"/bin/sleep", seconds}, std::nullopt, std::nullopt, std::chrono::seconds(60));
    ::_exit(0);
  }
  std::vector<pid_t> tools;
  for (int i = 0; i < 200 && tools.empty(); ++i) {
    tools = PidsRunning(cmdline);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(tools.size() == 1);  // the control: the tool runs while its runner lives
  ::kill(runner, SIGKILL);
  int status = 0;
  ::waitpid(runner, &status, 0);
  for (int i = 0; i < 200 && !PidsRunning(cmdline).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(PidsRunning(cmdline).empty());
  if (!PidsRunning(cmdline).empty()) ::kill(tools[0], SIGKILL);
}

}  // namespace
}  // namespace wharf::services::builtin
