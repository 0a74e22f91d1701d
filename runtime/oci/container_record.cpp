#include "runtime/oci/container_record.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "common/file_io.h"

namespace wharf::runtime {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::system_clock;

long long ToMillis(system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}
system_clock::time_point FromMillis(long long ms) { return system_clock::time_point{milliseconds{ms}}; }

}  // namespace

std::string EncodeRecord(const ContainerRecord& r) {
  json j = {
      {"id", r.id},
      {"backend", r.backend},
      {"state_dir", r.state_dir.string()},
      {"started_at_ms", ToMillis(r.started_at)},
      {"ip", r.ip},
      {"port", r.port},
      {"host_network", r.host_network},
      {"limits",
       {{"memory_bytes", r.limits.memory_bytes},
        {"disk_bytes", r.limits.disk_bytes},
        {"pids", r.limits.pids},
        {"cpu_shares", r.limits.cpu_shares}}},
      {"cgroup", r.cgroup},
      {"writable_dir", r.writable_dir.string()},
      {"netns", r.netns},
      {"veth", r.veth},
      {"host_port", r.host_port},
      {"labels", r.labels},
      {"policy_groups", r.policy_groups},
  };
  return j.dump(2) + "\n";
}

Result<ContainerRecord> DecodeRecord(std::string_view text, const std::filesystem::path& source) {
  try {
    json j = json::parse(text);
    ContainerRecord r;
    r.id = j.at("id").get<std::string>();
    r.backend = j.at("backend").get<std::string>();
    r.state_dir = j.at("state_dir").get<std::string>();
    r.started_at = FromMillis(j.at("started_at_ms").get<long long>());
    r.ip = j.value("ip", "");
    r.port = j.value("port", 0);
    r.host_network = j.value("host_network", false);
    const json& l = j.at("limits");
    r.limits.memory_bytes = l.at("memory_bytes").get<std::uint64_t>();
    r.limits.disk_bytes = l.at("disk_bytes").get<std::uint64_t>();
    r.limits.pids = l.at("pids").get<std::uint32_t>();
    r.limits.cpu_shares = l.at("cpu_shares").get<std::uint32_t>();
    r.cgroup = j.value("cgroup", "");
    r.writable_dir = j.value("writable_dir", "");
    r.netns = j.value("netns", "");
    r.veth = j.value("veth", "");
    r.host_port = j.value("host_port", 0);
    if (j.contains("labels")) r.labels = j.at("labels").get<std::map<std::string, std::string>>();
    if (j.contains("policy_groups")) r.policy_groups = j.at("policy_groups").get<std::vector<std::string>>();
    return r;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(source.string() + ": bad container record: " + e.what());
  }
}

Result<ExitInfo> DecodeExit(std::string_view text, const std::filesystem::path& source) {
  try {
    json j = json::parse(text);
    ExitInfo e;
    e.exit_code = j.at("exit_code").get<int>();
    e.signal = j.value("signal", 0);
    e.oom_killed = j.value("oom_killed", false);
    e.exited_at = FromMillis(j.at("exited_at_ms").get<long long>());
    e.error = j.value("error", "");
    return e;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(source.string() + ": bad exit record: " + e.what());
  }
}

Result<ProcessStamp> ReadProcessStamp(const std::filesystem::path& file) {
  WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(file));
  std::istringstream in(text);
  ProcessStamp s;
  if (!(in >> s.pid >> s.start_time) || s.pid <= 0) {
    return Status::InvalidArgument(file.string() + ": want \"<pid> <starttime>\"");
  }
  return s;
}

std::string ProcessStartTime(int pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text.ok()) return "";
  auto close = text->rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream in(text->substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(in >> field)) return "";
  }
  return field;
}

bool IsAlive(const ProcessStamp& stamp) {
  return stamp.pid > 0 && ProcessStartTime(stamp.pid) == stamp.start_time;
}

}  // namespace wharf::runtime
