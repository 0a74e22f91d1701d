// The task runner over the fake runtime: what a task's container is made of, how
// each kind of exit reads, cancelling, and settling what a previous wharfd left.
#include "cell/task_runner.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

#include "common/file_io.h"
#include "common/testing/temp_dir.h"
#include "runtime/testing/fake_container_runtime.h"

namespace wharf::cell {
namespace {

using runtime::testing::FakeContainerRuntime;

class Lines final : public runtime::LogSink {
 public:
  Status Append(std::string_view, const runtime::LogEntry& e) override {
    std::lock_guard lock(mu);
    all.push_back("[" + e.source_type + "/" + e.source_instance + "] " + e.message);
    return Status::Ok();
  }
  bool Has(const std::string& line) {
    std::lock_guard lock(mu);
    return std::find(all.begin(), all.end(), line) != all.end();
  }
  std::mutex mu;
  std::vector<std::string> all;
};

class Outcomes final : public TaskEventSink {
 public:
  void TaskStarted(const std::string& guid, std::chrono::system_clock::time_point) override { started.push_back(guid); }
  void TaskFinished(const std::string& guid, const TaskOutcome& o) override { finished[guid] = o; }
  std::vector<std::string> started;
  std::map<std::string, TaskOutcome> finished;
};

using ::wharf::testing::TempDir;

struct Fixture {
  TempDir dir;
  FakeContainerRuntime rt;
  Lines logs;
  Outcomes outcomes;
  FakeClock clock;
  TaskRunner runner{rt, logs, outcomes, clock, TaskRunnerOptions{dir.path(), "http://api", std::chrono::seconds(7)}};

  Fixture() { std::filesystem::create_directories(dir.path() / "d1"); }  // the droplet, unpacked already

