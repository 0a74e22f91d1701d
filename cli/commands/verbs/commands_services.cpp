// services, service, create-service, update-service, create-user-provided-service, update-user-provided-service,
// bind-service, unbind-service, rotate-service-credentials, delete-service, create-service-key, service-keys,
// service-key, delete-service-key.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <ostream>

#include "cli/client/resources.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

// The app and the service instance a binding verb names (APP SERVICE_INSTANCE), each found by name.
struct AppAndInstance {
  ApiClient* api = nullptr;
  api::App app;
  api::ServiceInstance instance;
};

Result<AppAndInstance> FindAppAndInstance(CliContext& ctx, const std::string& app_name,
                                          const std::string& instance_name) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, app_name));
  WHARF_ASSIGN_OR_RETURN(api::ServiceInstance instance, GetServiceInstance(*api, instance_name));
  return AppAndInstance{api, std::move(app), std::move(instance)};
}

using nlohmann::json;

// -p / -c: inline JSON, or a file holding JSON (Cloud Foundry's JSON|FILE). Must be an object.
Result<json> JsonObjectArg(const std::string& value, const std::string& flag) {
  json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(value, ec)) {
      return UsageError(flag + ": '" + value + "' is neither JSON nor a file");
    }
    WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(value));
    parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) return UsageError(flag + ": file '" + value + "' does not hold valid JSON");
  }
  if (!parsed.is_object()) return UsageError(flag + ": must be a JSON object, e.g. '{\"user\":\"admin\"}'");
  return parsed;
}

// -t "a, b,c" -> ["a", "b", "c"] (Cloud Foundry's comma-separated tags).
std::vector<std::string> TagsArg(const std::string& value) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    std::string tag = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    tag.erase(0, tag.find_first_not_of(' '));
    tag.erase(tag.find_last_not_of(' ') + 1);
    if (!tag.empty()) tags.push_back(tag);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return tags;
}

std::string LastOperationText(const api::LastOperation& op) { return op.type + " " + op.state; }

std::string BoundApps(const api::ServiceInstance& i) {
  std::string out;
  for (const api::ServiceBinding& b : i.bindings) {
    if (b.type == "app") out += (out.empty() ? "" : ", ") + b.app_name;
  }
  return out;
}

Status RunServices(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto instances, api->GetAllAs<api::ServiceInstance>("/v1/service_instances" + api->SpaceFilter()));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(instances));
    return Status::Ok();
  }
  ctx.out() << "Getting service instances" << ctx.AsUser() << "...\n\n";
  if (instances.empty()) {
    ctx.out() << "No service instances found.\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::ServiceInstance& i : instances) {
    rows.push_back({i.name, i.offering_name, i.plan_name, BoundApps(i), LastOperationText(i.last_operation),
                    i.broker_name});
  }
  ctx.out() << RenderTable({"name", "offering", "plan", "bound apps", "last operation", "broker"}, rows,
                           ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunService(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto i, GetServiceInstance(*api, args.positionals[0]));
  if (args.Has("guid")) {
    ctx.out() << i.guid << "\n";
    return Status::Ok();
  }
  if (args.Has("json")) {
    PrintJson(ctx, i.ToJson());
    return Status::Ok();
  }
  std::string tags;
  for (const std::string& t : i.tags) tags += (tags.empty() ? "" : ", ") + t;
  ctx.out() << "Showing info of service " << i.name << ctx.AsUser() << "...\n\n";
  std::vector<std::pair<std::string, std::string>> fields = {{"name:", i.name}, {"guid:", i.guid}};
  if (i.type == "user-provided") {
    fields.push_back({"type:", "user-provided"});
    fields.push_back({"tags:", tags});
    fields.push_back({"route service url:", i.route_service_url});
    fields.push_back({"syslog drain url:", i.syslog_drain_url});
  } else {
    fields.push_back({"type:", "managed"});
    fields.push_back({"broker:", i.broker_name});
    fields.push_back({"offering:", i.offering_name});
    fields.push_back({"plan:", i.plan_name});
    fields.push_back({"tags:", tags});
    fields.push_back({"dashboard url:", i.dashboard_url});
  }
  std::size_t width = 0;
  for (const auto& [k, v] : fields) width = std::max(width, k.size());
  for (const auto& [k, v] : fields) ctx.out() << k << std::string(width - k.size() + 1, ' ') << v << "\n";
  ctx.out() << "\nShowing status of last operation:\n"
            << "   status:    " << LastOperationText(i.last_operation) << "\n"
            << "   message:   " << i.last_operation.description << "\n"
            << "   updated:   " << i.updated_at << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::ServiceBinding& b : i.bindings) {
    if (b.type == "app") rows.push_back({b.app_name, b.name, LastOperationText(b.last_operation), b.last_operation.description});
  }
  if (rows.empty()) {
    ctx.out() << "There are no bound apps for this service instance.\n";
  } else {
    ctx.out() << "Showing bound apps:\n"
              << RenderTable({"name", "binding name", "status", "message"}, rows, ctx.term().out_is_tty);
  }
  return Status::Ok();
}

