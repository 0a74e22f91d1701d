#include "runtime/stdio_spawn.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <string>

namespace wharf::runtime {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // EOF, or EIO once a pty's slave side is closed
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST_CASE("SpawnWithStdio gives the program the pipes it is handed and reports its exit status") {
  int in[2], out[2], err[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  StdioSpawn s;
  s.argv = {"/bin/sh", "-c", "read line; echo \"got $line in $(pwd) as $WHO\"; echo oops >&2; exit 3"};
  s.env = {"WHO=tester", "PATH=/usr/bin:/bin"};
  s.stdin_fd = in[0];
  s.stdout_fd = out[1];
  s.stderr_fd = err[1];
  s.cwd = "/tmp";
  auto pid = SpawnWithStdio(s);
  REQUIRE(pid.ok());
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  REQUIRE(::write(in[1], "hello\n", 6) == 6);
  ::close(in[1]);
  CHECK(ReadAll(out[0]) == "got hello in /tmp as tester\n");
  CHECK(ReadAll(err[0]) == "oops\n");
  CHECK(WaitExitStatus(*pid) == 3);
  ::close(out[0]);
  ::close(err[0]);
}

TEST_CASE("SpawnWithStdio makes a pty slave the controlling terminal of a new session") {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  StdioSpawn s;
  // A controlling terminal is what /dev/tty opens; `test -t 0` checks stdin is a terminal.
  s.argv = {"/bin/sh", "-c", "test -t 0 && echo tty-ok; echo via-tty >/dev/tty; ps -o sid= -p $$ | tr -d ' '"};
  s.env = {"PATH=/usr/bin:/bin"};
  s.stdin_fd = s.stdout_fd = s.stderr_fd = slave;
  s.controlling_tty = true;
  auto pid = SpawnWithStdio(s);
  REQUIRE(pid.ok());
  ::close(slave);
  std::string text = ReadAll(master);
  CHECK(WaitExitStatus(*pid) == 0);
  ::close(master);
  CHECK(text.find("tty-ok") != std::string::npos);
  CHECK(text.find("via-tty") != std::string::npos);
  // Its own session: the session id is its own pid.
  CHECK(text.find(std::to_string(*pid)) != std::string::npos);
}

TEST_CASE("SpawnWithStdio refuses a relative program and reports a failed exec as 127") {
  StdioSpawn relative;
  relative.argv = {"sh"};
  CHECK(SpawnWithStdio(relative).status().code() == StatusCode::kInvalidArgument);
  StdioSpawn missing;
  missing.argv = {"/nonexistent/program"};
  auto pid = SpawnWithStdio(missing);
  REQUIRE(pid.ok());
  CHECK(WaitExitStatus(*pid) == 127);
}

TEST_CASE("WaitExitStatus reports a killed program as 128 + signal") {
  StdioSpawn s;
  s.argv = {"/bin/sh", "-c", "kill -9 $$"};
  auto pid = SpawnWithStdio(s);
  REQUIRE(pid.ok());
  CHECK(WaitExitStatus(*pid) == 137);
}

}  // namespace
}  // namespace wharf::runtime
