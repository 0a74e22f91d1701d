#include "cli/push/push.h"

#include <map>
#include <ostream>

#include "api-model/platform/info.h"
#include "cli/client/resources.h"
#include "cli/push/app_summary.h"
#include "cli/push/deploy.h"
#include "cli/push/staging.h"
#include "cli/push/time_line.h"
#include "cli/push/upload.h"
#include "cli/source/app_source.h"
#include "cli/source/file_scan.h"
#include "common/facts/byte_size.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

// Everything known about one app before the first change is made.
struct PreparedApp {
  const AppSpec* spec = nullptr;
  AppSource source;
  FolderScan scan;
  std::optional<api::App> existing;   // the app as the server has it, if it exists
  std::vector<RouteTarget> routes;    // from the manifest / flags
  std::optional<Domain> default_domain;
  std::vector<api::ServiceInstance> services;  // the manifest's, in its order
};

Result<PreparedApp> Prepare(CliContext& ctx, ApiClient& api, const PushPlan& plan, const AppSpec& spec,
                            const std::vector<Domain>& domains, const api::Info& info, bool with_source = true) {
  PreparedApp p;
  p.spec = &spec;
  for (const std::string& route : spec.routes) {
    Result<RouteTarget> t = ResolveRoute(route, domains);
    if (!t.ok()) return t.status().WithContext("app '" + spec.name + "'");
    p.routes.push_back(*t);
  }
  Result<std::optional<api::App>> existing = FindApp(api, spec.name);
  if (!existing.ok()) return existing.status();
  p.existing = *existing;
  bool needs_default = !spec.no_route && p.routes.empty() && (!p.existing || p.existing->routes.empty());
  if (needs_default) {
    p.default_domain = DefaultDomain(domains, info.domain);
    if (!p.default_domain) {
      return Status::NotFound("app '" + spec.name +
                              "': wharfd has no domain for a default route; add one with 'wharf create-domain DOMAIN' "
                              "or push with --no-route");
    }
  }

  if (with_source) {
    Result<AppSource> source = plan.git ? OpenGitSource(*plan.git, plan.git_ref) : OpenPathSource(*spec.path);
    if (!source.ok()) return source.status();
    p.source = std::move(*source);
    Result<FolderScan> scan = ScanAppFolder(p.source.folder);
    if (!scan.ok()) return scan.status();
    p.scan = std::move(*scan);
    for (const std::string& w : p.scan.warnings) ctx.err() << "Warning: " << w << "\n";
  }
  // The manifest's services must exist before anything is changed (cf checks them first too).
  for (const ServiceRef& s : spec.services) {
    Result<api::ServiceInstance> instance = GetServiceInstance(api, s.name);
    if (!instance.ok()) return instance.status().WithContext("app '" + spec.name + "': services");
    p.services.push_back(std::move(instance).value());
  }
  return p;
}

json LifecycleJson(const AppSpec& spec, const std::optional<api::App>& existing) {
  json lifecycle = json::object();
  if (existing) {
    lifecycle["buildpacks"] = existing->lifecycle.buildpacks;
    if (!existing->lifecycle.stack.empty()) lifecycle["stack"] = existing->lifecycle.stack;
  }
  if (spec.buildpacks) lifecycle["buildpacks"] = *spec.buildpacks;
  if (spec.stack) lifecycle["stack"] = *spec.stack;
  return lifecycle;
}

