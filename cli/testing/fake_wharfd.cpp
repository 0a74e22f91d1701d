#include "cli/testing/fake_wharfd.h"

#include <atomic>
#include <map>
#include <sstream>
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

struct Reply {
  int status = 200;
  json body;
};

Reply Error(int status, const std::string& code, const std::string& detail) {
  return {status, json{{"code", code}, {"title", code}, {"detail", detail}}};
}

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

struct FakeWharfd::State {
  mutable std::mutex mu;
  std::atomic<bool> stopping{false};
  std::string admin_token_file;
  bool builds_available = false;
  std::string build_error;
  std::vector<std::string> roles = {"api"};
  int page_cap = 5000;
  int next_id = 1;
  std::vector<std::string> requests;
  std::map<std::string, json> apps;                              // guid -> app (without routes)
  std::map<std::string, std::map<std::string, json>> processes;  // app guid -> type -> process
  std::map<std::string, json> instances;                         // process guid -> list
  std::vector<json> domains;
  std::vector<json> routes;
  std::set<std::string> blobs;
  int uploads = 0;
  std::vector<json> packages;
  std::map<std::string, json> builds;
  std::map<std::string, json> droplets;  // app guid -> current droplet
  std::map<std::string, std::vector<json>> logs;
  std::vector<json> events;

  std::string NewGuid(const std::string& kind) { return kind + "-" + std::to_string(next_id++); }

  json AppView(const json& app) const {
    json out = app;
    json urls = json::array();
    for (const json& r : routes) {
      for (const json& d : r["destinations"]) {
        if (d["app_guid"] == app["guid"]) urls.push_back(r["url"]);
      }
    }
    out["routes"] = urls;
    json procs = json::array();
    auto it = processes.find(app["guid"].get<std::string>());
    if (it != processes.end()) {
      for (const auto& [type, p] : it->second) {
        procs.push_back({{"type", type}, {"instances", p["instances"]}, {"memory_in_mb", p["memory_in_mb"]},
                         {"disk_in_mb", p["disk_in_mb"]}});
      }
    }
    out["processes"] = procs;
    return out;
  }

  json NewProcess(const std::string& app_guid, const std::string& type) {
    return {{"guid", NewGuid("process")}, {"app_guid", app_guid}, {"type", type}, {"command", nullptr},
            {"instances", 1}, {"memory_in_mb", 1024}, {"disk_in_mb", 1024},
            {"health_check", {{"type", "port"}, {"endpoint", nullptr}, {"invocation_timeout", 1}, {"timeout", 60}}}};
  }

  Reply Page(const std::vector<json>& all, const Poco::URI& uri) const {
    int page = 1, per_page = 50;
    for (const auto& [k, v] : uri.getQueryParameters()) {
      if (k == "page") page = std::stoi(v);
      if (k == "per_page") per_page = std::stoi(v);
    }
    per_page = std::min(per_page, page_cap);
    int total = static_cast<int>(all.size());
    int pages = std::max(1, (total + per_page - 1) / per_page);
    json resources = json::array();
    for (int i = (page - 1) * per_page; i < std::min(total, page * per_page); ++i) resources.push_back(all[i]);
    return {200, json{{"pagination", {{"total_results", total}, {"total_pages", pages}, {"page", page}, {"per_page", per_page}}},
                      {"resources", resources}}};
  }

  json* FindRoute(const std::string& guid) {
    for (json& r : routes) {
      if (r["guid"] == guid) return &r;
    }
    return nullptr;
  }
};

