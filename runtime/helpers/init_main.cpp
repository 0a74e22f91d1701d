// wharf-init: PID 1 inside an OCI container.
//
//   wharf-init COMMAND [ARGS...]
//
// A process that is PID 1 of a pid namespace does not get signals it has no
// handler for, so an app run as PID 1 would ignore the SIGTERM of a graceful
// stop. wharf-init runs COMMAND as its child in a process group of its own,
// forwards every catchable signal to that group, reaps orphans, and exits with
// the child's status (128 + signal when it was killed). When it exits the
// kernel kills whatever is left in the namespace.
//
// Statically linked and bound read-only into each container; it uses only libc.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int first = 1;
  if (argc > 1 && std::strcmp(argv[1], "--") == 0) first = 2;
  if (first >= argc) {
    std::fprintf(stderr, "wharf-init: usage: wharf-init COMMAND [ARGS...]\n");
    return 2;
  }
  sigset_t all;
  sigfillset(&all);
  sigset_t old;
  sigprocmask(SIG_BLOCK, &all, &old);

  pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "wharf-init: fork: %s\n", std::strerror(errno));
    return 127;
  }
  if (child == 0) {
    setpgid(0, 0);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    execvp(argv[first], argv + first);
    std::fprintf(stderr, "wharf-init: cannot run %s: %s\n", argv[first], std::strerror(errno));
    _exit(127);
  }
  setpgid(child, child);  // also done by the child; whichever runs first wins, both are fine

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      for (;;) {
        int status = 0;
        pid_t p = waitpid(-1, &status, WNOHANG);
        if (p <= 0) break;
        if (p == child) {
          if (WIFEXITED(status)) return WEXITSTATUS(status);
          if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
          return 255;
        }
      }
      continue;
    }
    // Forward to the child's process group; fall back to the child alone if
    // it has not made its group yet.
    if (kill(-child, sig) != 0) kill(child, sig);
  }
}