// Creates the app or applies the spec's lifecycle and env to it.
Result<api::App> CreateOrUpdateApp(CliContext& ctx, ApiClient& api, const PreparedApp& p) {
  const AppSpec& spec = *p.spec;
  json env = json::object();
  for (const auto& [k, v] : spec.env) env[k] = v;
  bool lifecycle_given = spec.buildpacks.has_value() || spec.stack.has_value();
  if (!p.existing) {
    ctx.out() << "Creating app " << spec.name << "...\n";
    json body = {{"name", spec.name}};
    if (!env.empty()) body["environment_variables"] = env;
    if (lifecycle_given) body["lifecycle"] = LifecycleJson(spec, std::nullopt);
    Result<api::App> created = api.PostAs<api::App>("/v1/apps", api.InSpace(body));
    if (!created.ok()) return created.status().WithContext("creating app '" + spec.name + "'");
    return created;
  }
  ctx.out() << "Updating app " << spec.name << "...\n";
  const std::string guid = p.existing->guid;
  api::App app = *p.existing;
  if (lifecycle_given) {
    Result<api::App> patched = api.PatchAs<api::App>("/v1/apps/" + guid, json{{"lifecycle", LifecycleJson(spec, p.existing)}});
    if (!patched.ok()) return patched.status().WithContext("updating app '" + spec.name + "'");
    app = *patched;
  }
  if (!env.empty()) {
    Result<json> r = api.Patch("/v1/apps/" + guid + "/environment_variables", env);
    if (!r.ok()) return r.status().WithContext("updating environment variables of '" + spec.name + "'");
  }
  return app;
}

// PUTs each process spec over what the server has (absent fields keep their value).
Status ApplyProcesses(ApiClient& api, const std::string& app_guid, const AppSpec& spec) {
  for (const ProcessSpec& p : spec.processes) {
    if (p.IsEmpty()) continue;
    const std::string path = "/v1/apps/" + app_guid + "/processes/" + p.type;
    json body = json::object();
    Result<api::Process> current = api.GetAs<api::Process>(path);
    if (current.ok()) {
      body = {{"command", api::OrNull(current->command)},
              {"instances", current->instances},
              {"memory_in_mb", current->memory_in_mb},
              {"disk_in_mb", current->disk_in_mb},
              {"log_rate_limit_in_bytes_per_second", current->log_rate_limit_in_bytes_per_second},
              {"health_check", current->health_check.ToJson()},
              {"readiness_check", current->readiness_check.ToJson()}};
    } else if (current.status().code() != StatusCode::kNotFound) {
      return current.status();
    }
    if (p.command) body["command"] = *p.command;
    if (p.reset_command) body["command"] = nullptr;
    if (p.instances) body["instances"] = *p.instances;
    if (p.memory_mb) body["memory_in_mb"] = *p.memory_mb;
    if (p.disk_mb) body["disk_in_mb"] = *p.disk_mb;
    if (p.log_rate_limit) body["log_rate_limit_in_bytes_per_second"] = *p.log_rate_limit;
    json hc = body.contains("health_check") && body["health_check"].is_object() ? body["health_check"] : json::object();
    if (p.health_check_type) {
      hc["type"] = std::string(HealthCheckTypeName(*p.health_check_type));
      if (*p.health_check_type != HealthCheckType::kHttp) hc["endpoint"] = nullptr;
    }
    if (p.health_check_endpoint) hc["endpoint"] = *p.health_check_endpoint;
    if (p.health_check_invocation_timeout) hc["invocation_timeout"] = *p.health_check_invocation_timeout;
    if (p.timeout) hc["timeout"] = *p.timeout;
    if (!hc.empty()) body["health_check"] = hc;
    json rc = body.contains("readiness_check") && body["readiness_check"].is_object() ? body["readiness_check"]
                                                                                       : json::object();
    if (p.readiness_type) {
      rc["type"] = std::string(HealthCheckTypeName(*p.readiness_type));
      if (*p.readiness_type != HealthCheckType::kHttp) rc["endpoint"] = nullptr;
    }
    if (p.readiness_endpoint) rc["endpoint"] = *p.readiness_endpoint;
    if (p.readiness_invocation_timeout) rc["invocation_timeout"] = *p.readiness_invocation_timeout;
    if (p.readiness_interval) rc["interval"] = *p.readiness_interval;
    if (!rc.empty()) body["readiness_check"] = rc;
    Result<json> put = api.Put(path, body);
    if (!put.ok()) return put.status().WithContext("updating process '" + p.type + "' of '" + spec.name + "'");
  }
  return Status::Ok();
}

