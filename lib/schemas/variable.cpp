#include "lib/schemas/variable.h"

#include <fmt/format.h>

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

// upstream prefect.types: MAX_VARIABLE_NAME_LENGTH and MAX_VARIABLE_VALUE_LENGTH.
constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxValueLength = 5000;

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// upstream VariableName: at most 255 characters, then
// raise_on_name_alphanumeric_dashes_underscores_only (^[a-z0-9-_]*$, empty allowed).
std::optional<std::string> variable_name(ObjectDecoder& d, std::string_view key,
                                         std::optional<std::string> name) {
  if (!name) {
    return std::nullopt;
  }
  if (code_points(*name) > kMaxNameLength) {
    d.errors().add("string_too_long", d.loc_of(key), "String should have at most 255 characters",
                   core::json_quote(*name), R"({"max_length":255})");
    return std::nullopt;
  }
  for (char c : *name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      d.errors().add("value_error", d.loc_of(key),
                     "Value error, Variable name must only contain lowercase letters, numbers, "
                     "and dashes or underscores.",
                     core::json_quote(*name));
      return std::nullopt;
    }
  }
  return name;
}

// upstream check_variable_value: the orjson serialisation (compact, UTF-8 as is, so its
// byte length is the length of our compact text) must stay within 5000 characters.
std::optional<std::string> variable_value(ObjectDecoder& d, std::string_view key) {
  auto m = d.member(key);
  if (!m) {
    return std::nullopt;
  }
  std::string json = core::to_json(*m);
  if (!m->is_null() && json.size() > kMaxValueLength) {
    d.errors().add(
        "value_error", d.loc_of(key),
        fmt::format("Value error, Variable value must be less than {} characters", kMaxValueLength),
        json);
    return std::nullopt;
  }
  return json;
}

}  // namespace

void write_variable(core::JsonWriter& w, const Variable& variable) {
  w.begin_object();
  w.key("id").string(variable.id);
  w.key("created").time(variable.created);
  w.key("updated").time(variable.updated);
  w.key("name").string(variable.name);
  w.key("value").raw(variable.value);
  w.key("tags").raw(variable.tags);
  w.end_object();
}

std::string encode_variable(const Variable& variable) {
  std::string out;
  core::JsonWriter w(out);
  write_variable(w, variable);
  return out;
}

Result<VariableCreate> decode_variable_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "VariableCreate");
  d.forbid_extra({"name", "value", "tags"});
  VariableCreate out;
  if (auto name = variable_name(d, "name", d.required_string("name"))) {
    out.name = std::move(*name);
  } else if (auto m = d.member("name"); m && m->is_null()) {
    errors.add("string_type", d.loc_of("name"), "Input should be a valid string", "null");
  }
  if (d.is_object() && !d.has("value")) {
    errors.add("missing", d.loc_of("value"), "Field required", core::to_json(value));
  } else if (auto v = variable_value(d, "value")) {
    out.value = std::move(*v);
  }
  if (auto tags = d.string_list_json("tags")) {
    out.tags = std::move(*tags);
  } else if (d.member("tags") && d.member("tags")->is_null()) {
    errors.add("list_type", d.loc_of("tags"), "Input should be a valid list", "null");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<VariableUpdate> decode_variable_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "VariableUpdate");
  d.forbid_extra({"name", "value", "tags"});
  VariableUpdate out;
  if (auto m = d.member("name"); m && m->is_null()) {
    out.name_is_null = true;
  } else {
    out.name = variable_name(d, "name", d.string("name"));
  }
  out.value = variable_value(d, "value");
  if (auto m = d.member("tags"); m && m->is_null()) {
    out.tags_is_null = true;
  } else {
    out.tags = d.string_list_json("tags");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
