#include "services/builtin/redis_backend.h"

#include <signal.h>

#include <thread>

#include "common/file_io.h"
#include "common/ids.h"
#include "services/builtin/resp_client.h"
#include "services/builtin/server_dirs.h"

namespace wharf::services::builtin {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kAdmin = "wharf-admin";

std::string Str(const json& j, const char* key) { return j.at(key).get<std::string>(); }

RespTarget AdminOf(const json& instance) {
  RespTarget t;
  t.port = instance.at("port").get<int>();
  t.username = kAdmin;
  t.password = Str(instance, "admin_password");
  return t;
}

}  // namespace

Result<std::unique_ptr<RedisBackend>> RedisBackend::Make(const RedisOptions& options) {
  std::unique_ptr<RedisBackend> b(new RedisBackend(options));
  WHARF_ASSIGN_OR_RETURN(b->server_, FindExecutable({"/usr/bin/redis-server"}, "redis-server"));
  WHARF_ASSIGN_OR_RETURN(b->user_, LookupSystemUser("redis", "redis-server"));
  b->spec_ = ServiceSpec{"7a1c0c5e-2b8d-4a47-8f6e-3c9d1e2f4b01",
                         "redis",
                         "Redis servers Wharf runs, one per instance (ACL user per binding)",
                         {"redis", "key-value", "cache"},
                         {{"7a1c0c5e-2b8d-4a47-8f6e-3c9d1e2f4b11", "small", "a Redis server with 64 MiB of memory", 64},
                          {"7a1c0c5e-2b8d-4a47-8f6e-3c9d1e2f4b12", "medium", "a Redis server with 256 MiB of memory", 256}}};
  return b;
}

RedisBackend::~RedisBackend() { Stop(); }

Status RedisBackend::WaitReady(const json& instance) {
  Status last = Status::Unavailable("not started");
  for (int i = 0; i < 200; ++i) {
    auto pong = RespCall(AdminOf(instance), {{"PING"}});
    if (pong.ok()) return Status::Ok();
    last = pong.status();
    if (last.code() == StatusCode::kUnauthenticated) break;  // another server holds the port
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last.WithContext("redis instance " + Str(instance, "name") + " did not become ready");
}

Status RedisBackend::StartServer(const json& instance) {
  const fs::path home = options_.dir / Str(instance, "name");
  WHARF_RETURN_IF_ERROR(RunAsChecked({server_, (home / "redis.conf").string()}, user_, options_.traverse_group,
                                     std::chrono::seconds(30)));
  WHARF_RETURN_IF_ERROR(WaitReady(instance));
  running_[Str(instance, "name")] = instance;
  return Status::Ok();
}

Status RedisBackend::Start(const std::vector<json>& instances) {
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(options_.dir, user_.uid, user_.gid, 0700));
  for (const auto& instance : instances) {
    if (RespCall(AdminOf(instance), {{"PING"}}).ok()) {
      running_[Str(instance, "name")] = instance;  // still running from before wharfd restarted
      continue;
    }
    WHARF_RETURN_IF_ERROR(StartServer(instance));
  }
  return Status::Ok();
}

void RedisBackend::Stop() {
  for (const auto& [name, instance] : running_) {
    (void)RespCall(AdminOf(instance), {{"SHUTDOWN", "SAVE"}});  // it closes the connection: no reply
    for (int i = 0; i < 100 && RespCall(AdminOf(instance), {{"PING"}}).ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  running_.clear();
}

std::vector<int> RedisBackend::ServerPorts() {
  std::vector<int> ports;
  for (const auto& [name, instance] : running_) ports.push_back(instance.at("port").get<int>());
  return ports;
}

Result<json> RedisBackend::PrepareInstance(const PlanSpec& plan) {
  WHARF_ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
  return json{{"name", "r" + RandomHex(6)}, {"port", port}, {"admin_password", RandomHex(24)}, {"maxmemory_mb", plan.limit}};
}

Status RedisBackend::CreateInstance(const json& instance) {
  const fs::path home = options_.dir / Str(instance, "name");
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(home, user_.uid, user_.gid, 0700));
  const std::string conf = "# Written by Wharf's Redis broker\nbind 127.0.0.1\nport " +
                           std::to_string(instance.at("port").get<int>()) +
                           "\nprotected-mode no\ndaemonize yes\npidfile " + (home / "redis.pid").string() + "\nlogfile " +
                           (home / "redis.log").string() + "\ndir " + home.string() +
                           "\ndbfilename dump.rdb\nappendonly yes\nsave 60 1\nmaxmemory " +
                           std::to_string(instance.at("maxmemory_mb").get<int>()) +
                           "mb\nmaxmemory-policy noeviction\naclfile " + (home / "users.acl").string() + "\n";
  WHARF_RETURN_IF_ERROR(WriteOwnedFile(home / "redis.conf", conf, user_.uid, user_.gid, 0600));
  const std::string acl = "user default off\nuser " + std::string(kAdmin) + " on >" + Str(instance, "admin_password") +
                          " ~* &* +@all\n";
  WHARF_RETURN_IF_ERROR(WriteOwnedFile(home / "users.acl", acl, user_.uid, user_.gid, 0600));
  return StartServer(instance);
}

Status RedisBackend::DestroyInstance(const json& instance) {
  const std::string name = Str(instance, "name");
  const fs::path home = options_.dir / name;
  if (RespCall(AdminOf(instance), {{"PING"}}).ok()) {
    (void)RespCall(AdminOf(instance), {{"SHUTDOWN", "NOSAVE"}});
  } else if (auto pid = ReadFile(home / "redis.pid"); pid.ok() && std::atol(pid->c_str()) > 1) {
    // Not answering its admin (half-made): end it by its pid file, if it is still a redis-server.
    const long p = std::atol(pid->c_str());
    auto exe = ReadFile("/proc/" + std::to_string(p) + "/comm");
    if (exe.ok() && exe->rfind("redis-server", 0) == 0) ::kill(static_cast<pid_t>(p), SIGKILL);
  }
  for (int i = 0; i < 100 && RespCall(AdminOf(instance), {{"PING"}}).ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  running_.erase(name);
  std::error_code ec;
  fs::remove_all(home, ec);
  if (ec) return Status::Internal("cannot remove " + home.string() + ": " + ec.message());
  return Status::Ok();
}

Result<json> RedisBackend::PrepareBinding(const json&) {
  return json{{"username", "b" + RandomHex(6)}, {"password", RandomHex(24)}};
}

Result<json> RedisBackend::CreateBinding(const json& instance, const json& binding) {
  const std::string user = Str(binding, "username"), password = Str(binding, "password");
  WHARF_ASSIGN_OR_RETURN(auto done, RespCall(AdminOf(instance),
                       {{"ACL", "SETUSER", user, "reset", "on", ">" + password, "~*", "&*", "+@all", "-@admin"}, {"ACL", "SAVE"}}));
  const std::string host = options_.host_for_apps;
  const int port = instance.at("port").get<int>();
  return json{{"uri", "redis://" + user + ":" + password + "@" + host + ":" + std::to_string(port)},
              {"hostname", host},
              {"host", host},
              {"port", port},
              {"username", user},
              {"password", password}};
}

Status RedisBackend::DestroyBinding(const json& instance, const json& binding) {
  if (!fs::exists(options_.dir / Str(instance, "name"))) return Status::Ok();
  // ACL DELUSER also ends the user's open connections.
  return RespCall(AdminOf(instance), {{"ACL", "DELUSER", Str(binding, "username")}, {"ACL", "SAVE"}}).status();
}

}  // namespace wharf::services::builtin
