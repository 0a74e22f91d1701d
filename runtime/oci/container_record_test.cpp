#include "runtime/oci/container_record.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "runtime/oci/monitored_runtime.h"

namespace wharf::runtime {

TEST_CASE("A container record survives encoding and decoding") {
  ContainerRecord r;
  r.id = "web-0-abc";
  r.backend = "runc";
  r.state_dir = "/data/runtime/containers/web-0-abc";
  r.started_at = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'800'000'000'123}};
  r.ip = "10.244.0.7";
  r.port = 8080;
  r.limits.memory_bytes = 256ull << 20;
  r.limits.pids = 512;
  r.cgroup = "/wharf/web-0-abc";
  r.netns = "/data/runtime/containers/web-0-abc/netns";
  r.veth = "whv0-7";
  r.labels = {{"app", "a1"}, {"index", "2"}};
  auto back = DecodeRecord(EncodeRecord(r), "container.json");
  REQUIRE(back.ok());
  CHECK(back->id == r.id);
  CHECK(back->backend == "runc");
  CHECK(back->started_at == r.started_at);
  CHECK(back->ip == "10.244.0.7");
  CHECK(back->port == 8080);
  CHECK(back->limits.memory_bytes == 256ull << 20);
  CHECK(back->limits.pids == 512);
  CHECK(back->cgroup == "/wharf/web-0-abc");
  CHECK(back->veth == "whv0-7");
  CHECK(back->labels == r.labels);
}

TEST_CASE("A malformed container record is refused with its file name") {
  auto r = DecodeRecord("{\"id\": 3}", "/x/container.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("/x/container.json") != std::string::npos);
}

TEST_CASE("The monitor's exit record decodes, including OOM and errors") {
  auto e = DecodeExit(R"({"exit_code":137,"signal":9,"oom_killed":true,"exited_at_ms":5000,"error":"a\nb"})", "exit.json");
  REQUIRE(e.ok());
  CHECK(e->exit_code == 137);
  CHECK(e->signal == 9);
  CHECK(e->oom_killed);
  CHECK(e->exited_at == std::chrono::system_clock::time_point{std::chrono::milliseconds{5000}});
  CHECK(e->error == "a\nb");
}

TEST_CASE("A process stamp names this very process and not a reused pid") {
  ProcessStamp self{static_cast<int>(::getpid()), ProcessStartTime(::getpid())};
  CHECK_FALSE(self.start_time.empty());
  CHECK(IsAlive(self));
  ProcessStamp other = self;
  other.start_time = "1";
  CHECK_FALSE(IsAlive(other));
}

TEST_CASE("Container ids are lowercase letters, digits and dashes") {
  CHECK(ValidateContainerId("web-0-1a2b").ok());
  CHECK_FALSE(ValidateContainerId("").ok());
  CHECK_FALSE(ValidateContainerId("Web").ok());
  CHECK_FALSE(ValidateContainerId("../x").ok());
  CHECK_FALSE(ValidateContainerId(std::string(65, 'a')).ok());
}

}  // namespace wharf::runtime
