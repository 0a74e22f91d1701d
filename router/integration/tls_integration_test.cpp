// HTTPS through the real router: a TLS listener whose certificate SNI picks per domain,
// certificates made at test time, plain HTTP redirected or refused per domain, WebSocket over
// TLS. The client is OpenSSL with blocking sockets (independent of the router's Asio code).
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "common/net/tls_test_cert.h"
#include "common/time/clock.h"
#include "router/router.h"
#include "test_backend.h"

namespace wharf::router {
namespace {

using namespace std::chrono_literals;
using testing::Message;
using testing::RecordingBackend;
using testing::Stream;
using testing::TestBackend;

// A blocking TLS client connection with SNI `sni` (empty: none); verifies nothing itself, the
// tests look at the peer certificate.
class TlsClient {
 public:
  TlsClient(std::uint16_t port, const std::string& sni) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    if (!sni.empty()) SSL_set_tlsext_host_name(ssl_, sni.c_str());
    handshake_ok_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }
  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  bool handshake_ok() const { return handshake_ok_; }
  // The peer certificate's subject CN.
  std::string PeerCn() {
    X509* x = SSL_get1_peer_certificate(ssl_);
    if (x == nullptr) return "";
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
    X509_free(x);
    return cn;
  }
  bool Write(std::string_view d) { return SSL_write(ssl_, d.data(), static_cast<int>(d.size())) == static_cast<int>(d.size()); }
  bool ReadExact(std::size_t n, std::string* out) {
    while (buf_.size() < n && Fill()) {
    }
    if (buf_.size() < n) return false;
    *out = buf_.substr(0, n);
    buf_.erase(0, n);
    return true;
  }
  // A response head and its Content-Length body.
  bool ReadResponse(Message* m) {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    *m = Message{};
    std::size_t pos = head.find("\r\n");
    m->start_line = head.substr(0, pos);
    while (pos != std::string::npos) {
      std::size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        m->fields.emplace_back(name, value);
      }
      pos = next;
    }
    std::string cl = m->Get("content-length");
    if (!cl.empty()) return ReadExact(std::stoul(cl), &m->body);
    return true;
  }

 private:
  bool Fill() {
    char b[4096];
    int n = SSL_read(ssl_, b, sizeof b);
    if (n <= 0) return false;
    buf_.append(b, static_cast<std::size_t>(n));
    return true;
  }
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshake_ok_ = false;
  std::string buf_;
};

Endpoint Ep(std::string id, std::uint16_t port) {
  Endpoint e;
  e.instance_id = std::move(id);
  e.app_guid = "app-1";
  e.host = "127.0.0.1";
  e.port = port;
  return e;
}

struct TlsFixture {
  TlsFixture() : registry(3), store(std::make_shared<TlsCertificateStore>()) {
    RouterOptions o;
    o.listen_address = "127.0.0.1";
    o.port = 0;
    o.tls_port = 0;
    o.threads = 2;
    o.timeouts.drain = 2s;
    o.certificates = store;
    auto r = Router::Start(o, registry, clock, nullptr);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    router = std::move(*r);
  }
  void Route(const std::string& uri, const Endpoint& e) {
    auto key = ParseRouteUri(uri);
    REQUIRE(key.ok());
    registry.ConfigureRoute(*key, LoadBalancing::kRoundRobin);
    REQUIRE(registry.Upsert(*key, e).ok());
  }
  SystemClock clock;
  RouteRegistry registry;
  std::shared_ptr<TlsCertificateStore> store;
  std::unique_ptr<Router> router;
};