// -p (credentials), -l (syslog drain), -r (route service), -t (tags): the fields
// create- and update-user-provided-service both send.
Status AddUserProvidedFields(const ParsedArgs& args, json& body) {
  if (auto p = args.Value("p")) {
    Result<json> credentials = JsonObjectArg(*p, "-p");
    if (!credentials.ok()) return credentials.status();
    body["credentials"] = *credentials;
  }
  if (auto l = args.Value("l")) body["syslog_drain_url"] = *l;
  if (auto r = args.Value("r")) body["route_service_url"] = *r;
  if (auto t = args.Value("t")) body["tags"] = TagsArg(*t);
  return Status::Ok();
}

Status RunCreateUserProvidedService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  json body = {{"type", "user-provided"}, {"name", name}};
  WHARF_RETURN_IF_ERROR(AddUserProvidedFields(args, body));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Creating user provided service " << name << ctx.AsUser() << "...\n";
  Result<api::ServiceInstance> made = api->PostAs<api::ServiceInstance>("/v1/service_instances", api->InSpace(body));
  if (!made.ok() && made.status().code() == StatusCode::kConflict) {
    ctx.out() << "Service instance " << name << " already exists\nOK\n";
    return Status::Ok();
  }
  if (!made.ok()) return made.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

// create-service SERVICE_OFFERING PLAN SERVICE_INSTANCE: the broker works in the background; like cf, the
// command waits a short while (or, with --wait, until the operation ends) and reports where it stands.
Status RunCreateService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& offering_name = args.positionals[0];
  const std::string& plan_name = args.positionals[1];
  const std::string& name = args.positionals[2];
  json body = {{"type", "managed"}, {"name", name}};
  if (auto c = args.Value("c")) {
    Result<json> parameters = JsonObjectArg(*c, "-c");
    if (!parameters.ok()) return parameters.status();
    body["parameters"] = *parameters;
  }
  if (auto t = args.Value("t")) body["tags"] = TagsArg(*t);
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto offerings, api->GetAllAs<api::ServiceOffering>("/v1/service_offerings"));
  std::string plan_guid;
  bool offering_found = false;
  for (const api::ServiceOffering& o : offerings) {
    if (o.name != offering_name) continue;
    offering_found = true;
    for (const api::ServicePlan& p : o.plans) {
      if (p.name == plan_name) plan_guid = p.guid;
    }
  }
  if (!offering_found) return Status::NotFound("service offering '" + offering_name + "' not found (see 'wharf marketplace')");
  if (plan_guid.empty()) {
    return Status::NotFound("service plan '" + plan_name + "' not found for offering '" + offering_name + "'");
  }
  body["plan_guid"] = plan_guid;
  ctx.out() << "Creating service instance " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto made, api->PostAs<api::ServiceInstance>("/v1/service_instances", api->InSpace(body)));
  const bool wait = args.Has("wait");
  const auto deadline = std::chrono::steady_clock::now() + (wait ? std::chrono::hours(2) : std::chrono::seconds(10));
  api::ServiceInstance now = made;
  while (now.last_operation.state == "in progress" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    WHARF_ASSIGN_OR_RETURN(auto again, api->GetAs<api::ServiceInstance>("/v1/service_instances/" + now.guid));
    now = again;
  }
  if (now.last_operation.state == "failed") {
    return Status::Unavailable("create failed: " + now.last_operation.description);
  }
  if (now.last_operation.state == "in progress") {
    ctx.out() << "\nCreate in progress. Use 'wharf services' or 'wharf service " << name
              << "' to check operation status.\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "\nService instance " << name << " created.\nOK\n";
  return Status::Ok();
}