// `options`: the manifest's options of this route (none: leave the route's as they are).
Status MapOne(CliContext& ctx, ApiClient& api, const RouteTarget& target, const std::string& app_guid,
              const std::map<std::string, std::string>* options = nullptr) {
  Result<api::Route> route = FindOrCreateRoute(api, target, nullptr);
  if (!route.ok()) return route.status();
  if (options != nullptr && !options->empty()) {
    auto want = [&](const char* name, const std::string& have) {
      auto it = options->find(name);
      return it == options->end() ? have : it->second;
    };
    // Options the manifest leaves out return to their defaults, as cf's manifest applies them.
    const std::string lb = want("loadbalancing", "round-robin");
    const std::string header = lb == "hash" ? want("hash_header", "") : "";
    const std::string balance = lb == "hash" ? want("hash_balance", "") : "";
    if (lb != route->load_balancing || header != route->hash_header || balance != route->hash_balance) {
      json body = {{"loadbalancing", lb},
                   {"hash_header", header.empty() ? json(nullptr) : json(header)},
                   {"hash_balance", balance.empty() ? json(nullptr) : json(balance)}};
      Result<api::Route> updated = api.PatchAs<api::Route>("/v1/routes/" + route->guid, json{{"options", body}});
      if (!updated.ok()) return updated.status().WithContext("setting the options of route " + target.Url());
      route = std::move(updated);
    }
  }
  Result<bool> mapped = MapRoute(api, *route, app_guid);
  if (!mapped.ok()) return mapped.status().WithContext("mapping route " + target.Url());
  ctx.out() << "   " << target.Url() << "\n";
  return Status::Ok();
}

Status MapRandomRoute(CliContext& ctx, ApiClient& api, const PreparedApp& p, const std::string& app_guid) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    RouteTarget target;
    target.host = RandomRouteHost(p.spec->name, ctx.random);
    target.domain = *p.default_domain;
    WHARF_ASSIGN_OR_RETURN(auto taken, FindRoute(api, target));
    if (taken.has_value()) continue;
    Result<api::Route> made =
        api.PostAs<api::Route>("/v1/routes", api.InSpace(json{{"host", target.host}, {"domain_guid", target.domain.guid}}));
    if (!made.ok() && made.status().code() == StatusCode::kConflict) continue;
    if (!made.ok()) return made.status().WithContext("creating route " + target.Url());
    Result<bool> mapped = MapRoute(api, *made, app_guid);
    if (!mapped.ok()) return mapped.status().WithContext("mapping route " + target.Url());
    ctx.out() << "   " << target.Url() << "\n";
    return Status::Ok();
  }
  return Status::Conflict("could not find a free random route for '" + p.spec->name + "' in 10 attempts");
}

// Binds the manifest's services before staging, so the app starts with them in VCAP_SERVICES.
Status BindServices(CliContext& ctx, ApiClient& api, const PreparedApp& p, const api::App& app) {
  for (std::size_t i = 0; i < p.services.size(); ++i) {
    const api::ServiceInstance& instance = p.services[i];
    const std::string& binding_name = p.spec->services[i].binding_name;
    Result<bool> bound = BindService(api, app, instance, binding_name, json::object());
    if (!bound.ok()) {
      return bound.status().WithContext("binding service instance '" + instance.name + "' to app '" + app.name + "'");
    }
    if (*bound) ctx.out() << "Binding service instance " << instance.name << " to app " << app.name << "...\n";
  }
  return Status::Ok();
}

Status MapRoutes(CliContext& ctx, ApiClient& api, const PreparedApp& p, const std::string& app_guid) {
  const AppSpec& spec = *p.spec;
  if (spec.no_route) return Status::Ok();
  if (!p.routes.empty()) {
    ctx.out() << "Mapping routes...\n";
    for (std::size_t i = 0; i < p.routes.size(); ++i) {
      auto options = spec.route_options.find(spec.routes[i]);
      WHARF_RETURN_IF_ERROR(MapOne(ctx, api, p.routes[i], app_guid,
                                   options == spec.route_options.end() ? nullptr : &options->second));
    }
    return Status::Ok();
  }
  if (!p.default_domain) return Status::Ok();  // the app already has routes
  ctx.out() << "Mapping routes...\n";
  if (spec.random_route) return MapRandomRoute(ctx, api, p, app_guid);
  RouteTarget target;
  target.host = spec.name;
  target.domain = *p.default_domain;
  return MapOne(ctx, api, target, app_guid);
}

