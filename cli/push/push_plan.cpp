#include "cli/push/push_plan.h"

#include "cli/push/deploy.h"

#include "cli/client/usage_error.h"
#include <nlohmann/json.hpp>

#include "common/facts/byte_size.h"
#include "common/facts/names.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;

fs::path Under(const fs::path& cwd, const std::string& p) {
  fs::path path(p);
  fs::path full = (path.is_absolute() ? path : cwd / path).lexically_normal();
  if (!full.has_filename() && full.has_parent_path() && full != full.root_path()) full = full.parent_path();
  return full;
}

bool HasOverridingFlags(const PushFlags& f) {
  return f.path || !f.buildpacks.empty() || f.command || f.instances || f.memory || f.disk || f.health_check_type ||
         f.endpoint || f.timeout || f.stack || f.no_route || f.random_route || f.git;
}

// Flag values, checked and converted.
struct FlagOverrides {
  ProcessSpec web;
  std::optional<std::vector<std::string>> buildpacks;
};

Result<FlagOverrides> ReadFlagOverrides(const PushFlags& f) {
  FlagOverrides o;
  if (f.command) {
    if (*f.command == "null" || *f.command == "default") {
      o.web.reset_command = true;
    } else if (f.command->empty()) {
      return UsageError("-c needs a command (or 'null' for the buildpack's default)");
    } else {
      o.web.command = *f.command;
    }
  }
  if (f.instances) {
    if (*f.instances < 0 || *f.instances > kMaxInstances) {
      return UsageError("-i must be between 0 and " + std::to_string(kMaxInstances) + ", not " +
                        std::to_string(*f.instances));
    }
    o.web.instances = *f.instances;
  }
  if (f.memory) {
    Result<std::int64_t> mb = ParseMegabytes(*f.memory);
    if (!mb.ok()) return UsageError("-m: " + mb.status().message());
    o.web.memory_mb = *mb;
  }
  if (f.disk) {
    Result<std::int64_t> mb = ParseMegabytes(*f.disk);
    if (!mb.ok()) return UsageError("-k: " + mb.status().message());
    o.web.disk_mb = *mb;
  }
  if (f.health_check_type) {
    bool deprecated = false;
    Result<HealthCheckType> t = ParseManifestHealthCheckType(*f.health_check_type, &deprecated);
    if (!t.ok()) return UsageError("-u: " + t.status().message());
    o.web.health_check_type = *t;
  }
  if (f.endpoint) {
    if (f.endpoint->empty() || (*f.endpoint)[0] != '/') {
      return UsageError("--endpoint must be a path starting with '/', not '" + *f.endpoint + "'");
    }
    o.web.health_check_endpoint = *f.endpoint;
  }
  if (f.timeout) {
    if (*f.timeout < 1 || *f.timeout > kMaxTimeoutSeconds) {
      return UsageError("-t must be between 1 and " + std::to_string(kMaxTimeoutSeconds) + " seconds, not " +
                        std::to_string(*f.timeout));
    }
    o.web.timeout = *f.timeout;
  }
  if (!f.buildpacks.empty()) {
    if (f.buildpacks.size() == 1 && (f.buildpacks[0] == "default" || f.buildpacks[0] == "null")) {
      o.buildpacks = std::vector<std::string>{};
    } else {
      o.buildpacks = f.buildpacks;
    }
  }
  return o;
}

Status CheckFlagCombinations(const PushFlags& f) {
  if (f.manifest_path && f.no_manifest) return UsageError("-f and --no-manifest cannot be used together");
  if (f.no_route && f.random_route) return UsageError("--no-route and --random-route cannot be used together");
  if (f.git && f.path) return UsageError("--git and -p cannot be used together");
  if (f.git_ref && !f.git) return UsageError("--ref needs --git");
  return Status::Ok();
}

// The manifest to read: -f (a file, or a folder holding manifest.yml), or
// manifest.yml / manifest.yaml in cwd when present.
Result<std::optional<fs::path>> FindManifest(const PushFlags& f, const fs::path& cwd) {
  std::error_code ec;
  if (f.no_manifest) return std::optional<fs::path>();
  if (f.manifest_path) {
    fs::path p = Under(cwd, *f.manifest_path);
    if (fs::is_directory(p, ec)) {
      for (const char* name : {"manifest.yml", "manifest.yaml"}) {
        if (fs::exists(p / name, ec)) return std::optional<fs::path>(p / name);
      }
      return Status::InvalidArgument("no manifest.yml in folder " + p.string());
    }
    if (!fs::exists(p, ec)) return Status::InvalidArgument("manifest " + p.string() + " does not exist");
    return std::optional<fs::path>(p);
  }
  for (const char* name : {"manifest.yml", "manifest.yaml"}) {
    if (fs::exists(cwd / name, ec)) return std::optional<fs::path>(cwd / name);
  }
  return std::optional<fs::path>();
}

}  // namespace

