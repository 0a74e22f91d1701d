#include "controller/daemon/daemon.h"

#include "controller/daemon/disk_reserve.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "autoscaler/time_zone.h"
#include "common/event_log.h"
#include "common/file_io.h"
#include "common/time/periodic_task.h"
#include "controller/api/api_context.h"
#include "controller/api/api_server.h"
#include "controller/cells/cell_service.h"
#include "controller/cells/placement_driver.h"
#include "controller/cells/remote_cells.h"
#include "controller/daemon/data_dir_lock.h"
#include "controller/dataplane/orchestration/deployment_driver.h"
#include "controller/dataplane/orchestration/rotation_driver.h"
#include "controller/http/tls_server.h"
#include "controller/platform/auth.h"
#include "controller/platform/bootstrap.h"
#include "controller/platform/event_recorder.h"
#include "controller/services/builds/buildpack_service.h"
#include "controller/services/builds/droplet_service.h"
#include "controller/services/marketplace/service_operations.h"
#include "droplet-store/blob_store.h"
#include "stager/buildpacks/buildpack_registry.h"
#include "state/migrations.h"
#include "state/platform/settings_store.h"
#include "state/sql/db.h"
#include "state/sql/lease.h"

namespace wharf::controller {
namespace {

// Binds the API port. For --api-port 0 it prefers the port this data folder had
// last time, so clients configured with the API URL keep working across restarts;
// when that port is taken it picks a free one. The port used is remembered.
Result<std::unique_ptr<ApiServer>> BindApi(state::Database& db, const Clock& clock, std::uint16_t requested,
                                           const std::string& address) {
  std::optional<std::string> last;
  if (requested == 0) {
    auto stored = db.Read<std::optional<std::string>>(
        [](state::Tx& tx) { return state::SettingsStore(tx).Get(state::kSettingLastApiPort); });
    if (!stored.ok()) return stored.status();
    last = *stored;
  }
  Result<std::unique_ptr<ApiServer>> server = Status::Unavailable("not bound");
  if (last) {
    unsigned long port = std::strtoul(last->c_str(), nullptr, 10);
    if (port > 0 && port <= 65535) server = ApiServer::Bind(static_cast<std::uint16_t>(port), address);
  }
  if (!server.ok()) server = ApiServer::Bind(requested, address);
  if (!server.ok()) return server.status();
  std::string port = std::to_string((*server)->port());
  WHARF_RETURN_IF_ERROR(db.Transact([&](state::Tx& tx) {
    return state::SettingsStore(tx).Put(state::kSettingLastApiPort, port, FormatRfc3339(clock.Now()));
  }));
  return server;
}

// The API's URL as a client on this machine reaches it: the listening address, or loopback when
// it listens on every interface.
std::string LocalApiUrl(const Config& config, std::uint16_t port) {
  std::string host = config.api_address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(config.ApiTls() ? "https://" : "http://") + host + ":" + std::to_string(port);
}

}  // namespace

// Members are destroyed in reverse order: the server (which uses everything) first.
struct Daemon::Parts {
  Config config;
  DaemonOptions options;
  const Clock* clock = nullptr;
  DataLayout layout;
  std::unique_ptr<DataDirLock> lock;
  std::unique_ptr<FileEventLog> event_log;
  std::unique_ptr<state::Database> db;
  // Whether this wharfd runs the jobs that must run once among those sharing a PostgreSQL
  // database (the garbage collection); on SQLite it always does.
  std::unique_ptr<state::Lease> leader;
  // The same for the loops that act on deployments and instances (Daemon::LeadsOrchestration).
  std::unique_ptr<state::Lease> orchestration;
  // Cells on other hosts (controller/cells/): what they report, their heartbeats and, in a wharfd
  // without the cell role, the placement of instances on them (one placer: the lease "cell-placement").
  std::unique_ptr<DbDesiredState> remote_desired;
  std::unique_ptr<RemoteCells> remote_cells;
  std::unique_ptr<CellService> cell_service;
  std::unique_ptr<state::Lease> placement_lease;
  std::unique_ptr<PlacementDriver> placement_driver;
  bool remote_cells_plugged = false;  // RemoteCells is the InstanceReporterSlot's reporter
  std::unique_ptr<store::BlobStore> blobs;
  std::shared_mutex blob_lock;
  std::unique_ptr<EventRecorder> events;
  std::unique_ptr<LogBuffer> logs;
  PlatformInfo platform;
  CellCapacity capacity;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<AppService> apps;
  std::unique_ptr<ProcessService> processes;
  std::unique_ptr<PackageService> packages;
  std::unique_ptr<BuildService> builds;
  std::unique_ptr<RouteService> routes;
  std::unique_ptr<BuildpackService> buildpacks;
  std::unique_ptr<GcService> gc;
  std::unique_ptr<RevisionService> revisions;
  std::unique_ptr<DeploymentService> deployments;
  std::unique_ptr<DeploymentDriver> deployment_driver;
  std::unique_ptr<ServiceInstanceService> service_instances;
  std::unique_ptr<ServiceBrokerService> brokers;
  std::unique_ptr<ServiceOperations> service_operations;
  std::unique_ptr<CredentialRotationService> rotations;
  std::unique_ptr<RotationDriver> rotation_driver;
  bool service_resumed = false;  // ResumeServiceOperations ran
  std::unique_ptr<autoscaler::TimeZoneDb> zones;
  std::unique_ptr<AutoscalingService> autoscaling;
  std::unique_ptr<AutoscalingMetrics> autoscaling_metrics;
  std::unique_ptr<CustomMetricsIntake> custom_metrics;
  InstanceReporterSlot instances;
  TaskRunnerSlot task_runners;
  std::unique_ptr<TaskService> tasks;
  std::unique_ptr<DropletService> droplets;
  std::unique_ptr<SshService> ssh;
  std::unique_ptr<SecurityGroupService> security_groups;
  std::unique_ptr<UserService> users;
  std::unique_ptr<OrgService> orgs;
  std::unique_ptr<QuotaService> quotas;
  std::unique_ptr<NetworkPolicyService> network_policies;
  RouteTableChannel route_table;
  RoutingProgress routing_progress;
  std::unique_ptr<StreamSlots> streams;
  std::unique_ptr<ApiContext> api_context;
  std::unique_ptr<HttpRouter> router;
  std::unique_ptr<ApiServer> server;
  // The metrics forwarder: custom-metric posts only, on a loopback port of its own that the
  // router serves to apps as autoscaler-metrics.<domain> (apps never reach the API's port).
  std::unique_ptr<HttpRouter> forwarder_router;
  std::unique_ptr<ApiServer> forwarder;
  ApiServerOptions forwarder_options;
  PeriodicTask gc_timer;
  std::unique_ptr<DiskReserve> reserve;
  PeriodicTask disk_watch;
  std::chrono::steady_clock::time_point last_emergency_gc{};
  ApiServerOptions server_options;
  std::vector<std::string> interrupted_builds;
  bool serving = false;
  bool stopped = false;
};

Daemon::Daemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Daemon::~Daemon() { Stop(); }

Result<std::unique_ptr<Daemon>> Daemon::Start(const Config& config, const Clock& clock, const DaemonOptions& options,
                                              BuildScheduler* scheduler) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  p->options = options;
  p->clock = &clock;

