// Packages, builds and droplets (docs/api.md "Packages and resource matching",
// "Builds and droplets").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// A content by digest, as POST /v1/resource_match takes and answers it.
struct Resource {
  std::string sha256;  // required
  std::int64_t size = 0;
  static Result<Resource> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The answer of POST /v1/resource_match: the contents the server lacks.
struct ResourceMatch {
  std::vector<Resource> missing;  // required
  static Result<ResourceMatch> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Package {
  std::string guid;  // required
  std::string app_guid;
  std::string state;   // "READY"
  std::string sha256;  // digest of the package manifest
  std::int64_t file_count = 0;
  std::int64_t size_bytes = 0;
  nlohmann::json source = nlohmann::json::object();  // {"type", "url"?, "ref"?, "commit"?}
  std::string created_at;
  static Result<Package> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// Where a staging's time went, in milliseconds (a build that staged; none for a reused droplet).
struct StagingSteps {
  std::int64_t prepare_ms = 0;     // buildpacks fetched, package materialized, cache restored
  std::int64_t buildpacks_ms = 0;  // the staging container: detect, supply, finalize / compile, release
  std::int64_t droplet_ms = 0;     // start command decided, droplet archived and stored
  std::int64_t cache_ms = 0;       // buildpack cache compared and stored
  static Result<StagingSteps> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Build {
  std::string guid;  // required
  std::string app_guid;
  std::string package_guid;
  std::string state;  // required: STAGING, STAGED or FAILED
  std::optional<std::string> error;
  std::optional<std::string> droplet_guid;
  std::string created_at;
  std::string updated_at;
  std::optional<StagingSteps> steps;
  static Result<Build> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// A buildpack that staged a droplet.
struct DropletBuildpack {
  std::string name;  // required
  std::string version;
  static Result<DropletBuildpack> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Droplet {
  std::string guid;  // required
  std::string app_guid;
  std::optional<std::string> package_guid;
  std::string state = "STAGED";
  std::string sha256;  // the droplet tarball
  std::int64_t size_bytes = 0;
  std::map<std::string, std::string> process_types;  // type -> start command
  std::vector<DropletBuildpack> buildpacks;
  std::string stack;
  std::string created_at;
  static Result<Droplet> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
