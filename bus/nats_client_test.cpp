// The NATS client against a real nats-server: publish and subscribe, request and reply, and a
// server that goes away and comes back on the same port (the client reconnects on its own and
// its subscriptions stay).
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/nats_client.h"
#include "bus/testing/nats_server.h"
#include "common/net/tls_test_cert.h"

namespace wharf::bus {
namespace {

bool WaitUntil(const std::function<bool()>& ok, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok();
}

NatsOptions Options(const std::string& url, std::string name = "test") {
  NatsOptions o;
  o.url = url;
  o.name = std::move(name);
  return o;
}

struct Inbox {
  std::mutex mu;
  std::vector<NatsMessage> got;
  std::function<void(const NatsMessage&)> Handler() {
    return [this](const NatsMessage& m) {
      std::lock_guard lock(mu);
      got.push_back(m);
    };
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return got.size();
  }
  // A copy: the handler may still be appending (reading `got` directly raced with it).
  std::vector<NatsMessage> Copy() {
    std::lock_guard lock(mu);
    return got;
  }
};

TEST_CASE("NATS: a message published reaches the subscribers of its subject, wildcards included") {
  auto server = testing::NatsServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().message());
  auto a = NatsClient::Connect(Options(server->url(), "test-a"));
  auto b = NatsClient::Connect(Options(server->url(), "test-b"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(WaitUntil([&] { return (*a)->Connected() && (*b)->Connected(); }));
  Inbox exact, wild;
  auto s1 = (*b)->Subscribe("router.register", exact.Handler());
  auto s2 = (*b)->Subscribe("router.>", wild.Handler());
  REQUIRE(s1.ok());
  REQUIRE(s2.ok());
  REQUIRE((*b)->Flush(std::chrono::seconds(2)).ok());
  REQUIRE((*a)->Publish("router.register", R"({"host":"10.0.0.1"})").ok());
  REQUIRE((*a)->Publish("router.unregister", "x").ok());
  REQUIRE(WaitUntil([&] { return exact.size() == 1 && wild.size() == 2; }));
  CHECK(exact.Copy()[0].subject == "router.register");
  CHECK(exact.Copy()[0].data == R"({"host":"10.0.0.1"})");
  // Unsubscribed: no more messages.
  s1->Reset();
  REQUIRE((*a)->Publish("router.register", "again").ok());
  REQUIRE(WaitUntil([&] { return wild.size() == 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(exact.size() == 1);
}

TEST_CASE("NATS: a request gets the answer its responder publishes to the reply subject") {
  auto server = testing::NatsServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().message());
  auto responder = NatsClient::Connect(Options(server->url()));
  auto asker = NatsClient::Connect(Options(server->url()));
  REQUIRE(responder.ok());
  REQUIRE(asker.ok());
  REQUIRE(WaitUntil([&] { return (*responder)->Connected() && (*asker)->Connected(); }));
  NatsClient* r = responder->get();
  auto sub = r->Subscribe("router.greet", [r](const NatsMessage& m) { (void)r->Publish(m.reply, "hello " + m.data); });
  REQUIRE(sub.ok());
  REQUIRE(r->Flush(std::chrono::seconds(2)).ok());
  auto answer = (*asker)->Request("router.greet", "router-1", std::chrono::seconds(2));
  REQUIRE_MESSAGE(answer.ok(), answer.status().message());
  CHECK(*answer == "hello router-1");
  // Nobody answers on another subject: an error, not a hang.
  CHECK_FALSE((*asker)->Request("nobody.home", "", std::chrono::milliseconds(300)).ok());
}

TEST_CASE("NATS: a client started before its server connects when it comes, and reconnects after a restart") {
  auto server = testing::NatsServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().message());
  server->Stop();
  std::atomic<int> reconnects{0};
  NatsOptions o = Options(server->url());
  o.reconnect_wait = std::chrono::milliseconds(50);
  o.on_state = [&](std::string_view what) {
    if (what == "reconnected") ++reconnects;
  };
  auto c = NatsClient::Connect(o);
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  CHECK_FALSE((*c)->Connected());
  REQUIRE(server->Restart().ok());
  REQUIRE(WaitUntil([&] { return (*c)->Connected(); }));
  Inbox inbox;
  auto sub = (*c)->Subscribe("events.>", inbox.Handler());
  REQUIRE(sub.ok());
  REQUIRE((*c)->Flush(std::chrono::seconds(2)).ok());

  // The server dies and comes back on the same port: the subscription is there again.
  REQUIRE(server->Restart().ok());
  REQUIRE(WaitUntil([&] { return (*c)->Connected() && reconnects.load() >= 1; }));
  auto other = NatsClient::Connect(Options(server->url()));
  REQUIRE(other.ok());
  REQUIRE(WaitUntil([&] { return (*other)->Connected(); }));
  // Resubscription travels with the reconnect; publish until it has arrived.
  REQUIRE(WaitUntil([&] {
    (void)(*other)->Publish("events.x", "after restart");
    (void)(*other)->Flush(std::chrono::seconds(1));
    return inbox.size() >= 1;
  }));
  for (const NatsMessage& m : inbox.Copy()) CHECK(m.data == "after restart");
}

TEST_CASE("NATS: a URL's password or token is masked for messages and logs") {
  CHECK(MaskNatsUrl("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222");
  CHECK(MaskNatsUrl("nats://wharf:s3cret@10.0.0.5:4222") == "nats://wharf:***@10.0.0.5:4222");
  CHECK(MaskNatsUrl("nats://t0ken@h:4222,nats://u:p@g:4222") == "nats://***@h:4222,nats://u:***@g:4222");
  auto refused = NatsClient::Connect(Options("redis://u:s3cret@h:4222"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("s3cret") == std::string::npos);
}

TEST_CASE("NATS: a URL that is not nats:// or tls:// is refused, naming it") {
  auto c = NatsClient::Connect(Options("http://127.0.0.1:4222"));
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("http://127.0.0.1:4222") != std::string::npos);
}

}  // namespace
TEST_CASE("NATS over TLS: the server's certificate is verified against the CA file and the URL's host name") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("wharf-nats-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const wharf::testing::TestCertificate good = wharf::testing::MakeSelfSignedCertificate("localhost", {"localhost"});
  const wharf::testing::TestCertificate other = wharf::testing::MakeSelfSignedCertificate("localhost", {"localhost"});
  const wharf::testing::TestCertificate misnamed = wharf::testing::MakeSelfSignedCertificate("nats.example", {"nats.example"});
  testing::NatsServerTls tls{write("server.crt", good.cert_pem), write("server.key", good.key_pem)};
  auto server = testing::NatsServer::Start(tls);
  REQUIRE_MESSAGE(server.ok(), server.status().message());
  CHECK(server->url().rfind("tls://localhost:", 0) == 0);

  // Trusting the server's CA: messages travel.
  NatsOptions trusted = Options(server->url(), "tls-a");
  trusted.ca_file = write("ca.crt", good.cert_pem);
  auto a = NatsClient::Connect(trusted);
  auto b = NatsClient::Connect(trusted);
  REQUIRE_MESSAGE(a.ok(), a.status().message());
  REQUIRE(b.ok());
  REQUIRE(WaitUntil([&] { return (*a)->Connected() && (*b)->Connected(); }));
  Inbox inbox;
  auto sub = (*b)->Subscribe("secret.>", inbox.Handler());
  REQUIRE(sub.ok());
  REQUIRE((*b)->Flush(std::chrono::seconds(2)).ok());
  REQUIRE((*a)->Publish("secret.route", "over tls").ok());
  REQUIRE(WaitUntil([&] { return inbox.size() == 1; }));
  CHECK(inbox.Copy()[0].data == "over tls");

  // Another CA, or no CA but the system's: never connected.
  NatsOptions wrong = Options(server->url(), "tls-wrong");
  wrong.ca_file = write("other.crt", other.cert_pem);
  auto w = NatsClient::Connect(wrong);
  NatsOptions system = Options(server->url(), "tls-system");
  auto sys = NatsClient::Connect(system);
  // The right CA but a certificate for another name: refused too.
  testing::NatsServerTls misnamed_tls{write("m.crt", misnamed.cert_pem), write("m.key", misnamed.key_pem)};
  auto server2 = testing::NatsServer::Start(misnamed_tls);
  REQUIRE(server2.ok());
  NatsOptions name_check = Options(server2->url(), "tls-name");
  name_check.ca_file = write("m-ca.crt", misnamed.cert_pem);
  auto n = NatsClient::Connect(name_check);
  // Plain NATS to a TLS server: refused by the server.
  auto plain = NatsClient::Connect(Options("nats://127.0.0.1:" + std::to_string(server->port()), "plain"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (auto* c : {&w, &sys, &n, &plain}) {
    if (c->ok()) CHECK_FALSE((**c)->Connected());
  }
  CHECK_FALSE(NatsClient::Connect(Options("http://127.0.0.1:4222")).ok());
  NatsOptions missing = Options(server->url());
  missing.ca_file = (dir / "nope.crt").string();
  auto refused = NatsClient::Connect(missing);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("nope.crt") != std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace wharf::bus