  // The API's certificate and key are checked before anything is made or listens.
  if (config.HasRole("api") && config.ApiTls()) {
    auto tls = TlsServerContext::Load(config.api_tls_cert, config.api_tls_key);
    if (!tls.ok()) return tls.status();
    p->server_options.gate.tls = std::move(tls).value();
  }

  Result<DataLayout> layout = PrepareDataDir(config.data_dir);
  if (!layout.ok()) return layout.status();
  p->layout = *layout;
  const DataLayout& l = p->layout;

  auto lock = DataDirLock::Acquire(l.lock_file(), l.pid_file());
  if (!lock.ok()) return lock.status();
  p->lock = std::move(lock).value();

  auto event_log = FileEventLog::Open(l.event_log(), clock, options.echo_events_to_stderr);
  if (!event_log.ok()) return event_log.status();
  p->event_log = std::move(event_log).value();

  // Room for the deletes that free a full disk (taken before anything else writes there).
  p->reserve = std::make_unique<DiskReserve>(l.disk_reserve(), options.disk_reserve_bytes);
  p->reserve->Ensure();
  state::DatabaseOptions db_options;
  DiskReserve* reserve = p->reserve.get();
  db_options.on_disk_full = [reserve] { return reserve->Release(); };
  // --database: the embedded SQLite file (the default), or a PostgreSQL several wharfds share.
  auto db = config.database == "sqlite" ? state::Database::Open(l.database(), db_options)
                                        : state::Database::OpenPostgres(config.database, db_options);
  if (!db.ok()) return db.status();
  p->db = std::move(db).value();
  WHARF_RETURN_IF_ERROR(state::Migrate(*p->db, clock));

