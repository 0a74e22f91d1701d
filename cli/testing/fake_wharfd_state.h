// The fake wharfd's in-memory state and its JSON endpoints (test-only; see
// fake_wharfd.h). Callers hold `mu` while calling any member.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <Poco/URI.h>
#include <nlohmann/json.hpp>

namespace wharf::cli::testing {

struct Reply {
  int status = 200;
  nlohmann::json body;
};

// One parsed request.
struct Call {
  std::string method;
  std::vector<std::string> p;  // path segments: {"v1", "apps", GUID, ...}
  Poco::URI uri;
  nlohmann::json body;
  std::string raw;  // the body as sent (archives)
};

Reply Error(int status, const std::string& code, const std::string& detail);

struct FakeState {
  mutable std::mutex mu;
  std::atomic<bool> stopping{false};
  std::string admin_token_file;
  bool builds_available = false;
  std::string build_error;
  std::vector<std::string> roles = {"api"};
  int page_cap = 5000;
  int next_id = 1;
  std::vector<std::string> requests;
  std::map<std::string, nlohmann::json> apps;                              // guid -> app (without routes)
  std::map<std::string, std::map<std::string, nlohmann::json>> processes;  // app guid -> type -> process
  std::map<std::string, nlohmann::json> instances;                         // process guid -> list
  std::vector<nlohmann::json> domains;
  std::vector<nlohmann::json> routes;
  std::set<std::string> blobs;
  int uploads = 0;
  std::vector<nlohmann::json> packages;
  std::map<std::string, nlohmann::json> builds;
  std::map<std::string, nlohmann::json> droplets;  // app guid -> current droplet
  std::map<std::string, std::vector<nlohmann::json>> logs;
  std::vector<nlohmann::json> events;
  std::vector<nlohmann::json> buildpacks;                 // in position order
  std::map<std::string, std::string> buildpack_uploads;  // name -> last uploaded bytes

  // GET /v1/info, /v1/whoami
  Reply Platform(const Call& c);
  // /v1/apps and everything under it
  Reply Apps(const Call& c);
  // /v1/processes/:guid/instances, /v1/resource_match, /v1/builds
  Reply ProcessesAndBuilds(const Call& c);
  // /v1/domains, /v1/routes, /v1/events
  Reply RoutesAndEvents(const Call& c);
  // /v1/buildpacks and everything under it
  Reply Buildpacks(const Call& c);

  std::string NewGuid(const std::string& kind);
  nlohmann::json AppView(const nlohmann::json& app) const;
  nlohmann::json NewProcess(const std::string& app_guid, const std::string& type);
  Reply Page(const std::vector<nlohmann::json>& all, const Poco::URI& uri) const;
  nlohmann::json* FindRoute(const std::string& guid);
  nlohmann::json* AppByGuid(const std::string& guid);
};

}  // namespace wharf::cli::testing