// "http://web.localhost:8080" for a route, with the router's port.
std::string RouteUrl(const std::string& route, const api::Info& info) {
  const std::string& router = info.router_url;
  std::string port;
  std::size_t scheme = router.find("://");
  std::string hostport = scheme == std::string::npos ? router : router.substr(scheme + 3);
  hostport = hostport.substr(0, hostport.find('/'));
  if (std::size_t colon = hostport.rfind(':'); colon != std::string::npos) port = hostport.substr(colon);
  if (port == ":80") port.clear();
  std::size_t slash = route.find('/');
  std::string host = route.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : route.substr(slash);
  return "http://" + host + port + path;
}

// Starts the app on its new current droplet: a deployment with --strategy when it runs, else a
// start or a restart, then waits for it and prints its summary.
// `watch`, when given: its log tail wakes the wait for the instance, and it receives how the first
// new instance's start went (when the server says).
struct StartWatch {
  const StagingLogTail* wake = nullptr;
  std::optional<api::InstanceStartup> startup;
};
Status StartNewDroplet(CliContext& ctx, ApiClient& api, const api::Info& info, const api::App& app,
                       const std::optional<json>& deploy, StartWatch* watch = nullptr);

Status StageAndStart(CliContext& ctx, ApiClient& api, const api::Info& info, const api::App& app,
                     const api::Package& package, const std::optional<json>& deploy, PushTimes& times) {
  const std::string& name = app.name;
  const std::string& app_guid = app.guid;
  std::unique_ptr<StagingLogTail> tail = StagingLogTail::Start(ctx, app_guid);
  Result<api::Build> build = api.PostAs<api::Build>("/v1/builds", json{{"package_guid", package.guid}});
  if (!build.ok()) {
    if (tail) tail->Stop();
    if (build.status().code() == StatusCode::kUnavailable &&
        build.status().message().find("cannot reach") == std::string::npos) {
      ctx.out() << "Package stored (sha256 " << package.sha256
                << "). Staging is not available in this wharfd yet.\n";
      return Status::Ok();
    }
    return build.status().WithContext("staging '" + name + "'");
  }
  if (build->state == "STAGED") {
    // The server took a droplet staged from the same inputs (package, buildpacks, stack, environment).
    times.droplet_reused = true;
    if (tail) tail->Mute();
    std::lock_guard lock(ctx.output_mutex());
    ctx.out() << "Staging skipped: droplet " << build->droplet_guid.value_or("?")
              << " was staged from the same files and settings and is reused ('wharf restage " << name
              << "' stages anew).\n";
  } else {
    std::lock_guard lock(ctx.output_mutex());
    ctx.out() << "Staging app and tracing logs...\n" << std::flush;
  }
  Result<api::Build> staged = WaitForBuild(ctx, api, *build, tail.get());
  if (!staged.ok()) {
    if (tail) tail->Stop();
    return staged.status().WithContext("app '" + name + "'");
  }
  if (tail) tail->Mute();  // still wakes the wait for the instance on its CELL lines
  times.staged = ctx.clock().Monotonic();
  times.staging = staged->steps;
  StartWatch watch{tail.get(), std::nullopt};
  Status started = StartNewDroplet(ctx, api, info, app, deploy, &watch);
  if (tail) tail->Stop();
  WHARF_RETURN_IF_ERROR(started);
  times.startup = watch.startup;
  ctx.out() << "\n" << PushTimeLine(times, ctx.clock().Monotonic());
  return Status::Ok();
}