Status RunUpdateUserProvidedService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  json body = json::object();
  WHARF_RETURN_IF_ERROR(AddUserProvidedFields(args, body));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto i, GetServiceInstance(*api, name));
  if (i.type != "user-provided") {
    return Status::InvalidArgument("service instance '" + name + "' is not user-provided");
  }
  ctx.out() << "Updating user provided service " << name << ctx.AsUser() << "...\n";
  if (body.empty()) {
    ctx.out() << "No flags specified. No changes were made.\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto updated, api->PatchAs<api::ServiceInstance>("/v1/service_instances/" + i.guid, body));
  ctx.out() << "OK\n";
  if (body.contains("credentials") || body.contains("syslog_drain_url")) {
    ctx.out() << "\nTIP: To make these changes take effect, use 'wharf unbind-service' to unbind the service, "
                 "'wharf bind-service' to rebind, and then 'wharf restage' to update the app with the new env "
                 "variables\n";
  }
  return Status::Ok();
}

// update-service SERVICE_INSTANCE [-p PLAN] [-c PARAMETERS] [-t TAGS] [--wait]: a managed instance's plan and
// parameters change through its broker (in the background, like create-service); tags change at once.
Status RunUpdateService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  json body = json::object();
  if (auto c = args.Value("c")) {
    Result<json> parameters = JsonObjectArg(*c, "-c");
    if (!parameters.ok()) return parameters.status();
    body["parameters"] = *parameters;
  }
  if (auto t = args.Value("t")) body["tags"] = TagsArg(*t);
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto i, GetServiceInstance(*api, name));
  if (i.type != "managed") {
    return Status::InvalidArgument("service instance '" + name +
                                   "' is user-provided; change it with 'wharf update-user-provided-service'");
  }
  if (auto plan = args.Value("p")) {
    WHARF_ASSIGN_OR_RETURN(auto offerings, api->GetAllAs<api::ServiceOffering>("/v1/service_offerings"));
    std::string plan_guid;
    for (const api::ServiceOffering& o : offerings) {
      if (o.name != i.offering_name || o.broker_name != i.broker_name) continue;
      for (const api::ServicePlan& p : o.plans) {
        if (p.name == *plan) plan_guid = p.guid;
      }
    }
    if (plan_guid.empty()) {
      return Status::NotFound("-p: service plan '" + *plan + "' not found for service offering '" + i.offering_name +
                              "' (see 'wharf marketplace -e " + i.offering_name + "')");
    }
    if (plan_guid != i.plan_guid) body["plan_guid"] = plan_guid;
  }
  ctx.out() << "Updating service instance " << name << ctx.AsUser() << "...\n";
  if (body.empty()) {
    ctx.out() << "No changes were made.\nOK\n";
    return Status::Ok();
  }
  Result<api::ServiceInstance> updated =
      api->PatchAs<api::ServiceInstance>("/v1/service_instances/" + i.guid, body);
  if (!updated.ok()) return updated.status();
  const bool wait = args.Has("wait");
  const auto deadline = std::chrono::steady_clock::now() + (wait ? std::chrono::hours(2) : std::chrono::seconds(10));
  api::ServiceInstance now = *updated;
  while (now.last_operation.state == "in progress" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    WHARF_ASSIGN_OR_RETURN(auto again, api->GetAs<api::ServiceInstance>("/v1/service_instances/" + now.guid));
    now = again;
  }
  if (now.last_operation.state == "failed") {
    return Status::Unavailable("update failed: " + now.last_operation.description +
                               " (the instance keeps its plan '" + now.plan_name + "')");
  }
  if (now.last_operation.state == "in progress") {
    ctx.out() << "\nUpdate in progress. Use 'wharf services' or 'wharf service " << name
              << "' to check operation status.\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "\nUpdate of service instance " << name << " completed (plan " << now.plan_name << ").\nOK\n";
  return Status::Ok();
}

