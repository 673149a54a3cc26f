// The hydration tree walk and upstream's HydrationError messages. The Jinja renderer is in
// parameter_hydration_jinja.cpp.

#include "lib/schemas/parameter_hydration.h"

#include <fmt/format.h>

#include "lib/core/jinja_syntax.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {
namespace {

using core::JsonElement;
using core::JsonObject;

// A hydrated value: JSON text, or upstream's RemoveValue placeholder (the member is dropped
// from its parent).
struct Hydrated {
  bool remove = false;
  std::string json;
};

std::optional<JsonElement> member(JsonObject o, std::string_view key) {
  JsonElement e;
  if (o.at_key(key).get(e)) {
    return std::nullopt;
  }
  return e;
}

// The string a JSON text holds, or nullopt when it is not a string.
std::optional<std::string> json_string(const std::string& json) {
  auto doc = core::JsonDocument::parse(json);
  std::string_view s;
  if (!doc || doc->root().get_string().get(s)) {
    return std::nullopt;
  }
  return std::string(s);
}

class Hydrator {
 public:
  explicit Hydrator(const VariableLookup& lookup) : lookup_(lookup) {}

  // Set when the Status returned by hydrate() is a HydrationError, not a lookup failure.
  bool hydration_failed = false;

  Result<Hydrated> hydrate(JsonElement e) {
    JsonObject o;
    core::JsonArray a;
    if (!e.get_object().get(o)) {
      if (auto kind = member(o, "__prefect_kind")) {
        return call_handler(*kind, o);
      }
      std::string out;
      core::JsonWriter w(out);
      w.begin_object();
      for (auto field : o) {
        PC_ASSIGN_OR_RETURN(Hydrated h, hydrate(field.value));
        if (!h.remove) {
          w.key(field.key).raw(h.json);
        }
      }
      w.end_object();
      return Hydrated{false, std::move(out)};
    }
    if (!e.get_array().get(a)) {
      std::string out;
      core::JsonWriter w(out);
      w.begin_array();
      for (JsonElement item : a) {
        PC_ASSIGN_OR_RETURN(Hydrated h, hydrate(item));
        if (!h.remove) {
          w.raw(h.json);
        }
      }
      w.end_array();
      return Hydrated{false, std::move(out)};
    }
    return Hydrated{false, core::to_json(e)};
  }

 private:
  Status fail(std::string message) {
    hydration_failed = true;
    return Status::bad_request(std::move(message));
  }

  // A handler's input member: hydrated when it is an object, as upstream does.
  Result<Hydrated> input(JsonElement e) {
    if (e.is_object()) {
      return hydrate(e);
    }
    return Hydrated{false, core::to_json(e)};
  }

  Result<Hydrated> call_handler(JsonElement kind, JsonObject o) {
    std::string_view k;
    if (kind.get_string().get(k)) {
      k = {};
    }
    if (k == "none") {
      if (auto value = member(o, "value")) {
        return hydrate(*value);
      }
      return fail("Missing 'value' key in __prefect object");
    }
    if (k == "json") {
      return json_handler(o);
    }
    if (k == "jinja") {
      return jinja_handler(o);
    }
    if (k == "workspace_variable") {
      return variable_handler(o);
    }
    // Unknown kinds: the raw "value" (not hydrated), or None.
    auto value = member(o, "value");
    return Hydrated{false, value ? core::to_json(*value) : "null"};
  }

  Result<Hydrated> json_handler(JsonObject o) {
    auto value = member(o, "value");
    if (!value) {
      return Hydrated{true, {}};  // the UI's {"__prefect_kind": "json"} placeholder
    }
    PC_ASSIGN_OR_RETURN(Hydrated h, input(*value));
    if (h.remove) {
      return h;
    }
    auto text = json_string(h.json);
    if (!text) {
      return h;  // only strings are parsed
    }
    auto doc = core::JsonDocument::parse(*text);
    if (!doc) {
      // The scanner only words the error as Python's json.loads would.
      if (auto error = python_json_error(*text)) {
        return fail("Invalid JSON: " + *error);
      }
      // Python accepts NaN, Infinity and integers of any size; stored parameters cannot
      // hold the first two, and our reader stops at 64-bit integers.
      const bool special =
          text->find("NaN") != std::string::npos || text->find("Infinity") != std::string::npos;
      return fail(special ? "Invalid JSON: Out of range float values are not JSON compliant"
                          : "Invalid JSON: Number out of range");
    }
    return Hydrated{false, core::to_json(doc->root())};
  }

  Result<Hydrated> jinja_handler(JsonObject o) {
    auto template_member = member(o, "template");
    if (!template_member) {
      return fail("Missing 'template' key in __prefect object");
    }
    PC_ASSIGN_OR_RETURN(Hydrated h, input(*template_member));
    if (h.remove) {
      return h;
    }
    auto source = json_string(h.json);
    if (!source) {
      // Upstream fails with a TypeError (a 500) here.
      return fail("Invalid jinja: the template must be a string");
    }
    if (auto error = core::check_user_template(*source)) {
      return fail("Invalid jinja: " + error->message);
    }
    auto rendered = render_user_template(*source);
    if (!rendered) {
      return fail("Invalid jinja: " + rendered.error().message());
    }
    return Hydrated{false, core::json_quote(*rendered)};
  }

  Result<Hydrated> variable_handler(JsonObject o) {
    auto name_member = member(o, "variable_name");
    if (!name_member) {
      return Hydrated{true, {}};  // the UI's placeholder, as for "json"
    }
    PC_ASSIGN_OR_RETURN(Hydrated h, input(*name_member));
    if (h.remove) {
      return h;
    }
    auto name = json_string(h.json);
    if (!name) {
      // Not a string: no variable has this name (upstream: a dict lookup that misses).
      return fail(fmt::format("Variable '{}' not found in workspace.", h.json));
    }
    PC_ASSIGN_OR_RETURN(auto value, lookup_(*name));
    if (!value) {
      return fail(fmt::format("Variable '{}' not found in workspace.", *name));
    }
    return Hydrated{false, std::move(*value)};
  }

  const VariableLookup& lookup_;
};

}  // namespace

Result<std::string> hydrate_parameters(std::string_view parameters_json,
                                       const VariableLookup& lookup,
                                       std::string_view error_prefix) {
  PC_ASSIGN_OR_RETURN(auto doc, core::JsonDocument::parse(parameters_json));
  Hydrator hydrator(lookup);
  auto result = hydrator.hydrate(doc.root());
  if (!result) {
    if (!hydrator.hydration_failed) {
      return result.error();
    }
    return Status::bad_request(std::string(error_prefix) + result.error().message());
  }
  if (result->remove) {
    return std::string("{}");
  }
  if (result->json.empty() || result->json.front() != '{') {
    // Upstream stores whatever a top-level __prefect_kind object hydrates to, then fails
    // later; parameters stay an object here.
    return Status::bad_request(std::string(error_prefix) +
                               "Hydrated parameters must be a JSON object");
  }
  return std::move(result->json);
}

}  // namespace prefectcore::schemas
