#include "state/migrations.h"

#include <string>

namespace wharf::state {
namespace {

// Conventions: every aggregate has `id INTEGER PRIMARY KEY` (insertion order,
// used for "newest first") and a `guid` that is its public name. Times are
// RFC 3339 UTC text. States are TEXT with a CHECK listing every legal value
// (the codecs in states.h write exactly these strings). JSON documents
// (lists, maps) are TEXT holding JSON.

constexpr std::string_view kTenancyAndAuth = R"sql(
CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE spaces (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  org_guid TEXT NOT NULL REFERENCES orgs(guid),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (org_guid, name)
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
-- A role held by a user, platform-wide (admin) or scoped to an org or a space.
CREATE TABLE role_assignments (
  id INTEGER PRIMARY KEY,
  user_guid TEXT NOT NULL REFERENCES users(guid),
  role TEXT NOT NULL CHECK (role IN ('admin', 'org_manager', 'space_developer', 'space_auditor')),
  org_guid TEXT REFERENCES orgs(guid),
  space_guid TEXT REFERENCES spaces(guid),
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX role_assignments_unique
  ON role_assignments (user_guid, role, IFNULL(org_guid, ''), IFNULL(space_guid, ''));
-- API tokens. Only the sha256 of a token is stored; `lookup` is its first 16
-- hex digits, to find the row before a constant-time comparison of the whole hash.
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  user_guid TEXT NOT NULL REFERENCES users(guid),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  lookup TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);
CREATE INDEX tokens_lookup ON tokens (lookup);
)sql";

constexpr std::string_view kAppsAndProcesses = R"sql(
CREATE TABLE apps (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  space_guid TEXT NOT NULL REFERENCES spaces(guid),
  name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('STOPPED', 'STARTED')),
  buildpacks TEXT NOT NULL DEFAULT '[]',
  stack TEXT NOT NULL,
  environment_variables TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (space_guid, name)
);
-- Desired state of one process type of an app. Actual instances are separate
-- records (added with the runtime).
CREATE TABLE processes (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  type TEXT NOT NULL,
  command TEXT,
  instances INTEGER NOT NULL CHECK (instances >= 0),
  memory_in_mb INTEGER NOT NULL CHECK (memory_in_mb > 0),
  disk_in_mb INTEGER NOT NULL CHECK (disk_in_mb > 0),
  health_check_type TEXT NOT NULL CHECK (health_check_type IN ('port', 'process', 'http')),
  health_check_endpoint TEXT,
  health_check_invocation_timeout INTEGER NOT NULL CHECK (health_check_invocation_timeout > 0),
  health_check_timeout INTEGER NOT NULL CHECK (health_check_timeout > 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_guid, type)
);
)sql";

constexpr std::string_view kPackagesBuildsDroplets = R"sql(
CREATE TABLE packages (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  state TEXT NOT NULL CHECK (state IN ('READY', 'FAILED')),
  sha256 TEXT NOT NULL,
  file_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  source TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX packages_app ON packages (app_guid, id);
CREATE TABLE droplets (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  package_guid TEXT REFERENCES packages(guid),
  state TEXT NOT NULL CHECK (state IN ('STAGED')),
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  process_types TEXT NOT NULL DEFAULT '{}',
  buildpacks TEXT NOT NULL DEFAULT '[]',
  stack TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX droplets_app ON droplets (app_guid, id);
CREATE TABLE builds (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  package_guid TEXT NOT NULL REFERENCES packages(guid) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('STAGING', 'STAGED', 'FAILED')),
  error TEXT,
  droplet_guid TEXT REFERENCES droplets(guid) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX builds_app ON builds (app_guid, id);
-- The buildpack cache an app's next build starts from (a blob), per stack.
CREATE TABLE buildpack_caches (
  id INTEGER PRIMARY KEY,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  stack TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_guid, stack)
);
ALTER TABLE apps ADD COLUMN current_droplet_guid TEXT REFERENCES droplets(guid);
)sql";

constexpr std::string_view kRoutes = R"sql(
CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  shared INTEGER NOT NULL CHECK (shared IN (0, 1)),
  org_guid TEXT REFERENCES orgs(guid),
  created_at TEXT NOT NULL
);
CREATE TABLE routes (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  space_guid TEXT NOT NULL REFERENCES spaces(guid),
  domain_guid TEXT NOT NULL REFERENCES domains(guid),
  host TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (domain_guid, host, path)
);
CREATE TABLE route_destinations (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  route_guid TEXT NOT NULL REFERENCES routes(guid),
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  process_type TEXT NOT NULL DEFAULT 'web',
  created_at TEXT NOT NULL,
  UNIQUE (route_guid, app_guid, process_type)
);
CREATE INDEX route_destinations_app ON route_destinations (app_guid);
)sql";

// Events outlive what they describe, so the target has no foreign key.
constexpr std::string_view kEvents = R"sql(
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  actor_guid TEXT,
  actor_name TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_guid TEXT NOT NULL,
  target_name TEXT NOT NULL,
  space_guid TEXT,
  data TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX events_target ON events (target_guid, id);
CREATE INDEX events_type ON events (type, id);
)sql";

// Small facts about this installation that must survive restarts (the API port
// picked for --api-port 0, so clients keep working after a restart).
constexpr std::string_view kSettings = R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";

