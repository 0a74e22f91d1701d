#include "runtime/testing/fake_container_runtime.h"

namespace wharf::runtime::testing {

Result<ContainerInfo> FakeContainerRuntime::Start(const ContainerSpec& spec) {
  std::lock_guard<std::mutex> l(mu);
  if (fail_starts) return Status::Unavailable("no room");
  Box b;
  b.info.id = spec.id;
  b.info.status = ContainerStatus::kRunning;
  b.info.ip = "10.244.0." + std::to_string(++started + 1);
  b.info.port = 8080;
  b.info.labels = spec.labels;
  b.spec = spec;
  boxes[spec.id] = b;
  return b.info;
}

void FakeContainerRuntime::Exit(const std::string& id, int code, bool oom) {
  std::vector<std::function<void(const ExitInfo&)>> w;
  ExitInfo e;
  {
    std::lock_guard<std::mutex> l(mu);
    auto& b = boxes.at(id);
    if (b.info.exit) return;
    e.exit_code = code;
    e.oom_killed = oom;
    b.info.exit = e;
    b.info.status = ContainerStatus::kStopped;
    w.swap(b.watchers);
  }
  for (auto& f : w) f(e);
}

Status FakeContainerRuntime::Stop(std::string_view id, std::chrono::seconds grace) {
  {
    std::lock_guard<std::mutex> l(mu);
    auto it = boxes.find(std::string(id));
    if (it == boxes.end()) return Status::NotFound("no");
    it->second.stops.push_back(grace);
  }
  Exit(std::string(id), 143);
  return Status::Ok();
}

Status FakeContainerRuntime::Destroy(std::string_view id) {
  std::lock_guard<std::mutex> l(mu);
  return boxes.erase(std::string(id)) ? Status::Ok() : Status::NotFound("no");
}

Result<ContainerInfo> FakeContainerRuntime::Inspect(std::string_view id) {
  std::lock_guard<std::mutex> l(mu);
  auto it = boxes.find(std::string(id));
  if (it == boxes.end()) return Status::NotFound("no");
  return it->second.info;
}

Result<std::vector<ContainerInfo>> FakeContainerRuntime::List() {
  std::lock_guard<std::mutex> l(mu);
  std::vector<ContainerInfo> out;
  for (auto& [id, b] : boxes) out.push_back(b.info);
  return out;
}

Result<ContainerStats> FakeContainerRuntime::Stats(std::string_view) {
  std::lock_guard<std::mutex> l(mu);
  ContainerStats s;
  s.disk_bytes = disk_used;
  s.disk_limit = 1024ull << 20;
  return s;
}

void FakeContainerRuntime::Watch(std::string_view id, std::function<void(const ExitInfo&)> on_exit) {
  std::unique_lock<std::mutex> l(mu);
  auto& b = boxes.at(std::string(id));
  if (b.info.exit) {
    auto e = *b.info.exit;
    l.unlock();
    on_exit(e);
    return;
  }
  b.watchers.push_back(std::move(on_exit));
}

void FakeContainerRuntime::Adopt(ContainerInfo info) {
  std::lock_guard<std::mutex> l(mu);
  Box b;
  b.info = std::move(info);
  boxes[b.info.id] = std::move(b);
}

std::vector<std::string> FakeContainerRuntime::Ids() {
  std::lock_guard<std::mutex> l(mu);
  std::vector<std::string> out;
  for (auto& [id, b] : boxes)
    if (!b.info.exit) out.push_back(id);
  return out;
}

Result<ContainerSpec> FakeContainerRuntime::SpecOf(const std::string& id) {
  std::lock_guard<std::mutex> l(mu);
  auto it = boxes.find(id);
  if (it == boxes.end()) return Status::NotFound("no container " + id);
  return it->second.spec;
}

}  // namespace wharf::runtime::testing
