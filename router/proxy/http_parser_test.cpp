#include "router/proxy/http_parser.h"

#include <doctest/doctest.h>

#include <string>

namespace wharf::router {
namespace {

// Parses a copy of `text` that outlives the call, since the head's views point into it.
ParseResult ParseReq(const std::string& text, HttpHead* h, HttpLimits limits = {}) {
  static std::string kept;
  kept = text;
  std::size_t scan = 0;
  return ParseRequestHead(kept, limits, h, &scan);
}

TEST_CASE("a simple GET parses into method, target, version and fields") {
  HttpHead h;
  std::string text = "GET /a?b=1 HTTP/1.1\r\nHost: app.test\r\nX-Y:  spaced value \r\n\r\nBODY";
  ParseResult r = ParseReq(text, &h);
  REQUIRE(r.state == ParseState::kComplete);
  CHECK(r.head_length == text.size() - 4);
  CHECK(h.method == "GET");
  CHECK(h.target == "/a?b=1");
  CHECK(h.Path() == "/a");
  CHECK(h.minor_version == 1);
  CHECK(h.field_count == 2);
  CHECK(h.Find("x-y") == "spaced value");
  REQUIRE(AnalyzeRequest(&h) == 0);
  CHECK(h.host == "app.test");
  CHECK(h.body == BodyKind::kNone);
  CHECK(h.KeepAlive());
}

TEST_CASE("an incomplete head asks for more and resumes its scan") {
  HttpHead h;
  std::string text = "GET / HTTP/1.1\r\nHost: a\r\n";
  std::size_t scan = 0;
  CHECK(ParseRequestHead(text, HttpLimits{}, &h, &scan).state == ParseState::kIncomplete);
  CHECK(scan == text.size());
  text += "\r\n";
  CHECK(ParseRequestHead(text, HttpLimits{}, &h, &scan).state == ParseState::kComplete);
}

TEST_CASE("a request line longer than the limit is 414, even before it ends") {
  HttpLimits limits;
  limits.max_request_line = 100;
  HttpHead h;
  CHECK(ParseReq("GET /" + std::string(200, 'a'), &h, limits).error_status == 414);
  CHECK(ParseReq("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", &h, limits).error_status == 414);
}

TEST_CASE("a head larger than the limit is 431, even before it ends") {
  HttpLimits limits;
  limits.max_header_bytes = 1000;
  HttpHead h;
  std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'x');
  CHECK(ParseReq(big, &h, limits).error_status == 431);
  CHECK(ParseReq(big + "\r\n\r\n", &h, limits).error_status == 431);
}

TEST_CASE("too many header fields is 431") {
  HttpLimits limits;
  limits.max_header_fields = 5;
  std::string text = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 6; ++i) text += "X-" + std::to_string(i) + ": v\r\n";
  HttpHead h;
  CHECK(ParseReq(text + "\r\n", &h, limits).error_status == 431);
}