// What the cell runs for a started app: the droplet it was started (or last
// restarted) with, and a generation bumped by every start and restart. Staging a
// new droplet changes current_droplet_guid only; instances move to it on restart,
// as in Cloud Foundry.
constexpr std::string_view kRunningDroplet = R"sql(
ALTER TABLE apps ADD COLUMN run_droplet_guid TEXT;
ALTER TABLE apps ADD COLUMN run_generation INTEGER NOT NULL DEFAULT 0;
UPDATE apps SET run_droplet_guid = current_droplet_guid WHERE state = 'STARTED';
)sql";

// The admin-ordered buildpack list. Staging detects in ascending position
// (kept contiguous 1..n by the service, so no UNIQUE: shifting rows one by one
// would trip it). A built-in one (builtin = 1) has its files in the built-in
// buildpacks folder under `filename`; an uploaded one is the archive blob
// `sha256` (NULL until its bits are uploaded).
constexpr std::string_view kBuildpacks = R"sql(
CREATE TABLE buildpacks (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  position INTEGER NOT NULL CHECK (position >= 1),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  stack TEXT,
  builtin INTEGER NOT NULL CHECK (builtin IN (0, 1)),
  filename TEXT NOT NULL DEFAULT '',
  sha256 TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX buildpacks_position ON buildpacks (position);
)sql";

// Cloud Foundry's route option "loadbalancing": round-robin or least-connection.
constexpr std::string_view kRouteLoadBalancing = R"sql(
ALTER TABLE routes ADD COLUMN load_balancing TEXT NOT NULL DEFAULT 'round-robin'
  CHECK (load_balancing IN ('round-robin', 'least-connection'));
)sql";

// The role "routing" (the router user: /v1/routing/ only). SQLite cannot change a CHECK
// constraint in place, so the table is rebuilt with its rows.
constexpr std::string_view kRoutingRole = R"sql(
CREATE TABLE role_assignments_new (
  id INTEGER PRIMARY KEY,
  user_guid TEXT NOT NULL REFERENCES users(guid),
  role TEXT NOT NULL CHECK (role IN ('admin', 'org_manager', 'space_developer', 'space_auditor', 'routing')),
  org_guid TEXT REFERENCES orgs(guid),
  space_guid TEXT REFERENCES spaces(guid),
  created_at TEXT NOT NULL
);
INSERT INTO role_assignments_new (id, user_guid, role, org_guid, space_guid, created_at)
  SELECT id, user_guid, role, org_guid, space_guid, created_at FROM role_assignments;
DROP TABLE role_assignments;
ALTER TABLE role_assignments_new RENAME TO role_assignments;
CREATE UNIQUE INDEX role_assignments_unique
  ON role_assignments (user_guid, role, IFNULL(org_guid, ''), IFNULL(space_guid, ''));
)sql";

// Revisions (issue 11): every change to what runs (droplet, environment, start commands) is an
// immutable numbered revision of the app, as in Cloud Foundry v3. apps.run_revision is the
// version the cell runs (0: none yet, an app started before revisions existed).
constexpr std::string_view kRevisions = R"sql(
CREATE TABLE revisions (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  version INTEGER NOT NULL CHECK (version >= 1),
  droplet_guid TEXT NOT NULL,
  environment_variables TEXT NOT NULL DEFAULT '{}',
  commands TEXT NOT NULL DEFAULT '{}',
  description TEXT NOT NULL,
  rolled_back_from INTEGER,
  created_at TEXT NOT NULL,
  UNIQUE (app_guid, version)
);
ALTER TABLE apps ADD COLUMN run_revision INTEGER NOT NULL DEFAULT 0;
)sql";

// Deployments (issue 11): how an app moves from one revision to the next (rolling or canary),
// persisted so a restarted wharfd resumes it. At most one active (DEPLOYING or PAUSED) per app.
constexpr std::string_view kDeployments = R"sql(
CREATE TABLE deployments (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  strategy TEXT NOT NULL CHECK (strategy IN ('rolling', 'canary')),
  state TEXT NOT NULL CHECK (state IN ('DEPLOYING', 'PAUSED', 'DEPLOYED', 'CANCELED', 'FAILED')),
  revision INTEGER NOT NULL,
  previous_revision INTEGER NOT NULL,
  previous_generation INTEGER NOT NULL,
  previous_droplet_guid TEXT NOT NULL DEFAULT '',
  max_in_flight INTEGER NOT NULL DEFAULT 1 CHECK (max_in_flight >= 1),
  instance_steps TEXT NOT NULL DEFAULT '[]',
  canary_weights TEXT NOT NULL DEFAULT '[]',
  step INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX deployments_one_active ON deployments (app_guid) WHERE state IN ('DEPLOYING', 'PAUSED');
)sql";

