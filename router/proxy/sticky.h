// Sticky sessions the Cloud Foundry way. When a response sets a session cookie (JSESSIONID
// by default), the router adds a `__VCAP_ID__` cookie naming the instance, with the same
// Path, Expires, Max-Age, Secure, HttpOnly and SameSite attributes. A later request carrying
// `__VCAP_ID__` goes to that instance while it is healthy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "router/proxy/http_parser.h"

namespace wharf::router {

inline constexpr std::string_view kVcapCookie = "__VCAP_ID__";
inline constexpr std::string_view kDefaultSessionCookie = "JSESSIONID";

// The __VCAP_ID__ value from the request's Cookie fields, or empty.
std::string_view FindStickyInstance(const HttpHead& request);

// A request pinned to one revision of the app, so testers reach a canary before any user does
// (whatever its traffic share, even 0): the `X-Wharf-Revision: N` header, else a
// `wharf-revision=N` cookie. 0 when neither names a revision (N a positive integer).
inline constexpr std::string_view kRevisionHeader = "x-wharf-revision";
inline constexpr std::string_view kRevisionCookie = "wharf-revision";
std::int64_t FindRevisionPin(const HttpHead& request);

// If `set_cookie` (a Set-Cookie value) sets cookie `session_cookie`, returns the matching
// __VCAP_ID__ Set-Cookie value for `instance_id`; otherwise empty.
std::string VcapCookieFor(std::string_view set_cookie, std::string_view session_cookie, std::string_view instance_id);

// Appends one "Set-Cookie: __VCAP_ID__=...\r\n" line per session cookie the response sets.
// Returns how many were added.
int AppendVcapCookies(const HttpHead& response, std::string_view session_cookie, std::string_view instance_id,
                      std::string* out);

}  // namespace wharf::router
