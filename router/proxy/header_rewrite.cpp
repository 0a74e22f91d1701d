#include "router/proxy/header_rewrite.h"

#include "router/proxy/sticky.h"

namespace wharf::router {
namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

void AppendField(std::string* out, std::string_view name, std::string_view value) {
  out->append(name).append(": ").append(value).append("\r\n");
}

bool NamedInConnection(const HttpHead& head, std::string_view name) {
  for (std::size_t i = 0; i < head.connection_value_count; ++i) {
    if (HasToken(head.connection_values[i], name)) return true;
  }
  return false;
}

}  // namespace

bool IsHopByHop(const HttpHead& head, std::string_view name) {
  switch (name.size()) {
    case 2: return EqualsIgnoreCase(name, "te");
    case 7: if (EqualsIgnoreCase(name, "trailer") || EqualsIgnoreCase(name, "upgrade")) return true; break;
    case 10: if (EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive")) return true; break;
    case 17: if (EqualsIgnoreCase(name, "transfer-encoding")) return true; break;
    default: break;
  }
  if (StartsWithIgnoreCase(name, "proxy-")) return true;
  return head.connection_value_count > 0 && NamedInConnection(head, name);
}

void BuildUpstreamRequest(const HttpHead& req, const ForwardContext& ctx, std::string* out) {
  out->append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");
  if (req.absolute_form) AppendField(out, "Host", req.host);
  std::string_view xff_first;
  bool xff_many = false;
  bool have_fhost = false, have_start = false, have_id = false;
  for (std::size_t i = 0; i < req.field_count; ++i) {
    const HeaderField& f = req.fields[i];
    if (IsHopByHop(req, f.name)) {
      if (ctx.tunnel && EqualsIgnoreCase(f.name, "upgrade")) AppendField(out, f.name, f.value);
      continue;
    }
    if (f.name.size() >= 7 && (f.name[0] == 'x' || f.name[0] == 'X') && f.name[1] == '-') {
      if (EqualsIgnoreCase(f.name, "x-forwarded-for")) {
        if (xff_first.empty() && !xff_many) xff_first = f.value; else xff_many = true;
        continue;
      }
      if (EqualsIgnoreCase(f.name, "x-vcap-request-id") || EqualsIgnoreCase(f.name, "x-cf-applicationid") ||
          EqualsIgnoreCase(f.name, "x-cf-instanceid")) {
        continue;  // set by the router only
      }
      if (EqualsIgnoreCase(f.name, "x-forwarded-proto")) continue;  // the router's own (below): never the client's
      if (EqualsIgnoreCase(f.name, "x-forwarded-host")) have_fhost = true;
      else if (EqualsIgnoreCase(f.name, "x-request-start")) have_start = true;
      else if (EqualsIgnoreCase(f.name, "x-request-id")) have_id = true;
    } else if (req.expect_continue && EqualsIgnoreCase(f.name, "expect")) {
      continue;
    } else if (req.absolute_form && EqualsIgnoreCase(f.name, "host")) {
      continue;  // the request line's authority replaces it (below)
    }
    AppendField(out, f.name, f.value);
  }
  if (req.body == BodyKind::kChunked) out->append("Transfer-Encoding: chunked\r\n");
  if (ctx.tunnel) out->append("Connection: Upgrade\r\n");
  out->append("X-Forwarded-For: ");
  if (xff_many) {  // several fields: join them in order
    for (std::size_t i = 0; i < req.field_count; ++i) {
      if (EqualsIgnoreCase(req.fields[i].name, "x-forwarded-for")) out->append(req.fields[i].value).append(", ");
    }
  } else if (!xff_first.empty()) {
    out->append(xff_first).append(", ");
  }
  out->append(ctx.client_ip).append("\r\n");
  AppendField(out, "X-Forwarded-Proto", ctx.forwarded_proto);
  if (!have_fhost && !req.host.empty()) AppendField(out, "X-Forwarded-Host", req.host);
  if (!have_start) AppendField(out, "X-Request-Start", ctx.request_start_ms);
  if (!have_id) AppendField(out, "X-Request-Id", ctx.request_id);
  AppendField(out, "X-Vcap-Request-Id", ctx.request_id);
  if (!ctx.app_guid.empty()) AppendField(out, "X-CF-ApplicationID", ctx.app_guid);
  if (!ctx.instance_id.empty()) AppendField(out, "X-CF-InstanceID", ctx.instance_id);
  out->append("\r\n");
}

void BuildClientResponse(const HttpHead& res, const ResponseContext& ctx, std::string* out) {
  char code[4] = {static_cast<char>('0' + res.status / 100), static_cast<char>('0' + res.status / 10 % 10),
                  static_cast<char>('0' + res.status % 10), 0};
  out->append("HTTP/1.1 ").append(code, 3).append(" ").append(res.reason).append("\r\n");
  for (std::size_t i = 0; i < res.field_count; ++i) {
    const HeaderField& f = res.fields[i];
    if (IsHopByHop(res, f.name)) {
      if (ctx.tunnel && EqualsIgnoreCase(f.name, "upgrade")) AppendField(out, f.name, f.value);
      continue;
    }
    AppendField(out, f.name, f.value);
  }
  if (!ctx.sticky_instance.empty()) AppendVcapCookies(res, ctx.session_cookie, ctx.sticky_instance, out);
  if (ctx.chunked) out->append("Transfer-Encoding: chunked\r\n");
  if (ctx.tunnel) out->append("Connection: Upgrade\r\n");
  else if (ctx.close) out->append("Connection: close\r\n");
  out->append("\r\n");
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

std::string RouterResponse(int status, std::string_view error_code, std::string_view body, bool close) {
  std::string out;
  out.reserve(200 + body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(ReasonPhrase(status)).append("\r\n");
  out.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(std::to_string(body.size()));
  out.append("\r\n");
  if (!error_code.empty()) {
    AppendField(&out, "X-Wharf-Router-Error", error_code);
    AppendField(&out, "X-Cf-Routererror", error_code);
  }
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n").append(body);
  return out;
}

}  // namespace wharf::router