// Services: brokers and their catalog (offerings, plans), service instances
// (managed or user-provided), and their bindings to apps and keys.
constexpr std::string_view kServices = R"sql(
CREATE TABLE service_brokers (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  username TEXT NOT NULL,
  password TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE service_offerings (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  broker_guid TEXT NOT NULL REFERENCES service_brokers(guid),
  broker_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  bindable INTEGER NOT NULL,
  plan_updateable INTEGER NOT NULL,
  instances_retrievable INTEGER NOT NULL,
  bindings_retrievable INTEGER NOT NULL,
  tags TEXT NOT NULL,
  requires TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (broker_guid, broker_id)
);
CREATE TABLE service_plans (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  offering_guid TEXT NOT NULL REFERENCES service_offerings(guid),
  broker_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  free INTEGER NOT NULL,
  bindable INTEGER,
  plan_updateable INTEGER,
  maximum_polling_duration INTEGER,
  public INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (offering_guid, broker_id)
);
CREATE TABLE service_instances (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  space_guid TEXT NOT NULL REFERENCES spaces(guid),
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('managed', 'user-provided')),
  plan_guid TEXT REFERENCES service_plans(guid),
  credentials TEXT NOT NULL,
  syslog_drain_url TEXT NOT NULL,
  route_service_url TEXT NOT NULL,
  tags TEXT NOT NULL,
  parameters TEXT NOT NULL,
  dashboard_url TEXT NOT NULL,
  last_operation_type TEXT NOT NULL CHECK (last_operation_type IN ('create', 'update', 'delete')),
  last_operation_state TEXT NOT NULL CHECK (last_operation_state IN ('in progress', 'succeeded', 'failed')),
  last_operation_description TEXT NOT NULL,
  broker_operation TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((type = 'managed') = (plan_guid IS NOT NULL)),
  UNIQUE (space_guid, name)
);
CREATE TABLE service_bindings (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  instance_guid TEXT NOT NULL REFERENCES service_instances(guid),
  type TEXT NOT NULL CHECK (type IN ('app', 'key')),
  app_guid TEXT REFERENCES apps(guid),
  name TEXT,
  credentials TEXT NOT NULL,
  parameters TEXT NOT NULL,
  syslog_drain_url TEXT NOT NULL,
  volume_mounts TEXT NOT NULL,
  last_operation_type TEXT NOT NULL CHECK (last_operation_type IN ('create', 'delete')),
  last_operation_state TEXT NOT NULL CHECK (last_operation_state IN ('in progress', 'succeeded', 'failed')),
  last_operation_description TEXT NOT NULL,
  broker_operation TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((type = 'app') = (app_guid IS NOT NULL)),
  CHECK (type = 'app' OR name IS NOT NULL)
);
CREATE UNIQUE INDEX service_bindings_app ON service_bindings (instance_guid, app_guid) WHERE type = 'app';
CREATE UNIQUE INDEX service_bindings_key ON service_bindings (instance_guid, name) WHERE type = 'key';
CREATE INDEX service_bindings_by_app ON service_bindings (app_guid);
)sql";

// Autoscaling (issue 13): one policy per app (App Autoscaler's JSON, as attached), whether
// the autoscaler acts on it, the credential an app posts custom metrics with (hash only),
// and the recorded metric samples (the history and the simulator read them; pruned by age).
constexpr std::string_view kAutoscaling = R"sql(
CREATE TABLE autoscaling_policies (
  app_guid TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE autoscaling_credentials (
  app_guid TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  password_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE autoscaling_samples (
  id INTEGER PRIMARY KEY,
  app_guid TEXT NOT NULL,
  metric TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX autoscaling_samples_app ON autoscaling_samples (app_guid, metric, at_ms);
CREATE INDEX autoscaling_samples_at ON autoscaling_samples (at_ms);
)sql";

// Tasks (issue 18): one-off containers from an app's droplet (Cloud Foundry v3 tasks). `sequence_id`
// numbers an app's tasks from 1 (what `wharf tasks` shows as the id); the state is final once
// SUCCEEDED or FAILED, with the exit status and the reason of a failure kept.
constexpr std::string_view kTasks = R"sql(
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL REFERENCES apps(guid),
  sequence_id INTEGER NOT NULL CHECK (sequence_id >= 1),
  name TEXT NOT NULL,
  command TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('PENDING', 'RUNNING', 'CANCELING', 'SUCCEEDED', 'FAILED')),
  memory_in_mb INTEGER NOT NULL CHECK (memory_in_mb > 0),
  disk_in_mb INTEGER NOT NULL CHECK (disk_in_mb > 0),
  droplet_guid TEXT NOT NULL,
  exit_status INTEGER,
  failure_reason TEXT,
  started_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_guid, sequence_id)
);
CREATE INDEX tasks_state ON tasks (state);
)sql";

// gorouter's hash-based routing: loadbalancing "hash" with the header it hashes and its balance
// factor (text, as Cloud Foundry's API carries it). The CHECK changes by a new column that takes
// the old one's values and name (SQLite cannot alter a CHECK in place).
constexpr std::string_view kRouteHashOptions = R"sql(
ALTER TABLE routes ADD COLUMN load_balancing_new TEXT NOT NULL DEFAULT 'round-robin'
  CHECK (load_balancing_new IN ('round-robin', 'least-connection', 'hash'));
UPDATE routes SET load_balancing_new = load_balancing;
ALTER TABLE routes DROP COLUMN load_balancing;
ALTER TABLE routes RENAME COLUMN load_balancing_new TO load_balancing;
ALTER TABLE routes ADD COLUMN hash_header TEXT;
ALTER TABLE routes ADD COLUMN hash_balance TEXT;
)sql";

