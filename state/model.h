// The resource model as plain data: what the stores read and write and the
// services reason about. No behaviour here beyond defaults.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/states.h"

namespace wharf::state {

// ---- Tenancy and auth ----

struct Org {
  std::string guid;
  std::string name;
  std::string created_at;
};

struct Space {
  std::string guid;
  std::string org_guid;
  std::string name;
  std::string created_at;
};

struct User {
  std::string guid;
  std::string name;
  std::string created_at;
  // Argon2id (libsodium's crypto_pwhash_str form); none for users that only have API tokens
  // (the admin and router users wharfd makes).
  std::optional<std::string> password_hash = std::nullopt;
};

// "api": a long-lived API token (the admin token file); "access" and "refresh": the pair a
// password login (or a refresh) issues, which share a session and expire.
enum class TokenKind { kApi, kAccess, kRefresh };
inline std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kAccess: return "access";
    case TokenKind::kRefresh: return "refresh";
    case TokenKind::kApi: break;
  }
  return "api";
}

struct Token {
  std::string guid;
  std::string user_guid;
  std::string name;
  std::string token_hash;  // sha256 hex of the secret; the secret itself is never stored
  std::string created_at;
  std::optional<std::string> last_used_at;
  TokenKind kind = TokenKind::kApi;
  std::optional<std::string> expires_at = std::nullopt;  // RFC 3339; none: never
  std::optional<std::string> session = std::nullopt;     // a login's access and refresh tokens share it
};

// A role a user holds: platform-wide ("admin", "routing"), in an org ("organization_manager", ...)
// or in a space ("space_developer", ...), with Cloud Foundry's v3 role names.
struct RoleAssignment {
  std::string guid;
  std::string user_guid;
  std::string role;
  std::optional<std::string> org_guid = std::nullopt;
  std::optional<std::string> space_guid = std::nullopt;
  std::string created_at;
  std::string user_name;  // read with the assignment, for listings
};

// Who is calling, as established by authentication.
struct Principal {
  User user;
  std::vector<std::string> roles;  // the distinct role names held: "admin", "space_developer", ...
  std::optional<std::string> session = std::nullopt;  // the login session of the token used, if any
  std::vector<RoleAssignment> assignments = {};        // where each role is held
  bool HasRole(std::string_view role) const {
    for (const auto& r : roles) {
      if (r == role) return true;
    }
    return false;
  }
};

// ---- Apps (desired state) ----

using EnvVars = std::map<std::string, std::string>;

struct App {
  std::string guid;
  std::string space_guid;
  std::string name;
  AppState state = AppState::kStopped;
  std::vector<std::string> buildpacks;  // empty: detect
  std::string stack = "host";  // the host stack unless a built one is named (stacks/)
  EnvVars environment_variables;
  std::optional<std::string> current_droplet_guid;
  // What the cell runs while STARTED: the droplet of the last start/restart and a
  // generation bumped by each (a new generation replaces the instances).
  std::optional<std::string> run_droplet_guid;
  std::int64_t run_generation = 0;
  // The revision the cell runs while STARTED (its version; 0: none, started before revisions).
  std::int64_t run_revision = 0;
  // `wharf ssh` into its instances is allowed (Cloud Foundry's app feature "ssh", on by default).
  bool enable_ssh = true;
  std::string created_at;
  std::string updated_at;
};

// An immutable, numbered record of what an app runs (Cloud Foundry v3 revisions).
struct Revision {
  std::string guid;
  std::string app_guid;
  std::int64_t version = 0;  // 1, 2, ... per app
  std::string droplet_guid;
  EnvVars environment_variables;
  std::map<std::string, std::optional<std::string>> commands;  // process type -> custom start command
  std::string description;
  std::optional<std::int64_t> rolled_back_from;  // the version a rollback redeployed
  std::string created_at;
};

