#include "lib/api/errors.h"

#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::api {

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kObjectNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kBadRequest:
      return 400;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kLocked:
      return 423;
    case ErrorCode::kGone:
      return 410;
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse detail_response(int status, std::string_view message) {
  std::string body;
  core::JsonWriter(body).begin_object().key("detail").string(message).end_object();
  return HttpResponse::json(status, std::move(body));
}

namespace {

HttpResponse exception_message_response(int status, std::string_view message) {
  std::string body;
  core::JsonWriter(body).begin_object().key("exception_message").string(message).end_object();
  return HttpResponse::json(status, std::move(body));
}

// The request body echoed in 422 answers: the parsed JSON when it parses, else the text.
std::string echo_body(const HttpRequest& request) {
  if (request.body.empty()) {
    return "null";
  }
  auto doc = core::JsonDocument::parse(request.body);
  return doc ? core::to_json(doc->root()) : core::json_quote(request.body);
}

}  // namespace

HttpResponse error_response(const Status& status, const HttpRequest& request) {
  const int http = http_status_for(status.code());
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: {
      std::string body;
      core::JsonWriter w(body);
      w.begin_object().key("exception_message").string("Invalid request received.");
      w.key("exception_detail").raw(status.detail_json().empty() ? "[]" : status.detail_json());
      w.key("request_body").raw(echo_body(request)).end_object();
      return HttpResponse::json(http, std::move(body));
    }
    case ErrorCode::kObjectNotFound:
      return exception_message_response(http, status.message());
    case ErrorCode::kConflict:
      return detail_response(http, status.message().empty()
                                       ? "Data integrity conflict. This usually means a unique "
                                         "or foreign key constraint was violated. See server "
                                         "logs for details."
                                       : status.message());
    case ErrorCode::kUnavailable:
      return exception_message_response(http, "Service Unavailable");
    case ErrorCode::kUnauthenticated:
      return exception_message_response(http, "Unauthorized");
    case ErrorCode::kInternal:
      return exception_message_response(http, "Internal Server Error");
    case ErrorCode::kLocked: {
      HttpResponse r = detail_response(http, status.message());
      if (!status.detail_json().empty()) {
        r.headers.set("Retry-After", status.detail_json());  // seconds, as text
      }
      return r;
    }
    default:
      return detail_response(http, status.message());
  }
}

}  // namespace prefectcore::api
