// libFuzzer target: the router's HTTP/1.1 request and response head parsers, framing analysis and
// the chunked-body scanner, on arbitrary bytes (what any client or app can send the router).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "router/proxy/http_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  wharf::router::HttpLimits limits;
  {
    wharf::router::HttpHead head;
    std::size_t scan = 0;
    // Fed as it would arrive: a growing buffer, the scan position carried between calls.
    for (std::size_t end = size < 64 ? size : 64;; end = end * 2 < size ? end * 2 : size) {
      auto r = wharf::router::ParseRequestHead(bytes.substr(0, end), limits, &head, &scan);
      if (r.state == wharf::router::ParseState::kComplete) {
        (void)wharf::router::AnalyzeRequest(&head);
        wharf::router::ChunkedScanner chunked;
        const std::string_view body = bytes.substr(r.head_length);
        std::vector<std::string_view> payload;
        (void)chunked.Feed(body.data(), body.size(), &payload);
        break;
      }
      if (r.state != wharf::router::ParseState::kIncomplete || end == size) break;
    }
  }
  {
    wharf::router::HttpHead head;
    std::size_t scan = 0;
    auto r = wharf::router::ParseResponseHead(bytes, limits, &head, &scan);
    if (r.state == wharf::router::ParseState::kComplete) (void)wharf::router::AnalyzeResponse(&head, "GET");
  }
  return 0;
}
