#include "api-model/platform/route.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Domain> Domain::FromJson(const json& j) {
  Domain d;
  return FieldReader(j, "domain")
      .Required("guid", d.guid)
      .Required("name", d.name)
      .Optional("shared", d.shared)
      .Optional("created_at", d.created_at)
      .Optional("internal", d.internal)
      .Optional("tls", d.tls)
      .Optional("http", d.http)
      .Optional("certificate_names", d.certificate_names)
      .Optional("certificate_not_after", d.certificate_not_after)
      .Finish(d);
}

json Domain::ToJson() const {
  json j = {{"guid", guid}, {"name", name}, {"shared", shared}, {"created_at", created_at}, {"internal", internal},
            {"tls", tls}};
  if (tls) {
    j["http"] = http;
    j["certificate_names"] = certificate_names;
    j["certificate_not_after"] = certificate_not_after;
  }
  return j;
}

Result<DomainRef> DomainRef::FromJson(const json& j) {
  DomainRef d;
  return FieldReader(j, "domain").Required("guid", d.guid).Optional("name", d.name).Finish(d);
}

json DomainRef::ToJson() const { return {{"guid", guid}, {"name", name}}; }

Result<Destination> Destination::FromJson(const json& j) {
  Destination d;
  return FieldReader(j, "destination")
      .Required("app_guid", d.app_guid)
      .Optional("app_name", d.app_name)
      .Optional("process_type", d.process_type)
      .Finish(d);
}

json Destination::ToJson() const { return {{"app_guid", app_guid}, {"app_name", app_name}, {"process_type", process_type}}; }

namespace {

struct RouteOptions {
  std::string loadbalancing = "round-robin";
  std::string hash_header;
  std::string hash_balance;
  static Result<RouteOptions> FromJson(const json& j) {
    RouteOptions o;
    return FieldReader(j, "options")
        .Optional("loadbalancing", o.loadbalancing)
        .Optional("hash_header", o.hash_header)
        .Optional("hash_balance", o.hash_balance)
        .Finish(o);
  }
};

}  // namespace

Result<Route> Route::FromJson(const json& j) {
  Route r;
  RouteOptions options;
  FieldReader reader(j, "route");
  reader.Required("guid", r.guid)
      .Optional("host", r.host)
      .Optional("path", r.path)
      .Optional("domain", r.domain)
      .Optional("url", r.url)
      .Optional("options", options)
      .Optional("destinations", r.destinations)
      .Optional("created_at", r.created_at);
  r.load_balancing = options.loadbalancing;
  r.hash_header = options.hash_header;
  r.hash_balance = options.hash_balance;
  return reader.Finish(r);
}

json Route::ToJson() const {
  json options = {{"loadbalancing", load_balancing}};
  if (!hash_header.empty()) options["hash_header"] = hash_header;
  if (!hash_balance.empty()) options["hash_balance"] = hash_balance;
  return {{"guid", guid},
          {"host", host},
          {"path", path},
          {"domain", domain.ToJson()},
          {"url", url},
          {"options", std::move(options)},
          {"destinations", ListJson(destinations)},
          {"created_at", created_at}};
}

}  // namespace wharf::api
