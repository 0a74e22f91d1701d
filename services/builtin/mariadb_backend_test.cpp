// The MySQL broker against a real MariaDB server the test's backend initialises and
// starts (Debian's mariadb-server; no mocks): apps' logins over TCP with libmariadb.
#include "services/builtin/mariadb_backend.h"

#include <doctest/doctest.h>
#include <mysql.h>

#include "common/file_io.h"
#include "services/builtin/broker_core.h"
#include "services/builtin/test_support.h"

namespace wharf::services::builtin {
namespace {

using nlohmann::json;
using testing::BindRequest;
using testing::ProvisionRequest;
using testing::ScratchDir;

std::unique_ptr<BrokerCore> OpenMariadb(const ScratchDir& dir) {
  return testing::OpenCore(MariadbBackend::Make({dir.path / "mysql", "127.0.0.1", std::nullopt}), dir.path / "mysql.json");
}

// An app's session: TCP to 127.0.0.1 with a binding's credentials (`database` overrides its own).
class AppSession {
 public:
  explicit AppSession(const json& c, const std::string& database = "") : conn_(mysql_init(nullptr)) {
    unsigned int timeout = 5;
    mysql_options(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    const std::string db = database.empty() ? c["name"].get<std::string>() : database;
    ok_ = mysql_real_connect(conn_, "127.0.0.1", c["username"].get<std::string>().c_str(),
                             c["password"].get<std::string>().c_str(), db.c_str(),
                             static_cast<unsigned int>(c["port"].get<int>()), nullptr, 0) != nullptr;
    if (!ok_) error_ = mysql_error(conn_);
  }
  ~AppSession() { mysql_close(conn_); }
  AppSession(const AppSession&) = delete;
  AppSession& operator=(const AppSession&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  // "" on success, else the server's message; `out` gets the first value of the first row.
  std::string Run(const std::string& sql, std::string* out = nullptr) {
    if (!ok_) return error_;
    if (mysql_query(conn_, sql.c_str()) != 0) return mysql_error(conn_);
    MYSQL_RES* r = mysql_store_result(conn_);
    if (r != nullptr) {
      MYSQL_ROW row = mysql_fetch_row(r);
      if (out != nullptr && row != nullptr && row[0] != nullptr) *out = row[0];
      mysql_free_result(r);
    }
    return "";
  }

 private:
  MYSQL* conn_;
  bool ok_ = false;
  std::string error_;
};

// Provisions `id`; a failure names the broker's answer.
void RequireProvisioned(BrokerCore& core, const std::string& id, int plan = 0) {
  const OsbReply r = core.Provision(id, ProvisionRequest(core, plan));
  REQUIRE_MESSAGE(r.status == 201, r.body.dump());
}

std::string RunAs(const json& c, const std::string& sql, std::string* out = nullptr, const std::string& db = "") {
  AppSession s(c, db);
  return s.Run(sql, out);
}

TEST_CASE("MySQL broker (MariaDB): an instance is a database its bindings share, closed to other instances' users") {
  ScratchDir dir;
  auto core = OpenMariadb(dir);
  RequireProvisioned(*core, "i1");
  CHECK(core->Provision("i1", ProvisionRequest(*core)).status == 200);
  CHECK(core->Provision("i1", ProvisionRequest(*core, 1)).status == 409);
  RequireProvisioned(*core, "i2", 1);

  OsbReply b1 = core->Bind("i1", "b1", BindRequest(*core, "app-1"));
  REQUIRE(b1.status == 201);
  json c1 = b1.body["credentials"];
  for (const char* key : {"uri", "hostname", "port", "username", "password", "name", "database", "jdbcUrl"}) {
    CHECK(c1.contains(key));
  }
  CHECK(c1["uri"].get<std::string>().rfind("mysql://" + c1["username"].get<std::string>() + ":", 0) == 0);
  CHECK(core->Bind("i1", "b1", BindRequest(*core, "app-1")).status == 200);

  // A binding writes; a key of the same instance reads the same table.
  REQUIRE(RunAs(c1, "CREATE TABLE notes (body TEXT)") == "");
  REQUIRE(RunAs(c1, "INSERT INTO notes VALUES ('hello')") == "");
  json k1 = core->Bind("i1", "k1", BindRequest(*core, "")).body["credentials"];
  std::string read;
  CHECK(RunAs(k1, "SELECT body FROM notes", &read) == "");
  CHECK(read == "hello");

  // The other instance's binding cannot open the first database, nor see it listed.
  json c2 = core->Bind("i2", "b2", BindRequest(*core, "app-2")).body["credentials"];
  CHECK(RunAs(c2, "SELECT 1") == "");
  CHECK(RunAs(c2, "SELECT 1", nullptr, c1["name"].get<std::string>()).find("Access denied") != std::string::npos);
  std::string count;
  CHECK(RunAs(c2, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '" +
                      c1["name"].get<std::string>() + "'", &count) == "");
  CHECK(count == "0");
  json wrong = c1;
  wrong["password"] = "x";
  CHECK(RunAs(wrong, "SELECT 1").find("Access denied") != std::string::npos);

  // Unbinding revokes at once: an open session ends, a new login fails; the data stays.
  AppSession open(c1);
  REQUIRE(open.Run("SELECT 1") == "");
  CHECK(core->Unbind("i1", "b1").status == 200);
  CHECK(core->Unbind("i1", "b1").status == 410);
  CHECK(open.Run("SELECT 1") != "");
  CHECK(RunAs(c1, "SELECT 1").find("Access denied") != std::string::npos);
  CHECK(RunAs(k1, "SELECT COUNT(*) FROM notes", &read) == "");
  CHECK(read == "1");

  // Deprovision drops the database and the users still granted on it.
  CHECK(core->Deprovision("i1").status == 200);
  CHECK(RunAs(k1, "SELECT 1") != "");
  CHECK(core->InstanceCount() == 1);
  core->Stop();
}

TEST_CASE("MySQL broker (MariaDB): a plan's connection limit holds per binding") {
  ScratchDir dir;
  auto core = OpenMariadb(dir);
  RequireProvisioned(*core, "i1");  // small: 10 connections
  json c = core->Bind("i1", "b1", BindRequest(*core, "app")).body["credentials"];
  std::vector<std::unique_ptr<AppSession>> open;
  int accepted = 0;
  for (int i = 0; i < 12; ++i) {
    open.push_back(std::make_unique<AppSession>(c));
    if (open.back()->ok()) ++accepted;
  }
  CHECK(accepted == 10);
  CHECK(open.back()->error().find("max_user_connections") != std::string::npos);
  open.clear();
  core->Stop();
}

TEST_CASE("MySQL broker (MariaDB): data and credentials survive a restart of the broker and its server") {
  ScratchDir dir;
  json c;
  {
    auto core = OpenMariadb(dir);
    RequireProvisioned(*core, "i1");
    c = core->Bind("i1", "b1", BindRequest(*core, "app")).body["credentials"];
    REQUIRE(RunAs(c, "CREATE TABLE t (v INT)") == "");
    REQUIRE(RunAs(c, "INSERT INTO t VALUES (42)") == "");
    core->Stop();
  }
  CHECK(RunAs(c, "SELECT 1") != "");  // the server is stopped
  auto core = OpenMariadb(dir);
  std::string v;
  CHECK(RunAs(c, "SELECT v FROM t", &v) == "");
  CHECK(v == "42");
  CHECK(core->Deprovision("i1").status == 200);
  core->Stop();
}

TEST_CASE("MySQL broker (MariaDB): what a crash left pending (a database, a user) is undone at the next start") {
  ScratchDir dir;
  json c, orphan_instance, orphan_binding;
  {
    auto core = OpenMariadb(dir);
    RequireProvisioned(*core, "i1");
    c = core->Bind("i1", "b1", BindRequest(*core, "app")).body["credentials"];
    core->Stop();
  }
  {
    // wharfd killed between recording and answering: the server has them, the records say pending.
    auto backend = MariadbBackend::Make({dir.path / "mysql", "127.0.0.1", std::nullopt});
    REQUIRE(backend.ok());
    MariadbBackend& b = **backend;
    auto records = json::parse(*ReadFile(dir.path / "mysql.json"));
    const json i1 = records["instances"]["i1"]["data"];
    REQUIRE(b.Start({i1}).ok());
    orphan_instance = *b.PrepareInstance(b.Service().plans[0]);
    REQUIRE(b.CreateInstance(orphan_instance).ok());
    orphan_binding = *b.PrepareBinding(i1);
    REQUIRE(b.CreateBinding(i1, orphan_binding).ok());
    records["instances"]["crashed"] =
        json{{"service_id", "x"}, {"plan_id", "x"}, {"state", "pending"}, {"data", orphan_instance}};
    records["bindings"]["crashed"] =
        json{{"instance_id", "i1"}, {"app_guid", "app"}, {"state", "pending"}, {"data", orphan_binding}};
    REQUIRE(WriteFileAtomic(dir.path / "mysql.json", records.dump(), 0600).ok());
    b.Stop();
  }
  auto backend = MariadbBackend::Make({dir.path / "mysql", "127.0.0.1", std::nullopt});
  REQUIRE(backend.ok());
  MariadbBackend* server = backend->get();
  auto core = BrokerCore::Open(std::move(backend).value(), dir.path / "mysql.json");
  REQUIRE_MESSAGE(core.ok(), core.status().message());
  CHECK((*core)->InstanceCount() == 1);
  CHECK((*core)->BindingCount() == 1);
  CHECK(RunAs(c, "SELECT 1") == "");  // the recorded binding still works
  auto db = server->Query("SHOW DATABASES LIKE '" + orphan_instance["database"].get<std::string>() + "'");
  REQUIRE(db.ok());
  CHECK(db->empty());
  auto user = server->Query("SELECT User FROM mysql.user WHERE User = '" + orphan_binding["username"].get<std::string>() + "'");
  REQUIRE(user.ok());
  CHECK(user->empty());
  (*core)->Stop();
}

}  // namespace
}  // namespace wharf::services::builtin
