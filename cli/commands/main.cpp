// The `wharf` executable: wires the real terminal, environment and clock into
// RunWharf. All logic lives in the cli library.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/client/environment.h"
#include "cli/commands/cli.h"
#include "common/time/clock.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed socket or pipe is an error value, not a death
  std::vector<std::string> args(argv + 1, argv + argc);
  wharf::cli::ProcessEnvironment env;
  wharf::SystemClock clock;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  wharf::cli::Terminal terminal{std::cin, std::cout, std::cerr, ::isatty(0) == 1, ::isatty(1) == 1};
  wharf::cli::CliContext ctx(terminal, env, clock, cwd);
  int code = wharf::cli::RunWharf(args, ctx);
  std::cout.flush();
  return code;
}