TEST_CASE("TLS: SNI picks each domain's certificate and the instance sees X-Forwarded-Proto https") {
  RecordingBackend backend([](const Message& m) { return "hello " + m.Get("host"); });
  TlsFixture f;
  auto a = wharf::testing::MakeSelfSignedCertificate("cert-a", {"*.a.test"});
  auto b = wharf::testing::MakeSelfSignedCertificate("cert-b", {"b.test", "*.b.test"});
  REQUIRE(f.store->Replace({{"a.test", a.cert_pem, a.key_pem, HttpPolicy::kRedirect},
                            {"b.test", b.cert_pem, b.key_pem, HttpPolicy::kRefuse}})
              .ok());
  f.Route("app.a.test", Ep("i-a", backend.port()));
  f.Route("app.b.test", Ep("i-b", backend.port()));
  REQUIRE(f.router->tls_port().has_value());
  const std::uint16_t tls_port = *f.router->tls_port();

  TlsClient ca(tls_port, "app.a.test");
  REQUIRE(ca.handshake_ok());
  CHECK(ca.PeerCn() == "cert-a");
  REQUIRE(ca.Write("GET /x HTTP/1.1\r\nHost: app.a.test\r\nX-Forwarded-Proto: http\r\n\r\n"));
  Message m;
  REQUIRE(ca.ReadResponse(&m));
  CHECK(m.Status() == 200);
  CHECK(m.body == "hello app.a.test");
  {
    const Message seen = backend.Seen();
    CHECK(seen.Get("x-forwarded-proto") == "https");  // the client's own value is replaced
    CHECK(seen.All("x-forwarded-proto").size() == 1);
  }
  // Keep-alive over TLS.
  REQUIRE(ca.Write("GET /y HTTP/1.1\r\nHost: app.a.test\r\n\r\n"));
  REQUIRE(ca.ReadResponse(&m));
  CHECK(m.Status() == 200);

  TlsClient cb(tls_port, "app.b.test");
  REQUIRE(cb.handshake_ok());
  CHECK(cb.PeerCn() == "cert-b");
  TlsClient cb_exact(tls_port, "b.test");
  REQUIRE(cb_exact.handshake_ok());
  CHECK(cb_exact.PeerCn() == "cert-b");

  // A host no certificate names, no SNI, and a wildcard two labels deep: no handshake.
  CHECK_FALSE(TlsClient(tls_port, "app.c.test").handshake_ok());
  CHECK_FALSE(TlsClient(tls_port, "").handshake_ok());
  CHECK_FALSE(TlsClient(tls_port, "x.app.a.test").handshake_ok());
  CHECK_FALSE(TlsClient(tls_port, "a.test").handshake_ok());  // *.a.test does not cover a.test
}

TEST_CASE("TLS: a tenant's certificate naming another domain is never served for it") {
  TestBackend backend(testing::NamedBackend("v"));
  TlsFixture f;
  auto victim = wharf::testing::MakeSelfSignedCertificate("victim", {"*.victim.test"});
  auto evil = wharf::testing::MakeSelfSignedCertificate("evil", {"*.evil.test", "*.victim.test", "victim.test"});
  REQUIRE(f.store->Replace({{"evil.test", evil.cert_pem, evil.key_pem, HttpPolicy::kAllow},
                            {"victim.test", victim.cert_pem, victim.key_pem, HttpPolicy::kAllow}})
              .ok());
  TlsClient v(*f.router->tls_port(), "www.victim.test");
  REQUIRE(v.handshake_ok());
  CHECK(v.PeerCn() == "victim");
  CHECK_FALSE(TlsClient(*f.router->tls_port(), "victim.test").handshake_ok());
  TlsClient e(*f.router->tls_port(), "www.evil.test");
  REQUIRE(e.handshake_ok());
  CHECK(e.PeerCn() == "evil");
}

TEST_CASE("TLS: a replaced certificate is used by the next handshake without a restart") {
  TlsFixture f;
  auto one = wharf::testing::MakeSelfSignedCertificate("one", {"*.a.test"});
  auto two = wharf::testing::MakeSelfSignedCertificate("two", {"*.a.test"});
  REQUIRE(f.store->Replace({{"a.test", one.cert_pem, one.key_pem, HttpPolicy::kRedirect}}).ok());
  TlsClient c1(*f.router->tls_port(), "x.a.test");
  REQUIRE(c1.handshake_ok());
  CHECK(c1.PeerCn() == "one");
  REQUIRE(f.store->Replace({{"a.test", two.cert_pem, two.key_pem, HttpPolicy::kRedirect}}).ok());
  TlsClient c2(*f.router->tls_port(), "x.a.test");
  REQUIRE(c2.handshake_ok());
  CHECK(c2.PeerCn() == "two");
  REQUIRE(f.store->Replace({}).ok());
  CHECK_FALSE(TlsClient(*f.router->tls_port(), "x.a.test").handshake_ok());
}

