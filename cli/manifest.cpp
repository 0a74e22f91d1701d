#include "cli/manifest.h"

#include <map>
#include <set>

#include "cli/yaml_reader.h"
#include "common/file_io.h"
#include "common/names.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;

// Attributes cf knows but wharf does not implement: read past with a warning.
const std::map<std::string, std::string, std::less<>> kUnsupportedAppKeys = {
    {"docker", "docker images are not supported by wharf; ignored"},
    {"sidecars", "sidecars are not supported by wharf yet; ignored"},
    {"metadata", "metadata is not supported by wharf yet; ignored"},
    {"features", "app features are not supported by wharf yet; ignored"},
    {"lifecycle", "wharf always uses the buildpack lifecycle; ignored"},
    {"log-rate-limit-per-second", "log rate limits are not supported by wharf yet; ignored"},
    {"health-check-interval", "health-check-interval is not supported by wharf yet; ignored"},
    {"readiness-health-check-type", "readiness health checks are not supported by wharf yet; ignored"},
    {"readiness-health-check-http-endpoint", "readiness health checks are not supported by wharf yet; ignored"},
    {"readiness-health-check-invocation-timeout", "readiness health checks are not supported by wharf yet; ignored"},
    {"readiness-health-check-interval", "readiness health checks are not supported by wharf yet; ignored"},
    {"default-route", "default-route is deprecated; wharf maps a default route unless no-route is set; ignored"},
};

// Attributes cf removed: an error, since silently dropping a route is worse.
const std::map<std::string, std::string, std::less<>> kRemovedAppKeys = {
    {"host", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"hosts", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"domain", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"domains", "is no longer supported; use routes: [{route: HOST.DOMAIN}]"},
    {"no-hostname", "is no longer supported; use routes: [{route: DOMAIN}]"},
    {"inherit", "is no longer supported; use YAML anchors or ((variables))"},
};

class ManifestParser {
 public:
  ManifestParser(std::string file_name, fs::path base_dir) : r_(std::move(file_name)), base_dir_(std::move(base_dir)) {}

