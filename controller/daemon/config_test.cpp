#include "controller/daemon/config.h"

#include <doctest/doctest.h>

namespace wharf::controller {
namespace {

TEST_CASE("wharfd defaults: /var/lib/wharf, ports 9022 and 8080, localhost, every role, 5 droplets") {
  auto inv = ParseFlags({}, "");
  REQUIRE(inv.ok());
  CHECK(inv->kind == Invocation::Kind::kRun);
  const Config& c = inv->config;
  CHECK(c.data_dir == "/var/lib/wharf");
  CHECK(c.api_port == 9022);
  CHECK(c.router_port == 8080);
  CHECK(c.domain == "localhost");
  CHECK(c.roles == KnownRoles());
  CHECK(c.keep_droplets == 5);
}

TEST_CASE("WHARF_HOME sets the data folder unless --data-dir is given") {
  CHECK(ParseFlags({}, "/home/me/.wharf")->config.data_dir == "/home/me/.wharf");
  CHECK(ParseFlags({"--data-dir", "/srv/w"}, "/home/me/.wharf")->config.data_dir == "/srv/w");
}

TEST_CASE("the built-in services' folder lies beside the data folder, never inside it or around it") {
  CHECK(ParseFlags({}, "")->config.services_dir == "/var/lib/wharf-services");
  CHECK(ParseFlags({"--data-dir", "/srv/w/"}, "")->config.services_dir == "/srv/w-services");
  CHECK(ParseFlags({"--services-dir", "/srv/s"}, "")->config.services_dir == "/srv/s");
  for (const char* bad : {"/var/lib/wharf", "/var/lib/wharf/services", "/var/lib/wharf/./x/..", "/var/lib", "/"}) {
    auto inv = ParseFlags({"--services-dir", bad}, "");
    REQUIRE_FALSE(inv.ok());
    CHECK(inv.status().message().find("overlaps the data folder") != std::string::npos);
  }
}

TEST_CASE("--builtin-services: a subset of postgresql, redis, mysql, or none") {
  CHECK(ParseFlags({}, "")->config.builtin_services == std::vector<std::string>{"postgresql", "redis", "mysql"});
  CHECK(ParseFlags({"--builtin-services", "redis,mysql"}, "")->config.builtin_services ==
        std::vector<std::string>{"redis", "mysql"});
  CHECK(ParseFlags({"--builtin-services", "none"}, "")->config.builtin_services.empty());
  auto bad = ParseFlags({"--builtin-services", "redis,mongodb"}, "");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("unknown service 'mongodb'") != std::string::npos);
}

TEST_CASE("--database: sqlite by default, or a postgres URL, and a bad value's password is not echoed") {
  CHECK(ParseFlags({}, "")->config.database == "sqlite");
  CHECK(ParseFlags({"--database", "postgres://w:pw@db:5432/wharf"}, "")->config.database ==
        "postgres://w:pw@db:5432/wharf");
  CHECK(ParseFlags({"--database=postgresql://db/wharf"}, "")->config.database == "postgresql://db/wharf");
  CHECK(ParseFlags({"--database", "sqlite"}, "")->config.database == "sqlite");
  auto bad = ParseFlags({"--database", "mysql://w:topsecret@db/wharf"}, "");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("--database") != std::string::npos);
  CHECK(bad.status().message().find("topsecret") == std::string::npos);
  CHECK(UsageText().find("--database") != std::string::npos);
}

TEST_CASE("wharfd reads every flag, with a space or '='") {
  auto inv = ParseFlags({"--api-port=0", "--router-port", "8081", "--domain", "apps.example.com", "--roles",
                         "api,router", "--keep-droplets=2"},
                        "");
  REQUIRE_MESSAGE(inv.ok(), inv.status().ToString());
  const Config& c = inv->config;
  CHECK(c.api_port == 0);
  CHECK(c.router_port == 8081);
  CHECK(c.domain == "apps.example.com");
  CHECK(c.roles == std::vector<std::string>{"api", "router"});
  CHECK(c.HasRole("router"));
  CHECK(!c.HasRole("cell"));
  CHECK(c.keep_droplets == 2);
  CHECK(c.router_address == "127.0.0.1");
}

TEST_CASE("wharfd: --router-address takes an IP address and nothing else") {
  auto any = ParseFlags({"--roles", "router", "--router-address", "0.0.0.0"}, "");
  REQUIRE_MESSAGE(any.ok(), any.status().ToString());
  CHECK(any->config.router_address == "0.0.0.0");
  CHECK(ParseFlags({"--router-address", "::"}, "").ok());
  CHECK(ParseFlags({"--router-address", "router.example"}, "").status().message() ==
        "--router-address must be an IPv4 or IPv6 address, got 'router.example'");
}

