#include "router/proxy/sticky.h"

#include <doctest/doctest.h>

#include <string>

namespace wharf::router {
namespace {

// The head's views point into the text, so it is kept past the call.
HttpHead ParseResponse(const std::string& text) {
  static std::string kept;
  kept = text;
  HttpHead h;
  std::size_t scan = 0;
  ParseResult r = ParseResponseHead(kept, HttpLimits{}, &h, &scan);
  REQUIRE(r.state == ParseState::kComplete);
  return h;
}

TEST_CASE("FindRevisionPin reads X-Wharf-Revision, else the wharf-revision cookie") {
  auto pin = [](const std::string& fields) {
    std::string text = "GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n";
    HttpHead h;
    std::size_t scan = 0;
    REQUIRE(ParseRequestHead(text, HttpLimits{}, &h, &scan).state == ParseState::kComplete);
    return FindRevisionPin(h);
  };
  CHECK(pin("X-Wharf-Revision: 7\r\n") == 7);
  CHECK(pin("Cookie: a=1; wharf-revision=12; b=2\r\n") == 12);
  CHECK(pin("X-Wharf-Revision: 3\r\nCookie: wharf-revision=12\r\n") == 3);
  CHECK(pin("Cookie: wharf-revision=\"4\"\r\n") == 4);
  CHECK(pin("X-Wharf-Revision: -1\r\n") == 0);
  CHECK(pin("X-Wharf-Revision: 2abc\r\n") == 0);
  CHECK(pin("Cookie: JSESSIONID=x\r\n") == 0);
}

TEST_CASE("FindStickyInstance reads __VCAP_ID__ among other cookies") {
  std::string text = "GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1; __VCAP_ID__=inst-7; b=2\r\n\r\n";
  HttpHead h;
  std::size_t scan = 0;
  REQUIRE(ParseRequestHead(text, HttpLimits{}, &h, &scan).state == ParseState::kComplete);
  CHECK(FindStickyInstance(h) == "inst-7");
}

TEST_CASE("FindStickyInstance returns empty without the cookie") {
  std::string text = "GET / HTTP/1.1\r\nHost: a\r\nCookie: JSESSIONID=x\r\n\r\n";
  HttpHead h;
  std::size_t scan = 0;
  REQUIRE(ParseRequestHead(text, HttpLimits{}, &h, &scan).state == ParseState::kComplete);
  CHECK(FindStickyInstance(h).empty());
}

TEST_CASE("VcapCookieFor copies Path, Expires, Max-Age, Secure, HttpOnly and SameSite, not Domain") {
  std::string c = VcapCookieFor(
      "JSESSIONID=abc; Path=/app; Domain=x.test; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=60; Secure; "
      "HttpOnly; SameSite=Strict",
      "JSESSIONID", "i-1");
  CHECK(c == "__VCAP_ID__=i-1; Path=/app; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=60; Secure; HttpOnly; "
             "SameSite=Strict");
}

TEST_CASE("VcapCookieFor ignores other cookies") {
  CHECK(VcapCookieFor("session=abc; Path=/", "JSESSIONID", "i-1").empty());
  CHECK(VcapCookieFor("JSESSIONIDX=abc", "JSESSIONID", "i-1").empty());
}

TEST_CASE("AppendVcapCookies adds one __VCAP_ID__ per JSESSIONID set") {
  HttpHead h = ParseResponse(
      "HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\nSet-Cookie: JSESSIONID=s1; Path=/; SameSite=Lax\r\n\r\n");
  std::string out;
  CHECK(AppendVcapCookies(h, "JSESSIONID", "i-9", &out) == 1);
  CHECK(out == "Set-Cookie: __VCAP_ID__=i-9; Path=/; SameSite=Lax\r\n");
}

TEST_CASE("AppendVcapCookies adds nothing when the app sets no session cookie") {
  HttpHead h = ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  std::string out;
  CHECK(AppendVcapCookies(h, "JSESSIONID", "i-9", &out) == 0);
  CHECK(out.empty());
}

}  // namespace
}  // namespace wharf::router
