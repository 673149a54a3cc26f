#include <cstdio>
#include <cstdlib>

#include <prefectcore/status.h>

namespace prefectcore {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kObjectNotFound:
      return "object_not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kLocked:
      return "locked";
    case ErrorCode::kGone:
      return "gone";
    case ErrorCode::kUnprocessable:
      return "unprocessable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) {
    return "ok";
  }
  return std::string(error_code_name(code_)) + ": " + message_;
}

namespace internal {
void assert_fail(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "prefectcore: assertion failed: %s at %s:%d\n", cond, file, line);
  std::abort();
}
}  // namespace internal

}  // namespace prefectcore