TEST_CASE("TLS: plain HTTP to a domain with a certificate is redirected, refused or allowed per domain") {
  RecordingBackend backend("plain");
  TlsFixture f;
  auto a = wharf::testing::MakeSelfSignedCertificate("a", {"*.a.test"});
  auto b = wharf::testing::MakeSelfSignedCertificate("b", {"*.b.test"});
  auto c = wharf::testing::MakeSelfSignedCertificate("c", {"*.c.test"});
  REQUIRE(f.store->Replace({{"a.test", a.cert_pem, a.key_pem, HttpPolicy::kRedirect},
                            {"b.test", b.cert_pem, b.key_pem, HttpPolicy::kRefuse},
                            {"c.test", c.cert_pem, c.key_pem, HttpPolicy::kAllow}})
              .ok());
  f.Route("app.a.test", Ep("a", backend.port()));
  f.Route("app.b.test", Ep("b", backend.port()));
  f.Route("app.c.test", Ep("c", backend.port()));
  f.Route("app.d.test", Ep("d", backend.port()));
  auto s = testing::Connect(f.router->port());
  REQUIRE(s != nullptr);
  REQUIRE(s->Write("GET /p/q?x=1 HTTP/1.1\r\nHost: app.a.test\r\n\r\n"));
  Message m;
  REQUIRE(s->ReadMessage(&m, true));
  CHECK(m.Status() == 301);
  CHECK(m.Get("location") == "https://app.a.test:" + std::to_string(*f.router->tls_port()) + "/p/q?x=1");
  // The same connection goes on (no body was sent): refused.
  REQUIRE(s->Write("GET / HTTP/1.1\r\nHost: App.B.test\r\n\r\n"));
  REQUIRE(s->ReadMessage(&m, true));
  CHECK(m.Status() == 403);
  CHECK(m.body.find("HTTPS only") != std::string::npos);
  REQUIRE(s->Write("GET / HTTP/1.1\r\nHost: app.c.test\r\nX-Forwarded-Proto: https\r\n\r\n"));
  REQUIRE(s->ReadMessage(&m, true));
  CHECK(m.Status() == 200);
  CHECK(backend.Seen().Get("x-forwarded-proto") == "http");  // a client cannot claim https
  REQUIRE(s->Write("GET / HTTP/1.1\r\nHost: app.d.test\r\n\r\n"));  // no certificate
  REQUIRE(s->ReadMessage(&m, true));
  CHECK(m.Status() == 200);
}

TEST_CASE("TLS: WebSocket upgrades are tunnelled over TLS") {
  TestBackend ws([](Stream& s) {
    Message m;
    if (!s.ReadMessage(&m, false)) return;
    if (m.Get("upgrade") != "websocket" || m.Get("x-forwarded-proto") != "https") {
      s.Write(testing::Response(426, "upgrade required"));
      return;
    }
    s.Write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    char buf[1024];
    for (;;) {
      ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
      if (n <= 0) return;
      if (!s.Write(std::string_view(buf, static_cast<std::size_t>(n)))) return;
    }
  });
  TlsFixture f;
  auto a = wharf::testing::MakeSelfSignedCertificate("a", {"*.a.test"});
  REQUIRE(f.store->Replace({{"a.test", a.cert_pem, a.key_pem, HttpPolicy::kRedirect}}).ok());
  f.Route("ws.a.test", Ep("w", ws.port()));
  TlsClient c(*f.router->tls_port(), "ws.a.test");
  REQUIRE(c.handshake_ok());
  REQUIRE(c.Write("GET /chat HTTP/1.1\r\nHost: ws.a.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
  Message m;
  REQUIRE(c.ReadResponse(&m));
  REQUIRE(m.Status() == 101);
  for (int i = 0; i < 3; ++i) {
    std::string msg = "frame-" + std::to_string(i);
    REQUIRE(c.Write(msg));
    std::string echo;
    REQUIRE(c.ReadExact(msg.size(), &echo));
    CHECK(echo == msg);
  }
}

}  // namespace
}  // namespace wharf::router
