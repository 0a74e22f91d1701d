#include "services/builtin/builtin_brokers.h"

#include <grp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "common/ids.h"
#include "services/builtin/broker_core.h"
#include "services/builtin/mariadb_backend.h"
#include "services/builtin/osb_server.h"
#include "services/builtin/postgres_backend.h"
#include "services/builtin/process_runner.h"
#include "services/builtin/redis_backend.h"
#include "services/builtin/server_dirs.h"

namespace wharf::services::builtin {

namespace fs = std::filesystem;
using nlohmann::json;

struct BuiltinBrokers::Running {
  std::unique_ptr<BrokerCore> core;
  std::unique_ptr<OsbServer> server;
  OsbServerOptions options;
};

BuiltinBrokers::BuiltinBrokers() = default;
BuiltinBrokers::~BuiltinBrokers() { Stop(); }

std::string BuiltinBrokerName(const std::string& service) { return service + "-builtin"; }

const std::vector<std::string>& KnownBuiltinServices() {
  static const std::vector<std::string> known = {"postgresql", "redis", "mysql"};
  return known;
}

bool IsBuiltinBrokerName(const std::string& name) {
  for (const std::string& service : KnownBuiltinServices()) {
    if (name == BuiltinBrokerName(service)) return true;
  }
  return false;
}

namespace {

// The broker's basic-auth credentials: made once, kept 0600.
Result<json> BrokerCredentials(const fs::path& file) {
  if (fs::exists(file)) {
    WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(file));
    json parsed = json::parse(text, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("username") && parsed.contains("password")) {
      return parsed;
    }
    return Status::Internal(file.string() + " is not valid broker credentials");
  }
  json made{{"username", "wharf-" + RandomHex(4)}, {"password", RandomHex(32)}};
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(file, made.dump() + "\n", 0600));
  return made;
}

}  // namespace

Result<std::unique_ptr<BuiltinBrokers>> BuiltinBrokers::Start(const BuiltinBrokersOptions& options) {
  std::unique_ptr<BuiltinBrokers> brokers(new BuiltinBrokers());
  if (options.services.empty()) return brokers;
  struct group* group = ::getgrnam(options.traverse_group.c_str());
  if (group == nullptr) {
    brokers->warnings_.push_back("no built-in service brokers: group '" + options.traverse_group +
                                 "' does not exist (scripts/setup.sh creates it: groupadd --system " +
                                 options.traverse_group + ")");
    return brokers;
  }
  const gid_t gid = group->gr_gid;
  // The folders above the servers' folder must let the servers' users through.
  for (fs::path up = fs::absolute(options.servers_dir).parent_path(); !up.empty(); up = up.parent_path()) {
    struct stat st {};
    if (::stat(up.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0 && !((st.st_mode & S_IXGRP) && st.st_gid == gid)) {
      brokers->warnings_.push_back("no built-in service brokers: " + up.string() +
                                   " lets no other user through (mode o+x needed for the postgres and redis users)");
      return brokers;
    }
    if (up == up.root_path()) break;
  }
  const fs::path services = options.servers_dir;
  const fs::path records = options.records_dir;
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(services, 0, gid, 0710));
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(records, 0, 0, 0700));

  for (const std::string& service : options.services) {
    std::unique_ptr<BrokerBackend> backend;
    if (service == "postgresql") {
      auto made = PostgresBackend::Make({services / "postgresql", options.host_for_apps, 0, gid});
      if (made.ok()) backend = std::move(made).value();
      else brokers->warnings_.push_back("no built-in postgresql broker: " + made.status().message());
    } else if (service == "redis") {
      auto made = RedisBackend::Make({services / "redis", options.host_for_apps, gid});
      if (made.ok()) backend = std::move(made).value();
      else brokers->warnings_.push_back("no built-in redis broker: " + made.status().message());
    } else if (service == "mysql") {
      auto made = MariadbBackend::Make({services / "mysql", options.host_for_apps, gid});
      if (made.ok()) backend = std::move(made).value();
      else brokers->warnings_.push_back("no built-in mysql broker: " + made.status().message());
    } else {
      return Status::InvalidArgument("unknown built-in service '" + service + "' (postgresql, redis, mysql)");
    }
    if (!backend) continue;
    auto running = std::make_unique<Running>();
    auto core = BrokerCore::Open(std::move(backend), records / (service + ".json"));
    if (!core.ok()) return core.status().WithContext("starting the built-in " + service + " broker");
    running->core = std::move(core).value();
    WHARF_ASSIGN_OR_RETURN(auto credentials, BrokerCredentials(records / (service + "-credentials.json")));
    running->options.username = credentials["username"].get<std::string>();
    running->options.password = credentials["password"].get<std::string>();
    auto server = OsbServer::Start(*running->core, running->options);
    if (!server.ok()) return server.status();
    running->server = std::move(server).value();
    brokers->endpoints_.push_back(
        {BuiltinBrokerName(service), running->server->url(), running->options.username, running->options.password});
    brokers->running_.push_back(std::move(running));
  }
  return brokers;
}

std::vector<int> BuiltinBrokers::ServerPorts() const {
  std::vector<int> ports;
  for (const auto& r : running_) {
    for (int port : r->core->ServerPorts()) ports.push_back(port);
  }
  return ports;
}

void BuiltinBrokers::Stop() {
  for (auto& r : running_) {
    if (r->server) r->server->Stop();
  }
  for (auto& r : running_) {
    if (r->core) r->core->Stop();
  }
}

}  // namespace wharf::services::builtin
