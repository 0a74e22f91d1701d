// OSB conformance of a built-in broker over HTTP (the Redis one: quick to start):
// the catalog passes Wharf's own catalog checks, authentication and the API
// version header are enforced, and the status codes of repeats are the spec's.
#include "services/builtin/osb_server.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <doctest/doctest.h>

#include <sstream>

#include "services/builtin/redis_backend.h"
#include "services/builtin/test_support.h"
#include "services/catalog.h"
#include "services/osb_client.h"

namespace wharf::services::builtin {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  json body;
};

Answer Call(const OsbServer& server, const std::string& method, const std::string& path, const json& body = nullptr,
            const std::string& user = "u", const std::string& password = "p", const std::string& version = "2.17") {
  Poco::Net::HTTPClientSession session("127.0.0.1", server.port());
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!user.empty()) Poco::Net::HTTPBasicCredentials(user, password).authenticate(request);
  if (!version.empty()) request.set("X-Broker-API-Version", version);
  const std::string text = body.is_null() ? "" : body.dump();
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  session.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::string received((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {static_cast<int>(response.getStatus()), json::parse(received, nullptr, false)};
}

TEST_CASE("built-in broker over HTTP: catalog, auth, version header and the spec's status codes") {
  testing::ScratchDir dir;
  auto backend = RedisBackend::Make({dir.path / "redis", "127.0.0.1", std::nullopt});
  REQUIRE_MESSAGE(backend.ok(), backend.status().message());
  auto core = BrokerCore::Open(std::move(backend).value(), dir.path / "redis.json");
  REQUIRE(core.ok());
  auto server = OsbServer::Start(**core, {0, "u", "p"});
  REQUIRE(server.ok());
  const OsbServer& s = **server;

  Answer catalog = Call(s, "GET", "/v2/catalog");
  REQUIRE(catalog.status == 200);
  auto parsed = ParseCatalog(catalog.body);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  CHECK(catalog.body["services"][0]["name"] == "redis");
  CHECK(catalog.body["services"][0]["plans"].size() == 2);

  CHECK(Call(s, "GET", "/v2/catalog", nullptr, "").status == 401);
  CHECK(Call(s, "GET", "/v2/catalog", nullptr, "u", "wrong").status == 401);
  CHECK(Call(s, "GET", "/v2/catalog", nullptr, "u", "p", "").status == 412);
  CHECK(Call(s, "GET", "/v2/nothing").status == 404);

  const json service = catalog.body["services"][0];
  const json provision{{"service_id", service["id"]}, {"plan_id", service["plans"][0]["id"]},
                       {"organization_guid", "o"}, {"space_guid", "s"}};
  CHECK(Call(s, "PUT", "/v2/service_instances/i1?accepts_incomplete=true", provision).status == 201);
  CHECK(Call(s, "PUT", "/v2/service_instances/i1?accepts_incomplete=true", provision).status == 200);
  json other_plan = provision;
  other_plan["plan_id"] = service["plans"][1]["id"];
  CHECK(Call(s, "PUT", "/v2/service_instances/i1", other_plan).status == 409);
  CHECK(Call(s, "PATCH", "/v2/service_instances/i1", other_plan).status == 422);
  CHECK(Call(s, "PUT", "/v2/service_instances/i2", json::array()).status == 400);

  const json bind{{"service_id", service["id"]}, {"plan_id", service["plans"][0]["id"]},
                  {"bind_resource", {{"app_guid", "a1"}}}};
  Answer b = Call(s, "PUT", "/v2/service_instances/i1/service_bindings/b1", bind);
  CHECK(b.status == 201);
  CHECK(b.body["credentials"]["port"].is_number());
  Answer repeat = Call(s, "PUT", "/v2/service_instances/i1/service_bindings/b1", bind);
  CHECK(repeat.status == 200);
  CHECK(repeat.body["credentials"] == b.body["credentials"]);
  CHECK(Call(s, "GET", "/v2/service_instances/i1/service_bindings/b1").body["credentials"] == b.body["credentials"]);
  CHECK(Call(s, "DELETE", "/v2/service_instances/i1/service_bindings/b1?service_id=x&plan_id=y").status == 200);
  CHECK(Call(s, "DELETE", "/v2/service_instances/i1/service_bindings/b1?service_id=x&plan_id=y").status == 410);
  CHECK(Call(s, "DELETE", "/v2/service_instances/i1?service_id=x&plan_id=y").status == 200);
  CHECK(Call(s, "DELETE", "/v2/service_instances/i1?service_id=x&plan_id=y").status == 410);

  // Wharf's own OSB client speaks to it as to any broker.
  OsbClient client({s.url(), "u", "p", std::chrono::seconds(30)});
  OsbTarget target{service["id"].get<std::string>(), service["plans"][0]["id"].get<std::string>()};
  auto provisioned = client.Provision("i3", target, json::object(), "o", "s");
  REQUIRE_MESSAGE(provisioned.ok(), provisioned.status().message());
  CHECK(!provisioned->async);
  auto bound = client.Bind("i3", "b3", target, "a3", json::object());
  REQUIRE(bound.ok());
  CHECK(bound->credentials["uri"].get<std::string>().rfind("redis://", 0) == 0);
  CHECK(client.Unbind("i3", "b3", target).ok());
  CHECK(client.Deprovision("i3", target).ok());
  (*server)->Stop();
  (*core)->Stop();
}

}  // namespace
}  // namespace wharf::services::builtin
