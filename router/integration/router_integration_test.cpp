// The real router (two event loops) against real backends on 127.0.0.1, all started by
// the tests. Each test takes well under a few seconds.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <thread>

#include "common/time/clock.h"
#include "router/router.h"
#include "test_backend.h"

namespace wharf::router {
namespace {

using namespace std::chrono_literals;
using testing::Connect;
using testing::Message;
using testing::RecordingBackend;
using testing::Stream;
using testing::TestBackend;

RouterOptions TestOptions() {
  RouterOptions o;
  o.listen_address = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.admin_port = 0;
  o.timeouts.header_read = 400ms;
  o.timeouts.backend_response = 2s;
  o.timeouts.drain = 2s;
  return o;
}

Endpoint Ep(std::string id, std::uint16_t port, std::string app = "app-1") {
  Endpoint e;
  e.instance_id = std::move(id);
  e.app_guid = std::move(app);
  e.host = "127.0.0.1";
  e.port = port;
  return e;
}

struct Fixture {
  explicit Fixture(RouterOptions o = TestOptions()) : registry(o.threads + 1) {
    auto r = Router::Start(o, registry, clock, &log);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    router = std::move(*r);
  }
  void Route(const std::string& uri, const std::vector<Endpoint>& eps) {
    auto key = ParseRouteUri(uri);
    REQUIRE(key.ok());
    registry.ConfigureRoute(*key, LoadBalancing::kRoundRobin);
    for (const auto& e : eps) REQUIRE(registry.Upsert(*key, e).ok());
  }
  std::unique_ptr<Stream> Client() {
    auto s = Connect(router->port());
    REQUIRE(s != nullptr);
    return s;
  }
  SystemClock clock;
  RouteRegistry registry;
  MemoryAccessLogSink log;
  std::unique_ptr<Router> router;
};

Message Get(Stream& s, const std::string& host, const std::string& path = "/", const std::string& extra = "") {
  REQUIRE(s.Write("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n"));
  Message m;
  REQUIRE(s.ReadMessage(&m, true));
  return m;
}

TEST_CASE("requests are routed by Host and keep-alive connections to the instance are reused") {
  TestBackend backend(testing::NamedBackend("one"));
  Fixture f;
  f.Route("app.test", {Ep("i-1", backend.port())});
  auto c = f.Client();
  for (int i = 0; i < 20; ++i) {
    Message m = Get(*c, "APP.test:8080");
    CHECK(m.Status() == 200);
    CHECK(m.body == "one");
  }
  CHECK(backend.accepts() == 1);
  CHECK(f.router->Counters().backend_reuses == 19);
}

TEST_CASE("the instance sees the forwarding headers and the request id reaches the access log") {
  RecordingBackend backend("ok");
  Fixture f;
  f.Route("app.test", {Ep("i-1", backend.port())});
  auto c = f.Client();
  Message m = Get(*c, "app.test", "/x?y=1", "X-Forwarded-For: 9.9.9.9\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\n");
  CHECK(m.Status() == 200);
  const Message seen = backend.Seen();
  CHECK(seen.Target() == "/x?y=1");
  CHECK(seen.Get("x-forwarded-for") == "9.9.9.9, 127.0.0.1");
  CHECK(seen.Get("x-forwarded-proto") == "http");
  CHECK(seen.Get("x-forwarded-host") == "app.test");
  CHECK(seen.Get("x-request-start").size() == 13);
  CHECK(seen.Get("x-request-id").size() == 36);
  CHECK(seen.Get("x-vcap-request-id") == seen.Get("x-request-id"));
  CHECK(seen.Get("x-cf-instanceid") == "i-1");
  CHECK(seen.Get("x-drop").empty());
  CHECK(seen.Get("connection").empty());
  auto records = f.log.Records();
  for (int i = 0; i < 200 && records.empty(); ++i) {  // the line is written just after the response
    f.router->FlushAccessLog();
    records = f.log.Records();
    if (records.empty()) std::this_thread::sleep_for(5ms);
  }
  REQUIRE(records.size() == 1);
  CHECK(records[0].request_id == seen.Get("x-request-id"));
  CHECK(records[0].status == 200);
  CHECK(records[0].instance_id == "i-1");
  CHECK(records[0].path == "/x?y=1");
}

TEST_CASE("unknown hosts get 404 unknown_route and routes without endpoints 503 no_endpoints") {
  Fixture f;
  f.registry.ConfigureRoute(RouteKey{"empty.test", ""}, LoadBalancing::kRoundRobin);
  auto c = f.Client();
  Message m = Get(*c, "nope.test");
  CHECK(m.Status() == 404);
  CHECK(m.Get("x-wharf-router-error") == "unknown_route");
  CHECK(m.body.find("nope.test") != std::string::npos);
  Message e = Get(*c, "empty.test");  // same connection: the 404 kept it alive
  CHECK(e.Status() == 503);
  CHECK(e.Get("x-wharf-router-error") == "no_endpoints");
}

TEST_CASE("a dead endpoint is skipped: the request is retried on another instance") {
  TestBackend live(testing::NamedBackend("live"));
  Fixture f;
  f.Route("app.test", {Ep("dead", testing::DeadPort()), Ep("live", live.port())});
  auto c = f.Client();
  for (int i = 0; i < 6; ++i) {
    Message m = Get(*c, "app.test");
    CHECK(m.Status() == 200);
    CHECK(m.body == "live");
  }
  CHECK(f.router->Counters().retries >= 1);
  CHECK(f.router->Counters().retries <= 3);  // ejected after 3 failures, then left alone
}

TEST_CASE("when every endpoint is unreachable the answer is 502 endpoint_failure") {
  Fixture f;
  f.Route("app.test", {Ep("d1", testing::DeadPort()), Ep("d2", testing::DeadPort())});
  auto c = f.Client();
  Message m = Get(*c, "app.test");
  CHECK(m.Status() == 502);
  CHECK(m.Get("x-wharf-router-error") == "endpoint_failure");
}

TEST_CASE("an instance that fails mid-response gives 502 before headers, a closed connection after") {
  TestBackend garbage([](Stream& s) {
    Message m;
    if (s.ReadMessage(&m, false)) s.Write("NOT HTTP AT ALL\r\n\r\n");
  });
  TestBackend truncated([](Stream& s) {
    Message m;
    if (s.ReadMessage(&m, false)) s.Write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part");
  });
  Fixture f;
  f.Route("garbage.test", {Ep("g", garbage.port())});
  f.Route("short.test", {Ep("s", truncated.port())});
  auto c = f.Client();
  Message m = Get(*c, "garbage.test");
  CHECK(m.Status() == 502);
  auto c2 = f.Client();
  REQUIRE(c2->Write("GET / HTTP/1.1\r\nHost: short.test\r\n\r\n"));
  std::string all;
  REQUIRE(c2->ReadToEof(&all));
  CHECK(all.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(all.find("only-part") != std::string::npos);
}

TEST_CASE("an instance that does not answer in time gives 504") {
  TestBackend silent([](Stream& s) {
    Message m;
    s.ReadMessage(&m, false);
    std::string rest;
    s.ReadToEof(&rest);  // until the router gives up
  });
  RouterOptions o = TestOptions();
  o.timeouts.backend_response = 300ms;
  Fixture f(o);
  f.Route("app.test", {Ep("slow", silent.port())});
  auto c = f.Client();
  auto start = std::chrono::steady_clock::now();
  Message m = Get(*c, "app.test");
  CHECK(m.Status() == 504);
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("a stale pooled connection is retried once on a fresh one") {
  TestBackend closer([](Stream& s) {  // advertises keep-alive, then closes after one response
    Message m;
    if (s.ReadMessage(&m, false)) s.Write(testing::Response(200, "fresh"));
  });
  Fixture f;
  f.Route("app.test", {Ep("c", closer.port())});
  auto c = f.Client();
  for (int i = 0; i < 3; ++i) {
    Message m = Get(*c, "app.test");
    CHECK(m.Status() == 200);
    std::this_thread::sleep_for(20ms);  // let the backend's close arrive (a race the retry covers)
  }
  CHECK(closer.accepts() == 3);
}

// Closes `s` the way a torn-down container's socket goes: without a FIN or a reset (a socket in
// TCP repair mode closes silently; needs CAP_NET_ADMIN). The peer learns of it only by sending
// something: its next segment, here a keepalive probe, is answered with a reset.
bool CloseSilently(Stream& s) {
  int on = 1;
  if (::setsockopt(s.fd(), IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) != 0) return false;
  s.Close();
  return true;
}

bool CanCloseSilently() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  bool ok = fd >= 0 && ::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

TEST_CASE("an idempotent request whose instance closes before answering goes to another instance, a POST does not") {
  TestBackend closer([](Stream& s) {  // takes the request, then closes without a byte of an answer
    Message m;
    s.ReadMessage(&m, false);
  });
  TestBackend live(testing::NamedBackend("live"));
  Fixture f;
  f.Route("app.test", {Ep("closer", closer.port()), Ep("live", live.port())});
  auto c = f.Client();
  Message m = Get(*c, "app.test", "/", "Cookie: __VCAP_ID__=closer\r\n");  // the closer first
  CHECK(m.Status() == 200);
  CHECK(m.body == "live");
  CHECK(closer.accepts() == 1);
  auto c2 = f.Client();
  REQUIRE(c2->Write("POST / HTTP/1.1\r\nHost: app.test\r\nCookie: __VCAP_ID__=closer\r\nContent-Length: 0\r\n\r\n"));
  Message post;
  REQUIRE(c2->ReadMessage(&post, true));
  CHECK(post.Status() == 502);  // the instance may have acted on it: never sent twice
  CHECK(post.Get("x-wharf-router-error") == "endpoint_failure");
  CHECK(closer.accepts() == 2);
}

TEST_CASE("a request on an instance that vanished without a reset fails over in seconds, not at the response timeout") {
  if (!CanCloseSilently()) {
    MESSAGE("skipped: closing a socket silently (TCP_REPAIR) needs CAP_NET_ADMIN");
    return;
  }
  TestBackend vanisher([](Stream& s) {  // takes the request, then its socket vanishes without a word
    Message m;
    if (s.ReadMessage(&m, false)) CloseSilently(s);
  });
  TestBackend live(testing::NamedBackend("live"));
  RouterOptions o = TestOptions();
  o.timeouts.backend_response = 20s;
  Fixture f(o);
  f.Route("app.test", {Ep("vanisher", vanisher.port()), Ep("live", live.port())});
  f.Route("alone.test", {Ep("vanisher", vanisher.port())});
  auto c = f.Client();
  c->SetTimeout(30'000);
  auto start = std::chrono::steady_clock::now();
  Message m = Get(*c, "app.test", "/", "Cookie: __VCAP_ID__=vanisher\r\n");  // the vanisher first
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(m.Status() == 200);
  CHECK(m.body == "live");
  CHECK(took < 5s);  // a keepalive probe found the connection dead (was: 504 after backend_response)
  CHECK(vanisher.accepts() == 1);
  // With no other instance the answer is a 502, as quickly.
  auto c2 = f.Client();
  c2->SetTimeout(30'000);
  start = std::chrono::steady_clock::now();
  REQUIRE(c2->Write("GET / HTTP/1.1\r\nHost: alone.test\r\n\r\n"));
  Message alone;
  REQUIRE(c2->ReadMessage(&alone, true));
  CHECK(alone.Status() == 502);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a slow instance is not taken for a vanished one: its kernel acknowledges the keepalive probes") {
  TestBackend slow([](Stream& s) {
    Message m;
    if (!s.ReadMessage(&m, false)) return;
    std::this_thread::sleep_for(3500ms);  // well past backend_liveness, within backend_response
    s.Write(testing::Response(200, "slow but alive"));
  });
  RouterOptions o = TestOptions();
  o.timeouts.backend_liveness = 1s;
  o.timeouts.backend_response = 10s;
  Fixture f(o);
  f.Route("app.test", {Ep("slow", slow.port())});
  auto c = f.Client();
  c->SetTimeout(15'000);
  Message m = Get(*c, "app.test");
  CHECK(m.Status() == 200);
  CHECK(m.body == "slow but alive");
  CHECK(slow.accepts() == 1);
}

TEST_CASE("chunked uploads and downloads are streamed through") {
  TestBackend echo([](Stream& s) {
    Message m;
    while (s.ReadMessage(&m, false)) {
      std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
      for (std::size_t i = 0; i < m.body.size(); i += 1000) {
        std::string part = m.body.substr(i, 1000);
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", part.size());
        out += size + part + "\r\n";
      }
      out += "0\r\n\r\n";
      if (!s.Write(out)) return;
    }
  });
  Fixture f;
  f.Route("app.test", {Ep("e", echo.port())});
  auto c = f.Client();
  std::string payload;
  for (int i = 0; i < 5000; ++i) payload += static_cast<char>('a' + i % 26);
  std::string req = "POST /up HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < payload.size(); i += 777) {
    std::string part = payload.substr(i, 777);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    req += size + part + "\r\n";
  }
  req += "0\r\n\r\n";
  for (int round = 0; round < 2; ++round) {  // twice on one connection: framing ends where it should
    REQUIRE(c->Write(req.substr(0, 100)));
    std::this_thread::sleep_for(10ms);  // the rest arrives later: the router must stream it
    REQUIRE(c->Write(req.substr(100)));
    Message m;
    REQUIRE(c->ReadMessage(&m, true));
    CHECK(m.Status() == 200);
    CHECK(m.chunked);
    CHECK(m.body == payload);
  }
}

TEST_CASE("a 100 MB upload and a 100 MB download stream with bounded memory") {
  constexpr std::uint64_t kSize = 100ull * 1024 * 1024;
  TestBackend sink([&](Stream& s) {
    Message m;
    while (s.ReadMessage(&m, false)) {  // GET: sends kSize bytes; POST with body: reads it
      if (m.start_line.rfind("POST", 0) == 0) {
        s.Write(testing::Response(200, "received"));
        continue;
      }
      std::string chunk(64 * 1024, 'z');
      if (!s.Write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n")) return;
      for (std::uint64_t sent = 0; sent < kSize; sent += chunk.size()) {
        if (!s.Write(chunk)) return;
      }
    }
  });
  // The sink's POST handling above reads the whole body into memory; use a discarding one instead.
  TestBackend discard([&](Stream& s) {
    std::string line;
    Message m;
    if (!s.ReadMessage(&m, false, /*head_only=*/true)) return;
    if (!s.Discard(std::stoull(m.Get("content-length")))) return;
    s.Write(testing::Response(200, "received"));
  });
  Fixture f;
  f.Route("down.test", {Ep("d", sink.port())});
  f.Route("up.test", {Ep("u", discard.port())});
  std::uint64_t peak_before = testing::PeakRssBytes();

  auto c = f.Client();
  REQUIRE(c->Write("POST / HTTP/1.1\r\nHost: up.test\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n"));
  std::string chunk(64 * 1024, 'u');
  for (std::uint64_t sent = 0; sent < kSize; sent += chunk.size()) REQUIRE(c->Write(chunk));
  Message up;
  REQUIRE(c->ReadMessage(&up, true));
  CHECK(up.Status() == 200);
  CHECK(up.body == "received");

  REQUIRE(c->Write("GET / HTTP/1.1\r\nHost: down.test\r\n\r\n"));
  Message down;
  REQUIRE(c->ReadMessage(&down, true, /*head_only=*/true));
  CHECK(down.Status() == 200);
  REQUIRE(down.Get("content-length") == std::to_string(kSize));
  CHECK(c->Discard(kSize));

  std::uint64_t growth = testing::PeakRssBytes() - peak_before;
  MESSAGE("peak RSS growth while streaming 2 x 100 MB: " << growth / 1024 << " KiB");
  CHECK(growth < 32ull * 1024 * 1024);
}

TEST_CASE("Expect: 100-continue gets a 100 from the router before the body is sent") {
  TestBackend echo([](Stream& s) {
    Message m;
    while (s.ReadMessage(&m, false)) s.Write(testing::Response(200, m.body));
  });
  Fixture f;
  f.Route("app.test", {Ep("e", echo.port())});
  auto c = f.Client();
  REQUIRE(c->Write("PUT / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  Message interim;
  REQUIRE(c->ReadMessage(&interim, true));
  CHECK(interim.Status() == 100);
  REQUIRE(c->Write("hello"));
  Message m;
  REQUIRE(c->ReadMessage(&m, true));
  CHECK(m.Status() == 200);
  CHECK(m.body == "hello");
}

TEST_CASE("WebSocket upgrades are tunnelled both ways") {
  TestBackend ws([](Stream& s) {
    Message m;
    if (!s.ReadMessage(&m, false)) return;
    if (m.Get("upgrade") != "websocket" || m.Get("connection") != "Upgrade") {
      s.Write(testing::Response(426, "upgrade required"));
      return;
    }
    s.Write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    char buf[1024];
    for (;;) {  // raw echo
      ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
      if (n <= 0) return;
      if (!s.Write(std::string_view(buf, static_cast<std::size_t>(n)))) return;
    }
  });
  Fixture f;
  f.Route("ws.test", {Ep("w", ws.port())});
  auto c = f.Client();
  REQUIRE(c->Write("GET /chat HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
  Message m;
  REQUIRE(c->ReadMessage(&m, true));
  REQUIRE(m.Status() == 101);
  CHECK(m.Get("upgrade") == "websocket");
  for (int i = 0; i < 3; ++i) {
    std::string msg = "frame-" + std::to_string(i);
    REQUIRE(c->Write(msg));
    std::string echo;
    REQUIRE(c->ReadExact(msg.size(), &echo));
    CHECK(echo == msg);
  }
  CHECK(ws.accepts() == 1);
}

TEST_CASE("a slow client gets 408 once the whole-header deadline passes") {
  TestBackend backend(testing::NamedBackend("b"));
  Fixture f;  // header_read = 400 ms
  f.Route("app.test", {Ep("b", backend.port())});
  auto c = f.Client();
  auto start = std::chrono::steady_clock::now();
  REQUIRE(c->Write("GET / HTTP/1.1\r\n"));
  for (int i = 0; i < 6; ++i) {  // a header line every 100 ms: each read is quick, the head is not
    std::this_thread::sleep_for(100ms);
    if (!c->Write("X-Slow-" + std::to_string(i) + ": 1\r\n")) break;
  }
  std::string all;
  REQUIRE(c->ReadToEof(&all));
  CHECK(all.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - start < 1500ms);
}

TEST_CASE("oversized headers get 431 and an overlong URI 414") {
  TestBackend backend(testing::NamedBackend("b"));
  Fixture f;
  f.Route("app.test", {Ep("b", backend.port())});
  auto c = f.Client();
  REQUIRE(c->Write("GET / HTTP/1.1\r\nHost: app.test\r\nX-Big: " + std::string(40 * 1024, 'x') + "\r\n\r\n"));
  Message m;
  REQUIRE(c->ReadMessage(&m, true));
  CHECK(m.Status() == 431);
  auto c2 = f.Client();
  REQUIRE(c2->Write("GET /" + std::string(10 * 1024, 'u') + " HTTP/1.1\r\nHost: app.test\r\n\r\n"));
  Message m2;
  REQUIRE(c2->ReadMessage(&m2, true));
  CHECK(m2.Status() == 414);
  CHECK(backend.accepts() == 0);
}

TEST_CASE("removing an endpoint drains it: the request in flight finishes, new ones go elsewhere") {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  bool arrived = false;
  TestBackend slow([&](Stream& s) {
    Message m;
    while (s.ReadMessage(&m, false)) {
      std::unique_lock lock(mu);
      arrived = true;
      cv.notify_all();
      cv.wait_for(lock, 5s, [&] { return release; });
      lock.unlock();
      s.Write(testing::Response(200, "slow"));
    }
  });
  TestBackend other(testing::NamedBackend("other"));
  Fixture f;
  f.Route("app.test", {Ep("slow", slow.port())});
  auto c = f.Client();
  REQUIRE(c->Write("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n"));
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return arrived; }));
  }
  REQUIRE(f.registry.Upsert(RouteKey{"app.test", ""}, Ep("other", other.port())).ok());
  REQUIRE(f.registry.Remove(RouteKey{"app.test", ""}, "slow", {}));
  auto c2 = f.Client();
  for (int i = 0; i < 3; ++i) CHECK(Get(*c2, "app.test").body == "other");
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  Message m;
  REQUIRE(c->ReadMessage(&m, true));
  CHECK(m.Status() == 200);
  CHECK(m.body == "slow");
  CHECK(Get(*c, "app.test").body == "other");  // the drained instance's connection is not reused
}

TEST_CASE("sticky sessions: __VCAP_ID__ follows JSESSIONID and pins later requests") {
  auto session_backend = [](std::string name) {
    return [name](Stream& s) {
      Message m;
      while (s.ReadMessage(&m, false)) {
        std::string extra = m.Target() == "/login" ? "Set-Cookie: JSESSIONID=abc; Path=/; HttpOnly\r\n" : "";
        if (!s.Write(testing::Response(200, name, extra))) return;
      }
    };
  };
  TestBackend a(session_backend("a")), b(session_backend("b"));
  Fixture f;
  f.Route("app.test", {Ep("inst-a", a.port()), Ep("inst-b", b.port())});
  auto c = f.Client();
  Message login = Get(*c, "app.test", "/login");
  REQUIRE(login.Status() == 200);
  std::string vcap;
  for (const auto& v : login.All("set-cookie")) {
    if (v.rfind("__VCAP_ID__=", 0) == 0) vcap = v;
  }
  std::string instance = "inst-" + login.body;
  CHECK(vcap == "__VCAP_ID__=" + instance + "; Path=/; HttpOnly");
  for (int i = 0; i < 6; ++i) {
    Message m = Get(*c, "app.test", "/", "Cookie: JSESSIONID=abc; __VCAP_ID__=" + instance + "\r\n");
    CHECK("inst-" + m.body == instance);
    CHECK(m.All("set-cookie").empty());
  }
  REQUIRE(f.registry.Remove(RouteKey{"app.test", ""}, instance, {}));
  Message moved = Get(*c, "app.test", "/", "Cookie: __VCAP_ID__=" + instance + "\r\n");
  CHECK(moved.Status() == 200);
  CHECK("inst-" + moved.body != instance);
  CHECK(moved.All("set-cookie").empty());  // no new __VCAP_ID__ until the app sets a new session
}

TEST_CASE("the connection limit answers 503 when no connection is idle, and the admin port serves metrics") {
  TestBackend backend(testing::NamedBackend("b"));
  RouterOptions o = TestOptions();
  o.max_connections = 1;
  o.timeouts.header_read = 5s;
  Fixture f(o);
  f.Route("app.test", {Ep("b", backend.port())});
  auto first = f.Client();
  CHECK(Get(*first, "app.test").Status() == 200);
  REQUIRE(first->Write("GET / HTTP/1.1\r\n"));  // a request under way: not idle, never evicted
  std::this_thread::sleep_for(100ms);
  auto second = f.Client();
  std::string all;
  REQUIRE(second->ReadToEof(&all));
  CHECK(all.rfind("HTTP/1.1 503", 0) == 0);
  REQUIRE(first->Write("Host: app.test\r\n\r\n"));  // the first one was left alone
  Message m1;
  REQUIRE(first->ReadMessage(&m1, true));
  CHECK(m1.Status() == 200);
  first->Close();

  // A request is counted once its response has been relayed, which may be just after the client read
  // it: ask until it shows (a loaded machine once answered the metrics in between).
  const std::string served = "wharf_router_route_requests_total{route=\"app.test\",status_class=\"2xx\"} 2";
  Message m;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  do {
    auto admin = Connect(*f.router->admin_port());
    REQUIRE(admin != nullptr);
    REQUIRE(admin->Write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    m = Message{};
    REQUIRE(admin->ReadMessage(&m, true));
    CHECK(m.Status() == 200);
    if (m.body.find(served) != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(m.body.find(served) != std::string::npos);
  CHECK(m.body.find("wharf_router_connections_rejected_total 1") != std::string::npos);
}

TEST_CASE("a malformed head is a bad_request, not an empty_host, a head without a host is empty_host") {
  TestBackend backend(testing::NamedBackend("b"));
  Fixture f;
  f.Route("app.test", {Ep("b", backend.port())});
  auto c = f.Client();
  REQUIRE(c->Write("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\nHost: app.test\r\n\r\n"));
  Message m;
  REQUIRE(c->ReadMessage(&m, true));
  CHECK(m.Status() == 400);
  CHECK(m.Get("x-wharf-router-error") == "bad_request");
  auto c2 = f.Client();
  REQUIRE(c2->Write("GET / HTTP/1.1\r\n\r\n"));
  Message m2;
  REQUIRE(c2->ReadMessage(&m2, true));
  CHECK(m2.Status() == 400);
  CHECK(m2.Get("x-wharf-router-error") == "empty_host");
  auto c3 = f.Client();  // absolute form: routed by its authority whatever Host says
  REQUIRE(c3->Write("GET http://app.test/ HTTP/1.1\r\nHost: nowhere.test\r\n\r\n"));
  Message m3;
  REQUIRE(c3->ReadMessage(&m3, true));
  CHECK(m3.Status() == 200);
  CHECK(m3.body == "b");
}

TEST_CASE("a taken admin port fails Start with a status, at once (no abort, no drain wait)") {
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(holder >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(holder, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  RouterOptions o = TestOptions();
  o.admin_port = ntohs(addr.sin_port);
  SystemClock clock;
  RouteRegistry registry(o.threads + 1);
  auto start = std::chrono::steady_clock::now();
  auto r = Router::Start(o, registry, clock, nullptr);
  CHECK_FALSE(r.ok());
  CHECK(r.status().message().find("admin port") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  ::close(holder);
}

TEST_CASE("at the connection limit a new connection takes the place of the longest-idle one") {
  TestBackend backend(testing::NamedBackend("b"));
  RouterOptions o = TestOptions();
  o.threads = 1;  // the limit is shared, eviction is per event loop: one loop holds them all
  o.max_connections = 3;
  o.timeouts.first_byte = 10s;
  Fixture f(o);
  f.Route("app.test", {Ep("b", backend.port())});
  // Three idle connections: two that never sent a byte, one kept alive after a request.
  auto silent1 = f.Client();
  std::this_thread::sleep_for(50ms);
  auto kept = f.Client();
  CHECK(Get(*kept, "app.test").Status() == 200);
  std::this_thread::sleep_for(50ms);
  auto silent2 = f.Client();
  std::this_thread::sleep_for(50ms);
  // A fourth is served: the one idle the longest (silent1) is closed without an answer.
  auto fourth = f.Client();
  CHECK(Get(*fourth, "app.test").Status() == 200);
  silent1->SetTimeout(2000);
  std::string got;
  REQUIRE(silent1->ReadToEof(&got));
  CHECK(got.empty());
  // A fifth: next in line is the kept-alive one (idle since its request, before silent2 came).
  auto fifth = f.Client();
  CHECK(Get(*fifth, "app.test").Status() == 200);
  kept->SetTimeout(2000);
  REQUIRE(kept->ReadToEof(&got));
  CHECK(got.empty());
  CHECK(Get(*silent2, "app.test").Status() == 200);  // still open, and served
  auto c = f.router->Counters();
  CHECK(c.connections_evicted == 2);
  CHECK(c.connections_rejected == 0);
}

TEST_CASE("a connection that sends no byte is closed at the first-byte deadline, a kept-alive one waits longer") {
  TestBackend backend(testing::NamedBackend("b"));
  RouterOptions o = TestOptions();
  o.timeouts.first_byte = 300ms;
  o.timeouts.keep_alive_idle = 5s;
  Fixture f(o);
  f.Route("app.test", {Ep("b", backend.port())});
  auto silent = f.Client();
  auto used = f.Client();
  CHECK(Get(*used, "app.test").Status() == 200);
  auto start = std::chrono::steady_clock::now();
  silent->SetTimeout(3000);
  std::string got;
  REQUIRE(silent->ReadToEof(&got));
  CHECK(got.empty());  // closed without an answer, as nothing was asked
  CHECK(std::chrono::steady_clock::now() - start < 2500ms);
  std::this_thread::sleep_for(300ms);  // past the first-byte deadline, well within keep_alive_idle
  CHECK(Get(*used, "app.test").Status() == 200);
}

}  // namespace
}  // namespace wharf::router

