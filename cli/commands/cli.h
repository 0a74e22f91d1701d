// The `wharf` program as a function, so tests run it like a user would:
// words in, text on the context's streams, an exit code out.
//   0  success
//   1  failure (the API said no, a file is wrong, wharfd is unreachable...)
//   2  usage error (unknown command or flag, missing argument)
#pragma once

#include <span>
#include <string>

#include "cli/client/context.h"

namespace wharf::cli {

// `args` are the words after the program name.
int RunWharf(std::span<const std::string> args, CliContext& ctx);

}  // namespace wharf::cli
