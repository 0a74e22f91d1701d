#include "services/builtin/mariadb_backend.h"

#include <mysql.h>

#include <thread>

#include "common/file_io.h"
#include "common/ids.h"
#include "services/builtin/server_dirs.h"

namespace wharf::services::builtin {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::chrono::seconds kToolTimeout{90};

std::string Str(const json& j, const char* key) { return j.at(key).get<std::string>(); }

// One root session over the socket; closed with the object.
class Session {
 public:
  Session() : conn_(mysql_init(nullptr)) {}
  ~Session() {
    if (conn_ != nullptr) mysql_close(conn_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Status Connect(const fs::path& socket) {
    if (conn_ == nullptr) return Status::Internal("mysql_init failed");
    unsigned int timeout = 10;
    mysql_options(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(conn_, MYSQL_OPT_READ_TIMEOUT, &timeout);
    if (mysql_real_connect(conn_, "localhost", "root", nullptr, nullptr, 0, socket.c_str(), 0) == nullptr) {
      return Status::Unavailable("cannot connect to MariaDB at " + socket.string() + ": " + mysql_error(conn_));
    }
    return Status::Ok();
  }

  Result<std::vector<std::vector<std::string>>> Run(const std::string& sql) {
    if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
      return Status::Internal(std::string("MariaDB refused a statement: ") + mysql_error(conn_));
    }
    std::vector<std::vector<std::string>> rows;
    MYSQL_RES* result = mysql_store_result(conn_);
    if (result == nullptr) {
      if (mysql_field_count(conn_) != 0) return Status::Internal(std::string("MariaDB: ") + mysql_error(conn_));
      return rows;
    }
    const unsigned int fields = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      std::vector<std::string> out;
      for (unsigned int i = 0; i < fields; ++i) out.emplace_back(row[i] != nullptr ? row[i] : "");
      rows.push_back(std::move(out));
    }
    mysql_free_result(result);
    return rows;
  }

 private:
  MYSQL* conn_;
};

}  // namespace

Result<std::unique_ptr<MariadbBackend>> MariadbBackend::Make(const MariadbOptions& options) {
  std::unique_ptr<MariadbBackend> b(new MariadbBackend(options));
  WHARF_ASSIGN_OR_RETURN(b->server_, FindExecutable({"/usr/sbin/mariadbd", "/usr/sbin/mysqld"}, "mariadb-server"));
  WHARF_ASSIGN_OR_RETURN(b->install_db_,
                         FindExecutable({"/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"}, "mariadb-server"));
  WHARF_RETURN_IF_ERROR(FindExecutable({"/sbin/start-stop-daemon", "/usr/sbin/start-stop-daemon"}, "dpkg").status());
  WHARF_ASSIGN_OR_RETURN(b->user_, LookupSystemUser("mysql", "mariadb-server"));
  b->spec_ = ServiceSpec{"9b3e6f10-5c2a-4e8d-a1f7-2d4c6b8e0a01",
                         "mysql",
                         "MySQL databases on a MariaDB server Wharf runs (one database per instance, a user per binding)",
                         {"mysql", "mariadb", "relational", "sql"},
                         {{"9b3e6f10-5c2a-4e8d-a1f7-2d4c6b8e0a11", "small", "a database, at most 10 connections per binding", 10},
                          {"9b3e6f10-5c2a-4e8d-a1f7-2d4c6b8e0a12", "medium", "a database, at most 50 connections per binding", 50}}};
  return b;
}

MariadbBackend::~MariadbBackend() { Stop(); }

fs::path MariadbBackend::Socket() const { return SocketDirFor(options_.dir) / "mysqld.sock"; }

// A server's own temporary folder: mariadbd deletes every "#sql*" file of its tmpdir when it
// starts, so servers sharing /tmp destroy each other's temporary tables (a bootstrap running
// while another server starts fails with "Can't find file: '/tmp/#sql-temptable-...'").
fs::path MariadbBackend::TmpDir() const { return options_.dir / "tmp"; }

Status MariadbBackend::Initialise() {
  const fs::path data = options_.dir / "data";
  const fs::path staging = options_.dir / "data.init";
  std::error_code ec;
  fs::remove_all(staging, ec);  // a crash during an earlier initialisation
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(staging, user_.uid, user_.gid, 0700));
  WHARF_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  // root logs in over the socket only (unix_socket: the OS user root), no test database.
  WHARF_RETURN_IF_ERROR(RunAsChecked({install_db_, "--no-defaults", "--datadir=" + staging.string(),
                                      "--tmpdir=" + TmpDir().string(),
                                      "--auth-root-authentication-method=socket", "--skip-test-db",
                                      "--skip-name-resolve"},
                                     user_, options_.traverse_group, kToolTimeout));
  fs::rename(staging, data, ec);
  if (ec) return Status::Internal("cannot rename " + staging.string() + ": " + ec.message());
  return WriteFileAtomic(options_.dir / "wharf-port", std::to_string(port_) + "\n", 0644);
}

Status MariadbBackend::Start(const std::vector<json>& instances) {
  if (instances.empty()) return Status::Ok();  // started by the first provision
  return EnsureStarted();
}

