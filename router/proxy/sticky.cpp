#include "router/proxy/sticky.h"

namespace wharf::router {
namespace {

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Calls f(name, value) for each "name=value" item separated by ';'; stops when f returns true.
template <typename F>
bool ForEachPair(std::string_view list, F f) {
  while (!list.empty()) {
    auto semi = list.find(';');
    std::string_view item = Trim(list.substr(0, semi));
    auto eq = item.find('=');
    std::string_view name = Trim(item.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : Trim(item.substr(eq + 1));
    if (f(name, value, item)) return true;
    if (semi == std::string_view::npos) break;
    list.remove_prefix(semi + 1);
  }
  return false;
}

}  // namespace

std::string_view FindStickyInstance(const HttpHead& request) {
  std::string_view found;
  for (std::size_t i = 0; i < request.field_count; ++i) {
    const HeaderField& f = request.fields[i];
    if (!EqualsIgnoreCase(f.name, "cookie")) continue;
    bool hit = ForEachPair(f.value, [&](std::string_view name, std::string_view value, std::string_view) {
      if (name != kVcapCookie) return false;
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      found = value;
      return true;
    });
    if (hit) break;
  }
  return found;
}

namespace {

std::int64_t PositiveInt(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 15) return 0;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::int64_t FindRevisionPin(const HttpHead& request) {
  if (std::string_view header = request.Find(kRevisionHeader); !header.empty()) return PositiveInt(Trim(header));
  std::int64_t found = 0;
  for (std::size_t i = 0; i < request.field_count && found == 0; ++i) {
    const HeaderField& f = request.fields[i];
    if (!EqualsIgnoreCase(f.name, "cookie")) continue;
    ForEachPair(f.value, [&](std::string_view name, std::string_view value, std::string_view) {
      if (name != kRevisionCookie) return false;
      found = PositiveInt(value);
      return true;
    });
  }
  return found;
}

std::string VcapCookieFor(std::string_view set_cookie, std::string_view session_cookie,
                          std::string_view instance_id) {
  auto semi = set_cookie.find(';');
  std::string_view first = Trim(set_cookie.substr(0, semi));
  auto eq = first.find('=');
  if (eq == std::string_view::npos || Trim(first.substr(0, eq)) != session_cookie) return {};
  std::string out;
  out.reserve(64 + set_cookie.size());
  out.append(kVcapCookie).append("=").append(instance_id);
  if (semi == std::string_view::npos) return out;
  ForEachPair(set_cookie.substr(semi + 1), [&](std::string_view name, std::string_view, std::string_view item) {
    if (EqualsIgnoreCase(name, "path") || EqualsIgnoreCase(name, "expires") || EqualsIgnoreCase(name, "max-age") ||
        EqualsIgnoreCase(name, "secure") || EqualsIgnoreCase(name, "httponly") ||
        EqualsIgnoreCase(name, "samesite")) {
      out.append("; ").append(item);
    }
    return false;
  });
  return out;
}

int AppendVcapCookies(const HttpHead& response, std::string_view session_cookie, std::string_view instance_id,
                      std::string* out) {
  int added = 0;
  for (std::size_t i = 0; i < response.field_count; ++i) {
    const HeaderField& f = response.fields[i];
    if (!EqualsIgnoreCase(f.name, "set-cookie")) continue;
    std::string cookie = VcapCookieFor(f.value, session_cookie, instance_id);
    if (cookie.empty()) continue;
    out->append("Set-Cookie: ").append(cookie).append("\r\n");
    ++added;
  }
  return added;
}

}  // namespace wharf::router
