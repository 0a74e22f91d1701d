// Paged lists (docs/api.md "Lists"):
// {"pagination": {"total_results", "total_pages", "page", "per_page"}, "resources": [...]}.
// A list that is not paged (a process's instances) has "resources" only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "api-model/json_fields.h"
#include "common/status.h"

namespace wharf::api {

struct Pagination {
  std::int64_t total_results = 0;
  std::int64_t total_pages = 1;
  std::int64_t page = 1;
  std::int64_t per_page = 50;
  static Result<Pagination> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// One page of resources of type T (any wire struct).
template <typename T>
struct Page {
  std::optional<Pagination> pagination;  // absent for lists that are not paged
  std::vector<T> resources;              // required

  static Result<Page> FromJson(const nlohmann::json& j) {
    Page p;
    return FieldReader(j, "list").Optional("pagination", p.pagination).Required("resources", p.resources).Finish(p);
  }
  nlohmann::json ToJson() const {
    nlohmann::json out = {{"resources", ListJson(resources)}};
    if (pagination) out["pagination"] = pagination->ToJson();
    return out;
  }
};

}  // namespace wharf::api
