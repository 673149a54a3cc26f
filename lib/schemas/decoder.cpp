#include "lib/schemas/decoder.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"

namespace prefectcore::schemas {

bool is_valid_name(std::string_view name) {
  return !name.empty() && name.find_first_of("/%&><") == std::string_view::npos;
}

ObjectDecoder::ObjectDecoder(core::JsonElement value, core::Loc loc, core::ValidationErrors& errors,
                             std::string_view model)
    : value_(value), loc_(std::move(loc)), errors_(errors) {
  is_object_ = !value.get_object().get(object_);
  if (!is_object_) {
    errors_.add("model_attributes_type", loc_,
                fmt::format("Input should be a valid dictionary or object to extract fields "
                            "from ({})",
                            model),
                core::to_json(value));
  }
}

core::Loc ObjectDecoder::loc_of(std::string_view key) const {
  core::Loc l = loc_;
  l.emplace_back(std::string(key));
  return l;
}

void ObjectDecoder::forbid_extra(std::span<const std::string_view> allowed) {
  if (!is_object_) {
    return;
  }
  for (auto [key, v] : object_) {
    bool ok = false;
    for (auto a : allowed) {
      ok = ok || a == key;
    }
    if (!ok) {
      errors_.add("extra_forbidden", loc_of(key), "Extra inputs are not permitted",
                  core::to_json(v));
    }
  }
}

std::optional<core::JsonElement> ObjectDecoder::member(std::string_view key) const {
  if (!is_object_) {
    return std::nullopt;
  }
  core::JsonElement e;
  if (object_.at_key(key).get(e)) {
    return std::nullopt;
  }
  return e;
}

std::optional<std::string> ObjectDecoder::string(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  std::string_view s;
  if (m->get_string().get(s)) {
    errors_.add("string_type", loc_of(key), "Input should be a valid string", core::to_json(*m));
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<std::string> ObjectDecoder::required_string(std::string_view key) {
  if (is_object_ && !member(key)) {
    errors_.add("missing", loc_of(key), "Field required", core::to_json(value_));
    return std::nullopt;
  }
  return string(key);
}

std::optional<std::string> ObjectDecoder::required_name(std::string_view key) {
  auto s = required_string(key);
  if (s && !is_valid_name(*s)) {
    errors_.add("string_pattern_mismatch", loc_of(key), "String should match pattern '^[^/%&><]+$'",
                core::json_quote(*s), R"({"pattern":"^[^/%&><]+$"})");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> ObjectDecoder::integer(std::string_view key,
                                                   std::optional<std::int64_t> min,
                                                   std::optional<std::int64_t> max) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  std::int64_t i = 0;
  double d = 0;
  if (m->get_int64().get(i)) {
    // pydantic accepts floats with no fractional part.
    if (m->get_double().get(d) || d != static_cast<double>(static_cast<std::int64_t>(d))) {
      errors_.add("int_type", loc_of(key), "Input should be a valid integer", core::to_json(*m));
      return std::nullopt;
    }
    i = static_cast<std::int64_t>(d);
  }
  if (min && i < *min) {
    errors_.add("greater_than_equal", loc_of(key),
                fmt::format("Input should be greater than or equal to {}", *min), core::to_json(*m),
                fmt::format("{{\"ge\":{}}}", *min));
    return std::nullopt;
  }
  if (max && i > *max) {
    errors_.add("less_than_equal", loc_of(key),
                fmt::format("Input should be less than or equal to {}", *max), core::to_json(*m),
                fmt::format("{{\"le\":{}}}", *max));
    return std::nullopt;
  }
  return i;
}

std::optional<double> ObjectDecoder::number(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  double d;
  if (m->get_double().get(d)) {
    errors_.add("float_type", loc_of(key), "Input should be a valid number", core::to_json(*m));
    return std::nullopt;
  }
  return d;
}

std::optional<bool> ObjectDecoder::boolean(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  bool b;
  if (m->get_bool().get(b)) {
    errors_.add("bool_type", loc_of(key), "Input should be a valid boolean", core::to_json(*m));
    return std::nullopt;
  }
  return b;
}

std::optional<std::string> ObjectDecoder::uuid(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  std::string_view s;
  if (!m->get_string().get(s)) {
    if (auto id = core::normalize_uuid(s)) {
      return id;
    }
  }
  errors_.add("uuid_parsing", loc_of(key), "Input should be a valid UUID", core::to_json(*m));
  return std::nullopt;
}

std::optional<Timestamp> ObjectDecoder::time(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  std::string_view s;
  if (!m->get_string().get(s)) {
    if (auto t = core::parse_time(s)) {
      return *t;
    }
  }
  errors_.add("datetime_parsing", loc_of(key), "Input should be a valid datetime",
              core::to_json(*m));
  return std::nullopt;
}

std::optional<std::string> ObjectDecoder::string_list_json(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  core::JsonArray arr;
  if (m->get_array().get(arr)) {
    errors_.add("list_type", loc_of(key), "Input should be a valid list", core::to_json(*m));
    return std::nullopt;
  }
  std::string out = "[";
  std::int64_t i = 0;
  bool ok = true;
  for (core::JsonElement item : arr) {
    std::string_view s;
    if (item.get_string().get(s)) {
      core::Loc l = loc_of(key);
      l.emplace_back(i);
      errors_.add("string_type", l, "Input should be a valid string", core::to_json(item));
      ok = false;
    } else {
      if (i > 0) {
        out.push_back(',');
      }
      core::append_json_string(out, s);
    }
    ++i;
  }
  out.push_back(']');
  return ok ? std::optional<std::string>(out) : std::nullopt;
}

std::optional<std::string> ObjectDecoder::labels_json(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  core::JsonObject obj;
  if (m->get_object().get(obj)) {
    errors_.add("dict_type", loc_of(key), "Input should be a valid dictionary", core::to_json(*m));
    return std::nullopt;
  }
  for (auto [k, v] : obj) {
    if (v.is_array() || v.is_object() || v.is_null()) {
      core::Loc l = loc_of(key);
      l.emplace_back(std::string(k));
      errors_.add("string_type", l, "Input should be a valid string", core::to_json(v));
      return std::nullopt;
    }
  }
  return core::to_json(*m);
}

std::optional<std::string> ObjectDecoder::object_json(std::string_view key) {
  auto m = member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  if (!m->is_object()) {
    errors_.add("dict_type", loc_of(key), "Input should be a valid dictionary", core::to_json(*m));
    return std::nullopt;
  }
  return core::to_json(*m);
}

std::optional<std::string> ObjectDecoder::any_json(std::string_view key) {
  auto m = member(key);
  if (!m) {
    return std::nullopt;
  }
  return core::to_json(*m);
}

}  // namespace prefectcore::schemas
