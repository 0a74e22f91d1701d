#include "cli/testing/fake_wharfd.h"

#include "cli/testing/fake_wharfd_state.h"

#include <atomic>
#include <map>
#include <sstream>
#include <chrono>
#include <thread>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "common/archive.h"
#include "common/sha256.h"

namespace wharf::cli::testing {
namespace {

using nlohmann::json;

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(FakeWharfd& fake) : fake_(fake) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    fake_.Handle(req, res);
  }

 private:
  FakeWharfd& fake_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(FakeWharfd& fake) : fake_(fake) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(fake_);
  }

 private:
  FakeWharfd& fake_;
};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace


FakeWharfd::FakeWharfd() : state_(std::make_unique<FakeState>()) {
  state_->domains.push_back({{"guid", "domain-localhost"}, {"name", "localhost"}, {"shared", true}});
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxThreads(8);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
  server_->start();
}

FakeWharfd::~FakeWharfd() {
  state_->stopping = true;
  server_->stopAll(true);
  // A handler may still be running on a server thread (a log stream notices `stopping`
  // within 20 ms) and it uses the state: wait for it before the state is destroyed.
  for (int i = 0; i < 500 && server_->currentConnections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string FakeWharfd::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeWharfd::set_admin_token_file(std::string path) {
  std::lock_guard l(state_->mu);
  state_->admin_token_file = std::move(path);
}
void FakeWharfd::set_builds_available(bool on) {
  std::lock_guard l(state_->mu);
  state_->builds_available = on;
}
void FakeWharfd::set_build_fails(std::string error) {
  std::lock_guard l(state_->mu);
  state_->build_error = std::move(error);
}
void FakeWharfd::set_roles(std::vector<std::string> roles) {
  std::lock_guard l(state_->mu);
  state_->roles = std::move(roles);
}
void FakeWharfd::set_page_size_cap(int cap) {
  std::lock_guard l(state_->mu);
  state_->page_cap = cap;
}
void FakeWharfd::AddDomain(const std::string& name, bool shared) {
  std::lock_guard l(state_->mu);
  state_->domains.push_back({{"guid", "domain-" + name}, {"name", name}, {"shared", shared}});
}
void FakeWharfd::AddLogLine(const std::string& app_guid, json line) {
  std::lock_guard l(state_->mu);
  state_->logs[app_guid].push_back(std::move(line));
}
void FakeWharfd::SetInstances(const std::string& app_name, json instances) {
  std::lock_guard l(state_->mu);
  for (const auto& [guid, app] : state_->apps) {
    if (app["name"] == app_name) {
      for (const auto& [type, p] : state_->processes[guid]) state_->instances[p["guid"]] = instances;
    }
  }
}

std::vector<std::string> FakeWharfd::requests() const {
  std::lock_guard l(state_->mu);
  return state_->requests;
}
std::vector<std::string> FakeWharfd::mutations() const {
  std::vector<std::string> out;
  for (const std::string& r : requests()) {
    if (!r.starts_with("GET ")) out.push_back(r);
  }
  return out;
}
std::set<std::string> FakeWharfd::blobs() const {
  std::lock_guard l(state_->mu);
  return state_->blobs;
}
int FakeWharfd::uploads() const {
  std::lock_guard l(state_->mu);
  return state_->uploads;
}
json FakeWharfd::packages() const {
  std::lock_guard l(state_->mu);
  return state_->packages;
}
std::optional<json> FakeWharfd::app(const std::string& name) const {
  std::lock_guard l(state_->mu);
  for (const auto& [guid, a] : state_->apps) {
    if (a["name"] == name) return state_->AppView(a);
  }
  return std::nullopt;
}
json FakeWharfd::process(const std::string& app_name, const std::string& type) const {
  std::lock_guard l(state_->mu);
  for (const auto& [guid, a] : state_->apps) {
    if (a["name"] == app_name) return state_->processes[guid][type];
  }
  return nullptr;
}
json FakeWharfd::routes() const {
  std::lock_guard l(state_->mu);
  return state_->routes;
}
void FakeWharfd::ClearRequests() {
  std::lock_guard l(state_->mu);
  state_->requests.clear();
}

json FakeWharfd::buildpacks() const {
  std::lock_guard l(state_->mu);
  return json(state_->buildpacks);
}

std::string FakeWharfd::buildpack_upload(const std::string& name) const {
  std::lock_guard l(state_->mu);
  auto it = state_->buildpack_uploads.find(name);
  return it == state_->buildpack_uploads.end() ? "" : it->second;
}

void FakeWharfd::Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
  FakeState& s = *state_;
  Poco::URI uri(req.getURI());
  const std::string method = req.getMethod();
  const std::vector<std::string> p = Split(uri.getPath());
  std::string raw;
  json body;
  bool tar = req.getContentType() == "application/x-tar";
  if (!tar) {
    Poco::StreamCopier::copyToString(req.stream(), raw);
    if (!raw.empty()) body = json::parse(raw, nullptr, false);
  }
  auto send = [&](const Reply& r) {
    res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
    if (r.status == 204) {
      res.setContentLength(0);
      res.send();
      return;
    }
    std::string text = r.body.dump();
    res.setContentType("application/json");
    res.setContentLength(static_cast<std::streamsize>(text.size()));
    res.send() << text;
  };
  {
    std::lock_guard l(s.mu);
    s.requests.push_back(method + " " + uri.getPathEtc());
  }
  if (!(method == "GET" && uri.getPath() == "/v1/info")) {
    if (req.get("Authorization", "") != std::string("Bearer ") + kToken) {
      return send(Error(401, "unauthenticated", "missing or unknown token"));
    }
  }

  // The log stream is answered outside the lock: it stays open.
  if (method == "GET" && p.size() == 5 && p[1] == "apps" && p[3] == "logs" && p[4] == "stream") {
    std::vector<json> lines;
    {
      std::lock_guard l(s.mu);
      lines = s.logs[p[2]];
    }
    res.setChunkedTransferEncoding(true);
    res.setContentType("application/x-ndjson");
    std::ostream& os = res.send();
    for (const json& line : lines) os << line.dump() << "\n";
    os.flush();
    while (!s.stopping && os.good()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      os << "\n";
      os.flush();
    }
    return;
  }

  if (method == "POST" && uri.getPath() == "/v1/resources") {
    std::set<std::string> received;
    Status st = ReadArchiveStream(req.stream(), ArchiveLimits{},
                                  [&](const ArchiveFile& f, const ArchiveReadFn& read) -> Status {
                                    Sha256 h;
                                    char buf[8192];
                                    long n;
                                    while ((n = read(buf, sizeof buf)) > 0) h.Update(buf, static_cast<std::size_t>(n));
                                    if (n < 0) return Status::Internal("read error");
                                    std::string digest = h.FinishHex();
                                    if (digest != f.path) return Status::Unprocessable("digest mismatch for " + f.path);
                                    received.insert(digest);
                                    return Status::Ok();
                                  });
    if (!st.ok()) return send(Error(422, "unprocessable", st.message()));
    std::lock_guard l(s.mu);
    s.uploads++;
    s.blobs.insert(received.begin(), received.end());
    return send({201, json{{"files", received.size()}, {"new_blobs", received.size()}, {"bytes", 0}}});
  }

  std::lock_guard l(s.mu);
  Call call{method, p, uri, body, raw};
  Reply r;
  if (p.size() >= 2 && p[1] == "apps") {
    r = s.Apps(call);
  } else if (p.size() >= 2 && (p[1] == "processes" || p[1] == "resource_match" || p[1] == "builds")) {
    r = s.ProcessesAndBuilds(call);
  } else if (p.size() >= 2 && (p[1] == "domains" || p[1] == "routes" || p[1] == "events" || p[1] == "service_instances")) {
    r = s.RoutesAndEvents(call);
  } else if (p.size() >= 2 && p[1] == "buildpacks") {
    r = s.Buildpacks(call);
  } else {
    r = s.Platform(call);
  }
  send(r);
}

}  // namespace wharf::cli::testing
