#include "controller/http/http_errors.h"

#include <string>

namespace wharf::controller {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kUnprocessable: return 422;
    case StatusCode::kTooManyRequests: return 429;
    case StatusCode::kInternal: return 500;
    case StatusCode::kUnavailable: return 503;
  }
  return 500;
}

std::string_view HttpTitleFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "Bad Request";
    case StatusCode::kUnauthenticated: return "Unauthorized";
    case StatusCode::kPermissionDenied: return "Forbidden";
    case StatusCode::kNotFound: return "Not Found";
    case StatusCode::kConflict: return "Conflict";
    case StatusCode::kTooLarge: return "Payload Too Large";
    case StatusCode::kUnprocessable: return "Unprocessable Entity";
    case StatusCode::kTooManyRequests: return "Too Many Requests";
    case StatusCode::kInternal: return "Internal Server Error";
    case StatusCode::kUnavailable: return "Service Unavailable";
  }
  return "Internal Server Error";
}

nlohmann::json ErrorBody(const Status& status) {
  StatusCode code = status.ok() ? StatusCode::kInternal : status.code();
  std::string detail = status.ok() ? "error reported without a cause" : status.message();
  return {{"code", std::string(StatusCodeName(code))}, {"title", std::string(HttpTitleFor(code))}, {"detail", detail}};
}

}  // namespace wharf::controller
