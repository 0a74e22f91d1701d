#include "controller/daemon/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "bus/nats_client.h"  // MaskNatsUrl
#include "common/facts/byte_size.h"
#include "common/facts/names.h"
#include "common/flags.h"
#include "runtime/network/network.h"  // ParseSubnet
#include "state/sql/db.h"             // IsPostgresUrl, MaskDatabaseUrl

namespace wharf::controller {
namespace {

Result<long> ParseNumber(const std::string& flag, const std::string& text, long min, long max) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument(flag + " must be a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

std::string JoinRoles(const std::vector<std::string>& roles, const std::string& separator) {
  std::string out;
  for (const std::string& role : roles) out += (out.empty() ? "" : separator) + role;
  return out;
}

Result<std::vector<std::string>> ParseRoles(const std::string& text) {
  std::vector<std::string> roles;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string role = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (role.empty()) return Status::InvalidArgument("--roles has an empty entry in '" + text + "'");
    const auto& known = KnownRoles();
    if (std::find(known.begin(), known.end(), role) == known.end()) {
      std::string hint = role == "health" ? "health checks run with the cell role; " : "";
      return Status::InvalidArgument("--roles: unknown role '" + role + "' (" + hint +
                                     "known: " + JoinRoles(known, ", ") + ")");
    }
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return roles;
}

// One wharfd flag: how it is spelled and shown (spec), and what its value does to the Config.
// `apply` is empty for --help and --version, which the parse result answers itself.
struct DaemonFlag {
  FlagSpec spec;
  std::function<Status(const std::string& value, Config& config)> apply;
};

FlagSpec Flag(std::string name, std::string value_name, std::string description) {
  return FlagSpec{std::move(name), 0, value_name.empty() ? FlagKind::kBool : FlagKind::kString,
                  std::move(value_name), std::move(description)};
}

Status NotEmpty(const std::string& flag, const std::string& value) {
  if (value.empty()) return Status::InvalidArgument(flag + " must not be empty");
  return Status::Ok();
}

// Applies a port flag's value to `port` (an optional port is set by it too).
template <typename Port>
std::function<Status(const std::string&, Config&)> PortFlag(const std::string& flag, Port Config::*port) {
  return [flag, port](const std::string& value, Config& c) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber(flag, value, 0, 65535));
    c.*port = static_cast<std::uint16_t>(n);
    return Status::Ok();
  };
}

// Every flag of wharfd in the order the usage text shows them.
std::vector<DaemonFlag> DaemonFlags() {
  return {
      {Flag("data-dir", "DIR", "state folder (default: $WHARF_HOME, else /var/lib/wharf)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--data-dir", v));
         c.data_dir = v;
         return Status::Ok();
       }},
      {Flag("database", "URL",
            "where the state is: sqlite (default: DATA_DIR/wharf.db)\n"
            "or postgres://USER:PASSWORD@HOST:PORT/DB (also\n"
            "postgresql://; several API wharfds may share one)"),
       [](const std::string& v, Config& c) -> Status {
         if (v != "sqlite" && !state::IsPostgresUrl(v)) {
           return Status::InvalidArgument("--database must be sqlite or a postgres:// URL, got '" +
                                          state::MaskDatabaseUrl(v) + "'");
         }
         c.database = v;
         return Status::Ok();
       }},
      {Flag("api-port", "N",
            "API port (default 9022; 0 picks a free port,\n"
            "the same as last time when it is free, and writes it\n"
            "to DATA_DIR/api-port; the API's URL goes to\n"
            "DATA_DIR/api-url)"),
       PortFlag("--api-port", &Config::api_port)},
      {Flag("api-address", "IP",
            "address the API listens on (default 127.0.0.1; 0.0.0.0\n"
            "or :: for every interface). Remote CLIs send passwords\n"
            "and tokens, so any address but loopback needs\n"
            "--api-tls-cert/--api-tls-key, or --api-insecure-http"),
       [](const std::string& v, Config& c) -> Status {
         unsigned char buf[sizeof(in6_addr)];
         if (inet_pton(AF_INET, v.c_str(), buf) != 1 && inet_pton(AF_INET6, v.c_str(), buf) != 1) {
           return Status::InvalidArgument("--api-address must be an IPv4 or IPv6 address, got '" + v + "'");
         }
         c.api_address = v;
         return Status::Ok();
       }},
      {Flag("api-tls-cert", "F",
            "PEM certificate (chain) of the API: it then speaks HTTPS\n"
            "only (TLS 1.2 or later); needs --api-tls-key"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--api-tls-cert", v));
         c.api_tls_cert = v;
         return Status::Ok();
       }},
      {Flag("api-tls-key", "F", "PEM private key of --api-tls-cert (kept unreadable\nto others: mode 0600)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--api-tls-key", v));
         c.api_tls_key = v;
         return Status::Ok();
       }},
      {Flag("api-insecure-http", "",
            "allow plain HTTP on a non-loopback --api-address\n"
            "(passwords and tokens then cross the network\n"
            "readable; for a trusted network or a TLS proxy only)"),
       [](const std::string&, Config& c) -> Status {
         c.api_insecure_http = true;
         return Status::Ok();
       }},
      {Flag("router-port", "N", "router port (default 8080)"), PortFlag("--router-port", &Config::router_port)},
      {Flag("router-address", "IP",
            "address the router listens on (default 127.0.0.1;\n"
            "0.0.0.0 or :: for every interface: a router on its own\n"
            "host that clients or a load balancer reach)"),
       [](const std::string& v, Config& c) -> Status {
         unsigned char buf[sizeof(in6_addr)];
         if (inet_pton(AF_INET, v.c_str(), buf) != 1 && inet_pton(AF_INET6, v.c_str(), buf) != 1) {
           return Status::InvalidArgument("--router-address must be an IPv4 or IPv6 address, got '" + v + "'");
         }
         c.router_address = v;
         return Status::Ok();
       }},
      {Flag("domain", "D", "shared domain for app routes (default localhost)"),
       [](const std::string& v, Config& c) -> Status {
         Status s = ValidateDomainName(v);
         if (!s.ok()) return s.WithContext("--domain");
         c.domain = v;
         return Status::Ok();
       }},
      {Flag("roles", "LIST",
            "comma-separated roles to run: " + JoinRoles(KnownRoles(), ",") +
                "\n"
                "(default: all; health checks run with the cell).\n"
                "\"--roles router\" alone runs a router that follows\n"
                "the API's routing table (GET /v1/routing/stream) and\n"
                "keeps serving the last table while the API is down;\n"
                "\"--roles cell\" alone runs a cell on another host that\n"
                "runs what the API places on it (needs --cell-id and\n"
                "--cell-address; follows --api-url)"),
       [](const std::string& v, Config& c) -> Status {
         auto roles = ParseRoles(v);
         if (!roles.ok()) return roles.status();
         c.roles = std::move(roles).value();
         return Status::Ok();
       }},
      {Flag("router-tls-port", "N",
            "HTTPS on 127.0.0.1:N for domains with a certificate\n"
            "(wharf create-domain D --cert F --key F); SNI picks the\n"
            "certificate; 0 = any free port, written to\n"
            "DATA_DIR/router-tls-port (default: no HTTPS listener)"),
       PortFlag("--router-tls-port", &Config::router_tls_port)},
      {Flag("router-admin-port", "N",
            "router metrics (/metrics, Prometheus text) and /health\n"
            "on 127.0.0.1:N (default: off)"),
       PortFlag("--router-admin-port", &Config::router_admin_port)},
      {Flag("api-url", "URL",
            "the API a router-only wharfd or a cell follows, http://\n"
            "or https:// (default: DATA_DIR/api-url, else\n"
            "http://127.0.0.1:PORT, PORT from DATA_DIR/api-port,\n"
            "else 9022)"),
       [](const std::string& v, Config& c) -> Status {
         if (!(v.starts_with("http://") && v.size() > 7) && !(v.starts_with("https://") && v.size() > 8)) {
           return Status::InvalidArgument("--api-url must be an http:// or https:// URL, got '" + v + "'");
         }
         c.api_url = v;
         return Status::Ok();
       }},
      {Flag("api-ca-file", "F",
            "PEM CA certificates a router-only wharfd or a cell\n"
            "trusts for an https:// API, besides the system's\n"
            "(default: the system's only)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--api-ca-file", v));
         c.api_ca_file = v;
         return Status::Ok();
       }},
      {Flag("api-token-file", "F",
            "that API's router token (default DATA_DIR/router-token;\n"
            "the admin token works too); a cell's: the API's\n"
            "DATA_DIR/cell-token, copied here (default\n"
            "DATA_DIR/cell-token)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--api-token-file", v));
         c.api_token_file = v;
         return Status::Ok();
       }},
      {Flag("cell-id", "ID",
            "a cell's name at the API, [a-z0-9-] (required with\n"
            "--roles cell; keep it across restarts)"),
       [](const std::string& v, Config& c) -> Status {
         if (v.empty() || v.size() > 63 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos ||
             v.front() == '-' || v.back() == '-') {
           return Status::InvalidArgument("--cell-id must be 1 to 63 of a-z, 0-9 and '-' (not first or last), got '" +
                                          v + "'");
         }
         c.cell_id = v;
         return Status::Ok();
       }},
      {Flag("zone", "Z", "the cell's zone: the API spreads an app across\nzones first (default: default)"),
       [](const std::string& v, Config& c) -> Status {
         if (v.empty() || v.size() > 63 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
           return Status::InvalidArgument("--zone must be 1 to 63 of a-z, 0-9, '-', '_' and '.', got '" + v + "'");
         }
         c.zone = v;
         return Status::Ok();
       }},
      {Flag("cell-address", "IP",
            "the address of the cell's host that routers send to\n"
            "(they route --container-subnet through it; required\n"
            "with --roles cell)"),
       [](const std::string& v, Config& c) -> Status {
         unsigned char buf[sizeof(in_addr)];
         if (inet_pton(AF_INET, v.c_str(), buf) != 1) {
           return Status::InvalidArgument("--cell-address must be an IPv4 address, got '" + v + "'");
         }
         c.cell_address = v;
         return Status::Ok();
       }},
      {Flag("cell-memory-mb", "N",
            "memory the cell's instances may use in all (default:\n"
            "the host's memory less 10%, at least 512, for itself)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--cell-memory-mb", v, 1, 1L << 30));
         c.cell_memory_mb = n;
         return Status::Ok();
       }},
      {Flag("cell-disk-mb", "N", "disk the cell's instances may use in all (default:\nthe free space of the data folder)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--cell-disk-mb", v, 1, 1L << 40));
         c.cell_disk_mb = n;
         return Status::Ok();
       }},
      {Flag("cell-max-instances", "N", "containers the cell runs at most (default 250)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--cell-max-instances", v, 1, 100000));
         c.cell_max_instances = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("bridge", "NAME",
            "the containers' bridge (default wharf0); wharfds side by\n"
            "side on one machine need one each"),
       [](const std::string& v, Config& c) -> Status {
         if (v.empty() || v.size() > 15 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
           return Status::InvalidArgument("--bridge must be 1 to 15 of a-z, 0-9, '-' and '_', got '" + v + "'");
         }
         c.bridge = v;
         return Status::Ok();
       }},
      {Flag("container-subnet", "CIDR",
            "the containers' addresses (default 10.244.0.0/16), used\n"
            "for nothing else; each cell needs its own, which\n"
            "routers route through its --cell-address"),
       [](const std::string& v, Config& c) -> Status {
         auto subnet = runtime::ParseSubnet(v);
         if (!subnet.ok()) return subnet.status().WithContext("--container-subnet");
         c.container_subnet = v;
         return Status::Ok();
       }},
      {Flag("nats-url", "URL",
            "route registrations over NATS (nats://HOST:PORT, or\n"
            "tls://HOST:PORT for TLS): the api role publishes them\n"
            "(router.register, as Cloud Foundry's route-emitter);\n"
            "\"--roles router\" builds its table from them (default:\n"
            "none; routers follow the API's stream)"),
       [](const std::string& v, Config& c) -> Status {
         if (!((v.starts_with("nats://") && v.size() > 7) || (v.starts_with("tls://") && v.size() > 6))) {
           return Status::InvalidArgument("--nats-url must be a nats:// or tls:// URL, got '" + bus::MaskNatsUrl(v) + "'");
         }
         c.nats_url = v;
         return Status::Ok();
       }},
      {Flag("nats-ca-file", "F",
            "PEM CAs that signed the NATS server's certificate:\n"
            "the connection is TLS, the server's name checked\n"
            "(default for a tls:// URL: the system's CAs)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--nats-ca-file", v));
         c.nats_ca_file = v;
         return Status::Ok();
       }},
      {Flag("route-register-interval", "S",
            "a NATS-fed router asks emitters to send each route\n"
            "again every S seconds (default 20, as gorouter)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--route-register-interval", v, 1, 3600));
         c.route_register_interval_secs = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("route-prune-threshold", "S",
            "a NATS-fed router forgets a route not sent again\n"
            "within S seconds, never while NATS is away (default 120)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--route-prune-threshold", v, 2, 24 * 3600));
         c.route_prune_threshold_secs = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("route-allow-loopback", "",
            "a NATS-fed router accepts registrations of loopback\n"
            "hosts (the plain-process runtime on the router's own\n"
            "host); otherwise they are refused, as are link-local,\n"
            "unspecified and multicast ones, always"),
       [](const std::string&, Config& c) -> Status {
         c.route_allow_loopback = true;
         return Status::Ok();
       }},
      {Flag("cell-timeout", "S",
            "api role without the cell role: a cell on another host\n"
            "silent for S seconds is lost and its instances start\n"
            "on the other cells (default 5)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--cell-timeout", v, 1, 3600));
         c.cell_timeout_secs = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("keep-droplets", "N", "droplets kept per app besides the current one (default 5)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--keep-droplets", v, 0, 1000));
         c.keep_droplets = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("autoscaler-min-duration-secs", "S",
            "lowest breach_duration_secs and cool_down_secs an autoscaling\n"
            "policy may set (default 60, as App Autoscaler; lower for demos and tests)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--autoscaler-min-duration-secs", v, 1, 3600));
         c.autoscaler_min_duration_secs = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("access-token-secs", "S",
            "lifetime of the access token a password login gets (default 3600;\n"
            "wharf refreshes it by itself)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--access-token-secs", v, 1, 7 * 24 * 3600));
         c.access_token_secs = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("refresh-token-secs", "S", "lifetime of a login's refresh token (default 2592000, 30 days)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--refresh-token-secs", v, 1, 365 * 24 * 3600));
         c.refresh_token_secs = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("staging-memory", "M", "memory limit of a staging (default 1G)"),
       [](const std::string& v, Config& c) -> Status {
         auto mb = ParseMegabytes(v);
         if (!mb.ok()) return mb.status().WithContext("--staging-memory");
         c.staging_memory_mb = *mb;
         return Status::Ok();
       }},
      {Flag("staging-disk", "D", "disk limit of a staging's files (default 4G)"),
       [](const std::string& v, Config& c) -> Status {
         auto mb = ParseMegabytes(v);
         if (!mb.ok()) return mb.status().WithContext("--staging-disk");
         c.staging_disk_mb = *mb;
         return Status::Ok();
       }},
      {Flag("staging-timeout", "N", "minutes a staging may take (default 15)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_ASSIGN_OR_RETURN(auto n, ParseNumber("--staging-timeout", v, 1, 24 * 60));
         c.staging_timeout_minutes = static_cast<int>(n);
         return Status::Ok();
       }},
      {Flag("runtime", "B",
            "container backend: auto (default: crun or runc,\n"
            "whichever works here, else unisolated processes),\n"
            "crun, runc, process"),
       [](const std::string& v, Config& c) -> Status {
         if (v != "auto" && v != "crun" && v != "runc" && v != "process") {
           return Status::InvalidArgument("--runtime: unknown backend '" + v + "' (known: auto, crun, runc, process)");
         }
         c.runtime = v;
         return Status::Ok();
       }},
      {Flag("disk-quotas", "MODE",
            "disk quotas: measured (default: an instance is checked\n"
            "every 30 s and restarted when over it) or enforced\n"
            "(writes past an instance's quota or a staging's\n"
            "--staging-disk-mb fail; OCI runtimes)"),
       [](const std::string& v, Config& c) -> Status {
         if (v != "measured" && v != "enforced") {
           return Status::InvalidArgument("--disk-quotas: unknown mode '" + v + "' (known: measured, enforced)");
         }
         c.disk_quotas_enforced = v == "enforced";
         return Status::Ok();
       }},
      {Flag("builtin-services", "LIST",
            "Wharf's own service brokers to run and register, on\n"
            "servers it runs under the services folder:\n"
            "postgresql,redis,mysql (default; mysql is MariaDB),\n"
            "a subset, or none"),
       [](const std::string& v, Config& c) -> Status {
         c.builtin_services.clear();
         if (v == "none") return Status::Ok();
         std::string item;
         for (std::size_t from = 0; from <= v.size();) {
           std::size_t comma = v.find(',', from);
           item = v.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
           if (item != "postgresql" && item != "redis" && item != "mysql") {
             return Status::InvalidArgument("--builtin-services: unknown service '" + item +
                                            "' (known: postgresql, redis, mysql; or none)");
           }
           c.builtin_services.push_back(item);
           if (comma == std::string::npos) break;
           from = comma + 1;
         }
         return Status::Ok();
       }},
      {Flag("services-dir", "DIR",
            "the built-in services' data (default: DATA_DIR-services,\n"
            "beside the data folder; never inside it, which stays\n"
            "root's only)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--services-dir", v));
         c.services_dir = v;
         return Status::Ok();
       }},
      {Flag("stacks-dir", "DIR",
            "the stacks (root file systems) apps run on, one folder\n"
            "each, built by stacks/build.sh (default:\n"
            "/var/lib/wharf-stacks); the host stack is always there"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--stacks-dir", v));
         c.stacks_dir = v;
         return Status::Ok();
       }},
      {Flag("buildpacks-dir", "DIR",
            "built-in buildpacks (default: ../share/wharf/buildpacks\n"
            "beside wharfd, else the source tree's buildpacks/)"),
       [](const std::string& v, Config& c) -> Status {
         WHARF_RETURN_IF_ERROR(NotEmpty("--buildpacks-dir", v));
         c.buildpacks_dir = v;
         return Status::Ok();
       }},
      {FlagSpec{"help", 'h', FlagKind::kBool, "", "show this text"}, {}},
      {Flag("version", "", "print the version"), {}},
  };
}

