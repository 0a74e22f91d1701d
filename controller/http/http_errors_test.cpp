#include "controller/http/http_errors.h"

#include <doctest/doctest.h>

namespace wharf::controller {
namespace {

TEST_CASE("Every status code maps to the HTTP status in docs/api.md") {
  CHECK(HttpStatusFor(StatusCode::kInvalidArgument) == 400);
  CHECK(HttpStatusFor(StatusCode::kUnauthenticated) == 401);
  CHECK(HttpStatusFor(StatusCode::kPermissionDenied) == 403);
  CHECK(HttpStatusFor(StatusCode::kNotFound) == 404);
  CHECK(HttpStatusFor(StatusCode::kConflict) == 409);
  CHECK(HttpStatusFor(StatusCode::kTooLarge) == 413);
  CHECK(HttpStatusFor(StatusCode::kUnprocessable) == 422);
  CHECK(HttpStatusFor(StatusCode::kInternal) == 500);
  CHECK(HttpStatusFor(StatusCode::kUnavailable) == 503);
}

TEST_CASE("The error body carries code, title and detail") {
  nlohmann::json body = ErrorBody(Status::NotFound("app 'web' not found"));
  CHECK(body == nlohmann::json{{"code", "not_found"}, {"title", "Not Found"}, {"detail", "app 'web' not found"}});
  CHECK(ErrorBody(Status::Unprocessable("x"))["title"] == "Unprocessable Entity");
  CHECK(ErrorBody(Status::Ok())["code"] == "internal");
}

}  // namespace
}  // namespace wharf::controller
