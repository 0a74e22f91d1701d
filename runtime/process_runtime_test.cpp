// Integration tests of the plain-process backend: real processes, real monitor.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "runtime/container_runtime.h"
#include "runtime/runtime_test_support.h"

namespace wharf::runtime {
namespace {

using testing::ReadAll;
using testing::TempRoot;
using testing::WaitUntil;
using namespace std::chrono_literals;

std::unique_ptr<ContainerRuntime> MakeProcessRuntime(const std::filesystem::path& root) {
  RuntimeConfig c;
  c.state_root = root / "runtime";
  c.backend = "process";
  auto rt = MakeRuntime(c);
  REQUIRE_MESSAGE(rt.ok(), rt.status().ToString());
  return std::move(*rt);
}

ContainerSpec Spec(const TempRoot& root, std::string id, std::string script) {
  ContainerSpec s;
  s.id = std::move(id);
  s.droplet_dir = testing::MakeDroplet(root.path / ("droplet-" + s.id));
  s.argv = {"/bin/bash", "-c", std::move(script)};
  s.env = {{"GREETING", "hi"}};
  return s;
}

}  // namespace

TEST_CASE("process backend: RunToCompletion streams stdout and stderr and returns the exit code") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  CHECK(rt->Name() == "process");
  CHECK_FALSE(rt->Isolated());
  std::vector<std::string> out, err;
  auto spec = Spec(root, "rtc", "echo $GREETING port=$PORT; echo oops >&2; printf partial; exit 3");
  auto r = RunToCompletion(*rt, spec, 20s, [&](std::string_view line, bool is_err) {
    (is_err ? err : out).emplace_back(line);
  });
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->exit.exit_code == 3);
  CHECK_FALSE(r->timed_out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].rfind("hi port=", 0) == 0);
  CHECK(out[0] != "hi port=");
  CHECK(out[1] == "partial");
  CHECK(err == std::vector<std::string>{"oops"});
  CHECK(rt->Inspect("rtc").status().code() == StatusCode::kNotFound);  // destroyed
}

TEST_CASE("process backend: RunToCompletion stops a container that overruns its timeout") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  auto r = RunToCompletion(*rt, Spec(root, "slow", "echo started; exec sleep 60"), 1s, [](std::string_view, bool) {});
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->exit.exit_code == 128 + SIGTERM);
}

TEST_CASE("process backend: RunToCompletion stops a container at once when cancelled") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  std::atomic<bool> cancel{false};
  std::vector<std::string> out;
  auto before = std::chrono::steady_clock::now();
  auto r = RunToCompletion(
      *rt, Spec(root, "cancelled", "echo started; exec sleep 60"), 60s,
      [&](std::string_view line, bool) {
        out.emplace_back(line);
        cancel = true;  // as wharfd stopping while the container runs
      },
      &cancel);
  REQUIRE(r.ok());
  CHECK(r->cancelled);
  CHECK_FALSE(r->timed_out);
  CHECK(out == std::vector<std::string>{"started"});
  CHECK(std::chrono::steady_clock::now() - before < 30s);
  CHECK(rt->Inspect("cancelled").status().code() == StatusCode::kNotFound);  // destroyed
}

TEST_CASE("process backend: Exec runs a command with the app's environment and home, and refuses a stopped one") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  auto started = rt->Start(Spec(root, "execd", "exec sleep 60"));
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  int out[2];
  REQUIRE(::pipe(out) == 0);
  ExecSpec e;
  e.argv = {"/bin/sh", "-c", "echo $GREETING $EXTRA; pwd; id -u"};
  e.env = {{"EXTRA", "added"}};
  e.stdout_fd = out[1];
  auto pid = rt->Exec("execd", e);
  REQUIRE_MESSAGE(pid.ok(), pid.status().ToString());
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  REQUIRE(::waitpid(*pid, &status, 0) == *pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(text.rfind("hi added\n", 0) == 0);
  CHECK(text.find(started->state_dir.string()) != std::string::npos);  // the instance's app copy
  if (::geteuid() == 0) CHECK(text.find("\n2000\n") != std::string::npos);
  REQUIRE(rt->Stop("execd", 0s).ok());
  CHECK(rt->Exec("execd", e).status().code() == StatusCode::kConflict);
  CHECK(rt->Exec("no-such", e).status().code() == StatusCode::kNotFound);
  CHECK(rt->Destroy("execd").ok());
}

TEST_CASE("process backend: runs as uid 2000 when wharfd is root, with HOME at the instance's app copy") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  std::vector<std::string> out;
  auto r = RunToCompletion(*rt, Spec(root, "who", "id -u; cat $HOME/index.html; touch $HOME/new && echo wrote"), 20s,
                           [&](std::string_view l, bool) { out.emplace_back(l); });
  REQUIRE(r.ok());
  CHECK(out == std::vector<std::string>{"2000", "hello from wharf", "wrote"});
  CHECK_FALSE(std::filesystem::exists(root.path / "droplet-who" / "app" / "new"));  // the droplet is untouched
}

