// The MySQL broker's server side: one real MariaDB server (Debian's
// mariadb-server package) that Wharf initialises (mariadb-install-db) and runs
// under `dir` as the `mysql` system user, listening on 127.0.0.1:<port> (chosen
// once, kept in `dir`/wharf-port) and on a Unix socket in the short socket
// folder (server_dirs.h), where root logs in as MariaDB's root (unix_socket
// authentication; no password exists).
//
// The server is initialised and started on first use (the first provision), or
// at Start when instances exist; it is detached (start-stop-daemon), keeps
// running if wharfd dies and is adopted by the next Start; Stop shuts it down
// cleanly (SHUTDOWN).
//
// An instance is a database. Each binding (and key) is its own user
// ('name'@'%', random password) with every privilege on that database only and
// the plan's connection limit (MAX_USER_CONNECTIONS); tables belong to the
// database, so every binding sees them, and no other instance's users can open
// it. Unbinding kills the user's sessions and drops it; deprovision drops the
// database and every user still granted on it.
//
// Credentials, as Cloud Foundry's MySQL brokers give them: uri, hostname, port,
// username, password, name (the database), database, jdbcUrl.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "services/builtin/broker_backend.h"
#include "services/builtin/process_runner.h"

namespace wharf::services::builtin {

struct MariadbOptions {
  std::filesystem::path dir;   // owned by mysql; data/, server.log, wharf-port, mariadbd.pid
  std::string host_for_apps;   // hostname in credentials
  std::optional<gid_t> traverse_group;
};

class MariadbBackend final : public BrokerBackend {
 public:
  // kUnavailable when Debian's mariadb-server or the mysql user is missing.
  static Result<std::unique_ptr<MariadbBackend>> Make(const MariadbOptions& options);
  ~MariadbBackend() override;

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
  // Runs SQL as MariaDB's root over the socket (tests, the broker's own work); rows as text
  // (NULL as ""). Errors never quote the statement (it may carry a password).
  Result<std::vector<std::vector<std::string>>> Query(const std::string& sql);

 private:
  explicit MariadbBackend(MariadbOptions options) : options_(std::move(options)) {}
  Status Initialise();
  Status EnsureStarted();  // initialises and starts the server on first use
  std::filesystem::path Socket() const;
  std::filesystem::path TmpDir() const;

  MariadbOptions options_;
  ServiceSpec spec_;
  SystemUser user_;
  std::string server_, install_db_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace wharf::services::builtin
