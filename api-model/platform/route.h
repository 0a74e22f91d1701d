// Domains and routes (docs/api.md "Routes and domains").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct Domain {
  std::string guid;  // required
  std::string name;  // required
  bool shared = true;
  std::string created_at{};  // braced so {guid, name, shared} initializes without a warning
  bool internal = false;     // apps.internal: names for container-to-container traffic, not routed
  // TLS (a certificate; its private key is never in an answer): what plain HTTP gets, the
  // certificate's names (comma-separated) and end of validity. Absent from JSON without one.
  bool tls = false;
  std::string http{};
  std::string certificate_names{};
  std::string certificate_not_after{};
  static Result<Domain> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The domain as a route names it.
struct DomainRef {
  std::string guid;  // required
  std::string name;
  static Result<DomainRef> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Destination {
  std::string app_guid;  // required
  std::string app_name;
  std::string process_type = "web";
  static Result<Destination> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Route {
  std::string guid;  // required
  std::string host;  // "" is the domain itself
  std::string path;  // "" or "/..."
  DomainRef domain;
  std::string url;                              // "host.domain/path"
  std::string load_balancing = "round-robin";  // options.loadbalancing: or "least-connection", "hash"
  std::string hash_header;                      // options.hash_header (with hash), "" = none
  std::string hash_balance;                     // options.hash_balance (with hash, "1.25"), "" = none
  std::vector<Destination> destinations;
  std::string created_at;
  static Result<Route> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
