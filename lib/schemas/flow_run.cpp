#include "lib/schemas/flow_run.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

using core::JsonElement;

// Records the pydantic error for an explicit null in a field that is not Optional.
bool reject_null(ObjectDecoder& d, std::string_view key, std::string_view type,
                 std::string_view msg) {
  auto m = d.member(key);
  if (m && m->is_null()) {
    d.errors().add(type, d.loc_of(key), msg, "null");
    return true;
  }
  return false;
}

std::optional<std::string> dict_field(ObjectDecoder& d, std::string_view key) {
  if (reject_null(d, key, "dict_type", "Input should be a valid dictionary")) {
    return std::nullopt;
  }
  return d.object_json(key);
}

std::optional<std::string> list_field(ObjectDecoder& d, std::string_view key) {
  if (reject_null(d, key, "list_type", "Input should be a valid list")) {
    return std::nullopt;
  }
  return d.string_list_json(key);
}

// An Optional[str] whose null is also allowed; a non-string is an error.
std::optional<std::string> nullable_string(ObjectDecoder& d, std::string_view key) {
  return d.string(key);
}

std::string with_thousands(std::int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out.push_back(',');
    }
    out.push_back(digits[i]);
  }
  return out;
}

// The size of Python's json.dumps(value, separators=(",", ":")) for compact JSON text:
// ensure_ascii turns every non-ASCII character into \uXXXX (two of them past the BMP).
std::int64_t python_json_size(std::string_view compact) {
  std::int64_t size = 0;
  for (std::size_t i = 0; i < compact.size();) {
    const auto c = static_cast<unsigned char>(compact[i]);
    if (c < 0x80) {
      size += 1;
      i += 1;
    } else if (c >= 0xF0) {
      size += 12;
      i += 4;
    } else {
      size += 6;
      i += c >= 0xE0 ? 3 : 2;
    }
  }
  return size;
}

// upstream validate_parameter_size_field (SizedParameters).
std::optional<std::string> sized_parameters(ObjectDecoder& d, std::int64_t max_size) {
  auto params = dict_field(d, "parameters");
  if (!params || max_size <= 0 || *params == "{}") {
    return params;
  }
  const std::int64_t size = python_json_size(*params);
  if (size > max_size) {
    d.errors().add("value_error", d.loc_of("parameters"),
                   fmt::format("Value error, Flow run parameters must be less than {} bytes when "
                               "serialized (got {} bytes).",
                               with_thousands(max_size), with_thousands(size)),
                   *params);
    return std::nullopt;
  }
  return params;
}

std::optional<FlowRunPolicy> policy_field(ObjectDecoder& d) {
  auto m = d.member("empirical_policy");
  if (!m) {
    return std::nullopt;
  }
  if (m->is_null()) {
    d.errors().add("model_type", d.loc_of("empirical_policy"),
                   "Input should be a valid dictionary or instance of FlowRunPolicy", "null");
    return std::nullopt;
  }
  return decode_flow_run_policy(*m, d.loc_of("empirical_policy"), d.errors());
}

// Python truthiness of a raw member, for the deprecated-field validator.
bool truthy_number(const std::optional<JsonElement>& m) {
  if (!m || m->is_null()) {
    return false;
  }
  double v = 0;
  if (!m->get_double().get(v)) {
    return v != 0;
  }
  return true;
}

}  // namespace

void write_flow_run_policy(core::JsonWriter& w, const FlowRunPolicy& p) {
  w.begin_object();
  w.key("max_retries").integer(p.max_retries);
  w.key("retry_delay_seconds").number(p.retry_delay_seconds);
  p.retries ? w.key("retries").integer(*p.retries) : w.key("retries").null();
  p.retry_delay ? w.key("retry_delay").integer(*p.retry_delay) : w.key("retry_delay").null();
  p.pause_keys ? w.key("pause_keys").string_array(*p.pause_keys) : w.key("pause_keys").null();
  p.resuming ? w.key("resuming").boolean(*p.resuming) : w.key("resuming").null();
  w.key("retry_type").opt_string(p.retry_type);
  w.end_object();
}

std::string encode_flow_run_policy(const FlowRunPolicy& policy) {
  std::string out;
  core::JsonWriter w(out);
  write_flow_run_policy(w, policy);
  return out;
}

