#include "router/routes/routes_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/file_io.h"

namespace wharf::router {
namespace {

using nlohmann::json;

Status Bad(const std::string& where, const std::string& what) { return Status::InvalidArgument(where + ": " + what); }

Result<std::string> GetString(const json& obj, const char* key, const std::string& where, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) return Bad(where + "." + key, "missing");
    return std::string();
  }
  if (!it->is_string()) return Bad(where + "." + key, "must be a string");
  return it->get<std::string>();
}

Status ParseAddress(const std::string& address, const std::string& where, Endpoint* e) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return Bad(where, "missing port in '" + address + "'");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9') return Bad(where, "invalid port in '" + address + "'");
    port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port > 65535) return Bad(where, "port out of range in '" + address + "'");
  }
  e->host = host;
  e->port = static_cast<std::uint16_t>(port);
  return Status::Ok();
}

Result<Endpoint> ParseEndpoint(const json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "must be an object");
  Endpoint e;
  WHARF_ASSIGN_OR_RETURN(auto id, GetString(j, "instance_id", where, true));
  e.instance_id = id;
  WHARF_ASSIGN_OR_RETURN(auto app, GetString(j, "app_guid", where, false));
  e.app_guid = app;
  WHARF_ASSIGN_OR_RETURN(auto address, GetString(j, "address", where, true));
  WHARF_RETURN_IF_ERROR(ParseAddress(address, where + ".address", &e));
  auto version = GetString(j, "version", where, false);
  if (!version.ok()) return version.status();
  e.version = *version;
  if (auto it = j.find("weight"); it != j.end()) {
    if (!it->is_number_unsigned()) return Bad(where + ".weight", "must be a non-negative integer");
    e.weight = it->get<std::uint32_t>();
  }
  if (auto it = j.find("healthy"); it != j.end()) {
    if (!it->is_boolean()) return Bad(where + ".healthy", "must be true or false");
    e.healthy = it->get<bool>();
  }
  if (auto it = j.find("index"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 1'000'000) {
      return Bad(where + ".index", "must be a non-negative integer");
    }
    e.index = it->get<int>();
  }
  if (auto it = j.find("tag"); it != j.end()) {
    if (!it->is_object()) return Bad(where + ".tag", "must be an object");
    auto guid = GetString(*it, "guid", where + ".tag", false);
    if (!guid.ok()) return guid.status();
    e.tag.guid = *guid;
    if (auto ix = it->find("index"); ix != it->end()) {
      if (!ix->is_number_unsigned()) return Bad(where + ".tag.index", "must be a non-negative integer");
      e.tag.index = ix->get<std::uint64_t>();
    }
  }
  Status s = ValidateEndpoint(e);
  if (!s.ok()) return s.WithContext(where);
  return e;
}

}  // namespace

