// What the HTTP handlers work with: the services of the controller, facts
// about the platform and the request limits. Wired by the composition root.
#pragma once

#include <chrono>

#include "controller/cells/cell_service.h"
#include "controller/dataplane/routing/route_table_channel.h"
#include "controller/http/http_exchange.h"
#include "controller/http/http_router.h"
#include "controller/http/page_query.h"
#include "controller/http/stream_slots.h"
#include "controller/platform/instance_reporter.h"
#include "controller/platform/log_buffer.h"
#include "controller/platform/platform_info.h"
#include "controller/platform/routing_progress.h"
#include "controller/services/apps/app_service.h"
#include "controller/services/apps/process_service.h"
#include "controller/services/apps/route_service.h"
#include "controller/services/apps/ssh_service.h"
#include "controller/services/apps/task_service.h"
#include "controller/services/builds/build_service.h"
#include "controller/services/builds/buildpack_service.h"
#include "controller/services/builds/droplet_service.h"
#include "controller/services/builds/gc_service.h"
#include "controller/services/builds/package_service.h"
#include "controller/services/marketplace/credential_rotation_service.h"
#include "controller/services/marketplace/service_broker_service.h"
#include "controller/services/marketplace/service_instance_service.h"
#include "controller/services/releases/autoscaling_metrics.h"
#include "controller/services/releases/autoscaling_service.h"
#include "controller/services/releases/custom_metrics_intake.h"
#include "controller/services/releases/deployment_service.h"
#include "controller/services/releases/revision_service.h"
#include "controller/services/tenancy/network_policy_service.h"
#include "controller/services/tenancy/org_service.h"
#include "controller/services/tenancy/quota_service.h"
#include "controller/services/tenancy/security_group_service.h"
#include "controller/services/tenancy/user_service.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct ApiContext {
  const PlatformInfo& platform;
  state::Database& db;
  AppService& apps;
  ProcessService& processes;
  PackageService& packages;
  BuildService& builds;
  RouteService& routes;
  BuildpackService& buildpacks;
  GcService& gc;
  LogBuffer& logs;
  InstanceReporterSlot& instances;
  RouteTableChannel& route_table;
  StreamSlots& streams;  // bounds the log and routing streams open at once
  RevisionService& revisions;
  DeploymentService& deployments;
  ServiceInstanceService& service_instances;
  ServiceBrokerService& brokers;
  BodyLimits limits;
  // How often an idle log or route stream sends a newline so a dead client is noticed.
  std::chrono::milliseconds log_stream_keepalive{15000};
  // Autoscaling (null when not wired: its endpoints then answer 503).
  AutoscalingService* autoscaling = nullptr;
  AutoscalingMetrics* autoscaling_metrics = nullptr;
  const Clock* clock = nullptr;
  // How far the in-process router has caught up with the database (null: no waiting).
  RoutingProgress* routing_progress = nullptr;
  // Tasks (null when not wired: their endpoints then answer 503).
  TaskService* tasks = nullptr;
  // Droplet uploads, downloads and the choice of an app's droplet (null: 503).
  DropletService* droplets = nullptr;
  // `wharf ssh` into instances (null: 503).
  SshService* ssh = nullptr;
  // Credential rotations of service bindings (null: 503).
  CredentialRotationService* rotations = nullptr;
  // Custom metrics posted by apps (null: 503).
  CustomMetricsIntake* custom_metrics = nullptr;
  // Application security groups and container-to-container network policies (null: 503).
  SecurityGroupService* security_groups = nullptr;
  NetworkPolicyService* network_policies = nullptr;
  // Users with passwords, logins and their tokens (null: 503).
  UserService* users = nullptr;
  // Orgs, spaces and roles (null: 503).
  OrgService* orgs = nullptr;
  // Org and space quotas (null: 503).
  QuotaService* quotas = nullptr;
  // Cells on other hosts: heartbeats, listing, their apps' logs (null: 503).
  CellService* cells = nullptr;
};

