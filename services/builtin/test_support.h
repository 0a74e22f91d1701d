// Helpers of the built-in brokers' tests: a scratch folder the servers' users can traverse,
// and a PostgreSQL login as an app would make (libpq over TCP with a binding's credentials).
#pragma once

#include <libpq-fe.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/ids.h"

namespace wharf::services::builtin::testing {

struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() : path(std::filesystem::temp_directory_path() / ("wharf-brokers-" + RandomHex(6))) {
    std::filesystem::create_directories(path);
    ::chmod(path.c_str(), 0755);  // the servers run as postgres / redis
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Runs `sql` as the binding whose credentials are given (host 127.0.0.1): "" on success,
// else libpq's message; `out` gets the first value of the first row.
inline std::string PgAs(const nlohmann::json& credentials, const std::string& sql, std::string* out = nullptr,
                        const std::string& database = "") {
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(credentials["port"].get<int>()) +
                               " user=" + credentials["username"].get<std::string>() +
                               " password=" + credentials["password"].get<std::string>() + " dbname=" +
                               (database.empty() ? credentials["name"].get<std::string>() : database) +
                               " connect_timeout=5";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string e = PQerrorMessage(conn);
    PQfinish(conn);
    return e.empty() ? "connection failed" : e;
  }
  PGresult* r = PQexec(conn, sql.c_str());
  std::string error;
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    error = PQresultErrorMessage(r);
  } else if (out != nullptr && PQntuples(r) > 0) {
    *out = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  PQfinish(conn);
  return error;
}

}  // namespace wharf::services::builtin::testing
