#include "lib/schemas/log.h"

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {

void write_log(core::JsonWriter& w, const Log& log) {
  w.begin_object();
  w.key("id").string(log.id);
  w.key("created").time(log.created);
  w.key("updated").time(log.updated);
  w.key("name").string(log.name);
  w.key("level").integer(log.level);
  w.key("message").string(log.message);
  w.key("timestamp").time(log.timestamp);
  w.key("flow_run_id").opt_string(log.flow_run_id);
  w.key("task_run_id").opt_string(log.task_run_id);
  w.end_object();
}

namespace {

// A required member that is present but null is a type error in pydantic, not `missing`.
void reject_null(ObjectDecoder& d, std::string_view key, std::string_view type,
                 std::string_view msg) {
  if (auto m = d.member(key); m && m->is_null()) {
    d.errors().add(type, d.loc_of(key), msg, "null");
  }
}

std::optional<LogCreate> read_log_create(core::JsonElement value, const core::Loc& loc,
                                         core::ValidationErrors& errors) {
  ObjectDecoder d(value, loc, errors, "LogCreate");
  if (!d.is_object()) {
    return std::nullopt;
  }
  d.forbid_extra({"name", "level", "message", "timestamp", "flow_run_id", "task_run_id"});
  auto name = d.required_string("name");
  reject_null(d, "name", "string_type", "Input should be a valid string");
  if (!d.has("level")) {
    errors.add("missing", d.loc_of("level"), "Field required", core::to_json(value));
  }
  auto level = d.integer("level");
  reject_null(d, "level", "int_type", "Input should be a valid integer");
  auto message = d.required_string("message");
  reject_null(d, "message", "string_type", "Input should be a valid string");
  if (!d.has("timestamp")) {
    errors.add("missing", d.loc_of("timestamp"), "Field required", core::to_json(value));
  }
  auto timestamp = d.time("timestamp");
  reject_null(d, "timestamp", "datetime_type", "Input should be a valid datetime");
  LogCreate out;
  out.flow_run_id = d.uuid("flow_run_id");
  out.task_run_id = d.uuid("task_run_id");
  if (!name || !level || !message || !timestamp) {
    return std::nullopt;
  }
  out.name = std::move(*name);
  out.level = *level;
  out.message = std::move(*message);
  out.timestamp = *timestamp;
  return out;
}

}  // namespace

Result<std::vector<LogCreate>> decode_log_creates(core::JsonElement value, const core::Loc& loc) {
  core::JsonArray items;
  if (value.get_array().get(items) != simdjson::SUCCESS) {
    return core::invalid_at(loc, "list_type", "Input should be a valid list", core::to_json(value));
  }
  core::ValidationErrors errors;
  std::vector<LogCreate> out;
  out.reserve(items.size());
  std::int64_t i = 0;
  for (core::JsonElement item : items) {
    core::Loc item_loc = loc;
    item_loc.emplace_back(i++);
    if (auto log = read_log_create(item, item_loc, errors)) {
      out.push_back(std::move(*log));
    }
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
