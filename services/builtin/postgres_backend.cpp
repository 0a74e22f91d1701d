#include "services/builtin/postgres_backend.h"

#include <libpq-fe.h>

#include <algorithm>
#include <fstream>

#include "common/file_io.h"
#include "common/ids.h"
#include "services/builtin/server_dirs.h"

namespace wharf::services::builtin {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::chrono::seconds kToolTimeout{90};

// The newest Debian PostgreSQL: /usr/lib/postgresql/<major>/bin with initdb and pg_ctl.
Result<std::string> FindPostgresBin() {
  int best = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!fs::exists(entry.path() / "bin" / "initdb") || !fs::exists(entry.path() / "bin" / "pg_ctl")) continue;
    best = std::max(best, std::stoi(name));
  }
  if (best < 0) return Status::Unavailable("no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)");
  return "/usr/lib/postgresql/" + std::to_string(best) + "/bin";
}

std::string Str(const json& j, const char* key) { return j.at(key).get<std::string>(); }

}  // namespace

Result<std::unique_ptr<PostgresBackend>> PostgresBackend::Make(const PostgresOptions& options) {
  std::unique_ptr<PostgresBackend> b(new PostgresBackend(options));
  WHARF_ASSIGN_OR_RETURN(b->bin_, FindPostgresBin());
  WHARF_ASSIGN_OR_RETURN(b->user_, LookupSystemUser("postgres", "postgresql"));
  b->spec_ = ServiceSpec{"4d9d3d2e-6d1f-4f55-9d0e-7b2f5c1a0b01",
                         "postgresql",
                         "PostgreSQL databases on a server Wharf runs (one database and owner role per instance)",
                         {"postgresql", "relational", "sql"},
                         {{"4d9d3d2e-6d1f-4f55-9d0e-7b2f5c1a0b11", "small", "a database, at most 10 connections", 10},
                          {"4d9d3d2e-6d1f-4f55-9d0e-7b2f5c1a0b12", "medium", "a database, at most 50 connections", 50}}};
  return b;
}

PostgresBackend::~PostgresBackend() { Stop(); }

Status PostgresBackend::Initialise() {
  const fs::path data = options_.dir / "data";
  const fs::path staging = options_.dir / "data.init";
  std::error_code ec;
  fs::remove_all(staging, ec);  // a crash during an earlier initdb
  WHARF_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  WHARF_RETURN_IF_ERROR(RunAsChecked({bin_ + "/initdb", "-D", staging.string(), "-U", "postgres", "--auth-local=trust",
                                      "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"},
                                     user_, options_.traverse_group, kToolTimeout));
  // Loopback only; apps arrive DNATed from the bridge (their own address as the source), so any
  // source address may try, with a password. Statements are never logged (they carry passwords).
  std::string conf = "\n# Wharf\nlisten_addresses = '127.0.0.1'\nport = " + std::to_string(port_) +
                     "\nunix_socket_directories = '" + SocketDirFor(options_.dir).string() +
                     "'\nlog_min_error_statement = panic\nlog_statement = 'none'\nmax_connections = 300\n";
  {
    std::ofstream out(staging / "postgresql.conf", std::ios::app);
    out << conf;
    std::ofstream hba(staging / "pg_hba.conf", std::ios::app);
    hba << "\n# Wharf: apps connect from their containers' addresses\nhost all all 0.0.0.0/0 scram-sha-256\n";
    if (!out || !hba) return Status::Internal("cannot write the configuration under " + staging.string());
  }
  fs::rename(staging, data, ec);
  if (ec) return Status::Internal("cannot rename " + staging.string() + ": " + ec.message());
  return WriteFileAtomic(options_.dir / "wharf-port", std::to_string(port_) + "\n", 0644);
}

bool PostgresBackend::Running() {
  auto status = RunAs({bin_ + "/pg_ctl", "-D", (options_.dir / "data").string(), "status"}, user_, options_.traverse_group,
                      kToolTimeout);
  return status.ok() && status->exit_code == 0;
}

Status PostgresBackend::Start(const std::vector<json>& instances) {
  if (instances.empty()) return Status::Ok();  // started by the first provision
  return EnsureStarted();
}

Status PostgresBackend::EnsureStarted() {
  if (started_) return Status::Ok();
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(options_.dir, user_.uid, user_.gid, 0700));
  WHARF_RETURN_IF_ERROR(MakeOwnedDir(SocketDirFor(options_.dir), user_.uid, user_.gid, 0700));
  if (!fs::exists(options_.dir / "data" / "PG_VERSION")) {
    WHARF_RETURN_IF_ERROR(Initialise().WithContext("initialising PostgreSQL in " + options_.dir.string()));
  }
  WHARF_ASSIGN_OR_RETURN(auto port_text, ReadFile(options_.dir / "wharf-port"));
  port_ = std::atoi(port_text.c_str());
  if (!Running()) {
    WHARF_RETURN_IF_ERROR(RunAsChecked({bin_ + "/pg_ctl", "-D", (options_.dir / "data").string(), "-l",
                                        (options_.dir / "server.log").string(), "-w", "-t", "60", "start"},
                                       user_, options_.traverse_group, kToolTimeout)
                              .WithContext("starting PostgreSQL"));
  }
  started_ = true;
  // The server answers before the broker does.
  auto ping = Query("postgres", "SELECT 1");
  return ping.status();
}

