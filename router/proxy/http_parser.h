// A hand-written HTTP/1.x head parser that works in place: it splits the bytes already
// read into string_views (no allocation, no copy), so the proxy can forward the raw header
// bytes after a rewrite. Chosen over Beast's parser because the study's profile of a Beast
// proxy spent its user-space time in per-field allocation and the generic serializer.
//
// Strict where leniency enables request smuggling: CRLF line endings only, no whitespace
// before ':', no obs-fold, no Content-Length together with Transfer-Encoding, no differing
// duplicate Content-Length, only "chunked" as a transfer coding.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace wharf::router {

struct HttpLimits {
  std::size_t max_request_line = 8 * 1024;    // longer request line (method + URI) -> 414
  std::size_t max_header_bytes = 32 * 1024;   // longer head (request line + fields) -> 431
  std::size_t max_header_fields = 100;        // more fields -> 431
};

inline constexpr std::size_t kMaxHeaderFields = 128;  // hard cap of the field array

struct HeaderField {
  std::string_view name;
  std::string_view value;  // without surrounding whitespace
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// True if the comma-separated list `value` contains `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token);

enum class BodyKind { kNone, kLength, kChunked, kUntilClose };

struct HttpHead {
  // Request: method and target. Response: status and reason.
  std::string_view method;
  std::string_view target;
  int status = 0;
  std::string_view reason;
  int minor_version = 1;  // HTTP/1.<minor>
  std::array<HeaderField, kMaxHeaderFields> fields;
  std::size_t field_count = 0;

  // Derived by AnalyzeRequest / AnalyzeResponse.
  BodyKind body = BodyKind::kNone;
  std::uint64_t content_length = 0;
  bool connection_close = false;
  bool connection_keep_alive = false;
  bool connection_upgrade = false;
  bool expect_continue = false;
  std::string_view host;       // the Host field; for an absolute-form target, its authority
  bool absolute_form = false;  // the request line named "http://authority/..." (target now origin-form)
  std::string_view upgrade;
  std::array<std::string_view, 4> connection_values;  // raw Connection header values
  std::size_t connection_value_count = 0;

  std::string_view Path() const;  // target without the query string
  // The first field named `name` (case-insensitive), or an empty view.
  std::string_view Find(std::string_view name) const;
  // Keep-alive by version and Connection header.
  bool KeepAlive() const;
};

enum class ParseState { kIncomplete, kComplete, kError };

struct ParseResult {
  ParseState state = ParseState::kIncomplete;
  std::size_t head_length = 0;  // bytes of the head including the final CRLF CRLF
  int error_status = 0;         // 400, 414, 431 or 501 (requests); 502 (responses)
  std::string_view error;       // short reason for logs
};

// Parses a request head at the start of `data`. `scan_from` carries the search position
// between calls on a growing buffer (start at 0). On kIncomplete, the limits have been
// checked against what is there so far, so a caller can stop reading at the right status.
ParseResult ParseRequestHead(std::string_view data, const HttpLimits& limits, HttpHead* out, std::size_t* scan_from);
// Parses a response status line and fields (same contract; errors are 502).
ParseResult ParseResponseHead(std::string_view data, const HttpLimits& limits, HttpHead* out,
                              std::size_t* scan_from);

// Fills the derived fields of a parsed request. Returns 0, or the status to answer with
// (400 malformed framing, 501 unknown transfer coding).
int AnalyzeRequest(HttpHead* head);
// Fills the derived fields of a parsed response to a request with method `method`.
// Returns 0 or 502 for framing the proxy cannot forward safely.
int AnalyzeResponse(HttpHead* head, std::string_view request_method);

// Follows a chunked body byte by byte without changing it, to find where it ends;
// optionally reports the payload spans (for de-chunking).
class ChunkedScanner {
 public:
  // Consumes up to `n` bytes; returns how many belong to the body (stops at its end).
  // Payload bytes are appended to `payload` as views into `p` when it is not null.
  std::size_t Feed(const char* p, std::size_t n, std::vector<std::string_view>* payload);
  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kError; }
  void Reset() { *this = ChunkedScanner(); }

 private:
  enum class State { kSize, kExt, kSizeLf, kData, kDataCr, kDataLf, kTrailerStart, kTrailer, kTrailerLf, kFinalLf,
                     kDone, kError };
  State state_ = State::kSize;
  std::uint64_t remaining_ = 0;
  int digits_ = 0;
  std::size_t line_ = 0;
};

}  // namespace wharf::router
