// wharfd's command line: flags, defaults and the usage text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/version.h"  // kWharfVersion, for --version and /v1/info

namespace wharf::controller {

struct Config {
  std::filesystem::path data_dir;  // --data-dir, default $WHARF_HOME, else /var/lib/wharf
  // --database: "sqlite" (DATA_DIR/wharf.db) or a postgres:// or postgresql:// URL (it may hold a
  // password: never print it, state::MaskDatabaseUrl masks it).
  std::string database = "sqlite";
  std::uint16_t api_port = 9022;   // --api-port (0: pick a free port)
  // --api-address: the IP address the API listens on; anything but loopback needs TLS (or
  // --api-insecure-http).
  std::string api_address = "127.0.0.1";
  // --api-tls-cert / --api-tls-key: PEM certificate chain and key; both set: the API speaks HTTPS.
  std::filesystem::path api_tls_cert = {};
  std::filesystem::path api_tls_key = {};
  bool api_insecure_http = false;  // --api-insecure-http: plain HTTP on a non-loopback --api-address
  std::uint16_t router_port = 8080;
  std::string router_address = "127.0.0.1";  // where the router listens (--router-address)
  std::string domain = "localhost";
  std::vector<std::string> roles = {"api", "stager", "cell", "router"};
  int keep_droplets = 5;
  int autoscaler_min_duration_secs = 60;  // --autoscaler-min-duration-secs
  int access_token_secs = 3600;              // --access-token-secs: a password login's access token
  int refresh_token_secs = 30 * 24 * 3600;   // --refresh-token-secs: its refresh token
  std::string runtime = "auto";             // --runtime: auto (probe: crun, runc, else process), crun, runc, process
  // --disk-quotas enforced: each instance's writable layer on its own loop-mounted file of its disk
  // quota (writes past it fail with ENOSPC; ~0.2 s more per start); measured (default): checked by the
  // health supervisor, which restarts an instance over its quota.
  bool disk_quotas_enforced = false;
  // --builtin-services: Wharf's own brokers to run and register (api role); empty: none.
  std::vector<std::string> builtin_services = {"postgresql", "redis", "mysql"};
  // --services-dir: the built-in servers' data, outside data_dir (default: data_dir + "-services").
  std::filesystem::path services_dir;
  // --stacks-dir: the built stacks, <dir>/<name>/{rootfs,stack.json} (stacks/build.sh).
  std::filesystem::path stacks_dir = "/var/lib/wharf-stacks";
  std::filesystem::path buildpacks_dir;     // --buildpacks-dir: built-in buildpacks; empty: found beside wharfd
  // Limits of one staging (Cloud Foundry's defaults).
  std::int64_t staging_memory_mb = 1024;    // --staging-memory
  std::int64_t staging_disk_mb = 4096;      // --staging-disk
  int staging_timeout_minutes = 15;         // --staging-timeout
  std::optional<std::uint16_t> router_tls_port;  // --router-tls-port: HTTPS (SNI) listener; 0 = any free port (default: none)
  std::optional<std::uint16_t> router_admin_port;  // --router-admin-port: /metrics, /health (default: none)
  // A router-only wharfd (--roles router) follows the routing table of this API; a cell on another
  // host (--roles cell) takes its assignment from it:
  std::string api_url;                      // --api-url; empty: DATA_DIR/api-url, else http://127.0.0.1:<DATA_DIR/api-port, else 9022>
  std::filesystem::path api_ca_file = {};   // --api-ca-file: PEM CAs trusted for an https --api-url (besides the system's)
  std::filesystem::path api_token_file;     // --api-token-file; empty: DATA_DIR/router-token (a cell: DATA_DIR/cell-token)
  // Route registrations over NATS (controller/dataplane/routing/route_emitter.h, nats_route_follower.h): the
  // api role publishes them; a router-only wharfd builds its table from them instead of the API's
  // route stream (which it still follows for the domains' certificates).
  std::string nats_url;                     // --nats-url nats://HOST:PORT or tls://HOST:PORT; empty: no bus
  std::filesystem::path nats_ca_file = {};  // --nats-ca-file: the CAs of a TLS NATS server
  int route_register_interval_secs = 20;    // --route-register-interval: a router's, announced to emitters
  bool route_allow_loopback = false;        // --route-allow-loopback: a NATS-fed router accepts 127.0.0.1 hosts
  int route_prune_threshold_secs = 120;     // --route-prune-threshold: a router forgets what is not re-sent
  // Cells on other hosts (api role without the cell role): a cell whose last heartbeat is older
  // than this is lost, its instances placed on the others.
  int cell_timeout_secs = 5;                // --cell-timeout

  // A cell on another host (--roles cell alone; controller/daemon/standalone_cell.h):
  std::string cell_id;                      // --cell-id: [a-z0-9-], at most 63 characters (required)
  std::string zone = "default";             // --zone: placement spreads an app's instances across zones
  std::string cell_address;                 // --cell-address: the IP routers reach the container subnet through (required)
  std::int64_t cell_memory_mb = 0;          // --cell-memory-mb; 0: MemTotal less a reserve for the host
  std::int64_t cell_disk_mb = 0;            // --cell-disk-mb; 0: the free space of the data folder's file system
  int cell_max_instances = 250;             // --cell-max-instances
  // The container network (runtime::RuntimeConfig's bridge and subnet); empty: the runtime's
  // defaults (wharf0, 10.244.0.0/16). Cells side by side on one machine need their own of each.
  std::string bridge;                       // --bridge NAME
  std::string container_subnet;             // --container-subnet CIDR

  // Only the router, or the cell, runs without the api role in its process (the router then follows
  // the API's route stream, the cell its assignment).
  bool StandaloneRouter() const { return !HasRole("api") && !HasRole("cell"); }
  bool StandaloneCell() const { return !HasRole("api") && HasRole("cell"); }
  // The api role with built-in service brokers: the data plane starts and registers them.
  bool RunsBuiltinBrokers() const { return HasRole("api") && !builtin_services.empty(); }

  bool HasRole(std::string_view role) const;
  bool ApiTls() const { return !api_tls_cert.empty(); }
};

// Whether `address` (an IP address) is a loopback one: 127.0.0.0/8 or ::1.
bool IsLoopbackAddress(const std::string& address);

// What the command line asked for.
struct Invocation {
  enum class Kind { kRun, kHelp, kVersion } kind = Kind::kRun;
  Config config;
};

// The roles wharfd knows: api, stager, cell (runs the instances and their health checks), router.
const std::vector<std::string>& KnownRoles();

// Parses argv (without argv[0]) with the shared flag parser (common/flags.h).
// `wharf_home` is $WHARF_HOME or empty. Flags take their value as "--flag VALUE"
// or "--flag=VALUE". kInvalidArgument names the flag for an unknown flag, a
// missing or bad value. --help, then --version, win over the other flags.
Result<Invocation> ParseFlags(const std::vector<std::string>& args, const std::string& wharf_home);

// The usage text, its flag list rendered from the same flag specs ParseFlags reads.
std::string UsageText();

}  // namespace wharf::controller