// A deployment as stored (deployments/deployment.h gives it meaning): strategy "rolling" or
// "canary", state "DEPLOYING", "PAUSED", "DEPLOYED", "CANCELED" or "FAILED".
struct DeploymentRecord {
  std::string guid;
  std::string app_guid;
  std::string strategy = "rolling";
  std::string state = "DEPLOYING";
  std::int64_t revision = 0;
  std::int64_t previous_revision = 0;
  std::int64_t previous_generation = 0;
  std::string previous_droplet_guid;
  int max_in_flight = 1;
  std::vector<int> instance_steps;
  std::vector<int> canary_weights;
  int step = 0;
  std::string reason;
  std::string created_at;
  std::string updated_at;
  int analysis_interval_secs = 0;  // canary: automated analysis window (0: off)
  std::string analysis_probe_path;  // canary analysis: where synthetic probes go when traffic is thin ("": none)
  // The canary analyzer's progress through the current step, as JSON it alone reads ("": none yet),
  // so a restarted wharfd goes on counting the step's windows where it stopped.
  std::string analysis_progress;
};

struct HealthCheck {
  HealthCheckType type = HealthCheckType::kPort;
  std::optional<std::string> endpoint;  // http only
  int invocation_timeout = 1;           // seconds per check
  int timeout = 60;                     // seconds from start to first healthy check
};

// Cloud Foundry's readiness check (readiness-health-check-*): traffic only while it passes.
struct ReadinessCheck {
  HealthCheckType type = HealthCheckType::kProcess;  // process: ready while running
  std::optional<std::string> endpoint;               // http only
  int invocation_timeout = 1;                        // seconds per check
  int interval = 5;                                  // seconds between checks
};

struct Process {
  std::string guid;
  std::string app_guid;
  std::string type = "web";
  std::optional<std::string> command;  // null: the droplet's command for this type
  int instances = 1;
  int memory_in_mb = 1024;
  int disk_in_mb = 1024;
  std::int64_t log_rate_limit = -1;  // bytes per second each instance may log; -1: unlimited
  HealthCheck health_check;
  ReadinessCheck readiness_check;
  std::string created_at;
  std::string updated_at;
};

// ---- Packages, builds, droplets ----

struct Package {
  std::string guid;
  std::string app_guid;
  PackageState state = PackageState::kReady;
  std::string sha256;  // digest of the package manifest blob
  std::int64_t file_count = 0;
  std::int64_t size_bytes = 0;
  nlohmann::json source = nlohmann::json::object();  // {"type", "url"?, "ref"?, "commit"?}
  std::string created_at;
};

// Where a staging's time went (stager::StagingTimings), in milliseconds.
struct StagingSteps {
  std::int64_t prepare_ms = 0;     // buildpacks fetched, package materialized, cache restored
  std::int64_t buildpacks_ms = 0;  // the staging container, start to exit
  std::int64_t droplet_ms = 0;     // start command decided, droplet archived and stored
  std::int64_t cache_ms = 0;       // buildpack cache compared and stored
};

struct Build {
  std::string guid;
  std::string app_guid;
  std::string package_guid;
  BuildState state = BuildState::kStaging;
  std::optional<std::string> error;
  std::optional<std::string> droplet_guid;
  std::string created_at;
  std::string updated_at;
  std::optional<StagingSteps> steps;  // a staging that ran to the end (none: reused droplet, failed, running)
};

// A one-off run of a command in a container from an app's droplet (Cloud Foundry v3 task).
struct Task {
  std::string guid;
  std::string app_guid;
  std::int64_t sequence_id = 0;  // 1, 2, ... per app
  std::string name;
  std::string command;
  TaskState state = TaskState::kPending;
  int memory_in_mb = 1024;
  int disk_in_mb = 1024;
  std::string droplet_guid;
  std::optional<int> exit_status;             // once it exited
  std::optional<std::string> failure_reason;  // FAILED: "Exited with status 3", "OOM killed", ...
  std::optional<std::string> started_at;      // when its container started
  std::string created_at;
  std::string updated_at;
};