Result<std::vector<RouteSpec>> ParseRoutesJson(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("routes file: not valid JSON");
  if (!doc.is_object() || !doc.contains("routes") || !doc["routes"].is_array()) {
    return Status::InvalidArgument("routes file: expected an object with a \"routes\" array");
  }
  std::vector<RouteSpec> specs;
  const json& routes = doc["routes"];
  for (std::size_t i = 0; i < routes.size(); ++i) {
    std::string where = "routes[" + std::to_string(i) + "]";
    const json& r = routes[i];
    if (!r.is_object()) return Bad(where, "must be an object");
    WHARF_ASSIGN_OR_RETURN(auto uri, GetString(r, "route", where, true));
    auto key = ParseRouteUri(uri);
    if (!key.ok()) return key.status().WithContext(where);
    RouteSpec spec;
    spec.key = *key;
    WHARF_ASSIGN_OR_RETURN(auto lb, GetString(r, "load_balancing", where, false));
    if (!lb.empty() && !ParseLoadBalancing(lb, &spec.load_balancing)) {
      return Bad(where + ".load_balancing", "unknown algorithm '" + lb + "'");
    }
    auto header = GetString(r, "hash_header", where, false);
    if (!header.ok()) return header.status();
    spec.hash.header = *header;
    if (auto b = r.find("hash_balance"); b != r.end()) {
      if (!b->is_number() || b->get<double>() < 0) return Bad(where + ".hash_balance", "must be a number >= 0");
      spec.hash.balance = b->get<double>();
    }
    if (spec.load_balancing == LoadBalancing::kHash && spec.hash.header.empty()) {
      return Bad(where + ".hash_header", "is required with load_balancing \"hash\"");
    }
    if (auto eps = r.find("endpoints"); eps != r.end()) {
      if (!eps->is_array()) return Bad(where + ".endpoints", "must be an array");
      for (std::size_t k = 0; k < eps->size(); ++k) {
        WHARF_ASSIGN_OR_RETURN(auto e, ParseEndpoint((*eps)[k], where + ".endpoints[" + std::to_string(k) + "]"));
        spec.endpoints.push_back(std::move(e));
      }
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

Result<std::vector<TlsCertificate>> ParseCertificatesJson(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("routes file: not a JSON object");
  std::vector<TlsCertificate> out;
  auto it = doc.find("certificates");
  if (it == doc.end()) return out;
  if (!it->is_array()) return Bad("certificates", "must be an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    std::string where = "certificates[" + std::to_string(i) + "]";
    const json& c = (*it)[i];
    if (!c.is_object()) return Bad(where, "must be an object");
    TlsCertificate t;
    auto domain = GetString(c, "domain", where, true);
    if (!domain.ok()) return domain.status();
    WHARF_ASSIGN_OR_RETURN(auto cert, GetString(c, "certificate", where, true));
    WHARF_ASSIGN_OR_RETURN(auto key, GetString(c, "private_key", where, true));
    auto http = GetString(c, "http", where, false);
    if (!http.ok()) return http.status();
    t.domain = *domain;
    t.cert_pem = cert;
    t.key_pem = key;
    if (!http->empty()) {
      auto p = ParseHttpPolicy(*http);
      if (!p.ok()) return Bad(where + ".http", p.status().message());
      t.http = *p;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string RoutesToJson(const std::vector<RouteSpec>& routes, const std::vector<TlsCertificate>& certificates) {
  json out = json::array();
  for (const RouteSpec& spec : routes) {
    json endpoints = json::array();
    for (const Endpoint& e : spec.endpoints) {
      json ej = {{"instance_id", e.instance_id},
                 {"app_guid", e.app_guid},
                 {"address", e.Address()},
                 {"weight", e.weight},
                 {"version", e.version},
                 {"healthy", e.healthy},
                 {"tag", {{"guid", e.tag.guid}, {"index", e.tag.index}}}};
      if (e.index >= 0) ej["index"] = e.index;
      endpoints.push_back(std::move(ej));
    }
    json route = {{"route", spec.key.ToString()},
                  {"load_balancing", std::string(LoadBalancingName(spec.load_balancing))},
                  {"endpoints", std::move(endpoints)}};
    if (spec.load_balancing == LoadBalancing::kHash) {
      route["hash_header"] = spec.hash.header;
      if (spec.hash.balance > 0) route["hash_balance"] = spec.hash.balance;
    }
    out.push_back(std::move(route));
  }
  json doc = {{"routes", std::move(out)}};
  if (!certificates.empty()) {
    json certs = json::array();
    for (const TlsCertificate& c : certificates) {
      certs.push_back({{"domain", c.domain},
                       {"certificate", c.cert_pem},
                       {"private_key", c.key_pem},
                       {"http", std::string(HttpPolicyName(c.http))}});
    }
    doc["certificates"] = std::move(certs);
  }
  return doc.dump();
}

FileRouteFeed::FileRouteFeed(std::filesystem::path path, std::chrono::milliseconds poll_interval,
                             std::function<void(const Status&)> on_error)
    : path_(std::move(path)), poll_interval_(poll_interval), on_error_(std::move(on_error)) {}

FileRouteFeed::~FileRouteFeed() { Unsubscribe(); }

Result<FileRouteFeed::FileId> FileRouteFeed::Stat() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return Status::NotFound("routes file " + path_.string() + ": " + std::strerror(errno));
  }
  FileId id;
  id.size = static_cast<std::uintmax_t>(st.st_size);
  id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  id.inode = st.st_ino;
  return id;
}

Status FileRouteFeed::Load(const FileId& id) {
  WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(path_));
  auto specs = ParseRoutesJson(text);
  if (!specs.ok()) return specs.status().WithContext(path_.string());
  if (certificates_) {
    auto certs = ParseCertificatesJson(text);
    if (!certs.ok()) return certs.status().WithContext(path_.string());
    WHARF_RETURN_IF_ERROR(subscriber_->ReplaceAll(*specs).WithContext(path_.string()));
    Status loaded = certificates_->Replace(*certs);
    if (!loaded.ok() && on_error_) on_error_(loaded.WithContext(path_.string()));
  } else {
    WHARF_RETURN_IF_ERROR(subscriber_->ReplaceAll(*specs).WithContext(path_.string()));
  }
  loaded_ = id;
  return Status::Ok();
}

Status FileRouteFeed::Subscribe(RouteFeedSubscriber& subscriber) {
  subscriber_ = &subscriber;
  WHARF_ASSIGN_OR_RETURN(auto id, Stat());
  WHARF_RETURN_IF_ERROR(Load(id));
  thread_ = std::thread([this] { Watch(); });
  return Status::Ok();
}

void FileRouteFeed::Unsubscribe() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<bool> FileRouteFeed::PollOnce() {
  WHARF_ASSIGN_OR_RETURN(auto id, Stat());
  if (id == loaded_) return false;
  Status s = Load(id);
  if (!s.ok()) {
    loaded_ = id;  // report a bad file once, not on every poll
    return s;
  }
  return true;
}

void FileRouteFeed::Watch() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, poll_interval_, [&] { return stop_; })) {
    lock.unlock();
    auto r = PollOnce();
    if (!r.ok() && on_error_) on_error_(r.status());
    lock.lock();
  }
}

}  // namespace wharf::router