Status StartNewDroplet(CliContext& ctx, ApiClient& api, const api::Info& info, const api::App& app,
                       const std::optional<json>& deploy, StartWatch* watch) {
  const std::string& name = app.name;
  const std::string& app_guid = app.guid;
  bool running = app.state == "STARTED";
  if (deploy && running && info.RunsInstances()) {
    Result<std::optional<api::Deployment>> deployed = StartDeployment(ctx, api, app, *deploy);
    if (!deployed.ok()) return deployed.status().WithContext("deploying '" + name + "'");
    WHARF_ASSIGN_OR_RETURN(auto fresh, api.GetAs<api::App>("/v1/apps/" + app_guid));
    ctx.out() << "\n";
    return PrintAppSummary(ctx, api, fresh);
  }
  ctx.out() << (running ? "Restarting" : "Starting") << " app " << name << "...\n";
  Result<api::App> started = api.PostAs<api::App>("/v1/apps/" + app_guid + (running ? "/actions/restart" : "/actions/start"), json::object());
  if (!started.ok()) return started.status().WithContext("starting '" + name + "'");
  if (info.RunsInstances()) {
    ctx.out() << "Waiting for app " << name << " to start...\n";
    api::Instance first;
    WHARF_RETURN_IF_ERROR(WaitForRunning(ctx, api, *started, &first, watch != nullptr ? watch->wake : nullptr));
    if (watch != nullptr) watch->startup = first.startup;
  }
  Result<api::App> fresh = api.GetAs<api::App>("/v1/apps/" + app_guid);
  const api::App& shown = fresh.ok() ? *fresh : *started;
  ctx.out() << "\n";
  WHARF_RETURN_IF_ERROR(PrintAppSummary(ctx, api, shown));
  if (!shown.routes.empty()) {
    ctx.out() << "\n";
    for (const std::string& r : shown.routes) ctx.out() << "App " << name << " is available at " << RouteUrl(r, info) << "\n";
  }
  return Status::Ok();
}

// Step 2 of the push: the app's settings. Returns the app as created or updated.
Result<api::App> ApplySettings(CliContext& ctx, ApiClient& api, const PreparedApp& p) {
  WHARF_ASSIGN_OR_RETURN(auto app, CreateOrUpdateApp(ctx, api, p));
  const std::string guid = app.guid;
  WHARF_RETURN_IF_ERROR(ApplyProcesses(api, guid, *p.spec));
  if (p.spec->autoscaling_policy) {
    ctx.out() << "Attaching autoscaling policy " << p.spec->autoscaling_policy->filename().string() << "...\n";
    WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(*p.spec->autoscaling_policy));
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Status::InvalidArgument(p.spec->autoscaling_policy_location + ": not JSON");
    Result<json> attached = api.Put("/v1/apps/" + guid + "/autoscaling/policy", doc);
    if (!attached.ok()) {
      return attached.status().WithContext(p.spec->autoscaling_policy_location + ": the autoscaling policy");
    }
  }
  WHARF_RETURN_IF_ERROR(MapRoutes(ctx, api, p, guid));
  WHARF_RETURN_IF_ERROR(BindServices(ctx, api, p, app));
  return app;
}

// push --droplet: the tarball becomes the app's current droplet without staging.
Status PushDroplet(CliContext& ctx, ApiClient& api, const api::Info& info, const api::App& app,
                   const PushPlan& plan, const std::optional<json>& deploy) {
  const std::filesystem::path& file = *plan.droplet;
  ctx.out() << "Uploading droplet " << file.string() << "...\n";
  WHARF_ASSIGN_OR_RETURN(api::Droplet droplet, UploadDroplet(api, app.guid, file));
  WHARF_RETURN_IF_ERROR(SetCurrentDroplet(api, app.guid, droplet.guid));
  if (plan.no_start) {
    ctx.out() << "Droplet " << droplet.guid << " is the app's current one; not starting (--no-start).\n";
    return Status::Ok();
  }
  return StartNewDroplet(ctx, api, info, app, deploy);
}

Status PushApp(CliContext& ctx, ApiClient& api, const api::Info& info, const PreparedApp& p, const PushPlan& plan) {
  PushTimes times;
  times.began = ctx.clock().Monotonic();
  WHARF_ASSIGN_OR_RETURN(auto app, ApplySettings(ctx, api, p));
  times.settings = ctx.clock().Monotonic();
  WHARF_ASSIGN_OR_RETURN(const std::optional<json> deploy, DeployBodyFor(*p.spec, plan.deploy));
  if (plan.droplet) return PushDroplet(ctx, api, info, app, plan, deploy);
  const std::string guid = app.guid;
  const bool no_start = plan.no_start;

  ctx.out() << "Packaging files from " << p.source.Describe() << " (" << p.scan.files.size()
            << (p.scan.files.size() == 1 ? " file, " : " files, ") << FormatBytes(p.scan.total_bytes) << ")...\n";
  WHARF_ASSIGN_OR_RETURN(auto package, UploadPackage(ctx, api, guid, p.scan, p.source));
  times.uploaded = ctx.clock().Monotonic();
  if (no_start) {
    ctx.out() << "Package stored (sha256 " << package.sha256 << "); not starting (--no-start).\n";
    return Status::Ok();
  }
  return StageAndStart(ctx, api, info, app, package, deploy, times);
}