Status MariadbBackend::EnsureStarted() {
  if (started_) return Status::Ok();
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(options_.dir, user_.uid, user_.gid, 0700));
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(SocketDirFor(options_.dir), user_.uid, user_.gid, 0700));
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(TmpDir(), user_.uid, user_.gid, 0700));
  if (!fs::exists(options_.dir / "data" / "mysql")) {
    WHARF_RETURN_IF_ERROR(Initialise().WithContext("initialising MariaDB in " + options_.dir.string()));
  }
  WHARF_ASSIGN_OR_RETURN(auto port_text, ReadFile(options_.dir / "wharf-port"));
  port_ = std::atoi(port_text.c_str());
  Session probe;
  if (!probe.Connect(Socket()).ok()) {
    // Loopback only; apps arrive DNATed from the bridge. No general or slow query log (statements
    // carry passwords).
    const fs::path pid = options_.dir / "mariadbd.pid";
    WHARF_RETURN_IF_ERROR(
        RunAsChecked({"/sbin/start-stop-daemon", "--start", "--background", "--pidfile", pid.string(), "--exec",
                      server_, "--", "--no-defaults", "--datadir=" + (options_.dir / "data").string(),
                      "--socket=" + Socket().string(), "--tmpdir=" + TmpDir().string(),
                      "--port=" + std::to_string(port_), "--bind-address=127.0.0.1",
                      "--pid-file=" + pid.string(), "--log-error=" + (options_.dir / "server.log").string(),
                      "--skip-name-resolve", "--max-connections=300"},
                     user_, options_.traverse_group, kToolTimeout)
            .WithContext("starting MariaDB"));
    Status last = Status::Unavailable("not started");
    for (int i = 0; i < 600; ++i) {
      Session session;
      last = session.Connect(Socket());
      if (last.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!last.ok()) return last.WithContext("MariaDB did not become ready (see " + (options_.dir / "server.log").string() + ")");
  }
  started_ = true;
  return Status::Ok();
}

void MariadbBackend::Stop() {
  if (!started_) return;
  started_ = false;
  {
    Session session;
    if (!session.Connect(Socket()).ok()) return;
    (void)session.Run("SHUTDOWN");
  }
  for (int i = 0; i < 600; ++i) {  // gone once its pid file is (it removes it last)
    if (!fs::exists(options_.dir / "mariadbd.pid")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::error_code ec;
  fs::remove(SocketDirFor(options_.dir), ec);  // empty once the server is down
}

Result<std::vector<std::vector<std::string>>> MariadbBackend::Query(const std::string& sql) {
  Session session;
  WHARF_RETURN_IF_ERROR(session.Connect(Socket()));
  return session.Run(sql);
}

Result<json> MariadbBackend::PrepareInstance(const PlanSpec& plan) {
  return json{{"database", "wharf_" + RandomHex(8)}, {"connection_limit", plan.limit}};
}

Status MariadbBackend::CreateInstance(const json& instance) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  return Query("CREATE DATABASE `" + Str(instance, "database") + "` CHARACTER SET utf8mb4").status();
}

Status MariadbBackend::DestroyInstance(const json& instance) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string db = Str(instance, "database");
  // Users still granted on it (bindings left behind) go with it.
  WHARF_ASSIGN_OR_RETURN(auto users, Query("SELECT DISTINCT User FROM mysql.db WHERE Db = '" + db + "'"));
  for (const auto& row : users) {
    WHARF_RETURN_IF_ERROR(DestroyBinding(instance, json{{"username", row[0]}}));
  }
  return Query("DROP DATABASE IF EXISTS `" + db + "`").status();
}

Result<json> MariadbBackend::PrepareBinding(const json&) {
  // MariaDB user names: at most 80 characters (here 13).
  return json{{"username", "wb" + RandomHex(5) + "x"}, {"password", RandomHex(24)}};
}

Result<json> MariadbBackend::CreateBinding(const json& instance, const json& binding) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string db = Str(instance, "database");
  const std::string user = Str(binding, "username"), password = Str(binding, "password");
  WHARF_RETURN_IF_ERROR(Query("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password +
                              "' WITH MAX_USER_CONNECTIONS " +
                              std::to_string(instance.at("connection_limit").get<int>()))
                            .status());
  WHARF_RETURN_IF_ERROR(Query("GRANT ALL PRIVILEGES ON `" + db + "`.* TO '" + user + "'@'%'").status());
  const std::string host = options_.host_for_apps;
  const std::string port = std::to_string(port_);
  return json{{"uri", "mysql://" + user + ":" + password + "@" + host + ":" + port + "/" + db + "?reconnect=true"},
              {"hostname", host},
              {"port", port_},
              {"username", user},
              {"password", password},
              {"name", db},
              {"database", db},
              {"jdbcUrl", "jdbc:mysql://" + host + ":" + port + "/" + db + "?user=" + user + "&password=" + password}};
}

Status MariadbBackend::DestroyBinding(const json&, const json& binding) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string user = Str(binding, "username");
  // No new sessions (the user goes), then end the open ones: the credentials stop working at once.
  WHARF_RETURN_IF_ERROR(Query("DROP USER IF EXISTS '" + user + "'@'%'").status());
  WHARF_ASSIGN_OR_RETURN(auto sessions, Query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'"));
  for (const auto& row : sessions) (void)Query("KILL CONNECTION " + row[0]);  // it may end on its own meanwhile
  return Status::Ok();
}

}  // namespace wharf::services::builtin
