#include "router/proxy/header_rewrite.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace wharf::router {
namespace {

struct Parsed {
  std::string text;
  HttpHead head;
};

std::unique_ptr<Parsed> Request(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->text = std::move(text);
  std::size_t scan = 0;
  REQUIRE(ParseRequestHead(p->text, HttpLimits{}, &p->head, &scan).state == ParseState::kComplete);
  REQUIRE(AnalyzeRequest(&p->head) == 0);
  return p;
}

std::unique_ptr<Parsed> Response(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->text = std::move(text);
  std::size_t scan = 0;
  REQUIRE(ParseResponseHead(p->text, HttpLimits{}, &p->head, &scan).state == ParseState::kComplete);
  REQUIRE(AnalyzeResponse(&p->head, "GET") == 0);
  return p;
}

ForwardContext Ctx() {
  ForwardContext c;
  c.client_ip = "10.0.0.9";
  c.request_id = "rid-1";
  c.request_start_ms = "1800000000000";
  c.app_guid = "app-1";
  c.instance_id = "inst-1";
  return c;
}

bool Has(const std::string& s, const std::string& line) { return s.find(line) != std::string::npos; }

TEST_CASE("an absolute-form request reaches the instance in origin form with the authority as its Host") {
  auto req = Request("GET http://app.test/x?y=1 HTTP/1.1\r\nHost: other.test\r\nAccept: */*\r\n\r\n");
  std::string out;
  BuildUpstreamRequest(req->head, Ctx(), &out);
  CHECK(out.rfind("GET /x?y=1 HTTP/1.1\r\nHost: app.test\r\n", 0) == 0);
  CHECK(out.find("other.test") == std::string::npos);
  CHECK(out.find("Accept: */*\r\n") != std::string::npos);
}

TEST_CASE("the upstream request drops hop-by-hop fields, including those named by Connection") {
  auto r = Request("GET /x HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: 5\r\n"
                   "X-Secret: s\r\nProxy-Authorization: p\r\nTE: trailers\r\nTrailer: X\r\nUpgrade: h2c\r\n"
                   "Accept: */*\r\n\r\n");
  std::string out;
  BuildUpstreamRequest(r->head, Ctx(), &out);
  CHECK(out.rfind("GET /x HTTP/1.1\r\n", 0) == 0);
  CHECK(Has(out, "Host: a.test\r\n"));
  CHECK(Has(out, "Accept: */*\r\n"));
  for (const char* gone : {"Connection", "Keep-Alive", "X-Secret", "Proxy-Authorization", "TE:", "Trailer", "Upgrade"}) {
    CHECK_MESSAGE(!Has(out, gone), gone);
  }
  CHECK(out.substr(out.size() - 4) == "\r\n\r\n");
}

TEST_CASE("the upstream request appends to X-Forwarded-For and adds the forwarding fields") {
  auto r = Request("GET / HTTP/1.1\r\nHost: a.test:8080\r\nX-Forwarded-For: 1.1.1.1\r\n"
                   "X-Forwarded-For: 2.2.2.2\r\n\r\n");
  std::string out;
  BuildUpstreamRequest(r->head, Ctx(), &out);
  CHECK(Has(out, "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.9\r\n"));
  CHECK(Has(out, "X-Forwarded-Proto: http\r\n"));
  CHECK(Has(out, "X-Forwarded-Host: a.test:8080\r\n"));
  CHECK(Has(out, "X-Request-Start: 1800000000000\r\n"));
  CHECK(Has(out, "X-Request-Id: rid-1\r\n"));
  CHECK(Has(out, "X-Vcap-Request-Id: rid-1\r\n"));
  CHECK(Has(out, "X-CF-ApplicationID: app-1\r\n"));
  CHECK(Has(out, "X-CF-InstanceID: inst-1\r\n"));
}

TEST_CASE("forwarding fields the client sent are kept, X-Vcap-Request-Id and X-Forwarded-Proto are replaced") {
  auto r = Request("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\nX-Request-Start: 5\r\n"
                   "X-Request-Id: mine\r\nX-Vcap-Request-Id: forged\r\n\r\n");
  std::string out;
  ForwardContext c = Ctx();
  c.request_id = "mine";
  BuildUpstreamRequest(r->head, c, &out);
  CHECK(Has(out, "X-Forwarded-Proto: http\r\n"));  // the router's listener decides, not the client
  CHECK_FALSE(Has(out, "X-Forwarded-Proto: https\r\n"));
  CHECK(Has(out, "X-Request-Start: 5\r\n"));
  CHECK_FALSE(Has(out, "X-Request-Start: 1800000000000"));
  CHECK(Has(out, "X-Request-Id: mine\r\n"));
  CHECK(Has(out, "X-Vcap-Request-Id: mine\r\n"));
  CHECK_FALSE(Has(out, "forged"));
}

TEST_CASE("a chunked request is re-framed chunked and Expect: 100-continue is answered by the router") {
  auto r = Request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
  std::string out;
  BuildUpstreamRequest(r->head, Ctx(), &out);
  CHECK(Has(out, "Transfer-Encoding: chunked\r\n"));
  CHECK_FALSE(Has(out, "Expect"));
}

TEST_CASE("an upgrade request keeps Upgrade and says Connection: Upgrade") {
  auto r = Request("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Key: k\r\n\r\n");
  std::string out;
  ForwardContext c = Ctx();
  c.tunnel = true;
  BuildUpstreamRequest(r->head, c, &out);
  CHECK(Has(out, "Upgrade: websocket\r\n"));
  CHECK(Has(out, "Connection: Upgrade\r\n"));
  CHECK(Has(out, "Sec-WebSocket-Key: k\r\n"));
}

TEST_CASE("the client response drops hop-by-hop fields and sets framing and Connection") {
  auto r = Response("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                    "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n");
  std::string out;
  ResponseContext c;
  c.chunked = true;
  c.close = true;
  BuildClientResponse(r->head, c, &out);
  CHECK(out == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
               "Connection: close\r\n\r\n");
}

TEST_CASE("the client response mirrors JSESSIONID as __VCAP_ID__") {
  auto r = Response("HTTP/1.1 200 OK\r\nSet-Cookie: JSESSIONID=z; Path=/; Secure\r\nContent-Length: 0\r\n\r\n");
  std::string out;
  ResponseContext c;
  c.sticky_instance = "inst-3";
  BuildClientResponse(r->head, c, &out);
  CHECK(Has(out, "Set-Cookie: JSESSIONID=z; Path=/; Secure\r\n"));
  CHECK(Has(out, "Set-Cookie: __VCAP_ID__=inst-3; Path=/; Secure\r\n"));
}

TEST_CASE("router responses carry the error code and a matching Content-Length") {
  std::string r = RouterResponse(404, "unknown_route", "nope\n", false);
  CHECK(r.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CHECK(Has(r, "X-Wharf-Router-Error: unknown_route\r\n"));
  CHECK(Has(r, "Content-Length: 5\r\n"));
  CHECK_FALSE(Has(r, "Connection: close"));
  CHECK(r.substr(r.size() - 5) == "nope\n");
}

}  // namespace
}  // namespace wharf::router
