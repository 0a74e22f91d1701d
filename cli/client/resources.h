// Typed lookups over the wharfd API shared by several commands: find an app
// by name, list domains, find or create a route and map it. Each returns the
// resource as api-model's struct; errors name the thing that was looked for.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api-model/apps/app.h"
#include "api-model/apps/build.h"
#include "api-model/platform/route.h"
#include "api-model/platform/service.h"
#include "cli/client/api_client.h"
#include "common/status.h"

namespace wharf::cli {

using nlohmann::json;
using api::Domain;

// The app named `name`, or nullopt when there is none.
Result<std::optional<api::App>> FindApp(ApiClient& api, std::string_view name);
// Like FindApp, but a missing app is kNotFound "app 'NAME' not found".
Result<api::App> GetApp(ApiClient& api, std::string_view name);

// The service instance named `name`, or nullopt; GetServiceInstance: kNotFound
// "service instance 'NAME' not found".
Result<std::optional<api::ServiceInstance>> FindServiceInstance(ApiClient& api, std::string_view name);
Result<api::ServiceInstance> GetServiceInstance(ApiClient& api, std::string_view name);
// Binds the app to the instance (POST /v1/service_bindings); false when it was already bound.
Result<bool> BindService(ApiClient& api, const api::App& app, const api::ServiceInstance& instance,
                         const std::string& binding_name, const nlohmann::json& parameters);

// Uploads a droplet tarball as a droplet of the app (POST /v1/apps/:guid/droplets), not yet its current one.
Result<api::Droplet> UploadDroplet(ApiClient& api, const std::string& app_guid, const std::filesystem::path& file);
// Makes the droplet the app's current one (PATCH /v1/apps/:guid/relationships/current_droplet).
Status SetCurrentDroplet(ApiClient& api, const std::string& app_guid, const std::string& droplet_guid);

Result<std::vector<Domain>> ListDomains(ApiClient& api);
// The domain for default routes: the first shared domain, else `fallback`
// (GET /v1/info's "domain") when it is a known domain.
std::optional<Domain> DefaultDomain(const std::vector<Domain>& domains, std::string_view fallback);

// A route split into its parts.
struct RouteTarget {
  std::string host;  // may be empty: the domain itself
  std::string path;  // "" or "/..."
  Domain domain;
  std::string Url() const;  // "host.domain/path"
};

// Splits "host.domain[/path]" at the longest known domain it ends with.
Result<RouteTarget> ResolveRoute(std::string_view route, const std::vector<Domain>& domains);

// The route with exactly this host, domain and path, or nullopt.
Result<std::optional<api::Route>> FindRoute(ApiClient& api, const RouteTarget& target);

// Finds or creates the route. `created` tells which happened.
Result<api::Route> FindOrCreateRoute(ApiClient& api, const RouteTarget& target, bool* created);

// Adds the app as a destination of the route unless it already is one.
// Returns true when the mapping was added.
Result<bool> MapRoute(ApiClient& api, const api::Route& route, const std::string& app_guid);

// "NAME-ADJECTIVE-NOUN" from two random picks in small word lists; `pick(n)`
// returns a number in [0, n).
std::string RandomRouteHost(std::string_view app_name, const std::function<std::size_t(std::size_t)>& pick);

}  // namespace wharf::cli
