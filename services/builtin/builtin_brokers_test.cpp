// BuiltinBrokers as wharfd starts them, seen by a hostile server user: the servers' users
// (running as the servers do, with the traverse group) reach their own data and nothing of
// wharfd's data folder (wharf.db, droplets, the brokers' records).
#include "services/builtin/builtin_brokers.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <doctest/doctest.h>
#include <grp.h>
#include <sys/stat.h>

#include <Poco/URI.h>

#include "common/file_io.h"
#include "services/builtin/process_runner.h"
#include "services/builtin/test_support.h"

namespace wharf::services::builtin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int HttpStatus(const BuiltinBrokerEndpoint& broker, const std::string& method, const std::string& path,
               const json& body) {
  Poco::URI uri(broker.url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPBasicCredentials(broker.username, broker.password).authenticate(request);
  request.set("X-Broker-API-Version", "2.17");
  const std::string text = body.dump();
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  session.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response).ignore(1 << 20);
  return static_cast<int>(response.getStatus());
}

// `cat path` as the server user, as the servers run (its uid and gid plus the traverse group).
RunOutput CatAs(const SystemUser& user, gid_t group, const fs::path& path) {
  auto ran = RunAs({"/bin/cat", path.string()}, user, group, std::chrono::seconds(10));
  REQUIRE_MESSAGE(ran.ok(), ran.status().message());
  return *ran;
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("a built-in server's user reads its own data but nothing of wharfd's data folder") {
  struct group* traverse = ::getgrnam("wharf-services");
  REQUIRE_MESSAGE(traverse != nullptr, "scripts/setup.sh creates the group wharf-services");
  auto redis = LookupSystemUser("redis", "redis-server");
  REQUIRE_MESSAGE(redis.ok(), redis.status().message());
  auto postgres = LookupSystemUser("postgres", "postgresql");
  REQUIRE_MESSAGE(postgres.ok(), postgres.status().message());

  testing::ScratchDir dir;  // 0755: the servers' users may pass, as through /var/lib
  const fs::path data = dir.path / "data";  // wharfd's data folder, as PrepareDataDir leaves it
  fs::create_directories(data / "droplets" / "d1");
  REQUIRE(::chmod(data.c_str(), 0700) == 0);
  REQUIRE(WriteFileAtomic(data / "wharf.db", "SQLite format 3", 0644).ok());
  REQUIRE(WriteFileAtomic(data / "droplets" / "d1" / "app.js", "secret code", 0644).ok());

  BuiltinBrokersOptions options;
  options.records_dir = data / "builtin-brokers";
  options.servers_dir = dir.path / "data-services";
  options.services = {"redis"};
  auto started = BuiltinBrokers::Start(options);
  REQUIRE_MESSAGE(started.ok(), started.status().message());
  BuiltinBrokers& brokers = **started;
  const std::string warning = brokers.Warnings().empty() ? "" : brokers.Warnings()[0];
  REQUIRE_MESSAGE(brokers.Endpoints().size() == 1, warning);

  // The data folder is left as it was; the servers' folder lets the group pass, not list.
  CHECK(ModeOf(data) == 0700);
  CHECK(ModeOf(options.records_dir) == 0700);
  CHECK(ModeOf(options.servers_dir) == 0710);
  CHECK(ModeOf(options.servers_dir / "redis") == 0700);

  // A real instance: its server writes its files as redis.
  const std::string service_id = "7a1c0c5e-2b8d-4a47-8f6e-3c9d1e2f4b01";  // RedisBackend's catalog
  const std::string plan_id = "7a1c0c5e-2b8d-4a47-8f6e-3c9d1e2f4b11";
  const json provision{{"service_id", service_id}, {"plan_id", plan_id}, {"organization_guid", "o"}, {"space_guid", "s"}};
  REQUIRE(HttpStatus(brokers.Endpoints()[0], "PUT", "/v2/service_instances/i1", provision) == 201);

  fs::path own_config;
  for (const auto& entry : fs::directory_iterator(options.servers_dir / "redis")) own_config = entry.path() / "redis.conf";
  REQUIRE(fs::exists(own_config));
  RunOutput own = CatAs(*redis, traverse->gr_gid, own_config);
  CHECK_MESSAGE(own.exit_code == 0, own.output);  // the control: the test can tell a readable file

  for (const fs::path& target : {data / "wharf.db", data / "droplets" / "d1" / "app.js",
                                 options.records_dir / "redis.json", options.records_dir / "redis-credentials.json"}) {
    for (const SystemUser& user : {*redis, *postgres}) {
      RunOutput denied = CatAs(user, traverse->gr_gid, target);
      const std::string what = user.name + " read " + target.string();
      CHECK_MESSAGE(denied.exit_code != 0, what);
      CHECK(denied.output.find("Permission denied") != std::string::npos);
    }
  }
  // Nor does another server's user read this server's files.
  RunOutput other = CatAs(*postgres, traverse->gr_gid, own_config);
  CHECK(other.exit_code != 0);
  CHECK(other.output.find("Permission denied") != std::string::npos);

  CHECK(HttpStatus(brokers.Endpoints()[0], "DELETE",
                   "/v2/service_instances/i1?service_id=" + service_id + "&plan_id=" + plan_id,
                   json::object()) == 200);
  brokers.Stop();
}

}  // namespace
}  // namespace wharf::services::builtin
