#include "services/osb_client.h"

#include <sstream>
#include <thread>

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace wharf::services {

using nlohmann::json;

namespace {

std::string BasicAuth(const std::string& user, const std::string& password) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << user << ':' << password;
  encoder.close();
  return "Basic " + out.str();
}

std::string Escape(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]% ", out);
  return out;
}

std::string Query(const OsbTarget& t) {
  return "service_id=" + Escape(t.service_id) + "&plan_id=" + Escape(t.plan_id);
}

// The broker's error body: {"error": "AsyncRequired", "description": "..."}; both optional.
std::string Describe(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  std::string out;
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_string()) out = j["error"].get<std::string>();
    if (j.contains("description") && j["description"].is_string()) {
      out += (out.empty() ? "" : ": ") + j["description"].get<std::string>();
    }
  }
  if (out.empty()) out = body.substr(0, 200);
  return out;
}

Status ErrorOf(const std::string& what, int status, const std::string& body) {
  std::string message = "service broker " + what + " answered " + std::to_string(status);
  std::string detail = Describe(body);
  if (!detail.empty()) message += ": " + detail;
  if (status == 400) return Status::InvalidArgument(message);
  if (status == 409) return Status::Conflict(message);
  if (status == 422) return Status::Unprocessable(message);
  if (status == 404) return Status::NotFound(message);
  return Status::Unavailable(message);
}

// A 2xx body that must be a JSON object.
Result<json> ObjectBody(const std::string& what, const std::string& body) {
  json j = json::parse(body.empty() ? "{}" : body, nullptr, false);
  if (!j.is_object()) {
    return Status::Unavailable("service broker " + what + " gave an invalid response (not a JSON object): " +
                               body.substr(0, 200));
  }
  return j;
}

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Whether the platform must clean up after a failed provision or bind (spec: Orphan Mitigation).
bool NeedsMitigation(const Status& s, int status) {
  if (status == 0) return s.code() == StatusCode::kUnavailable;  // timeout or connection lost mid-request
  return status == 408 || status >= 500 || status == 200 || status == 201;
}

Result<LastOperation> ReadLastOperation(const std::string& what, int status, const std::string& body,
                                        std::optional<std::chrono::seconds> retry_after) {
  LastOperation op;
  op.retry_after = retry_after;
  if (status == 410) {
    op.gone = true;
    op.state = "succeeded";
    return op;
  }
  if (status != 200) return ErrorOf(what, status, body);
  WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, body));
  op.state = StringField(j, "state");
  op.description = StringField(j, "description");
  if (op.state != "in progress" && op.state != "succeeded" && op.state != "failed") {
    return Status::Unavailable("service broker " + what + " gave an invalid state '" + op.state + "'");
  }
  return op;
}

// The answer to a DELETE of an instance or a binding: 410 is "gone", 200 done, 202 in progress
// (with the broker's operation).
Result<OsbOutcome> ReadDeleteReply(const std::string& what, int status, const std::string& body) {
  OsbOutcome o;
  if (status == 410) {
    o.gone = true;
    return o;
  }
  if (status != 200 && status != 202) return ErrorOf(what, status, body);
  WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, body));
  o.async = status == 202;
  o.operation = StringField(j, "operation");
  return o;
}

}  // namespace

Result<OsbClient::Reply> OsbClient::Send(const std::string& method, const std::string& path_and_query,
                                         const json* body) {
  Poco::URI base;
  try {
    base = Poco::URI(endpoint_.url);
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("service broker url '" + endpoint_.url + "' is not a URL: " + e.displayText());
  }
  if (base.getScheme() != "http") {
    return Status::InvalidArgument("service broker url '" + endpoint_.url + "' must be http://");
  }
  std::string prefix = base.getPath();
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string where = "at " + endpoint_.url;
  try {
    Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
    long ms = static_cast<long>(endpoint_.timeout.count());
    session.setTimeout(Poco::Timespan(ms / 1000, (ms % 1000) * 1000));
    Poco::Net::HTTPRequest req(method, prefix + path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("X-Broker-API-Version", kBrokerApiVersion);
    req.set("Authorization", BasicAuth(endpoint_.username, endpoint_.password));
    req.set("Accept", "application/json");
    std::string text = body ? body->dump() : "";
    if (body) {
      req.setContentType("application/json");
      req.setContentLength64(static_cast<Poco::Int64>(text.size()));
    }
    std::ostream& os = session.sendRequest(req);
    os << text;
    Poco::Net::HTTPResponse resp;
    std::istream& is = session.receiveResponse(resp);
    Reply reply;
    reply.status = static_cast<int>(resp.getStatus());
    Poco::StreamCopier::copyToString(is, reply.body);
    if (resp.has("Retry-After")) {
      try {
        long seconds = std::stol(resp.get("Retry-After"));
        if (seconds >= 0) reply.retry_after = std::chrono::seconds(seconds);
      } catch (const std::exception&) {
        // An HTTP date or garbage: the default interval applies.
      }
    }
    if (reply.status == 401 || reply.status == 403) {
      return Status::Unavailable("service broker " + where + " refused the platform's credentials (" +
                                 std::to_string(reply.status) + ")");
    }
    if (reply.status == 412) {
      return Status::Unavailable("service broker " + where + " does not support API version " + kBrokerApiVersion);
    }
    return reply;
  } catch (const Poco::TimeoutException&) {
    return Status::Unavailable("service broker " + where + " did not answer within " +
                               std::to_string(endpoint_.timeout.count()) + " ms");
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return Status::Unavailable("service broker " + where + " is not reachable (connection refused)");
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("service broker " + where + " failed: " + e.displayText());
  }
}

Result<json> OsbClient::Catalog() {
  const std::string what = "at " + endpoint_.url + " (catalog)";
  WHARF_ASSIGN_OR_RETURN(auto r, Send("GET", "/v2/catalog", nullptr));
  if (r.status != 200) return ErrorOf(what, r.status, r.body);
  WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, r.body));
  if (!j.contains("services") || !j["services"].is_array()) {
    return Status::Unavailable("service broker " + what + " gave an invalid catalog: no \"services\" array");
  }
  return j;
}

