#include "test_backend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>

namespace wharf::router::testing {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::uint64_t ProcStatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoull(line.substr(std::strlen(key))) * 1024;
  }
  return 0;
}

}  // namespace

std::string Message::Get(std::string_view name) const {
  for (const auto& [k, v] : fields) {
    if (k == Lower(std::string(name))) return v;
  }
  return "";
}

std::vector<std::string> Message::All(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields) {
    if (k == Lower(std::string(name))) out.push_back(v);
  }
  return out;
}

int Message::Status() const { return start_line.size() >= 12 ? std::stoi(start_line.substr(9, 3)) : 0; }

std::string Message::Target() const {
  auto a = start_line.find(' ');
  auto b = start_line.rfind(' ');
  return start_line.substr(a + 1, b - a - 1);
}

Stream::Stream(int fd) : fd_(fd) { SetTimeout(10'000); }
Stream::~Stream() { Close(); }

void Stream::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Stream::SetTimeout(int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool Stream::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool Stream::Fill() {
  char tmp[65536];
  ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<std::size_t>(n));
  return true;
}

bool Stream::ReadLine(std::string* line) {
  for (;;) {
    auto eol = buf_.find("\r\n");
    if (eol != std::string::npos) {
      *line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      return true;
    }
    if (!Fill()) return false;
  }
}

bool Stream::ReadExact(std::size_t n, std::string* out) {
  while (buf_.size() < n) {
    if (!Fill()) return false;
  }
  *out = buf_.substr(0, n);
  buf_.erase(0, n);
  return true;
}

bool Stream::Discard(std::uint64_t n) {
  while (n > 0) {
    if (buf_.empty() && !Fill()) return false;
    std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, buf_.size()));
    buf_.erase(0, take);
    n -= take;
  }
  return true;
}

bool Stream::ReadToEof(std::string* out) {
  for (;;) {
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n == 0) break;
    if (n < 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
  *out = std::move(buf_);
  buf_.clear();
  return true;
}

bool Stream::ReadMessage(Message* m, bool is_response, bool head_only) {
  *m = Message{};
  if (!ReadLine(&m->start_line)) return false;
  std::string line;
  for (;;) {
    if (!ReadLine(&line)) return false;
    if (line.empty()) break;
    auto colon = line.find(':');
    m->fields.emplace_back(Lower(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  if (head_only) return true;
  if (is_response) {
    int st = m->Status();
    if ((st >= 100 && st < 200) || st == 204 || st == 304) return true;
  }
  if (Lower(m->Get("transfer-encoding")) == "chunked") {
    m->chunked = true;
    for (;;) {
      if (!ReadLine(&line)) return false;
      std::size_t size = std::stoul(line, nullptr, 16);
      if (size == 0) {
        while (ReadLine(&line) && !line.empty()) {
        }
        return true;
      }
      std::string part;
      if (!ReadExact(size + 2, &part)) return false;
      m->body += part.substr(0, size);
    }
  }
  std::string cl = m->Get("content-length");
  if (!cl.empty()) return ReadExact(std::stoul(cl), &m->body);
  if (is_response) return ReadToEof(&m->body);
  return true;
}

TestBackend::TestBackend(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 128);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestBackend::~TestBackend() { Stop(); }

void TestBackend::Stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : conns_) t.join();
}

void TestBackend::AcceptLoop() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    if (stopping_) {
      ::close(fd);
      return;
    }
    ++accepts_;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mu_);
    fds_.push_back(fd);
    conns_.emplace_back([this, fd] {
      Stream s(fd);
      handler_(s);
      std::lock_guard l(mu_);
      fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
      s.Close();
    });
  }
}

std::string Response(int status, std::string_view body, std::string_view extra) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

TestBackend::Handler NamedBackend(std::string name) {
  return [name](Stream& s) {
    Message m;
    while (s.ReadMessage(&m, false)) {
      if (!s.Write(Response(200, name, "X-Backend: " + name + "\r\n"))) return;
    }
  };
}

RecordingBackend::RecordingBackend(Body body)
    : backend_([this, body = std::move(body)](Stream& s) {
        Message m;
        while (s.ReadMessage(&m, false)) {
          {
            std::lock_guard lock(mu_);
            seen_ = m;
          }
          s.Write(Response(200, body(m)));
        }
      }) {}

RecordingBackend::RecordingBackend(std::string body)
    : RecordingBackend(Body([body = std::move(body)](const Message&) { return body; })) {}

Message RecordingBackend::Seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

std::unique_ptr<Stream> Connect(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<Stream>(fd);
}

std::uint16_t DeadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::uint64_t RssBytes() { return ProcStatusKb("VmRSS:"); }
std::uint64_t PeakRssBytes() { return ProcStatusKb("VmHWM:"); }

}  // namespace wharf::router::testing