TEST_CASE("process backend: Stop sends SIGTERM, then SIGKILL after the grace period") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  auto polite = rt->Start(Spec(root, "polite", "exec sleep 60"));
  REQUIRE_MESSAGE(polite.ok(), polite.status().ToString());
  CHECK(polite->status == ContainerStatus::kRunning);
  CHECK(polite->pid > 0);
  auto stubborn = rt->Start(Spec(root, "stubborn", "trap '' TERM; echo ready; while :; do sleep 0.1; done"));
  REQUIRE(stubborn.ok());
  CHECK(WaitUntil([&] { return ReadAll(stubborn->state_dir / "stdout.log") == "ready\n"; }));

  REQUIRE(rt->Stop("polite", 5s).ok());
  auto p = rt->Inspect("polite");
  REQUIRE(p.ok());
  REQUIRE(p->exit.has_value());
  CHECK(p->exit->signal == SIGTERM);

  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(rt->Stop("stubborn", 1s).ok());
  auto took = std::chrono::steady_clock::now() - t0;
  auto s = rt->Inspect("stubborn");
  REQUIRE(s->exit.has_value());
  CHECK(s->exit->signal == SIGKILL);
  CHECK(took >= 1s);
  CHECK(took < 5s);
  CHECK(rt->Destroy("polite").ok());
  CHECK(rt->Destroy("stubborn").ok());
}

TEST_CASE("process backend: an output flood is bounded in the log file and the loss is reported once there is room") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  // 200 MiB as fast as the app can write, then a last line after a pause.
  auto c = rt->Start(Spec(root, "flood", "head -c 209715200 /dev/zero | tr '\\0' x; sleep 2; echo after"));
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  std::filesystem::path out = c->state_dir / "stdout.log";
  std::atomic<bool> exited{false};
  rt->Watch("flood", [&](const ExitInfo&) { exited = true; });
  // The flood ends with the file full and no longer growing (nobody reads it here).
  std::uintmax_t most = 0, last = 0;
  auto stable_since = std::chrono::steady_clock::now();
  auto deadline = stable_since + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    std::uintmax_t size = std::filesystem::file_size(out, ec);
    if (ec) size = 0;
    most = std::max(most, size);
    if (size != last) stable_since = std::chrono::steady_clock::now();
    last = size;
    if (size >= (60u << 20) && std::chrono::steady_clock::now() - stable_since > 300ms) break;
    std::this_thread::sleep_for(5ms);
  }
  MESSAGE("largest stdout.log seen: " << most << " bytes");
  CHECK(most >= (60u << 20));
  CHECK(most <= (64u << 20));
  std::filesystem::resize_file(out, 0);  // what the log tailer does after reading
  while (!exited && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  REQUIRE(exited.load());
  std::string text = ReadAll(out);
  CHECK(text.size() <= (64u << 20));
  CHECK(text.find("bytes of output dropped: the app wrote faster than its log is read") != std::string::npos);
  CHECK(text.find("after\n") != std::string::npos);
  CHECK(rt->Destroy("flood").ok());
}

TEST_CASE("process backend: a container outlives its runtime object and a new one recovers and watches it") {
  TempRoot root;
  int pid = 0;
  {
    auto first = MakeProcessRuntime(root.path);
    auto c = first->Start(Spec(root, "survivor", "exec sleep 60"));
    REQUIRE(c.ok());
    pid = c->pid;
  }
  CHECK(::kill(pid, 0) == 0);  // still running
  auto second = MakeProcessRuntime(root.path);
  auto list = second->List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].pid == pid);
  CHECK((*list)[0].status == ContainerStatus::kRunning);

  std::atomic<int> seen_signal{-1};
  second->Watch("survivor", [&](const ExitInfo& e) { seen_signal = e.signal; });
  REQUIRE(::kill(pid, SIGKILL) == 0);  // killed from outside
  CHECK(WaitUntil([&] { return seen_signal.load() == SIGKILL; }));
  CHECK(second->Destroy("survivor").ok());
}

TEST_CASE("process backend: a container survives the kill -9 of the process that started it, and its exit is still seen") {
  TempRoot root;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t starter = ::fork();
  REQUIRE(starter >= 0);
  if (starter == 0) {
    // Plays wharfd: starts a container, reports its pid, dies without cleaning up.
    RuntimeConfig c;
    c.state_root = root.path / "runtime";
    c.backend = "process";
    auto rt = MakeRuntime(c);
    if (rt.ok()) {
      auto started = (*rt)->Start(Spec(root, "orphan", "exec sleep 60"));
      int pid = started.ok() ? started->pid : -1;
      if (::write(ready[1], &pid, sizeof pid) != sizeof pid) ::_exit(1);
    }
    ::raise(SIGKILL);
  }
  ::close(ready[1]);
  int pid = -1;
  REQUIRE(::read(ready[0], &pid, sizeof pid) == sizeof pid);
  ::close(ready[0]);
  int status = 0;
  REQUIRE(::waitpid(starter, &status, 0) == starter);
  CHECK(WIFSIGNALED(status));
  REQUIRE(pid > 0);
  CHECK(::kill(pid, 0) == 0);  // the container lives on

  auto rt = MakeProcessRuntime(root.path);
  auto list = rt->List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].pid == pid);
  std::atomic<int> code{-1};
  rt->Watch("orphan", [&](const ExitInfo& e) { code = e.exit_code; });
  REQUIRE(::kill(pid, SIGTERM) == 0);
  CHECK(WaitUntil([&] { return code.load() == 128 + SIGTERM; }));
  CHECK(rt->Destroy("orphan").ok());
}

TEST_CASE("process backend: a command that cannot run fails Start with the reason") {
  TempRoot root;
  auto rt = MakeProcessRuntime(root.path);
  auto spec = Spec(root, "bad", "");
  spec.argv = {"/nonexistent/binary"};
  auto c = rt->Start(spec);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("/nonexistent/binary") != std::string::npos);
  CHECK(rt->Inspect("bad").status().code() == StatusCode::kNotFound);
}

}  // namespace wharf::runtime