// rotate-service-credentials APP SERVICE_INSTANCE: new credentials from the broker, a rolling restart onto
// them, the old ones revoked once the replaced instances drained (controller/services/marketplace/credential_rotation_service.h).
Status RunRotateServiceCredentials(CliContext& ctx, const ParsedArgs& args) {
  const std::string& app_name = args.positionals[0];
  const std::string& instance_name = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(AppAndInstance found, FindAppAndInstance(ctx, app_name, instance_name));
  ApiClient* api = found.api;
  const api::App* app = &found.app;
  const api::ServiceInstance* instance = &found.instance;
  std::optional<api::ServiceBinding> binding;
  for (const api::ServiceBinding& b : instance->bindings) {  // oldest first: the newest one is the app's
    if (b.type == "app" && b.app_guid == app->guid) binding = b;
  }
  if (!binding) {
    return Status::NotFound("app '" + app_name + "' is not bound to service instance '" + instance_name + "'");
  }
  ctx.out() << "Rotating the credentials of service instance " << instance_name << " for app " << app_name
            << ctx.AsUser() << "...\n";
  const auto started = std::chrono::steady_clock::now();
  Result<api::ServiceRotation> rotation =
      api->PostAs<api::ServiceRotation>("/v1/service_bindings/" + binding->guid + "/actions/rotate", json::object());
  if (!rotation.ok()) return rotation.status();
  if (args.Has("no-wait")) {
    ctx.out() << "Rotation " << rotation->guid << " started (" << rotation->state << ").\nOK\n";
    return Status::Ok();
  }
  api::ServiceRotation now = *rotation;
  std::string shown;
  const auto deadline = started + std::chrono::hours(1);
  for (;;) {
    if (now.state != shown) {
      ctx.out() << "   " << now.state << ": " << now.description << "\n" << std::flush;
      shown = now.state;
    }
    if (now.state == "succeeded" || now.state == "failed") break;
    if (std::chrono::steady_clock::now() > deadline) {
      ctx.out() << "\nStill rotating (" << now.state << "); see 'wharf events " << app_name << "'.\nOK\n";
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    WHARF_ASSIGN_OR_RETURN(auto again, api->GetAs<api::ServiceRotation>("/v1/service_rotations/" + now.guid));
    now = again;
  }
  if (now.state == "failed") return Status::Unavailable("credential rotation failed: " + now.description);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char took[32];
  std::snprintf(took, sizeof(took), "%.1f", seconds);
  ctx.out() << "\nRotated the credentials of service instance " << instance_name << " for app " << app_name << " in "
            << took << "s.\nOK\n";
  return Status::Ok();
}

Status RunBindService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& app_name = args.positionals[0];
  const std::string& instance_name = args.positionals[1];
  json parameters = json::object();
  if (auto c = args.Value("c")) {
    WHARF_ASSIGN_OR_RETURN(auto parsed, JsonObjectArg(*c, "-c"));
    parameters = parsed;
  }
  WHARF_ASSIGN_OR_RETURN(AppAndInstance found, FindAppAndInstance(ctx, app_name, instance_name));
  ApiClient* api = found.api;
  const api::App* app = &found.app;
  const api::ServiceInstance* instance = &found.instance;
  ctx.out() << "Binding service instance " << instance_name << " to app " << app_name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto bound, BindService(*api, *app, *instance, args.Value("binding-name").value_or(""), parameters));
  if (!bound) {
    ctx.out() << "App " << app_name << " is already bound to service instance " << instance_name << ".\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "OK\n\nTIP: Use 'wharf restage " << app_name << "' to ensure your env variable changes take effect\n";
  return Status::Ok();
}

Status RunUnbindService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& app_name = args.positionals[0];
  const std::string& instance_name = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(AppAndInstance found, FindAppAndInstance(ctx, app_name, instance_name));
  ApiClient* api = found.api;
  const api::App* app = &found.app;
  const api::ServiceInstance* instance = &found.instance;
  ctx.out() << "Unbinding app " << app_name << " from service " << instance_name << ctx.AsUser() << "...\n";
  for (const api::ServiceBinding& b : instance->bindings) {
    if (b.type != "app" || b.app_guid != app->guid) continue;
    WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/service_bindings/" + b.guid));
    ctx.out() << "OK\n";
    return Status::Ok();
  }
  ctx.out() << "Binding between " << instance_name << " and " << app_name << " did not exist\nOK\n";
  return Status::Ok();
}

