#include "router/routes/registration.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

namespace wharf::router {
namespace {

using nlohmann::json;

std::string UriOf(const RouteKey& k) { return k.host + k.path; }

}  // namespace

std::string RegistrationToJson(const Registration& r, std::int64_t updated_at_ns) {
  json options = {{"loadbalancing", LoadBalancingName(r.load_balancing)}};
  if (r.load_balancing == LoadBalancing::kHash) {
    options["hash_header"] = r.hash.header;
    if (r.hash.balance > 0) options["hash_balance"] = std::to_string(r.hash.balance);
  }
  json j = {{"host", r.endpoint.host},
            {"port", r.endpoint.port},
            {"uris", json::array({UriOf(r.route)})},
            {"app", r.endpoint.app_guid},
            {"private_instance_id", r.endpoint.instance_id},
            {"private_instance_index", r.endpoint.index < 0 ? "" : std::to_string(r.endpoint.index)},
            {"endpoint_updated_at_ns", updated_at_ns},
            {"options", options},
            {"tags", {{"component", "wharf"}}},
            {"weight", r.endpoint.weight},
            {"version", r.endpoint.version},
            {"healthy", r.endpoint.healthy},
            {"modification_tag", {{"guid", r.endpoint.tag.guid}, {"index", r.endpoint.tag.index}}}};
  return j.dump();
}

std::string RegistrationHostProblem(const std::string& host, bool allow_loopback) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    const std::uint32_t a = ntohl(v4.s_addr);
    const std::uint32_t first = a >> 24;
    if (first == 127) return allow_loopback ? "" : "host " + host + " is a loopback address";
    if (first == 0) return "host " + host + " is unspecified";
    if ((a >> 16) == 0xA9FE) return "host " + host + " is link-local (169.254.0.0/16)";
    if (first >= 224) return "host " + host + " is multicast, reserved or broadcast";
    return "";
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return allow_loopback ? "" : "host " + host + " is a loopback address";
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return "host " + host + " is unspecified";
    if (IN6_IS_ADDR_LINKLOCAL(&v6)) return "host " + host + " is link-local (fe80::/10)";
    if (IN6_IS_ADDR_MULTICAST(&v6)) return "host " + host + " is multicast";
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char text[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
      return RegistrationHostProblem(text, allow_loopback);
    }
    return "";
  }
  return "host '" + host + "' is not an IP address";
}

