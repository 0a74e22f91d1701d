#include "cli/manifest/manifest_sections.h"

#include "common/facts/names.h"

namespace wharf::cli {
namespace {

// Attributes cf knows but wharf does not implement: read past with a warning.
const std::map<std::string, std::string, std::less<>> kUnsupported = {
    {"docker", "docker images are not supported by wharf; ignored"},
    {"sidecars", "sidecars are not supported by wharf yet; ignored"},
    {"metadata", "metadata is not supported by wharf yet; ignored"},
    {"features", "app features are not supported by wharf yet; ignored"},
    {"lifecycle", "wharf always uses the buildpack lifecycle; ignored"},
    {"log-rate-limit-per-second", "log rate limits are not supported by wharf yet; ignored"},
    {"health-check-interval", "health-check-interval is not supported by wharf yet; ignored"},
    {"default-route", "default-route is deprecated; wharf maps a default route unless no-route is set; ignored"},
};

// Attributes cf removed: an error, since silently dropping a route is worse.
const std::map<std::string, std::string, std::less<>> kRemoved = {
    {"host", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"hosts", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"domain", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"domains", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"no-hostname", "is no longer supported; use routes: [{route: DOMAIN}]"},
    {"inherit", "is no longer supported; use YAML anchors or ((variables))"},
};

Status ValidateProcessType(std::string_view type) {
  if (type.empty() || type.size() > 63) return Status::InvalidArgument("process type must have 1 to 63 characters");
  for (char c : type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument("process type '" + std::string(type) +
                                     "' may contain only lowercase letters, digits, '-' and '_'");
    }
  }
  return Status::Ok();
}

}  // namespace

const AttributeNotes& UnsupportedAppAttributes() { return kUnsupported; }
const AttributeNotes& RemovedAppAttributes() { return kRemoved; }

bool ReadProcessAttribute(YamlReader& r, ProcessSpec& spec, const std::string& key, const YAML::Node& value,
                          const std::string& path) {
  if (key == "command") {
    if (value.IsNull()) {
      spec.reset_command = true;
    } else if (auto s = r.String(value, path)) {
      if (*s == "null" || *s == "default") {
        spec.reset_command = true;
      } else if (s->empty()) {
        r.Error(value, path, "must not be empty (use null for the buildpack's default command)");
      } else {
        spec.command = *s;
      }
    }
  } else if (key == "instances") {
    spec.instances = r.Integer(value, path, 0, kMaxInstances);
  } else if (key == "memory") {
    spec.memory_mb = r.Megabytes(value, path);
  } else if (key == "disk_quota") {
    spec.disk_mb = r.Megabytes(value, path);
  } else if (key == "log-rate-limit-per-second") {
    spec.log_rate_limit = r.LogRateLimit(value, path);
  } else if (key == "health-check-type") {
    if (auto s = r.String(value, path)) {
      bool deprecated = false;
      Result<HealthCheckType> t = ParseManifestHealthCheckType(*s, &deprecated);
      if (!t.ok()) {
        r.Error(value, path, t.status().message());
      } else {
        spec.health_check_type = *t;
        if (deprecated) r.Warn(value, path, "'none' is deprecated; use 'process'");
      }
    }
  } else if (key == "health-check-http-endpoint") {
    if (auto s = r.String(value, path)) {
      if (s->empty() || (*s)[0] != '/') {
        r.Error(value, path, "must be a path starting with '/', not '" + *s + "'");
      } else {
        spec.health_check_endpoint = *s;
      }
    }
  } else if (key == "health-check-invocation-timeout") {
    spec.health_check_invocation_timeout = r.Integer(value, path, 1, kMaxTimeoutSeconds);
  } else if (key == "timeout") {
    spec.timeout = r.Integer(value, path, 1, kMaxTimeoutSeconds);
  } else if (key == "readiness-health-check-type") {
    if (auto s = r.String(value, path)) {
      Result<HealthCheckType> t = ParseHealthCheckType(*s);
      if (!t.ok()) {
        r.Error(value, path, t.status().message());
      } else {
        spec.readiness_type = *t;
      }
    }
  } else if (key == "readiness-health-check-http-endpoint") {
    if (auto s = r.String(value, path)) {
      if (s->empty() || (*s)[0] != '/') {
        r.Error(value, path, "must be a path starting with '/', not '" + *s + "'");
      } else {
        spec.readiness_endpoint = *s;
      }
    }
  } else if (key == "readiness-health-check-invocation-timeout") {
    spec.readiness_invocation_timeout = r.Integer(value, path, 1, kMaxTimeoutSeconds);
  } else if (key == "readiness-health-check-interval") {
    spec.readiness_interval = r.Integer(value, path, 1, 3600);
  } else {
    return false;
  }
  return true;
}

