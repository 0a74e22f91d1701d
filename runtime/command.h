// Runs a helper tool (ip, nft, runc, ...) to completion with an argv vector —
// never a shell — capturing its combined output.
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

// Like RunCommand, but a non-zero exit is an Internal error naming the command and its output.
Status RunChecked(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace wharf::runtime
