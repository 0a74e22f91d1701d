#include "cli/testing/recording_proxy.h"

#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>

namespace wharf::cli::testing {
namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(RecordingProxy& proxy) : proxy_(proxy) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    proxy_.Handle(req, res);
  }

 private:
  RecordingProxy& proxy_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(RecordingProxy& proxy) : proxy_(proxy) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(proxy_);
  }

 private:
  RecordingProxy& proxy_;
};

// Copies what `in` has as soon as it has it (a log stream sends a line at a
// time), flushing each piece to `out`.
void Relay(std::istream& in, std::ostream& out) {
  char buf[16384];
  while (in) {
    std::streamsize ready = in.rdbuf()->in_avail();
    std::streamsize want = ready > 0 ? std::min<std::streamsize>(ready, sizeof buf) : 1;
    in.read(buf, want);
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    out.write(buf, got);
    out.flush();
    if (!out) break;
  }
}

// `uri` with its per_page query value set to `cap` (added when absent).
std::string WithPageSize(std::string uri, int cap) {
  const std::string value = "per_page=" + std::to_string(cap);
  std::size_t at = uri.find("per_page=");
  if (at == std::string::npos) return uri + (uri.find('?') == std::string::npos ? "?" : "&") + value;
  std::size_t end = uri.find('&', at);
  return uri.replace(at, end == std::string::npos ? std::string::npos : end - at, value);
}

}  // namespace

RecordingProxy::RecordingProxy(std::uint16_t backend_port) : backend_port_(backend_port) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxThreads(16);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
  server_->start();
}

RecordingProxy::~RecordingProxy() {
  server_->stopAll(true);
  // A handler may still be relaying on a pool thread (until its daemon connection
  // ends): wait for it before the proxy it belongs to is destroyed.
  for (int i = 0; i < 500 && server_->currentConnections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string RecordingProxy::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void RecordingProxy::set_backend_port(std::uint16_t port) {
  std::lock_guard lock(mu_);
  backend_port_ = port;
}

void RecordingProxy::FailNext(const std::string& path_prefix, int status, std::string body, int count) {
  std::lock_guard lock(mu_);
  faults_.push_back(Fault{path_prefix, status, std::move(body), count, {}});
}

void RecordingProxy::DelayNext(const std::string& path_prefix, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  faults_.push_back(Fault{path_prefix, 0, "", 1, delay});
}

void RecordingProxy::set_page_size_cap(int cap) {
  std::lock_guard lock(mu_);
  page_size_cap_ = cap;
}

std::vector<std::string> RecordingProxy::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<std::string> RecordingProxy::mutations() const {
  std::vector<std::string> out;
  for (const std::string& r : requests()) {
    if (!r.starts_with("GET ")) out.push_back(r);
  }
  return out;
}

void RecordingProxy::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

std::optional<RecordingProxy::Fault> RecordingProxy::TakeFault(const std::string& path) {
  std::lock_guard lock(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!path.starts_with(it->path_prefix)) continue;
    Fault f = *it;
    if (--it->count <= 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

void RecordingProxy::Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
  std::string uri = req.getURI();
  std::uint16_t backend = 0;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(req.getMethod() + " " + uri);
    if (page_size_cap_ > 0 && req.getMethod() == "GET" && uri.find("/stream") == std::string::npos) {
      uri = WithPageSize(uri, page_size_cap_);
    }
    backend = backend_port_;
  }
  if (std::optional<Fault> fault = TakeFault(req.getURI())) {
    if (fault->status != 0) {
      res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(fault->status));
      res.setContentType("text/plain");
      res.sendBuffer(fault->body.data(), fault->body.size());
      return;
    }
    std::this_thread::sleep_for(fault->delay);
  }

  Poco::Net::HTTPClientSession session("127.0.0.1", backend);
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest out(req.getMethod(), uri, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : req) {
    if (name == "Host" || name == "Connection" || name == "Transfer-Encoding" || name == "Content-Length") continue;
    out.set(name, value);
  }
  if (req.hasContentLength()) {
    out.setContentLength64(req.getContentLength64());
  } else if (req.getChunkedTransferEncoding()) {
    out.setChunkedTransferEncoding(true);
  }
  try {
    std::ostream& body = session.sendRequest(out);
    if (req.hasContentLength() || req.getChunkedTransferEncoding()) Relay(req.stream(), body);
    Poco::Net::HTTPResponse answer;
    std::istream& in = session.receiveResponse(answer);
    res.setStatus(answer.getStatus());
    res.setReason(answer.getReason());
    for (const auto& [name, value] : answer) {
      if (name == "Connection" || name == "Transfer-Encoding" || name == "Content-Length") continue;
      res.set(name, value);
    }
    res.setChunkedTransferEncoding(true);
    std::ostream& client = res.send();
    Relay(in, client);
  } catch (const Poco::Exception& e) {
    if (!res.sent()) {
      res.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_GATEWAY);
      res.setContentType("text/plain");
      std::string text = "recording proxy: " + e.displayText();
      res.sendBuffer(text.data(), text.size());
    }
  }
}

}  // namespace wharf::cli::testing
