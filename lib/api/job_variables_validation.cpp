#include "lib/api/job_variables_validation.h"

#include <vector>

#include "lib/core/json.h"
#include "lib/models/block_documents.h"
#include "lib/models/work_pools.h"
#include "lib/schemas/block_json.h"
#include "lib/schemas/run_input_validation.h"

namespace prefectcore::api {
namespace {

using schemas::JsonValue;

constexpr std::string_view kReasonMarker = " Failure reason: ";

// The template's variables schema; nullopt when there is nothing to validate against
// (upstream: `if not variables_schema`).
std::optional<JsonValue> variables_schema(std::string_view base_job_template) {
  auto tpl = JsonValue::parse(base_job_template);
  if (!tpl || !tpl->is_object()) {
    return std::nullopt;
  }
  const JsonValue* vars = tpl->find("variables");
  if (!vars || !vars->is_object() || vars->members().empty()) {
    return std::nullopt;
  }
  return *vars;
}

bool names(const JsonValue* list, std::string_view key) {
  if (!list || !list->is_array()) {
    return false;
  }
  for (const JsonValue& v : list->items()) {
    if (v.is_string() && v.str() == key) {
      return true;
    }
  }
  return false;
}

// upstream process_properties/_fix_null_typing: a typed field that is not required (and has
// no default, unless `allow_none_with_default`) also accepts null. Nested objects are
// processed without allow_none_with_default, as upstream does.
void allow_null_for_optional(JsonValue& properties, const JsonValue* required,
                             bool allow_none_with_default) {
  if (!properties.is_object()) {
    return;
  }
  for (auto& [key, prop] : properties.members()) {
    if (!prop.is_object()) {
      continue;
    }
    const JsonValue* type = prop.find("type");
    if (type && !names(required, key) && !(type->is_string() && type->str() == "null") &&
        (!prop.find("default") || allow_none_with_default)) {
      JsonValue typed = JsonValue::object();
      typed.set("type", *type);
      JsonValue null = JsonValue::object();
      null.set("type", JsonValue::string("null"));
      JsonValue any = JsonValue::array();
      any.push_back(std::move(typed));
      any.push_back(std::move(null));
      prop.erase("type");
      prop.set("anyOf", std::move(any));
    }
    if (JsonValue* nested = prop.find("properties")) {
      const JsonValue nested_required =
          prop.find("required") ? *prop.find("required") : JsonValue::array();
      allow_null_for_optional(*nested, &nested_required, false);
    }
  }
}

// A block-typed definition also accepts a reference to a block document.
JsonValue block_or_reference(const JsonValue& definition) {
  static constexpr std::string_view kReference =
      R"({"type":"object","properties":{"$ref":{"oneOf":[{"type":"string","format":"uuid"},)"
      R"({"type":"object","additionalProperties":{"type":"string"},"minProperties":1}]}},)"
      R"("required":["$ref"]})";
  JsonValue options = JsonValue::array();
  options.push_back(definition);
  auto reference = JsonValue::parse(kReference);
  options.push_back(reference ? std::move(*reference) : JsonValue::object());
  JsonValue out = JsonValue::object();
  out.set("oneOf", std::move(options));
  return out;
}

// upstream preprocess_schema (the tuple `items` fix is moot: list-form items are not checked).
void preprocess(JsonValue& schema, bool allow_none_with_default) {
  if (JsonValue* properties = schema.find("properties")) {
    const JsonValue required = schema.find("required") ? *schema.find("required") : JsonValue();
    allow_null_for_optional(*properties, &required, allow_none_with_default);
  }
  JsonValue* definitions = schema.find("definitions");
  if (!definitions || !definitions->is_object()) {
    return;
  }
  std::vector<std::pair<std::string, JsonValue>> wrapped;
  for (auto& [name, definition] : definitions->members()) {
    if (!definition.is_object()) {
      continue;
    }
    if (JsonValue* properties = definition.find("properties")) {
      const JsonValue required =
          definition.find("required") ? *definition.find("required") : JsonValue();
      allow_null_for_optional(*properties, &required, allow_none_with_default);
    }
    const JsonValue* title = definition.find("title");
    if (definition.find("block_type_slug") && title && title->is_string()) {
      wrapped.emplace_back(title->str(), block_or_reference(definition));
    }
  }
  for (auto& [title, value] : wrapped) {
    definitions->set(title, std::move(value));
  }
}

// upstream schema_tools.validate(raise_on_error=True): nullopt when `obj` conforms, else
// "Validation failed[ for field 'x']. Failure reason: ...".
std::optional<std::string> validate(const JsonValue& obj, JsonValue schema, bool preprocessed,
                                    bool ignore_required, bool allow_none_with_default) {
  if (preprocessed) {
    preprocess(schema, allow_none_with_default);
  }
  auto schema_doc = core::JsonDocument::parse(schema.dump());
  auto obj_doc = core::JsonDocument::parse(obj.dump());
  if (!schema_doc || !obj_doc) {
    return std::string("Validation failed.");
  }
  if (!ignore_required) {
    return schemas::validate_run_input(obj_doc->root(), schema_doc->root());
  }
  auto stripped = core::JsonDocument::parse(schemas::strip_required(schema_doc->root()));
  if (!stripped) {
    return std::string("Validation failed.");
  }
  return schemas::validate_run_input(obj_doc->root(), stripped->root());
}

// upstream _resolve_default_reference: the data of the block document a default refers to;
// nullopt when the reference names no document id.
Result<std::optional<JsonValue>> referenced_block(Transaction& tx, core::IdGenerator& ids,
                                                  const JsonValue& ref) {
  const JsonValue* id = ref.is_object() ? ref.find("block_document_id") : nullptr;
  if (!id || id->is_null()) {
    return std::optional<JsonValue>();
  }
  auto normalized = id->is_string() ? core::normalize_uuid(id->str()) : std::nullopt;
  if (!normalized) {
    return Status::not_found("Block not found.");
  }
  PC_ASSIGN_OR_RETURN(auto block, models::BlockDocumentRepository(tx, ids).get(*normalized, false));
  if (!block) {
    return Status::not_found("Block not found.");
  }
  return std::optional<JsonValue>(std::move(block->data));
}

struct Defaults {
  JsonValue values = JsonValue::object();
  bool dropped_invalid = false;
};

// upstream _get_base_config_defaults: the fields' defaults, block references hydrated; with
// `drop_invalid`, defaults that do not conform are left out (and noted).
Result<Defaults> base_defaults(Transaction& tx, core::IdGenerator& ids, const JsonValue& schema,
                               bool drop_invalid) {
  Defaults out;
  const JsonValue* properties = schema.find("properties");
  if (!properties || !properties->is_object()) {
    return out;
  }
  for (const auto& [name, attrs] : properties->members()) {
    const JsonValue* value = attrs.is_object() ? attrs.find("default") : nullptr;
    if (!value) {
      continue;
    }
    if (const JsonValue* ref = value->is_object() ? value->find("$ref") : nullptr) {
      PC_ASSIGN_OR_RETURN(auto block, referenced_block(tx, ids, *ref));
      if (!block) {
        continue;
      }
      out.values.set(name, std::move(*block));
    } else {
      out.values.set(name, *value);
    }
    if (drop_invalid) {
      JsonValue one = JsonValue::object();
      one.set(name, *out.values.find(name));
      if (validate(one, schema, false, true, false)) {
        out.dropped_invalid = true;
        out.values.erase(name);
      }
    }
  }
  return out;
}

// upstream _validate_work_pool_job_variables: nullopt when the overlay conforms.
Result<std::optional<std::string>> check_overlay(Transaction& tx, core::IdGenerator& ids,
                                                 std::string_view base_job_template,
                                                 const std::vector<std::string_view>& overlays,
                                                 bool ignore_required, bool drop_invalid) {
  auto schema = variables_schema(base_job_template);
  if (!schema) {
    return std::optional<std::string>();
  }
  PC_ASSIGN_OR_RETURN(Defaults defaults, base_defaults(tx, ids, *schema, drop_invalid));
  JsonValue all = std::move(defaults.values);
  for (std::string_view overlay : overlays) {
    auto parsed = JsonValue::parse(overlay);
    if (parsed && parsed->is_object()) {
      for (auto& [key, value] : parsed->members()) {
        all.set(key, std::move(value));
      }
    }
  }
  // Without the dropped defaults, a required field they would have filled cannot be judged.
  const bool skip_required = ignore_required || (drop_invalid && defaults.dropped_invalid);
  return validate(all, std::move(*schema), true, skip_required, true);
}

Result<std::optional<std::string>> pool_template(Transaction& tx, const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto pool, models::WorkPoolRepository(tx).find_by_name(name));
  return pool ? std::optional<std::string>(pool->base_job_template) : std::nullopt;
}

// Python's repr() of a str, for upstream's `{exc!r}` of a jsonschema ValidationError.
std::string python_str_repr(std::string_view s) {
  const bool double_quoted =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  const char quote = double_quoted ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\' || c == quote) {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  out.push_back(quote);
  return out;
}

}  // namespace

