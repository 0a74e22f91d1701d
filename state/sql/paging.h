// One page of a list read from the database: which page is asked for, and the
// rows of that page with the total across all pages. How a page is asked for
// and rendered over HTTP is controller/http/page_query.h.
#pragma once

#include <cstdint>
#include <vector>

namespace wharf::state {

struct PageRequest {
  std::int64_t page = 1;       // 1-based
  std::int64_t per_page = 50;  // 1..kMaxPerPage
  std::int64_t Offset() const { return (page - 1) * per_page; }
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;  // across all pages
};

inline constexpr std::int64_t kMaxPerPage = 5000;

}  // namespace wharf::state