void write_flow_run(core::JsonWriter& w, const FlowRun& r, Timestamp now, FlowRunShape shape) {
  w.begin_object();
  w.key("id").string(r.id);
  w.key("created").time(r.created);
  w.key("updated").time(r.updated);
  w.key("name").string(r.name);
  w.key("flow_id").string(r.flow_id);
  w.key("state_id").opt_string(r.state_id);
  w.key("deployment_id").opt_string(r.deployment_id);
  w.key("deployment_version").opt_string(r.deployment_version);
  w.key("work_queue_id").opt_string(r.work_queue_id);
  w.key("work_queue_name").opt_string(r.work_queue_name);
  w.key("flow_version").opt_string(r.flow_version);
  w.key("parameters").raw(r.parameters);
  w.key("idempotency_key").opt_string(r.idempotency_key);
  w.key("context").raw(r.context);
  w.key("empirical_policy");
  write_flow_run_policy(w, r.empirical_policy);
  w.key("tags").raw(r.tags);
  w.key("labels").raw(r.labels);
  w.key("parent_task_run_id").opt_string(r.parent_task_run_id);
  r.state_type ? w.key("state_type").string(to_string(*r.state_type)) : w.key("state_type").null();
  w.key("state_name").opt_string(r.state_name);
  w.key("run_count").integer(r.run_count);
  w.key("expected_start_time").opt_time(r.expected_start_time);
  w.key("next_scheduled_start_time").opt_time(r.next_scheduled_start_time);
  w.key("start_time").opt_time(r.start_time);
  w.key("end_time").opt_time(r.end_time);
  w.key("total_run_time").number(core::to_seconds(r.total_run_time));
  w.key("estimated_run_time").number(core::to_seconds(estimated_run_time(r, now)));
  w.key("estimated_start_time_delta").number(core::to_seconds(estimated_start_time_delta(r, now)));
  w.key("auto_scheduled").boolean(r.auto_scheduled);
  w.key("infrastructure_document_id").opt_string(r.infrastructure_document_id);
  w.key("infrastructure_pid").opt_string(r.infrastructure_pid);
  w.key("created_by").opt_raw(r.created_by);
  if (shape == FlowRunShape::kCore) {
    w.key("state").null();
  } else {
    w.key("work_pool_id").opt_string(r.work_pool_id);
    w.key("work_pool_name").opt_string(r.work_pool_name);
    w.key("state");
    r.state ? write_state(w, *r.state) : static_cast<void>(w.null());
  }
  w.key("job_variables").opt_raw(r.job_variables);
  w.end_object();
}

std::string encode_flow_run(const FlowRun& run, Timestamp now) {
  std::string out;
  core::JsonWriter w(out);
  write_flow_run(w, run, now);
  return out;
}

FlowRunPolicy decode_flow_run_policy(JsonElement value, const core::Loc& loc,
                                     core::ValidationErrors& errors) {
  ObjectDecoder d(value, loc, errors, "FlowRunPolicy");
  FlowRunPolicy p;
  if (!d.is_object()) {
    return p;
  }
  if (!reject_null(d, "max_retries", "int_type", "Input should be a valid integer")) {
    p.max_retries = d.integer("max_retries").value_or(0);
  }
  if (!reject_null(d, "retry_delay_seconds", "float_type", "Input should be a valid number")) {
    p.retry_delay_seconds = d.number("retry_delay_seconds").value_or(0);
  }
  p.retries = d.integer("retries");
  p.retry_delay = d.integer("retry_delay");
  // upstream set_run_policy_deprecated_fields: the legacy fields fill unset new ones.
  if (!truthy_number(d.member("retries")) && p.max_retries != 0) {
    p.retries = p.max_retries;
  }
  if (!truthy_number(d.member("retry_delay")) && p.retry_delay_seconds != 0) {
    const auto whole = static_cast<std::int64_t>(p.retry_delay_seconds);
    if (static_cast<double>(whole) == p.retry_delay_seconds) {
      p.retry_delay = whole;
    } else {
      errors.add("int_from_float", d.loc_of("retry_delay"),
                 "Input should be a valid integer, got a number with a fractional part",
                 core::to_json(*d.member("retry_delay_seconds")));
    }
  }
  if (d.member("pause_keys")) {
    p.pause_keys.reset();
    if (auto keys = d.string_list_json("pause_keys")) {
      std::vector<std::string> unique;
      auto doc = core::JsonDocument::parse(*keys);
      core::JsonArray arr;
      if (doc && !doc->root().get_array().get(arr)) {
        for (JsonElement item : arr) {
          std::string_view s;
          if (!item.get_string().get(s) &&
              std::find(unique.begin(), unique.end(), s) == unique.end()) {
            unique.emplace_back(s);
          }
        }
      }
      p.pause_keys = std::move(unique);
    }
  }
  if (d.member("resuming")) {
    p.resuming = d.boolean("resuming");
  }
  if (auto type = d.string("retry_type")) {
    if (*type == "in_process" || *type == "reschedule") {
      p.retry_type = std::move(*type);
    } else {
      errors.add("literal_error", d.loc_of("retry_type"),
                 "Input should be 'in_process' or 'reschedule'", core::json_quote(*type),
                 R"({"expected":"'in_process' or 'reschedule'"})");
    }
  }
  return p;
}

