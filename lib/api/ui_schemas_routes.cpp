// POST /ui/schemas/validate (upstream api/ui/schemas.py with schema_tools.validation): checks
// values against a JSON schema and reports every failure, nested by property and index as
// upstream's build_error_obj does, for the UI's parameter and job-variable forms.
//
// Covered keywords: type, enum, const, required, properties, items, anyOf, allOf, oneOf and
// local $refs. Not done: hydration of {"__prefect_kind": ...} placeholders, meta-schema
// checks of the schema, formats and numeric/length bounds.

#include <variant>

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/routes.h"
#include "lib/core/json_writer.h"
#include "lib/schemas/decoder.h"
#include "lib/schemas/run_input_validation.h"  // python_repr, matches_json_type

namespace prefectcore::api {

// Called by register_ui_routes (ui_routes.cpp), which routes.h declares.
void register_ui_schema_routes(Router& router);

namespace {

using core::JsonElement;
using simdjson::dom::element_type;

using PathPart = std::variant<std::string, std::int64_t>;
using Path = std::vector<PathPart>;

struct Failure {
  Path path;
  std::string message;
};

// A schema nested deeper than this is taken to be circular (upstream: RecursionError).
constexpr int kMaxDepth = 64;

class Validator {
 public:
  explicit Validator(JsonElement root) : root_(root) {}

  // false when the schema is too deep to be anything but circular.
  bool check(JsonElement schema, JsonElement value, const Path& path, int depth,
             std::vector<Failure>& out) {
    if (depth > kMaxDepth) {
      return false;
    }
    core::JsonObject keywords;
    if (schema.get_object().get(keywords)) {
      return true;  // `true`/`false` schemas and junk: nothing to check
    }
    // Keywords in schema order, as jsonschema's iter_errors reports them.
    for (auto [keyword, arg] : keywords) {
      if (!check_keyword(keyword, arg, schema, value, path, depth, out)) {
        return false;
      }
    }
    return true;
  }

 private:
  bool passes(JsonElement schema, JsonElement value, int depth, bool& ok) {
    std::vector<Failure> sub;
    const bool finite = check(schema, value, {}, depth + 1, sub);
    ok = sub.empty();
    return finite;
  }

  bool check_keyword(std::string_view keyword, JsonElement arg, JsonElement schema,
                     JsonElement value, const Path& path, int depth, std::vector<Failure>& out) {
    const std::string repr = schemas::python_repr(value);
    if (keyword == "$ref") {
      std::string_view ref;
      JsonElement target = root_;
      if (arg.get_string().get(ref) || ref.substr(0, 2) != "#/") {
        return true;  // remote refs are not fetched
      }
      for (std::string_view rest = ref.substr(2); !rest.empty();) {
        const auto slash = rest.find('/');
        if (target.at_key(rest.substr(0, slash)).get(target)) {
          out.push_back({path, fmt::format("Unresolvable JSON pointer: '{}'", ref.substr(2))});
          return true;
        }
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
      }
      return check(target, value, path, depth + 1, out);
    }
    if (keyword == "type") {
      bool ok = false;
      std::string_view name;
      if (!arg.get_string().get(name)) {
        ok = schemas::matches_json_type(value, name);
      } else if (core::JsonArray types; !arg.get_array().get(types)) {
        for (JsonElement t : types) {
          ok = ok || (!t.get_string().get(name) && schemas::matches_json_type(value, name));
        }
      } else {
        ok = true;
      }
      if (!ok) {
        out.push_back({path, fmt::format("{} is not of type {}", repr, schemas::python_repr(arg))});
      }
      return true;
    }
    if (keyword == "enum" || keyword == "const") {
      core::JsonArray options;
      bool found = false;
      if (keyword == "const") {
        found = core::to_json(arg) == core::to_json(value);
      } else if (!arg.get_array().get(options)) {
        for (JsonElement option : options) {
          found = found || core::to_json(option) == core::to_json(value);
        }
      } else {
        found = true;
      }
      if (!found) {
        out.push_back(
            {path, keyword == "const"
                       ? fmt::format("{} was expected", schemas::python_repr(arg))
                       : fmt::format("{} is not one of {}", repr, schemas::python_repr(arg))});
      }
      return true;
    }
    if (keyword == "anyOf" || keyword == "oneOf" || keyword == "allOf") {
      core::JsonArray branches;
      if (arg.get_array().get(branches)) {
        return true;
      }
      if (keyword == "allOf") {
        for (JsonElement branch : branches) {
          if (!check(branch, value, path, depth + 1, out)) {
            return false;
          }
        }
        return true;
      }
      int matched = 0;
      for (JsonElement branch : branches) {
        bool ok = false;
        if (!passes(branch, value, depth, ok)) {
          return false;
        }
        matched += ok ? 1 : 0;
      }
      if (matched == 0) {
        out.push_back({path, fmt::format("{} is not valid under any of the given schemas", repr)});
      } else if (keyword == "oneOf" && matched > 1) {
        out.push_back(
            {path, fmt::format("{} is valid under each of {}", repr, schemas::python_repr(arg))});
      }
      return true;
    }
    core::JsonObject object;
    if (keyword == "required" && !value.get_object().get(object)) {
      core::JsonArray names;
      if (!arg.get_array().get(names)) {
        for (JsonElement name : names) {
          std::string_view key;
          JsonElement ignored;
          if (!name.get_string().get(key) && object.at_key(key).get(ignored)) {
            out.push_back(
                {path, fmt::format("{} is a required property", schemas::python_repr(name))});
          }
        }
      }
      return true;
    }
    if (keyword == "properties" && !value.get_object().get(object)) {
      core::JsonObject properties;
      if (arg.get_object().get(properties)) {
        return true;
      }
      core::JsonArray required;
      const bool has_required = !schema["required"].get_array().get(required);
      for (auto [key, sub] : properties) {
        JsonElement member;
        if (object.at_key(key).get(member)) {
          continue;
        }
        if (member.is_null() && nullable(sub, key, has_required ? &required : nullptr)) {
          continue;
        }
        Path child = path;
        child.emplace_back(std::string(key));
        if (!check(sub, member, child, depth + 1, out)) {
          return false;
        }
      }
      return true;
    }
    core::JsonArray items;
    if (keyword == "items" && arg.is_object() && !value.get_array().get(items)) {
      std::int64_t i = 0;
      for (JsonElement item : items) {
        Path child = path;
        child.emplace_back(i++);
        if (!check(arg, item, child, depth + 1, out)) {
          return false;
        }
      }
    }
    return true;
  }

