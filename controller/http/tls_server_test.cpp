#include "controller/http/tls_server.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <doctest/doctest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/file_io.h"
#include "common/net/tls_test_cert.h"
#include "common/time/clock.h"
#include "controller/daemon/daemon.h"
#include "controller/http/head_gate.h"
#include "controller/platform/test_support.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// A certificate for 127.0.0.1 written to cert.pem and key.pem in a temporary folder.
struct PairFiles {
  TempDir dir;
  std::filesystem::path cert = dir / "cert.pem";
  std::filesystem::path key = dir / "key.pem";
  wharf::testing::TestCertificate pem = wharf::testing::MakeSelfSignedCertificate("127.0.0.1", {"localhost"});
  PairFiles() {
    REQUIRE(WriteFileAtomic(cert, pem.cert_pem, 0644).ok());
    REQUIRE(WriteFileAtomic(key, pem.key_pem, 0600).ok());
  }
};

TEST_CASE("TlsServerContext loads a matching pair and names the file and the problem otherwise") {
  PairFiles files;
  CHECK(TlsServerContext::Load(files.cert, files.key).ok());

  Status missing = TlsServerContext::Load(files.dir / "none.pem", files.key).status();
  CHECK(missing.code() == StatusCode::kInvalidArgument);
  CHECK(missing.message().find("--api-tls-cert " + (files.dir / "none.pem").string() + ": ") == 0);

  REQUIRE(WriteFileAtomic(files.dir / "garbage.pem", "not a certificate\n", 0644).ok());
  Status garbage = TlsServerContext::Load(files.dir / "garbage.pem", files.key).status();
  CHECK(garbage.message().find("--api-tls-cert " + (files.dir / "garbage.pem").string() + ": ") == 0);

  Status key_as_cert = TlsServerContext::Load(files.cert, files.cert).status();
  CHECK(key_as_cert.message().find("--api-tls-key " + files.cert.string() + ": ") == 0);

  auto other = wharf::testing::MakeSelfSignedCertificate("other", {});
  REQUIRE(WriteFileAtomic(files.dir / "other-key.pem", other.key_pem, 0600).ok());
  Status mismatch = TlsServerContext::Load(files.cert, files.dir / "other-key.pem").status();
  CHECK(mismatch.code() == StatusCode::kInvalidArgument);
  CHECK(mismatch.message().find("does not belong to the certificate " + files.cert.string()) != std::string::npos);
}

// A TLS client on a blocking socket (OpenSSL directly), trusting nothing in particular.
struct TlsClient {
  Poco::Net::StreamSocket socket;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = nullptr;

  explicit TlsClient(const Poco::Net::SocketAddress& to) : socket(to) {
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, socket.impl()->sockfd());
  }
  ~TlsClient() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  bool Handshake() { return SSL_connect(ssl) == 1; }
  void Send(const std::string& text) { REQUIRE(SSL_write(ssl, text.data(), static_cast<int>(text.size())) > 0); }
  std::string ReadAll() {
    std::string out;
    char buf[512];
    int n = 0;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ERR_clear_error();
    return out;
  }
};

// Whether the server closed `socket` (a read returns 0 or fails) within the receive timeout.
bool ClosedByServer(Poco::Net::StreamSocket& socket) {
  char buf[256];
  try {
    while (true) {
      int n = socket.receiveBytes(buf, sizeof buf);
      if (n <= 0) return true;
    }
  } catch (const Poco::TimeoutException&) {
    return false;
  } catch (const Poco::Exception&) {
    return true;
  }
}

struct TlsGateFixture {
  PairFiles files;
  Poco::Net::ServerSocket listener{Poco::Net::SocketAddress("127.0.0.1", 0)};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Poco::Net::StreamSocket> handed;
  std::unique_ptr<HeadGate> gate;

  explicit TlsGateFixture(HeadGateOptions options) {
    std::signal(SIGPIPE, SIG_IGN);
    auto tls = TlsServerContext::Load(files.cert, files.key);
    REQUIRE(tls.ok());
    options.tls = *tls;
    gate = std::make_unique<HeadGate>(listener.impl()->sockfd(), options, [this](const Poco::Net::StreamSocket& s) {
      std::lock_guard lock(mu);
      handed.push_back(s);
      cv.notify_all();
    });
    REQUIRE(gate->Start().ok());
  }
  ~TlsGateFixture() { gate->Stop(); }

  bool WaitHanded(std::size_t n, std::chrono::milliseconds within) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, within, [&] { return handed.size() >= n; });
  }
  std::size_t HandedCount() {
    std::lock_guard lock(mu);
    return handed.size();
  }
};

TEST_CASE("HeadGate with TLS hands over a connection once its decrypted head arrived, and the head is read first") {
  TlsGateFixture f({});
  TlsClient client(f.listener.address());
  REQUIRE(client.Handshake());
  std::string part1 = "POST /v1/x HTTP/1.1\r\nHost: a\r\n";
  client.Send(part1);  // one TLS record
  CHECK_FALSE(f.WaitHanded(1, 200ms));  // half a head: still at the gate
  std::string part2 = "Content-Length: 2\r\n\r\n";
  client.Send(part2);
  REQUIRE(f.WaitHanded(1, 5s));
  client.Send("{}");  // the body after the hand-over: read through the SSL object

  Poco::Net::StreamSocket server = f.handed[0];
  CHECK(server.secure());
  server.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string got;
  char buf[256];
  while (got.size() < part1.size() + part2.size() + 2) {
    int n = server.receiveBytes(buf, sizeof buf);
    REQUIRE(n > 0);
    got.append(buf, static_cast<std::size_t>(n));
  }
  CHECK(got == part1 + part2 + "{}");
  std::string answer = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
  CHECK(server.sendBytes(answer.data(), static_cast<int>(answer.size())) == static_cast<int>(answer.size()));
  server.shutdown();
  server.close();
  CHECK(client.ReadAll() == answer);
}

