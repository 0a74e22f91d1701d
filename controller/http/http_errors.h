// The one place where Status codes become HTTP statuses and error bodies:
//   {"code": "not_found", "title": "Not Found", "detail": "app 'web' not found"}
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::controller {

int HttpStatusFor(StatusCode code);
std::string_view HttpTitleFor(StatusCode code);
// The error body for a non-ok status (an ok status renders as internal: a bug).
nlohmann::json ErrorBody(const Status& status);

}  // namespace wharf::controller
