// TLS domains through the real HTTP server: admins upload a domain's certificate (checked, 422
// naming the problem), no GET answer holds the private key, and the routers get the pair: the
// in-process one through RoutingSync, a standalone one through the route stream (routing role).
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "common/file_io.h"
#include "common/net/tls_test_cert.h"
#include "controller/api/api_test_support.h"
#include "controller/dataplane/routing/routing_sync.h"
#include "router/routes/api_route_feed.h"
#include "router/routes/route_registry.h"
#include "router/tls_store.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TestPlatform;

bool WaitUntil(const std::function<bool()>& ok) {
  for (int i = 0; i < 500; ++i) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ok();
}

TEST_CASE("API: an admin creates a TLS domain, the pair is checked and the key is never answered") {
  TestPlatform p;
  RoutingSync sync(p.daemon().database(), nullptr, &p.daemon().route_table());  // for /v1/routing/table
  REQUIRE(sync.Start(std::chrono::milliseconds(20)).ok());
  const std::string dev = p.PlainUserToken();
  auto good = wharf::testing::MakeSelfSignedCertificate("shop", {"shop.test", "*.shop.test"});
  auto other = wharf::testing::MakeSelfSignedCertificate("other", {"*.other.test"});
  auto body = [](const std::string& name, const wharf::testing::TestCertificate& c, const std::string& key) {
    return json{{"name", name}, {"certificate", c.cert_pem}, {"private_key", key}, {"http", "refuse"}};
  };
  HttpResult mismatch = p.Call("POST", "/v1/domains", body("shop.test", good, other.key_pem));
  CHECK(mismatch.status == 422);
  CHECK(mismatch.body.find("the private key does not match the certificate") != std::string::npos);
  HttpResult uncovered = p.Call("POST", "/v1/domains", body("nope.test", good, good.key_pem));
  CHECK(uncovered.status == 422);
  CHECK(uncovered.body.find("cover neither 'nope.test' nor '*.nope.test'") != std::string::npos);
  HttpResult garbage = p.Call("POST", "/v1/domains", body("shop.test", {"not a pem", ""}, good.key_pem));
  CHECK(garbage.status == 422);
  CHECK(garbage.body.find("certificate: no PEM certificate") != std::string::npos);
  CHECK(p.Call("POST", "/v1/domains", json{{"name", "shop.test"}, {"certificate", good.cert_pem}}).status == 400);
  // Not an admin: refused before anything is looked at, and no domain is made.
  HttpResult plain = p.Call("POST", "/v1/domains", body("shop.test", good, good.key_pem), dev);
  CHECK(plain.status == 403);
  CHECK(plain.body.find("admin") != std::string::npos);

  HttpResult created = p.Call("POST", "/v1/domains", body("shop.test", good, good.key_pem));
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(created.json["tls"] == true);
  CHECK(created.json["http"] == "refuse");
  CHECK(created.json["certificate_names"] == "shop.test,*.shop.test");
  const std::string guid = created.json["guid"];
  HttpResult plain_put = p.Call("PUT", "/v1/domains/" + guid + "/certificate",
                                json{{"certificate", other.cert_pem}, {"private_key", other.key_pem}}, dev);
  CHECK(plain_put.status == 403);
  CHECK(p.Call("PUT", "/v1/domains/" + guid + "/certificate",
               json{{"certificate", other.cert_pem}, {"private_key", other.key_pem}})
            .status == 422);  // *.other.test does not cover shop.test

  const std::string key_line = good.key_pem.substr(good.key_pem.find('\n') + 1, 40);
  REQUIRE(WaitUntil([&] { return p.Call("GET", "/v1/routing/table").body.find("shop.test") != std::string::npos; }));
  for (const char* path : {"/v1/domains", "/v1/routing/table", "/v1/events"}) {
    HttpResult r = p.Call("GET", path);
    CHECK_MESSAGE(r.status == 200, path);
    CHECK_MESSAGE(r.body.find("shop.test") != std::string::npos, path);  // the domain is there, its key is not
    CHECK_MESSAGE(r.body.find(key_line) == std::string::npos, path);
    CHECK_MESSAGE(r.body.find("PRIVATE KEY") == std::string::npos, path);
  }
  HttpResult list = p.Call("GET", "/v1/domains", std::nullopt, dev);
  REQUIRE(list.status == 200);
  CHECK(list.body.find(key_line) == std::string::npos);
  CHECK(p.Call("DELETE", "/v1/domains/" + guid + "/certificate", std::nullopt, dev).status == 403);
  CHECK(p.Call("DELETE", "/v1/domains/" + guid).status == 204);  // its certificate goes with it
  sync.Stop();
}