TEST_CASE("HeadGate with TLS: a receive on the handed socket times out as Poco's sockets do") {
  TlsGateFixture f({});
  TlsClient client(f.listener.address());
  REQUIRE(client.Handshake());
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(f.WaitHanded(1, 5s));
  Poco::Net::StreamSocket server = f.handed[0];
  server.setReceiveTimeout(Poco::Timespan(0, 200'000));
  char buf[256];
  int n = server.receiveBytes(buf, sizeof buf);  // the kept head
  CHECK(n > 0);
  CHECK_THROWS_AS(server.receiveBytes(buf, sizeof buf), Poco::TimeoutException);
}

TEST_CASE("HeadGate with TLS drops clients that never finish the handshake or the head, within the deadline") {
  HeadGateOptions options;
  options.limits.deadline = 300ms;
  TlsGateFixture f(options);
  auto t0 = std::chrono::steady_clock::now();
  // Connects and sends nothing at all.
  Poco::Net::StreamSocket silent(f.listener.address());
  silent.setReceiveTimeout(Poco::Timespan(5, 0));
  // Starts a ClientHello and never finishes it.
  Poco::Net::StreamSocket half_hello(f.listener.address());
  half_hello.setReceiveTimeout(Poco::Timespan(5, 0));
  const char record_start[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
  half_hello.sendBytes(record_start, sizeof record_start);
  // Finishes the handshake, then trickles header lines and never ends the head.
  TlsClient trickler(f.listener.address());
  REQUIRE(trickler.Handshake());
  for (int i = 0; i < 4; ++i) {
    std::string line = "X-Slow-" + std::to_string(i) + ": 1\r\n";
    if (SSL_write(trickler.ssl, line.data(), static_cast<int>(line.size())) <= 0) break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(ClosedByServer(silent));
  CHECK(ClosedByServer(half_hello));
  CHECK(trickler.ReadAll().rfind("HTTP/1.1 408 ", 0) == 0);  // told why, over TLS
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK(f.HandedCount() == 0);
  CHECK(f.gate->dropped() == 3);
}

TEST_CASE("HeadGate with TLS over its pending limit drops the oldest stalled handshake and a prompt client gets through") {
  HeadGateOptions options;
  options.limits.max_per_peer = 4;
  TlsGateFixture f(options);
  std::vector<Poco::Net::StreamSocket> stalled;
  for (int i = 0; i < 4; ++i) {
    stalled.emplace_back(f.listener.address());
    stalled.back().setReceiveTimeout(Poco::Timespan(5, 0));
  }
  std::this_thread::sleep_for(100ms);  // accepted in this order
  TlsClient prompt(f.listener.address());
  REQUIRE(prompt.Handshake());
  prompt.Send("GET /v1/apps HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(f.WaitHanded(1, 5s));
  CHECK(ClosedByServer(stalled[0]));
  CHECK(f.gate->dropped() >= 1);
}

TEST_CASE("HeadGate with TLS closes a client that speaks plain HTTP") {
  TlsGateFixture f({});
  Poco::Net::StreamSocket plain(f.listener.address());
  plain.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string head = "GET /v1/info HTTP/1.1\r\nHost: a\r\n\r\n";
  plain.sendBytes(head.data(), static_cast<int>(head.size()));
  CHECK(ClosedByServer(plain));
  CHECK(f.HandedCount() == 0);
}

TEST_CASE("wharfd's API starts over TLS with a good pair, and not at all with a bad one, naming the file") {
  PairFiles files;
  TempDir data;
  Config config;
  config.data_dir = data / "data";
  config.stacks_dir = data / "stacks";
  config.api_port = 0;
  config.roles = {"api"};
  config.api_tls_cert = files.cert;
  config.api_tls_key = files.dir / "none.pem";
  SystemClock clock;
  auto refused = Daemon::Start(config, clock);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("--api-tls-key " + (files.dir / "none.pem").string() + ": ") == 0);
  CHECK_FALSE(std::filesystem::exists(config.data_dir));  // checked before anything was made

  config.api_tls_key = files.key;
  auto started = Daemon::Start(config, clock);
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  const std::string url = (*started)->platform().api_url;
  CHECK(url == "https://127.0.0.1:" + std::to_string((*started)->api_port()));
  auto written = ReadFile(config.data_dir / "api-url");
  REQUIRE(written.ok());
  CHECK(*written == url + "\n");
  // A TLS client gets an answer; plain HTTP does not.
  TlsClient client(Poco::Net::SocketAddress("127.0.0.1", (*started)->api_port()));
  REQUIRE(client.Handshake());
  client.Send("GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string answer = client.ReadAll();
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(answer.find("api_version") != std::string::npos);
  (*started)->Stop();
}

}  // namespace
}  // namespace wharf::controller