bool IsProcessAttribute(std::string_view key) {
  static const std::set<std::string, std::less<>> kKeys = {
      "command", "instances", "memory", "disk_quota", "log-rate-limit-per-second", "health-check-type",
      "health-check-http-endpoint",
      "health-check-invocation-timeout", "timeout", "readiness-health-check-type",
      "readiness-health-check-http-endpoint", "readiness-health-check-invocation-timeout",
      "readiness-health-check-interval"};
  return kKeys.contains(key);
}

void ReadEnv(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app) {
  if (value.IsNull()) return;
  if (!value.IsMap()) {
    r.Error(value, path, "must be a map of NAME: VALUE, not " + std::string(DescribeNode(value)));
    return;
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
    std::string field = path + "." + name;
    Status s = ValidateEnvName(name);
    if (!s.ok()) {
      r.Error(it->first, path, s.message());
      continue;
    }
    if (!it->second.IsScalar()) {
      r.Error(it->second, field, "must be a string, number or boolean, not " + std::string(DescribeNode(it->second)));
      continue;
    }
    app.env.emplace_back(name, it->second.Scalar());
  }
}

namespace {

// Cloud Foundry's per-route options: loadbalancing (round-robin, least-connection, hash) and,
// with hash, hash_header (required) and hash_balance (a number). wharfd checks the ranges.
void ReadRouteOptions(YamlReader& r, const YAML::Node& value, const std::string& path,
                      std::map<std::string, std::string>& out) {
  if (!value.IsMap()) {
    r.Error(value, path, "must be a map like {loadbalancing: least-connection}, not " + std::string(DescribeNode(value)));
    return;
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    std::string field = path + "." + key;
    if (key != "loadbalancing" && key != "hash_header" && key != "hash_balance") {
      r.Error(it->first, field, "unknown route option (known: loadbalancing, hash_header, hash_balance)");
      continue;
    }
    std::optional<std::string> v = r.String(it->second, field);
    if (!v) continue;
    if (key == "loadbalancing" && *v != "round-robin" && *v != "least-connection" && *v != "hash") {
      r.Error(it->second, field, "'" + *v + "' is not round-robin, least-connection or hash");
      continue;
    }
    out[key] = *v;
  }
  auto lb = out.find("loadbalancing");
  bool hash = lb != out.end() && lb->second == "hash";
  if (hash && !out.count("hash_header")) r.Error(value, path, "loadbalancing hash needs a hash_header");
  if (!hash && (out.count("hash_header") || out.count("hash_balance"))) {
    r.Error(value, path, "hash_header and hash_balance need loadbalancing: hash");
  }
}

}  // namespace

void ReadRoutes(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app) {
  if (!value.IsSequence()) {
    r.Error(value, path, "must be a list of {route: HOST.DOMAIN[/PATH]}, not " + std::string(DescribeNode(value)));
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node& entry = value[i];
    std::string field = path + "[" + std::to_string(i) + "]";
    if (!entry.IsMap()) {
      r.Error(entry, field, "must be a map like {route: HOST.DOMAIN}, not " + std::string(DescribeNode(entry)));
      continue;
    }
    std::optional<std::string> route;
    YAML::Node route_node;
    bool has_route = false;
    std::map<std::string, std::string> options;
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (key == "route") {
        route_node = it->second;
        has_route = true;
        route = r.String(it->second, field + ".route");
      } else if (key == "protocol") {
        std::optional<std::string> p = r.String(it->second, field + ".protocol");
        if (p && *p == "tcp") {
          r.Error(it->second, field + ".protocol", "tcp routes are not supported by wharf");
        } else if (p && *p != "http1") {
          r.Warn(it->second, field + ".protocol", "only http1 is supported; '" + *p + "' is ignored");
        }
      } else if (key == "options") {
        ReadRouteOptions(r, it->second, field + ".options", options);
      } else {
        r.Warn(it->first, field + "." + key, "unknown attribute; ignored");
      }
    }
    if (!has_route) {
      r.Error(entry, field, "has no 'route'");
    } else if (route) {
      Status s = ValidateRouteSyntax(*route);
      if (!s.ok()) {
        r.Error(route_node, field + ".route", s.message());
      } else {
        app.routes.push_back(*route);
        if (!options.empty()) app.route_options[*route] = options;
      }
    }
  }
}