FlowRunPolicy parse_flow_run_policy(std::string_view json) {
  auto doc = core::JsonDocument::parse(json.empty() ? std::string_view("{}") : json);
  if (!doc) {
    return {};
  }
  core::ValidationErrors ignored;
  return decode_flow_run_policy(doc->root(), {}, ignored);
}

Result<FlowRunCreate> decode_flow_run_create(JsonElement value, const core::Loc& loc,
                                             std::int64_t max_parameter_size) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "FlowRunCreate");
  d.forbid_extra({"state", "name", "flow_id", "flow_version", "parameters", "context",
                  "parent_task_run_id", "infrastructure_document_id", "empirical_policy", "tags",
                  "labels", "idempotency_key", "work_pool_name", "work_queue_name", "job_variables",
                  "deployment_id"});
  FlowRunCreate out;
  if (auto state = d.member("state"); state && !state->is_null()) {
    PC_ASSIGN_OR_RETURN(out.state, decode_state_create(*state, d.loc_of("state")));
  }
  out.name = d.string("name").value_or("");
  if (d.is_object() && !d.has("flow_id")) {
    errors.add("missing", d.loc_of("flow_id"), "Field required", core::to_json(value));
  } else if (reject_null(d, "flow_id", "uuid_type",
                         "UUID input should be a string, bytes or UUID object")) {
  } else if (auto id = d.uuid("flow_id")) {
    out.flow_id = std::move(*id);
  }
  out.flow_version = nullable_string(d, "flow_version");
  out.parameters = sized_parameters(d, max_parameter_size).value_or("{}");
  out.context = dict_field(d, "context").value_or("{}");
  out.parent_task_run_id = d.uuid("parent_task_run_id");
  out.infrastructure_document_id = d.uuid("infrastructure_document_id");
  out.empirical_policy = policy_field(d).value_or(FlowRunPolicy{});
  out.tags = list_field(d, "tags").value_or("[]");
  out.labels = d.labels_json("labels");
  out.idempotency_key = nullable_string(d, "idempotency_key");
  out.work_pool_name = nullable_string(d, "work_pool_name");
  out.work_queue_name = nullable_string(d, "work_queue_name");
  out.job_variables = d.object_json("job_variables");
  out.deployment_id = d.uuid("deployment_id");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<FlowRunUpdate> decode_flow_run_update(JsonElement value, const core::Loc& loc,
                                             std::int64_t max_parameter_size) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "FlowRunUpdate");
  d.forbid_extra({"name", "flow_version", "parameters", "empirical_policy", "tags",
                  "infrastructure_pid", "job_variables"});
  FlowRunUpdate out;
  out.has_name = d.has("name");
  out.name = d.string("name").value_or("");
  out.has_flow_version = d.has("flow_version");
  out.flow_version = nullable_string(d, "flow_version");
  out.parameters = sized_parameters(d, max_parameter_size);
  out.empirical_policy = policy_field(d);
  out.tags = list_field(d, "tags");
  out.has_infrastructure_pid = d.has("infrastructure_pid");
  out.infrastructure_pid = nullable_string(d, "infrastructure_pid");
  out.has_job_variables = d.has("job_variables");
  out.job_variables = d.object_json("job_variables");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

std::string merge_json_objects(std::string_view base, std::string_view overlay) {
  auto base_doc = core::JsonDocument::parse(base.empty() ? std::string_view("null") : base);
  auto overlay_doc = core::JsonDocument::parse(overlay);
  core::JsonObject b;
  core::JsonObject o;
  const bool has_base = base_doc && !base_doc->root().get_object().get(b);
  const bool has_overlay = overlay_doc && !overlay_doc->root().get_object().get(o);
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  if (has_base) {
    for (auto [key, v] : b) {
      JsonElement replacement;
      const bool replaced = has_overlay && !o.at_key(key).get(replacement);
      w.key(key).raw(core::to_json(replaced ? replacement : v));
    }
  }
  if (has_overlay) {
    for (auto [key, v] : o) {
      JsonElement existing;
      if (!has_base || b.at_key(key).get(existing)) {
        w.key(key).raw(core::to_json(v));
      }
    }
  }
  w.end_object();
  return out;
}

}  // namespace prefectcore::schemas
