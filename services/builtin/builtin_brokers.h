// Wharf's built-in brokers, as wharfd runs them: for each service (PostgreSQL,
// Redis) a BrokerCore over its backend and an OsbServer on 127.0.0.1, with
// credentials generated once and kept in `data_root`/services/brokers/
// (mode 0600, like the brokers' records; never logged).
//
// The servers' folders live under `data_root`/services/ and belong to the
// servers' system users; so that those users can reach them, `data_root` and
// `data_root`/services are opened to mode 0710 for the group
// `traverse_group` (setup.sh creates it; no user is a member: only the servers
// started by Wharf carry it as a supplementary group). A service whose server
// is not installed is skipped with a warning; the others still start. Without
// the group, or when a folder above `data_root` lets no other user through,
// none starts (a warning says why) and wharfd runs on without them.
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
  std::filesystem::path data_root;
  std::string host_for_apps = "127.0.0.1";  // the hostname in credentials
  std::string traverse_group = "wharf-services";
  std::vector<std::string> services = {"postgresql", "redis"};
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

// The broker names Wharf registers its built-in brokers under.
std::string BuiltinBrokerName(const std::string& service);
bool IsBuiltinBrokerName(const std::string& broker_name);

}  // namespace wharf::services::builtin
