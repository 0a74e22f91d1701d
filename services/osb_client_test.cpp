// The Open Service Broker client against a real broker process (testdata/misbehaving_broker.py, a
// Python HTTP server started here and stopped by its pid) that misbehaves on purpose.
#include "services/osb_client.h"

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "services/testing/test_broker.h"

namespace wharf::services {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using testing::TestBroker;

OsbTarget Plan(const std::string& plan) { return OsbTarget{"svc-1", plan}; }

TEST_CASE("The catalog, with the API version header and basic auth, wrong credentials are refused clearly") {
  TestBroker broker;
  OsbClient client(broker.Endpoint());
  Result<json> catalog = client.Catalog();
  REQUIRE_MESSAGE(catalog.ok(), catalog.status().ToString());
  CHECK((*catalog)["services"][0]["name"] == "testdb");

  BrokerEndpoint wrong = broker.Endpoint();
  wrong.password = "nope";
  Result<json> refused = OsbClient(wrong).Catalog();
  CHECK(refused.status().code() == StatusCode::kUnavailable);
  CHECK(refused.status().message().find("refused the platform's credentials (401)") != std::string::npos);
  // The password is never part of an error.
  CHECK(refused.status().message().find("nope") == std::string::npos);
}

TEST_CASE("Provision and bind synchronously, deprovision twice is gone the second time") {
  TestBroker broker;
  OsbClient client(broker.Endpoint());
  Result<OsbOutcome> made = client.Provision("i-1", Plan("sync"), json{{"size", 1}}, "org", "space");
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK_FALSE(made->async);
  CHECK(made->dashboard_url == "http://dash/i-1");
  Result<OsbOutcome> bound = client.Bind("i-1", "b-1", Plan("sync"), "app-guid", json::object());
  REQUIRE_MESSAGE(bound.ok(), bound.status().ToString());
  CHECK(bound->credentials["uri"] == "test://i-1/b-1");
  REQUIRE(client.Unbind("i-1", "b-1", Plan("sync")).ok());
  Result<OsbOutcome> gone = client.Deprovision("i-1", Plan("sync"));
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->gone);
  Result<OsbOutcome> again = client.Deprovision("i-1", Plan("sync"));
  REQUIRE(again.ok());
  CHECK(again->gone);
}

TEST_CASE("A slow asynchronous provision is polled, honouring Retry-After") {
  TestBroker broker;
  OsbClient client(broker.Endpoint());
  Result<OsbOutcome> made = client.Provision("i-async", Plan("async"), json::object(), "org", "space");
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(made->async);
  CHECK(made->operation == "op-i-async");
  std::vector<std::chrono::milliseconds> waits;
  auto poll = [&] { return client.InstanceLastOperation("i-async", Plan("async"), made->operation); };
  auto record = [&](std::chrono::milliseconds d) { waits.push_back(d); };
  Result<LastOperation> done = PollLastOperation(poll, record, 200ms, 60s);
  REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  CHECK(done->state == "succeeded");
  CHECK(done->description == "ready");
  CHECK(waits == std::vector<std::chrono::milliseconds>{1000ms, 1000ms});
  // A maximum polling duration shorter than the operation gives up with a clear error.
  Result<OsbOutcome> second = client.Provision("i-async2", Plan("async"), json::object(), "org", "space");
  REQUIRE(second.ok());
  auto poll2 = [&] { return client.InstanceLastOperation("i-async2", Plan("async"), second->operation); };
  Result<LastOperation> gave_up = PollLastOperation(poll2, record, 200ms, 1s);
  CHECK(gave_up.status().code() == StatusCode::kUnavailable);
  CHECK(gave_up.status().message().find("still in progress") != std::string::npos);
}

TEST_CASE("500, invalid JSON and a timeout fail clearly, and each sends a deprovision (orphan mitigation)") {
  TestBroker broker;
  OsbClient client(broker.Endpoint(1000ms));
  Result<OsbOutcome> boom = client.Provision("i-boom", Plan("boom"), json::object(), "org", "space");
  CHECK(boom.status().code() == StatusCode::kUnavailable);
  CHECK(boom.status().message().find("answered 500: boom: disk full") != std::string::npos);
  CHECK(boom.status().message().find("orphan mitigation") != std::string::npos);

  Result<OsbOutcome> garbage = client.Provision("i-garbage", Plan("garbage"), json::object(), "org", "space");
  CHECK(garbage.status().code() == StatusCode::kUnavailable);
  CHECK(garbage.status().message().find("invalid response") != std::string::npos);

  auto started = std::chrono::steady_clock::now();
  Result<OsbOutcome> slow = client.Provision("i-slow", Plan("slow"), json::object(), "org", "space");
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(slow.status().code() == StatusCode::kUnavailable);
  CHECK(slow.status().message().find("did not answer within 1000 ms") != std::string::npos);

  // The broker had recorded each instance before failing; the client's DELETE removed it.
  for (const char* id : {"i-boom", "i-garbage", "i-slow"}) {
    Result<OsbOutcome> probe = client.Deprovision(id, Plan("sync"));
    REQUIRE(probe.ok());
    CHECK_MESSAGE(probe->gone, id);  // 410: already deprovisioned by the mitigation
  }
}

TEST_CASE("422 AsyncRequired, a failing deprovision and a broker that is down are errors naming the broker") {
  TestBroker broker;
  OsbClient client(broker.Endpoint());
  Result<OsbOutcome> refused = client.Provision("i-x", Plan("async-required"), json::object(), "org", "space");
  CHECK(refused.status().code() == StatusCode::kUnprocessable);
  CHECK(refused.status().message().find("AsyncRequired: needs accepts_incomplete") != std::string::npos);

  REQUIRE(client.Provision("stuck-1", Plan("sync"), json::object(), "org", "space").ok());
  Result<OsbOutcome> stuck = client.Deprovision("stuck-1", Plan("sync"));
  CHECK(stuck.status().code() == StatusCode::kUnavailable);
  CHECK(stuck.status().message().find("cannot drop the database") != std::string::npos);

  BrokerEndpoint down = broker.Endpoint();
  down.url = "http://127.0.0.1:1";
  Result<json> none = OsbClient(down).Catalog();
  CHECK(none.status().code() == StatusCode::kUnavailable);
  CHECK(none.status().message().find("not reachable") != std::string::npos);

  BrokerEndpoint bad_url = broker.Endpoint();
  bad_url.url = "ftp://127.0.0.1:1";
  CHECK(OsbClient(bad_url).Catalog().status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wharf::services