  TaskSpec Spec(const std::string& guid, const std::string& name) {
    TaskSpec s;
    s.task_guid = guid;
    s.app_guid = "app1";
    s.app_name = "web";
    s.name = name;
    s.droplet_guid = "d1";
    s.launch_argv = {"/bin/sh", "-c", "rake db:migrate"};
    s.environment = {{"GREETING", "hi"}};
    s.vcap_services = R"({"user-provided":[]})";
    s.memory_mb = 64;
    s.disk_mb = 128;
    return s;
  }
};

TEST_CASE("A task runs in its own container from the app's droplet, with the app's environment and its limits") {
  Fixture f;
  REQUIRE(f.runner.Launch(f.Spec("t1", "migrate")).ok());
  f.runner.RunPending();
  REQUIRE(f.outcomes.started == std::vector<std::string>{"t1"});
  auto spec = f.rt.SpecOf(TaskContainerId("t1"));
  REQUIRE(spec.ok());
  CHECK(spec->droplet_dir == f.dir.path() / "d1");
  CHECK(spec->argv == std::vector<std::string>{"/bin/sh", "-c", "rake db:migrate"});
  CHECK(spec->env.at("GREETING") == "hi");
  CHECK(spec->env.at("VCAP_SERVICES") == R"({"user-provided":[]})");
  CHECK(spec->env.count("VCAP_APPLICATION") == 1);
  CHECK(spec->limits.memory_bytes == 64ull << 20);
  CHECK(spec->limits.disk_bytes == 128ull << 20);
  CHECK(spec->labels.at("wharf.task") == "t1");
  CHECK(spec->labels.at("wharf.droplet") == "d1");
  CHECK(spec->labels.count("wharf.app") == 0);  // the health supervisor must never adopt it

  f.rt.Exit(TaskContainerId("t1"), 0);
  f.runner.RunPending();
  REQUIRE(f.outcomes.finished.count("t1") == 1);
  CHECK(f.outcomes.finished["t1"].succeeded);
  CHECK(f.outcomes.finished["t1"].exit_status == 0);
  CHECK(f.rt.Ids().empty());  // destroyed once finished
  CHECK(f.logs.Has("[APP/TASK/migrate/0] Exit status 0"));
}

TEST_CASE("A task's failure says why: its exit status, or the OOM killer") {
  Fixture f;
  REQUIRE(f.runner.Launch(f.Spec("t1", "a")).ok());
  REQUIRE(f.runner.Launch(f.Spec("t2", "b")).ok());
  f.runner.RunPending();
  f.rt.Exit(TaskContainerId("t1"), 3);
  f.rt.Exit(TaskContainerId("t2"), 137, /*oom=*/true);
  f.runner.RunPending();
  CHECK_FALSE(f.outcomes.finished["t1"].succeeded);
  CHECK(f.outcomes.finished["t1"].exit_status == 3);
  CHECK(f.outcomes.finished["t1"].failure_reason == "Exited with status 3");
  CHECK(f.outcomes.finished["t2"].failure_reason == "OOM killed: the task used its whole memory limit (64M)");
  CHECK(f.logs.Has("[CELL/0] Task a failed: Exited with status 3"));
}

TEST_CASE("A cancelled task is stopped with its grace period and fails as cancelled") {
  Fixture f;
  REQUIRE(f.runner.Launch(f.Spec("t1", "long")).ok());
  f.runner.RunPending();
  REQUIRE(f.runner.Cancel("t1").ok());
  f.runner.Stop();  // joins the stop in progress (the fake's Stop exits the container at once)
  // The exit was queued after the worker stopped; a started task is left to the next wharfd, not reported.
  CHECK(f.outcomes.finished.count("t1") == 0);
  {
    std::lock_guard lock(f.rt.mu);
    REQUIRE(f.rt.boxes.count(TaskContainerId("t1")) == 1);
    CHECK(f.rt.boxes[TaskContainerId("t1")].stops == std::vector<std::chrono::seconds>{std::chrono::seconds(7)});
  }
  CHECK(f.runner.Cancel("nope").code() == StatusCode::kNotFound);
}

TEST_CASE("A task cancelled before it started never gets a container") {
  Fixture f;
  REQUIRE(f.runner.Launch(f.Spec("t1", "x")).ok());
  REQUIRE(f.runner.Cancel("t1").ok());
  f.runner.RunPending();
  CHECK(f.outcomes.started.empty());
  CHECK(f.outcomes.finished["t1"].failure_reason == "task was cancelled");
  CHECK(f.rt.Ids().empty());
}

TEST_CASE("A task without a droplet to unpack fails with the reason, and so does one without a command") {
  Fixture f;
  TaskSpec s = f.Spec("t1", "x");
  s.droplet_guid = "missing";
  s.droplet_archive = f.dir.path() / "missing.tgz";
  REQUIRE(f.runner.Launch(s).ok());
  TaskSpec no_command = f.Spec("t2", "y");
  no_command.launch_argv.clear();
  REQUIRE(f.runner.Launch(no_command).ok());
  f.runner.RunPending();
  CHECK(f.outcomes.finished["t1"].failure_reason.find("unpacking droplet missing") != std::string::npos);
  CHECK(f.outcomes.finished["t2"].failure_reason.find("no command") != std::string::npos);
  CHECK(f.rt.Ids().empty());
}

TEST_CASE("Recover settles the task containers a previous wharfd left, and leaves instances alone") {
  Fixture f;
  runtime::ContainerInfo exited;
  exited.id = TaskContainerId("t1");
  exited.status = runtime::ContainerStatus::kStopped;
  exited.labels = {{"wharf.task", "t1"}};
  exited.exit = runtime::ExitInfo{};
  exited.exit->exit_code = 2;
  f.rt.Adopt(exited);
  runtime::ContainerInfo running;
  running.id = TaskContainerId("t2");
  running.status = runtime::ContainerStatus::kRunning;
  running.labels = {{"wharf.task", "t2"}};
  f.rt.Adopt(running);
  runtime::ContainerInfo instance;
  instance.id = "app1-web-0";
  instance.status = runtime::ContainerStatus::kRunning;
  instance.labels = {{"wharf.app", "app1"}};
  f.rt.Adopt(instance);

  f.runner.Recover();
  CHECK(f.outcomes.finished["t1"].failure_reason == "Exited with status 2");
  CHECK(f.outcomes.finished["t2"].failure_reason.find("wharfd restarted") != std::string::npos);
  CHECK(f.rt.Ids() == std::vector<std::string>{"app1-web-0"});
}

TEST_CASE("Outcomes read as Cloud Foundry's") {
  runtime::ExitInfo e;
  CHECK(OutcomeOf(e, false, 64).succeeded);
  e.exit_code = 143;
  e.signal = 15;
  CHECK(OutcomeOf(e, false, 64).failure_reason == "Exited with status 143 (signal 15)");
  CHECK(OutcomeOf(e, true, 64).failure_reason == "task was cancelled");
  e.error = "runc failed";
  CHECK(OutcomeOf(e, false, 64).failure_reason == "the task's container did not start: runc failed");
  CHECK_FALSE(OutcomeOf(e, false, 64).exit_status.has_value());
}

}  // namespace
}  // namespace wharf::cell