  // upstream preprocess_schema: an optional property with a type and no default also
  // accepts null (pydantic v1 schemas leave that out).
  static bool nullable(JsonElement sub, std::string_view key, core::JsonArray* required) {
    JsonElement type;
    JsonElement fallback;
    std::string_view name;
    if (!sub.is_object() || sub["type"].get(type) || !sub["default"].get(fallback) ||
        (!type.get_string().get(name) && name == "null")) {
      return false;
    }
    if (required != nullptr) {
      for (JsonElement entry : *required) {
        std::string_view s;
        if (!entry.get_string().get(s) && s == key) {
          return false;
        }
      }
    }
    return true;
  }

  JsonElement root_;
};

// upstream build_error_obj: root failures are plain messages; others nest under
// {"property"|"index", "errors"} entries, a missing required property under its own name.
struct ErrorNode {
  std::optional<PathPart> part;  // nullopt: a message
  std::string message;
  std::vector<ErrorNode> errors;
};

void insert(std::vector<ErrorNode>& level, const Path& path, std::size_t at,
            const std::string& message) {
  if (at == path.size()) {
    level.push_back({std::nullopt, message, {}});
    return;
  }
  if (at + 1 == path.size()) {
    level.push_back({path[at], {}, {{std::nullopt, message, {}}}});
    return;
  }
  for (ErrorNode& node : level) {
    if (node.part && *node.part == path[at]) {
      insert(node.errors, path, at + 1, message);
      return;
    }
  }
  level.push_back({path[at], {}, {}});
  insert(level.back().errors, path, at + 1, message);
}

void write_nodes(core::JsonWriter& w, const std::vector<ErrorNode>& nodes) {
  w.begin_array();
  for (const ErrorNode& node : nodes) {
    if (!node.part) {
      w.string(node.message);
      continue;
    }
    w.begin_object();
    if (const auto* name = std::get_if<std::string>(&*node.part)) {
      w.key("property").string(*name);
    } else {
      w.key("index").integer(std::get<std::int64_t>(*node.part));
    }
    w.key("errors");
    write_nodes(w, node.errors);
    w.end_object();
  }
  w.end_array();
}

Result<HttpResponse> validate_obj(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {std::string("body")}, errors, "Body");
  for (std::string_view key : {"schema", "values"}) {
    auto m = d.member(key);
    if (d.is_object() && !m) {
      errors.add("missing", d.loc_of(key), "Field required", "null");
    } else if (m && !m->is_object()) {
      errors.add("dict_type", d.loc_of(key), "Input should be a valid dictionary",
                 core::to_json(*m));
    }
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  const JsonElement schema = *d.member("schema");
  std::vector<Failure> failures;
  if (!Validator(schema).check(schema, *d.member("values"), {}, 0, failures)) {
    return Status::unprocessable(
        "Invalid schema: Unable to validate schema with circular references.");
  }
  std::vector<ErrorNode> tree;
  for (Failure& f : failures) {
    // "'name' is a required property" belongs to the property it names.
    if (f.message.ends_with(" is a required property") && f.message.starts_with('\'')) {
      f.path.emplace_back(f.message.substr(1, f.message.find('\'', 1) - 1));
    }
    insert(tree, f.path, 0, f.message);
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("errors");
  write_nodes(w, tree);
  w.key("valid").boolean(tree.empty()).end_object();
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

void register_ui_schema_routes(Router& router) {
  router.add("POST", "/ui/schemas/validate", validate_obj);
}

}  // namespace prefectcore::api
