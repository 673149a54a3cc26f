// /health, /version, /hello, /ready and /admin/* (upstream api/server.py, api/root.py,
// api/admin.py).

#include "lib/api/errors.h"
#include "lib/api/routes.h"
#include "lib/api/version.h"
#include "lib/core/json_writer.h"
#include "lib/core/settings_table.h"

namespace prefectcore::api {
namespace {

Result<HttpResponse> health(RequestContext&) { return HttpResponse::json(200, "true"); }

Result<HttpResponse> version(RequestContext&) {
  return HttpResponse::json(200, core::json_quote(kApiVersion));
}

Result<HttpResponse> hello(RequestContext&) {
  return HttpResponse::json(200, core::json_quote("\xf0\x9f\x91\x8b"));  // U+1F44B
}

Result<HttpResponse> ready(RequestContext& rc) {
  const bool ok = rc.api.db != nullptr && rc.api.db->ping().ok();
  std::string body;
  core::JsonWriter(body)
      .begin_object()
      .key("message")
      .string(ok ? "OK" : "Database is not available")
      .end_object();
  return HttpResponse::json(ok ? 200 : 503, std::move(body));
}

Result<HttpResponse> admin_version(RequestContext&) {
  return HttpResponse::json(200, core::json_quote(kPrefectVersion));
}

// Upstream dumps its whole settings model with secrets obfuscated; ours holds the server
// part, under the same keys.
Result<HttpResponse> admin_settings(RequestContext& rc) {
  return HttpResponse::json(200, core::settings_to_json(rc.api.settings));
}

}  // namespace

void register_root_routes(Router& router) {
  router.add("GET", "/health", health);
  router.add("GET", "/version", version);
  router.add("GET", "/hello", hello);
  router.add("GET", "/ready", ready);
  router.add("GET", "/admin/version", admin_version);
  router.add("GET", "/admin/settings", admin_settings);
}

}  // namespace prefectcore::api
