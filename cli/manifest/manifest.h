// The Cloud Foundry app manifest (schema version 1) as wharf reads it.
//
// Every field that the manifest may leave out is optional here: "absent"
// means "keep what the server has (or its default)", which is how cf treats a
// re-push. Parsing validates everything it can without a server (types,
// ranges, names, route syntax) so that a push with a bad manifest fails
// before its first API call. Errors and warnings start with
// "FILE:LINE:COLUMN: ATTRIBUTE-PATH:" (1-based line and column).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/manifest/vars.h"
#include "common/facts/health_check_type.h"
#include "common/status.h"

namespace wharf::cli {

// Limits wharfd enforces (docs/api.md), checked locally so that a push
// with an out-of-range value fails before it changes anything.
inline constexpr std::int64_t kMaxInstances = 1000;
inline constexpr std::int64_t kMaxTimeoutSeconds = 180;  // startup and invocation timeouts

// A manifest's or --health-check-type's value: ParseHealthCheckType's names
// (common/facts/health_check_type.h), and cf's deprecated "none" = process, with
// `deprecated` set. Anything else is an error listing the valid types.
Result<HealthCheckType> ParseManifestHealthCheckType(std::string_view text, bool* deprecated = nullptr);

// The spec of one process type. Fields left empty are not changed.
struct ProcessSpec {
  std::string type = "web";
  std::optional<std::string> command;
  bool reset_command = false;  // `command: null` / `-c null`: back to the buildpack's default
  std::optional<std::int64_t> instances;
  std::optional<std::int64_t> memory_mb;
  std::optional<std::int64_t> disk_mb;
  std::optional<std::int64_t> log_rate_limit;  // log-rate-limit-per-second, bytes; -1 unlimited
  std::optional<HealthCheckType> health_check_type;
  std::optional<std::string> health_check_endpoint;
  std::optional<std::int64_t> health_check_invocation_timeout;  // seconds
  std::optional<std::int64_t> timeout;                          // startup timeout, seconds
  // readiness-health-check-*: traffic only while ready (never restarted for it).
  std::optional<HealthCheckType> readiness_type;
  std::optional<std::string> readiness_endpoint;
  std::optional<std::int64_t> readiness_invocation_timeout;  // seconds
  std::optional<std::int64_t> readiness_interval;            // seconds

  bool IsEmpty() const;
  // Copies every field that `other` sets over this one (not `type`).
  void OverlayWith(const ProcessSpec& other);
};

struct ServiceRef {
  std::string name;
  std::string binding_name;
};

// Wharf's extension `wharf-deployment:` of an app: how push deploys it when no --strategy flag is
// given, so the whole release is in version control. The values are as the flags take them
// (push checks them with the flags' rules, naming `location`).
struct DeploymentSpec {
  std::string strategy;                       // rolling | canary
  std::optional<std::string> max_in_flight;   // max-in-flight
  std::optional<std::string> instance_steps;  // instance-steps, "10,50"
  std::optional<std::string> canary_weights;  // canary-weights, "1,5,25"
  std::optional<std::string> analysis_interval;  // analysis-interval, seconds
  std::optional<std::string> analysis_probe_path;  // analysis-probe-path
  std::string location;                       // "manifest.yml:9:5: applications[0].wharf-deployment"
};

// One entry of `applications:`.
struct AppSpec {
  std::string name;
  std::string location;  // "manifest.yml:3:3" of the entry, empty for apps not from a manifest
  std::optional<std::filesystem::path> path;  // already resolved against the manifest's folder
  std::string path_location;                  // where `path` was written, for "not found" errors
  std::optional<std::vector<std::string>> buildpacks;  // an empty list means auto-detect
  std::optional<std::string> stack;
  std::vector<std::pair<std::string, std::string>> env;  // in manifest order
  std::vector<std::string> routes;  // "host.domain/path", validated syntax
  // A route's `options:` (loadbalancing, hash_header, hash_balance), by the route as written.
  std::map<std::string, std::map<std::string, std::string>> route_options;
  bool no_route = false;
  bool random_route = false;
  std::vector<ServiceRef> services;
  // Wharf's extension: `autoscaling-policy: FILE` (App Autoscaler's JSON), attached at push.
  std::optional<std::filesystem::path> autoscaling_policy;  // resolved against the manifest's folder
  std::string autoscaling_policy_location;                  // where it was written, for errors
  std::optional<DeploymentSpec> deployment;                 // Wharf's extension `wharf-deployment:`
  // Process specs, "web" first when present. Top-level instances, memory,
  // disk_quota, command, health-check-* and timeout are the web process's,
  // overlaid by a `processes:` entry of type web.
  std::vector<ProcessSpec> processes;

  ProcessSpec& Process(std::string_view type);  // finds or adds
};

struct Manifest {
  std::string file_name;  // as shown in messages
  std::vector<AppSpec> apps;
  std::vector<std::string> warnings;
};

// Parses manifest text. `file_name` is used in messages; relative `path:`
// values resolve against `base_dir`. All errors are reported together.
Result<Manifest> ParseManifest(std::string_view text, std::string file_name, const std::filesystem::path& base_dir,
                               const Variables& vars);

// Reads and parses a manifest file; relative paths resolve against its folder.
// Messages name it `display_name` (default: the path as given).
Result<Manifest> LoadManifest(const std::filesystem::path& file, const Variables& vars,
                              std::string display_name = "");

// Checks a route "host.domain[/path]": a domain name (lowercase labels), an
// optional path starting with '/'. No scheme, no port.
Status ValidateRouteSyntax(std::string_view route);

}  // namespace wharf::cli
