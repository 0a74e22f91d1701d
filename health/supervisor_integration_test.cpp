// The supervisor over real containers, sockets and time: an instance becomes
// routable once it answers, an instance killed from outside is replaced and
// serving again, and scaling to zero leaves nothing behind.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include "health/supervisor.h"
#include "health/test_support.h"
#include "runtime/environment.h"
#include "runtime/runtime_test_support.h"

namespace wharf::health {
namespace {

using namespace std::chrono_literals;
using runtime::testing::TempRoot;
using runtime::testing::WaitUntil;

using testing::Recorder;

void Exercise(const std::string& backend) {
  TempRoot root;
  runtime::RuntimeConfig c;
  c.state_root = root.path / "runtime";
  c.backend = backend;
  c.bridge = "wharft0";
  c.subnet = "10.243.0.0/16";
  auto rt = runtime::MakeRuntime(c);
  REQUIRE_MESSAGE(rt.ok(), rt.status().ToString());
  auto droplet = runtime::testing::MakeDroplet(root.path / "droplet");

  SystemClock clock;
  SocketProber prober;
  Recorder rec;
  SupervisorOptions options;
  options.stop_grace = 2s;
  Supervisor sup(**rt, clock, prober, rec, rec, options);
  ProcessDesire web;
  web.key = {"app-1", "web"};
  web.version = "v1";
  web.instances = 1;
  web.check.startup_interval = 50ms;
  web.check.start_timeout = 60s;
  web.make_spec = [&](int, const std::string&) {
    runtime::ContainerSpec s;
    s.droplet_dir = droplet;
    s.argv = runtime::LauncherArgv("exec python3 -m http.server $PORT");
    s.limits.memory_bytes = 128ull << 20;
    return Result<runtime::ContainerSpec>(s);
  };
  sup.SetProcess(web);
  sup.RunThread(20ms);

  REQUIRE(WaitUntil([&] { return rec.Endpoints().size() == 1; }, 30s));
  auto first = rec.Endpoints()[0];
  auto info = (*rt)->Inspect(first.container_id);
  REQUIRE(info.ok());
  auto killed_at = std::chrono::steady_clock::now();
  REQUIRE(::kill(info->pid, SIGKILL) == 0);
  REQUIRE(WaitUntil([&] {
    auto eps = rec.Endpoints();
    return eps.size() == 1 && eps[0].container_id != first.container_id;
  }, 30s));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at);
  MESSAGE(backend << ": crash to routable again took " << took.count() << " ms");
  {
    std::lock_guard<std::mutex> l(rec.mu);
    bool crashed = false;
    for (auto& e : rec.events) crashed = crashed || (e.kind == InstanceEventKind::kCrashed && e.exit_code == 137);
    CHECK(crashed);
  }

  // wharfd restarts: a new supervisor adopts the running instance without restarting it.
  auto serving = rec.Endpoints()[0];
  int pid_before = (*rt)->Inspect(serving.container_id)->pid;
  sup.StopThread();
  Recorder rec2;
  Supervisor again(**rt, clock, prober, rec2, rec2, options);
  REQUIRE(again.Recover().ok());
  again.SetProcess(web);
  again.RunThread(20ms);
  REQUIRE(WaitUntil([&] { return rec2.Endpoints().size() == 1; }, 30s));
  CHECK(rec2.Endpoints()[0].container_id == serving.container_id);
  CHECK((*rt)->Inspect(serving.container_id)->pid == pid_before);
  {
    std::lock_guard<std::mutex> l(rec2.mu);
    for (auto& e : rec2.events) CHECK(e.kind != InstanceEventKind::kStarting);
  }

  web.instances = 0;
  again.SetProcess(web);
  REQUIRE(WaitUntil([&] { return again.Instances("app-1").empty(); }, 30s));
  CHECK(rec2.Endpoints().empty());
  REQUIRE(WaitUntil([&] { return (*rt)->List()->empty(); }, 10s));
}

}  // namespace

TEST_CASE("supervisor over the process backend: routes a healthy instance, replaces one killed from outside") {
  Exercise("process");
}

TEST_CASE("supervisor over an OCI backend: routes a healthy instance, replaces one killed from outside") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  Exercise("auto");
}

}  // namespace wharf::health