FakeWharfd::FakeWharfd() : state_(std::make_unique<State>()) {
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

void FakeWharfd::Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
  State& s = *state_;
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
  auto app_by_guid = [&](const std::string& guid) -> json* {
    auto it = s.apps.find(guid);
    return it == s.apps.end() ? nullptr : &it->second;
  };
  Reply r = Error(404, "not_found", "no route for " + method + " " + uri.getPath());

  if (method == "GET" && uri.getPath() == "/v1/info") {
    r = {200, json{{"name", "wharf"}, {"version", "0.1.0"}, {"api_version", "v1"}, {"domain", "localhost"},
                   {"router_url", "http://localhost:8080"}, {"admin_token_file", s.admin_token_file},
                   {"roles", s.roles}}};
  } else if (method == "GET" && uri.getPath() == "/v1/whoami") {
    r = {200, json{{"user", {{"guid", "user-admin"}, {"name", "admin"}}}, {"roles", {"admin"}}}};
  } else if (p.size() >= 2 && p[1] == "apps") {
    if (p.size() == 2 && method == "GET") {
      std::string names;
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (k == "names") names = v;
      }
      std::vector<json> all;
      for (const auto& [guid, a] : s.apps) {
        if (names.empty() || ("," + names + ",").find("," + a["name"].get<std::string>() + ",") != std::string::npos) {
          all.push_back(s.AppView(a));
        }
      }
      r = s.Page(all, uri);
    } else if (p.size() == 2 && method == "POST") {
      std::string name = body.value("name", "");
      bool taken = false;
      for (const auto& [g, a] : s.apps) taken = taken || a["name"] == name;
      if (taken) {
        r = Error(409, "conflict", "app '" + name + "' already exists");
      } else {
        std::string guid = s.NewGuid("app");
        json app = {{"guid", guid}, {"name", name}, {"state", "STOPPED"},
                    {"created_at", "2026-11-26T08:00:00Z"}, {"updated_at", "2026-11-26T08:00:00Z"},
                    {"lifecycle", body.contains("lifecycle") ? body["lifecycle"] : json{{"buildpacks", json::array()}, {"stack", "debian12"}}},
                    {"environment_variables", body.contains("environment_variables") ? body["environment_variables"] : json::object()},
                    {"current_droplet_guid", nullptr}};
        s.apps[guid] = app;
        s.processes[guid]["web"] = s.NewProcess(guid, "web");
        r = {201, s.AppView(app)};
      }
    } else if (json* app = app_by_guid(p[2]); app == nullptr) {
      r = Error(404, "not_found", "app '" + p[2] + "' not found");
    } else {
      const std::string guid = p[2];
      if (p.size() == 3 && method == "GET") {
        r = {200, s.AppView(*app)};
      } else if (p.size() == 3 && method == "PATCH") {
        if (body.contains("lifecycle")) (*app)["lifecycle"] = body["lifecycle"];
        r = {200, s.AppView(*app)};
      } else if (p.size() == 3 && method == "DELETE") {
        s.apps.erase(guid);
        for (json& route : s.routes) {
          json kept = json::array();
          for (const json& d : route["destinations"]) {
            if (d["app_guid"] != guid) kept.push_back(d);
          }
          route["destinations"] = kept;
        }
        r = {204, nullptr};
      } else if (p.size() == 5 && p[3] == "actions" && method == "POST") {
        const std::string action = p[4];
        if (action == "restage") {
          if (!s.builds_available) {
            r = Error(503, "unavailable", "no stager role is running in this wharfd");
          } else {
            std::string bguid = s.NewGuid("build");
            s.builds[bguid] = {{"guid", bguid}, {"app_guid", guid}, {"state", "STAGING"}, {"error", nullptr}};
            r = {201, s.builds[bguid]};
          }
        } else if ((action == "start" || action == "restart") && (*app)["current_droplet_guid"].is_null()) {
          r = Error(422, "unprocessable", "app '" + (*app)["name"].get<std::string>() + "' has no droplet; push or restage it");
        } else {
          (*app)["state"] = action == "stop" ? "STOPPED" : "STARTED";
          r = {200, s.AppView(*app)};
        }
      } else if (p.size() == 4 && p[3] == "env" && method == "GET") {
        r = {200, json{{"environment_variables", (*app)["environment_variables"]},
                       {"system_env_json", {{"VCAP_SERVICES", json::object()}}},
                       {"application_env_json", {{"VCAP_APPLICATION", {{"application_name", (*app)["name"]}}}}}}};
      } else if (p.size() == 4 && p[3] == "environment_variables" && method == "PATCH") {
        for (auto it = body.begin(); it != body.end(); ++it) {
          if (it.value().is_null()) {
            (*app)["environment_variables"].erase(it.key());
          } else {
            (*app)["environment_variables"][it.key()] = it.value();
          }
        }
        r = {200, json{{"var", (*app)["environment_variables"]}}};
      } else if (p.size() == 4 && p[3] == "processes" && method == "GET") {
        std::vector<json> all;
        for (const auto& [t, proc] : s.processes[guid]) all.push_back(proc);
        r = s.Page(all, uri);
      } else if (p.size() == 5 && p[3] == "processes") {
        auto& procs = s.processes[guid];
        if (method == "GET") {
          r = procs.contains(p[4]) ? Reply{200, procs[p[4]]} : Error(404, "not_found", "process not found");
        } else if (method == "PUT") {
          json proc = procs.contains(p[4]) ? procs[p[4]] : s.NewProcess(guid, p[4]);
          json fresh = s.NewProcess(guid, p[4]);  // omitted fields take the defaults
          for (const char* k : {"command", "instances", "memory_in_mb", "disk_in_mb", "health_check"}) {
            proc[k] = body.contains(k) ? body[k] : fresh[k];
          }
          procs[p[4]] = proc;
          r = {200, proc};
        }
      } else if (p.size() == 4 && p[3] == "packages" && method == "POST") {
        json missing = json::array();
        for (const json& f : body["files"]) {
          if (!s.blobs.contains(f["sha256"].get<std::string>())) missing.push_back(f["sha256"]);
        }
        if (!missing.empty()) {
          r = Error(422, "unprocessable", "missing contents: " + missing.dump());
        } else {
          std::string pguid = s.NewGuid("package");
          json pkg = {{"guid", pguid}, {"app_guid", guid}, {"state", "READY"}, {"sha256", Sha256Hex(body["files"].dump())},
                      {"file_count", body["files"].size()}, {"size_bytes", 0}, {"source", body["source"]},
                      {"created_at", "2026-11-26T08:35:47Z"}, {"files", body["files"]}};
          s.packages.push_back(pkg);
          r = {201, pkg};
        }
      } else if (p.size() == 4 && p[3] == "packages" && method == "GET") {
        std::vector<json> mine;
        for (auto it = s.packages.rbegin(); it != s.packages.rend(); ++it) {
          if ((*it)["app_guid"] == guid) mine.push_back(*it);
        }
        r = s.Page(mine, uri);
      } else if (p.size() == 5 && p[3] == "droplets" && p[4] == "current" && method == "GET") {
        r = s.droplets.contains(guid) ? Reply{200, s.droplets[guid]}
                                      : Error(404, "not_found", "app has no current droplet");
      } else if (p.size() == 4 && p[3] == "routes" && method == "GET") {
        std::vector<json> mine;
        for (const json& route : s.routes) {
          for (const json& d : route["destinations"]) {
            if (d["app_guid"] == guid) mine.push_back(route);
          }
        }
        r = s.Page(mine, uri);
      } else if (p.size() == 4 && p[3] == "logs" && method == "GET") {
        r = {200, json{{"lines", s.logs[guid]}}};
      }
    }
  } else if (p.size() >= 2 && p[1] == "processes" && p.size() == 4 && p[3] == "instances" && method == "GET") {
    r = {200, json{{"resources", s.instances.contains(p[2]) ? s.instances[p[2]] : json::array()}}};
  } else if (uri.getPath() == "/v1/resource_match" && method == "POST") {
    json missing = json::array();
    for (const json& res_item : body["resources"]) {
      if (!s.blobs.contains(res_item["sha256"].get<std::string>())) missing.push_back(res_item);
    }
    r = {200, json{{"missing", missing}}};
  } else if (uri.getPath() == "/v1/builds" && method == "POST") {
    if (!s.builds_available) {
      r = Error(503, "unavailable", "no stager role is running in this wharfd");
    } else {
      std::string bguid = s.NewGuid("build");
      std::string app_guid;
      for (const json& pkg : s.packages) {
        if (pkg["guid"] == body["package_guid"]) app_guid = pkg["app_guid"];
      }
      s.builds[bguid] = {{"guid", bguid}, {"app_guid", app_guid}, {"package_guid", body["package_guid"]},
                         {"state", "STAGING"}, {"error", nullptr}};
      s.logs[app_guid].push_back({{"timestamp", "2026-11-26T08:35:48Z"}, {"source", "STG/0"}, {"stream", "OUT"},
                                  {"message", "-----> Detected fake buildpack"}});
      r = {201, s.builds[bguid]};
    }
  } else if (p.size() == 3 && p[1] == "builds" && method == "GET") {
    if (!s.builds.contains(p[2])) {
      r = Error(404, "not_found", "build not found");
    } else {
      json& b = s.builds[p[2]];
      if (b["state"] == "STAGING") {
        if (!s.build_error.empty()) {
          b["state"] = "FAILED";
          b["error"] = s.build_error;
        } else {
          b["state"] = "STAGED";
          std::string app_guid = b["app_guid"];
          std::string dguid = s.NewGuid("droplet");
          b["droplet_guid"] = dguid;
          s.droplets[app_guid] = {{"guid", dguid}, {"state", "STAGED"}, {"stack", "debian12"},
                                  {"process_types", {{"web", "node server.js"}}},
                                  {"buildpacks", {{{"name", "nodejs_buildpack"}, {"version", "1.0.0"}}}}};
          if (json* a = app_by_guid(app_guid)) (*a)["current_droplet_guid"] = dguid;
        }
      }
      r = {200, b};
    }
  } else if (uri.getPath() == "/v1/domains") {
    if (method == "GET") {
      r = s.Page(s.domains, uri);
    } else if (method == "POST") {
      bool taken = false;
      for (const json& d : s.domains) taken = taken || d["name"] == body["name"];
      if (taken) {
        r = Error(409, "conflict", "domain exists");
      } else {
        json d = {{"guid", s.NewGuid("domain")}, {"name", body["name"]}, {"shared", true}};
        s.domains.push_back(d);
        r = {201, d};
      }
    }
  } else if (p.size() >= 2 && p[1] == "routes") {
    if (p.size() == 2 && method == "GET") {
      std::string host, domain_guid;
      bool has_host = false;
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (k == "host") {
          host = v;
          has_host = true;
        }
        if (k == "domain_guid") domain_guid = v;
      }
      std::vector<json> all;
      for (const json& route : s.routes) {
        if (has_host && route["host"] != host) continue;
        if (!domain_guid.empty() && route["domain"]["guid"] != domain_guid) continue;
        all.push_back(route);
      }
      r = s.Page(all, uri);
    } else if (p.size() == 2 && method == "POST") {
      json domain;
      for (const json& d : s.domains) {
        if (d["guid"] == body["domain_guid"]) domain = d;
      }
      std::string path = body.value("path", "");
      bool taken = false;
      for (const json& route : s.routes) {
        taken = taken || (route["host"] == body["host"] && route["domain"]["guid"] == body["domain_guid"] &&
                          route["path"] == path);
      }
      if (domain.is_null()) {
        r = Error(404, "not_found", "domain not found");
      } else if (taken) {
        r = Error(409, "conflict", "route taken");
      } else {
        std::string host = body["host"];
        json route = {{"guid", s.NewGuid("route")}, {"host", host}, {"path", path},
                      {"domain", {{"guid", domain["guid"]}, {"name", domain["name"]}}},
                      {"url", (host.empty() ? "" : host + ".") + domain["name"].get<std::string>() + path},
                      {"destinations", json::array()}};
        s.routes.push_back(route);
        r = {201, route};
      }
    } else if (json* route = s.FindRoute(p[2]); route == nullptr) {
      r = Error(404, "not_found", "route not found");
    } else if (p.size() == 3 && method == "DELETE") {
      s.routes.erase(std::remove_if(s.routes.begin(), s.routes.end(), [&](const json& x) { return x["guid"] == p[2]; }),
                     s.routes.end());
      r = {204, nullptr};
    } else if (p.size() == 4 && p[3] == "destinations" && method == "POST") {
      json* app = app_by_guid(body["app_guid"]);
      (*route)["destinations"].push_back(
          {{"app_guid", body["app_guid"]}, {"app_name", app ? (*app)["name"] : json("?")}, {"process_type", "web"}});
      r = {200, *route};
    } else if (p.size() == 5 && p[3] == "destinations" && method == "DELETE") {
      json kept = json::array();
      for (const json& d : (*route)["destinations"]) {
        if (d["app_guid"] != p[4]) kept.push_back(d);
      }
      (*route)["destinations"] = kept;
      r = {200, *route};
    }
  } else if (uri.getPath() == "/v1/events" && method == "GET") {
    std::string target;
    for (const auto& [k, v] : uri.getQueryParameters()) {
      if (k == "target_guid") target = v;
    }
    std::vector<json> mine;
    for (const json& e : s.events) {
      if (target.empty() || e["target"]["guid"] == target) mine.push_back(e);
    }
    if (mine.empty() && !target.empty()) {
      mine.push_back({{"guid", "event-1"}, {"type", "app-created"}, {"actor", "admin"},
                      {"target", {{"type", "app"}, {"guid", target}}}, {"data", {{"name", "web"}, {"instances", 1}}},
                      {"created_at", "2026-11-26T08:00:00Z"}});
    }
    r = s.Page(mine, uri);
  }
  send(r);
}

}  // namespace wharf::cli::testing