Result<PushPlan> PlanPush(const PushFlags& flags, const fs::path& cwd) {
  WHARF_RETURN_IF_ERROR(CheckFlagCombinations(flags));
  WHARF_ASSIGN_OR_RETURN(auto overrides, ReadFlagOverrides(flags));

  Variables vars;
  for (const std::string& file : flags.vars_files) WHARF_RETURN_IF_ERROR(vars.AddFile(Under(cwd, file)));
  for (const std::string& assignment : flags.vars) {
    Status s = vars.AddAssignment(assignment);
    if (!s.ok()) return UsageError(s.message());
  }

  PushPlan plan;
  plan.no_start = flags.no_start;
  plan.deploy = flags.deploy;
  plan.git = flags.git;
  plan.git_ref = flags.git_ref.value_or("");
  if (flags.droplet) {
    // As cf: a droplet replaces the source, so nothing that builds one goes with it.
    if (flags.path || flags.git || !flags.buildpacks.empty()) {
      return UsageError("--droplet cannot be used with -p, --git or -b: the droplet is already built");
    }
    plan.droplet = Under(cwd, *flags.droplet);
    std::error_code ec;
    if (!fs::is_regular_file(*plan.droplet, ec)) {
      return Status::NotFound("droplet " + plan.droplet->string() + " is not a file");
    }
  }

  Result<std::optional<fs::path>> manifest_file = FindManifest(flags, cwd);
  if (!manifest_file.ok()) return manifest_file.status();
  if (manifest_file->has_value()) {
    // Messages name the manifest relative to the current folder when it is inside it.
    fs::path file = **manifest_file;
    fs::path relative = file.lexically_relative(cwd);
    std::string shown = !relative.empty() && *relative.begin() != ".." ? relative.string() : file.string();
    WHARF_ASSIGN_OR_RETURN(auto manifest, LoadManifest(file, vars, shown));
    plan.manifest_file = shown;
    plan.warnings = manifest.warnings;
    if (flags.app_name.empty()) {
      plan.apps = manifest.apps;
      if (plan.apps.size() == 1 && plan.apps[0].name.empty()) {
        return UsageError("the application in manifest " + shown +
                          " has no 'name'; give the app's name on the command line: wharf push APP_NAME");
      }
    } else if (manifest.apps.size() == 1) {
      plan.apps = manifest.apps;
      plan.apps[0].name = flags.app_name;
    } else {
      for (const AppSpec& app : manifest.apps) {
        if (app.name == flags.app_name) plan.apps.push_back(app);
      }
      if (plan.apps.empty()) {
        return Status::InvalidArgument("app '" + flags.app_name + "' is not in manifest " + shown);
      }
    }
  } else {
    if (flags.app_name.empty()) {
      return UsageError("the required argument APP_NAME was not provided (and there is no manifest.yml here)");
    }
    AppSpec app;
    app.name = flags.app_name;
    plan.apps.push_back(app);
  }

  if (plan.apps.size() > 1 && HasOverridingFlags(flags)) {
    return UsageError(
        "command line flags (except -f, --no-start, --var and --vars-file) cannot be used when pushing several apps "
        "from a manifest; name one app: wharf push APP_NAME");
  }

  for (AppSpec& app : plan.apps) {
    Status name_ok = ValidateDnsLabel(app.name, "app name");
    if (!name_ok.ok()) return name_ok;
    if (flags.path) {
      app.path = Under(cwd, *flags.path);
      app.path_location.clear();
    }
    if (!app.path && !flags.git) app.path = cwd;
    if (overrides.buildpacks) app.buildpacks = overrides.buildpacks;
    if (flags.stack) app.stack = flags.stack;
    if (!overrides.web.IsEmpty()) app.Process("web").OverlayWith(overrides.web);
    if (flags.no_route) {
      app.no_route = true;
      app.random_route = false;
    }
    if (flags.random_route) {
      app.random_route = true;
      app.no_route = false;
    }
    for (const ProcessSpec& p : app.processes) {
      if (p.health_check_endpoint && p.health_check_type && *p.health_check_type != HealthCheckType::kHttp) {
        return Status::InvalidArgument("app '" + app.name + "', process '" + p.type +
                                       "': a health check endpoint needs health check type http, not " +
                                       std::string(HealthCheckTypeName(*p.health_check_type)));
      }
    }
    // The manifest's deployment block is checked by the flags' rules before anything is uploaded.
    WHARF_RETURN_IF_ERROR(DeployBodyFor(app, plan.deploy).status());
    if (app.autoscaling_policy) {
      Result<std::string> text = ReadFile(*app.autoscaling_policy);
      if (!text.ok()) {
        return Status::InvalidArgument(app.autoscaling_policy_location + ": cannot read " +
                                       app.autoscaling_policy->string() + ": " + text.status().message());
      }
      auto doc = nlohmann::json::parse(*text, nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) {
        return Status::InvalidArgument(app.autoscaling_policy_location + ": " + app.autoscaling_policy->string() +
                                       " is not a JSON object (an App Autoscaler policy)");
      }
    }
    std::error_code ec;
    if (app.path && !fs::exists(*app.path, ec)) {
      std::string where = app.path_location.empty() ? "" : app.path_location + ": ";
      return Status::InvalidArgument(where + "app path " + app.path->string() + " does not exist");
    }
  }
  return plan;
}

}  // namespace wharf::cli
