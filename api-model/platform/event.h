// Audit events and app log lines (docs/api.md "Events and logs").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct EventTarget {
  std::string type;  // "app", "route", "buildpack", ...
  std::string guid;
  std::string name;
  static Result<EventTarget> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Event {
  std::string guid;  // required
  std::string type;  // required: "app-created", ...
  std::string actor;
  EventTarget target;
  nlohmann::json data = nlohmann::json::object();
  std::string created_at;
  static Result<Event> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// One line of an app's log: GET /v1/apps/:guid/logs and its stream.
struct LogLine {
  std::string timestamp;
  std::string source;  // "APP/PROC/WEB/0", "STG/0", "RTR/0", "API/0"
  std::string stream;  // "OUT" or "ERR"
  std::string message;  // required
  static Result<LogLine> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// GET /v1/apps/:guid/logs?recent=true: {"lines": [...]}, oldest first.
struct RecentLogs {
  std::vector<LogLine> lines;  // required
  static Result<RecentLogs> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