  void ParseRoot(const YAML::Node& root, Manifest& out) {
    if (!root.IsDefined() || root.IsNull()) {
      r_.Error(root, "manifest", "is empty; it needs an 'applications:' list");
      return;
    }
    if (!root.IsMap()) {
      r_.Error(root, "manifest", "must be a map with an 'applications:' list, not " + std::string(DescribeNode(root)));
      return;
    }
    YAML::Node apps;
    bool has_apps = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (key == "applications") {
        apps = it->second;
        has_apps = true;
      } else if (key == "version") {
        std::optional<std::int64_t> v = r_.Integer(it->second, "version", 1);
        if (v && *v != 1) r_.Error(it->second, "version", "only manifest schema version 1 is supported");
      } else if (IsAppAttribute(key)) {
        r_.Warn(it->first, key,
                "top-level (global) attributes are not supported; put it under each application (YAML anchors "
                "can share values); ignored");
      } else {
        r_.Warn(it->first, key, "unknown attribute; ignored");
      }
    }
    if (!has_apps) {
      r_.Error(root, "manifest", "has no 'applications:' list");
      return;
    }
    if (!apps.IsSequence() || apps.size() == 0) {
      r_.Error(apps, "applications", "must be a non-empty list of applications");
      return;
    }
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < apps.size(); ++i) {
      std::string path = "applications[" + std::to_string(i) + "]";
      std::optional<AppSpec> app = ParseApp(apps[i], path);
      if (!app) continue;
      if (auto [it, fresh] = seen.emplace(app->name, app->location); !fresh) {
        r_.Error(apps[i], path + ".name", "app '" + app->name + "' is already defined at " + it->second);
        continue;
      }
      out.apps.push_back(std::move(*app));
    }
  }

  const YamlReader& reader() const { return r_; }

 private:
  static bool IsProcessAttribute(std::string_view key) {
    static const std::set<std::string, std::less<>> kKeys = {
        "command", "instances", "memory", "disk_quota", "health-check-type", "health-check-http-endpoint",
        "health-check-invocation-timeout", "timeout"};
    return kKeys.contains(key);
  }

  static bool IsAppAttribute(std::string_view key) {
    static const std::set<std::string, std::less<>> kKeys = {
        "name", "path", "buildpacks", "buildpack", "stack", "env", "routes", "no-route", "random-route", "services",
        "processes"};
    return kKeys.contains(key) || IsProcessAttribute(key) || kUnsupportedAppKeys.contains(key) ||
           kRemovedAppKeys.contains(key);
  }

  // Reads one process attribute into `spec`. Returns false if `key` is not one.
  bool ReadProcessAttribute(ProcessSpec& spec, const std::string& key, const YAML::Node& value,
                            const std::string& path) {
    if (key == "command") {
      if (value.IsNull()) {
        spec.reset_command = true;
      } else if (auto s = r_.String(value, path)) {
        if (*s == "null" || *s == "default") {
          spec.reset_command = true;
        } else if (s->empty()) {
          r_.Error(value, path, "must not be empty (use null for the buildpack's default command)");
        } else {
          spec.command = *s;
        }
      }
    } else if (key == "instances") {
      spec.instances = r_.Integer(value, path, 0, kMaxInstances);
    } else if (key == "memory") {
      spec.memory_mb = r_.Megabytes(value, path);
    } else if (key == "disk_quota") {
      spec.disk_mb = r_.Megabytes(value, path);
    } else if (key == "health-check-type") {
      if (auto s = r_.String(value, path)) {
        bool deprecated = false;
        Result<HealthCheckType> t = ParseHealthCheckType(*s, &deprecated);
        if (!t.ok()) {
          r_.Error(value, path, t.status().message());
        } else {
          spec.health_check_type = *t;
          if (deprecated) r_.Warn(value, path, "'none' is deprecated; use 'process'");
        }
      }
    } else if (key == "health-check-http-endpoint") {
      if (auto s = r_.String(value, path)) {
        if (s->empty() || (*s)[0] != '/') {
          r_.Error(value, path, "must be a path starting with '/', not '" + *s + "'");
        } else {
          spec.health_check_endpoint = *s;
        }
      }
    } else if (key == "health-check-invocation-timeout") {
      spec.health_check_invocation_timeout = r_.Integer(value, path, 1, kMaxTimeoutSeconds);
    } else if (key == "timeout") {
      spec.timeout = r_.Integer(value, path, 1, kMaxTimeoutSeconds);
    } else {
      return false;
    }
    return true;
  }

  std::optional<AppSpec> ParseApp(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
      r_.Error(node, path, "must be a map with at least a 'name', not " + std::string(DescribeNode(node)));
      return std::nullopt;
    }
    AppSpec app;
    app.location = r_.Where(node);
    std::size_t errors_before = r_.error_count();
    ProcessSpec top;
    std::vector<ProcessSpec> processes;
    YAML::Node name_node;
    bool has_name = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) {
        r_.Error(it->first, path, "attribute names must be strings");
        continue;
      }
      const std::string key = it->first.Scalar();
      const YAML::Node value = it->second;
      const std::string field = path + "." + key;
      if (ReadProcessAttribute(top, key, value, field)) continue;
      if (key == "name") {
        name_node = value;
        has_name = true;
        if (auto s = r_.String(value, field)) app.name = *s;
      } else if (key == "path") {
        if (auto s = r_.String(value, field)) {
          if (s->empty()) {
            r_.Error(value, field, "must not be empty");
          } else {
            fs::path p(*s);
            fs::path full = (p.is_absolute() ? p : base_dir_ / p).lexically_normal();
            if (!full.has_filename() && full.has_parent_path() && full != full.root_path()) full = full.parent_path();
            app.path = full;
            app.path_location = r_.Where(value) + ": " + field;
          }
        }
      } else if (key == "buildpacks") {
        if (auto list = r_.StringList(value, field)) {
          app.buildpacks = NormaliseBuildpacks(*list);
        }
      } else if (key == "buildpack") {
        r_.Warn(it->first, field, "'buildpack' is deprecated; use 'buildpacks: [NAME]'");
        if (node["buildpacks"].IsDefined()) {
          r_.Error(it->first, field, "cannot be used together with 'buildpacks'");
        } else if (auto s = r_.String(value, field)) {
          app.buildpacks = NormaliseBuildpacks({*s});
        }
      } else if (key == "stack") {
        if (auto s = r_.String(value, field)) app.stack = *s;
      } else if (key == "env") {
        ParseEnv(value, field, app);
      } else if (key == "routes") {
        ParseRoutes(value, field, app);
      } else if (key == "no-route") {
        app.no_route = r_.Boolean(value, field).value_or(false);
      } else if (key == "random-route") {
        app.random_route = r_.Boolean(value, field).value_or(false);
      } else if (key == "services") {
        ParseServices(value, field, app);
      } else if (key == "processes") {
        ParseProcesses(value, field, processes);
      } else if (auto u = kUnsupportedAppKeys.find(key); u != kUnsupportedAppKeys.end()) {
        r_.Warn(it->first, field, u->second);
      } else if (auto d = kRemovedAppKeys.find(key); d != kRemovedAppKeys.end()) {
        r_.Error(it->first, field, d->second);
      } else {
        r_.Warn(it->first, field, "unknown attribute; ignored");
      }
    }
    if (!has_name) {
      r_.Error(node, path, "has no 'name'");
    } else if (name_node.IsScalar()) {
      Status s = ValidateDnsLabel(app.name, "app name");
      if (!s.ok()) r_.Error(name_node, path + ".name", s.message());
    }
    // The web process: top-level attributes, overlaid by a `processes:` entry of type web.
    std::vector<ProcessSpec> merged;
    bool web_listed = false;
    for (const ProcessSpec& p : processes) web_listed = web_listed || p.type == "web";
    if (!top.IsEmpty() || web_listed) merged.push_back(top);
    for (const ProcessSpec& p : processes) {
      if (p.type == "web") {
        merged.front().OverlayWith(p);
      } else {
        merged.push_back(p);
      }
    }
    app.processes = std::move(merged);
    if (r_.error_count() != errors_before) return std::nullopt;
    return app;
  }

  static std::vector<std::string> NormaliseBuildpacks(const std::vector<std::string>& list) {
    // cf: "default" or "null" alone means auto-detection among the built-in buildpacks.
    if (list.size() == 1 && (list[0] == "default" || list[0] == "null")) return {};
    return list;
  }

  void ParseEnv(const YAML::Node& value, const std::string& path, AppSpec& app) {
    if (value.IsNull()) return;
    if (!value.IsMap()) {
      r_.Error(value, path, "must be a map of NAME: VALUE, not " + std::string(DescribeNode(value)));
      return;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
      std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
      std::string field = path + "." + name;
      Status s = ValidateEnvName(name);
      if (!s.ok()) {
        r_.Error(it->first, path, s.message());
        continue;
      }
      if (!it->second.IsScalar()) {
        r_.Error(it->second, field, "must be a string, number or boolean, not " + std::string(DescribeNode(it->second)));
        continue;
      }
      app.env.emplace_back(name, it->second.Scalar());
    }
  }

  void ParseRoutes(const YAML::Node& value, const std::string& path, AppSpec& app) {
    if (!value.IsSequence()) {
      r_.Error(value, path, "must be a list of {route: HOST.DOMAIN[/PATH]}, not " + std::string(DescribeNode(value)));
      return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& entry = value[i];
      std::string field = path + "[" + std::to_string(i) + "]";
      if (!entry.IsMap()) {
        r_.Error(entry, field, "must be a map like {route: HOST.DOMAIN}, not " + std::string(DescribeNode(entry)));
        continue;
      }
      std::optional<std::string> route;
      YAML::Node route_node;
      bool has_route = false;
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
        if (key == "route") {
          route_node = it->second;
          has_route = true;
          route = r_.String(it->second, field + ".route");
        } else if (key == "protocol") {
          std::optional<std::string> p = r_.String(it->second, field + ".protocol");
          if (p && *p == "tcp") {
            r_.Error(it->second, field + ".protocol", "tcp routes are not supported by wharf");
          } else if (p && *p != "http1") {
            r_.Warn(it->second, field + ".protocol", "only http1 is supported; '" + *p + "' is ignored");
          }
        } else if (key == "options") {
          r_.Warn(it->first, field + ".options", "route options are not supported by wharf yet; ignored");
        } else {
          r_.Warn(it->first, field + "." + key, "unknown attribute; ignored");
        }
      }
      if (!has_route) {
        r_.Error(entry, field, "has no 'route'");
      } else if (route) {
        Status s = ValidateRouteSyntax(*route);
        if (!s.ok()) {
          r_.Error(route_node, field + ".route", s.message());
        } else {
          app.routes.push_back(*route);
        }
      }
    }
  }

  void ParseServices(const YAML::Node& value, const std::string& path, AppSpec& app) {
    if (!value.IsSequence()) {
      r_.Error(value, path, "must be a list of service instance names, not " + std::string(DescribeNode(value)));
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
            ref.name = r_.String(it->second, field + ".name").value_or("");
          } else if (key == "binding_name") {
            ref.binding_name = r_.String(it->second, field + ".binding_name").value_or("");
          } else if (key != "parameters") {
            r_.Warn(it->first, field + "." + key, "unknown attribute; ignored");
          }
        }
      } else {
        r_.Error(entry, field, "must be a name or a map with 'name', not " + std::string(DescribeNode(entry)));
        continue;
      }
      if (ref.name.empty()) {
        r_.Error(entry, field, "has no service instance name");
        continue;
      }
      app.services.push_back(std::move(ref));
    }
  }

  void ParseProcesses(const YAML::Node& value, const std::string& path, std::vector<ProcessSpec>& out) {
    if (!value.IsSequence()) {
      r_.Error(value, path, "must be a list of processes, not " + std::string(DescribeNode(value)));
      return;
    }
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& entry = value[i];
      std::string field = path + "[" + std::to_string(i) + "]";
      if (!entry.IsMap()) {
        r_.Error(entry, field, "must be a map with a 'type', not " + std::string(DescribeNode(entry)));
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
          spec.type = r_.String(it->second, field + ".type").value_or("");
        } else if (ReadProcessAttribute(spec, key, it->second, field + "." + key)) {
          continue;
        } else if (kUnsupportedAppKeys.contains(key)) {
          r_.Warn(it->first, field + "." + key, kUnsupportedAppKeys.find(key)->second);
        } else {
          r_.Warn(it->first, field + "." + key, "unknown attribute; ignored");
        }
      }
      if (!has_type) {
        r_.Error(entry, field, "has no 'type'");
        continue;
      }
      Status s = ValidateProcessType(spec.type);
      if (!s.ok()) {
        r_.Error(type_node, field + ".type", s.message());
        continue;
      }
      if (auto [it, fresh] = seen.emplace(spec.type, r_.Where(entry)); !fresh) {
        r_.Error(type_node, field + ".type", "process type '" + spec.type + "' is already defined at " + it->second);
        continue;
      }
      out.push_back(std::move(spec));
    }
  }

  static Status ValidateProcessType(std::string_view type) {
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

  YamlReader r_;
  fs::path base_dir_;
};

}  // namespace