TEST_CASE("wharfd reads the runtime, buildpacks and staging limit flags") {
  Config defaults = ParseFlags({}, "")->config;
  CHECK(defaults.runtime == "auto");
  CHECK(defaults.staging_memory_mb == 1024);
  CHECK(defaults.staging_disk_mb == 4096);
  CHECK(defaults.staging_timeout_minutes == 15);
  auto inv = ParseFlags({"--runtime", "process", "--buildpacks-dir=/opt/bp", "--staging-memory", "2G",
                         "--staging-disk=512M", "--staging-timeout", "30"},
                        "");
  REQUIRE_MESSAGE(inv.ok(), inv.status().ToString());
  CHECK(inv->config.runtime == "process");
  CHECK(inv->config.buildpacks_dir == "/opt/bp");
  CHECK(inv->config.staging_memory_mb == 2048);
  CHECK(inv->config.staging_disk_mb == 512);
  CHECK(inv->config.staging_timeout_minutes == 30);
  CHECK(ParseFlags({"--runtime", "docker"}, "").status().message().find("--runtime: unknown backend 'docker'") == 0);
  CHECK(ParseFlags({"--staging-memory", "lots"}, "").status().message().find("--staging-memory") == 0);
  CHECK(ParseFlags({"--staging-timeout", "0"}, "").status().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(defaults.disk_quotas_enforced);
  CHECK(ParseFlags({"--disk-quotas", "enforced"}, "")->config.disk_quotas_enforced);
  CHECK_FALSE(ParseFlags({"--disk-quotas=measured"}, "")->config.disk_quotas_enforced);
  CHECK(ParseFlags({"--disk-quotas", "strict"}, "").status().message() ==
        "--disk-quotas: unknown mode 'strict' (known: measured, enforced)");
}

TEST_CASE("wharfd names the flag that is wrong") {
  CHECK(ParseFlags({"--bogus"}, "").status().message() == "unknown flag '--bogus'");
  CHECK(ParseFlags({"--api-port"}, "").status().message() == "flag --api-port needs a value (N)");
  CHECK(ParseFlags({"--api-port", "70000"}, "").status().message().find("--api-port must be") == 0);
  CHECK(ParseFlags({"--api-port", "9x"}, "").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseFlags({"--roles", "api,db"}, "").status().message().find("unknown role 'db'") != std::string::npos);
  CHECK(ParseFlags({"--domain", "Bad_Domain"}, "").status().message().find("--domain") == 0);
  CHECK(ParseFlags({"--keep-droplets", "-1"}, "").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseFlags({"stray"}, "").status().message() == "unexpected argument 'stray'");
  CHECK(ParseFlags({"--autoscaler-min-duration-secs", "0"}, "").status().message().find("--autoscaler-min-duration-secs") == 0);
}

TEST_CASE("the autoscaler's lowest breach and cool-down duration is 60 s unless set") {
  CHECK(ParseFlags({}, "/home/me/.wharf")->config.autoscaler_min_duration_secs == 60);
  CHECK(ParseFlags({"--autoscaler-min-duration-secs", "5"}, "")->config.autoscaler_min_duration_secs == 5);
}

TEST_CASE("wharfd has no health role: health checks run with the cell") {
  CHECK(ParseFlags({"--roles", "api,health"}, "").status().message() ==
        "--roles: unknown role 'health' (health checks run with the cell role; known: api, stager, cell, router)");
}

TEST_CASE("wharfd runs the router alone, following an API, but no other role without the api") {
  auto inv = ParseFlags({"--roles", "router", "--api-url", "http://127.0.0.1:9100", "--api-token-file", "/t",
                         "--router-admin-port", "0"},
                        "");
  REQUIRE(inv.ok());
  CHECK(inv->config.StandaloneRouter());
  CHECK(inv->config.api_url == "http://127.0.0.1:9100");
  CHECK(inv->config.api_token_file == "/t");
  CHECK(inv->config.router_admin_port == std::optional<std::uint16_t>(0));
  CHECK_FALSE(ParseFlags({}, "")->config.StandaloneRouter());
  CHECK(ParseFlags({"--roles", "router,cell"}, "").status().message().find("--roles: 'cell' needs 'api'") == 0);
  CHECK(ParseFlags({"--api-url", "127.0.0.1:9022"}, "").status().message().find("--api-url must be an http://") == 0);
}

TEST_CASE("wharfd runs a cell on another host alone, with its id and address, never beside the api") {
  auto inv = ParseFlags({"--roles", "cell", "--cell-id", "cell-a1", "--cell-address", "192.168.50.2", "--zone", "z1",
                         "--api-url", "https://api.example:9022", "--api-ca-file", "/ca.pem", "--bridge", "wharf1",
                         "--container-subnet", "10.250.0.0/16", "--cell-memory-mb", "2048", "--cell-disk-mb", "10000",
                         "--cell-max-instances", "40"},
                        "");
  REQUIRE_MESSAGE(inv.ok(), inv.status().ToString());
  const Config& c = inv->config;
  CHECK(c.StandaloneCell());
  CHECK_FALSE(c.StandaloneRouter());
  CHECK(c.cell_id == "cell-a1");
  CHECK(c.cell_address == "192.168.50.2");
  CHECK(c.zone == "z1");
  CHECK(c.bridge == "wharf1");
  CHECK(c.container_subnet == "10.250.0.0/16");
  CHECK(c.cell_memory_mb == 2048);
  CHECK(c.cell_disk_mb == 10000);
  CHECK(c.cell_max_instances == 40);
  // Defaults.
  auto d = ParseFlags({"--roles", "cell", "--cell-id", "c", "--cell-address", "10.0.0.5"}, "");
  REQUIRE(d.ok());
  CHECK(d->config.zone == "default");
  CHECK(d->config.cell_max_instances == 250);
  CHECK(d->config.cell_memory_mb == 0);
  CHECK(d->config.bridge.empty());
  CHECK_FALSE(ParseFlags({}, "")->config.StandaloneCell());
  // Required flags, bad values, and no remote cell beside the api.
  CHECK(ParseFlags({"--roles", "cell", "--cell-address", "10.0.0.5"}, "").status().message().find("--cell-id") !=
        std::string::npos);
  CHECK(ParseFlags({"--roles", "cell", "--cell-id", "c"}, "").status().message().find("--cell-address") !=
        std::string::npos);
  for (const char* bad : {"Cell", "-c", "c-", "a_b", ""}) {
    CHECK(ParseFlags({"--roles", "cell", "--cell-id", bad, "--cell-address", "10.0.0.5"}, "")
              .status()
              .message()
              .find("--cell-id must be") == 0);
  }
  CHECK_FALSE(ParseFlags({"--roles", "cell", "--cell-id", "c", "--cell-address", "host.example"}, "").ok());
  CHECK(ParseFlags({"--cell-id", "c", "--cell-address", "10.0.0.5"}, "").status().message().find("not supported") !=
        std::string::npos);
  CHECK(ParseFlags({"--roles", "api,cell", "--cell-id", "c"}, "").status().message().find("--cell-id is for a cell") ==
        0);
  CHECK(ParseFlags({"--roles", "cell,stager"}, "").status().message().find("needs 'api'") != std::string::npos);
  CHECK(ParseFlags({"--bridge", "a-very-long-bridge-name"}, "").status().message().find("--bridge must be") == 0);
  CHECK(ParseFlags({"--container-subnet", "10.250.0.0"}, "").status().message().find("--container-subnet") == 0);
  CHECK(ParseFlags({"--bridge", "wharf1", "--container-subnet", "10.250.0.0/16"}, "").ok());  // the embedded cell too
}

TEST_CASE("the NATS bus: a nats:// URL, and a prune threshold longer than the register interval") {
  auto c = ParseFlags({"--nats-url", "nats://127.0.0.1:4222", "--route-register-interval", "5",
                       "--route-prune-threshold", "30"}, "");
  REQUIRE(c.ok());
  CHECK(c->config.nats_url == "nats://127.0.0.1:4222");
  CHECK(c->config.route_register_interval_secs == 5);
  CHECK(c->config.route_prune_threshold_secs == 30);
  auto defaults = ParseFlags({}, "");
  CHECK(defaults->config.nats_url.empty());
  CHECK(defaults->config.route_register_interval_secs == 20);
  CHECK(defaults->config.route_prune_threshold_secs == 120);
  CHECK(ParseFlags({"--nats-url", "http://x:1"}, "").status().message() ==
        "--nats-url must be a nats:// or tls:// URL, got 'http://x:1'");
  CHECK(ParseFlags({"--nats-url", "redis://u:s3cret@x:1"}, "").status().message() ==
        "--nats-url must be a nats:// or tls:// URL, got 'redis://u:***@x:1'");
  auto tls = ParseFlags({"--nats-url", "tls://u:s3cret@nats.internal:4222", "--nats-ca-file", "/etc/wharf/nats-ca.pem"}, "");
  REQUIRE_MESSAGE(tls.ok(), tls.status().ToString());
  CHECK(tls->config.nats_url == "tls://u:s3cret@nats.internal:4222");
  CHECK(tls->config.nats_ca_file == "/etc/wharf/nats-ca.pem");
  auto short_prune = ParseFlags({"--route-register-interval", "30", "--route-prune-threshold", "30"}, "");
  REQUIRE_FALSE(short_prune.ok());
  CHECK(short_prune.status().message().find("--route-prune-threshold (30 s) must be longer") == 0);
}

TEST_CASE("the API listens on loopback unless told otherwise, and elsewhere only with TLS or by explicit choice") {
  auto plain = ParseFlags({}, "");
  REQUIRE(plain.ok());
  CHECK(plain->config.api_address == "127.0.0.1");
  CHECK_FALSE(plain->config.ApiTls());

  auto tls = ParseFlags({"--api-address", "0.0.0.0", "--api-tls-cert", "/c.pem", "--api-tls-key", "/k.pem"}, "");
  REQUIRE(tls.ok());
  CHECK(tls->config.api_address == "0.0.0.0");
  CHECK(tls->config.ApiTls());
  CHECK(tls->config.api_tls_cert == "/c.pem");
  CHECK(tls->config.api_tls_key == "/k.pem");

  // Loopback needs no TLS; TLS on loopback is fine too.
  CHECK(ParseFlags({"--api-address", "127.0.0.2"}, "").ok());
  CHECK(ParseFlags({"--api-address", "::1"}, "").ok());
  CHECK(ParseFlags({"--api-tls-cert", "/c", "--api-tls-key", "/k"}, "").ok());

  Status refused = ParseFlags({"--api-address", "0.0.0.0"}, "").status();
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.message().find("--api-address 0.0.0.0 is reachable from other hosts") == 0);
  CHECK(refused.message().find("--api-insecure-http") != std::string::npos);
  auto insecure = ParseFlags({"--api-address", "192.0.2.7", "--api-insecure-http"}, "");
  REQUIRE(insecure.ok());
  CHECK(insecure->config.api_insecure_http);

  CHECK(ParseFlags({"--api-address", "example.com"}, "").status().message() ==
        "--api-address must be an IPv4 or IPv6 address, got 'example.com'");
  CHECK(ParseFlags({"--api-tls-cert", "/c"}, "").status().message() == "--api-tls-cert needs --api-tls-key");
  CHECK(ParseFlags({"--api-tls-key", "/k"}, "").status().message() == "--api-tls-key needs --api-tls-cert");
}

