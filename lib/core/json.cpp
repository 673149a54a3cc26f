#include "lib/core/json.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"

namespace prefectcore::core {

Result<JsonDocument> JsonDocument::parse(std::string_view text) {
  JsonDocument doc;
  doc.parser_ = std::make_unique<simdjson::dom::parser>();
  auto err = doc.parser_->parse(text.data(), text.size(), true).get(doc.root_);
  if (err) {
    ValidationErrors errors;
    errors.add("json_invalid", {std::string("body"), std::int64_t{0}}, "JSON decode error", "{}",
               fmt::format("{{\"error\":{}}}", json_quote(simdjson::error_message(err))));
    return errors.to_status();
  }
  return doc;
}

void ValidationErrors::add(std::string_view type, const Loc& loc, std::string_view msg,
                           std::string_view input_json, std::string_view ctx_json) {
  if (count_++ > 0) {
    items_.push_back(',');
  }
  JsonWriter w(items_);
  w.begin_object().key("type").string(type).key("loc").begin_array();
  for (const auto& part : loc) {
    if (const auto* s = std::get_if<std::string>(&part)) {
      w.string(*s);
    } else {
      w.integer(std::get<std::int64_t>(part));
    }
  }
  w.end_array().key("msg").string(msg).key("input").raw(input_json.empty() ? "null" : input_json);
  if (!ctx_json.empty()) {
    w.key("ctx").raw(ctx_json);
  }
  w.end_object();
}

Status ValidationErrors::to_status() const {
  return Status::invalid_argument("Invalid request received.", "[" + items_ + "]");
}

std::string to_json(JsonElement e) { return simdjson::minify(e); }

Status invalid_at(const Loc& loc, std::string_view type, std::string_view msg,
                  std::string_view input_json) {
  ValidationErrors errors;
  errors.add(type, loc, msg, input_json);
  return errors.to_status();
}

std::string_view json_type_name(JsonElement e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "list";
    case simdjson::dom::element_type::OBJECT:
      return "dict";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "int";
    case simdjson::dom::element_type::DOUBLE:
      return "float";
    case simdjson::dom::element_type::STRING:
      return "str";
    case simdjson::dom::element_type::BOOL:
      return "bool";
    case simdjson::dom::element_type::NULL_VALUE:
      return "None";
  }
  return "unknown";
}

}  // namespace prefectcore::core