// Readiness checks apart from liveness (Cloud Foundry's readiness-health-check-*): `process`, the
// default, makes an instance ready while it runs.
constexpr std::string_view kProcessReadiness = R"sql(
ALTER TABLE processes ADD COLUMN readiness_check_type TEXT NOT NULL DEFAULT 'process'
  CHECK (readiness_check_type IN ('port', 'process', 'http'));
ALTER TABLE processes ADD COLUMN readiness_check_endpoint TEXT;
ALTER TABLE processes ADD COLUMN readiness_check_invocation_timeout INTEGER NOT NULL DEFAULT 1
  CHECK (readiness_check_invocation_timeout > 0);
ALTER TABLE processes ADD COLUMN readiness_check_interval INTEGER NOT NULL DEFAULT 5
  CHECK (readiness_check_interval > 0);
)sql";

// Cloud Foundry's app feature "ssh": whether `wharf ssh` may enter the app's instances.
constexpr std::string_view kAppSsh = R"sql(
ALTER TABLE apps ADD COLUMN enable_ssh INTEGER NOT NULL DEFAULT 1 CHECK (enable_ssh IN (0, 1));
)sql";

// Credential rotation (issue 12): while it runs, an app has two bindings to one instance, the new one
// naming the old one in `replaces`; the rotation's own row says where it stands.
constexpr std::string_view kServiceRotations = R"sql(
ALTER TABLE service_bindings ADD COLUMN replaces TEXT;
DROP INDEX service_bindings_app;
CREATE UNIQUE INDEX service_bindings_app ON service_bindings (instance_guid, app_guid)
  WHERE type = 'app' AND replaces IS NULL;
CREATE TABLE service_rotations (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  app_guid TEXT NOT NULL,
  instance_guid TEXT NOT NULL,
  old_binding_guid TEXT NOT NULL,
  new_binding_guid TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('binding', 'restarting', 'draining', 'unbinding', 'succeeded', 'failed')),
  deployment_guid TEXT,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX service_rotations_state ON service_rotations (state);
CREATE INDEX service_rotations_app ON service_rotations (app_guid);
)sql";

// Cloud Foundry's log_rate_limit_in_bytes_per_second (`wharf scale -l`): -1 is unlimited.
constexpr std::string_view kProcessLogRateLimit = R"sql(
ALTER TABLE processes ADD COLUMN log_rate_limit INTEGER NOT NULL DEFAULT -1 CHECK (log_rate_limit >= -1);
)sql";

constexpr std::string_view kDeploymentAnalysis = R"sql(
ALTER TABLE deployments ADD COLUMN analysis_interval_secs INTEGER NOT NULL DEFAULT 0
  CHECK (analysis_interval_secs >= 0);
ALTER TABLE deployments ADD COLUMN analysis_probe_path TEXT NOT NULL DEFAULT '';
)sql";

// Application security groups and container-to-container policies (Cloud Foundry's ASGs and
// network policies). A group's `rules` is the JSON array of Cloud Foundry's format, as the API
// validated it; a group applies to every app's running containers (running_default), to every
// staging container (staging_default), or to the spaces it is bound to per lifecycle. A network
// policy lets the source app's containers reach the destination app's on a port range. Bindings
// and policies go with their group, space or app. Seeds Cloud Foundry's two default groups, bound
// to staging only: staging reaches public registries and DNS; running containers reach nothing
// outside until an operator binds a group.
constexpr std::string_view kNetworkSecurity = R"sql(
CREATE TABLE security_groups (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  rules TEXT NOT NULL,
  running_default INTEGER NOT NULL DEFAULT 0 CHECK (running_default IN (0, 1)),
  staging_default INTEGER NOT NULL DEFAULT 0 CHECK (staging_default IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE security_group_spaces (
  group_guid TEXT NOT NULL REFERENCES security_groups(guid) ON DELETE CASCADE,
  space_guid TEXT NOT NULL REFERENCES spaces(guid) ON DELETE CASCADE,
  lifecycle TEXT NOT NULL CHECK (lifecycle IN ('running', 'staging')),
  PRIMARY KEY (group_guid, space_guid, lifecycle)
);
CREATE TABLE network_policies (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  source_app_guid TEXT NOT NULL REFERENCES apps(guid) ON DELETE CASCADE,
  destination_app_guid TEXT NOT NULL REFERENCES apps(guid) ON DELETE CASCADE,
  protocol TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
  start_port INTEGER NOT NULL CHECK (start_port BETWEEN 1 AND 65535),
  end_port INTEGER NOT NULL CHECK (end_port BETWEEN start_port AND 65535),
  created_at TEXT NOT NULL,
  UNIQUE (source_app_guid, destination_app_guid, protocol, start_port, end_port)
);
CREATE INDEX network_policies_destination ON network_policies (destination_app_guid);
INSERT INTO security_groups (guid, name, rules, running_default, staging_default, created_at, updated_at) VALUES
  ('asg-public-networks', 'public_networks',
   '[{"protocol":"all","destination":"1.0.0.0-9.255.255.255"},{"protocol":"all","destination":"11.0.0.0-100.63.255.255"},{"protocol":"all","destination":"100.128.0.0-126.255.255.255"},{"protocol":"all","destination":"128.0.0.0-169.253.255.255"},{"protocol":"all","destination":"169.255.0.0-172.15.255.255"},{"protocol":"all","destination":"172.32.0.0-192.167.255.255"},{"protocol":"all","destination":"192.169.0.0-223.255.255.255"}]',
   0, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  ('asg-dns', 'dns',
   '[{"protocol":"tcp","destination":"0.0.0.0/0","ports":"53"},{"protocol":"udp","destination":"0.0.0.0/0","ports":"53"}]',
   0, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
)sql";

// Internal domains (Cloud Foundry's apps.internal, made at start-up after the shared domain):
// routes on them are names that resolve, inside containers, to the addresses of the apps'
// instances (container-to-container traffic under network policies); the router never serves them.
constexpr std::string_view kInternalDomains = R"sql(
ALTER TABLE domains ADD COLUMN internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1));
)sql";

