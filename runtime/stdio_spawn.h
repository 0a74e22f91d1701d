// Starts a program with the standard streams the caller chose (pipes or a
// pseudo-terminal's slave), in a session of its own, optionally as another user
// and in another folder: the process behind `wharf ssh`. Plain POSIX (fork and
// execve), since Boost.Process v2 cannot make the pty the controlling terminal.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct StdioSpawn {
  std::vector<std::string> argv;  // argv[0] is an absolute path (no PATH search)
  std::vector<std::string> env;   // the whole environment, "K=V"
  int stdin_fd = -1;              // -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  // stdin_fd is a terminal that becomes the new session's controlling terminal.
  bool controlling_tty = false;
  std::optional<unsigned> uid, gid;      // switch to this user (no supplementary groups) before exec
  std::filesystem::path cwd;             // empty: unchanged
};

// Returns the child's pid; the caller reaps it with waitpid. Internal when fork fails;
// a failure inside the child (exec, chdir, setuid) makes it exit with status 127.
Result<int> SpawnWithStdio(const StdioSpawn& spawn);

// Waits for `pid` and returns its exit status as a shell reports it (128 + signal when killed).
int WaitExitStatus(int pid);

}  // namespace wharf::runtime
