// Helpers of the built-in brokers' tests: a scratch folder the servers' users can traverse,
// a BrokerCore opened over a backend, the provision and bind requests the platform sends, and a
// PostgreSQL login as an app would make (libpq over TCP with a binding's credentials).
#pragma once

#include <libpq-fe.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "services/builtin/broker_core.h"

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

// A BrokerCore over the backend `made` (a backend's Make result), its records in the file
// `records`; fails the test when either is not ok.
template <typename Backend>
std::unique_ptr<BrokerCore> OpenCore(Result<std::unique_ptr<Backend>> made, const std::filesystem::path& records) {
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  auto core = BrokerCore::Open(std::move(made).value(), records);
  REQUIRE_MESSAGE(core.ok(), core.status().message());
  return std::move(core).value();
}

// The platform's provision request for plan number `plan` of the core's service (org "org", space "space").
inline nlohmann::json ProvisionRequest(const BrokerCore& core, int plan = 0) {
  return nlohmann::json{{"service_id", core.Service().id}, {"plan_id", core.Service().plans.at(plan).id},
                        {"organization_guid", "org"}, {"space_guid", "space"}};
}

// The platform's bind request for app `app` (first plan of the core's service).
inline nlohmann::json BindRequest(const BrokerCore& core, const std::string& app) {
  return nlohmann::json{{"service_id", core.Service().id}, {"plan_id", core.Service().plans.at(0).id},
                        {"bind_resource", {{"app_guid", app}}}};
}

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
