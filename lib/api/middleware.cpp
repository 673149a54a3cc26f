#include "lib/api/middleware.h"

#include <charconv>
#include <tuple>

#include <fmt/format.h>

#include "lib/api/errors.h"
#include "lib/models/csrf_tokens.h"

namespace prefectcore::api {

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16 |
                       static_cast<unsigned char>(data[i + 1]) << 8 |
                       static_cast<unsigned char>(data[i + 2]);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i < data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) {
      v |= static_cast<unsigned char>(data[i + 1]) << 8;
    }
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

namespace {

// hmac.compare_digest: the time taken does not depend on where the strings differ.
bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

Result<std::optional<models::CsrfToken>> find_csrf_token(const ApiContext& ctx,
                                                         std::string_view client) {
  if (ctx.db == nullptr) {
    return Status::unavailable("no database");
  }
  PC_ASSIGN_OR_RETURN(auto tx, ctx.db->begin(TxMode::kRead));
  return models::CsrfTokenRepository(*tx).find_valid(client, ctx.clock.now());
}

}  // namespace

std::optional<HttpResponse> check_csrf(const ApiContext& ctx, const HttpRequest& request) {
  const std::string& m = request.method;
  if (!ctx.settings.api.csrf_protection_enabled ||
      (m != "POST" && m != "PUT" && m != "PATCH" && m != "DELETE")) {
    return std::nullopt;
  }
  auto token = request.headers.get("Prefect-Csrf-Token");
  if (!token) {
    return detail_response(403, "Missing CSRF token.");
  }
  auto client = request.headers.get("Prefect-Csrf-Client");
  if (!client) {
    return detail_response(403, "Missing client identifier.");
  }
  auto found = find_csrf_token(ctx, *client);
  if (!found) {
    return error_response(found.error(), request);
  }
  if (!*found || !constant_time_equals((*found)->token, *token)) {
    HttpResponse r = detail_response(403, "Invalid CSRF token or client identifier.");
    r.headers.set("Access-Control-Allow-Origin", "*");
    return r;
  }
  return std::nullopt;
}

std::optional<HttpResponse> check_basic_auth(const Settings& settings, const HttpRequest& request,
                                             std::string_view route_path) {
  if (!settings.api.auth_string || settings.api.auth_string->empty()) {
    return std::nullopt;
  }
  if (request.method == "GET" && (route_path == "/health" || route_path == "/ready")) {
    return std::nullopt;
  }
  // Preflights carry no credentials; CORS answers them before auth (upstream: CORS is
  // outside the API app's auth middleware).
  auto header = request.headers.get("Authorization");
  const std::string expected = "Basic " + base64_encode(*settings.api.auth_string);
  if (header && *header == expected) {
    return std::nullopt;
  }
  return error_response(Status::unauthenticated("Unauthorized"), request);
}

namespace {
// Parses "x.y.z" strictly; false if malformed.
bool parse_version(std::string_view v, std::tuple<int, int, int>& out) {
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), parts[i]);
    if (ec != std::errc() || p == v.data()) {
      return false;
    }
    v.remove_prefix(static_cast<std::size_t>(p - v.data()));
    if (i < 2) {
      if (v.empty() || v.front() != '.') {
        return false;
      }
      v.remove_prefix(1);
    }
  }
  if (!v.empty()) {
    return false;
  }
  out = {parts[0], parts[1], parts[2]};
  return true;
}
}  // namespace

std::optional<HttpResponse> check_api_version(const HttpRequest& request) {
  auto header = request.headers.get("X-Prefect-API-Version");
  if (!header) {
    return std::nullopt;
  }
  std::tuple<int, int, int> v;
  if (!parse_version(*header, v)) {
    return detail_response(
        400, fmt::format("Invalid X-PREFECT-API-VERSION header format.Expected header in "
                         "format 'x.y.z' but received {}",
                         *header));
  }
  if (v < std::tuple<int, int, int>{0, 8, 0}) {
    return detail_response(
        400, fmt::format("The request specified API version {} but this server requires "
                         "version 0.8.0 or higher.",
                         *header));
  }
  return std::nullopt;
}

std::optional<HttpResponse> cors_preflight(const Settings& settings, const HttpRequest& request) {
  if (request.method != "OPTIONS" || !request.headers.has("Origin") ||
      !request.headers.has("Access-Control-Request-Method")) {
    return std::nullopt;
  }
  HttpResponse r;
  r.status = 200;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = "OK";
  r.headers.set("Access-Control-Allow-Origin", settings.api.cors_allowed_origins == "*"
                                                   ? std::string("*")
                                                   : std::string(*request.headers.get("Origin")));
  const std::string methods = settings.api.cors_allowed_methods == "*"
                                  ? "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
                                  : settings.api.cors_allowed_methods;
  r.headers.set("Access-Control-Allow-Methods", methods);
  auto requested = request.headers.get("Access-Control-Request-Headers");
  if (settings.api.cors_allowed_headers == "*" && requested) {
    r.headers.set("Access-Control-Allow-Headers", std::string(*requested));
  } else if (settings.api.cors_allowed_headers != "*") {
    r.headers.set("Access-Control-Allow-Headers", settings.api.cors_allowed_headers);
  }
  r.headers.set("Access-Control-Max-Age", "600");
  return r;
}

void add_cors_headers(const Settings& settings, const HttpRequest& request,
                      HttpResponse& response) {
  auto origin = request.headers.get("Origin");
  if (!origin) {
    return;
  }
  if (settings.api.cors_allowed_origins == "*") {
    response.headers.set("Access-Control-Allow-Origin", "*");
    return;
  }
  // An explicit list: echo the origin only if it is listed.
  std::string_view list = settings.api.cors_allowed_origins;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    while (!item.empty() && item.back() == ' ') {
      item.remove_suffix(1);
    }
    if (item == *origin) {
      response.headers.set("Access-Control-Allow-Origin", std::string(*origin));
      response.headers.set("Vary", "Origin");
      return;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
}

}  // namespace prefectcore::api
