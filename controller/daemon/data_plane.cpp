#include "controller/daemon/data_plane.h"

#include <iostream>

#include "cell/cell.h"
#include "cell/task_runner.h"
#include "common/event_log.h"
#include "common/file_io.h"
#include "common/time/periodic_task.h"
#include "controller/cells/remote_cells.h"
#include "controller/dataplane/buildpack_registry_db.h"
#include "controller/dataplane/cell_adapters.h"
#include "controller/dataplane/desired_state_db.h"
#include "controller/dataplane/network_plan_sync.h"
#include "controller/dataplane/orchestration/autoscaler_engine.h"
#include "controller/dataplane/orchestration/canary_analyzer.h"
#include "controller/dataplane/orchestration/http_prober.h"
#include "controller/dataplane/routing/route_emitter.h"
#include "controller/dataplane/routing/routing_sync.h"
#include "controller/dataplane/service_access_sync.h"
#include "controller/platform/log_buffer.h"
#include "controller/services/apps/task_service.h"
#include "controller/services/marketplace/service_broker_service.h"
#include "router/router.h"
#include "router/routes/route_registry.h"
#include "runtime/container_runtime.h"
#include "runtime/network/service_openings.h"
#include "services/builtin/builtin_brokers.h"
#include "stager/buildpacks/buildpack_registry.h"
#include "stager/stager.h"