// The canary analyzer's progress through a step (its passing, failing and thin windows so far),
// kept so that a restarted wharfd resumes the step's judgement instead of starting it again.
constexpr std::string_view kDeploymentAnalysisProgress = R"sql(
ALTER TABLE deployments ADD COLUMN analysis_progress TEXT NOT NULL DEFAULT '';
)sql";

// The digest of what staged a droplet (package, buildpacks, stack, environment, start command,
// the buildpack list, wharfd's version): a push of the same inputs reuses the droplet.
constexpr std::string_view kDropletStagingKey = R"sql(
ALTER TABLE droplets ADD COLUMN staging_key TEXT NOT NULL DEFAULT '';
CREATE INDEX droplets_staging_key ON droplets (app_guid, staging_key);
)sql";

// Stacks (stacks/): "debian12" was the name of the host's own /usr and /etc, which is now the
// "host" stack beside the built ones; what was built on it keeps running on it.
constexpr std::string_view kHostStack = R"sql(
UPDATE apps SET stack = 'host' WHERE stack = 'debian12';
UPDATE droplets SET stack = 'host' WHERE stack = 'debian12';
UPDATE buildpack_caches SET stack = 'host' WHERE stack = 'debian12';
UPDATE buildpacks SET stack = 'host' WHERE stack = 'debian12';
)sql";

// Where each staging's time went (prepare, buildpacks, droplet, cache), for the push's time line.
constexpr std::string_view kBuildSteps = R"sql(
ALTER TABLE builds ADD COLUMN steps TEXT NOT NULL DEFAULT '';
)sql";

// Users log in with a password (Argon2id, libsodium's string form); a login issues an access
// token and a refresh token that share a session and expire (issue 16).
constexpr std::string_view kPasswordLogins = R"sql(
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'access', 'refresh'));
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN session TEXT;
CREATE INDEX tokens_session ON tokens (session);
)sql";

// Cloud Foundry's roles (v3 names), each assignment with a guid of its own (`/v1/roles/:guid`);
// a deleted org or space takes its roles with it (issue 16).
constexpr std::string_view kCloudFoundryRoles = R"sql(
CREATE TABLE role_assignments_new (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  user_guid TEXT NOT NULL REFERENCES users(guid),
  role TEXT NOT NULL CHECK (role IN ('admin', 'routing', 'organization_user', 'organization_manager',
                                     'organization_auditor', 'organization_billing_manager', 'space_manager',
                                     'space_developer', 'space_auditor', 'space_supporter')),
  org_guid TEXT REFERENCES orgs(guid) ON DELETE CASCADE,
  space_guid TEXT REFERENCES spaces(guid) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
INSERT INTO role_assignments_new (id, guid, user_guid, role, org_guid, space_guid, created_at)
  SELECT id, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' ||
                   hex(randomblob(2)) || '-' || hex(randomblob(6))),
         user_guid, CASE role WHEN 'org_manager' THEN 'organization_manager' ELSE role END,
         org_guid, space_guid, created_at
  FROM role_assignments;
DROP TABLE role_assignments;
ALTER TABLE role_assignments_new RENAME TO role_assignments;
CREATE UNIQUE INDEX role_assignments_unique
  ON role_assignments (user_guid, role, IFNULL(org_guid, ''), IFNULL(space_guid, ''));
CREATE INDEX role_assignments_space ON role_assignments (space_guid);
CREATE INDEX role_assignments_org ON role_assignments (org_guid);
)sql";

