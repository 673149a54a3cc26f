#include "lib/schemas/deployment.h"

#include <span>

#include <fmt/format.h>

#include "lib/schemas/decoder.h"
#include "lib/schemas/run_input_validation.h"
#include "lib/schemas/schedule.h"

namespace prefectcore::schemas {
namespace {

using core::JsonElement;

void write_limit(core::JsonWriter& w, const DeploymentLimitView& l) {
  w.begin_object();
  w.key("id").string(l.id);
  w.key("created").time(l.created);
  w.key("updated").time(l.updated);
  w.key("active").boolean(l.active);
  w.key("name").string(l.name);
  w.key("limit").integer(l.limit);
  w.key("active_slots").integer(l.active_slots);
  w.key("slot_decay_per_second").number(l.slot_decay_per_second);
  w.end_object();
}

// Records the pydantic error for an explicit null in a member that is not Optional.
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

// PositiveInteger (gt=0).
std::optional<std::int64_t> positive(ObjectDecoder& d, std::string_view key) {
  auto v = d.integer(key);
  if (v && *v <= 0) {
    d.errors().add("greater_than", d.loc_of(key), "Input should be greater than 0",
                   std::to_string(*v), R"({"gt":0})");
    return std::nullopt;
  }
  return v;
}

// upstream validate_schedule_max_scheduled_runs (a model validator: value_error).
std::optional<std::int64_t> max_runs(ObjectDecoder& d, std::int64_t limit) {
  auto v = positive(d, "max_scheduled_runs");
  if (v && *v > limit) {
    d.errors().add(
        "value_error", d.loc_of("max_scheduled_runs"),
        fmt::format("Value error, `max_scheduled_runs` must be less than or equal to {}.", limit),
        std::to_string(*v));
    return std::nullopt;
  }
  return v;
}

// SizedParameters: Python's compact json.dumps size (ensure_ascii) must not pass the limit.
std::optional<std::string> sized_parameters(ObjectDecoder& d, std::int64_t max_size) {
  auto params = dict_field(d, "parameters");
  if (!params || max_size <= 0) {
    return params;
  }
  std::int64_t size = 0;
  for (std::size_t i = 0; i < params->size();) {
    const auto c = static_cast<unsigned char>((*params)[i]);
    size += c < 0x80 ? 1 : (c >= 0xF0 ? 12 : 6);
    i += c < 0x80 ? 1 : (c >= 0xF0 ? 4 : (c >= 0xE0 ? 3 : 2));
  }
  if (size > max_size) {
    d.errors().add("value_error", d.loc_of("parameters"),
                   fmt::format("Value error, Flow run parameters must be less than {} bytes when "
                               "serialized (got {} bytes).",
                               max_size, size),
                   *params);
    return std::nullopt;
  }
  return params;
}

// ConcurrencyOptions {collision_strategy (required enum), grace_period_seconds 60..86400}.
std::optional<std::string> concurrency_options(ObjectDecoder& parent) {
  auto m = parent.member("concurrency_options");
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  ObjectDecoder d(*m, parent.loc_of("concurrency_options"), parent.errors(), "ConcurrencyOptions");
  if (!d.is_object()) {
    return std::nullopt;
  }
  auto strategy = d.required_string("collision_strategy");
  if (strategy && *strategy != "ENQUEUE" && *strategy != "CANCEL_NEW") {
    d.errors().add("enum", d.loc_of("collision_strategy"),
                   "Input should be 'ENQUEUE' or 'CANCEL_NEW'", core::json_quote(*strategy),
                   R"({"expected":"'ENQUEUE' or 'CANCEL_NEW'"})");
    strategy.reset();
  }
  auto grace = d.integer("grace_period_seconds", 60, 86400);
  if (!strategy) {
    return std::nullopt;
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("collision_strategy").string(*strategy);
  w.key("grace_period_seconds");
  grace ? w.integer(*grace) : w.null();
  w.end_object();
  return out;
}

// pull_steps: Optional[list[dict]].
std::optional<std::string> pull_steps(ObjectDecoder& d) {
  auto m = d.member("pull_steps");
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  core::JsonArray arr;
  if (m->get_array().get(arr)) {
    d.errors().add("list_type", d.loc_of("pull_steps"), "Input should be a valid list",
                   core::to_json(*m));
    return std::nullopt;
  }
  std::int64_t i = 0;
  bool ok = true;
  for (JsonElement step : arr) {
    if (!step.is_object()) {
      core::Loc loc = d.loc_of("pull_steps");
      loc.emplace_back(i);
      d.errors().add("dict_type", loc, "Input should be a valid dictionary", core::to_json(step));
      ok = false;
    }
    ++i;
  }
  return ok ? std::optional<std::string>(core::to_json(*m)) : std::nullopt;
}

// VersionInfo {type, version} (extra allowed); accepted and not stored.
void version_info(ObjectDecoder& parent) {
  auto m = parent.member("version_info");
  if (!m || m->is_null()) {
    return;
  }
  ObjectDecoder d(*m, parent.loc_of("version_info"), parent.errors(), "VersionInfo");
  if (d.is_object()) {
    d.required_string("type");
    d.required_string("version");
  }
}

std::optional<std::vector<DeploymentScheduleInput>> schedules(ObjectDecoder& d, bool update,
                                                              std::int64_t limit, Timestamp now) {
  auto m = d.member("schedules");
  if (!m) {
    return std::nullopt;
  }
  core::JsonArray arr;
  if (m->get_array().get(arr)) {
    d.errors().add("list_type", d.loc_of("schedules"), "Input should be a valid list",
                   core::to_json(*m));
    return std::nullopt;
  }
  std::vector<DeploymentScheduleInput> out;
  std::int64_t i = 0;
  for (JsonElement item : arr) {
    core::Loc loc = d.loc_of("schedules");
    loc.emplace_back(i++);
    if (auto s = decode_deployment_schedule(item, loc, d.errors(), update, limit, now)) {
      out.push_back(std::move(*s));
    }
  }
  return out;
}

// Reads a nullable member and records whether it was present.
template <typename T, typename Fn>
void nullable(ObjectDecoder& d, std::string_view key, bool& has, std::optional<T>& out, Fn read) {
  has = d.has(key);
  out = read(key);
}

Result<DeploymentInput> decode_deployment(JsonElement value, const core::Loc& loc,
                                          std::int64_t max_parameter_size,
                                          std::int64_t max_runs_limit, bool update, Timestamp now) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, update ? "DeploymentUpdate" : "DeploymentCreate");
  // upstream remove_old_deployment_fields drops the worker_pool_* and work_pool_queue_name
  // keys before validation. DeploymentUpdate allows all but the last three, which only
  // DeploymentCreate has.
  static constexpr std::string_view kAllowed[] = {"paused",
                                                  "schedules",
                                                  "concurrency_limit",
                                                  "concurrency_options",
                                                  "global_concurrency_limit_id",
                                                  "enforce_parameter_schema",
                                                  "parameter_openapi_schema",
                                                  "parameters",
                                                  "tags",
                                                  "pull_steps",
                                                  "work_queue_name",
                                                  "work_pool_name",
                                                  "storage_document_id",
                                                  "infrastructure_document_id",
                                                  "description",
                                                  "path",
                                                  "version",
                                                  "entrypoint",
                                                  "job_variables",
                                                  "version_info",
                                                  "worker_pool_queue_id",
                                                  "worker_pool_name",
                                                  "worker_pool_queue_name",
                                                  "work_pool_queue_name",
                                                  "name",
                                                  "flow_id",
                                                  "labels"};
  const std::span<const std::string_view> allowed(kAllowed);
  d.forbid_extra(update ? allowed.first(allowed.size() - 3) : allowed);
  DeploymentInput in;
  if (!update) {
    in.name = d.required_string("name").value_or("");
    if (d.is_object() && !d.has("flow_id")) {
      errors.add("missing", d.loc_of("flow_id"), "Field required", core::to_json(value));
    } else if (!reject_null(d, "flow_id", "uuid_type",
                            "UUID input should be a string, bytes or UUID object")) {
      in.flow_id = d.uuid("flow_id").value_or("");
    }
    nullable(d, "labels", in.has_labels, in.labels, [&](auto k) { return d.labels_json(k); });
  }
  if (!reject_null(d, "paused", "bool_type", "Input should be a valid boolean")) {
    in.paused = d.boolean("paused");
  }
  if (!reject_null(d, "schedules", "list_type", "Input should be a valid list")) {
    in.schedules = schedules(d, update, max_runs_limit, now);
  }
  nullable(d, "concurrency_limit", in.has_concurrency_limit, in.concurrency_limit,
           [&](auto k) { return positive(d, k); });
  nullable(d, "concurrency_options", in.has_concurrency_options, in.concurrency_options,
           [&](auto) { return concurrency_options(d); });
  nullable(d, "global_concurrency_limit_id", in.has_global_concurrency_limit_id,
           in.global_concurrency_limit_id, [&](auto k) { return d.uuid(k); });
  if (update ||
      !reject_null(d, "enforce_parameter_schema", "bool_type", "Input should be a valid boolean")) {
    in.enforce_parameter_schema = d.boolean("enforce_parameter_schema");
  }
  nullable(d, "parameter_openapi_schema", in.has_parameter_openapi_schema,
           in.parameter_openapi_schema, [&](auto k) { return d.object_json(k); });
  in.parameters = update ? d.object_json("parameters") : sized_parameters(d, max_parameter_size);
  if (!reject_null(d, "tags", "list_type", "Input should be a valid list")) {
    in.tags = d.string_list_json("tags");
  }
  nullable(d, "pull_steps", in.has_pull_steps, in.pull_steps, [&](auto) { return pull_steps(d); });
  auto str = [&](auto k) { return d.string(k); };
  nullable(d, "work_queue_name", in.has_work_queue_name, in.work_queue_name, str);
  nullable(d, "work_pool_name", in.has_work_pool_name, in.work_pool_name, str);
  nullable(d, "storage_document_id", in.has_storage_document_id, in.storage_document_id,
           [&](auto k) { return d.uuid(k); });
  nullable(d, "infrastructure_document_id", in.has_infrastructure_document_id,
           in.infrastructure_document_id, [&](auto k) { return d.uuid(k); });
  nullable(d, "description", in.has_description, in.description, str);
  nullable(d, "path", in.has_path, in.path, str);
  nullable(d, "version", in.has_version, in.version, str);
  nullable(d, "entrypoint", in.has_entrypoint, in.entrypoint, str);
  in.job_variables = update ? d.object_json("job_variables") : dict_field(d, "job_variables");
  version_info(d);
  // upstream _validate_concurrency_limits (a "before" model validator: loc is the model).
  if (in.concurrency_limit && in.global_concurrency_limit_id) {
    errors.add("value_error", loc,
               "Value error, A deployment cannot have both a concurrency limit and a global "
               "concurrency limit.",
               core::to_json(value));
  }
  // upstream validate_parameters_conform_to_schema (a "before" validator on create).
  if (!update && in.enforce_parameter_schema.value_or(true) && in.parameters &&
      in.parameter_openapi_schema) {
    if (auto failure = check_parameters(*in.parameters, *in.parameter_openapi_schema, true)) {
      errors.add("value_error", loc, "Value error, " + *failure, core::to_json(value));
    }
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return in;
}

void write_without_required(core::JsonWriter& w, JsonElement e) {
  core::JsonObject obj;
  core::JsonArray arr;
  if (!e.get_object().get(obj)) {
    w.begin_object();
    for (auto [key, v] : obj) {
      if (key != "required") {
        w.key(key);
        write_without_required(w, v);
      }
    }
    w.end_object();
  } else if (!e.get_array().get(arr)) {
    w.begin_array();
    for (JsonElement v : arr) {
      write_without_required(w, v);
    }
    w.end_array();
  } else {
    w.raw(core::to_json(e));
  }
}

}  // namespace

std::string strip_required(JsonElement schema) {
  std::string out;
  core::JsonWriter w(out);
  write_without_required(w, schema);
  return out;
}

std::optional<std::string> check_parameters(std::string_view parameters, std::string_view schema,
                                            bool ignore_required) {
  auto params_doc = core::JsonDocument::parse(parameters);
  auto schema_doc = core::JsonDocument::parse(schema);
  if (!params_doc || !schema_doc) {
    return std::string("Validation failed.");
  }
  if (!ignore_required) {
    return validate_run_input(params_doc->root(), schema_doc->root());
  }
  auto stripped = core::JsonDocument::parse(strip_required(schema_doc->root()));
  if (!stripped) {
    return std::string("Validation failed.");
  }
  return validate_run_input(params_doc->root(), stripped->root());
}

void write_deployment_schedule(core::JsonWriter& w, const DeploymentSchedule& s) {
  w.begin_object();
  w.key("id").string(s.id);
  w.key("created").time(s.created);
  w.key("updated").time(s.updated);
  w.key("deployment_id").string(s.deployment_id);
  w.key("schedule").raw(s.schedule);
  w.key("active").boolean(s.active);
  w.key("max_scheduled_runs");
  s.max_scheduled_runs ? w.integer(*s.max_scheduled_runs) : w.null();
  w.key("parameters").raw(s.parameters);
  w.key("slug").opt_string(s.slug);
  w.end_object();
}

void write_deployment(core::JsonWriter& w, const Deployment& d) {
  w.begin_object();
  w.key("id").string(d.id);
  w.key("created").time(d.created);
  w.key("updated").time(d.updated);
  w.key("name").string(d.name);
  w.key("version").opt_string(d.version);
  w.key("description").opt_string(d.description);
  w.key("flow_id").string(d.flow_id);
  w.key("paused").boolean(d.paused);
  w.key("schedules").begin_array();
  for (const auto& s : d.schedules) {
    write_deployment_schedule(w, s);
  }
  w.end_array();
  // upstream: deprecated, always None.
  w.key("concurrency_limit").null();
  w.key("global_concurrency_limit");
  d.global_concurrency_limit ? write_limit(w, *d.global_concurrency_limit) : (void)w.null();
  w.key("concurrency_options").opt_raw(d.concurrency_options);
  w.key("job_variables").raw(d.job_variables);
  w.key("parameters").raw(d.parameters);
  w.key("tags").raw(d.tags);
  w.key("labels").raw(d.labels);
  w.key("work_queue_name").opt_string(d.work_queue_name);
  w.key("work_queue_id").opt_string(d.work_queue_id);
  w.key("last_polled").opt_time(d.last_polled);
  w.key("parameter_openapi_schema").opt_raw(d.parameter_openapi_schema);
  w.key("path").opt_string(d.path);
  w.key("pull_steps").opt_raw(d.pull_steps);
  w.key("entrypoint").opt_string(d.entrypoint);
  w.key("storage_document_id").opt_string(d.storage_document_id);
  w.key("infrastructure_document_id").opt_string(d.infrastructure_document_id);
  w.key("created_by").opt_raw(d.created_by);
  w.key("updated_by").opt_raw(d.updated_by);
  w.key("work_pool_name").opt_string(d.work_pool_name);
  w.key("status").string(d.status);
  w.key("enforce_parameter_schema").boolean(d.enforce_parameter_schema);
  w.end_object();
}

std::string encode_deployment(const Deployment& d) {
  std::string out;
  core::JsonWriter w(out);
  write_deployment(w, d);
  return out;
}

Result<DeploymentInput> decode_deployment_create(JsonElement value, const core::Loc& loc,
                                                 std::int64_t max_parameter_size,
                                                 std::int64_t max_scheduled_runs_limit,
                                                 Timestamp now) {
  return decode_deployment(value, loc, max_parameter_size, max_scheduled_runs_limit, false, now);
}

Result<DeploymentInput> decode_deployment_update(JsonElement value, const core::Loc& loc,
                                                 std::int64_t max_parameter_size,
                                                 std::int64_t max_scheduled_runs_limit,
                                                 Timestamp now) {
  return decode_deployment(value, loc, max_parameter_size, max_scheduled_runs_limit, true, now);
}

std::optional<DeploymentScheduleInput> decode_deployment_schedule(
    JsonElement value, const core::Loc& loc, core::ValidationErrors& errors, bool update,
    std::int64_t max_scheduled_runs_limit, Timestamp now) {
  ObjectDecoder d(value, loc, errors,
                  update ? "DeploymentScheduleUpdate" : "DeploymentScheduleCreate");
  if (!d.is_object()) {
    return std::nullopt;
  }
  d.forbid_extra({"active", "schedule", "max_scheduled_runs", "parameters", "slug", "replaces"});
  DeploymentScheduleInput s;
  auto schedule = d.member("schedule");
  if (!schedule || (!update && schedule->is_null())) {
    if (!update) {
      errors.add("missing", d.loc_of("schedule"), "Field required", core::to_json(value));
    }
  } else if (!schedule->is_null()) {
    if (auto decoded = decode_schedule(*schedule, d.loc_of("schedule"), errors, now)) {
      std::string json;
      core::JsonWriter w(json);
      write_schedule(w, *decoded);
      s.schedule = std::move(json);
    }
  }
  if (update || !reject_null(d, "active", "bool_type", "Input should be a valid boolean")) {
    s.active = d.boolean("active");
  }
  s.max_scheduled_runs = max_runs(d, max_scheduled_runs_limit);
  s.parameters = dict_field(d, "parameters");
  s.slug = d.string("slug");
  s.replaces = d.string("replaces");
  return s;
}

Result<DeploymentFlowRunCreate> decode_deployment_flow_run_create(JsonElement value,
                                                                  const core::Loc& loc,
                                                                  std::int64_t max_parameter_size) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "DeploymentFlowRunCreate");
  d.forbid_extra({"state", "name", "parameters", "enforce_parameter_schema", "context",
                  "infrastructure_document_id", "empirical_policy", "tags", "idempotency_key",
                  "labels", "parent_task_run_id", "work_queue_name", "job_variables"});
  DeploymentFlowRunCreate out;
  if (auto state = d.member("state"); state && !state->is_null()) {
    PC_ASSIGN_OR_RETURN(out.state, decode_state_create(*state, d.loc_of("state")));
  }
  out.name = d.string("name").value_or("");
  out.parameters = sized_parameters(d, max_parameter_size).value_or("{}");
  out.enforce_parameter_schema = d.boolean("enforce_parameter_schema");
  out.context = dict_field(d, "context").value_or("{}");
  out.infrastructure_document_id = d.uuid("infrastructure_document_id");
  if (auto m = d.member("empirical_policy"); m && !m->is_null()) {
    out.empirical_policy = decode_flow_run_policy(*m, d.loc_of("empirical_policy"), errors);
  }
  if (!reject_null(d, "tags", "list_type", "Input should be a valid list")) {
    out.tags = d.string_list_json("tags").value_or("[]");
  }
  out.idempotency_key = d.string("idempotency_key");
  out.labels = d.labels_json("labels");
  out.parent_task_run_id = d.uuid("parent_task_run_id");
  out.work_queue_name = d.string("work_queue_name");
  out.job_variables = d.object_json("job_variables");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
