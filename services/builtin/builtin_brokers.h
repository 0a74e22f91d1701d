// Wharf's built-in brokers, as wharfd runs them: for each service (PostgreSQL,
// Redis, MySQL on MariaDB) a BrokerCore over its backend and an OsbServer on 127.0.0.1, with
// credentials generated once and kept in `records_dir` (root, mode 0700; the
// files 0600, like the brokers' records; never logged).
//
// The servers' folders live under `servers_dir`, which must NOT be inside
// wharfd's data folder: that stays 0700 root, so a server's user can reach
// neither wharf.db nor the blobs and droplets. `servers_dir` is made 0710
// root:`traverse_group` (setup.sh creates the group; no user is a member: only
// the servers started by Wharf carry it as a supplementary group), and each
// server's own folder in it is 0700 and belongs to that server's user. A
// service whose server is not installed is skipped with a warning; the others
// still start. Without the group, or when a folder above `servers_dir` lets no
// other user through, none starts (a warning says why) and wharfd runs on
// without them.
//
// Stop order: HTTP servers (no new requests), then the database servers, cleanly.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::services::builtin {

struct BuiltinBrokersOptions {
  std::filesystem::path records_dir;  // root-only: the brokers' records and basic-auth credentials
  std::filesystem::path servers_dir;  // the servers' data, outside wharfd's data folder
  std::string host_for_apps = "127.0.0.1";  // the hostname in credentials
  std::string traverse_group = "wharf-services";
  std::vector<std::string> services = {"postgresql", "redis", "mysql"};
};

struct BuiltinBrokerEndpoint {
  std::string name;  // the broker's name in Wharf: "<service>-builtin"
  std::string url;
  std::string username;
  std::string password;
};

class BuiltinBrokers {
 public:
  static Result<std::unique_ptr<BuiltinBrokers>> Start(const BuiltinBrokersOptions& options);
  ~BuiltinBrokers();
  void Stop();  // idempotent

  const std::vector<BuiltinBrokerEndpoint>& Endpoints() const { return endpoints_; }
  const std::vector<std::string>& Warnings() const { return warnings_; }
  // Every 127.0.0.1 port the built-in servers listen on now (thread-safe).
  std::vector<int> ServerPorts() const;

 private:
  struct Running;
  BuiltinBrokers();
  std::vector<std::unique_ptr<Running>> running_;
  std::vector<BuiltinBrokerEndpoint> endpoints_;
  std::vector<std::string> warnings_;
};

// The services Wharf has a built-in broker for: postgresql, redis, mysql.
const std::vector<std::string>& KnownBuiltinServices();
// The broker names Wharf registers its built-in brokers under.
std::string BuiltinBrokerName(const std::string& service);
bool IsBuiltinBrokerName(const std::string& broker_name);

}  // namespace wharf::services::builtin