struct Droplet {
  std::string guid;
  std::string app_guid;
  std::optional<std::string> package_guid;
  std::string sha256;  // the droplet tarball blob
  std::int64_t size_bytes = 0;
  std::map<std::string, std::string> process_types;  // type -> start command
  nlohmann::json buildpacks = nlohmann::json::array();  // [{"name", "version"}]
  std::string stack = "host";  // the host stack unless a built one is named (stacks/)
  std::string created_at;
  // What staging took in (package, buildpacks, stack, environment, start command, the buildpack
  // list, wharfd's version), as a digest: a build of the same inputs reuses this droplet. "":
  // not reusable (uploaded with push --droplet, or staged before the key existed).
  std::string staging_key;
};

struct BuildpackCache {
  std::string app_guid;
  std::string stack;
  std::string sha256;
  std::int64_t size_bytes = 0;
  std::string updated_at;
};

// An entry of the admin-ordered buildpack list. Built-in ones have their files
// in the built-in buildpacks folder (`filename` is the folder's name there);
// uploaded ones are the archive blob `sha256` (none until uploaded).
struct Buildpack {
  std::string guid;
  std::string name;
  std::int64_t position = 1;  // detection order, contiguous 1..n
  bool enabled = true;
  std::optional<std::string> stack;  // none: any stack
  bool builtin = false;
  std::string filename;               // "staticfile" (built-in) or the uploaded file's name
  std::optional<std::string> sha256;  // uploaded archive
  std::string created_at;
  std::string updated_at;
  // Whether staging can use it: built-in, or uploaded bits.
  bool HasBits() const { return builtin || sha256.has_value(); }
};

// ---- Routing ----

struct Domain {
  std::string guid;
  std::string name;
  bool shared = true;
  std::optional<std::string> org_guid;  // owner of a private domain
  std::string created_at;
  bool internal = false;  // apps.internal: names for container-to-container traffic, never routed
};

// A domain's TLS certificate (migration 30). The private key never leaves the routing table.
struct DomainCertificate {
  std::string domain_guid;
  std::string domain_name;       // joined in
  std::string certificate_pem;
  std::string private_key_pem;   // empty when read without it (DomainCertificateInfos)
  std::string http_policy = "redirect";  // plain HTTP: "redirect", "refuse" or "allow"
  std::string names;             // the certificate's DNS names, comma-separated
  std::string not_after;
  std::string updated_at;
};

struct Destination {
  std::string guid;
  std::string route_guid;
  std::string app_guid;
  std::string app_name;  // joined in for display
  std::string process_type = "web";
  std::string created_at;
};

struct Route {
  std::string guid;
  std::string space_guid;
  std::string domain_guid;
  std::string domain_name;  // joined in for display
  bool internal = false;    // on an internal domain (joined in): not served by the router
  std::string host;
  std::string path;  // "" or "/..."
  std::string load_balancing = "round-robin";  // the "loadbalancing" option: or "least-connection", "hash"
  std::string hash_header;   // with "hash": the request header hashed
  std::string hash_balance;  // with "hash": the balance factor as given ("1.25"), "" = none
  std::string created_at;
  std::vector<Destination> destinations;

  // "web.localhost/api"
  std::string Url() const { return (host.empty() ? domain_name : host + "." + domain_name) + path; }
};

// ---- Services (brokers, their catalog, instances, bindings and keys) ----

// An Open Service Broker the platform talks to. The password is kept for the
// broker's basic auth and never shown by the API.
struct ServiceBroker {
  std::string guid;
  std::string name;
  std::string url;
  std::string username;
  std::string password;
  std::string created_at;
  std::string updated_at;
};

