// Paged lists: ?page=1&per_page=50 (per_page 1..5000), and the envelope
// {"pagination": {...}, "resources": [...]}.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::controller {

struct PageRequest {
  std::int64_t page = 1;
  std::int64_t per_page = 50;
  std::int64_t Offset() const { return (page - 1) * per_page; }
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;  // across all pages
};

inline constexpr std::int64_t kMaxPerPage = 5000;

// Reads page/per_page from query parameters; missing ones take the defaults.
// A non-number, page < 1 or per_page outside 1..5000 is kInvalidArgument naming the parameter.
Result<PageRequest> ParsePageRequest(const std::map<std::string, std::string>& query);

// The envelope around already-rendered resources.
nlohmann::json PageEnvelope(const PageRequest& request, std::int64_t total, nlohmann::json resources);

}  // namespace wharf::controller