  auto blobs = store::BlobStore::Open(l.blobs(), clock);
  if (!blobs.ok()) return blobs.status().WithContext("opening the blob store");
  p->blobs = std::move(blobs).value();

  if (config.HasRole("api")) {
    auto server = BindApi(*p->db, clock, config.api_port, config.api_address);
    if (!server.ok()) return server.status();
    p->server = std::move(server).value();
    auto forwarder = ApiServer::Bind(0);
    if (!forwarder.ok()) return forwarder.status().WithContext("binding the autoscaler's metrics forwarder");
    p->forwarder = std::move(forwarder).value();
  }

  p->events = std::make_unique<EventRecorder>(*p->event_log, clock);
  p->logs = std::make_unique<LogBuffer>(l.app_logs(), clock);

  WHARF_ASSIGN_OR_RETURN(auto boot, Bootstrap(*p->db, clock, *p->events, BootstrapOptions{l.admin_token(), config.domain, l.router_token(), l.cell_token()}));

  PlatformInfo& info = p->platform;
  info.version = std::string(kWharfVersion);
  info.domain = config.domain;
  info.api_url = p->server ? LocalApiUrl(config, p->server->port()) : "";
  info.router_url = "http://" + config.domain + ":" + std::to_string(config.router_port);
  info.metrics_url = "http://" + std::string(kAutoscalerMetricsHost) + "." + config.domain + ":" +
                     std::to_string(config.router_port);
  info.admin_token_file = l.admin_token().string();
  info.roles = config.roles;
  info.tenancy = boot.tenancy;
  info.stacks = {config.stacks_dir, stacks::HostStackDescription(), config.runtime != "process"};

