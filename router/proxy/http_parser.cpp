#include "router/proxy/http_parser.h"

#include <cstring>

namespace wharf::router {
namespace {

constexpr std::array<bool, 256> MakeTcharTable() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto kTchar = MakeTcharTable();

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

ParseResult Error(int status, std::string_view why) {
  ParseResult r;
  r.state = ParseState::kError;
  r.error_status = status;
  r.error = why;
  return r;
}

// Finds CRLFCRLF; returns the head length or 0.
std::size_t FindHeadEnd(std::string_view data, std::size_t* scan_from) {
  std::size_t from = *scan_from > 3 ? *scan_from - 3 : 0;
  if (data.size() >= 4 && from <= data.size() - 4) {
    const void* hit = memmem(data.data() + from, data.size() - from, "\r\n\r\n", 4);
    if (hit != nullptr) return static_cast<std::size_t>(static_cast<const char*>(hit) - data.data()) + 4;
  }
  *scan_from = data.size();
  return 0;
}

// Parses "Name: value\r\n" lines from `p` up to the blank line.
ParseResult ParseFields(std::string_view lines, std::size_t max_fields, int error_status, HttpHead* out) {
  out->field_count = 0;
  while (!lines.empty()) {
    std::size_t eol = lines.find("\r\n");
    if (eol == std::string_view::npos) return Error(error_status, "unterminated header line");
    std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol + 2);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return Error(error_status, "obsolete line folding");
    std::size_t colon = 0;
    while (colon < line.size() && kTchar[static_cast<unsigned char>(line[colon])]) ++colon;
    if (colon == 0 || colon >= line.size() || line[colon] != ':') return Error(error_status, "malformed header name");
    std::string_view value = TrimOws(line.substr(colon + 1));
    for (char c : value) {
      if (c == '\0' || c == '\r' || c == '\n') return Error(error_status, "invalid character in header value");
    }
    if (out->field_count >= max_fields || out->field_count >= kMaxHeaderFields) {
      return Error(error_status == 400 ? 431 : error_status, "too many header fields");
    }
    out->fields[out->field_count++] = HeaderField{line.substr(0, colon), value};
  }
  ParseResult r;
  r.state = ParseState::kComplete;
  return r;
}

bool ParseVersion(std::string_view v, int* minor) {
  if (v.size() != 8 || v.substr(0, 7) != "HTTP/1." || v[7] < '0' || v[7] > '9') return false;
  *minor = v[7] - '0';
  return true;
}

bool ParseContentLength(std::string_view v, std::uint64_t* out) {
  if (v.empty() || v.size() > 18) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = n;
  return true;
}

// Shared framing analysis; returns 0 or `bad` on malformed framing.
int AnalyzeCommon(HttpHead* h, int bad) {
  bool have_length = false;
  bool have_te = false;
  bool chunked_last = false;
  h->connection_value_count = 0;
  h->connection_close = h->connection_keep_alive = h->connection_upgrade = false;
  h->expect_continue = false;
  h->host = {};
  h->upgrade = {};
  for (std::size_t i = 0; i < h->field_count; ++i) {
    const HeaderField& f = h->fields[i];
    switch (Lower(f.name.front())) {
      case 'c':
        if (EqualsIgnoreCase(f.name, "content-length")) {
          std::uint64_t n = 0;
          if (!ParseContentLength(f.value, &n)) return bad;
          if (have_length && n != h->content_length) return bad;
          have_length = true;
          h->content_length = n;
        } else if (EqualsIgnoreCase(f.name, "connection")) {
          if (h->connection_value_count < h->connection_values.size()) {
            h->connection_values[h->connection_value_count++] = f.value;
          } else {
            return bad;
          }
          if (HasToken(f.value, "close")) h->connection_close = true;
          if (HasToken(f.value, "keep-alive")) h->connection_keep_alive = true;
          if (HasToken(f.value, "upgrade")) h->connection_upgrade = true;
        }
        break;
      case 't':
        if (EqualsIgnoreCase(f.name, "transfer-encoding")) {
          // A second field continues the list: "chunked" must stay last and appear once, so one
          // after a field that ended in chunked (a doubled header: request smuggling) is refused.
          if (have_te && chunked_last) return bad;
          have_te = true;
          std::string_view v = f.value;
          auto comma = v.rfind(',');
          std::string_view last = TrimOws(comma == std::string_view::npos ? v : v.substr(comma + 1));
          chunked_last = EqualsIgnoreCase(last, "chunked");
          if (HasToken(v.substr(0, comma == std::string_view::npos ? 0 : comma), "chunked")) return bad;
        }
        break;
      case 'h':
        if (EqualsIgnoreCase(f.name, "host")) {
          if (!h->host.empty()) return bad;  // two Host fields
          h->host = f.value;
        }
        break;
      case 'u':
        if (EqualsIgnoreCase(f.name, "upgrade")) h->upgrade = f.value;
        break;
      case 'e':
        if (EqualsIgnoreCase(f.name, "expect") && EqualsIgnoreCase(f.value, "100-continue")) {
          h->expect_continue = true;
        }
        break;
      default:
        break;
    }
  }
  if (have_te && have_length) return bad;
  if (have_te) {
    h->body = chunked_last ? BodyKind::kChunked : BodyKind::kUntilClose;
    if (!chunked_last) return -1;  // caller decides
  } else if (have_length) {
    h->body = h->content_length > 0 ? BodyKind::kLength : BodyKind::kNone;
  } else {
    h->body = BodyKind::kNone;
  }
  return 0;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view item = TrimOws(value.substr(0, comma));
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view HttpHead::Path() const {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

std::string_view HttpHead::Find(std::string_view name) const {
  for (std::size_t i = 0; i < field_count; ++i) {
    if (EqualsIgnoreCase(fields[i].name, name)) return fields[i].value;
  }
  return {};
}

bool HttpHead::KeepAlive() const {
  if (connection_close) return false;
  return minor_version >= 1 || connection_keep_alive;
}

ParseResult ParseRequestHead(std::string_view data, const HttpLimits& limits, HttpHead* out, std::size_t* scan_from) {
  std::size_t head_len = FindHeadEnd(data, scan_from);
  std::string_view head = data.substr(0, head_len == 0 ? std::string_view::npos : head_len);
  std::size_t eol = head.find("\r\n");
  if (eol == std::string_view::npos) {
    if (head.size() > limits.max_request_line) return Error(414, "request line too long");
    if (head_len == 0) return ParseResult{};
  }
  if (eol > limits.max_request_line) return Error(414, "request line too long");
  if (head_len == 0) {
    if (data.size() > limits.max_header_bytes) return Error(431, "request header too large");
    return ParseResult{};
  }
  if (head_len > limits.max_header_bytes) return Error(431, "request header too large");

  std::string_view line = head.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return Error(400, "malformed request line");
  out->method = line.substr(0, sp1);
  for (char c : out->method) {
    if (!kTchar[static_cast<unsigned char>(c)]) return Error(400, "malformed method");
  }
  std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return Error(400, "malformed request line");
  out->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  for (char c : out->target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Error(400, "invalid character in target");
  }
  if (!ParseVersion(line.substr(sp2 + 1), &out->minor_version)) return Error(400, "unsupported HTTP version");
  out->status = 0;
  ParseResult r = ParseFields(head.substr(eol + 2), limits.max_header_fields, 400, out);
  if (r.state == ParseState::kError) return r;
  r.head_length = head_len;
  return r;
}

ParseResult ParseResponseHead(std::string_view data, const HttpLimits& limits, HttpHead* out,
                              std::size_t* scan_from) {
  std::size_t head_len = FindHeadEnd(data, scan_from);
  if (head_len == 0) {
    if (data.size() > limits.max_header_bytes) return Error(502, "response header too large");
    if (data.size() >= 5 && data.substr(0, 5) != "HTTP/") return Error(502, "not an HTTP response");
    return ParseResult{};
  }
  if (head_len > limits.max_header_bytes) return Error(502, "response header too large");
  std::string_view head = data.substr(0, head_len);
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (line.size() < 12 || !ParseVersion(line.substr(0, 8), &out->minor_version) || line[8] != ' ') {
    return Error(502, "malformed status line");
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return Error(502, "malformed status code");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) return Error(502, "malformed status code");
  out->status = status;
  out->reason = line.size() > 13 ? line.substr(13) : std::string_view{};
  out->method = {};
  out->target = {};
  ParseResult r = ParseFields(head.substr(eol + 2), kMaxHeaderFields, 502, out);
  if (r.state == ParseState::kError) return r;
  r.head_length = head_len;
  return r;
}

int AnalyzeRequest(HttpHead* h) {
  int rc = AnalyzeCommon(h, 400);
  if (rc == -1) return 501;  // a transfer coding other than chunked
  if (rc != 0) return rc;
  if (h->minor_version == 0 && h->body == BodyKind::kChunked) return 400;
  // Absolute form ("GET http://app.example/x HTTP/1.1"): RFC 9112 3.2.2, the authority is the
  // host and the Host field is ignored; the instance gets the origin form and that host.
  h->absolute_form = false;
  std::string_view t = h->target;
  std::size_t scheme = t.size() > 7 && EqualsIgnoreCase(t.substr(0, 7), "http://")    ? 7
                       : t.size() > 8 && EqualsIgnoreCase(t.substr(0, 8), "https://") ? 8
                                                                                       : 0;
  if (scheme != 0) {
    std::size_t path = t.find_first_of("/?#", scheme);
    std::string_view authority = t.substr(scheme, path == std::string_view::npos ? t.npos : path - scheme);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return 400;
    if (path != std::string_view::npos && t[path] != '/') return 400;  // no path before the query
    h->host = authority;
    h->target = path == std::string_view::npos ? std::string_view("/") : t.substr(path);
    h->absolute_form = true;
  }
  return 0;
}

int AnalyzeResponse(HttpHead* h, std::string_view request_method) {
  int rc = AnalyzeCommon(h, 502);
  if (rc != 0 && rc != -1) return rc;  // -1: non-chunked coding -> read until close (set already)
  bool no_body = request_method == "HEAD" || (h->status >= 100 && h->status < 200) || h->status == 204 ||
                 h->status == 304;
  if (no_body) {
    h->body = BodyKind::kNone;
  } else if (h->body == BodyKind::kNone && h->Find("content-length").empty()) {
    h->body = BodyKind::kUntilClose;
  }
  return 0;
}

std::size_t ChunkedScanner::Feed(const char* p, std::size_t n, std::vector<std::string_view>* payload) {
  constexpr std::size_t kMaxLine = 4096;
  std::size_t i = 0;
  while (i < n && state_ != State::kDone && state_ != State::kError) {
    char c = p[i];
    switch (state_) {
      case State::kSize: {
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v >= 0) {
          if (++digits_ > 15) { state_ = State::kError; break; }
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(v);
        } else if (digits_ > 0 && (c == ';' || c == ' ' || c == '\t')) {
          state_ = State::kExt;
          line_ = 0;
        } else if (digits_ > 0 && c == '\r') {
          state_ = State::kSizeLf;
        } else {
          state_ = State::kError;
          break;
        }
        ++i;
        break;
      }
      case State::kExt:
        if (c == '\r') state_ = State::kSizeLf;
        else if (c == '\n' || ++line_ > kMaxLine) state_ = State::kError;
        ++i;
        break;
      case State::kSizeLf:
        if (c != '\n') { state_ = State::kError; break; }
        ++i;
        digits_ = 0;
        state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kData: {
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n - i));
        if (payload != nullptr) payload->emplace_back(p + i, take);
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        state_ = c == '\r' ? State::kDataLf : State::kError;
        ++i;
        break;
      case State::kDataLf:
        state_ = c == '\n' ? State::kSize : State::kError;
        ++i;
        break;
      case State::kTrailerStart:
        line_ = 0;
        state_ = c == '\r' ? State::kFinalLf : State::kTrailer;
        ++i;
        break;
      case State::kTrailer:
        if (c == '\r') state_ = State::kTrailerLf;
        else if (c == '\n' || ++line_ > kMaxLine) state_ = State::kError;
        ++i;
        break;
      case State::kTrailerLf:
        state_ = c == '\n' ? State::kTrailerStart : State::kError;
        ++i;
        break;
      case State::kFinalLf:
        state_ = c == '\n' ? State::kDone : State::kError;
        ++i;
        break;
      case State::kDone:
      case State::kError:
        break;
    }
  }
  return i;
}

}  // namespace wharf::router
