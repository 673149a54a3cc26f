#include "lib/schemas/task_run.h"

#include <array>
#include <cmath>

#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

constexpr std::size_t kMaxRetryDelays = 50;
constexpr std::string_view kValueErrorCtx = R"({"error":{}})";

core::Loc child(const core::Loc& loc, core::LocPart part) {
  core::Loc out = loc;
  out.push_back(std::move(part));
  return out;
}

bool is_integral(core::JsonElement e) {
  std::int64_t i = 0;
  return e.get_int64().get(i) == simdjson::SUCCESS;
}

// Reads retry_delay: null, a number or a list of numbers (pydantic's smart union keeps
// integers integral and widens a mixed list to floats).
std::optional<RetryDelay> read_retry_delay(core::JsonElement e, const core::Loc& loc,
                                           core::ValidationErrors& errors) {
  if (e.is_null()) {
    return std::nullopt;
  }
  RetryDelay out;
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && !e.is_bool()) {
    out.integral = is_integral(e);
    out.values.push_back(d);
    return out;
  }
  core::JsonArray items;
  if (e.get_array().get(items) != simdjson::SUCCESS) {
    errors.add("float_type", loc, "Input should be a valid number", core::to_json(e));
    return std::nullopt;
  }
  out.is_list = true;
  std::int64_t i = 0;
  bool ok = true;
  for (core::JsonElement item : items) {
    if (item.is_bool() || item.get_double().get(d) != simdjson::SUCCESS) {
      errors.add("float_type", child(loc, i), "Input should be a valid number",
                 core::to_json(item));
      ok = false;
    } else {
      out.integral = out.integral && is_integral(item);
      out.values.push_back(d);
    }
    ++i;
  }
  if (!ok) {
    return std::nullopt;
  }
  if (out.values.size() > kMaxRetryDelays) {
    errors.add("value_error", loc,
               "Value error, Can not configure more than 50 retry delays per task.",
               core::to_json(e), kValueErrorCtx);
    return std::nullopt;
  }
  return out;
}

bool is_falsy(const std::optional<RetryDelay>& d) {
  return !d || (d->is_list ? d->values.empty() : d->values.front() == 0);
}

// Decodes the policy, recording problems in `errors` and leaving bad members at defaults.
TaskRunPolicy read_policy(core::JsonElement value, const core::Loc& loc,
                          core::ValidationErrors& errors) {
  ObjectDecoder d(value, loc, errors, "TaskRunPolicy");
  TaskRunPolicy p;
  p.max_retries = d.integer("max_retries").value_or(0);
  p.retry_delay_seconds = d.number("retry_delay_seconds").value_or(0);
  p.retries = d.integer("retries");
  if (auto m = d.member("retry_delay")) {
    p.retry_delay = read_retry_delay(*m, d.loc_of("retry_delay"), errors);
  }
  p.retry_jitter_factor = d.number("retry_jitter_factor");
  if (p.retry_jitter_factor && *p.retry_jitter_factor < 0) {
    errors.add("value_error", d.loc_of("retry_jitter_factor"),
               "Value error, `retry_jitter_factor` must be >= 0.",
               core::to_json(*d.member("retry_jitter_factor")), kValueErrorCtx);
    p.retry_jitter_factor.reset();
  }
  // upstream set_run_policy_deprecated_fields
  if (p.retries.value_or(0) == 0 && p.max_retries != 0) {
    p.retries = p.max_retries;
  }
  if (is_falsy(p.retry_delay) && p.retry_delay_seconds != 0) {
    auto raw = d.member("retry_delay_seconds");
    p.retry_delay = RetryDelay{false, raw && is_integral(*raw), {p.retry_delay_seconds}};
  }
  return p;
}

void write_delay_value(core::JsonWriter& w, double v, bool integral) {
  if (integral) {
    w.integer(static_cast<std::int64_t>(v));
  } else {
    w.number(v);
  }
}

// TaskRunCreate.task_inputs: dict[str, list[TaskRunResult | FlowRunResult | Parameter |
// Constant]]. Each input is re-emitted with only its model's fields (extra ignored).
struct InputKind {
  std::string_view input_type;
  std::string_view model;
  std::string_view field;
  bool is_uuid;
};
constexpr std::array<InputKind, 4> kInputKinds = {{{"task_run", "TaskRunResult", "id", true},
                                                   {"flow_run", "FlowRunResult", "id", true},
                                                   {"parameter", "Parameter", "name", false},
                                                   {"constant", "Constant", "type", false}}};