// What push and apply-manifest read before they change anything: the API, its info and its domains
// (the plan's warnings are printed first).
struct PushTarget {
  ApiClient* api = nullptr;
  api::Info info;
  std::vector<Domain> domains;
};

Result<PushTarget> OpenPushTarget(CliContext& ctx, const PushPlan& plan) {
  PushTarget t;
  WHARF_ASSIGN_OR_RETURN(t.api, ctx.Api());
  for (const std::string& w : plan.warnings) ctx.err() << "Warning: " << w << "\n";
  WHARF_ASSIGN_OR_RETURN(t.info, t.api->GetAs<api::Info>("/v1/info"));
  WHARF_ASSIGN_OR_RETURN(t.domains, ListDomains(*t.api));
  // A manifest's autoscaling policy is checked in full before anything is uploaded or changed.
  for (const AppSpec& app : plan.apps) {
    if (!app.autoscaling_policy) continue;
    WHARF_ASSIGN_OR_RETURN(std::string text, ReadFile(*app.autoscaling_policy));
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Status::InvalidArgument(app.autoscaling_policy_location + ": not JSON");
    Result<json> checked = t.api->Post("/v1/autoscaling/policy-validations", doc);
    if (!checked.ok()) {
      return checked.status().WithContext(app.autoscaling_policy_location + ": the autoscaling policy " +
                                          app.autoscaling_policy->filename().string());
    }
  }
  return t;
}

}  // namespace

Status RunPush(CliContext& ctx, const PushPlan& plan) {
  WHARF_ASSIGN_OR_RETURN(PushTarget target, OpenPushTarget(ctx, plan));
  ApiClient* api = target.api;
  const api::Info& info = target.info;

  std::string names;
  for (const AppSpec& a : plan.apps) names += (names.empty() ? "" : ", ") + a.name;
  ctx.out() << "Pushing " << (plan.apps.size() == 1 ? "app " : "apps ") << names << " to " << api->base_url()
            << ctx.AsUser() << "...\n";
  if (!plan.manifest_file.empty()) ctx.out() << "Using manifest file " << plan.manifest_file << "\n";

  std::vector<PreparedApp> prepared;
  for (const AppSpec& spec : plan.apps) {
    WHARF_ASSIGN_OR_RETURN(auto p, Prepare(ctx, *api, plan, spec, target.domains, info, /*with_source=*/!plan.droplet));
    prepared.push_back(std::move(p));
  }
  for (const PreparedApp& p : prepared) {
    ctx.out() << "\n";
    WHARF_RETURN_IF_ERROR(PushApp(ctx, *api, info, p, plan));
  }
  return Status::Ok();
}

Status RunApplyManifest(CliContext& ctx, const PushPlan& plan) {
  WHARF_ASSIGN_OR_RETURN(PushTarget target, OpenPushTarget(ctx, plan));
  ApiClient* api = target.api;
  ctx.out() << "Applying manifest " << plan.manifest_file << " in " << api->base_url() << ctx.AsUser() << "...\n";
  std::vector<PreparedApp> prepared;
  for (const AppSpec& spec : plan.apps) {
    WHARF_ASSIGN_OR_RETURN(auto p, Prepare(ctx, *api, plan, spec, target.domains, target.info, /*with_source=*/false));
    prepared.push_back(std::move(p));
  }
  for (const PreparedApp& p : prepared) {
    WHARF_ASSIGN_OR_RETURN(auto app, ApplySettings(ctx, *api, p));
  }
  ctx.out() << "\nManifest applied\nOK\n";
  return Status::Ok();
}

}  // namespace wharf::cli