TEST_CASE("API: certificates reach the in-process router and a standalone router's stream, and changes follow") {
  TestPlatform p;
  router::RouteRegistry registry(2);
  router::TlsCertificateStore in_process;
  auto sync = std::make_unique<RoutingSync>(p.daemon().database(), &registry, &p.daemon().route_table());
  sync->SetCertificateStore(&in_process);
  REQUIRE(sync->Start(std::chrono::milliseconds(20)).ok());

  auto router_token = ReadFile(p.daemon().layout().router_token());
  REQUIRE(router_token.ok());
  router::ApiRouteFeedOptions feed_options;
  feed_options.api_url = "http://127.0.0.1:" + std::to_string(p.port());
  feed_options.token = router_token->substr(0, router_token->find('\n'));
  feed_options.certificates = std::make_shared<router::TlsCertificateStore>();
  feed_options.cache_file = p.data_dir() / "router-routes.json";
  router::RouteRegistry standalone(2);
  router::ApiRouteFeed feed(feed_options, nullptr);
  REQUIRE(feed.Subscribe(standalone).ok());

  auto one = wharf::testing::MakeSelfSignedCertificate("one", {"*.shop.test"});
  HttpResult created = p.Call("POST", "/v1/domains", json{{"name", "shop.test"}, {"certificate", one.cert_pem},
                                                          {"private_key", one.key_pem}});
  REQUIRE_MESSAGE(created.status == 201, created.body);
  auto served = [](const router::TlsCertificateStore& s, const std::string& pem) {
    auto certs = s.Certificates();
    return certs.size() == 1 && certs[0].cert_pem == pem && !certs[0].key_pem.empty() &&
           router::TlsCertificateStore::Select(*s.Load(), "www.shop.test") != nullptr;
  };
  CHECK(WaitUntil([&] { return served(in_process, one.cert_pem); }));
  CHECK(WaitUntil([&] { return served(*feed_options.certificates, one.cert_pem); }));
  CHECK(router::TlsCertificateStore::PolicyFor(*in_process.Load(), "www.shop.test") == router::HttpPolicy::kRedirect);

  auto two = wharf::testing::MakeSelfSignedCertificate("two", {"*.shop.test"});
  HttpResult put = p.Call("PUT", "/v1/domains/" + created.json["guid"].get<std::string>() + "/certificate",
                          json{{"certificate", two.cert_pem}, {"private_key", two.key_pem}, {"http", "allow"}});
  REQUIRE_MESSAGE(put.status == 204, put.body);
  CHECK(WaitUntil([&] { return served(in_process, two.cert_pem); }));
  CHECK(WaitUntil([&] { return served(*feed_options.certificates, two.cert_pem); }));
  CHECK(router::TlsCertificateStore::PolicyFor(*in_process.Load(), "www.shop.test") == router::HttpPolicy::kAllow);

  REQUIRE(p.Call("DELETE", "/v1/domains/" + created.json["guid"].get<std::string>() + "/certificate").status == 204);
  CHECK(WaitUntil([&] { return in_process.Certificates().empty(); }));
  CHECK(WaitUntil([&] { return feed_options.certificates->Certificates().empty(); }));
  feed.Unsubscribe();
  sync->Stop();
}

}  // namespace
}  // namespace wharf::controller