Result<OsbOutcome> OsbClient::Provision(const std::string& instance_id, const OsbTarget& target,
                                        const json& parameters, const std::string& org_guid,
                                        const std::string& space_guid) {
  const std::string what = "at " + endpoint_.url + " (provision)";
  json body = {{"service_id", target.service_id},
               {"plan_id", target.plan_id},
               {"organization_guid", org_guid},
               {"space_guid", space_guid},
               {"context", {{"platform", "cloudfoundry"}, {"organization_guid", org_guid}, {"space_guid", space_guid}}}};
  if (!parameters.empty()) body["parameters"] = parameters;
  const std::string path = "/v2/service_instances/" + Escape(instance_id) + "?accepts_incomplete=true";
  Result<Reply> r = Send("PUT", path, &body);
  int status = r.ok() ? r->status : 0;
  Result<OsbOutcome> out = [&]() -> Result<OsbOutcome> {
    if (!r.ok()) return r.status();
    if (r->status != 200 && r->status != 201 && r->status != 202) return ErrorOf(what, r->status, r->body);
    WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, r->body));
    OsbOutcome o;
    o.async = r->status == 202;
    o.operation = StringField(j, "operation");
    o.dashboard_url = StringField(j, "dashboard_url");
    return o;
  }();
  if (!out.ok() && NeedsMitigation(out.status(), status)) {
    (void)Deprovision(instance_id, target);  // best effort; the error below is what matters
    return out.status().WithContext("provisioning failed; a deprovision was sent (orphan mitigation)");
  }
  return out;
}

Result<OsbOutcome> OsbClient::Update(const std::string& instance_id, const OsbTarget& target,
                                     const std::string& previous_plan_id, const json& parameters) {
  const std::string what = "at " + endpoint_.url + " (update)";
  json body = {{"service_id", target.service_id},
               {"plan_id", target.plan_id},
               {"previous_values", {{"plan_id", previous_plan_id}, {"service_id", target.service_id}}}};
  if (!parameters.empty()) body["parameters"] = parameters;
  WHARF_ASSIGN_OR_RETURN(auto r, Send("PATCH", "/v2/service_instances/" + Escape(instance_id) + "?accepts_incomplete=true", &body));
  if (r.status != 200 && r.status != 202) return ErrorOf(what, r.status, r.body);
  WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, r.body));
  OsbOutcome o;
  o.async = r.status == 202;
  o.operation = StringField(j, "operation");
  o.dashboard_url = StringField(j, "dashboard_url");
  return o;
}

Result<OsbOutcome> OsbClient::Deprovision(const std::string& instance_id, const OsbTarget& target) {
  const std::string what = "at " + endpoint_.url + " (deprovision)";
  WHARF_ASSIGN_OR_RETURN(auto r, Send("DELETE", "/v2/service_instances/" + Escape(instance_id) + "?accepts_incomplete=true&" +
                                       Query(target),
                         nullptr));
  return ReadDeleteReply(what, r.status, r.body);
}

Result<LastOperation> OsbClient::InstanceLastOperation(const std::string& instance_id, const OsbTarget& target,
                                                       const std::string& operation) {
  std::string path = "/v2/service_instances/" + Escape(instance_id) + "/last_operation?" + Query(target);
  if (!operation.empty()) path += "&operation=" + Escape(operation);
  WHARF_ASSIGN_OR_RETURN(auto r, Send("GET", path, nullptr));
  return ReadLastOperation("at " + endpoint_.url + " (last operation)", r.status, r.body, r.retry_after);
}

