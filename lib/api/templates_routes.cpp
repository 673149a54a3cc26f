// /templates/validate and its deprecated alias /automations/templates/validate (upstream
// api/templates.py): 204 for a valid Jinja template, else 422 with the error's line.

#include <optional>

#include "lib/api/errors.h"
#include "lib/api/routes.h"
#include "lib/core/jinja_syntax.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::api {
namespace {

Result<HttpResponse> validate_template(RequestContext& rc) {
  const std::string_view text = rc.request.body;
  std::string_view source;
  std::optional<core::JsonDocument> doc;
  // The body is a JSON string; no body means the default "".
  if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    PC_ASSIGN_OR_RETURN(doc, core::JsonDocument::parse(text));
    if (doc->root().get_string().get(source) != simdjson::SUCCESS) {
      return core::invalid_at({std::string("body")}, "string_type",
                              "Input should be a valid string", core::to_json(doc->root()));
    }
  }
  auto error = core::check_user_template(source);
  if (!error) {
    return HttpResponse::empty(204);
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("error").begin_object();
  w.key("line").integer(error->line).key("message").string(error->message);
  w.key("source").string(source).end_object().end_object();
  return HttpResponse::json(422, std::move(out));
}

}  // namespace

void register_template_routes(Router& router) {
  router.add("POST", "/templates/validate", validate_template);
  router.add("POST", "/automations/templates/validate", validate_template);
}

}  // namespace prefectcore::api
