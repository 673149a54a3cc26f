#include "lib/schemas/work_pool.h"

#include <cctype>
#include <set>

#include <fmt/format.h>

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

bool placeholder_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
         c == '[' || c == ']' || c == '$';
}

// The names in `{{ name }}` placeholders, as upstream's find_placeholders regex
// `{{\s*([\w.\-\[\]$]+)\s*}}` finds them. A linear scan: the text comes from a request
// body, and std::regex backtracks recursively (a long input could exhaust the stack).
void collect_placeholders(std::string_view text, std::set<std::string>& out) {
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    std::size_t i = pos + 2;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && placeholder_char(text[i])) {
      ++i;
    }
    const std::size_t end = i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (end > start && text.substr(i, 2) == "}}") {
      out.emplace(text.substr(start, end - start));
      pos = i + 2;
    } else {
      pos += 1;  // a regex search would retry from the next character
    }
  }
}

void write_opt_int(core::JsonWriter& w, const std::optional<std::int64_t>& v) {
  if (v) {
    w.integer(*v);
  } else {
    w.null();
  }
}

// upstream non_emptyish (NonEmptyishName): blank-ish names are refused before the pattern.
std::optional<std::string> pool_name(ObjectDecoder& d) {
  auto m = d.member("name");
  if (m && m->is_string()) {
    std::string_view s = m->get_string().value_unsafe();
    if (s.find_first_not_of("' \"") == std::string_view::npos) {
      d.errors().add("value_error", d.loc_of("name"), "Value error, name cannot be an empty string",
                     core::to_json(*m));
      return std::nullopt;
    }
  }
  return d.required_name("name");
}

// WorkPoolStorageConfiguration (extra="forbid"), normalised to its three keys.
std::optional<std::string> storage_configuration(ObjectDecoder& parent, std::string_view key) {
  auto m = parent.member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  core::ValidationErrors& errors = parent.errors();
  ObjectDecoder d(*m, parent.loc_of(key), errors, "WorkPoolStorageConfiguration");
  if (!d.is_object()) {
    return std::nullopt;
  }
  d.forbid_extra(
      {"bundle_upload_step", "bundle_execution_step", "default_result_storage_block_id"});
  auto upload = d.object_json("bundle_upload_step");
  auto execution = d.object_json("bundle_execution_step");
  auto block = d.uuid("default_result_storage_block_id");
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  w.key("bundle_upload_step").opt_raw(upload);
  w.key("bundle_execution_step").opt_raw(execution);
  w.key("default_result_storage_block_id").opt_string(block);
  w.end_object();
  return out;
}

void check_template(ObjectDecoder& d, const std::optional<std::string>& json) {
  if (!json) {
    return;
  }
  if (std::string message = base_job_template_error(*json); !message.empty()) {
    d.errors().add("value_error", d.loc_of("base_job_template"), "Value error, " + message, *json);
  }
}

}  // namespace

std::string base_job_template_error(std::string_view json) {
  auto doc = core::JsonDocument::parse(json);
  if (!doc || !doc->root().is_object()) {
    return "";
  }
  core::JsonObject root = doc->root().get_object().value_unsafe();
  if (root.size() == 0) {
    return "";
  }
  core::JsonElement config;
  core::JsonElement variables;
  const bool has_config = !root["job_configuration"].get(config);
  const bool has_variables = !root["variables"].get(variables);
  auto truthy = [](core::JsonElement e) {
    return e.is_object() ? e.get_object().value_unsafe().size() > 0 : !e.is_null();
  };
  if (!has_config || !has_variables || !truthy(config) || !truthy(variables)) {
    return "The `base_job_template` must contain both a `job_configuration` key and a "
           "`variables` key.";
  }
  // upstream find_placeholders over json.dumps(each template value).
  std::set<std::string> used;
  if (config.is_object()) {
    core::JsonObject fields = config.get_object().value_unsafe();
    for (auto [k, v] : fields) {
      (void)k;
      collect_placeholders(core::to_json(v), used);
    }
  }
  std::set<std::string> declared;
  core::JsonElement props;
  if (variables.is_object() && !variables["properties"].get(props) && props.is_object()) {
    core::JsonObject properties = props.get_object().value_unsafe();
    for (auto [k, v] : properties) {
      (void)v;
      declared.emplace(k);
    }
  }
  std::string missing;
  for (const auto& name : used) {
    if (!declared.count(name)) {
      missing += missing.empty() ? name : " ," + name;
    }
  }
  if (missing.empty()) {
    return "";
  }
  return fmt::format(
      "The variables specified in the job configuration template must be present as "
      "properties in the variables schema. Your job configuration uses the following "
      "undeclared variable(s): {}.",
      missing);
}

std::string normalize_storage_configuration(std::string_view json) {
  auto doc = core::JsonDocument::parse(json);
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  for (std::string_view key :
       {"bundle_upload_step", "bundle_execution_step", "default_result_storage_block_id"}) {
    core::JsonElement v;
    w.key(key);
    if (doc && doc->root().is_object() && !doc->root()[key].get(v)) {
      w.raw(core::to_json(v));
    } else {
      w.null();
    }
  }
  w.end_object();
  return out;
}

