#include "controller/config.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/byte_size.h"
#include "common/names.h"

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

Result<std::vector<std::string>> ParseRoles(const std::string& text) {
  std::vector<std::string> roles;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string role = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (role.empty()) return Status::InvalidArgument("--roles has an empty entry in '" + text + "'");
    const auto& known = KnownRoles();
    if (std::find(known.begin(), known.end(), role) == known.end()) {
      return Status::InvalidArgument("--roles: unknown role '" + role + "' (known: api, stager, cell, health, router)");
    }
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return roles;
}

}  // namespace

bool Config::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const std::vector<std::string>& KnownRoles() {
  static const std::vector<std::string> kRoles = {"api", "stager", "cell", "health", "router"};
  return kRoles;
}

Result<Invocation> ParseFlags(const std::vector<std::string>& args, const std::string& wharf_home) {
  Invocation inv;
  Config& c = inv.config;
  c.data_dir = wharf_home.empty() ? std::filesystem::path("/var/lib/wharf") : std::filesystem::path(wharf_home);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      inv.kind = Invocation::Kind::kHelp;
      return inv;
    }
    if (flag == "--version") {
      inv.kind = Invocation::Kind::kVersion;
      return inv;
    }
    auto value = [&]() -> Result<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) return Status::InvalidArgument(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--data-dir") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (v->empty()) return Status::InvalidArgument("--data-dir must not be empty");
      c.data_dir = *v;
    } else if (flag == "--api-port" || flag == "--router-port") {
      auto v = value();
      if (!v.ok()) return v.status();
      auto n = ParseNumber(flag, *v, 0, 65535);
      if (!n.ok()) return n.status();
      (flag == "--api-port" ? c.api_port : c.router_port) = static_cast<std::uint16_t>(*n);
    } else if (flag == "--runtime") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (*v != "auto" && *v != "crun" && *v != "runc" && *v != "process") {
        return Status::InvalidArgument("--runtime: unknown backend '" + *v + "' (known: auto, crun, runc, process)");
      }
      c.runtime = *v;
    } else if (flag == "--buildpacks-dir") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (v->empty()) return Status::InvalidArgument("--buildpacks-dir must not be empty");
      c.buildpacks_dir = *v;
    } else if (flag == "--domain") {
      auto v = value();
      if (!v.ok()) return v.status();
      Status s = ValidateDomainName(*v);
      if (!s.ok()) return s.WithContext("--domain");
      c.domain = *v;
    } else if (flag == "--roles") {
      auto v = value();
      if (!v.ok()) return v.status();
      auto roles = ParseRoles(*v);
      if (!roles.ok()) return roles.status();
      c.roles = *roles;
    } else if (flag == "--staging-memory" || flag == "--staging-disk") {
      auto v = value();
      if (!v.ok()) return v.status();
      auto mb = ParseMegabytes(*v);
      if (!mb.ok()) return mb.status().WithContext(flag);
      (flag == "--staging-memory" ? c.staging_memory_mb : c.staging_disk_mb) = *mb;
    } else if (flag == "--staging-timeout") {
      auto v = value();
      if (!v.ok()) return v.status();
      auto n = ParseNumber(flag, *v, 1, 24 * 60);
      if (!n.ok()) return n.status();
      c.staging_timeout_minutes = static_cast<int>(*n);
    } else if (flag == "--router-admin-port") {
      auto v = value();
      if (!v.ok()) return v.status();
      auto n = ParseNumber(flag, *v, 0, 65535);
      if (!n.ok()) return n.status();
      c.router_admin_port = static_cast<std::uint16_t>(*n);
    } else if (flag == "--api-url") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (!v->starts_with("http://") || v->size() <= 7) {
        return Status::InvalidArgument("--api-url must be an http:// URL, got '" + *v + "'");
      }
      c.api_url = *v;
    } else if (flag == "--api-token-file") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (v->empty()) return Status::InvalidArgument("--api-token-file must not be empty");
      c.api_token_file = *v;
    } else if (flag == "--keep-droplets") {
      auto v = value();
      if (!v.ok()) return v.status();
      auto n = ParseNumber(flag, *v, 0, 1000);
      if (!n.ok()) return n.status();
      c.keep_droplets = static_cast<int>(*n);
    } else {
      return Status::InvalidArgument("unknown flag '" + args[i] + "'");
    }
  }
  if (!c.HasRole("api")) {
    for (const std::string& role : c.roles) {
      if (role != "router") {
        return Status::InvalidArgument("--roles: '" + role +
                                       "' needs 'api' in the same wharfd (only the router runs apart, following "
                                       "the API's route stream)");
      }
    }
  }
  return inv;
}

std::string UsageText() {
  return R"(usage: wharfd [flags]

Runs the Wharf platform daemon: the API, the stager (buildpacks -> droplets),
the cell and health manager (droplets run in containers, kept healthy) and the
router, with all state under one data folder.

flags:
  --data-dir DIR       state folder (default: $WHARF_HOME, else /var/lib/wharf)
  --api-port N         API port on 127.0.0.1 (default 9022; 0 picks a free port,
                       the same as last time when it is free, and writes it
                       to DATA_DIR/api-port)
  --router-port N      router port (default 8080)
  --domain D           shared domain for app routes (default localhost)
  --roles LIST         comma-separated roles to run: api,stager,cell,health,router
                       (default: all). "--roles router" alone runs a router that
                       follows the API's routing table (GET /v1/routing/stream)
                       and keeps serving the last table while the API is down
  --router-admin-port N  router metrics (/metrics, Prometheus text) and /health
                       on 127.0.0.1:N (default: off)
  --api-url URL        the API a router-only wharfd follows (default:
                       http://127.0.0.1:PORT, PORT from DATA_DIR/api-port, else 9022)
  --api-token-file F   that API's router token (default DATA_DIR/router-token;
                       the admin token works too)
  --keep-droplets N    droplets kept per app besides the current one (default 5)
  --staging-memory M   memory limit of a staging (default 1G)
  --staging-disk D     disk limit of a staging's files (default 4G)
  --staging-timeout N  minutes a staging may take (default 15)
  --runtime B          container backend: auto (default: crun or runc, whichever
                       works here, else unisolated processes), crun, runc, process
  --buildpacks-dir DIR built-in buildpacks (default: ../share/wharf/buildpacks
                       beside wharfd, else the source tree's buildpacks/)
  --help               show this text
  --version            print the version
)";
}

}  // namespace wharf::controller