  p->auth = std::make_unique<Authenticator>(*p->db, clock);
  // Admission: what this host's cell holds (issue 10: `scale -m 1T` ran five 1 TiB instances).
  p->capacity = DetectCellCapacity(l.root);
  const CellCapacity& capacity = p->capacity;
  p->apps = std::make_unique<AppService>(*p->db, clock, *p->events, *p->logs, info, capacity);
  p->processes = std::make_unique<ProcessService>(*p->db, clock, *p->events, *p->logs, capacity);
  p->revisions = std::make_unique<RevisionService>(*p->db, clock, *p->events, *p->logs, capacity);
  p->deployments = std::make_unique<DeploymentService>(*p->db, clock, *p->events, *p->logs, capacity);
  PackageLimitsConfig package_limits;
  package_limits.max_upload_bytes = options.limits.upload_bytes;
  p->packages = std::make_unique<PackageService>(*p->db, clock, *p->events, *p->blobs, p->blob_lock, package_limits);
  p->builds = std::make_unique<BuildService>(*p->db, clock, *p->events, *p->logs, scheduler, info.stacks);
  p->routes = std::make_unique<RouteService>(*p->db, clock, *p->events, *p->logs, info);
  p->service_instances = std::make_unique<ServiceInstanceService>(*p->db, clock, *p->events, *p->logs, info);
  p->brokers = std::make_unique<ServiceBrokerService>(*p->db, clock, *p->events);
  p->service_operations = std::make_unique<ServiceOperations>(*p->db, clock, *p->events, info);
  p->service_instances->SetBrokerJobs(p->service_operations.get());
  p->rotations = std::make_unique<CredentialRotationService>(*p->db, clock, *p->events, *p->logs,
                                                             *p->service_instances, *p->deployments);
  p->rotations->SetBrokerJobs(p->service_operations.get());
  // Operations a previous wharfd left in progress (it stopped or was killed) are taken up again.
  if (!options.defer_service_resume) {
    WHARF_RETURN_IF_ERROR(p->service_operations->Resume().WithContext("resuming service broker operations"));
    p->service_resumed = true;
  }
  // Builds a previous wharfd was staging when it stopped or was killed cannot finish: fail them now.
  auto interrupted = p->builds->FailInterruptedBuilds("staging interrupted: wharfd stopped");
  if (!interrupted.ok()) return interrupted.status().WithContext("failing the builds a previous wharfd left staging");
  p->interrupted_builds = std::move(interrupted).value();
  p->buildpacks = std::make_unique<BuildpackService>(*p->db, clock, *p->events, *p->blobs, p->blob_lock,
                                                     l.staging() / "buildpack-uploads");
  // The built-ins are seeded on the first start that finds them; after that the admin owns the list.
  if (auto builtin_dir = stager::FindBuiltinBuildpacksDir(config.buildpacks_dir); builtin_dir.ok()) {
    auto seeded = p->buildpacks->SeedBuiltins(stager::BuiltinBuildpacks(*builtin_dir));
    if (!seeded.ok()) return seeded.status().WithContext("seeding the built-in buildpacks");
  }
  p->droplets = std::make_unique<DropletService>(*p->db, clock, *p->events, *p->blobs, p->blob_lock,
                                                 l.staging() / "droplet-uploads");
  p->ssh = std::make_unique<SshService>(*p->db, *p->events, *p->logs, p->instances);
  p->security_groups = std::make_unique<SecurityGroupService>(*p->db, clock, *p->events);
  p->users = std::make_unique<UserService>(
      *p->db, clock, *p->events,
      TokenLifetimes{std::chrono::seconds(config.access_token_secs), std::chrono::seconds(config.refresh_token_secs)});
  p->network_policies = std::make_unique<NetworkPolicyService>(*p->db, clock, *p->events);
  p->orgs = std::make_unique<OrgService>(*p->db, clock, *p->events, info);
  p->quotas = std::make_unique<QuotaService>(*p->db, clock, *p->events, info);
  p->tasks = std::make_unique<TaskService>(*p->db, clock, *p->events, *p->logs, info, *p->blobs, p->task_runners);
  p->remote_desired = std::make_unique<DbDesiredState>(*p->db, *p->blobs, info.tenancy);
  p->remote_cells =
      std::make_unique<RemoteCells>(*p->db, clock, std::chrono::milliseconds(std::int64_t{config.cell_timeout_secs} * 1000));
  p->cell_service = std::make_unique<CellService>(*p->db, clock, *p->remote_desired, *p->remote_cells, *p->logs);
  p->gc = std::make_unique<GcService>(*p->db, *p->blobs, p->blob_lock, *p->events,
                                      GcOptions{config.keep_droplets, options.gc_grace});

  p->zones = std::make_unique<autoscaler::TimeZoneDb>();
  autoscaler::ParseOptions policy_options;
  policy_options.min_duration_secs = config.autoscaler_min_duration_secs;
  p->autoscaling = std::make_unique<AutoscalingService>(*p->db, clock, *p->events, *p->zones, policy_options);
  p->autoscaling_metrics = std::make_unique<AutoscalingMetrics>(*p->db);
  p->custom_metrics = std::make_unique<CustomMetricsIntake>(*p->autoscaling, *p->autoscaling_metrics, clock);

  if (p->server) {
    ApiServerOptions& server_options = p->server_options;
    server_options.limits = options.limits;  // gate.tls was set before the bind
    // Streams may take all but a reserve of the request threads.
    p->streams = std::make_unique<StreamSlots>(static_cast<std::size_t>(server_options.max_threads - 16));
    p->api_context = std::make_unique<ApiContext>(ApiContext{info, *p->db, *p->apps, *p->processes, *p->packages,
                                                             *p->builds, *p->routes, *p->buildpacks, *p->gc, *p->logs,
                                                             p->instances, p->route_table, *p->streams, *p->revisions,
                                                             *p->deployments, *p->service_instances, *p->brokers,
                                                             options.limits,
                                                             options.log_stream_keepalive, p->autoscaling.get(),
                                                             p->autoscaling_metrics.get(), &clock,
                                                             &p->routing_progress});
    p->api_context->tasks = p->tasks.get();
    p->api_context->droplets = p->droplets.get();
    p->api_context->ssh = p->ssh.get();
    p->api_context->rotations = p->rotations.get();
    p->api_context->custom_metrics = p->custom_metrics.get();
    p->api_context->security_groups = p->security_groups.get();
    p->api_context->users = p->users.get();
    p->api_context->orgs = p->orgs.get();
    p->api_context->quotas = p->quotas.get();
    p->api_context->network_policies = p->network_policies.get();
    p->api_context->cells = p->cell_service.get();
    p->router = std::make_unique<HttpRouter>();
    WHARF_RETURN_IF_ERROR(AddAllHandlers(*p->router, *p->api_context));
    p->forwarder_router = std::make_unique<HttpRouter>();
    AddCustomMetricsHandlers(*p->forwarder_router, *p->api_context);
    p->forwarder_options.max_threads = 8;
    p->forwarder_options.limits.json_bytes = 64 * 1024;
    p->forwarder_options.limits.upload_bytes = 64 * 1024;
  }