void write_work_pool(core::JsonWriter& w, const WorkPool& p) {
  w.begin_object();
  w.key("id").string(p.id);
  w.key("created").time(p.created);
  w.key("updated").time(p.updated);
  w.key("name").string(p.name);
  w.key("description").opt_string(p.description);
  w.key("type").string(p.type);
  w.key("base_job_template").raw(p.base_job_template);
  w.key("is_paused").boolean(p.is_paused);
  w.key("concurrency_limit");
  write_opt_int(w, p.concurrency_limit);
  w.key("status").opt_string(p.status);
  w.key("default_queue_id").opt_string(p.default_queue_id);
  w.key("storage_configuration").raw(normalize_storage_configuration(p.storage_configuration));
  w.key("active_slots");
  write_opt_int(w, p.active_slots);
  w.end_object();
}

std::string encode_work_pool(const WorkPool& pool) {
  std::string out;
  core::JsonWriter w(out);
  write_work_pool(w, pool);
  return out;
}

void write_work_queue(core::JsonWriter& w, const WorkQueue& q) {
  w.begin_object();
  w.key("id").string(q.id);
  w.key("created").time(q.created);
  w.key("updated").time(q.updated);
  w.key("name").string(q.name);
  w.key("description").opt_string(q.description);
  w.key("is_paused").boolean(q.is_paused);
  w.key("concurrency_limit");
  write_opt_int(w, q.concurrency_limit);
  w.key("priority").integer(q.priority);
  w.key("work_pool_id").opt_string(q.work_pool_id);
  w.key("filter").opt_raw(q.filter);
  w.key("last_polled").opt_time(q.last_polled);
  w.key("work_pool_name").opt_string(q.work_pool_name);
  w.key("status").opt_string(q.status);
  w.key("active_slots");
  write_opt_int(w, q.active_slots);
  w.end_object();
}

std::string encode_work_queue(const WorkQueue& queue) {
  std::string out;
  core::JsonWriter w(out);
  write_work_queue(w, queue);
  return out;
}

void write_worker(core::JsonWriter& w, const Worker& worker) {
  w.begin_object();
  w.key("id").string(worker.id);
  w.key("created").time(worker.created);
  w.key("updated").time(worker.updated);
  w.key("name").string(worker.name);
  w.key("work_pool_id").string(worker.work_pool_id);
  w.key("last_heartbeat_time").opt_time(worker.last_heartbeat_time);
  w.key("heartbeat_interval_seconds");
  write_opt_int(w, worker.heartbeat_interval_seconds);
  w.key("status").string(worker.status);
  w.end_object();
}

Result<WorkPoolCreate> decode_work_pool_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "WorkPoolCreate");
  d.forbid_extra({"name", "description", "type", "base_job_template", "is_paused",
                  "concurrency_limit", "storage_configuration"});
  WorkPoolCreate out;
  if (auto name = pool_name(d)) {
    out.name = std::move(*name);
  }
  out.description = d.string("description");
  if (auto type = d.string("type")) {
    out.type = std::move(*type);
  }
  auto tmpl = d.object_json("base_job_template");
  check_template(d, tmpl);
  if (tmpl) {
    out.base_job_template = std::move(*tmpl);
  }
  out.is_paused = d.boolean("is_paused").value_or(false);
  out.concurrency_limit = d.integer("concurrency_limit", 0);
  out.storage_configuration = storage_configuration(d, "storage_configuration")
                                  .value_or(normalize_storage_configuration("{}"));
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<WorkPoolUpdate> decode_work_pool_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "WorkPoolUpdate");
  d.forbid_extra({"description", "is_paused", "base_job_template", "concurrency_limit",
                  "storage_configuration"});
  WorkPoolUpdate out;
  out.has_description = d.has("description");
  out.description = d.string("description");
  out.is_paused = d.boolean("is_paused");
  out.base_job_template = d.object_json("base_job_template");
  check_template(d, out.base_job_template);
  out.has_concurrency_limit = d.has("concurrency_limit");
  out.concurrency_limit = d.integer("concurrency_limit", 0);
  out.storage_configuration = storage_configuration(d, "storage_configuration");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<WorkQueueCreate> decode_work_queue_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "WorkQueueCreate");
  d.forbid_extra({"name", "description", "is_paused", "concurrency_limit", "priority", "filter"});
  WorkQueueCreate out;
  if (auto name = d.required_name("name")) {
    out.name = std::move(*name);
  }
  if (d.has("description")) {
    out.description = d.string("description");
  }
  out.is_paused = d.boolean("is_paused").value_or(false);
  out.concurrency_limit = d.integer("concurrency_limit", 0);
  out.priority = d.integer("priority", 1);
  out.filter = d.object_json("filter");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<WorkQueueUpdate> decode_work_queue_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "WorkQueueUpdate");
  d.forbid_extra({"name", "description", "is_paused", "concurrency_limit", "priority",
                  "last_polled", "filter"});
  WorkQueueUpdate out;
  out.name = d.string("name");
  out.has_description = d.has("description");
  out.description = d.string("description");
  out.is_paused = d.boolean("is_paused");
  out.has_concurrency_limit = d.has("concurrency_limit");
  out.concurrency_limit = d.integer("concurrency_limit", 0);
  out.priority = d.integer("priority", 1);
  out.has_last_polled = d.has("last_polled");
  out.last_polled = d.time("last_polled");
  out.has_filter = d.has("filter");
  out.filter = d.object_json("filter");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
