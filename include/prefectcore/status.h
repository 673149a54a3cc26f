#pragma once

// Status and Result<T>: the error model of prefectcore. Expected failures (not found,
// conflict, validation) are values, never exceptions. Each ErrorCode maps to exactly one
// HTTP status in lib/api/errors.cpp.
//
// Thread-safety: value types; distinct objects may be used from distinct threads.

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace prefectcore {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // 422: request validation, with a JSON detail list
  kNotFound,         // 404 {"detail": ...}
  kObjectNotFound,   // 404 {"exception_message": ...} (upstream ObjectNotFoundError)
  kConflict,         // 409: unique or foreign-key violation
  kUnavailable,      // 503: retryable (SQLITE_BUSY, lost connection, timeout)
  kUnauthenticated,  // 401
  kForbidden,        // 403
  kBadRequest,       // 400
  kPayloadTooLarge,  // 413
  kLocked,           // 423 (concurrency slots), with Retry-After
  kGone,             // 410 (lost lease)
  kUnprocessable,    // 422 {"detail": ...}: a route-level rejection, not a body error
  kInternal,         // 500
};

// Returns the stable lower-case name of a code ("not_found"), for logs and tests.
const char* error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string detail_json = {})
      : code_(code), message_(std::move(message)), detail_json_(std::move(detail_json)) {}

  static Status ok_status() { return {}; }
  static Status invalid_argument(std::string msg, std::string detail_json = {}) {
    return {ErrorCode::kInvalidArgument, std::move(msg), std::move(detail_json)};
  }
  static Status not_found(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
  static Status object_not_found(std::string msg) {
    return {ErrorCode::kObjectNotFound, std::move(msg)};
  }
  static Status conflict(std::string msg) { return {ErrorCode::kConflict, std::move(msg)}; }
  static Status unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
  static Status unauthenticated(std::string msg) {
    return {ErrorCode::kUnauthenticated, std::move(msg)};
  }
  static Status forbidden(std::string msg) { return {ErrorCode::kForbidden, std::move(msg)}; }
  static Status bad_request(std::string msg) { return {ErrorCode::kBadRequest, std::move(msg)}; }
  static Status unprocessable(std::string msg) {
    return {ErrorCode::kUnprocessable, std::move(msg)};
  }
  static Status internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // A JSON document with extra detail: for kInvalidArgument the upstream
  // `exception_detail` array; otherwise empty.
  const std::string& detail_json() const { return detail_json_; }
  // "not_found: Flow not found" or "ok".
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string detail_json_;
};

// Result<T> holds a T or a non-ok Status. Shaped like std::expected so it can become an
// alias once the toolchain has it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      std::abort();  // a Result error must carry a failure
    }
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const Status& error() const { return std::get<Status>(v_); }
  Status status() const { return has_value() ? Status() : error(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status to_status(Status s) { return s; }
template <typename T>
Status to_status(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace prefectcore

#define PC_CONCAT_INNER_(a, b) a##b
#define PC_CONCAT_(a, b) PC_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` (a Status or Result) failed.
#define PC_RETURN_IF_ERROR(expr)                                                 \
  do {                                                                           \
    ::prefectcore::Status pc_status_ = ::prefectcore::internal::to_status(expr); \
    if (!pc_status_.ok()) {                                                      \
      return pc_status_;                                                         \
    }                                                                            \
  } while (false)

// `PC_ASSIGN_OR_RETURN(auto x, f())`: declares x from a Result, or returns its Status.
#define PC_ASSIGN_OR_RETURN(lhs, expr) \
  PC_ASSIGN_OR_RETURN_IMPL_(PC_CONCAT_(pc_result_, __LINE__), lhs, expr)
#define PC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.has_value()) {                         \
    return tmp.error();                           \
  }                                               \
  lhs = std::move(tmp).value()

// Programmer errors only; never for request data.
#define PC_ASSERT(cond)                                                \
  do {                                                                 \
    if (!(cond)) {                                                     \
      ::prefectcore::internal::assert_fail(#cond, __FILE__, __LINE__); \
    }                                                                  \
  } while (false)

namespace prefectcore::internal {
[[noreturn]] void assert_fail(const char* cond, const char* file, int line);
}  // namespace prefectcore::internal