  // Deployments move on as the cell reports their instances (persisted: a restart resumes them).
  p->orchestration = std::make_unique<state::Lease>(*p->db, "orchestration");
  state::Lease* orchestration = p->orchestration.get();
  auto leads = [orchestration] { return orchestration->Held(); };
  p->deployment_driver = std::make_unique<DeploymentDriver>(*p->db, *p->deployments, p->instances);
  p->deployment_driver->Start(options.deployment_interval, leads);
  // Credential rotations move on as their bindings, deployments and instances do (persisted too).
  p->rotation_driver = std::make_unique<RotationDriver>(*p->db, *p->rotations, p->instances);
  p->rotation_driver->Start(options.deployment_interval, leads);

  // Without the cell role here, the instances run on cells of other hosts: the API lists what they
  // report and places instances on them (the embedded default, every role, runs none of this).
  if (config.HasRole("api") && !config.HasRole("cell")) {
    p->instances.Set(p->remote_cells.get());
    p->remote_cells_plugged = true;
    p->placement_lease = std::make_unique<state::Lease>(*p->db, "cell-placement");
    p->placement_driver = std::make_unique<PlacementDriver>(*p->db, clock, *p->remote_desired, *p->remote_cells,
                                                            p->placement_lease.get(), p->events.get());
    p->placement_driver->Start(options.placement_interval);
  }

  Parts* parts = p.get();
  p->leader = std::make_unique<state::Lease>(*p->db, "garbage-collection");
  p->gc_timer.Start(options.gc_interval, [parts] {
    if (!parts->leader->Held()) return;  // another wharfd on the database collects
    Result<GcResult> r = parts->gc->Run(Actor::System());
    if (!r.ok()) parts->event_log->Write("gc-failed", {{"error", r.status().ToString()}});
  });
  // A full data disk (the reserve was used by a delete, or less free than the reserve): garbage
  // is collected at once, without the usual grace (at most every 30 s), and the reserve is
  // allocated again once there is room.
  const std::chrono::seconds emergency_grace = options.emergency_gc_grace;
  const std::filesystem::path data_root = l.root;
  p->disk_watch.Start(options.disk_watch_interval, [parts, emergency_grace, data_root] {
    const bool released = parts->reserve->TakeReleased();
    const std::uint64_t free_bytes = DiskReserve::FreeBytes(data_root);
    const bool low = free_bytes < parts->reserve->bytes();
    const auto now = std::chrono::steady_clock::now();
    if ((released || low) && now - parts->last_emergency_gc >= std::chrono::seconds(30)) {
      parts->last_emergency_gc = now;
      // Collected first: the event log is on the full disk too.
      Result<GcResult> r = parts->gc->Run(Actor::System(), emergency_grace);
      parts->event_log->Write("disk-full-collected",
                              {{"free_bytes_before", std::to_string(free_bytes)},
                               {"free_bytes_after", std::to_string(DiskReserve::FreeBytes(data_root))},
                               {"reserve_used", released ? "true" : "false"},
                               {"result", r.ok() ? "ok" : r.status().ToString()}});
    }
    parts->reserve->Ensure();
  });

  std::string roles;
  for (const auto& r : config.roles) roles += (roles.empty() ? "" : ",") + r;
  p->event_log->Write("wharfd-started", {{"version", info.version},
                                         {"api", info.api_url},
                                         {"data_dir", l.root.string()},
                                         {"roles", roles},
                                         {"database", p->db->Describe()},  // a URL's password masked
                                         {"schema", std::to_string(state::LatestSchemaVersion())}});
  auto daemon = std::unique_ptr<Daemon>(new Daemon(std::move(p)));
  if (options.serve_at_start) WHARF_RETURN_IF_ERROR(daemon->Serve());
  return daemon;
}