// Registration of each group of endpoints (one file each).
void AddPlatformHandlers(HttpRouter& router, ApiContext& ctx);  // info, whoami, events, admin
void AddAppHandlers(HttpRouter& router, ApiContext& ctx);       // apps, env, actions
void AddProcessHandlers(HttpRouter& router, ApiContext& ctx);   // processes
void AddPackageHandlers(HttpRouter& router, ApiContext& ctx);   // resource matching, uploads, packages
void AddBuildHandlers(HttpRouter& router, ApiContext& ctx);     // builds, droplets
void AddRouteHandlers(HttpRouter& router, ApiContext& ctx);     // domains, routes, destinations
void AddLogHandlers(HttpRouter& router, ApiContext& ctx);       // recent logs, log stream
void AddBuildpackHandlers(HttpRouter& router, ApiContext& ctx); // the admin-ordered buildpack list
void AddRoutingHandlers(HttpRouter& router, ApiContext& ctx);   // the routing table for standalone routers
void AddRevisionHandlers(HttpRouter& router, ApiContext& ctx);  // app revisions, rollback
void AddDeploymentHandlers(HttpRouter& router, ApiContext& ctx);  // deploy with a strategy, continue, cancel
void AddServiceHandlers(HttpRouter& router, ApiContext& ctx);   // service instances, bindings, keys
void AddBrokerHandlers(HttpRouter& router, ApiContext& ctx);    // service brokers, marketplace, access
void AddAutoscalingHandlers(HttpRouter& router, ApiContext& ctx); // policies, history, metrics, credential
void AddCustomMetricsHandlers(HttpRouter& router, ApiContext& ctx); // custom metrics posted by apps
void AddTaskHandlers(HttpRouter& router, ApiContext& ctx);      // tasks: run, list, get, cancel
void AddSshHandlers(HttpRouter& router, ApiContext& ctx);       // the ssh feature, the ssh WebSocket
void AddSecurityGroupHandlers(HttpRouter& router, ApiContext& ctx);  // application security groups
void AddNetworkPolicyHandlers(HttpRouter& router, ApiContext& ctx);  // container-to-container policies
void AddUserHandlers(HttpRouter& router, ApiContext& ctx);       // users, password logins, refresh, logout
void AddOrgHandlers(HttpRouter& router, ApiContext& ctx);        // orgs, spaces, roles
void AddQuotaHandlers(HttpRouter& router, ApiContext& ctx);      // org and space quotas, their assignment
void AddCellHandlers(HttpRouter& router, ApiContext& ctx);       // cells on other hosts: heartbeats, list, logs

// Every endpoint of API v1, each behind its authorization policy (access.h); kInternal when an
// endpoint has none.
Status AddAllHandlers(HttpRouter& router, ApiContext& ctx);

// Small helpers shared by the handler files.
Result<state::PageRequest> PageOf(const ApiRequest& req);
// The page `page` of an in-memory list, in the list envelope.
template <typename T, typename Render>
nlohmann::json PagedJson(const std::vector<T>& all, const state::PageRequest& page, Render render) {
  nlohmann::json items = nlohmann::json::array();
  for (std::int64_t i = page.Offset(); i < static_cast<std::int64_t>(all.size()) && i < page.Offset() + page.per_page;
       ++i) {
    items.push_back(render(all[static_cast<std::size_t>(i)]));
  }
  return PageEnvelope(page, static_cast<std::int64_t>(all.size()), std::move(items));
}
template <typename T, typename Render>
nlohmann::json PageJson(const state::Page<T>& page, const state::PageRequest& request, Render render) {
  nlohmann::json items = nlohmann::json::array();
  for (const T& item : page.items) items.push_back(render(item));
  return PageEnvelope(request, page.total, std::move(items));
}

}  // namespace wharf::controller
