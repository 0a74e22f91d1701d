// Runs a helper tool (ip, nft, runc, ...) to completion with an argv vector —
// never a shell — capturing its combined output, through Boost.Process v2. The container
// helpers that need setsid, a subreaper or a double fork (monitor_launcher, runtime/helpers)
// stay on POSIX calls: they need a double fork that leaves a grandchild to the subreaper, which
// v2's launchers do not do.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct CommandResult {
  int exit_code = -1;   // 128 + signal when killed
  std::string output;   // stdout and stderr, interleaved, capped at 64 KiB
};

// Fails (Internal) only when the program cannot be started; a non-zero exit is a result.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

// RunCommand inside the network namespace bound at `netns_file` (as `nsenter --net=FILE`).
Result<CommandResult> RunCommandInNetworkNamespace(const std::string& netns_file, const std::vector<std::string>& argv,
                                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Like RunCommand, but a non-zero exit is an Internal error naming the command and its output.
Status RunChecked(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace wharf::runtime