// Quotas (issue 16), as Cloud Foundry has them: named org quota definitions and space quota
// definitions (a space quota belongs to one org), each limit -1 for unlimited. An org without an
// assigned quota (orgs.quota_guid NULL) has the org quota named 'default', seeded here with Cloud
// Foundry's defaults (100 GB of memory, 1000 routes, 100 service instances, the rest unlimited);
// a space without one (spaces.space_quota_guid NULL) has only its org's.
constexpr std::string_view kQuotas = R"sql(
CREATE TABLE org_quotas (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  total_memory_mb INTEGER NOT NULL CHECK (total_memory_mb >= -1),
  instance_memory_mb INTEGER NOT NULL CHECK (instance_memory_mb >= -1),
  app_instances INTEGER NOT NULL CHECK (app_instances >= -1),
  routes INTEGER NOT NULL CHECK (routes >= -1),
  service_instances INTEGER NOT NULL CHECK (service_instances >= -1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE space_quotas (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  org_guid TEXT NOT NULL REFERENCES orgs(guid),
  name TEXT NOT NULL,
  total_memory_mb INTEGER NOT NULL CHECK (total_memory_mb >= -1),
  instance_memory_mb INTEGER NOT NULL CHECK (instance_memory_mb >= -1),
  app_instances INTEGER NOT NULL CHECK (app_instances >= -1),
  routes INTEGER NOT NULL CHECK (routes >= -1),
  service_instances INTEGER NOT NULL CHECK (service_instances >= -1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (org_guid, name)
);
ALTER TABLE orgs ADD COLUMN quota_guid TEXT REFERENCES org_quotas(guid);
ALTER TABLE spaces ADD COLUMN space_quota_guid TEXT REFERENCES space_quotas(guid);
INSERT INTO org_quotas (guid, name, total_memory_mb, instance_memory_mb, app_instances, routes, service_instances,
                        created_at, updated_at)
  SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
           || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
         'default', 102400, -1, -1, 1000, 100, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now');
)sql";

// TLS domains (issue 16): one certificate and key per domain, and what plain HTTP to it gets.
// The key is read only by the routing table (RoutingSync), never by an API answer.
constexpr std::string_view kDomainCertificates = R"sql(
CREATE TABLE domain_certificates (
  domain_guid TEXT PRIMARY KEY REFERENCES domains(guid),
  certificate_pem TEXT NOT NULL,
  private_key_pem TEXT NOT NULL,
  http_policy TEXT NOT NULL DEFAULT 'redirect' CHECK (http_policy IN ('redirect', 'refuse', 'allow')),
  names TEXT NOT NULL,
  not_after TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";

// Cells on other hosts (issue 17): the cells that heartbeat to the API (`wharfd --roles cell`), with
// their zone, address, capacity, the assignment they were last answered (a version that grows when it
// changes, and the digest it was computed from), and the placement of each instance index of a
// process on one cell. The same SQL on both engines.
constexpr std::string_view kCells = R"sql(
CREATE TABLE cells (
  id TEXT PRIMARY KEY,
  zone TEXT NOT NULL,
  address TEXT NOT NULL,
  container_subnet TEXT NOT NULL,
  memory_mb INTEGER NOT NULL CHECK (memory_mb >= 0),
  disk_mb INTEGER NOT NULL CHECK (disk_mb >= 0),
  max_instances INTEGER NOT NULL CHECK (max_instances >= 0),
  wharf_version TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('alive', 'lost')),
  assignment_version INTEGER NOT NULL DEFAULT 0,
  assignment_digest TEXT NOT NULL DEFAULT ''
);
CREATE TABLE placements (
  process_guid TEXT NOT NULL,
  instance_index INTEGER NOT NULL CHECK (instance_index >= 0),
  cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
  placed_at TEXT NOT NULL,
  PRIMARY KEY (process_guid, instance_index)
);
CREATE INDEX placements_cell ON placements (cell_id);
)sql";

// Migration 33: the role "cell" (a cell's token). SQLite rebuilds role_assignments to change its CHECK; the
// PostgreSQL variant alters it in place.
constexpr std::string_view kCellRole = R"sql(
CREATE TABLE role_assignments_new (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  user_guid TEXT NOT NULL REFERENCES users(guid),
  role TEXT NOT NULL CHECK (role IN ('admin', 'routing', 'cell', 'organization_user', 'organization_manager',
                                     'organization_auditor', 'organization_billing_manager', 'space_manager',
                                     'space_developer', 'space_auditor', 'space_supporter')),
  org_guid TEXT REFERENCES orgs(guid) ON DELETE CASCADE,
  space_guid TEXT REFERENCES spaces(guid) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
INSERT INTO role_assignments_new (id, guid, user_guid, role, org_guid, space_guid, created_at)
  SELECT id, guid, user_guid, role, org_guid, space_guid, created_at FROM role_assignments;
DROP TABLE role_assignments;
ALTER TABLE role_assignments_new RENAME TO role_assignments;
CREATE UNIQUE INDEX role_assignments_unique
  ON role_assignments (user_guid, role, IFNULL(org_guid, ''), IFNULL(space_guid, ''));
CREATE INDEX role_assignments_space ON role_assignments (space_guid);
CREATE INDEX role_assignments_org ON role_assignments (org_guid);
)sql";

// ---- PostgreSQL variants (Migration::postgres_sql) ----
// Written in the same dialect as the rest (sql_dialect.h rewrites INTEGER, TEXT, IFNULL), with
// PostgreSQL's functions where SQLite's were used. Where SQLite rebuilds a table (to change a
// CHECK or a foreign key) PostgreSQL alters it in place: same columns, constraints and rows, and
// the id sequences stay right. Constraint names are PostgreSQL's defaults (table_column_check,
// table_column_fkey).

// Migration 10: PostgreSQL changes a CHECK in place.
constexpr std::string_view kRoutingRolePostgres = R"sql(
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
  CHECK (role IN ('admin', 'org_manager', 'space_developer', 'space_auditor', 'routing'));
)sql";