Status RunDeleteService(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "service instance " + name));
  if (!go_on) return Status::Ok();
  ctx.out() << "Deleting service instance " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto i, FindServiceInstance(*api, name));
  if (!i.has_value()) {
    ctx.out() << "Service instance " << name << " did not exist.\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/service_instances/" + i->guid));
  if (r.is_object() && !r.empty()) {  // 202: the broker deprovisions it in the background
    ctx.out() << "\nDelete in progress. Use 'wharf services' or 'wharf service " << name
              << "' to check operation status.\n";
  }
  ctx.out() << "OK\n";
  return Status::Ok();
}

// The key named `key` of the instance, or nullopt.
std::optional<api::ServiceBinding> FindKey(const api::ServiceInstance& instance, const std::string& key) {
  for (const api::ServiceBinding& b : instance.bindings) {
    if (b.type == "key" && b.name == key) return b;
  }
  return std::nullopt;
}

Status RunCreateServiceKey(CliContext& ctx, const ParsedArgs& args) {
  const std::string& instance_name = args.positionals[0];
  const std::string& key = args.positionals[1];
  json body = {{"type", "key"}, {"name", key}};
  if (auto c = args.Value("c")) {
    Result<json> parameters = JsonObjectArg(*c, "-c");
    if (!parameters.ok()) return parameters.status();
    body["parameters"] = *parameters;
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto instance, GetServiceInstance(*api, instance_name));
  body["instance_guid"] = instance.guid;
  ctx.out() << "Creating service key " << key << " for service instance " << instance_name << ctx.AsUser() << "...\n";
  if (FindKey(instance, key)) {
    ctx.out() << "Service key " << key << " already exists\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto made, api->PostAs<api::ServiceBinding>("/v1/service_bindings", body));
  api::ServiceBinding now = made;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (now.last_operation.state == "in progress" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    WHARF_ASSIGN_OR_RETURN(auto again, api->GetAs<api::ServiceBinding>("/v1/service_bindings/" + now.guid));
    now = again;
  }
  if (now.last_operation.state == "failed") return Status::Unavailable("create failed: " + now.last_operation.description);
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunServiceKeys(CliContext& ctx, const ParsedArgs& args) {
  const std::string& instance_name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto instance, GetServiceInstance(*api, instance_name));
  ctx.out() << "Getting keys for service instance " << instance_name << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::ServiceBinding& b : instance.bindings) {
    if (b.type == "key") rows.push_back({b.name, LastOperationText(b.last_operation), b.last_operation.description});
  }
  if (rows.empty()) {
    ctx.out() << "No service key for service instance " << instance_name << "\n";
    return Status::Ok();
  }
  ctx.out() << RenderTable({"name", "last operation", "message"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunServiceKey(CliContext& ctx, const ParsedArgs& args) {
  const std::string& instance_name = args.positionals[0];
  const std::string& key = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto instance, GetServiceInstance(*api, instance_name));
  std::optional<api::ServiceBinding> found = FindKey(instance, key);
  if (!found) return Status::NotFound("no service key " + key + " found for service instance " + instance_name);
  if (args.Has("guid")) {
    ctx.out() << found->guid << "\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto details, api->GetAs<api::BindingDetails>("/v1/service_bindings/" + found->guid + "/details"));
  ctx.out() << "Getting key " << key << " for service instance " << instance_name << ctx.AsUser() << "...\n\n";
  ctx.out() << json{{"credentials", details.credentials}}.dump(2) << "\n";
  return Status::Ok();
}

Status RunDeleteServiceKey(CliContext& ctx, const ParsedArgs& args) {
  const std::string& instance_name = args.positionals[0];
  const std::string& key = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "service key " + key));
  if (!go_on) return Status::Ok();
  ctx.out() << "Deleting key " << key << " for service instance " << instance_name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto instance, FindServiceInstance(*api, instance_name));
  std::optional<api::ServiceBinding> found = instance ? FindKey(*instance, key) : std::nullopt;
  if (!found) {
    ctx.out() << "Service key " << key << " does not exist for service instance " << instance_name << ".\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/service_bindings/" + found->guid));
  ctx.out() << "OK\n";
  return Status::Ok();
}

FlagSpec CredentialsFlag() {
  return {"p", 'p', FlagKind::kString, "CREDENTIALS",
          "Credentials as inline JSON or a file holding JSON, e.g. '{\"user\":\"admin\",\"pass\":\"s3cret\"}'",
          false};
}
FlagSpec DrainFlag() {
  return {"l", 'l', FlagKind::kString, "URL", "URL to which logs for bound apps will be streamed", false};
}
FlagSpec RouteServiceFlag() {
  return {"r", 'r', FlagKind::kString, "URL", "URL to which requests for bound routes will be forwarded (https)",
          false};
}
FlagSpec TagsFlag() {
  return {"t", 't', FlagKind::kString, "TAGS", "User provided tags, comma-separated: -t \"sql, db\"", false};
}

}  // namespace