std::string_view HealthCheckTypeName(HealthCheckType type) {
  switch (type) {
    case HealthCheckType::kPort: return "port";
    case HealthCheckType::kHttp: return "http";
    case HealthCheckType::kProcess: return "process";
  }
  return "port";
}

Result<HealthCheckType> ParseHealthCheckType(std::string_view text, bool* deprecated) {
  if (deprecated != nullptr) *deprecated = false;
  if (text == "port") return HealthCheckType::kPort;
  if (text == "http") return HealthCheckType::kHttp;
  if (text == "process") return HealthCheckType::kProcess;
  if (text == "none") {
    if (deprecated != nullptr) *deprecated = true;
    return HealthCheckType::kProcess;
  }
  return Status::InvalidArgument("health check type '" + std::string(text) + "' is not one of port, http, process");
}

bool ProcessSpec::IsEmpty() const {
  return !command && !reset_command && !instances && !memory_mb && !disk_mb && !health_check_type &&
         !health_check_endpoint && !health_check_invocation_timeout && !timeout;
}

void ProcessSpec::OverlayWith(const ProcessSpec& o) {
  if (o.command || o.reset_command) {
    command = o.command;
    reset_command = o.reset_command;
  }
  if (o.instances) instances = o.instances;
  if (o.memory_mb) memory_mb = o.memory_mb;
  if (o.disk_mb) disk_mb = o.disk_mb;
  if (o.health_check_type) health_check_type = o.health_check_type;
  if (o.health_check_endpoint) health_check_endpoint = o.health_check_endpoint;
  if (o.health_check_invocation_timeout) health_check_invocation_timeout = o.health_check_invocation_timeout;
  if (o.timeout) timeout = o.timeout;
}

