#include "runtime/command.h"

#include <doctest/doctest.h>

#include <pthread.h>
#include <signal.h>

#include <chrono>

namespace wharf::runtime {
namespace {

TEST_CASE("RunCommand captures stdout and stderr together and the exit code") {
  auto r = RunCommand({"sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 3);
  CHECK(r->output == "out\nerr\n");
}

TEST_CASE("RunCommand gives the command an empty stdin") {
  auto r = RunCommand({"cat"}, std::chrono::seconds(10));
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  CHECK(r->output.empty());
}

TEST_CASE("RunCommand kills a command that outlives its timeout and reports the signal") {
  auto before = std::chrono::steady_clock::now();
  auto r = RunCommand({"sleep", "30"}, std::chrono::milliseconds(200));
  REQUIRE(r.ok());
  CHECK(r->exit_code == 128 + SIGKILL);
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(20));
}

TEST_CASE("RunCommand keeps at most 64 KiB of output") {
  auto r = RunCommand({"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x"});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  CHECK(r->output.size() >= 64 * 1024);
  CHECK(r->output.size() < 64 * 1024 + 4096);
}

TEST_CASE("RunCommand fails with the program's name when it cannot be found") {
  auto r = RunCommand({"wharf-no-such-program-here"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("wharf-no-such-program-here") != std::string::npos);
  auto checked = RunChecked({"sh", "-c", "echo nope; exit 2"});
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.message().find("exited with 2: nope") != std::string::npos);
}

TEST_CASE("The command starts with no signal blocked although the caller blocks some") {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &block, &old) == 0);
  auto r = RunCommand({"sh", "-c", "grep SigBlk /proc/self/status"});
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(r.ok());
  CHECK(r->output == "SigBlk:\t0000000000000000\n");
}

}  // namespace
}  // namespace wharf::runtime
