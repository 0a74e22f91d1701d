#include "cli/client/resources.h"

#include <array>

namespace wharf::cli {

Result<std::optional<api::App>> FindApp(ApiClient& api, std::string_view name) {
  Result<std::vector<api::App>> apps =
      api.GetAllAs<api::App>("/v1/apps?names=" + ApiClient::Escape(name) + api.SpaceQuery());
  if (!apps.ok()) return apps.status();
  for (api::App& app : *apps) {
    if (app.name == name) return std::optional<api::App>(std::move(app));
  }
  return std::optional<api::App>();
}

Result<api::App> GetApp(ApiClient& api, std::string_view name) {
  WHARF_ASSIGN_OR_RETURN(auto app, FindApp(api, name));
  if (!app.has_value()) return Status::NotFound("app '" + std::string(name) + "' not found");
  return std::move(*app);
}

Result<std::optional<api::ServiceInstance>> FindServiceInstance(ApiClient& api, std::string_view name) {
  auto all =
      api.GetAllAs<api::ServiceInstance>("/v1/service_instances?name=" + ApiClient::Escape(name) + api.SpaceQuery());
  if (!all.ok()) return all.status();
  for (api::ServiceInstance& i : *all) {
    if (i.name == name) return std::optional<api::ServiceInstance>(std::move(i));
  }
  return std::optional<api::ServiceInstance>();
}

Result<api::ServiceInstance> GetServiceInstance(ApiClient& api, std::string_view name) {
  WHARF_ASSIGN_OR_RETURN(auto found, FindServiceInstance(api, name));
  if (!found.has_value()) return Status::NotFound("service instance '" + std::string(name) + "' not found");
  return std::move(*found);
}

Result<api::Droplet> UploadDroplet(ApiClient& api, const std::string& app_guid, const std::filesystem::path& file) {
  WHARF_ASSIGN_OR_RETURN(json uploaded, api.PostFile("/v1/apps/" + app_guid + "/droplets", "application/gzip", file,
                                                     ApiClient::ProgressFn()));
  return api::Droplet::FromJson(uploaded);
}

Status SetCurrentDroplet(ApiClient& api, const std::string& app_guid, const std::string& droplet_guid) {
  return api.Patch("/v1/apps/" + app_guid + "/relationships/current_droplet", {{"data", {{"guid", droplet_guid}}}})
      .status();
}

Result<bool> BindService(ApiClient& api, const api::App& app, const api::ServiceInstance& instance,
                         const std::string& binding_name, const nlohmann::json& parameters) {
  for (const api::ServiceBinding& b : instance.bindings) {
    if (b.type == "app" && b.app_guid == app.guid) return false;
  }
  json body = {{"type", "app"}, {"instance_guid", instance.guid}, {"app_guid", app.guid}};
  if (!binding_name.empty()) body["name"] = binding_name;
  if (!parameters.empty()) body["parameters"] = parameters;
  WHARF_ASSIGN_OR_RETURN(auto made, api.PostAs<api::ServiceBinding>("/v1/service_bindings", body));
  return true;
}

Result<std::vector<Domain>> ListDomains(ApiClient& api) { return api.GetAllAs<Domain>("/v1/domains"); }

std::optional<Domain> DefaultDomain(const std::vector<Domain>& domains, std::string_view fallback) {
  for (const Domain& d : domains) {
    if (d.shared && !d.internal) return d;
  }
  for (const Domain& d : domains) {
    if (d.name == fallback) return d;
  }
  return std::nullopt;
}

std::string RouteTarget::Url() const { return (host.empty() ? "" : host + ".") + domain.name + path; }

Result<RouteTarget> ResolveRoute(std::string_view route, const std::vector<Domain>& domains) {
  std::string r(route);
  std::size_t slash = r.find('/');
  std::string host_domain = r.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : r.substr(slash);
  const Domain* best = nullptr;
  for (const Domain& d : domains) {
    bool match = host_domain == d.name ||
                 (host_domain.size() > d.name.size() && host_domain.ends_with("." + d.name));
    if (match && (best == nullptr || d.name.size() > best->name.size())) best = &d;
  }
  if (best == nullptr) {
    std::string known;
    for (const Domain& d : domains) known += (known.empty() ? "" : ", ") + d.name;
    return Status::NotFound("route '" + r + "': no domain of wharfd matches (domains: " +
                            (known.empty() ? "none" : known) + "); add one with 'wharf create-domain DOMAIN'");
  }
  RouteTarget t;
  t.domain = *best;
  t.path = path;
  if (host_domain != best->name) t.host = host_domain.substr(0, host_domain.size() - best->name.size() - 1);
  if (t.host.find('.') != std::string::npos) {
    return Status::InvalidArgument("route '" + r + "': host '" + t.host + "' must be one label under domain '" +
                                   best->name + "'; create the domain '" +
                                   t.host.substr(t.host.find('.') + 1) + "." + best->name + "' first");
  }
  return t;
}

Result<std::optional<api::Route>> FindRoute(ApiClient& api, const RouteTarget& target) {
  WHARF_ASSIGN_OR_RETURN(auto routes, api.GetAllAs<api::Route>(
      "/v1/routes?host=" + ApiClient::Escape(target.host) + "&domain_guid=" + ApiClient::Escape(target.domain.guid)));
  for (api::Route& route : routes) {
    const std::string& domain_guid = route.domain.guid;
    if (route.host == target.host && route.path == target.path &&
        (domain_guid.empty() || domain_guid == target.domain.guid)) {
      return std::optional<api::Route>(std::move(route));
    }
  }
  return std::optional<api::Route>();
}

Result<api::Route> FindOrCreateRoute(ApiClient& api, const RouteTarget& target, bool* created) {
  if (created != nullptr) *created = false;
  WHARF_ASSIGN_OR_RETURN(auto existing, FindRoute(api, target));
  if (existing.has_value()) return std::move(*existing);
  json body = {{"host", target.host}, {"domain_guid", target.domain.guid}};
  if (!target.path.empty()) body["path"] = target.path;
  Result<api::Route> made = api.PostAs<api::Route>("/v1/routes", api.InSpace(body));
  if (made.ok()) {
    if (created != nullptr) *created = true;
    return made;
  }
  if (made.status().code() != StatusCode::kConflict) return made.status().WithContext("creating route " + target.Url());
  // Someone created it in between: use theirs.
  WHARF_ASSIGN_OR_RETURN(auto again, FindRoute(api, target));
  if (!again.has_value()) return made.status();
  return std::move(*again);
}

Result<bool> MapRoute(ApiClient& api, const api::Route& route, const std::string& app_guid) {
  for (const api::Destination& d : route.destinations) {
    if (d.app_guid == app_guid) return false;
  }
  Result<json> r =
      api.Post("/v1/routes/" + route.guid + "/destinations", json{{"app_guid", app_guid}, {"process_type", "web"}});
  if (!r.ok()) return r.status();
  return true;
}

std::string RandomRouteHost(std::string_view app_name, const std::function<std::size_t(std::size_t)>& pick) {
  static constexpr std::array<const char*, 24> kAdjectives = {
      "brave", "calm",  "eager", "fair",  "gentle", "happy", "jolly", "kind",  "lively", "merry", "nice",  "proud",
      "quick", "quiet", "rapid", "sharp", "shiny",  "smart", "sunny", "swift", "tidy",   "vivid", "witty", "zesty"};
  static constexpr std::array<const char*, 24> kNouns = {
      "badger", "bear",  "beaver", "bison", "crane", "eagle", "falcon", "ferret", "fox",    "gecko",  "heron", "ibex",
      "koala",  "lemur", "lynx",   "marten", "moose", "otter", "panda",  "puffin", "quokka", "raven", "seal",  "wombat"};
  std::string suffix = std::string("-") + kAdjectives[pick(kAdjectives.size())] + "-" + kNouns[pick(kNouns.size())];
  std::string name(app_name);
  if (name.size() + suffix.size() > 63) name.resize(63 - suffix.size());
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name + suffix;
}

}  // namespace wharf::cli