void ReadDeployment(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app) {
  if (!value.IsMap()) {
    r.Error(value, path, "must be a map with 'strategy' and its options, not " + std::string(DescribeNode(value)));
    return;
  }
  DeploymentSpec d;
  d.location = r.Where(value) + ": " + path;
  // A list of percentages ([10, 50]) or the flag's text ("10,50").
  auto percents = [&](const YAML::Node& node, const std::string& field) -> std::optional<std::string> {
    if (node.IsScalar()) return node.Scalar();
    if (!node.IsSequence()) {
      r.Error(node, field, "must be a list of percentages like [10, 50], not " + std::string(DescribeNode(node)));
      return std::nullopt;
    }
    std::string text;
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto n = r.Integer(node[i], field + "[" + std::to_string(i) + "]", 1, 100);
      if (!n) return std::nullopt;
      text += (text.empty() ? "" : ",") + std::to_string(*n);
    }
    return text;
  };
  bool has_strategy = false;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    const std::string field = path + "." + key;
    if (key == "strategy") {
      has_strategy = true;
      if (auto s = r.String(it->second, field)) {
        if (*s != "rolling" && *s != "canary") {
          r.Error(it->second, field, "must be 'rolling' or 'canary', not '" + *s + "'");
        }
        d.strategy = *s;
      }
    } else if (key == "max-in-flight") {
      if (auto n = r.Integer(it->second, field, 1, 1000)) d.max_in_flight = std::to_string(*n);
    } else if (key == "instance-steps") {
      d.instance_steps = percents(it->second, field);
    } else if (key == "canary-weights") {
      d.canary_weights = percents(it->second, field);
    } else if (key == "analysis-interval") {
      if (auto n = r.Integer(it->second, field, 1, 3600)) d.analysis_interval = std::to_string(*n);
    } else if (key == "analysis-probe-path") {
      d.analysis_probe_path = r.String(it->second, field);
    } else {
      r.Error(it->first, field,
              "unknown attribute (expected strategy, max-in-flight, instance-steps, canary-weights, analysis-interval, "
              "analysis-probe-path)");
    }
  }
  if (!has_strategy) {
    r.Error(value, path + ".strategy", "is required");
    return;
  }
  app.deployment = std::move(d);
}

void ReadServices(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app) {
  if (!value.IsSequence()) {
    r.Error(value, path, "must be a list of service instance names, not " + std::string(DescribeNode(value)));
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node& entry = value[i];
    std::string field = path + "[" + std::to_string(i) + "]";
    ServiceRef ref;
    if (entry.IsScalar()) {
      ref.name = entry.Scalar();
    } else if (entry.IsMap()) {
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
        if (key == "name") {
          ref.name = r.String(it->second, field + ".name").value_or("");
        } else if (key == "binding_name") {
          ref.binding_name = r.String(it->second, field + ".binding_name").value_or("");
        } else if (key != "parameters") {
          r.Warn(it->first, field + "." + key, "unknown attribute; ignored");
        }
      }
    } else {
      r.Error(entry, field, "must be a name or a map with 'name', not " + std::string(DescribeNode(entry)));
      continue;
    }
    if (ref.name.empty()) {
      r.Error(entry, field, "has no service instance name");
      continue;
    }
    app.services.push_back(std::move(ref));
  }
}

void ReadProcesses(YamlReader& r, const YAML::Node& value, const std::string& path, std::vector<ProcessSpec>& out) {
  if (!value.IsSequence()) {
    r.Error(value, path, "must be a list of processes, not " + std::string(DescribeNode(value)));
    return;
  }
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node& entry = value[i];
    std::string field = path + "[" + std::to_string(i) + "]";
    if (!entry.IsMap()) {
      r.Error(entry, field, "must be a map with a 'type', not " + std::string(DescribeNode(entry)));
      continue;
    }
    ProcessSpec spec;
    spec.type.clear();
    YAML::Node type_node;
    bool has_type = false;
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (key == "type") {
        type_node = it->second;
        has_type = true;
        spec.type = r.String(it->second, field + ".type").value_or("");
      } else if (ReadProcessAttribute(r, spec, key, it->second, field + "." + key)) {
        continue;
      } else if (UnsupportedAppAttributes().contains(key)) {
        r.Warn(it->first, field + "." + key, UnsupportedAppAttributes().find(key)->second);
      } else {
        r.Warn(it->first, field + "." + key, "unknown attribute; ignored");
      }
    }
    if (!has_type) {
      r.Error(entry, field, "has no 'type'");
      continue;
    }
    Status s = ValidateProcessType(spec.type);
    if (!s.ok()) {
      r.Error(type_node, field + ".type", s.message());
      continue;
    }
    if (auto [it, fresh] = seen.emplace(spec.type, r.Where(entry)); !fresh) {
      r.Error(type_node, field + ".type", "process type '" + spec.type + "' is already defined at " + it->second);
      continue;
    }
    out.push_back(std::move(spec));
  }
}

}  // namespace wharf::cli
