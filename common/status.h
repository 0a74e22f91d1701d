// Errors as values. Every fallible operation in Wharf returns a Status or a
// Result<T>; library exceptions are caught at the adapter that calls the library.
// The closed set of codes is mapped to HTTP statuses in one place
// (controller/http/http_errors.cpp) and to exit codes in the CLI.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wharf {

enum class StatusCode {
  kOk,
  kInvalidArgument,    // the caller sent something malformed (bad name, bad JSON, bad manifest)
  kNotFound,           // the named thing does not exist
  kConflict,           // it exists already, or the state forbids the change
  kUnauthenticated,    // no or unknown credentials
  kPermissionDenied,   // known caller, not allowed
  kTooLarge,           // over a configured size or count limit
  kUnprocessable,      // well-formed but refers to things that are missing (e.g. unknown blobs)
  kTooManyRequests,    // over a rate limit; retrying later helps
  kUnavailable,        // a dependency is down or timed out; retrying may help
  kInternal,           // a bug or an OS failure we cannot attribute to the caller
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status Unprocessable(std::string m) { return {StatusCode::kUnprocessable, std::move(m)}; }
  static Status TooManyRequests(std::string m) { return {StatusCode::kTooManyRequests, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: app 'web' not found"
  std::string ToString() const;

  // Prefixes the message with context, keeping the code: "reading manifest.yml: ...".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none. Never holds an ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace wharf

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define WHARF_RETURN_IF_ERROR(expr)         \
  do {                                      \
    ::wharf::Status wharf_status_ = (expr); \
    if (!wharf_status_.ok()) return wharf_status_; \
  } while (0)

#define WHARF_STATUS_CONCAT_INNER_(a, b) a##b
#define WHARF_STATUS_CONCAT_(a, b) WHARF_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Result<T>) once. When it is not ok, returns its Status from
// the enclosing function; else moves its value into `lhs`, which is either a
// declaration (`auto x`, `const auto& x`, `std::string x`) or an existing
// variable (`x`). Expands to more than one statement: not for an unbraced if/else.
#define WHARF_ASSIGN_OR_RETURN(lhs, expr) \
  WHARF_ASSIGN_OR_RETURN_IMPL_(WHARF_STATUS_CONCAT_(wharf_result_, __COUNTER__), lhs, expr)
#define WHARF_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return result.status();              \
  lhs = std::move(result).value()