// A service of a broker's catalog (cf: service offering).
struct ServiceOffering {
  std::string guid;
  std::string broker_guid;
  std::string broker_name;  // joined in for display
  std::string broker_id;    // the catalog's id
  std::string name;
  std::string description;
  bool bindable = true;
  bool plan_updateable = false;
  bool instances_retrievable = false;
  bool bindings_retrievable = false;
  nlohmann::json tags = nlohmann::json::array();
  nlohmann::json requires_ = nlohmann::json::array();
  nlohmann::json metadata = nlohmann::json::object();
  std::string created_at;
};

struct ServicePlan {
  std::string guid;
  std::string offering_guid;
  std::string broker_id;  // the catalog's id
  std::string name;
  std::string description;
  bool free = true;
  std::optional<bool> bindable;          // none: the offering's
  std::optional<bool> plan_updateable;   // none: the offering's
  std::optional<int> maximum_polling_duration;  // seconds
  bool public_ = false;                  // enable-service-access for every org
  std::string created_at;
};

// A service instance: managed (a broker's, `plan_guid` set) or user-provided
// (credentials given by the user). `last_operation_*` follow Cloud Foundry:
// type create|update|delete, state "in progress"|succeeded|failed.
struct ServiceInstance {
  std::string guid;
  std::string space_guid;
  std::string name;
  std::string type = "user-provided";  // or "managed"
  std::optional<std::string> plan_guid;
  nlohmann::json credentials = nlohmann::json::object();  // user-provided only
  std::string syslog_drain_url;
  std::string route_service_url;
  nlohmann::json tags = nlohmann::json::array();
  nlohmann::json parameters = nlohmann::json::object();  // managed: as given to create/update
  std::string dashboard_url;
  std::string last_operation_type = "create";
  std::string last_operation_state = "succeeded";
  std::string last_operation_description;
  std::optional<std::string> broker_operation;  // the broker's async operation handle
  std::string created_at;
  std::string updated_at;
};

// A binding of an instance to an app (type "app"), or a service key (type "key":
// credentials for use outside the platform, named).
struct ServiceBinding {
  std::string guid;
  std::string instance_guid;
  std::string instance_name;  // joined in for display
  std::string type = "app";   // or "key"
  std::optional<std::string> app_guid;
  std::string app_name;       // joined in for display
  std::optional<std::string> name;  // binding name (apps, optional) or key name
  nlohmann::json credentials = nlohmann::json::object();
  nlohmann::json parameters = nlohmann::json::object();
  std::string syslog_drain_url;
  nlohmann::json volume_mounts = nlohmann::json::array();
  std::string last_operation_type = "create";
  std::string last_operation_state = "succeeded";
  std::string last_operation_description;
  std::optional<std::string> broker_operation;
  // While a credential rotation replaces a binding: the guid of the binding this one replaces
  // (both exist until the old one is unbound; VCAP_SERVICES shows this one once it succeeded).
  std::optional<std::string> replaces;
  std::string created_at;
  std::string updated_at;
};

// A credential rotation of one app binding (`wharf rotate-service-credentials`): a new binding
// at the broker, a rolling restart onto it, the old binding unbound once no old instance is left.
// States: binding -> restarting -> draining -> unbinding -> succeeded, or failed.
struct ServiceRotation {
  std::string guid;
  std::string app_guid;
  std::string instance_guid;
  std::string old_binding_guid;
  std::string new_binding_guid;
  std::string state = "binding";
  std::optional<std::string> deployment_guid;
  std::string description;
  std::string created_at;
  std::string updated_at;
};

// ---- Audit ----

struct Event {
  std::string guid;
  std::string type;  // "app-created", ...
  std::optional<std::string> actor_guid;
  std::string actor_name;
  std::string target_type;  // "app", "route", "domain", "package", ...
  std::string target_guid;
  std::string target_name;
  std::optional<std::string> space_guid;
  nlohmann::json data = nlohmann::json::object();
  std::string created_at;
};

}  // namespace wharf::state