TEST_CASE("IsLoopbackAddress") {
  CHECK(IsLoopbackAddress("127.0.0.1"));
  CHECK(IsLoopbackAddress("127.1.2.3"));
  CHECK(IsLoopbackAddress("::1"));
  CHECK(IsLoopbackAddress("::ffff:127.0.0.1"));
  CHECK_FALSE(IsLoopbackAddress("0.0.0.0"));
  CHECK_FALSE(IsLoopbackAddress("::"));
  CHECK_FALSE(IsLoopbackAddress("10.0.0.1"));
  CHECK_FALSE(IsLoopbackAddress("localhost"));
}

TEST_CASE("a router-only wharfd follows an https API with its own CA file") {
  auto inv = ParseFlags({"--roles", "router", "--api-url", "https://127.0.0.1:9100", "--api-ca-file", "/ca.pem"}, "");
  REQUIRE(inv.ok());
  CHECK(inv->config.api_url == "https://127.0.0.1:9100");
  CHECK(inv->config.api_ca_file == "/ca.pem");
  CHECK(ParseFlags({"--api-url", "ftp://x"}, "").status().message() ==
        "--api-url must be an http:// or https:// URL, got 'ftp://x'");
}

TEST_CASE("--cell-timeout: seconds a remote cell may be silent, 5 by default") {
  CHECK(ParseFlags({}, "")->config.cell_timeout_secs == 5);
  auto c = ParseFlags({"--roles", "api,stager", "--cell-timeout", "4"}, "");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->config.cell_timeout_secs == 4);
  CHECK_FALSE(ParseFlags({"--cell-timeout", "0"}, "").ok());
}