void PostgresBackend::Stop() {
  if (!started_) return;
  started_ = false;
  (void)RunAs({bin_ + "/pg_ctl", "-D", (options_.dir / "data").string(), "-m", "fast", "-w", "-t", "60", "stop"}, user_,
              options_.traverse_group, kToolTimeout);
  std::error_code ec;
  fs::remove(SocketDirFor(options_.dir), ec);  // empty once the server is down
}

Result<std::vector<std::vector<std::string>>> PostgresBackend::Query(const std::string& database, const std::string& sql) {
  const std::string conninfo = "host=" + SocketDirFor(options_.dir).string() + " port=" + std::to_string(port_) +
                               " user=postgres dbname=" + database + " connect_timeout=10";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL (database " + database + "): " + error);
  }
  // The server's notices ("does not exist, skipping") are not wharfd's log lines.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  const auto state = PQresultStatus(result);
  if (state != PGRES_COMMAND_OK && state != PGRES_TUPLES_OK) {
    std::string error = PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
    // The statement is not quoted: it may carry a password.
    return Status::Internal("PostgreSQL refused a statement in database " + database + ": " + error);
  }
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(result); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(result); ++c) row.emplace_back(PQgetvalue(result, r, c));
    rows.push_back(std::move(row));
  }
  PQclear(result);
  PQfinish(conn);
  return rows;
}

Result<json> PostgresBackend::PrepareInstance(const PlanSpec& plan) {
  const std::string db = "wharf_" + RandomHex(8);
  return json{{"database", db}, {"owner", db + "_owner"}, {"connection_limit", plan.limit}};
}

Status PostgresBackend::CreateInstance(const json& instance) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string db = Str(instance, "database"), owner = Str(instance, "owner");
  WHARF_RETURN_IF_ERROR(Query("postgres", "CREATE ROLE " + owner + " NOLOGIN").status());
  WHARF_RETURN_IF_ERROR(Query("postgres", "CREATE DATABASE " + db + " OWNER " + owner + " CONNECTION LIMIT " +
                                              std::to_string(instance.at("connection_limit").get<int>()))
                            .status());
  return Query("postgres", "REVOKE ALL ON DATABASE " + db + " FROM PUBLIC").status();
}

Status PostgresBackend::DestroyInstance(const json& instance) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string db = Str(instance, "database"), owner = Str(instance, "owner");
  WHARF_RETURN_IF_ERROR(Query("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)").status());
  // Binding roles left behind (members of the owner) go with it.
  WHARF_ASSIGN_OR_RETURN(auto members, Query("postgres",
                       "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
                       "JOIN pg_roles o ON o.oid = a.roleid WHERE o.rolname = '" + owner + "'"));
  for (const auto& row : members) WHARF_RETURN_IF_ERROR(Query("postgres", "DROP ROLE IF EXISTS " + row[0]).status());
  return Query("postgres", "DROP ROLE IF EXISTS " + owner).status();
}

Result<json> PostgresBackend::PrepareBinding(const json& instance) {
  return json{{"username", Str(instance, "database") + "_" + RandomHex(4)}, {"password", RandomHex(24)}};
}

Result<json> PostgresBackend::CreateBinding(const json& instance, const json& binding) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string db = Str(instance, "database"), owner = Str(instance, "owner");
  const std::string user = Str(binding, "username"), password = Str(binding, "password");
  WHARF_RETURN_IF_ERROR(
      Query("postgres", "CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "' IN ROLE " + owner).status());
  // What a binding creates belongs to the instance's owner, so every binding of it sees the same tables.
  WHARF_RETURN_IF_ERROR(Query("postgres", "ALTER ROLE " + user + " SET role = '" + owner + "'").status());
  const std::string host = options_.host_for_apps;
  const std::string port = std::to_string(options_.host_port_for_apps > 0 ? options_.host_port_for_apps : port_);
  return json{{"uri", "postgres://" + user + ":" + password + "@" + host + ":" + port + "/" + db},
              {"hostname", host},
              {"port", std::stoi(port)},
              {"username", user},
              {"password", password},
              {"name", db},
              {"database", db},
              {"jdbcUrl", "jdbc:postgresql://" + host + ":" + port + "/" + db + "?user=" + user + "&password=" + password}};
}

Status PostgresBackend::DestroyBinding(const json& instance, const json& binding) {
  WHARF_RETURN_IF_ERROR(EnsureStarted());
  const std::string db = Str(instance, "database"), owner = Str(instance, "owner");
  const std::string user = Str(binding, "username");
  WHARF_ASSIGN_OR_RETURN(auto exists, Query("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '" + user + "'"));
  if (exists.empty()) return Status::Ok();
  // No new sessions, then end the open ones: the credentials stop working at once.
  WHARF_RETURN_IF_ERROR(Query("postgres", "ALTER ROLE " + user + " NOLOGIN").status());
  WHARF_RETURN_IF_ERROR(
      Query("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + user + "'").status());
  WHARF_ASSIGN_OR_RETURN(auto has_db, Query("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + db + "'"));
  if (!has_db.empty()) {
    WHARF_RETURN_IF_ERROR(Query(db, "REASSIGN OWNED BY " + user + " TO " + owner + "; DROP OWNED BY " + user).status());
  }
  return Query("postgres", "DROP ROLE IF EXISTS " + user).status();
}

}  // namespace wharf::services::builtin
