#include "controller/http/head_gate.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;

TEST_CASE("InspectHead finds the end of a request head and its size limit") {
  CHECK(InspectHead("GET / HTTP/1.1\r\nHost: a\r\n", 100) == HeadState::kIncomplete);
  CHECK(InspectHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 100) == HeadState::kComplete);
  CHECK(InspectHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n{\"body\":1}", 100) == HeadState::kComplete);
  CHECK(InspectHead("GET / HTTP/1.1\nHost: a\n\n", 100) == HeadState::kComplete);
  CHECK(InspectHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 10) == HeadState::kTooLarge);
  CHECK(InspectHead(std::string(101, 'x'), 100) == HeadState::kTooLarge);
  CHECK(InspectHead(std::string(100, 'x'), 100) == HeadState::kIncomplete);
}

// A gate on a real loopback socket whose hand-offs are collected.
struct GateFixture {
  Poco::Net::ServerSocket listener{Poco::Net::SocketAddress("127.0.0.1", 0)};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Poco::Net::StreamSocket> handed;
  HeadGate gate;

  explicit GateFixture(HeadGateOptions options)
      : gate(listener.impl()->sockfd(), options, [this](const Poco::Net::StreamSocket& s) {
          std::lock_guard lock(mu);
          handed.push_back(s);
          cv.notify_all();
        }) {
    REQUIRE(gate.Start().ok());
  }
  ~GateFixture() { gate.Stop(); }

  Poco::Net::StreamSocket Connect() {
    Poco::Net::StreamSocket s(listener.address());
    s.setReceiveTimeout(Poco::Timespan(5, 0));
    return s;
  }
  bool WaitHanded(std::size_t n, std::chrono::milliseconds within) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, within, [&] { return handed.size() >= n; });
  }
  std::size_t HandedCount() {
    std::lock_guard lock(mu);
    return handed.size();
  }
};

std::string ReadAll(Poco::Net::StreamSocket& s) {
  std::string out;
  char buf[512];
  while (true) {
    int n = 0;
    try {
      n = s.receiveBytes(buf, sizeof buf);
    } catch (const Poco::Exception&) {
      break;
    }
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST_CASE("HeadGate hands over a connection once its head arrived, with every byte still unread") {
  GateFixture f({});
  Poco::Net::StreamSocket client = f.Connect();
  std::string part1 = "POST /v1/x HTTP/1.1\r\nHost: a\r\n";
  client.sendBytes(part1.data(), static_cast<int>(part1.size()));
  CHECK_FALSE(f.WaitHanded(1, 200ms));  // half a head: still at the gate
  std::string part2 = "Content-Length: 2\r\n\r\n{}";
  client.sendBytes(part2.data(), static_cast<int>(part2.size()));
  REQUIRE(f.WaitHanded(1, 5s));
  Poco::Net::StreamSocket server = f.handed[0];
  server.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string got;
  char buf[256];
  while (got.size() < part1.size() + part2.size()) {
    int n = server.receiveBytes(buf, sizeof buf);
    REQUIRE(n > 0);
    got.append(buf, static_cast<std::size_t>(n));
  }
  CHECK(got == part1 + part2);
  CHECK(server.getBlocking());
}

TEST_CASE("HeadGate drops a connection whose head does not arrive in time, with 408") {
  HeadGateOptions options;
  options.limits.deadline = 300ms;
  GateFixture f(options);
  Poco::Net::StreamSocket silent = f.Connect();
  Poco::Net::StreamSocket trickler = f.Connect();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {  // a header line every 100 ms: never a whole head
    std::string line = "X-Slow-" + std::to_string(i) + ": 1\r\n";
    try {
      trickler.sendBytes(line.data(), static_cast<int>(line.size()));
    } catch (const Poco::Exception&) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  CHECK(ReadAll(silent).rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(ReadAll(trickler).rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK(f.HandedCount() == 0);
  CHECK(f.gate.dropped() == 2);
}

TEST_CASE("HeadGate answers 431 to a head over the size limit") {
  HeadGateOptions options;
  options.max_head_bytes = 1024;
  GateFixture f(options);
  Poco::Net::StreamSocket client = f.Connect();
  std::string head = "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  client.sendBytes(head.data(), static_cast<int>(head.size()));
  CHECK(ReadAll(client).rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK(f.HandedCount() == 0);
}

TEST_CASE("HeadGate over its pending limit drops the oldest waiting connection, and a prompt client gets through") {
  HeadGateOptions options;
  options.limits.max_per_peer = 4;
  GateFixture f(options);
  std::vector<Poco::Net::StreamSocket> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(f.Connect());
  std::this_thread::sleep_for(100ms);  // accepted in this order
  Poco::Net::StreamSocket prompt = f.Connect();
  std::string head = "GET /v1/apps HTTP/1.1\r\nHost: a\r\n\r\n";
  prompt.sendBytes(head.data(), static_cast<int>(head.size()));
  REQUIRE(f.WaitHanded(1, 5s));
  CHECK(ReadAll(idle[0]).rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(f.gate.dropped() == 1);
}

}  // namespace
}  // namespace wharf::controller