TEST_CASE("--help and --version win over other flags") {
  CHECK(ParseFlags({"--api-port", "1", "--help"}, "")->kind == Invocation::Kind::kHelp);
  CHECK(ParseFlags({"--version"}, "")->kind == Invocation::Kind::kVersion);
  CHECK(UsageText().find("--keep-droplets") != std::string::npos);
}

TEST_CASE("wharfd's usage text lists every flag it reads, with its value name") {
  std::string usage = UsageText();
  for (const char* flag : {"--data-dir DIR", "--api-port N", "--router-port N", "--domain D", "--roles LIST",
                           "--router-admin-port N", "--api-url URL", "--api-token-file F", "--keep-droplets N",
                           "--staging-memory M", "--staging-disk D", "--staging-timeout N", "--runtime B",
                           "--buildpacks-dir DIR", "--autoscaler-min-duration-secs S", "--nats-url URL",
                           "--route-register-interval S", "--route-prune-threshold S", "--cell-timeout S", "-h, --help", "--version",
                           "--api-address IP", "--api-tls-cert F", "--api-tls-key F", "--api-insecure-http",
                           "--api-ca-file F"}) {
    CHECK_MESSAGE(usage.find(flag) != std::string::npos, flag);
  }
}

}  // namespace
}  // namespace wharf::controller
