// The PostgreSQL broker's server side: one real PostgreSQL server (Debian's
// postgresql package) that Wharf initialises (initdb) and runs under
// `dir` as the `postgres` system user, listening on 127.0.0.1:<port> (chosen
// once and kept in postgresql.conf) and on a Unix socket in `dir`/run, which
// only postgres and root can reach and where the superuser is trusted.
//
// The server is initialised and started on first use (the first provision), or
// at Start when instances exist; it keeps running if wharfd dies and is adopted
// by the next Start.
//
// An instance is a database with its own owner role (NOLOGIN) and the plan's
// connection limit; CONNECT is revoked from PUBLIC, so no other instance's
// roles can open it. Each binding (and key) is a LOGIN role with its own random
// password, member of the owner role with `role` set to it (tables a binding
// creates belong to the instance, so every binding sees them). Unbinding ends
// the role's sessions, reassigns what it owns to the owner and drops it.
// Deprovision ends the database's sessions and drops it and the owner.
//
// Credentials, as Cloud Foundry's PostgreSQL brokers give them: uri, hostname,
// port, username, password, name (the database), database, jdbcUrl.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "services/builtin/broker_backend.h"
#include "services/builtin/process_runner.h"

namespace wharf::services::builtin {

struct PostgresOptions {
  std::filesystem::path dir;   // owned by postgres; data/, run/, server.log
  std::string host_for_apps;   // hostname in credentials (the address apps reach the server at)
  int host_port_for_apps = 0;  // port in credentials; 0: the server's port
  std::optional<gid_t> traverse_group;  // supplementary group to reach `dir` through the data folder
};

class PostgresBackend final : public BrokerBackend {
 public:
  // kUnavailable when Debian's postgresql or the postgres user is missing.
  static Result<std::unique_ptr<PostgresBackend>> Make(const PostgresOptions& options);
  ~PostgresBackend() override;

  const ServiceSpec& Service() const override { return spec_; }
  Status Start(const std::vector<nlohmann::json>& instances) override;
  void Stop() override;
  std::vector<int> ServerPorts() override { return started_ ? std::vector<int>{port_} : std::vector<int>{}; }
  Result<nlohmann::json> PrepareInstance(const PlanSpec& plan) override;
  Status CreateInstance(const nlohmann::json& instance) override;
  Status DestroyInstance(const nlohmann::json& instance) override;
  Result<nlohmann::json> PrepareBinding(const nlohmann::json& instance) override;
  Result<nlohmann::json> CreateBinding(const nlohmann::json& instance, const nlohmann::json& binding) override;
  Status DestroyBinding(const nlohmann::json& instance, const nlohmann::json& binding) override;

  int port() const { return port_; }
  // Runs SQL as the superuser in `database` (tests, the broker's own checks); rows as text.
  Result<std::vector<std::vector<std::string>>> Query(const std::string& database, const std::string& sql);

 private:
  explicit PostgresBackend(PostgresOptions options) : options_(std::move(options)) {}
  Status Initialise();
  Status EnsureStarted();  // initialises and starts the server on first use
  bool Running();

  PostgresOptions options_;
  ServiceSpec spec_;
  SystemUser user_;
  std::string bin_;  // /usr/lib/postgresql/<version>/bin
  int port_ = 0;
  bool started_ = false;
};

}  // namespace wharf::services::builtin
