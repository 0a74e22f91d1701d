#include "controller/http/page_query.h"

#include <charconv>

namespace wharf::controller {
namespace {

Result<std::int64_t> ParseParam(const std::map<std::string, std::string>& query, const std::string& name,
                                std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument("query parameter '" + name + "' must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

}  // namespace

Result<state::PageRequest> ParsePageRequest(const std::map<std::string, std::string>& query) {
  state::PageRequest out;
  Result<std::int64_t> page = ParseParam(query, "page", 1, 1, 1'000'000'000);
  if (!page.ok()) return page.status();
  Result<std::int64_t> per_page = ParseParam(query, "per_page", 50, 1, state::kMaxPerPage);
  if (!per_page.ok()) return per_page.status();
  out.page = *page;
  out.per_page = *per_page;
  return out;
}

nlohmann::json PageEnvelope(const state::PageRequest& request, std::int64_t total, nlohmann::json resources) {
  std::int64_t pages = total == 0 ? 1 : (total + request.per_page - 1) / request.per_page;
  return {{"pagination",
           {{"total_results", total}, {"total_pages", pages}, {"page", request.page}, {"per_page", request.per_page}}},
          {"resources", std::move(resources)}};
}

}  // namespace wharf::controller
