#pragma once

// Request checks that run before routing, in upstream's order (inventory §1 "Middleware
// order"): the CSRF check (outermost), then basic auth, then the API version dependency.
// CORS headers are added to every answer that passed the CSRF check.

#include <optional>
#include <string_view>

#include <prefectcore/http.h>
#include <prefectcore/settings.h>

#include "lib/api/context.h"
#include "lib/core/internal.h"

namespace prefectcore::api {

// Upstream's CsrfMiddleware: when CSRF protection is enabled, POST/PUT/PATCH/DELETE need
// Prefect-Csrf-Token and Prefect-Csrf-Client headers naming an unexpired token of that
// client, else 403. Runs on every path, before CORS (so only the invalid-token answer carries
// Access-Control-Allow-Origin, which it sets itself). 503 when the token cannot be read.
std::optional<HttpResponse> check_csrf(const ApiContext& ctx, const HttpRequest& request);

// 401 when PREFECT_SERVER_API_AUTH_STRING is set and the request lacks matching basic
// credentials; /health and /ready are exempt. `route_path` is relative to the base path.
std::optional<HttpResponse> check_basic_auth(const Settings& settings, const HttpRequest& request,
                                             std::string_view route_path);

// 400 for a malformed X-Prefect-API-Version header or one below 0.8.0; missing means latest.
std::optional<HttpResponse> check_api_version(const HttpRequest& request);

// The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method), if it is one.
std::optional<HttpResponse> cors_preflight(const Settings& settings, const HttpRequest& request);
// Adds Access-Control-* headers to an answer for a request that carried an Origin.
void add_cors_headers(const Settings& settings, const HttpRequest& request, HttpResponse& response);

// Standard base64 (RFC 4648) with padding.
std::string base64_encode(std::string_view data);

}  // namespace prefectcore::api
