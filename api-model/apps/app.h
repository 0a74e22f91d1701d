// Apps, their processes and instances (docs/api.md "Apps", "Processes").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// {"buildpacks": [...], "stack": "debian12"}; no buildpacks: detect.
struct Lifecycle {
  std::vector<std::string> buildpacks;
  std::string stack;
  static Result<Lifecycle> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// A process as the app resource lists it.
struct ProcessSummary {
  std::string type;  // required
  std::int64_t instances = 0;
  std::int64_t memory_in_mb = 0;
  std::int64_t disk_in_mb = 0;
  static Result<ProcessSummary> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct App {
  std::string guid;   // required
  std::string name;   // required
  std::string state;  // required: "STARTED" or "STOPPED"
  std::string created_at;
  std::string updated_at;
  Lifecycle lifecycle;
  std::map<std::string, std::string> environment_variables;
  std::optional<std::string> current_droplet_guid;
  std::vector<ProcessSummary> processes;
  std::vector<std::string> routes;  // URLs of the routes mapped to it
  std::string space_guid;            // where it lives
  static Result<App> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// GET /v1/apps/:guid/env.
struct AppEnv {
  std::map<std::string, std::string> environment_variables;
  nlohmann::json system_env_json = nlohmann::json::object();       // {"VCAP_SERVICES": {...}}
  nlohmann::json application_env_json = nlohmann::json::object();  // {"VCAP_APPLICATION": {...}}
  static Result<AppEnv> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct HealthCheck {
  std::string type = "port";            // "port", "http", "process"
  std::optional<std::string> endpoint;  // the path of an http check
  std::int64_t invocation_timeout = 1;  // seconds
  std::int64_t timeout = 60;            // seconds to become healthy after a start
  static Result<HealthCheck> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct ReadinessCheck {
  std::string type = "process";         // "process" (ready while running), "port", "http"
  std::optional<std::string> endpoint;  // the path of an http check
  std::int64_t invocation_timeout = 1;  // seconds
  std::int64_t interval = 5;            // seconds between checks
  static Result<ReadinessCheck> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Process {
  std::string guid;  // required
  std::string app_guid;
  std::string type;  // required
  std::optional<std::string> command;  // null: the droplet's command for this type
  std::int64_t instances = 0;
  std::int64_t memory_in_mb = 0;
  std::int64_t disk_in_mb = 0;
  std::int64_t log_rate_limit_in_bytes_per_second = -1;  // -1: unlimited
  HealthCheck health_check;
  ReadinessCheck readiness_check;
  std::string created_at;
  std::string updated_at;
  static Result<Process> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// One item of GET /v1/processes/:guid/instances. A DOWN index has only index and
// state; ToJson writes the optional fields only when they are set.
// How an instance's start went: the container's create and start, then until its first passing
// health check (the app's start-up), in milliseconds.
struct InstanceStartup {
  std::int64_t container_ms = 0;
  std::optional<std::int64_t> healthy_after_ms;  // none while it starts
  static Result<InstanceStartup> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Instance {
  std::int64_t index = 0;  // required
  std::string state;       // required: STARTING, RUNNING, CRASHED or DOWN
  std::optional<std::string> since;
  std::optional<double> cpu;  // a fraction of one core
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint64_t> disk_bytes;
  std::optional<std::int64_t> uptime;  // seconds
  std::optional<std::int64_t> crash_count;
  std::optional<std::string> details;  // why it crashed
  std::optional<std::string> address;  // "host:port" the router uses
  bool outdated = false;               // started before the app's last start, restart or scale
  std::optional<InstanceStartup> startup;  // an instance this wharfd started (not one it adopted)
  static Result<Instance> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