Result<std::vector<Registration>> ParseRegistration(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("a registration must be a JSON object");
  Endpoint e;
  if (!j.contains("host") || !j["host"].is_string()) return Status::InvalidArgument("host: missing or not a string");
  e.host = j["host"].get<std::string>();
  if (!j.contains("port") || !j["port"].is_number_unsigned() || j["port"].get<std::uint64_t>() > 65535) {
    return Status::InvalidArgument("port: missing or not a port number");
  }
  e.port = static_cast<std::uint16_t>(j["port"].get<std::uint64_t>());
  if (j.contains("app") && j["app"].is_string()) e.app_guid = j["app"].get<std::string>();
  if (j.contains("private_instance_id") && j["private_instance_id"].is_string()) {
    e.instance_id = j["private_instance_id"].get<std::string>();
  }
  if (e.instance_id.empty()) e.instance_id = e.host + ":" + std::to_string(e.port);  // gorouter's fallback identity
  if (j.contains("private_instance_index") && j["private_instance_index"].is_string()) {
    const std::string& idx = j["private_instance_index"].get_ref<const std::string&>();
    if (!idx.empty() && std::all_of(idx.begin(), idx.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        idx.size() < 9) {
      e.index = std::atoi(idx.c_str());
    }
  }
  if (j.contains("weight")) {
    if (!j["weight"].is_number_unsigned() || j["weight"].get<std::uint64_t>() > 1'000'000) {
      return Status::InvalidArgument("weight: not a number from 0 to 1000000");
    }
    e.weight = static_cast<std::uint32_t>(j["weight"].get<std::uint64_t>());
  }
  if (j.contains("version") && j["version"].is_string()) e.version = j["version"].get<std::string>();
  if (j.contains("healthy") && j["healthy"].is_boolean()) e.healthy = j["healthy"].get<bool>();
  if (j.contains("modification_tag") && j["modification_tag"].is_object()) {
    const json& t = j["modification_tag"];
    if (t.contains("guid") && t["guid"].is_string()) e.tag.guid = t["guid"].get<std::string>();
    if (t.contains("index") && t["index"].is_number_unsigned()) e.tag.index = t["index"].get<std::uint64_t>();
  }
  if (Status valid = ValidateEndpoint(e); !valid.ok()) return valid;

  LoadBalancing lb = LoadBalancing::kRoundRobin;
  HashOptions hash;
  if (j.contains("options") && j["options"].is_object()) {
    const json& o = j["options"];
    if (o.contains("loadbalancing") && o["loadbalancing"].is_string()) {
      const std::string name = o["loadbalancing"].get<std::string>();
      if (!ParseLoadBalancing(name, &lb)) return Status::InvalidArgument("options.loadbalancing: unknown '" + name + "'");
    }
    if (o.contains("hash_header") && o["hash_header"].is_string()) hash.header = o["hash_header"].get<std::string>();
    if (o.contains("hash_balance")) {
      if (o["hash_balance"].is_string()) {
        hash.balance = std::atof(o["hash_balance"].get_ref<const std::string&>().c_str());
      } else if (o["hash_balance"].is_number()) {
        hash.balance = o["hash_balance"].get<double>();
      }
    }
  }
  if (lb == LoadBalancing::kHash && hash.header.empty()) {
    return Status::InvalidArgument("options.hash_header: needed with loadbalancing 'hash'");
  }

  if (!j.contains("uris") || !j["uris"].is_array() || j["uris"].empty()) {
    return Status::InvalidArgument("uris: missing or empty");
  }
  std::vector<Registration> out;
  for (std::size_t i = 0; i < j["uris"].size(); ++i) {
    const json& u = j["uris"][i];
    if (!u.is_string()) return Status::InvalidArgument("uris[" + std::to_string(i) + "]: not a string");
    auto key = ParseRouteUri(u.get<std::string>());
    if (!key.ok()) return Status::InvalidArgument("uris[" + std::to_string(i) + "]: " + key.status().message());
    out.push_back(Registration{*key, e, lb, hash});
  }
  return out;
}

std::vector<Registration> RegistrationsOf(const std::vector<RouteSpec>& routes) {
  std::vector<Registration> out;
  for (const RouteSpec& r : routes) {
    for (const Endpoint& e : r.endpoints) out.push_back(Registration{r.key, e, r.load_balancing, r.hash});
  }
  return out;
}

std::string RouterGreetingToJson(const RouterGreeting& g) {
  return json{{"id", g.id},
              {"minimumRegisterIntervalInSeconds", g.register_interval.count()},
              {"pruneThresholdInSeconds", g.prune_threshold.count()}}
      .dump();
}

Result<RouterGreeting> ParseRouterGreeting(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("a router greeting must be a JSON object");
  RouterGreeting g;
  if (j.contains("id") && j["id"].is_string()) g.id = j["id"].get<std::string>();
  auto seconds = [&](const char* field, std::chrono::seconds* out) -> Status {
    if (!j.contains(field)) return Status::Ok();
    if (!j[field].is_number_unsigned() || j[field].get<std::uint64_t>() == 0 || j[field].get<std::uint64_t>() > 86'400) {
      return Status::InvalidArgument(std::string(field) + ": not a number of seconds from 1 to 86400");
    }
    *out = std::chrono::seconds(j[field].get<std::uint64_t>());
    return Status::Ok();
  };
  WHARF_RETURN_IF_ERROR(seconds("minimumRegisterIntervalInSeconds", &g.register_interval));
  WHARF_RETURN_IF_ERROR(seconds("pruneThresholdInSeconds", &g.prune_threshold));
  return g;
}

bool RegistrationTable::Register(const Registration& r, TimePoint now) {
  auto key = std::make_pair(r.route, r.endpoint.instance_id);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::move(key), Entry{r, now, ++next_order_});
    return true;
  }
  it->second.seen = now;
  if (it->second.registration == r) return false;
  it->second.registration = r;
  it->second.order = ++next_order_;
  return true;
}

bool RegistrationTable::Unregister(const RouteKey& route, std::string_view instance_id) {
  return entries_.erase(std::make_pair(route, std::string(instance_id))) > 0;
}

std::size_t RegistrationTable::Prune(TimePoint now, std::chrono::milliseconds threshold) {
  return std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.seen > threshold; });
}

void RegistrationTable::Refresh(TimePoint now) {
  for (auto& [key, entry] : entries_) entry.seen = now;
}

std::vector<RouteSpec> RegistrationTable::Routes() const {
  std::vector<RouteSpec> out;
  std::uint64_t latest = 0;
  for (const auto& [key, entry] : entries_) {  // sorted by route, then instance
    if (out.empty() || out.back().key != key.first) {
      out.push_back(RouteSpec{key.first, entry.registration.load_balancing, {}, entry.registration.hash});
      latest = entry.order;
    } else if (entry.order > latest) {
      out.back().load_balancing = entry.registration.load_balancing;
      out.back().hash = entry.registration.hash;
      latest = entry.order;
    }
    out.back().endpoints.push_back(entry.registration.endpoint);
  }
  return out;
}

}  // namespace wharf::router