void AddServiceCommands(std::vector<Command>& out) {
  const std::string group = "Services";
  out.push_back({{"services", {"s"}, group, "List all service instances", "wharf services [--json]", "", {},
                  {JsonFlag()}},
                 RunServices});
  out.push_back({{"service", {}, group, "Show service instance info", "wharf service SERVICE_INSTANCE [--guid] [--json]",
                  "", {{"SERVICE_INSTANCE"}},
                  {{"guid", 0, FlagKind::kBool, "", "Retrieve and display the given service instance's guid"},
                   JsonFlag()}},
                 RunService});
  out.push_back({{"create-user-provided-service", {"cups"}, group,
                  "Make a user-provided service instance available to apps",
                  "wharf create-user-provided-service SERVICE_INSTANCE [-p CREDENTIALS] [-l SYSLOG_DRAIN_URL] "
                  "[-r ROUTE_SERVICE_URL] [-t TAGS]",
                  "Bound apps find CREDENTIALS in VCAP_SERVICES under \"user-provided\".\n"
                  "EXAMPLES:\n   wharf cups my-db -p '{\"uri\":\"postgres://u:p@db.example.com:5432/app\"}' -t \"sql\"\n"
                  "   wharf cups my-db -p ~/credentials.json",
                  {{"SERVICE_INSTANCE"}}, {CredentialsFlag(), DrainFlag(), RouteServiceFlag(), TagsFlag()}},
                 RunCreateUserProvidedService});
  out.push_back({{"create-service", {"cs"}, group, "Create a service instance",
                  "wharf create-service SERVICE_OFFERING PLAN SERVICE_INSTANCE [-c PARAMETERS_AS_JSON] [-t TAGS] [--wait]",
                  "The broker provisions it in the background: without --wait the command reports\n"
                  "'Create in progress' if it takes longer than a few seconds. A broker error leaves the instance\n"
                  "'create failed' (see 'wharf service'); delete it and try again.\n"
                  "EXAMPLES:\n   wharf create-service redis small cache -t sessions",
                  {{"SERVICE_OFFERING"}, {"PLAN"}, {"SERVICE_INSTANCE"}},
                  {{"c", 'c', FlagKind::kString, "PARAMETERS",
                    "Parameters for the broker as inline JSON or a file holding JSON", false},
                   TagsFlag(),
                   {"wait", 'w', FlagKind::kBool, "", "Wait for the operation to complete"}}},
                 RunCreateService});
  out.push_back({{"update-service", {}, group, "Update a service instance",
                  "wharf update-service SERVICE_INSTANCE [-p NEW_PLAN] [-c PARAMETERS_AS_JSON] [-t TAGS] [--wait]",
                  "Changes a managed service instance: the plan and parameters through its broker (in the\n"
                  "background; without --wait the command reports 'Update in progress' after a few seconds), the\n"
                  "tags at once. The new plan must be one of the same offering, enabled, and the offering must\n"
                  "allow plan changes (plan_updateable). A broker error leaves the instance 'update failed' on its\n"
                  "old plan. User-provided instances: 'wharf update-user-provided-service'.\n"
                  "EXAMPLES:\n   wharf update-service db -p large\n   wharf update-service db -c '{\"max_connections\": 50}'",
                  {{"SERVICE_INSTANCE"}},
                  {{"p", 'p', FlagKind::kString, "NEW_PLAN", "Change the service plan", false},
                   {"c", 'c', FlagKind::kString, "PARAMETERS",
                    "Parameters for the broker as inline JSON or a file holding JSON", false},
                   TagsFlag(),
                   {"wait", 'w', FlagKind::kBool, "", "Wait for the operation to complete"}}},
                 RunUpdateService});
  out.push_back({{"rotate-service-credentials", {}, group, "Give an app new credentials for a bound service instance",
                  "wharf rotate-service-credentials APP_NAME SERVICE_INSTANCE [--no-wait]",
                  "The broker makes a new binding (same binding name in VCAP_SERVICES), the app's instances\n"
                  "restart onto it one at a time (a rolling deployment: no request fails), and once the replaced\n"
                  "instances have drained and stopped, the old binding is unbound, so its credentials are revoked.\n"
                  "A stopped app just gets the new binding. Managed service instances only.\n"
                  "EXAMPLES:\n   wharf rotate-service-credentials web db",
                  {{"APP_NAME"}, {"SERVICE_INSTANCE"}},
                  {{"no-wait", 0, FlagKind::kBool, "", "Return once the rotation started (see 'wharf events APP')"}}},
                 RunRotateServiceCredentials});
  out.push_back({{"create-service-key", {"csk"}, group, "Create key for a service instance",
                  "wharf create-service-key SERVICE_INSTANCE SERVICE_KEY [-c PARAMETERS_AS_JSON]",
                  "Credentials for use outside the platform, from the instance's broker (managed instances only).",
                  {{"SERVICE_INSTANCE"}, {"SERVICE_KEY"}},
                  {{"c", 'c', FlagKind::kString, "PARAMETERS",
                    "Parameters for the broker as inline JSON or a file holding JSON", false}}},
                 RunCreateServiceKey});
  out.push_back({{"service-keys", {"sk"}, group, "List keys for a service instance",
                  "wharf service-keys SERVICE_INSTANCE", "", {{"SERVICE_INSTANCE"}}, {}},
                 RunServiceKeys});
  out.push_back({{"service-key", {}, group, "Show service key info", "wharf service-key SERVICE_INSTANCE SERVICE_KEY [--guid]",
                  "Prints the key's credentials.", {{"SERVICE_INSTANCE"}, {"SERVICE_KEY"}},
                  {{"guid", 0, FlagKind::kBool, "", "Retrieve and display the given service key's guid"}}},
                 RunServiceKey});
  out.push_back({{"delete-service-key", {"dsk"}, group, "Delete a service key",
                  "wharf delete-service-key SERVICE_INSTANCE SERVICE_KEY [-f]",
                  "The broker revokes its credentials. Asks for confirmation unless -f is given.",
                  {{"SERVICE_INSTANCE"}, {"SERVICE_KEY"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteServiceKey});
  out.push_back({{"update-user-provided-service", {"uups"}, group, "Update user-provided service instance",
                  "wharf update-user-provided-service SERVICE_INSTANCE [-p CREDENTIALS] [-l SYSLOG_DRAIN_URL] "
                  "[-r ROUTE_SERVICE_URL] [-t TAGS]",
                  "Bindings keep the credentials they were made with: unbind, bind again and restage the apps.",
                  {{"SERVICE_INSTANCE"}}, {CredentialsFlag(), DrainFlag(), RouteServiceFlag(), TagsFlag()}},
                 RunUpdateUserProvidedService});
  out.push_back({{"bind-service", {"bs"}, group, "Bind a service instance to an app",
                  "wharf bind-service APP_NAME SERVICE_INSTANCE [-c PARAMETERS_AS_JSON] [--binding-name BINDING_NAME]",
                  "The app sees the binding in VCAP_SERVICES after 'wharf restage' or 'wharf restart'.\n"
                  "EXAMPLES:\n   wharf bind-service web my-db --binding-name primary",
                  {{"APP_NAME"}, {"SERVICE_INSTANCE"}},
                  {{"c", 'c', FlagKind::kString, "PARAMETERS",
                    "Parameters for the broker as inline JSON or a file holding JSON", false},
                   {"binding-name", 0, FlagKind::kString, "BINDING_NAME",
                    "Name to expose the binding under in VCAP_SERVICES (default: the instance's name)"}}},
                 RunBindService});
  out.push_back({{"unbind-service", {"us"}, group, "Unbind a service instance from an app",
                  "wharf unbind-service APP_NAME SERVICE_INSTANCE", "", {{"APP_NAME"}, {"SERVICE_INSTANCE"}}, {}},
                 RunUnbindService});
  out.push_back({{"delete-service", {"ds"}, group, "Delete a service instance", "wharf delete-service SERVICE_INSTANCE [-f]",
                  "Refused while apps are bound to it or it has service keys (they are listed).\n"
                  "Asks for confirmation unless -f is given; without a terminal, -f is required.",
                  {{"SERVICE_INSTANCE"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteService});
}

}  // namespace wharf::cli
