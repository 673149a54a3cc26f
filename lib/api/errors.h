#pragma once

#include <prefectcore/http.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"

namespace prefectcore::api {

// The single place where a Status becomes an HTTP response in upstream's shapes
// (inventory §7.1). `request` supplies the echoed body of 422 validation errors.
HttpResponse error_response(const Status& status, const HttpRequest& request);

// {"detail": message} with `status`.
HttpResponse detail_response(int status, std::string_view message);

// The HTTP status for a code.
int http_status_for(ErrorCode code);

}  // namespace prefectcore::api