Status Daemon::Serve() {
  Parts& p = *parts_;
  if (p.serving || p.stopped) return Status::Ok();
  p.serving = true;
  if (!p.server) return Status::Ok();
  WHARF_RETURN_IF_ERROR(p.server->Start(*p.router, *p.auth, *p.event_log, p.server_options));
  if (p.forwarder) {
    WHARF_RETURN_IF_ERROR(p.forwarder->Start(*p.forwarder_router, *p.auth, *p.event_log, p.forwarder_options)
                              .WithContext("starting the autoscaler's metrics forwarder"));
  }
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(p.layout.api_url_file(), p.platform.api_url + "\n", 0644)
                            .WithContext("writing the api url file"));
  return WriteFileAtomic(p.layout.api_port_file(), std::to_string(p.server->port()) + "\n", 0644)
      .WithContext("writing the api port file");
}

const std::vector<std::string>& Daemon::interrupted_builds() const { return parts_->interrupted_builds; }

void Daemon::Stop(std::chrono::milliseconds grace) {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  // Followers of log streams hold requests open by design: release them first so
  // the server's grace period is spent on real work.
  parts_->logs->Shutdown();
  parts_->route_table.Shutdown();
  parts_->ssh->Shutdown();  // ssh relays hang their commands up
  if (parts_->server) parts_->server->Stop(grace);
  if (parts_->forwarder) parts_->forwarder->Stop(std::chrono::milliseconds(500));
  parts_->gc_timer.Stop();
  parts_->disk_watch.Stop();
  if (parts_->deployment_driver) parts_->deployment_driver->Stop();
  if (parts_->rotation_driver) parts_->rotation_driver->Stop();
  if (parts_->placement_driver) parts_->placement_driver->Stop();
  if (parts_->remote_cells_plugged) parts_->instances.Set(nullptr);
  parts_->service_operations->Stop();
  parts_->event_log->Write("wharfd-stopped", {{"data_dir", parts_->layout.root.string()}});
  parts_->server.reset();
  parts_->forwarder.reset();
  parts_->db.reset();  // closes the database and checkpoints its WAL
}

std::uint16_t Daemon::api_port() const { return parts_->server ? parts_->server->port() : 0; }

const CellCapacity& Daemon::cell_capacity() const { return parts_->capacity; }

std::uint16_t Daemon::metrics_forwarder_port() const { return parts_->forwarder ? parts_->forwarder->port() : 0; }

const DataLayout& Daemon::layout() const { return parts_->layout; }

bool Daemon::LeadsOrchestration() { return parts_->orchestration->Held(); }

BuildService& Daemon::builds() { return *parts_->builds; }

LogBuffer& Daemon::logs() { return *parts_->logs; }

state::Database& Daemon::database() { return *parts_->db; }

const HttpRouter* Daemon::api_router() const { return parts_->router.get(); }

EventRecorder& Daemon::events() { return *parts_->events; }

const PlatformInfo& Daemon::platform() const { return parts_->platform; }

InstanceReporterSlot& Daemon::instances() { return parts_->instances; }

RemoteCells& Daemon::remote_cells() { return *parts_->remote_cells; }

TaskRunnerSlot& Daemon::task_runners() { return parts_->task_runners; }

TaskService& Daemon::tasks() { return *parts_->tasks; }

Status Daemon::ResumeServiceOperations() {
  if (parts_->service_resumed) return Status::Ok();
  parts_->service_resumed = true;
  return parts_->service_operations->Resume().WithContext("resuming service broker operations");
}

ProcessService& Daemon::processes() { return *parts_->processes; }

DeploymentService& Daemon::deployments() { return *parts_->deployments; }

AutoscalingService& Daemon::autoscaling() { return *parts_->autoscaling; }

AutoscalingMetrics& Daemon::autoscaling_metrics() { return *parts_->autoscaling_metrics; }

RoutingProgress& Daemon::routing_progress() { return parts_->routing_progress; }

RouteTableChannel& Daemon::route_table() { return parts_->route_table; }

store::BlobStore& Daemon::blobs() { return *parts_->blobs; }

}  // namespace wharf::controller
