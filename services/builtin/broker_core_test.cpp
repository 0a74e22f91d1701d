// The built-in brokers' logic against real servers: a PostgreSQL server initialised
// by the test, and redis-server processes (no mocks).
#include "services/builtin/broker_core.h"

#include <doctest/doctest.h>

#include "common/file_io.h"
#include "services/builtin/postgres_backend.h"
#include "services/builtin/redis_backend.h"
#include "services/builtin/resp_client.h"
#include "services/builtin/test_support.h"

namespace wharf::services::builtin {
namespace {

using nlohmann::json;
using testing::BindRequest;
using testing::PgAs;
using testing::ProvisionRequest;
using testing::ScratchDir;

std::unique_ptr<BrokerCore> OpenPostgres(const ScratchDir& dir) {
  return testing::OpenCore(PostgresBackend::Make({dir.path / "postgresql", "127.0.0.1", 0, std::nullopt}),
                           dir.path / "postgresql.json");
}

std::unique_ptr<BrokerCore> OpenRedis(const ScratchDir& dir) {
  return testing::OpenCore(RedisBackend::Make({dir.path / "redis", "127.0.0.1", std::nullopt}), dir.path / "redis.json");
}

RespTarget RedisAs(const json& credentials) {
  RespTarget t;
  t.port = credentials["port"].get<int>();
  t.username = credentials["username"].get<std::string>();
  t.password = credentials["password"].get<std::string>();
  return t;
}

TEST_CASE("PostgreSQL broker: an instance is a database its bindings share, closed to other instances' roles") {
  ScratchDir dir;
  auto core = OpenPostgres(dir);
  REQUIRE(core->Provision("i1", ProvisionRequest(*core)).status == 201);
  CHECK(core->Provision("i1", ProvisionRequest(*core)).status == 200);     // identical repeat
  CHECK(core->Provision("i1", ProvisionRequest(*core, 1)).status == 409);  // other plan
  REQUIRE(core->Provision("i2", ProvisionRequest(*core, 1)).status == 201);
  CHECK(core->Provision("i3", json{{"service_id", "nope"}, {"plan_id", "nope"}}).status == 400);

  OsbReply b1 = core->Bind("i1", "b1", BindRequest(*core, "app-1"));
  REQUIRE(b1.status == 201);
  json c1 = b1.body["credentials"];
  for (const char* key : {"uri", "hostname", "port", "username", "password", "name", "jdbcUrl"}) CHECK(c1.contains(key));
  CHECK(c1["hostname"] == "127.0.0.1");
  CHECK(c1["uri"].get<std::string>().rfind("postgres://" + c1["username"].get<std::string>() + ":", 0) == 0);
  OsbReply again = core->Bind("i1", "b1", BindRequest(*core, "app-1"));
  CHECK(again.status == 200);
  CHECK(again.body["credentials"] == c1);
  CHECK(core->Bind("i1", "b1", BindRequest(*core, "app-2")).status == 409);
  CHECK(core->Bind("nope", "b9", BindRequest(*core, "app-1")).status == 404);

  // A binding writes; another binding of the same instance (a key) reads the same table.
  REQUIRE(PgAs(c1, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('hello')") == "");
  json k1 = core->Bind("i1", "k1", BindRequest(*core, "")).body["credentials"];
  std::string read;
  CHECK(PgAs(k1, "SELECT body FROM notes", &read) == "");
  CHECK(read == "hello");

  // The other instance's binding cannot open the first instance's database.
  json c2 = core->Bind("i2", "b2", BindRequest(*core, "app-2")).body["credentials"];
  CHECK(PgAs(c2, "SELECT 1") == "");
  CHECK(PgAs(c2, "SELECT 1", nullptr, c1["name"].get<std::string>()).find("permission denied") != std::string::npos);
  // Nor can a wrong password.
  json wrong = c1;
  wrong["password"] = "x";
  CHECK(PgAs(wrong, "SELECT 1").find("password authentication failed") != std::string::npos);

  // Unbinding revokes: the role is gone, the data stays for the other binding.
  CHECK(core->Unbind("i1", "b1").status == 200);
  CHECK(core->Unbind("i1", "b1").status == 410);
  CHECK(PgAs(c1, "SELECT 1").find("password authentication failed") != std::string::npos);
  CHECK(PgAs(k1, "SELECT count(*) FROM notes", &read) == "");
  CHECK(read == "1");

  // Deprovision drops the database and every role of it.
  CHECK(core->Deprovision("i1").status == 200);
  CHECK(core->Deprovision("i1").status == 410);
  CHECK(PgAs(k1, "SELECT 1") != "");
  CHECK(core->InstanceCount() == 1);
  CHECK(core->BindingCount() == 1);
  core->Stop();
}

TEST_CASE("PostgreSQL broker: a plan's connection limit holds") {
  ScratchDir dir;
  auto core = OpenPostgres(dir);
  REQUIRE(core->Provision("i1", ProvisionRequest(*core)).status == 201);  // small: 10 connections
  json c = core->Bind("i1", "b1", BindRequest(*core, "app")).body["credentials"];
  std::vector<PGconn*> open;
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(c["port"].get<int>()) + " user=" +
                               c["username"].get<std::string>() + " password=" + c["password"].get<std::string>() +
                               " dbname=" + c["name"].get<std::string>();
  int accepted = 0;
  for (int i = 0; i < 12; ++i) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) == CONNECTION_OK) ++accepted;
    open.push_back(conn);
  }
  for (PGconn* conn : open) PQfinish(conn);
  CHECK(accepted == 10);
  core->Stop();
}

TEST_CASE("PostgreSQL broker: data and credentials survive a restart, a crash's pending records are undone") {
  ScratchDir dir;
  json c;
  {
    auto core = OpenPostgres(dir);
    REQUIRE(core->Provision("i1", ProvisionRequest(*core)).status == 201);
    c = core->Bind("i1", "b1", BindRequest(*core, "app")).body["credentials"];
    REQUIRE(PgAs(c, "CREATE TABLE t (v int); INSERT INTO t VALUES (42)") == "");
    core->Stop();
  }
  CHECK(PgAs(c, "SELECT 1") != "");  // the server is stopped
  // A crash between recording and creating: a pending instance whose database exists.
  std::string orphan_db;
  {
    auto backend = PostgresBackend::Make({dir.path / "postgresql", "127.0.0.1", 0, std::nullopt});
    REQUIRE(backend.ok());
    REQUIRE((*backend)->Start({}).ok());
    json data = *(*backend)->PrepareInstance((*backend)->Service().plans[0]);
    REQUIRE((*backend)->CreateInstance(data).ok());
    orphan_db = data["database"].get<std::string>();
    auto records = json::parse(*ReadFile(dir.path / "postgresql.json"));
    records["instances"]["crashed"] = json{{"service_id", "x"}, {"plan_id", "x"}, {"state", "pending"}, {"data", data}};
    REQUIRE(WriteFileAtomic(dir.path / "postgresql.json", records.dump(), 0600).ok());
    (*backend)->Stop();
  }
  auto backend = PostgresBackend::Make({dir.path / "postgresql", "127.0.0.1", 0, std::nullopt});
  REQUIRE(backend.ok());
  PostgresBackend* pg = backend->get();
  auto core = BrokerCore::Open(std::move(backend).value(), dir.path / "postgresql.json");
  REQUIRE(core.ok());
  std::string read;
  CHECK(PgAs(c, "SELECT v FROM t", &read) == "");
  CHECK(read == "42");
  CHECK((*core)->InstanceCount() == 1);
  auto left = pg->Query("postgres", "SELECT datname FROM pg_database WHERE datname = '" + orphan_db + "'");
  REQUIRE(left.ok());
  CHECK(left->empty());
  auto roles = pg->Query("postgres", "SELECT rolname FROM pg_roles WHERE rolname LIKE '" + orphan_db + "%'");
  REQUIRE(roles.ok());
  CHECK(roles->empty());
  (*core)->Stop();
}

TEST_CASE("Redis broker: one server per instance, a user per binding, revoked on unbind, data kept across restarts") {
  ScratchDir dir;
  json c1, c2;
  {
    auto core = OpenRedis(dir);
    REQUIRE(core->Provision("i1", ProvisionRequest(*core)).status == 201);
    CHECK(core->Provision("i1", ProvisionRequest(*core)).status == 200);
    REQUIRE(core->Provision("i2", ProvisionRequest(*core)).status == 201);
    c1 = core->Bind("i1", "b1", BindRequest(*core, "app-1")).body["credentials"];
    c2 = core->Bind("i2", "b2", BindRequest(*core, "app-2")).body["credentials"];
    for (const char* key : {"uri", "hostname", "port", "username", "password"}) CHECK(c1.contains(key));
    CHECK(c1["port"] != c2["port"]);
    auto set = RespCall(RedisAs(c1), {{"SET", "greeting", "hello"}, {"GET", "greeting"}});
    REQUIRE_MESSAGE(set.ok(), set.status().message());
    CHECK(set->at(1) == "hello");
    // The other instance's credentials do not open this server, and its server has no such key.
    json crossed = c2;
    crossed["port"] = c1["port"];
    CHECK(RespCall(RedisAs(crossed), {{"GET", "greeting"}}).status().code() == StatusCode::kUnauthenticated);
    auto other = RespCall(RedisAs(c2), {{"GET", "greeting"}});
    REQUIRE(other.ok());
    CHECK(other->at(0) == "");
    // Without a user the server refuses everything; a binding may not run admin commands.
    RespTarget anonymous;
    anonymous.port = c1["port"].get<int>();
    CHECK(!RespCall(anonymous, {{"GET", "greeting"}}).ok());
    CHECK(!RespCall(RedisAs(c1), {{"CONFIG", "GET", "maxmemory"}}).ok());
    // maxmemory follows the plan (small: 64 MiB), read with a key's credentials... through INFO.
    auto info = RespCall(RedisAs(c1), {{"INFO", "memory"}});
    REQUIRE(info.ok());
    CHECK(info->at(0).find("maxmemory:67108864") != std::string::npos);
    core->Stop();
  }
  {
    auto core = OpenRedis(dir);
    auto get = RespCall(RedisAs(c1), {{"GET", "greeting"}});
    REQUIRE_MESSAGE(get.ok(), get.status().message());
    CHECK(get->at(0) == "hello");
    CHECK(core->Unbind("i1", "b1").status == 200);
    CHECK(RespCall(RedisAs(c1), {{"GET", "greeting"}}).status().code() == StatusCode::kUnauthenticated);
    CHECK(core->Deprovision("i2").status == 200);
    CHECK(!RespCall(RedisAs(c2), {{"PING"}}).ok());
    CHECK(!std::filesystem::exists(dir.path / "redis" / "placeholder"));
    CHECK(core->Deprovision("i1").status == 200);
    CHECK(core->InstanceCount() == 0);
    core->Stop();
  }
}

}  // namespace
}  // namespace wharf::services::builtin