// Migration 22 without strftime: the seeded groups' times from now().
constexpr std::string_view kNetworkSecurityPostgres = R"sql(
CREATE TABLE security_groups (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  rules TEXT NOT NULL,
  running_default INTEGER NOT NULL DEFAULT 0 CHECK (running_default IN (0, 1)),
  staging_default INTEGER NOT NULL DEFAULT 0 CHECK (staging_default IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE security_group_spaces (
  group_guid TEXT NOT NULL REFERENCES security_groups(guid) ON DELETE CASCADE,
  space_guid TEXT NOT NULL REFERENCES spaces(guid) ON DELETE CASCADE,
  lifecycle TEXT NOT NULL CHECK (lifecycle IN ('running', 'staging')),
  PRIMARY KEY (group_guid, space_guid, lifecycle)
);
CREATE TABLE network_policies (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  source_app_guid TEXT NOT NULL REFERENCES apps(guid) ON DELETE CASCADE,
  destination_app_guid TEXT NOT NULL REFERENCES apps(guid) ON DELETE CASCADE,
  protocol TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
  start_port INTEGER NOT NULL CHECK (start_port BETWEEN 1 AND 65535),
  end_port INTEGER NOT NULL CHECK (end_port BETWEEN start_port AND 65535),
  created_at TEXT NOT NULL,
  UNIQUE (source_app_guid, destination_app_guid, protocol, start_port, end_port)
);
CREATE INDEX network_policies_destination ON network_policies (destination_app_guid);
INSERT INTO security_groups (guid, name, rules, running_default, staging_default, created_at, updated_at) VALUES
  ('asg-public-networks', 'public_networks',
   '[{"protocol":"all","destination":"1.0.0.0-9.255.255.255"},{"protocol":"all","destination":"11.0.0.0-100.63.255.255"},{"protocol":"all","destination":"100.128.0.0-126.255.255.255"},{"protocol":"all","destination":"128.0.0.0-169.253.255.255"},{"protocol":"all","destination":"169.255.0.0-172.15.255.255"},{"protocol":"all","destination":"172.32.0.0-192.167.255.255"},{"protocol":"all","destination":"192.169.0.0-223.255.255.255"}]',
   0, 1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
  ('asg-dns', 'dns',
   '[{"protocol":"tcp","destination":"0.0.0.0/0","ports":"53"},{"protocol":"udp","destination":"0.0.0.0/0","ports":"53"}]',
   0, 1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
)sql";

// Migration 29: the new roles' CHECK, a guid for each existing row (gen_random_uuid), and foreign
// keys that cascade, by altering the table in place.
constexpr std::string_view kCloudFoundryRolesPostgres = R"sql(
ALTER TABLE role_assignments ADD COLUMN guid TEXT;
UPDATE role_assignments SET guid = gen_random_uuid()::text,
  role = CASE role WHEN 'org_manager' THEN 'organization_manager' ELSE role END;
ALTER TABLE role_assignments ALTER COLUMN guid SET NOT NULL;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_guid_key UNIQUE (guid);
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
  CHECK (role IN ('admin', 'routing', 'organization_user', 'organization_manager',
                  'organization_auditor', 'organization_billing_manager', 'space_manager',
                  'space_developer', 'space_auditor', 'space_supporter'));
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_org_guid_fkey;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_org_guid_fkey
  FOREIGN KEY (org_guid) REFERENCES orgs(guid) ON DELETE CASCADE;
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_space_guid_fkey;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_space_guid_fkey
  FOREIGN KEY (space_guid) REFERENCES spaces(guid) ON DELETE CASCADE;
CREATE INDEX role_assignments_space ON role_assignments (space_guid);
CREATE INDEX role_assignments_org ON role_assignments (org_guid);
)sql";

// Migration 30 without randomblob and strftime.
constexpr std::string_view kQuotasPostgres = R"sql(
CREATE TABLE org_quotas (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  total_memory_mb INTEGER NOT NULL CHECK (total_memory_mb >= -1),
  instance_memory_mb INTEGER NOT NULL CHECK (instance_memory_mb >= -1),
  app_instances INTEGER NOT NULL CHECK (app_instances >= -1),
  routes INTEGER NOT NULL CHECK (routes >= -1),
  service_instances INTEGER NOT NULL CHECK (service_instances >= -1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE space_quotas (
  id INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  org_guid TEXT NOT NULL REFERENCES orgs(guid),
  name TEXT NOT NULL,
  total_memory_mb INTEGER NOT NULL CHECK (total_memory_mb >= -1),
  instance_memory_mb INTEGER NOT NULL CHECK (instance_memory_mb >= -1),
  app_instances INTEGER NOT NULL CHECK (app_instances >= -1),
  routes INTEGER NOT NULL CHECK (routes >= -1),
  service_instances INTEGER NOT NULL CHECK (service_instances >= -1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (org_guid, name)
);
ALTER TABLE orgs ADD COLUMN quota_guid TEXT REFERENCES org_quotas(guid);
ALTER TABLE spaces ADD COLUMN space_quota_guid TEXT REFERENCES space_quotas(guid);
INSERT INTO org_quotas (guid, name, total_memory_mb, instance_memory_mb, app_instances, routes, service_instances,
                        created_at, updated_at)
  SELECT gen_random_uuid()::text, 'default', 102400, -1, -1, 1000, 100,
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
)sql";

// Migration 33: PostgreSQL changes the role's CHECK in place.
constexpr std::string_view kCellRolePostgres = R"sql(
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
  CHECK (role IN ('admin', 'routing', 'cell', 'organization_user', 'organization_manager',
                  'organization_auditor', 'organization_billing_manager', 'space_manager',
                  'space_developer', 'space_auditor', 'space_supporter'));
)sql";

constexpr Migration kMigrations[] = {
    {1, "tenancy and auth: orgs, spaces, users, role assignments, tokens", kTenancyAndAuth},
    {2, "apps and their processes", kAppsAndProcesses},
    {3, "packages, builds, droplets, buildpack caches; apps.current_droplet_guid", kPackagesBuildsDroplets},
    {4, "domains, routes, route destinations", kRoutes},
    {5, "events", kEvents},
    {6, "settings", kSettings},
    {7, "apps.run_droplet_guid and apps.run_generation (what the cell runs)", kRunningDroplet},
    {8, "buildpacks (the admin-ordered list)", kBuildpacks},
    {9, "routes.load_balancing (the loadbalancing route option)", kRouteLoadBalancing},
    {10, "role_assignments: the routing role", kRoutingRole, kRoutingRolePostgres},
    {11, "revisions; apps.run_revision", kRevisions},
    {12, "deployments (rolling, canary)", kDeployments},
    {13, "services: brokers, offerings, plans, service instances, bindings and keys", kServices},
    {14, "autoscaling: policies, custom-metric credentials, metric samples", kAutoscaling},
    {15, "tasks (one-off containers from an app's droplet)", kTasks},
    {16, "routes: loadbalancing hash, hash_header, hash_balance", kRouteHashOptions},
    {17, "processes: readiness checks", kProcessReadiness},
    {18, "apps.enable_ssh (the ssh app feature)", kAppSsh},
    {19, "service bindings: replaces; service_rotations (credential rotation)", kServiceRotations},
    {20, "processes.log_rate_limit (bytes per second an instance may log)", kProcessLogRateLimit},
    {21, "deployments.analysis_interval_secs, analysis_probe_path (automated canary analysis)", kDeploymentAnalysis},
    {22, "security groups and their space bindings; network policies", kNetworkSecurity, kNetworkSecurityPostgres},
    {23, "domains.internal (apps.internal)", kInternalDomains},
    {24, "deployments.analysis_progress (the canary analysis survives a restart)", kDeploymentAnalysisProgress},
    {25, "droplets.staging_key (an unchanged push reuses its droplet)", kDropletStagingKey},
    {26, "stacks: 'debian12' (the host's system) is the 'host' stack", kHostStack},
    {27, "builds.steps (where a staging's time went)", kBuildSteps},
    {28, "users.password_hash; tokens.kind, expires_at, session (password logins)", kPasswordLogins},
    {29, "role_assignments: Cloud Foundry's roles, a guid each, removed with their org or space", kCloudFoundryRoles,
     kCloudFoundryRolesPostgres},
    {30, "org and space quota definitions; orgs.quota_guid, spaces.space_quota_guid; the 'default' org quota", kQuotas,
     kQuotasPostgres},
    {31, "domain_certificates (TLS domains: certificate, key, plain-HTTP policy)", kDomainCertificates},
    {32, "cells and placements (cells on other hosts)", kCells},
    {33, "role_assignments: the cell role", kCellRole, kCellRolePostgres},
};

constexpr std::string_view kBookkeeping = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
)sql";

Result<int> ReadVersion(Tx& tx) {
  WHARF_RETURN_IF_ERROR(tx.Exec(kBookkeeping));
  WHARF_ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT IFNULL(MAX(version), 0) FROM schema_migrations"));
  WHARF_RETURN_IF_ERROR(st.Step().status());
  return static_cast<int>(st.Int(0));
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> CurrentSchemaVersion(Database& db) {
  return db.Transact<int>([](Tx& tx) { return ReadVersion(tx); });
}

Status Migrate(Database& db, const Clock& clock, std::optional<int> target) {
  int want = target.value_or(LatestSchemaVersion());
  if (want < 0 || want > LatestSchemaVersion()) {
    return Status::InvalidArgument("no schema version " + std::to_string(want) + " (latest is " +
                                   std::to_string(LatestSchemaVersion()) + ")");
  }
  Result<int> current = CurrentSchemaVersion(db);
  if (!current.ok()) return current.status().WithContext("reading schema version of " + db.Describe());
  if (*current > LatestSchemaVersion()) {
    return Status::Conflict("database " + db.Describe() + " has schema version " + std::to_string(*current) +
                            ", newer than this wharfd knows (" + std::to_string(LatestSchemaVersion()) +
                            "); run a newer wharfd");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *current || m.version > want) continue;
    Status s = db.Transact([&](Tx& tx) -> Status {
      // Re-check inside the transaction: another process may have migrated meanwhile.
      WHARF_ASSIGN_OR_RETURN(int now, ReadVersion(tx));
      if (now >= m.version) return Status::Ok();
      const bool postgres = tx.engine() == DatabaseEngine::kPostgres && !m.postgres_sql.empty();
      WHARF_RETURN_IF_ERROR(tx.Exec(postgres ? m.postgres_sql : m.sql));
      WHARF_ASSIGN_OR_RETURN(Statement st,
                             tx.Prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"));
      st.Bind(1, m.version).Bind(2, m.name).Bind(3, FormatRfc3339(clock.Now()));
      return st.Run();
    });
    if (!s.ok()) {
      return s.WithContext("applying migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace wharf::state
