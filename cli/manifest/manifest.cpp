#include "cli/manifest/manifest.h"

#include <map>
#include <set>

#include "cli/manifest/manifest_sections.h"
#include "cli/manifest/yaml_reader.h"
#include "common/facts/names.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;

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
      // cf accepts one application without a name when the name is on the command line.
      std::optional<AppSpec> app = ParseApp(apps[i], path, /*name_required=*/apps.size() > 1);
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
  static bool IsAppAttribute(std::string_view key) {
    static const std::set<std::string, std::less<>> kKeys = {
        "name", "path", "buildpacks", "buildpack", "stack", "env", "routes", "no-route", "random-route", "services",
        "processes", "autoscaling-policy"};
    return kKeys.contains(key) || IsProcessAttribute(key) || UnsupportedAppAttributes().contains(key) ||
           RemovedAppAttributes().contains(key);
  }

  std::optional<AppSpec> ParseApp(const YAML::Node& node, const std::string& path, bool name_required) {
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
      if (ReadProcessAttribute(r_, top, key, value, field)) continue;
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
      } else if (key == "autoscaling-policy") {
        if (auto s = r_.String(value, field)) {
          if (s->empty()) {
            r_.Error(value, field, "must not be empty");
          } else {
            fs::path p(*s);
            app.autoscaling_policy = (p.is_absolute() ? p : base_dir_ / p).lexically_normal();
            app.autoscaling_policy_location = r_.Where(value) + ": " + field;
          }
        }
      } else if (key == "stack") {
        if (auto s = r_.String(value, field)) app.stack = *s;
      } else if (key == "env") {
        ReadEnv(r_, value, field, app);
      } else if (key == "routes") {
        ReadRoutes(r_, value, field, app);
      } else if (key == "no-route") {
        app.no_route = r_.Boolean(value, field).value_or(false);
      } else if (key == "random-route") {
        app.random_route = r_.Boolean(value, field).value_or(false);
      } else if (key == "services") {
        ReadServices(r_, value, field, app);
      } else if (key == "wharf-deployment") {
        ReadDeployment(r_, value, field, app);
      } else if (key == "processes") {
        ReadProcesses(r_, value, field, processes);
      } else if (auto u = UnsupportedAppAttributes().find(key); u != UnsupportedAppAttributes().end()) {
        r_.Warn(it->first, field, u->second);
      } else if (auto d = RemovedAppAttributes().find(key); d != RemovedAppAttributes().end()) {
        r_.Error(it->first, field, d->second);
      } else {
        r_.Warn(it->first, field, "unknown attribute; ignored");
      }
    }
    if (!has_name) {
      if (name_required) r_.Error(node, path, "has no 'name' (required when the manifest lists several applications)");
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

  YamlReader r_;
  fs::path base_dir_;
};

}  // namespace

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

Result<Manifest> LoadManifest(const fs::path& file, const Variables& vars, std::string display_name) {
  if (display_name.empty()) display_name = file.string();
  Result<std::string> text = ReadFile(file);
  if (!text.ok()) return Status::InvalidArgument("cannot read manifest " + display_name + ": " + text.status().message());
  fs::path base = file.parent_path();
  if (base.empty()) base = ".";
  return ParseManifest(*text, display_name, base, vars);
}

}  // namespace wharf::cli