Status check_deployment_job_variables(Transaction& tx, core::IdGenerator& ids,
                                      const std::string& work_pool_name,
                                      const std::optional<std::string>& job_variables) {
  auto parsed = job_variables ? JsonValue::parse(*job_variables) : Result<JsonValue>(JsonValue());
  if (!parsed || !parsed->is_object() || parsed->members().empty()) {
    return {};
  }
  PC_ASSIGN_OR_RETURN(auto tpl, pool_template(tx, work_pool_name));
  if (!tpl) {
    return {};
  }
  PC_ASSIGN_OR_RETURN(auto failure, check_overlay(tx, ids, *tpl, {*job_variables}, true, true));
  if (failure) {
    return Status::unprocessable("Error creating deployment: " + *failure);
  }
  return {};
}

Status check_deployment_update_job_variables(Transaction& tx, const schemas::DeploymentInput& in) {
  if (!in.work_pool_name || in.work_pool_name->empty() || !in.job_variables) {
    return {};
  }
  auto job_variables = JsonValue::parse(*in.job_variables);
  PC_ASSIGN_OR_RETURN(auto tpl, pool_template(tx, *in.work_pool_name));
  if (!job_variables || !job_variables->is_object() || !tpl) {
    return {};  // a missing pool is reported by the queue resolution that follows
  }
  auto tpl_value = JsonValue::parse(*tpl);
  const JsonValue* schema =
      tpl_value && tpl_value->is_object() ? tpl_value->find("variables") : nullptr;
  if (!schema || !schema->is_object()) {
    return {};
  }
  auto failure = validate(*job_variables, *schema, true, true, false);
  if (!failure) {
    return {};
  }
  // upstream reports the bare jsonschema error, as repr().
  const auto at = failure->find(kReasonMarker);
  const std::string reason =
      at == std::string::npos ? *failure : failure->substr(at + kReasonMarker.size());
  return Status::conflict(
      "Error creating deployment: <ValidationError: " + python_str_repr(reason) + ">");
}

Status check_flow_run_job_variables(Transaction& tx, core::IdGenerator& ids,
                                    const schemas::Deployment& deployment,
                                    const std::optional<std::string>& run_job_variables) {
  if (!deployment.work_pool_name) {
    return {};  // e.g. flow.serve() deployments: no template to validate against
  }
  PC_ASSIGN_OR_RETURN(auto tpl, pool_template(tx, *deployment.work_pool_name));
  if (!tpl) {
    return {};
  }
  PC_ASSIGN_OR_RETURN(
      auto failure,
      check_overlay(tx, ids, *tpl, {deployment.job_variables, run_job_variables.value_or("{}")},
                    false, true));
  if (failure) {
    return Status::unprocessable("Error creating flow run: " + *failure);
  }
  return {};
}

Status check_work_pool_job_variable_defaults(Transaction& tx, core::IdGenerator& ids,
                                             std::string_view base_job_template) {
  PC_ASSIGN_OR_RETURN(auto failure, check_overlay(tx, ids, base_job_template, {}, true, false));
  if (failure) {
    return Status::unprocessable("Validation failed for work pool's job variable defaults: " +
                                 *failure);
  }
  return {};
}

}  // namespace prefectcore::api
