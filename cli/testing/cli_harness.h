// Runs `wharf` in-process against the real wharfd API (TestWharfd, through its
// recording proxy): a private WHARF_HOME, the proxy's URL and the admin token in
// WHARF_API / WHARF_TOKEN, a fake clock whose sleeps advance it (and yield a
// little real time, since the daemon works on its own threads), seeded
// randomness, and captured stdout/stderr.
#pragma once

#include <algorithm>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "cli/client/context.h"
#include "cli/client/environment.h"
#include "cli/commands/cli.h"
#include "cli/testing/temp_dir.h"
#include "cli/testing/test_wharfd.h"
#include "common/time/clock.h"

namespace wharf::cli::testing {

class CliHarness {
 public:
  explicit CliHarness(bool logged_in = true) {
    env.Set("WHARF_HOME", (home.path() / "wharf-home").string());
    env.Set("HOME", home.path().string());
    if (logged_in) {
      env.Set("WHARF_API", server.url());
      env.Set("WHARF_TOKEN", server.token());
    }
  }

  // Runs `wharf ARGS...` in `cwd` (default: the temp folder) and returns the exit code.
  int Run(std::vector<std::string> args, const std::filesystem::path& cwd = {}) {
    out.str("");
    err.str("");
    in.clear();
    Terminal term{in, out, err, stdin_is_tty, false};
    CliContext ctx(term, env, clock, cwd.empty() ? home.path() : cwd);
    ctx.sleep = [this](std::chrono::milliseconds d) {
      clock.Advance(d);
      std::this_thread::sleep_for(std::min(d, std::chrono::milliseconds(10)));
    };
    std::size_t seed = 7;
    ctx.random = [seed](std::size_t n) mutable {
      seed = seed * 1103515245 + 12345;
      return (seed / 65536) % n;
    };
    return RunWharf(args, ctx);
  }

  std::string Out() const { return out.str(); }
  std::string Err() const { return err.str(); }

  TempDir home;
  TestWharfd server;
  MapEnvironment env;
  FakeClock clock;
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  bool stdin_is_tty = false;
};

inline bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace wharf::cli::testing