TEST_CASE("malformed heads are 400") {
  HttpHead h;
  CHECK(ParseReq("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &h).error_status == 400);
  CHECK(ParseReq("GET / HTTP/1.1\r\nName : x\r\n\r\n", &h).error_status == 400);
  CHECK(ParseReq("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &h).error_status == 400);
  CHECK(ParseReq("GET / HTTP/2.0\r\n\r\n", &h).error_status == 400);
  CHECK(ParseReq("GET  / HTTP/1.1\r\n\r\n", &h).error_status == 400);
}

TEST_CASE("request framing: Content-Length, chunked, and the smuggling cases") {
  HttpHead h;
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n", &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);
  CHECK(h.body == BodyKind::kLength);
  CHECK(h.content_length == 12);

  REQUIRE(ParseReq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", &h).state ==
          ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);
  CHECK(h.body == BodyKind::kChunked);

  REQUIRE(ParseReq("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", &h).state ==
          ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 400);
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", &h).state ==
          ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 400);
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &h).state ==
          ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 400);
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 501);
  REQUIRE(ParseReq("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 400);
}

TEST_CASE("a doubled Transfer-Encoding is refused, codings over two fields keep chunked last") {
  HttpHead h;
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                   &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 400);
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
                   &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 400);
  REQUIRE(ParseReq("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                   &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);
  CHECK(h.body == BodyKind::kChunked);
}

TEST_CASE("an absolute-form target routes by its authority and is forwarded in origin form") {
  HttpHead h;
  REQUIRE(ParseReq("GET http://App.Test:8080/x/y?q=1 HTTP/1.1\r\nHost: other.test\r\n\r\n", &h).state ==
          ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);
  CHECK(h.absolute_form);
  CHECK(h.host == "App.Test:8080");
  CHECK(h.target == "/x/y?q=1");
  REQUIRE(ParseReq("GET HTTPS://app.test HTTP/1.1\r\n\r\n", &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);  // no Host field needed
  CHECK(h.host == "app.test");
  CHECK(h.target == "/");
  for (const char* bad : {"GET http://user@app.test/ HTTP/1.1\r\nHost: a\r\n\r\n",
                          "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n",
                          "GET http://app.test?q HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    REQUIRE(ParseReq(bad, &h).state == ParseState::kComplete);
    CHECK_MESSAGE(AnalyzeRequest(&h) == 400, bad);
  }
  REQUIRE(ParseReq("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n", &h).state == ParseState::kComplete);
  CHECK(AnalyzeRequest(&h) == 0);
  CHECK_FALSE(h.absolute_form);
  CHECK(h.host == "a");
}

TEST_CASE("Connection, Upgrade and Expect are recognised") {
  HttpHead h;
  REQUIRE(ParseReq("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
                   "Expect: 100-continue\r\n\r\n", &h).state == ParseState::kComplete);
  REQUIRE(AnalyzeRequest(&h) == 0);
  CHECK(h.connection_upgrade);
  CHECK(h.upgrade == "websocket");
  CHECK(h.expect_continue);
  REQUIRE(ParseReq("GET / HTTP/1.0\r\n\r\n", &h).state == ParseState::kComplete);
  REQUIRE(AnalyzeRequest(&h) == 0);
  CHECK_FALSE(h.KeepAlive());
  REQUIRE(ParseReq("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &h).state == ParseState::kComplete);
  REQUIRE(AnalyzeRequest(&h) == 0);
  CHECK_FALSE(h.KeepAlive());
}

TEST_CASE("response framing follows the status, the method and the fields") {
  HttpHead h;
  std::size_t scan = 0;
  std::string text;  // the head's views point into it
  auto parse = [&](const std::string& t) {
    scan = 0;
    text = t;
    return ParseResponseHead(text, HttpLimits{}, &h, &scan).state;
  };
  REQUIRE(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n") == ParseState::kComplete);
  CHECK(h.status == 200);
  CHECK(h.reason == "OK");
  REQUIRE(AnalyzeResponse(&h, "GET") == 0);
  CHECK(h.body == BodyKind::kLength);
  REQUIRE(AnalyzeResponse(&h, "HEAD") == 0);
  CHECK(h.body == BodyKind::kNone);
  REQUIRE(parse("HTTP/1.1 204 No Content\r\n\r\n") == ParseState::kComplete);
  REQUIRE(AnalyzeResponse(&h, "GET") == 0);
  CHECK(h.body == BodyKind::kNone);
  REQUIRE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") == ParseState::kComplete);
  REQUIRE(AnalyzeResponse(&h, "GET") == 0);
  CHECK(h.body == BodyKind::kChunked);
  REQUIRE(parse("HTTP/1.0 200 OK\r\n\r\n") == ParseState::kComplete);
  REQUIRE(AnalyzeResponse(&h, "GET") == 0);
  CHECK(h.body == BodyKind::kUntilClose);
  CHECK_FALSE(h.KeepAlive());
  REQUIRE(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == ParseState::kComplete);
  REQUIRE(AnalyzeResponse(&h, "GET") == 0);
  CHECK(h.body == BodyKind::kNone);
  CHECK(parse("SSH-2.0-OpenSSH\r\n") == ParseState::kError);
  CHECK(parse("HTTP/1.1 2x0 OK\r\n\r\n") == ParseState::kError);
}

TEST_CASE("ChunkedScanner finds the end of a chunked body fed byte by byte") {
  std::string body = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  ChunkedScanner s;
  std::size_t used = 0;
  for (char c : body) {
    if (s.done()) break;
    used += s.Feed(&c, 1, nullptr);
  }
  CHECK(s.done());
  CHECK(used == body.size() - 4);
}

TEST_CASE("ChunkedScanner reports the payload for de-chunking") {
  std::string body = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  ChunkedScanner s;
  std::vector<std::string_view> payload;
  CHECK(s.Feed(body.data(), body.size(), &payload) == body.size());
  std::string joined;
  for (auto p : payload) joined += p;
  CHECK(joined == "abcde");
  CHECK(s.done());
}

TEST_CASE("ChunkedScanner rejects garbage and oversized chunk sizes") {
  ChunkedScanner a;
  std::string bad = "zz\r\n";
  a.Feed(bad.data(), bad.size(), nullptr);
  CHECK(a.failed());
  ChunkedScanner b;
  std::string huge = "1234567890abcdef0\r\n";
  b.Feed(huge.data(), huge.size(), nullptr);
  CHECK(b.failed());
  ChunkedScanner c;
  std::string missing_crlf = "3\r\nabcX";
  c.Feed(missing_crlf.data(), missing_crlf.size(), nullptr);
  CHECK(c.failed());
}

TEST_CASE("HasToken splits comma lists case-insensitively") {
  CHECK(HasToken("keep-alive, Upgrade", "upgrade"));
  CHECK_FALSE(HasToken("upgraded", "upgrade"));
}

}  // namespace
}  // namespace wharf::router
