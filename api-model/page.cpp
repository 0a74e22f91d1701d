#include "api-model/page.h"

namespace wharf::api {

Result<Pagination> Pagination::FromJson(const nlohmann::json& j) {
  Pagination p;
  return FieldReader(j, "pagination")
      .Required("total_results", p.total_results)
      .Required("total_pages", p.total_pages)
      .Required("page", p.page)
      .Required("per_page", p.per_page)
      .Finish(p);
}

nlohmann::json Pagination::ToJson() const {
  return {{"total_results", total_results}, {"total_pages", total_pages}, {"page", page}, {"per_page", per_page}};
}

}  // namespace wharf::api