ProcessSpec& AppSpec::Process(std::string_view type) {
  for (ProcessSpec& p : processes) {
    if (p.type == type) return p;
  }
  ProcessSpec p;
  p.type = std::string(type);
  if (type == "web") {
    processes.insert(processes.begin(), p);
    return processes.front();
  }
  processes.push_back(p);
  return processes.back();
}

Status ValidateRouteSyntax(std::string_view route) {
  std::string r(route);
  if (r.find("://") != std::string::npos) {
    return Status::InvalidArgument("route '" + r + "' must not include a scheme; write HOST.DOMAIN[/PATH]");
  }
  std::size_t slash = r.find('/');
  std::string host_domain = r.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : r.substr(slash);
  if (host_domain.find(':') != std::string::npos) {
    return Status::InvalidArgument("route '" + r + "' has a port; tcp routes are not supported by wharf");
  }
  Status s = ValidateDomainName(host_domain);
  if (!s.ok()) return Status::InvalidArgument("route '" + r + "': " + s.message());
  if (!path.empty()) {
    if (path.size() < 2) return Status::InvalidArgument("route '" + r + "': a path must not be just '/'");
    for (char c : path) {
      if (c == ' ' || c == '?' || c == '#' || static_cast<unsigned char>(c) < 0x20) {
        return Status::InvalidArgument("route '" + r + "': the path must not contain spaces, '?' or '#'");
      }
    }
  }
  return Status::Ok();
}

Result<Manifest> ParseManifest(std::string_view text, std::string file_name, const fs::path& base_dir,
                               const Variables& vars) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  WHARF_RETURN_IF_ERROR(SubstituteVariables(root, vars, file_name));
  Manifest manifest;
  manifest.file_name = file_name;
  ManifestParser parser(file_name, base_dir);
  parser.ParseRoot(root, manifest);
  const YamlReader& r = parser.reader();
  manifest.warnings = r.warnings();
  if (!r.errors().empty()) {
    std::string message;
    for (const std::string& e : r.errors()) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  return manifest;
}

Result<Manifest> LoadManifest(const fs::path& file, const Variables& vars) {
  Result<std::string> text = ReadFile(file);
  if (!text.ok()) return Status::InvalidArgument("cannot read manifest " + file.string() + ": " + text.status().message());
  fs::path base = file.parent_path();
  if (base.empty()) base = ".";
  return ParseManifest(*text, file.string(), base, vars);
}

}  // namespace wharf::cli