Result<OsbOutcome> OsbClient::Bind(const std::string& instance_id, const std::string& binding_id,
                                   const OsbTarget& target, const std::string& app_guid, const json& parameters) {
  const std::string what = "at " + endpoint_.url + " (bind)";
  json body = {{"service_id", target.service_id}, {"plan_id", target.plan_id}, {"context", {{"platform", "cloudfoundry"}}}};
  if (!app_guid.empty()) {
    body["app_guid"] = app_guid;
    body["bind_resource"] = {{"app_guid", app_guid}};
  }
  if (!parameters.empty()) body["parameters"] = parameters;
  const std::string path = "/v2/service_instances/" + Escape(instance_id) + "/service_bindings/" + Escape(binding_id) +
                           "?accepts_incomplete=true";
  Result<Reply> r = Send("PUT", path, &body);
  int status = r.ok() ? r->status : 0;
  Result<OsbOutcome> out = [&]() -> Result<OsbOutcome> {
    if (!r.ok()) return r.status();
    if (r->status != 200 && r->status != 201 && r->status != 202) return ErrorOf(what, r->status, r->body);
    WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, r->body));
    OsbOutcome o;
    o.async = r->status == 202;
    o.operation = StringField(j, "operation");
    if (!o.async) {
      if (j.contains("credentials") && !j["credentials"].is_object()) {
        return Status::Unavailable("service broker " + what + " gave an invalid response: credentials is not an object");
      }
      o.credentials = j.value("credentials", json::object());
      o.syslog_drain_url = StringField(j, "syslog_drain_url");
      o.volume_mounts = j.value("volume_mounts", json::array());
    }
    return o;
  }();
  if (!out.ok() && NeedsMitigation(out.status(), status)) {
    (void)Unbind(instance_id, binding_id, target);
    return out.status().WithContext("binding failed; an unbind was sent (orphan mitigation)");
  }
  return out;
}

Result<OsbOutcome> OsbClient::Unbind(const std::string& instance_id, const std::string& binding_id,
                                     const OsbTarget& target) {
  const std::string what = "at " + endpoint_.url + " (unbind)";
  WHARF_ASSIGN_OR_RETURN(auto r, Send("DELETE", "/v2/service_instances/" + Escape(instance_id) + "/service_bindings/" +
                                       Escape(binding_id) + "?accepts_incomplete=true&" + Query(target),
                         nullptr));
  return ReadDeleteReply(what, r.status, r.body);
}

Result<LastOperation> OsbClient::BindingLastOperation(const std::string& instance_id, const std::string& binding_id,
                                                      const OsbTarget& target, const std::string& operation) {
  std::string path = "/v2/service_instances/" + Escape(instance_id) + "/service_bindings/" + Escape(binding_id) +
                     "/last_operation?" + Query(target);
  if (!operation.empty()) path += "&operation=" + Escape(operation);
  WHARF_ASSIGN_OR_RETURN(auto r, Send("GET", path, nullptr));
  return ReadLastOperation("at " + endpoint_.url + " (binding last operation)", r.status, r.body, r.retry_after);
}

Result<OsbOutcome> OsbClient::FetchBinding(const std::string& instance_id, const std::string& binding_id) {
  const std::string what = "at " + endpoint_.url + " (fetch binding)";
  Result<Reply> r =
      Send("GET", "/v2/service_instances/" + Escape(instance_id) + "/service_bindings/" + Escape(binding_id), nullptr);
  if (!r.ok()) return r.status();
  if (r->status != 200) return ErrorOf(what, r->status, r->body);
  WHARF_ASSIGN_OR_RETURN(auto j, ObjectBody(what, r->body));
  OsbOutcome o;
  o.credentials = j.value("credentials", json::object());
  o.syslog_drain_url = StringField(j, "syslog_drain_url");
  o.volume_mounts = j.value("volume_mounts", json::array());
  return o;
}

Result<LastOperation> PollLastOperation(const std::function<Result<LastOperation>()>& poll,
                                        const std::function<void(std::chrono::milliseconds)>& sleep,
                                        std::chrono::milliseconds interval, std::chrono::seconds max_duration) {
  std::chrono::milliseconds slept{0};
  for (;;) {
    WHARF_ASSIGN_OR_RETURN(auto op, poll());
    if (op.state != "in progress") return op;
    std::chrono::milliseconds wait = op.retry_after ? std::chrono::milliseconds(*op.retry_after) : interval;
    if (slept + wait > max_duration) {
      return Status::Unavailable("the service broker's operation is still in progress after " +
                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(slept).count()) +
                                 "s (maximum polling duration " + std::to_string(max_duration.count()) + "s)");
    }
    sleep(wait);
    slept += wait;
  }
}

}  // namespace wharf::services