CommandSpec DaemonCommandSpec() {
  CommandSpec spec;
  spec.name = "wharfd";
  for (DaemonFlag& flag : DaemonFlags()) spec.flags.push_back(std::move(flag.spec));
  return spec;
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    // ::ffff:127.x.x.x
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

bool Config::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const std::vector<std::string>& KnownRoles() {
  static const std::vector<std::string> kRoles = {"api", "stager", "cell", "router"};
  return kRoles;
}

Result<Invocation> ParseFlags(const std::vector<std::string>& args, const std::string& wharf_home) {
  WHARF_ASSIGN_OR_RETURN(auto parsed, ParseArgs(DaemonCommandSpec(), args));
  Invocation inv;
  if (parsed.help) {
    inv.kind = Invocation::Kind::kHelp;
    return inv;
  }
  if (parsed.Has("version")) {
    inv.kind = Invocation::Kind::kVersion;
    return inv;
  }
  Config& c = inv.config;
  c.data_dir = wharf_home.empty() ? std::filesystem::path("/var/lib/wharf") : std::filesystem::path(wharf_home);
  for (const DaemonFlag& flag : DaemonFlags()) {
    std::optional<std::string> value = parsed.Value(flag.spec.name);
    if (value && flag.apply) WHARF_RETURN_IF_ERROR(flag.apply(*value, c));
  }
  // The servers' users may pass through the services folder: it must not lie in the data folder
  // (wharf.db, blobs, droplets), nor hold it.
  const auto normal = [](const std::filesystem::path& p) {
    std::filesystem::path n = std::filesystem::absolute(p).lexically_normal();
    return n.has_filename() || n == n.root_path() ? n : n.parent_path();  // no trailing separator
  };
  const std::filesystem::path data = normal(c.data_dir);
  if (c.services_dir.empty()) c.services_dir = data.string() + "-services";
  const std::filesystem::path services = normal(c.services_dir);
  const auto inside = [](const std::filesystem::path& inner, const std::filesystem::path& outer) {
    const std::string rel = inner.lexically_relative(outer).string();
    return !rel.empty() && rel.rfind("..", 0) != 0;
  };
  if (inside(services, data) || inside(data, services)) {
    return Status::InvalidArgument("--services-dir: " + c.services_dir.string() +
                                   " overlaps the data folder " + c.data_dir.string() +
                                   " (the services' system users must not reach wharfd's state)");
  }
  if (c.route_prune_threshold_secs <= c.route_register_interval_secs) {
    return Status::InvalidArgument("--route-prune-threshold (" + std::to_string(c.route_prune_threshold_secs) +
                                   " s) must be longer than --route-register-interval (" +
                                   std::to_string(c.route_register_interval_secs) +
                                   " s), or a route is forgotten between two registrations");
  }
  if (c.api_tls_cert.empty() != c.api_tls_key.empty()) {
    return Status::InvalidArgument(c.api_tls_cert.empty() ? "--api-tls-key needs --api-tls-cert"
                                                          : "--api-tls-cert needs --api-tls-key");
  }
  if (!IsLoopbackAddress(c.api_address) && !c.ApiTls() && !c.api_insecure_http) {
    return Status::InvalidArgument("--api-address " + c.api_address +
                                   " is reachable from other hosts: give the API a certificate "
                                   "(--api-tls-cert F --api-tls-key F) so passwords and tokens do not cross the "
                                   "network readable, or accept that with --api-insecure-http");
  }
  if (!c.HasRole("api")) {
    const bool alone = c.roles.size() == 1;
    for (const std::string& role : c.roles) {
      if (role == "router" && alone) continue;
      if (role == "cell" && alone) continue;
      if (role == "cell") {
        return Status::InvalidArgument("--roles: 'cell' needs 'api' in the same wharfd, or runs alone (\"--roles cell\": "
                                       "a cell on another host; run a router beside it as a wharfd of its own)");
      }
      if (role != "router") {
        return Status::InvalidArgument("--roles: '" + role +
                                       "' needs 'api' in the same wharfd (only the router and the cell run apart, "
                                       "following the API)");
      }
    }
  }
  if (c.StandaloneCell()) {
    if (c.cell_id.empty()) return Status::InvalidArgument("--roles cell needs --cell-id ID (the cell's name at the API)");
    if (c.cell_address.empty()) {
      return Status::InvalidArgument("--roles cell needs --cell-address IP (where routers reach its containers)");
    }
  } else {
    for (auto [flag, given] : {std::pair<const char*, bool>{"--cell-id", !c.cell_id.empty()},
                               {"--cell-address", !c.cell_address.empty()}}) {
      if (given) {
        return Status::InvalidArgument(std::string(flag) +
                                       " is for a cell on another host, which runs alone (\"--roles cell\"); a wharfd "
                                       "with the api role runs its own cell, and a remote cell beside the api in one "
                                       "process is not supported");
      }
    }
  }
  return inv;
}

std::string UsageText() {
  return "usage: wharfd [flags]\n"
         "\n"
         "Runs the Wharf platform daemon: the API, the stager (buildpacks -> droplets),\n"
         "the cell and health manager (droplets run in containers, kept healthy) and the\n"
         "router, with all state under one data folder.\n"
         "\n"
         "flags:\n" +
         RenderFlagTable(DaemonCommandSpec().flags, 2, 2);
}

}  // namespace wharf::controller
