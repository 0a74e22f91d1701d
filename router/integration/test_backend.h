// Test-only HTTP/1.1 backends and clients on 127.0.0.1 written with plain blocking sockets,
// so the integration tests exercise the router against independent code.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wharf::router::testing {

struct Message {
  std::string start_line;                        // "GET / HTTP/1.1" or "HTTP/1.1 200 OK"
  std::vector<std::pair<std::string, std::string>> fields;  // names lowercased
  std::string body;                              // de-chunked
  bool chunked = false;

  std::string Get(std::string_view name) const;  // first value or ""
  std::vector<std::string> All(std::string_view name) const;
  int Status() const;                             // responses
  std::string Target() const;                     // requests
};

// One accepted or connected socket with a read buffer.
class Stream {
 public:
  explicit Stream(int fd);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int fd() const { return fd_; }
  bool Write(std::string_view data);
  // Reads one message head and body. `expect_body_until_close` for responses without framing;
  // `head_only` for HEAD responses. Returns false on EOF, error or timeout.
  bool ReadMessage(Message* m, bool is_response, bool head_only = false);
  // Reads exactly n bytes (or fails).
  bool ReadExact(std::size_t n, std::string* out);
  // Reads until the peer closes; returns false on timeout.
  bool ReadToEof(std::string* out);
  // Reads and discards `n` bytes in small pieces (bounded memory).
  bool Discard(std::uint64_t n);
  void SetTimeout(int ms);
  void Close();

 private:
  bool Fill();
  bool ReadLine(std::string* line);
  int fd_;
  std::string buf_;
};

// A server on 127.0.0.1:0 that runs `handler` for each accepted connection on its own thread.
class TestBackend {
 public:
  using Handler = std::function<void(Stream&)>;
  explicit TestBackend(Handler handler);
  ~TestBackend();
  std::uint16_t port() const { return port_; }
  int accepts() const { return accepts_.load(); }
  void Stop();

 private:
  void AcceptLoop();
  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> accepts_{0};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> conns_;
  std::vector<int> fds_;
};

// Answers every request with 200 and body `name` (keep-alive), plus X-Backend: name.
TestBackend::Handler NamedBackend(std::string name);

// A backend that answers every request with 200 and the body `body` makes of it (keep-alive),
// keeping the last request it saw.
class RecordingBackend {
 public:
  using Body = std::function<std::string(const Message&)>;
  explicit RecordingBackend(Body body);
  explicit RecordingBackend(std::string body);  // the same body for every request
  std::uint16_t port() const { return backend_.port(); }
  Message Seen() const;  // a copy of the last request (empty before the first)

 private:
  mutable std::mutex mu_;
  Message seen_;
  TestBackend backend_;  // last: stopped before the request it records goes
};
std::string Response(int status, std::string_view body, std::string_view extra_fields = "");

// Connects to 127.0.0.1:port; returns null on failure.
std::unique_ptr<Stream> Connect(std::uint16_t port);
// A port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t DeadPort();
// Resident set size and its peak of this process, in bytes (from /proc/self/status).
std::uint64_t RssBytes();
std::uint64_t PeakRssBytes();

}  // namespace wharf::router::testing
