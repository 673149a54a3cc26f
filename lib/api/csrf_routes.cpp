// GET /csrf-token (upstream api/csrf_token.py).

#include "lib/api/errors.h"
#include "lib/api/routes.h"

namespace prefectcore::api {
namespace {

Result<HttpResponse> csrf_token(RequestContext& rc) {
  if (!rc.api.settings.api.csrf_protection_enabled) {
    return detail_response(422, "CSRF protection is disabled.");
  }
  // TODO(endpoints): tokens stored in csrf_token once storage lands.
  return detail_response(422, "CSRF protection is disabled.");
}

}  // namespace

void register_csrf_routes(Router& router) { router.add("GET", "/csrf-token", csrf_token); }

}  // namespace prefectcore::api
