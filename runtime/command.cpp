#include "runtime/command.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <filesystem>
#include <functional>

// Process v2 in Boost 1.81 names boost::optional and std::is_constructible without including them.
#include <boost/optional.hpp>
#include <type_traits>

#include <boost/asio/connect_pipe.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

namespace wharf::runtime {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;

constexpr std::size_t kOutputCap = 64 * 1024;
// After a kill on timeout, how long a grandchild that still holds the output pipe may keep it.
constexpr auto kDrainAfterKill = std::chrono::seconds(1);

// The child starts with no signal blocked: wharfd's threads block SIGTERM and SIGINT for its
// signal-waiting thread, and the mask would otherwise be inherited by every helper tool.
struct UnblockSignals {
  template <typename Launcher>
  bp::error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*&) {
    sigset_t none;
    sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    return {};
  }
};

// Joins the network namespace open at `fd` before exec (what nsenter --net does, without its exec);
// -1 stays in the caller's namespace.
struct EnterNetworkNamespace {
  int fd = -1;
  template <typename Launcher>
  bp::error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*&) {
    if (fd >= 0 && ::setns(fd, CLONE_NEWNET) != 0) return bp::error_code(errno, bp::system_category());
    return {};
  }
};

std::filesystem::path FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  // PATH first, then sbin: ip and nft live there, and a non-login PATH may lack it. (Not v2's
  // environment::find_executable: its header does not compile on its own in Boost 1.81.)
  std::string dirs;
  if (const char* path = std::getenv("PATH")) dirs = path;
  dirs += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

// Boost.Process v2 (Asio) spawns with fork+execve, closes every other descriptor in the child and
// reaps through a pidfd; the read loop and the deadline are one io_context on this thread.
Result<CommandResult> Run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, int netns_fd) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  std::filesystem::path program = FindProgram(argv[0]);
  if (program.empty()) return Status::Internal("cannot run " + argv[0] + ": not found in PATH");

  asio::io_context io;
  asio::readable_pipe out_read(io);
  asio::writable_pipe out_write(io);
  asio::readable_pipe in_read(io);
  asio::writable_pipe in_write(io);
  bp::error_code ec;
  asio::connect_pipe(out_read, out_write, ec);
  if (!ec) asio::connect_pipe(in_read, in_write, ec);
  if (ec) return Status::Internal("pipe: " + ec.message());
  in_write.close();  // stdin reads as empty (never /dev/null: crun may chown it)

  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::process child = bp::default_process_launcher()(io, ec, program, args,
                                                     bp::process_stdio{in_read, out_write, out_write},
                                                     UnblockSignals{}, EnterNetworkNamespace{netns_fd});
  in_read.close();
  out_write.close();
  if (ec) return Status::Internal("cannot run " + argv[0] + ": " + ec.message());

  CommandResult result;
  std::array<char, 4096> buffer{};
  asio::steady_timer deadline(io, timeout);
  std::function<void()> read_more = [&] {
    out_read.async_read_some(asio::buffer(buffer), [&](const bp::error_code& read_error, std::size_t got) {
      if (read_error) {  // end of output: every writer has closed the pipe
        deadline.cancel();
        return;
      }
      if (result.output.size() < kOutputCap) result.output.append(buffer.data(), got);
      read_more();
    });
  };
  deadline.async_wait([&](const bp::error_code& wait_error) {
    if (wait_error) return;
    bp::error_code ignored;
    child.terminate(ignored);  // SIGKILL, then reaped
    deadline.expires_after(kDrainAfterKill);
    deadline.async_wait([&](const bp::error_code& drain_error) {
      if (!drain_error) out_read.close();
    });
  });
  read_more();
  io.run();

  child.wait(ec);
  int status = child.native_exit_code();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

Result<CommandResult> RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  return Run(argv, timeout, -1);
}

Result<CommandResult> RunCommandInNetworkNamespace(const std::string& netns_file,
                                                   const std::vector<std::string>& argv,
                                                   std::chrono::milliseconds timeout) {
  int fd = ::open(netns_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("cannot open network namespace " + netns_file);
  auto result = Run(argv, timeout, fd);
  ::close(fd);
  return result;
}

Status RunChecked(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  WHARF_ASSIGN_OR_RETURN(auto r, RunCommand(argv, timeout));
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    std::string out = r.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return Status::Internal("'" + cmd + "' exited with " + std::to_string(r.exit_code) + ": " + out);
  }
  return Status::Ok();
}

}  // namespace wharf::runtime
