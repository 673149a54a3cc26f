#include "lib/api/body.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"

namespace prefectcore::api {

Result<RequestBody> RequestBody::parse(const HttpRequest& request) {
  std::string_view text = request.body;
  const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
  PC_ASSIGN_OR_RETURN(core::JsonDocument doc, core::JsonDocument::parse(blank ? "{}" : text));
  RequestBody body;
  body.doc_ = std::move(doc);
  body.is_object_ = body.doc_.root().is_object();
  if (!body.is_object_) {
    // FastAPI validates an embedded body as an object of parameters.
    return core::invalid_at({std::string("body")}, "model_attributes_type",
                            "Input should be a valid dictionary or object to extract fields from",
                            core::to_json(body.doc_.root()));
  }
  return body;
}

Result<RequestBody> RequestBody::parse_required(const HttpRequest& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return core::invalid_at({std::string("body")}, "missing", "Field required");
  }
  PC_ASSIGN_OR_RETURN(core::JsonDocument doc, core::JsonDocument::parse(request.body));
  RequestBody body;
  body.doc_ = std::move(doc);
  body.is_object_ = body.doc_.root().is_object();
  return body;
}

std::optional<core::JsonElement> RequestBody::member(std::string_view key) const {
  if (!is_object_) {
    return std::nullopt;
  }
  core::JsonElement e;
  if (root().at_key(key).get(e)) {
    return std::nullopt;
  }
  return e;
}

Result<std::int64_t> RequestBody::bounded(std::string_view key, std::int64_t fallback,
                                          std::int64_t min, std::int64_t max) const {
  auto m = member(key);
  if (!m || m->is_null()) {
    return fallback;
  }
  const core::Loc loc{std::string("body"), std::string(key)};
  std::int64_t v;
  if (m->get_int64().get(v)) {
    return core::invalid_at(loc, "int_type", "Input should be a valid integer", core::to_json(*m));
  }
  if (v < min) {
    return core::invalid_at(loc, "greater_than_equal",
                            fmt::format("Input should be greater than or equal to {}", min),
                            core::to_json(*m));
  }
  if (v > max) {
    return core::invalid_at(loc, "less_than_equal",
                            fmt::format("Input should be less than or equal to {}", max),
                            core::to_json(*m));
  }
  return v;
}

Result<std::int64_t> RequestBody::limit(const Settings& settings) const {
  const std::int64_t max = settings.api.default_limit;
  PC_ASSIGN_OR_RETURN(std::int64_t v, bounded("limit", max, 0, INT64_MAX));
  if (v > max) {
    // Upstream's LimitBody raises an HTTPException here, not a body validation error.
    return Status::unprocessable(
        fmt::format("Invalid limit: must be less than or equal to {}.", max));
  }
  return v;
}

Result<std::int64_t> RequestBody::offset() const { return bounded("offset", 0, 0, INT64_MAX); }

Result<std::int64_t> RequestBody::page() const { return bounded("page", 1, 1, INT64_MAX); }

Result<std::string_view> RequestBody::sort(const std::vector<std::string_view>& allowed,
                                           std::string_view fallback) const {
  auto m = member("sort");
  if (!m || m->is_null()) {
    return fallback;
  }
  std::string_view s;
  if (!m->get_string().get(s)) {
    for (auto a : allowed) {
      if (a == s) {
        return a;
      }
    }
  }
  std::string expected;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) {
      expected.append(i + 1 == allowed.size() ? " or " : ", ");
    }
    expected.append("'").append(allowed[i]).append("'");
  }
  core::ValidationErrors errors;
  std::string ctx;
  core::JsonWriter(ctx).begin_object().key("expected").string(expected).end_object();
  errors.add("enum", {std::string("body"), std::string("sort")}, "Input should be " + expected,
             core::to_json(*m), ctx);
  return errors.to_status();
}

Result<models::SqlCondition> RequestBody::filter(std::string_view key,
                                                 const models::FilterSpec& spec,
                                                 const Dialect& dialect) const {
  auto m = member(key);
  if (!m || m->is_null()) {
    models::SqlCondition none;
    none.sql = "1=1";
    return none;
  }
  return models::compile_filter(spec, *m, {std::string("body"), std::string(key)}, dialect);
}

}  // namespace prefectcore::api
