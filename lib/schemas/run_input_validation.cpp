#include "lib/schemas/run_input_validation.h"

#include <fmt/format.h>

namespace prefectcore::schemas {
namespace {

using core::JsonElement;
using simdjson::dom::element_type;

struct Failure {
  std::string path;  // "" for the root, "age", "address.city", "items[0]"
  std::string message;
};

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Follows a local $ref ("#/definitions/Name" or "#/$defs/Name"); nullopt if unresolvable.
std::optional<JsonElement> resolve(JsonElement root, JsonElement schema, int depth) {
  std::string_view ref;
  while (!schema["$ref"].get_string().get(ref)) {
    if (depth > 32 || ref.substr(0, 2) != "#/") {
      return std::nullopt;
    }
    JsonElement target = root;
    std::string_view rest = ref.substr(2);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      if (target.at_key(rest.substr(0, slash)).get(target)) {
        return std::nullopt;
      }
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    schema = target;
    ++depth;
  }
  return schema;
}

// Combinators re-check the same value, so a hostile schema (anyOf of self-references) could
// branch exponentially; `budget` caps the number of checks per validation.
constexpr int kCheckBudget = 100000;

std::optional<Failure> check(JsonElement root, JsonElement schema, JsonElement value,
                             const std::string& path, int depth, int& budget) {
  if (--budget < 0) {
    return Failure{path, "JSON schema too complex to validate"};
  }
  auto resolved = resolve(root, schema, depth);
  if (!resolved || depth > 32) {
    return Failure{path, "Unresolvable JSON schema reference"};
  }
  schema = *resolved;
  JsonElement type;
  if (!schema["type"].get(type)) {
    bool ok = false;
    std::string_view name;
    if (!type.get_string().get(name)) {
      ok = matches_json_type(value, name);
    } else if (core::JsonArray types; !type.get_array().get(types)) {
      for (JsonElement t : types) {
        ok = ok || (!t.get_string().get(name) && matches_json_type(value, name));
      }
    } else {
      ok = true;
    }
    if (!ok) {
      return Failure{path,
                     fmt::format("{} is not of type {}", python_repr(value), python_repr(type))};
    }
  }
  JsonElement choices;
  core::JsonArray options;
  if (!schema["enum"].get(choices) && !choices.get_array().get(options)) {
    bool found = false;
    for (JsonElement option : options) {
      found = found || core::to_json(option) == core::to_json(value);
    }
    if (!found) {
      return Failure{path,
                     fmt::format("{} is not one of {}", python_repr(value), python_repr(choices))};
    }
  }
  // Combinators (upstream's preprocessing turns optional fields into anyOf [T, null]; block
  // fields use allOf/oneOf). oneOf is not checked for more than one match.
  for (std::string_view keyword : {"anyOf", "oneOf"}) {
    core::JsonArray branches;
    if (!schema[keyword].get_array().get(branches)) {
      bool matched = false;
      for (JsonElement branch : branches) {
        matched = matched || !check(root, branch, value, path, depth + 1, budget);
      }
      if (!matched) {
        return Failure{path, fmt::format("{} is not valid under any of the given schemas",
                                         python_repr(value))};
      }
    }
  }
  if (core::JsonArray all; !schema["allOf"].get_array().get(all)) {
    for (JsonElement branch : all) {
      if (auto f = check(root, branch, value, path, depth + 1, budget)) {
        return f;
      }
    }
  }
  core::JsonObject object;
  if (!value.get_object().get(object)) {
    core::JsonArray required;
    if (!schema["required"].get_array().get(required)) {
      for (JsonElement key : required) {
        std::string_view name;
        JsonElement ignored;
        if (!key.get_string().get(name) && object.at_key(name).get(ignored)) {
          return Failure{path, fmt::format("{} is a required property", python_repr(key))};
        }
      }
    }
    core::JsonObject properties;
    if (!schema["properties"].get_object().get(properties)) {
      for (auto [key, sub] : properties) {
        JsonElement member;
        if (!object.at_key(key).get(member)) {
          if (auto f = check(root, sub, member, child_path(path, key), depth + 1, budget)) {
            return f;
          }
        }
      }
    }
  }
  core::JsonArray items;
  JsonElement item_schema;
  if (!value.get_array().get(items) && !schema["items"].get(item_schema) &&
      item_schema.is_object()) {
    std::size_t i = 0;
    for (JsonElement item : items) {
      if (auto f =
              check(root, item_schema, item, fmt::format("{}[{}]", path, i++), depth + 1, budget)) {
        return f;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

bool matches_json_type(JsonElement v, std::string_view type) {
  switch (v.type()) {
    case element_type::OBJECT:
      return type == "object";
    case element_type::ARRAY:
      return type == "array";
    case element_type::STRING:
      return type == "string";
    case element_type::BOOL:
      return type == "boolean";
    case element_type::NULL_VALUE:
      return type == "null";
    case element_type::INT64:
    case element_type::UINT64:
      return type == "integer" || type == "number";
    case element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d)) {
        return false;
      }
      return type == "number" ||
             (type == "integer" && d == static_cast<double>(static_cast<long long>(d)));
    }
  }
  return false;
}

std::string python_repr(JsonElement v) {
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return "None";
    case element_type::BOOL: {
      bool b = false;
      return !v.get_bool().get(b) && b ? "True" : "False";
    }
    case element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s)) {
        return "''";
      }
      std::string out = "'";
      for (char c : s) {
        if (c == '\'' || c == '\\') {
          out.push_back('\\');
        }
        out.push_back(c);
      }
      return out + "'";
    }
    case element_type::ARRAY: {
      std::string out = "[";
      bool first = true;
      core::JsonArray arr;
      if (v.get_array().get(arr)) {
        return "[]";
      }
      for (JsonElement item : arr) {
        out.append(first ? "" : ", ").append(python_repr(item));
        first = false;
      }
      return out + "]";
    }
    case element_type::OBJECT: {
      std::string out = "{";
      bool first = true;
      core::JsonObject obj;
      if (v.get_object().get(obj)) {
        return "{}";
      }
      for (auto [key, item] : obj) {
        out.append(first ? "'" : ", '").append(key).append("': ").append(python_repr(item));
        first = false;
      }
      return out + "}";
    }
    default:
      return core::to_json(v);
  }
}

std::optional<std::string> validate_run_input(JsonElement value, JsonElement schema) {
  int budget = kCheckBudget;
  auto failure = check(schema, schema, value, "", 0, budget);
  if (!failure) {
    return std::nullopt;
  }
  std::string head = failure->path.empty()
                         ? std::string("Validation failed.")
                         : fmt::format("Validation failed for field '{}'.", failure->path);
  return head + " Failure reason: " + failure->message;
}

}  // namespace prefectcore::schemas
