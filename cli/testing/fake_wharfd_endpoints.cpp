// The fake wharfd's endpoints: plain functions of the in-memory state.
#include "cli/testing/fake_wharfd_state.h"

#include <algorithm>

#include "common/sha256.h"

namespace wharf::cli::testing {

using nlohmann::json;

Reply Error(int status, const std::string& code, const std::string& detail) {
  return {status, json{{"code", code}, {"title", code}, {"detail", detail}}};
}

std::string FakeState::NewGuid(const std::string& kind) { return kind + "-" + std::to_string(next_id++); }

json FakeState::AppView(const json& app) const {
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

json FakeState::NewProcess(const std::string& app_guid, const std::string& type) {
  return {{"guid", NewGuid("process")}, {"app_guid", app_guid}, {"type", type}, {"command", nullptr},
          {"instances", 1}, {"memory_in_mb", 1024}, {"disk_in_mb", 1024},
          {"health_check", {{"type", "port"}, {"endpoint", nullptr}, {"invocation_timeout", 1}, {"timeout", 60}}}};
}

Reply FakeState::Page(const std::vector<json>& all, const Poco::URI& uri) const {
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

json* FakeState::FindRoute(const std::string& guid) {
  for (json& r : routes) {
    if (r["guid"] == guid) return &r;
  }
  return nullptr;
}

json* FakeState::AppByGuid(const std::string& guid) {
  auto it = apps.find(guid);
  return it == apps.end() ? nullptr : &it->second;
}

Reply FakeState::Platform(const Call& c) {
  const std::string& method = c.method;
  const Poco::URI& uri = c.uri;
  Reply r = Error(404, "not_found", "no route for " + method + " " + uri.getPath());
  if (method == "GET" && uri.getPath() == "/v1/info") {
    r = {200, json{{"name", "wharf"}, {"version", "0.1.0"}, {"api_version", "v1"}, {"domain", "localhost"},
                   {"router_url", "http://localhost:8080"}, {"admin_token_file", admin_token_file},
                   {"roles", roles}}};
  } else if (method == "GET" && uri.getPath() == "/v1/whoami") {
    r = {200, json{{"user", {{"guid", "user-admin"}, {"name", "admin"}}}, {"roles", {"admin"}}}};
  }
  return r;
}

Reply FakeState::Apps(const Call& c) {
  const std::string& method = c.method;
  const std::vector<std::string>& p = c.p;
  const Poco::URI& uri = c.uri;
  const json& body = c.body;
  Reply r = Error(404, "not_found", "no route for " + method + " " + uri.getPath());
  if (p.size() >= 2 && p[1] == "apps") {
    if (p.size() == 2 && method == "GET") {
      std::string names;
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (k == "names") names = v;
      }
      std::vector<json> all;
      for (const auto& [guid, a] : apps) {
        if (names.empty() || ("," + names + ",").find("," + a["name"].get<std::string>() + ",") != std::string::npos) {
          all.push_back(AppView(a));
        }
      }
      r = Page(all, uri);
    } else if (p.size() == 2 && method == "POST") {
      std::string name = body.value("name", "");
      bool taken = false;
      for (const auto& [g, a] : apps) taken = taken || a["name"] == name;
      if (taken) {
        r = Error(409, "conflict", "app '" + name + "' already exists");
      } else {
        std::string guid = NewGuid("app");
        json app = {{"guid", guid}, {"name", name}, {"state", "STOPPED"},
                    {"created_at", "2026-11-26T08:00:00Z"}, {"updated_at", "2026-11-26T08:00:00Z"},
                    {"lifecycle", body.contains("lifecycle") ? body["lifecycle"] : json{{"buildpacks", json::array()}, {"stack", "debian12"}}},
                    {"environment_variables", body.contains("environment_variables") ? body["environment_variables"] : json::object()},
                    {"current_droplet_guid", nullptr}};
        apps[guid] = app;
        processes[guid]["web"] = NewProcess(guid, "web");
        r = {201, AppView(app)};
      }
    } else if (json* app = AppByGuid(p[2]); app == nullptr) {
      r = Error(404, "not_found", "app '" + p[2] + "' not found");
    } else {
      const std::string guid = p[2];
      if (p.size() == 3 && method == "GET") {
        r = {200, AppView(*app)};
      } else if (p.size() == 3 && method == "PATCH") {
        if (body.contains("lifecycle")) (*app)["lifecycle"] = body["lifecycle"];
        r = {200, AppView(*app)};
      } else if (p.size() == 3 && method == "DELETE") {
        apps.erase(guid);
        for (json& route : routes) {
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
          if (!builds_available) {
            r = Error(503, "unavailable", "no stager role is running in this wharfd");
          } else {
            std::string bguid = NewGuid("build");
            builds[bguid] = {{"guid", bguid}, {"app_guid", guid}, {"state", "STAGING"}, {"error", nullptr}};
            r = {201, builds[bguid]};
          }
        } else if ((action == "start" || action == "restart") && (*app)["current_droplet_guid"].is_null()) {
          r = Error(422, "unprocessable", "app '" + (*app)["name"].get<std::string>() + "' has no droplet; push or restage it");
        } else {
          (*app)["state"] = action == "stop" ? "STOPPED" : "STARTED";
          r = {200, AppView(*app)};
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
        for (const auto& [t, proc] : processes[guid]) all.push_back(proc);
        r = Page(all, uri);
      } else if (p.size() == 5 && p[3] == "processes") {
        auto& procs = processes[guid];
        if (method == "GET") {
          r = procs.contains(p[4]) ? Reply{200, procs[p[4]]} : Error(404, "not_found", "process not found");
        } else if (method == "PUT") {
          json proc = procs.contains(p[4]) ? procs[p[4]] : NewProcess(guid, p[4]);
          json fresh = NewProcess(guid, p[4]);  // omitted fields take the defaults
          for (const char* k : {"command", "instances", "memory_in_mb", "disk_in_mb", "health_check"}) {
            proc[k] = body.contains(k) ? body[k] : fresh[k];
          }
          procs[p[4]] = proc;
          r = {200, proc};
        }
      } else if (p.size() == 4 && p[3] == "packages" && method == "POST") {
        json missing = json::array();
        for (const json& f : body["files"]) {
          if (!blobs.contains(f["sha256"].get<std::string>())) missing.push_back(f["sha256"]);
        }
        if (!missing.empty()) {
          r = Error(422, "unprocessable", "missing contents: " + missing.dump());
        } else {
          std::string pguid = NewGuid("package");
          json pkg = {{"guid", pguid}, {"app_guid", guid}, {"state", "READY"}, {"sha256", Sha256Hex(body["files"].dump())},
                      {"file_count", body["files"].size()}, {"size_bytes", 0}, {"source", body["source"]},
                      {"created_at", "2026-11-26T08:35:47Z"}, {"files", body["files"]}};
          packages.push_back(pkg);
          r = {201, pkg};
        }
      } else if (p.size() == 4 && p[3] == "packages" && method == "GET") {
        std::vector<json> mine;
        for (auto it = packages.rbegin(); it != packages.rend(); ++it) {
          if ((*it)["app_guid"] == guid) mine.push_back(*it);
        }
        r = Page(mine, uri);
      } else if (p.size() == 5 && p[3] == "droplets" && p[4] == "current" && method == "GET") {
        r = droplets.contains(guid) ? Reply{200, droplets[guid]}
                                      : Error(404, "not_found", "app has no current droplet");
      } else if (p.size() == 4 && p[3] == "routes" && method == "GET") {
        std::vector<json> mine;
        for (const json& route : routes) {
          for (const json& d : route["destinations"]) {
            if (d["app_guid"] == guid) mine.push_back(route);
          }
        }
        r = Page(mine, uri);
      } else if (p.size() == 4 && p[3] == "logs" && method == "GET") {
        r = {200, json{{"lines", logs[guid]}}};
      }
    }
  }
  return r;
}

Reply FakeState::ProcessesAndBuilds(const Call& c) {
  const std::string& method = c.method;
  const std::vector<std::string>& p = c.p;
  const Poco::URI& uri = c.uri;
  const json& body = c.body;
  Reply r = Error(404, "not_found", "no route for " + method + " " + uri.getPath());
  if (p.size() >= 2 && p[1] == "processes" && p.size() == 4 && p[3] == "instances" && method == "GET") {
    r = {200, json{{"resources", instances.contains(p[2]) ? instances[p[2]] : json::array()}}};
  } else if (uri.getPath() == "/v1/resource_match" && method == "POST") {
    json missing = json::array();
    for (const json& res_item : body["resources"]) {
      if (!blobs.contains(res_item["sha256"].get<std::string>())) missing.push_back(res_item);
    }
    r = {200, json{{"missing", missing}}};
  } else if (uri.getPath() == "/v1/builds" && method == "POST") {
    if (!builds_available) {
      r = Error(503, "unavailable", "no stager role is running in this wharfd");
    } else {
      std::string bguid = NewGuid("build");
      std::string app_guid;
      for (const json& pkg : packages) {
        if (pkg["guid"] == body["package_guid"]) app_guid = pkg["app_guid"];
      }
      builds[bguid] = {{"guid", bguid}, {"app_guid", app_guid}, {"package_guid", body["package_guid"]},
                         {"state", "STAGING"}, {"error", nullptr}};
      logs[app_guid].push_back({{"timestamp", "2026-11-26T08:35:48Z"}, {"source", "STG/0"}, {"stream", "OUT"},
                                  {"message", "-----> Detected fake buildpack"}});
      r = {201, builds[bguid]};
    }
  } else if (p.size() == 3 && p[1] == "builds" && method == "GET") {
    if (!builds.contains(p[2])) {
      r = Error(404, "not_found", "build not found");
    } else {
      json& b = builds[p[2]];
      if (b["state"] == "STAGING") {
        if (!build_error.empty()) {
          b["state"] = "FAILED";
          b["error"] = build_error;
        } else {
          b["state"] = "STAGED";
          std::string app_guid = b["app_guid"];
          std::string dguid = NewGuid("droplet");
          b["droplet_guid"] = dguid;
          droplets[app_guid] = {{"guid", dguid}, {"state", "STAGED"}, {"stack", "debian12"},
                                  {"process_types", {{"web", "node server.js"}}},
                                  {"buildpacks", {{{"name", "nodejs_buildpack"}, {"version", "1.0.0"}}}}};
          if (json* a = AppByGuid(app_guid)) (*a)["current_droplet_guid"] = dguid;
        }
      }
      r = {200, b};
    }
  }
  return r;
}

Reply FakeState::RoutesAndEvents(const Call& c) {
  const std::string& method = c.method;
  const std::vector<std::string>& p = c.p;
  const Poco::URI& uri = c.uri;
  const json& body = c.body;
  Reply r = Error(404, "not_found", "no route for " + method + " " + uri.getPath());
  if (uri.getPath() == "/v1/service_instances" && method == "GET") {
    r = Page(json::array(), uri);  // no service instances
  } else if (uri.getPath() == "/v1/domains") {
    if (method == "GET") {
      r = Page(domains, uri);
    } else if (method == "POST") {
      bool taken = false;
      for (const json& d : domains) taken = taken || d["name"] == body["name"];
      if (taken) {
        r = Error(409, "conflict", "domain exists");
      } else {
        json d = {{"guid", NewGuid("domain")}, {"name", body["name"]}, {"shared", true}};
        domains.push_back(d);
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
      for (const json& route : routes) {
        if (has_host && route["host"] != host) continue;
        if (!domain_guid.empty() && route["domain"]["guid"] != domain_guid) continue;
        all.push_back(route);
      }
      r = Page(all, uri);
    } else if (p.size() == 2 && method == "POST") {
      json domain;
      for (const json& d : domains) {
        if (d["guid"] == body["domain_guid"]) domain = d;
      }
      std::string path = body.value("path", "");
      bool taken = false;
      for (const json& route : routes) {
        taken = taken || (route["host"] == body["host"] && route["domain"]["guid"] == body["domain_guid"] &&
                          route["path"] == path);
      }
      if (domain.is_null()) {
        r = Error(404, "not_found", "domain not found");
      } else if (taken) {
        r = Error(409, "conflict", "route taken");
      } else {
        std::string host = body["host"];
        json route = {{"guid", NewGuid("route")}, {"host", host}, {"path", path},
                      {"domain", {{"guid", domain["guid"]}, {"name", domain["name"]}}},
                      {"url", (host.empty() ? "" : host + ".") + domain["name"].get<std::string>() + path},
                      {"destinations", json::array()}};
        routes.push_back(route);
        r = {201, route};
      }
    } else if (json* route = FindRoute(p[2]); route == nullptr) {
      r = Error(404, "not_found", "route not found");
    } else if (p.size() == 3 && method == "DELETE") {
      routes.erase(std::remove_if(routes.begin(), routes.end(), [&](const json& x) { return x["guid"] == p[2]; }),
                     routes.end());
      r = {204, nullptr};
    } else if (p.size() == 4 && p[3] == "destinations" && method == "POST") {
      json* app = AppByGuid(body["app_guid"]);
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
    for (const json& e : events) {
      if (target.empty() || e["target"]["guid"] == target) mine.push_back(e);
    }
    if (mine.empty() && !target.empty()) {
      mine.push_back({{"guid", "event-1"}, {"type", "app-created"}, {"actor", "admin"},
                      {"target", {{"type", "app"}, {"guid", target}}}, {"data", {{"name", "web"}, {"instances", 1}}},
                      {"created_at", "2026-11-26T08:00:00Z"}});
    }
    r = Page(mine, uri);
  }
  return r;
}

}  // namespace wharf::cli::testing