std::optional<std::string> read_input_field(core::JsonObject obj, const InputKind& kind) {
  core::JsonElement v;
  std::string_view s;
  if (obj.at_key(kind.field).get(v) != simdjson::SUCCESS ||
      v.get_string().get(s) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  if (kind.is_uuid) {
    return core::normalize_uuid(s);
  }
  return std::string(s);
}

void read_run_input(core::JsonElement item, const core::Loc& loc, core::ValidationErrors& errors,
                    core::JsonWriter& w) {
  core::JsonObject obj;
  if (item.get_object().get(obj) != simdjson::SUCCESS) {
    for (const auto& kind : kInputKinds) {
      errors.add("model_type", child(loc, std::string(kind.model)),
                 "Input should be a valid dictionary or instance of " + std::string(kind.model),
                 core::to_json(item));
    }
    return;
  }
  std::string_view declared;
  const bool has_type = obj["input_type"].get_string().get(declared) == simdjson::SUCCESS;
  for (const auto& kind : kInputKinds) {
    if (has_type && declared != kind.input_type) {
      continue;
    }
    if (auto value = read_input_field(obj, kind)) {
      w.begin_object().key("input_type").string(kind.input_type);
      w.key(kind.field).string(*value).end_object();
      return;
    }
    errors.add(kind.is_uuid ? "uuid_parsing" : "string_type",
               child(child(loc, std::string(kind.model)), std::string(kind.field)),
               kind.is_uuid ? "Input should be a valid UUID" : "Input should be a valid string",
               core::to_json(item));
    return;
  }
  errors.add("union_tag_invalid", child(loc, std::string("input_type")),
             "Input tag does not match any of the expected tags: 'task_run', 'flow_run', "
             "'parameter', 'constant'",
             core::to_json(item));
}

std::optional<std::string> read_task_inputs(core::JsonElement value, const core::Loc& loc,
                                            core::ValidationErrors& errors) {
  core::JsonObject obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) {
    errors.add("dict_type", loc, "Input should be a valid dictionary", core::to_json(value));
    return std::nullopt;
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  for (auto [key, list] : obj) {
    const core::Loc key_loc = child(loc, std::string(key));
    core::JsonArray items;
    if (list.get_array().get(items) != simdjson::SUCCESS) {
      errors.add("list_type", key_loc, "Input should be a valid list", core::to_json(list));
      continue;
    }
    w.key(key).begin_array();
    std::int64_t i = 0;
    for (core::JsonElement item : items) {
      read_run_input(item, child(key_loc, i++), errors, w);
    }
    w.end_array();
  }
  w.end_object();
  return out;
}

// Upstream fields typed as a list or model reject an explicit null.
void reject_null(ObjectDecoder& d, std::string_view key, std::string_view type,
                 std::string_view msg) {
  if (auto m = d.member(key); m && m->is_null()) {
    d.errors().add(type, d.loc_of(key), msg, "null");
  }
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

}  // namespace

void write_task_run_policy(core::JsonWriter& w, const TaskRunPolicy& p) {
  w.begin_object();
  w.key("max_retries").integer(p.max_retries);
  w.key("retry_delay_seconds").number(p.retry_delay_seconds);
  p.retries ? w.key("retries").integer(*p.retries) : w.key("retries").null();
  w.key("retry_delay");
  if (!p.retry_delay) {
    w.null();
  } else if (!p.retry_delay->is_list) {
    write_delay_value(w, p.retry_delay->values.front(), p.retry_delay->integral);
  } else {
    w.begin_array();
    for (double v : p.retry_delay->values) {
      write_delay_value(w, v, p.retry_delay->integral);
    }
    w.end_array();
  }
  p.retry_jitter_factor ? w.key("retry_jitter_factor").number(*p.retry_jitter_factor)
                        : w.key("retry_jitter_factor").null();
  w.end_object();
}

std::string encode_task_run_policy(const TaskRunPolicy& p) {
  std::string out;
  core::JsonWriter w(out);
  write_task_run_policy(w, p);
  return out;
}

Result<TaskRunPolicy> decode_task_run_policy(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  TaskRunPolicy p = read_policy(value, loc, errors);
  if (!errors.empty()) {
    return errors.to_status();
  }
  return p;
}

TaskRunPolicy parse_task_run_policy(std::string_view json) {
  auto doc = core::JsonDocument::parse(json.empty() ? std::string_view("{}") : json);
  if (!doc) {
    return {};
  }
  core::ValidationErrors ignored;
  return read_policy(doc->root(), {}, ignored);
}

void write_task_run(core::JsonWriter& w, const TaskRun& r, Timestamp now) {
  w.begin_object();
  w.key("id").string(r.id);
  w.key("created").time(r.created);
  w.key("updated").time(r.updated);
  w.key("name").string(r.name);
  w.key("flow_run_id").opt_string(r.flow_run_id);
  w.key("task_key").string(r.task_key);
  w.key("dynamic_key").string(r.dynamic_key);
  w.key("cache_key").opt_string(r.cache_key);
  w.key("cache_expiration").opt_time(r.cache_expiration);
  w.key("task_version").opt_string(r.task_version);
  w.key("empirical_policy");
  write_task_run_policy(w, r.empirical_policy);
  w.key("tags").raw(r.tags);
  w.key("labels").raw(r.labels);
  w.key("state_id").opt_string(r.state_id);
  w.key("task_inputs").raw(r.task_inputs);
  r.state_type ? w.key("state_type").string(to_string(*r.state_type)) : w.key("state_type").null();
  w.key("state_name").opt_string(r.state_name);
  w.key("run_count").integer(r.run_count);
  w.key("flow_run_run_count").integer(r.flow_run_run_count);
  w.key("expected_start_time").opt_time(r.expected_start_time);
  w.key("next_scheduled_start_time").opt_time(r.next_scheduled_start_time);
  w.key("start_time").opt_time(r.start_time);
  w.key("end_time").opt_time(r.end_time);
  w.key("total_run_time").number(core::to_seconds(r.total_run_time));
  w.key("estimated_run_time").number(core::to_seconds(estimated_run_time(r, now)));
  w.key("estimated_start_time_delta").number(core::to_seconds(estimated_start_time_delta(r, now)));
  w.key("state");
  r.state ? write_state(w, *r.state) : static_cast<void>(w.null());
  w.end_object();
}

std::string encode_task_run(const TaskRun& run, Timestamp now) {
  std::string out;
  core::JsonWriter w(out);
  write_task_run(w, run, now);
  return out;
}

void write_task_run_response(core::JsonWriter& w, const TaskRun& r, Timestamp now) {
  w.begin_object();
  w.key("id").string(r.id);
  w.key("created").time(r.created);
  w.key("updated").time(r.updated);
  w.key("name").string(r.name);
  w.key("flow_run_id").opt_string(r.flow_run_id);
  w.key("task_key").string(r.task_key);
  w.key("state_id").opt_string(r.state_id);
  w.key("state");
  r.state ? write_state(w, *r.state) : static_cast<void>(w.null());
  w.key("task_version").opt_string(r.task_version);
  w.key("task_inputs").raw(r.task_inputs);
  w.key("empirical_policy");
  write_task_run_policy(w, r.empirical_policy);
  w.key("tags").raw(r.tags);
  w.key("start_time").opt_time(r.start_time);
  w.key("end_time").opt_time(r.end_time);
  w.key("total_run_time").number(core::to_seconds(r.total_run_time));
  w.key("estimated_run_time").number(core::to_seconds(estimated_run_time(r, now)));
  w.key("estimated_start_time_delta").number(core::to_seconds(estimated_start_time_delta(r, now)));
  w.end_object();
}

Result<TaskRunCreate> decode_task_run_create(core::JsonElement value, const core::Loc& loc,
                                             int max_cache_key_length) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "TaskRunCreate");
  d.forbid_extra({"id", "state", "name", "flow_run_id", "task_key", "dynamic_key", "cache_key",
                  "cache_expiration", "task_version", "empirical_policy", "tags", "labels",
                  "task_inputs"});
  TaskRunCreate out;
  out.id = d.uuid("id");
  if (auto state = d.member("state"); state && !state->is_null()) {
    PC_ASSIGN_OR_RETURN(out.state, decode_state_create(*state, d.loc_of("state")));
  }
  if (auto name = d.string("name"); name && !name->empty()) {
    out.name = std::move(name);
  }
  out.flow_run_id = d.uuid("flow_run_id");
  out.task_key = d.required_string("task_key").value_or("");
  out.dynamic_key = d.required_string("dynamic_key").value_or("");
  out.cache_key = d.string("cache_key");
  if (out.cache_key &&
      code_points(*out.cache_key) > static_cast<std::size_t>(max_cache_key_length)) {
    errors.add("value_error", d.loc_of("cache_key"),
               "Value error, Cache key exceeded maximum allowed length of " +
                   std::to_string(max_cache_key_length) + " characters.",
               core::json_quote(*out.cache_key), kValueErrorCtx);
  }
  out.cache_expiration = d.time("cache_expiration");
  out.task_version = d.string("task_version");
  if (auto policy = d.member("empirical_policy"); policy && !policy->is_null()) {
    out.empirical_policy = read_policy(*policy, d.loc_of("empirical_policy"), errors);
  }
  reject_null(d, "empirical_policy", "model_type",
              "Input should be a valid dictionary or instance of TaskRunPolicy");
  if (auto tags = d.string_list_json("tags")) {
    out.tags = std::move(*tags);
  }
  reject_null(d, "tags", "list_type", "Input should be a valid list");
  if (auto m = d.member("labels"); m && m->is_null()) {
    out.labels.reset();
  } else if (auto labels = d.labels_json("labels")) {
    out.labels = std::move(*labels);
  }
  if (auto inputs = d.member("task_inputs"); inputs && !inputs->is_null()) {
    if (auto normalized = read_task_inputs(*inputs, d.loc_of("task_inputs"), errors)) {
      out.task_inputs = std::move(*normalized);
    }
  }
  reject_null(d, "task_inputs", "dict_type", "Input should be a valid dictionary");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<TaskRunUpdate> decode_task_run_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "TaskRunUpdate");
  d.forbid_extra({"name"});
  TaskRunUpdate out;
  out.set = d.has("name");
  if (auto name = d.string("name"); name && !name->empty()) {
    out.name = std::move(name);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