namespace wharf::controller {
namespace {
constexpr int kRouterThreads = 2;
constexpr std::chrono::milliseconds kRouteSyncInterval{50};  // a read happens only after a commit
constexpr std::chrono::milliseconds kServiceAccessInterval{200};
constexpr std::chrono::milliseconds kNetworkPlanInterval{500};
// Cells on other hosts heartbeat every second: after this, the first table has their instances.
constexpr std::chrono::milliseconds kRemoteCellsSettle{1500};
}  // namespace

// Destroyed in reverse order: the cell and the stager (they use the runtime and
// the routing), then the router, the sync (it feeds the registry), the registry,
// and the runtime last.
struct DataPlane::Parts {
  Daemon* daemon = nullptr;
  StagingScheduler* scheduler = nullptr;
  std::unique_ptr<runtime::ContainerRuntime> runtime;
  // What containers may reach beyond the router's port: security groups and network policies.
  std::unique_ptr<NetworkPlanSync> network_plan;
  std::unique_ptr<router::RouteRegistry> registry;
  std::shared_ptr<router::TlsCertificateStore> certificates;  // the domains' certificates (router role)
  std::unique_ptr<AppLogAccessSink> access_sink;
  std::unique_ptr<RoutingSync> routing;
  // --nats-url (api role): the routing table as route registrations for routers on other hosts.
  std::unique_ptr<bus::NatsClient> bus;
  std::unique_ptr<RouteEmitter> emitter;
  std::unique_ptr<router::Router> router;
  std::unique_ptr<DbBuildpackRegistry> buildpacks;
  std::unique_ptr<stager::Stager> stager;
  // The cell and, before it, what it reads and reports through (controller/dataplane/cell_adapters.h).
  std::unique_ptr<DbDesiredState> desired;
  std::unique_ptr<health::SocketProber> prober;
  std::unique_ptr<LogBufferSink> cell_logs;
  std::unique_ptr<InstanceAuditRecorder> audit;
  std::unique_ptr<RoutingSyncEndpoints> endpoints;
  std::unique_ptr<cell::Cell> cell;
  state::CommitSubscription cell_wake;  // every commit wakes the cell's sync (declared after the cell: goes first)
  // Wharf's own service brokers (api role) and the bridge openings to their servers (with a cell).
  std::unique_ptr<services::builtin::BuiltinBrokers> brokers;
  std::unique_ptr<runtime::ServiceOpenings> openings;
  std::unique_ptr<ServiceAccessSync> service_access;
  // Tasks on this cell (uses the runtime and the log sink above; reports to the Daemon's TaskService).
  std::unique_ptr<cell::TaskRunner> tasks;
  // The autoscaler's loop (api role): reads the cell through the Daemon's slot and the registry's counters.
  std::unique_ptr<AutoscalerEngine> autoscaler;
  // Automated canary analysis (api role): the registry's counters per revision, the cell's crashes.
  std::unique_ptr<HttpProber> canary_prober;  // synthetic requests for thin canary windows, through the router
  std::unique_ptr<CanaryAnalyzer> canary_analyzer;
  bool remote_routing = false;  // the Daemon's RemoteCells push endpoints to `routing`
  PeriodicTask remote_settle;   // releases `routing`'s channel once remote cells had time to report
  bool stopped = false;
};

// Starts the built-in brokers, registers them (their port changes with each start), and,
// with isolated containers here, opens their servers' ports to the apps bound to them.
Status DataPlane::StartBuiltinBrokers(const Config& config, const Clock& clock, Daemon& daemon, Parts& parts) {
  services::builtin::BuiltinBrokersOptions options;
  options.records_dir = daemon.layout().builtin_brokers();
  options.servers_dir = config.services_dir;
  options.services = config.builtin_services;
  // Apps reach the host's loopback servers at the bridge's address (DNATed per binding).
  const bool isolated = parts.runtime && parts.runtime->HostAddressForInstances() != "127.0.0.1";
  if (parts.runtime) options.host_for_apps = parts.runtime->HostAddressForInstances();
  auto brokers = services::builtin::BuiltinBrokers::Start(options);
  if (!brokers.ok()) return brokers.status().WithContext("starting the built-in service brokers");
  parts.brokers = std::move(brokers).value();
  for (const std::string& warning : parts.brokers->Warnings()) {
    daemon.events().Log("services-warning", {{"warning", warning}});
    std::cerr << "wharfd: WARNING: " << warning << std::endl;
  }
  ServiceBrokerService registry(daemon.database(), clock, daemon.events(), std::chrono::seconds(30));
  std::set<std::string> broker_guids;
  for (const auto& endpoint : parts.brokers->Endpoints()) {
    auto broker = registry.RegisterBuiltin({endpoint.name, endpoint.url, endpoint.username, endpoint.password});
    if (!broker.ok()) return broker.status().WithContext("registering the built-in broker " + endpoint.name);
    broker_guids.insert(broker->guid);
    daemon.events().Log("service-broker-builtin", {{"name", endpoint.name}, {"url", endpoint.url}});
  }
  if (!isolated || broker_guids.empty()) return Status::Ok();
  const std::string bridge = config.bridge.empty() ? runtime::RuntimeConfig{}.bridge : config.bridge;
  auto openings = runtime::ServiceOpenings::Create(bridge, parts.runtime->HostAddressForInstances(),
                                                   daemon.layout().runtime());
  if (!openings.ok()) return openings.status().WithContext("opening the bridge to the built-in services");
  parts.openings = std::move(openings).value();
  runtime::ServiceOpenings* table = parts.openings.get();
  services::builtin::BuiltinBrokers* servers = parts.brokers.get();
  parts.service_access = std::make_unique<ServiceAccessSync>(
      daemon.database(), *parts.runtime, std::move(broker_guids), [servers] { return servers->ServerPorts(); },
      [table](const std::set<runtime::Opening>& set) { return table->Apply(set); });
  WHARF_RETURN_IF_ERROR(parts.service_access->Sync().WithContext("opening the bridge to the built-in services"));
  parts.service_access->Start(kServiceAccessInterval);
  return Status::Ok();
}

DataPlane::DataPlane(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

DataPlane::~DataPlane() { Stop(); }

Result<std::unique_ptr<DataPlane>> DataPlane::Start(const Config& config, const Clock& clock, Daemon& daemon,
                                                    StagingScheduler* scheduler) {
  auto p = std::make_unique<Parts>();
  p->daemon = &daemon;
  const bool stager_role = config.HasRole("stager") && scheduler != nullptr;
  const bool cell_role = config.HasRole("cell");
  // Until Stop, a failure below must also release what was started; the Parts'
  // destructor order does that, and Stop() is called on the half-built plane.
  std::unique_ptr<DataPlane> plane(new DataPlane(std::move(p)));
  Parts& parts = *plane->parts_;

  if (stager_role || cell_role) {
    runtime::RuntimeConfig rc;
    rc.state_root = daemon.layout().runtime();
    rc.stacks_dir = config.stacks_dir;
    rc.backend = config.runtime;
    rc.disk_quota_loop = config.disk_quotas_enforced;
    rc.clock = &clock;
    if (!config.bridge.empty()) rc.bridge = config.bridge;
    if (!config.container_subnet.empty()) rc.subnet = config.container_subnet;
    // Apps reach each other through this wharfd's router (at the bridge's address); the API,
    // the router's admin port and every other host port stay out of their reach.
    if (config.HasRole("router")) {
      rc.instance_host_ports = {config.router_port};
      // The router's system route for custom metrics resolves to it inside containers.
      if (config.HasRole("api")) rc.instance_host_names = {std::string(kAutoscalerMetricsHost) + "." + config.domain};
    }
    auto rt = runtime::MakeRuntime(rc);
    if (!rt.ok()) return rt.status().WithContext("starting the container runtime (--runtime " + config.runtime + ")");
    parts.runtime = std::move(rt).value();
    daemon.instances().SetRuntime(
        {std::string(parts.runtime->Name()), parts.runtime->Isolated(), parts.runtime->Warnings()});
    for (const std::string& warning : parts.runtime->Warnings()) {
      daemon.events().Log("runtime-warning", {{"runtime", std::string(parts.runtime->Name())}, {"warning", warning}});
      std::cerr << "wharfd: WARNING: " << warning << std::endl;
    }
    // In force before the first staging or instance starts (and for the ones that outlived the last wharfd).
    parts.network_plan = std::make_unique<NetworkPlanSync>(daemon.database(), *parts.runtime);
    WHARF_RETURN_IF_ERROR(parts.network_plan->Sync().WithContext("applying the security groups and network policies"));
    parts.network_plan->Start(kNetworkPlanInterval);
  }

  const bool router_role = config.HasRole("router");
  const bool api_role = config.HasRole("api");
  if (router_role || api_role) {
    // The routing table feeds this wharfd's router and the API's route stream (other routers).
    if (router_role) parts.registry = std::make_unique<router::RouteRegistry>(kRouterThreads + 1);
    // With a cell here, the API's route stream waits until the cell has re-adopted its instances;
    // with cells on other hosts, until their first heartbeats had time to arrive (kRemoteCellsSettle).
    parts.routing = std::make_unique<RoutingSync>(daemon.database(), parts.registry.get(),
                                                  api_role ? &daemon.route_table() : nullptr,
                                                  cell_role || api_role);
    if (router_role) {
      parts.certificates = std::make_shared<router::TlsCertificateStore>();
      parts.routing->SetCertificateStore(parts.certificates.get());
    }
    if (daemon.metrics_forwarder_port() != 0) {
      auto key = router::ParseRouteUri(std::string(kAutoscalerMetricsHost) + "." + config.domain);
      if (!key.ok()) return key.status().WithContext("the metrics forwarder's route");
      router::RouteSpec forwarder;
      forwarder.key = *key;
      router::Endpoint endpoint;
      endpoint.instance_id = "autoscaler-metrics-forwarder";
      endpoint.host = "127.0.0.1";
      endpoint.port = daemon.metrics_forwarder_port();
      forwarder.endpoints.push_back(endpoint);
      parts.routing->SetSystemRoutes({forwarder});
    }
    // Routes are loaded before the first request is accepted.
    WHARF_RETURN_IF_ERROR(parts.routing->Start(kRouteSyncInterval, &daemon.routing_progress()).WithContext("computing the routing table"));
  }
  if (api_role && !config.nats_url.empty()) {
    bus::NatsOptions nats;
    nats.url = config.nats_url;
    nats.ca_file = config.nats_ca_file.string();
    nats.name = "wharfd-api";
    nats.on_state = [url = bus::MaskNatsUrl(config.nats_url)](std::string_view what) {
      std::cerr << "wharfd: NATS " << url << ": " << what << std::endl;
    };
    auto connected = bus::NatsClient::Connect(nats);
    if (!connected.ok()) return connected.status().WithContext("--nats-url");
    parts.bus = std::move(connected).value();
    parts.emitter = std::make_unique<RouteEmitter>(*parts.bus, daemon.route_table(), clock);
    WHARF_RETURN_IF_ERROR(parts.emitter->Start().WithContext("publishing routes on NATS"));
  }
  if (router_role) {
    parts.access_sink = std::make_unique<AppLogAccessSink>(daemon.logs());
    router::RouterOptions options;
    options.listen_address = config.router_address;
    options.port = config.router_port;
    options.threads = kRouterThreads;
    options.admin_port = config.router_admin_port;
    options.tls_port = config.router_tls_port;
    options.certificates = parts.certificates;
    auto r = router::Router::Start(options, *parts.registry, clock, parts.access_sink.get());
    if (!r.ok()) return r.status().WithContext("starting the router on port " + std::to_string(config.router_port));
    parts.router = std::move(r).value();
    if (auto tls = parts.router->tls_port()) {
      WHARF_RETURN_IF_ERROR(WriteFileAtomic(daemon.layout().router_tls_port_file(), std::to_string(*tls) + "\n", 0644)
                                .WithContext("writing the router's TLS port"));
    }
  }

  if (stager_role) {
    auto dir = stager::FindBuiltinBuildpacksDir(config.buildpacks_dir);
    if (!dir.ok()) return dir.status().WithContext("finding the built-in buildpacks (--buildpacks-dir)");
    parts.buildpacks = std::make_unique<DbBuildpackRegistry>(daemon.database(), *dir);
    stager::StagerConfig sc;
    sc.work_dir = daemon.layout().staging();
    sc.disk_quota_loop = config.disk_quotas_enforced;
    parts.stager = std::make_unique<stager::Stager>(sc, daemon.blobs(), *parts.runtime, *parts.buildpacks, clock);
    parts.scheduler = scheduler;
    stager::StagingLimits limits;
    limits.memory_bytes = static_cast<std::uint64_t>(config.staging_memory_mb) << 20;
    limits.disk_bytes = static_cast<std::uint64_t>(config.staging_disk_mb) << 20;
    limits.timeout = std::chrono::minutes(config.staging_timeout_minutes);
    // What builds interrupted by a previous wharfd left behind goes before any new staging starts.
    for (const std::string& build : daemon.interrupted_builds()) {
      Status removed = parts.stager->DiscardLeftovers(build);
      daemon.events().Log("staging-leftovers-removed",
                          {{"build_guid", build}, {"result", removed.ok() ? "ok" : removed.ToString()}});
    }
    scheduler->Attach(*parts.stager, daemon.builds(), daemon.logs(), limits);
  }

  if (cell_role) {
    parts.desired = std::make_unique<DbDesiredState>(daemon.database(), daemon.blobs(), daemon.platform().tenancy);
    parts.prober = std::make_unique<health::SocketProber>();
    parts.cell_logs = std::make_unique<LogBufferSink>(daemon.logs());
    parts.audit = std::make_unique<InstanceAuditRecorder>(daemon.database(), daemon.events());
    if (parts.routing) parts.endpoints = std::make_unique<RoutingSyncEndpoints>(*parts.routing, parts.registry.get());
    cell::CellDeps deps{*parts.runtime, *parts.desired, *parts.prober, *parts.cell_logs, *parts.audit,
                        parts.endpoints.get(), clock};
    cell::CellOptions options;
    options.droplets_dir = daemon.layout().droplets();
    options.api_url = daemon.platform().api_url;
    auto cell = cell::Cell::Start(deps, options);
    if (!cell.ok()) return cell.status().WithContext("starting the cell");
    parts.cell = std::move(cell).value();
    parts.cell_wake = daemon.database().OnCommit([c = parts.cell.get()] { c->DesiredStateChanged(); });
    daemon.instances().Set(parts.cell.get());
    cell::TaskRunnerOptions task_options;
    task_options.droplets_dir = daemon.layout().droplets();
    task_options.api_url = daemon.platform().api_url;
    parts.tasks = std::make_unique<cell::TaskRunner>(*parts.runtime, *parts.cell_logs, daemon.tasks(), clock,
                                                     task_options);
    // Task containers a previous wharfd left: their outcome is recorded (a finished one's exit
    // status, a still running one stopped and failed), and they are removed.
    parts.tasks->Recover();
    parts.tasks->Start();
    daemon.task_runners().Set(parts.tasks.get());
  }
  if (api_role) {
    // Whatever is still unfinished had no container left to settle it: it failed with the old wharfd.
    Status failed = daemon.tasks().FailUnfinished("wharfd restarted before the task finished");
    if (!failed.ok()) return failed.WithContext("failing the tasks a previous wharfd left unfinished");
  }
  // Cells on other hosts (no cell role here): their routable instances become endpoints.
  if (!cell_role && parts.routing) {
    daemon.remote_cells().SetRouting([routing = parts.routing.get()](const std::string& app, const std::string& type,
                                                                      std::vector<router::Endpoint> endpoints) {
      // A failed sync is retried by RoutingSync's own timer with the endpoints kept.
      (void)routing->SetEndpoints(app, type, std::move(endpoints));
    });
    parts.remote_routing = true;
  }
  if (parts.routing && parts.remote_routing) {
    // Routers in other processes keep their last table until the cells reported (a restarted API
    // would otherwise publish every route without endpoints for a moment).
    parts.remote_settle.Start(kRemoteCellsSettle, [routing = parts.routing.get()] { routing->ReleaseChannel(); });
  } else if (parts.routing) {
    parts.routing->ReleaseChannel();
  }
  if (config.RunsBuiltinBrokers()) {
    WHARF_RETURN_IF_ERROR(StartBuiltinBrokers(config, clock, daemon, parts));
    // What a previous wharfd left in progress reaches the brokers at their new address
    // (wharfd's main deferred it: DaemonOptions::defer_service_resume).
    WHARF_RETURN_IF_ERROR(daemon.ResumeServiceOperations());
  }
  if (api_role) {
    router::RouteRegistry* registry = parts.registry.get();
    TrafficSource traffic;
    if (registry != nullptr) {
      traffic = [registry] {
        std::map<std::string, router::TrafficTotals> out;
        for (const auto& [app, stats] : registry->AppStats()) out[app] = stats->Totals();
        return out;
      };
    }
    AutoscalerEngineOptions autoscaler_options;
    autoscaler_options.cell = {daemon.cell_capacity().memory_mb, daemon.cell_capacity().cpus};
    parts.autoscaler = std::make_unique<AutoscalerEngine>(daemon.database(), clock, daemon.autoscaling(),
                                                          daemon.autoscaling_metrics(), daemon.processes(),
                                                          daemon.instances(), std::move(traffic), daemon.events(),
                                                          autoscaler_options);
    parts.autoscaler->Start([&daemon] { return daemon.LeadsOrchestration(); });
    VersionTrafficSource versions;
    if (registry != nullptr) versions = [registry] { return registry->VersionTotals(); };
    if (parts.router) parts.canary_prober = std::make_unique<HttpProber>(parts.router->port());
    parts.canary_analyzer = std::make_unique<CanaryAnalyzer>(daemon.database(), clock, daemon.deployments(),
                                                             daemon.instances(), std::move(versions), daemon.events(),
                                                             parts.canary_prober.get());
    parts.canary_analyzer->Start([&daemon] { return daemon.LeadsOrchestration(); });
  }
  return plane;
}

void DataPlane::Stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->autoscaler) parts_->autoscaler->Stop();
  if (parts_->canary_analyzer) parts_->canary_analyzer->Stop();
  if (parts_->canary_prober) parts_->canary_prober->Stop();
  if (parts_->service_access) parts_->service_access->Stop();
  if (parts_->network_plan) parts_->network_plan->Stop();
  // The servers stop cleanly (their data stays); the openings' table goes with the plane.
  if (parts_->brokers) parts_->brokers->Stop();
  if (parts_->tasks) {
    parts_->daemon->task_runners().Set(nullptr);
    parts_->tasks->Stop();
  }
  if (parts_->cell) {
    parts_->cell_wake.Reset();
    parts_->daemon->instances().Set(nullptr);
    parts_->cell->Stop();
  }
  if (parts_->scheduler) parts_->scheduler->Stop();
  if (parts_->emitter) parts_->emitter->Stop();  // routers keep the routes until they prune them
  parts_->remote_settle.Stop();
  if (parts_->remote_routing) parts_->daemon->remote_cells().SetRouting({});
  if (parts_->routing) parts_->routing->Stop();
  if (parts_->router) parts_->router->Stop();
}

std::uint16_t DataPlane::router_port() const { return parts_->router ? parts_->router->port() : 0; }

std::string DataPlane::runtime_name() const { return parts_->runtime ? std::string(parts_->runtime->Name()) : ""; }

}  // namespace wharf::controller
