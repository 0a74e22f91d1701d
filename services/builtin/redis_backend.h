// The Redis broker's server side: one real redis-server (Debian's redis-server
// package) per instance, so one instance's credentials can never read another's
// keys. Each runs as the `redis` system user from its own folder
// `dir`/<instance>/ (redis.conf, users.acl, dump.rdb, appendonly files),
// listening on 127.0.0.1:<port> chosen at provision, with the plan's maxmemory
// (noeviction: writes fail rather than data vanish).
//
// Access is by ACL users (Redis >= 6): the default user is off; Wharf's admin
// user (a random password kept in the broker's records) runs ACL and SHUTDOWN;
// each binding (and key) is its own user with its own password, allowed every
// command but the @admin ones, and deleted on unbind (Redis ends its
// connections). Users are saved to users.acl, so they survive a restart.
//
// Credentials: uri (redis://user:password@host:port), hostname, port, username, password.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "services/builtin/broker_backend.h"
#include "services/builtin/process_runner.h"

namespace wharf::services::builtin {

struct RedisOptions {
  std::filesystem::path dir;   // one folder per instance under it
  std::string host_for_apps;   // hostname in credentials
  std::optional<gid_t> traverse_group;
};

class RedisBackend final : public BrokerBackend {
 public:
  // kUnavailable when redis-server or the redis user is missing.
  static Result<std::unique_ptr<RedisBackend>> Make(const RedisOptions& options);
  ~RedisBackend() override;

  const ServiceSpec& Service() const override { return spec_; }
  Status Start(const std::vector<nlohmann::json>& instances) override;
  void Stop() override;
  std::vector<int> ServerPorts() override;
  Result<nlohmann::json> PrepareInstance(const PlanSpec& plan) override;
  Status CreateInstance(const nlohmann::json& instance) override;
  Status DestroyInstance(const nlohmann::json& instance) override;
  Result<nlohmann::json> PrepareBinding(const nlohmann::json& instance) override;
  Result<nlohmann::json> CreateBinding(const nlohmann::json& instance, const nlohmann::json& binding) override;
  Status DestroyBinding(const nlohmann::json& instance, const nlohmann::json& binding) override;

 private:
  explicit RedisBackend(RedisOptions options) : options_(std::move(options)) {}
  Status StartServer(const nlohmann::json& instance);
  Status WaitReady(const nlohmann::json& instance);

  RedisOptions options_;
  ServiceSpec spec_;
  SystemUser user_;
  std::string server_;
  std::map<std::string, nlohmann::json> running_;  // by name: the servers this backend started or adopted
};

}  // namespace wharf::services::builtin
