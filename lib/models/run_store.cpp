#include "lib/models/run_store.h"

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/state_rows.h"

namespace prefectcore::models {
namespace {

using schemas::State;

constexpr std::string_view kBookkeepingColumns =
    "tags, empirical_policy, run_count, expected_start_time, next_scheduled_start_time, "
    "start_time, end_time, total_run_time, state_id, state_type, state_name, "
    "state_timestamp";
constexpr std::size_t kBookkeepingCount = 12;

std::string_view run_table(RunKind kind) {
  return kind == RunKind::kFlow ? "flow_run" : "task_run";
}
std::string_view state_table(RunKind kind) {
  return kind == RunKind::kFlow ? "flow_run_state" : "task_run_state";
}
std::string_view run_fk(RunKind kind) {
  return kind == RunKind::kFlow ? "flow_run_id" : "task_run_id";
}

Result<std::optional<Timestamp>> opt_time(const Row& row, std::size_t i) {
  if (row.is_null(i)) {
    return std::optional<Timestamp>();
  }
  PC_ASSIGN_OR_RETURN(Timestamp t, core::parse_time(row.text(i)));
  return std::optional<Timestamp>(t);
}

SqlValue time_value(const std::optional<Timestamp>& t) {
  return t ? SqlValue(core::format_storage_time(*t)) : SqlValue(SqlNull{});
}
SqlValue text_value(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue(SqlNull{});
}

// The shared tail of both SELECTs, starting at column `at`.
Status read_bookkeeping(const Row& row, std::size_t at, RunRecord& run) {
  run.tags = row.is_null(at) ? "[]" : row.text(at);
  run.empirical_policy = row.is_null(at + 1) ? "{}" : row.text(at + 1);
  run.run_count = row.int64(at + 2);
  PC_ASSIGN_OR_RETURN(run.expected_start_time, opt_time(row, at + 3));
  PC_ASSIGN_OR_RETURN(run.next_scheduled_start_time, opt_time(row, at + 4));
  PC_ASSIGN_OR_RETURN(run.start_time, opt_time(row, at + 5));
  PC_ASSIGN_OR_RETURN(run.end_time, opt_time(row, at + 6));
  run.total_run_time = core::from_seconds(row.real(at + 7)).value_or(Micros{0});
  run.state_id = row.opt_text(at + 8);
  if (auto type = row.opt_text(at + 9)) {
    run.state_type = schemas::parse_state_type(*type);
  }
  run.state_name = row.opt_text(at + 10);
  PC_ASSIGN_OR_RETURN(run.state_timestamp, opt_time(row, at + 11));
  return {};
}

bool is_persisted_data(std::string_view data) {
  if (data.empty() || data == "null") {
    return false;
  }
  auto type = json_member(data, "type");
  return !(type && *type == "\"unpersisted\"");
}

// Removes `key` from the JSON object `data` and returns its string value when truthy.
Result<std::optional<std::string>> pop_string(std::string& data, std::string_view key) {
  auto member = json_member(data, key);
  if (!member) {
    return std::optional<std::string>();
  }
  PC_ASSIGN_OR_RETURN(data, with_json_member(data, key, std::nullopt));
  if (*member == "null" || *member == "\"\"") {
    return std::optional<std::string>();
  }
  auto doc = core::JsonDocument::parse(*member);
  std::string_view text;
  if (!doc || doc->root().get_string().get(text) != simdjson::SUCCESS) {
    return Status::internal(fmt::format("Artifact {} must be a string", key));
  }
  return std::optional<std::string>(std::string(text));
}

}  // namespace

Result<std::optional<RunRecord>> RunStore::load(RunKind kind, const std::string& id,
                                                bool for_update) {
  const bool flow = kind == RunKind::kFlow;
  const std::string_view head =
      flow ? "id, name, flow_id, deployment_id, parent_task_run_id, infrastructure_pid, "
             "work_queue_id, created_by"
           : "id, name, flow_run_id, task_key, dynamic_key, cache_key, cache_expiration, "
             "flow_run_run_count";
  const std::string sql =
      fmt::format("SELECT {}, {} FROM {} WHERE id = ?{}", head, kBookkeepingColumns,
                  run_table(kind), for_update ? tx_.dialect().for_update() : "");
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, {id}));
  if (rows.empty()) {
    return std::optional<RunRecord>();
  }
  const Row& row = rows.front();
  PC_ASSERT(row.size() == 8 + kBookkeepingCount);
  RunRecord run;
  run.kind = kind;
  run.id = row.text(0);
  run.name = row.text(1);
  if (flow) {
    run.flow_id = row.text(2);
    run.deployment_id = row.opt_text(3);
    run.parent_task_run_id = row.opt_text(4);
    run.infrastructure_pid = row.opt_text(5);
    run.work_queue_id = row.opt_text(6);
    run.created_by = row.opt_text(7);
  } else {
    run.flow_run_id = row.opt_text(2);
    run.task_key = row.text(3);
    run.dynamic_key = row.text(4);
    run.cache_key = row.opt_text(5);
    PC_ASSIGN_OR_RETURN(run.cache_expiration, opt_time(row, 6));
    run.flow_run_run_count = row.int64(7);
  }
  PC_RETURN_IF_ERROR(read_bookkeeping(row, 8, run));
  return std::optional<RunRecord>(std::move(run));
}

Result<std::optional<State>> RunStore::read_state(RunKind kind, const std::string& state_id) {
  const std::string sql = fmt::format(
      "SELECT s.id, s.type, s.name, s.timestamp, s.message, s.state_details, s.data, "
      "s.result_artifact_id, a.data FROM {} s LEFT JOIN artifact a ON a.id = "
      "s.result_artifact_id WHERE s.id = ?",
      state_table(kind));
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, {state_id}));
  if (rows.empty()) {
    return std::optional<State>();
  }
  PC_ASSIGN_OR_RETURN(State s, state_from_row(rows.front(), 0));
  return std::optional<State>(std::move(s));
}

Result<bool> RunStore::state_timestamp_taken(RunKind kind, const std::string& run_id,
                                             Timestamp ts) {
  const std::string sql = fmt::format("SELECT 1 FROM {} WHERE {} = ? AND timestamp = ? LIMIT 1",
                                      state_table(kind), run_fk(kind));
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, {run_id, core::format_storage_time(ts)}));
  return !rows.empty();
}

Result<std::string> RunStore::insert_result_artifact(const RunRecord& run, std::string& data,
                                                     core::IdGenerator& ids, Timestamp now) {
  std::optional<std::string> key, type, description;
  if (!data.empty() && data.front() == '{') {
    PC_ASSIGN_OR_RETURN(key, pop_string(data, "artifact_key"));
    PC_ASSIGN_OR_RETURN(type, pop_string(data, "artifact_type"));
    PC_ASSIGN_OR_RETURN(description, pop_string(data, "artifact_description"));
  }
  const bool flow = run.kind == RunKind::kFlow;
  const std::optional<std::string> flow_run_id = flow ? run.id : run.flow_run_id;
  const std::optional<std::string> task_run_id =
      flow ? std::nullopt : std::optional<std::string>(run.id);
  const std::string id = ids.random_id();
  const std::string ts = core::format_storage_time(now);
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO artifact (id, created, updated, key, task_run_id, flow_run_id, type, data, "
      "description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, text_value(key), text_value(task_run_id), text_value(flow_run_id),
       text_value(type), JsonText{data}, text_value(description)}));
  if (key) {
    // A keyed artifact also becomes its key's latest (upstream create_artifact upserts the
    // collection with the fields that were set).
    PC_RETURN_IF_ERROR(tx_.exec(
        "INSERT INTO artifact_collection (id, created, updated, key, latest_id, task_run_id, "
        "flow_run_id, type, data, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET latest_id = excluded.latest_id, updated = "
        "excluded.updated, data = excluded.data, task_run_id = COALESCE(excluded.task_run_id, "
        "artifact_collection.task_run_id), flow_run_id = COALESCE(excluded.flow_run_id, "
        "artifact_collection.flow_run_id), type = COALESCE(excluded.type, "
        "artifact_collection.type), description = COALESCE(excluded.description, "
        "artifact_collection.description)",
        {ids.random_id(), ts, ts, *key, id, text_value(task_run_id), text_value(flow_run_id),
         text_value(type), JsonText{data}, text_value(description)}));
  }
  return id;
}

Result<State> RunStore::insert_state(RunRecord& run, State state, core::IdGenerator& ids,
                                     Timestamp now) {
  std::optional<std::string> artifact_id;
  if (is_persisted_data(state.data)) {
    PC_ASSIGN_OR_RETURN(artifact_id, insert_result_artifact(run, state.data, ids, now));
  }
  const std::string ts = core::format_storage_time(now);
  const std::string sql = fmt::format(
      "INSERT INTO {} (id, created, updated, {}, type, timestamp, name, message, "
      "state_details, data, result_artifact_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
      state_table(run.kind), run_fk(run.kind));
  PC_RETURN_IF_ERROR(tx_.exec(
      sql, {state.id, ts, ts, run.id, std::string(schemas::to_string(state.type)),
            core::format_storage_time(state.timestamp), state.name, text_value(state.message),
            JsonText{schemas::encode_state_details(state.details)}, text_value(artifact_id)}));
  run.state_id = state.id;
  return state;
}

Status RunStore::save(const RunRecord& run, Timestamp now, const RunRecord* before) {
  std::string sets = "updated = ?";
  std::vector<SqlValue> params = {core::format_storage_time(now)};
  auto set = [&](bool changed, std::string_view column, SqlValue value) {
    if (before == nullptr || changed) {
      fmt::format_to(std::back_inserter(sets), ", {} = ?", column);
      params.push_back(std::move(value));
    }
  };
  const RunRecord& b = before != nullptr ? *before : run;
  set(b.state_id != run.state_id, "state_id", text_value(run.state_id));
  set(b.state_type != run.state_type, "state_type",
      run.state_type ? SqlValue(std::string(schemas::to_string(*run.state_type)))
                     : SqlValue(SqlNull{}));
  set(b.state_name != run.state_name, "state_name", text_value(run.state_name));
  set(b.state_timestamp != run.state_timestamp, "state_timestamp", time_value(run.state_timestamp));
  set(b.run_count != run.run_count, "run_count", run.run_count);
  set(b.expected_start_time != run.expected_start_time, "expected_start_time",
      time_value(run.expected_start_time));
  set(b.next_scheduled_start_time != run.next_scheduled_start_time, "next_scheduled_start_time",
      time_value(run.next_scheduled_start_time));
  set(b.start_time != run.start_time, "start_time", time_value(run.start_time));
  set(b.end_time != run.end_time, "end_time", time_value(run.end_time));
  set(b.total_run_time != run.total_run_time, "total_run_time",
      core::to_seconds(run.total_run_time));
  set(b.empirical_policy != run.empirical_policy, "empirical_policy",
      JsonText{run.empirical_policy});
  if (run.kind != RunKind::kFlow) {
    set(b.flow_run_run_count != run.flow_run_run_count, "flow_run_run_count",
        run.flow_run_run_count);
  }
  params.emplace_back(run.id);
  return tx_.exec(fmt::format("UPDATE {} SET {} WHERE id = ?", run_table(run.kind), sets), params)
      .status();
}

Status RunStore::add_related(std::vector<RelatedObject>& out, std::string_view kind,
                             std::string_view sql, const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, {id}));
  if (rows.empty()) {
    return {};
  }
  const Row& row = rows.front();
  RelatedObject o{std::string(kind), row.text(0), row.text(1), {}, std::nullopt};
  if (kind == "work-pool") {
    o.work_pool_type = row.text(2);
  } else if (kind != "work-queue") {
    o.tags = json_strings(row.is_null(2) ? "[]" : row.text(2));
  }
  out.push_back(std::move(o));
  return {};
}

Result<std::vector<RelatedObject>> RunStore::related_objects(const RunRecord& run) {
  std::vector<RelatedObject> out;
  PC_RETURN_IF_ERROR(
      add_related(out, "flow", "SELECT id, name, tags FROM flow WHERE id = ?", run.flow_id));
  if (run.deployment_id) {
    PC_RETURN_IF_ERROR(add_related(out, "deployment",
                                   "SELECT id, name, tags FROM deployment WHERE id = ?",
                                   *run.deployment_id));
  }
  if (run.work_queue_id) {
    PC_ASSIGN_OR_RETURN(Rows queue, tx_.query("SELECT work_pool_id FROM work_queue WHERE id = ?",
                                              {*run.work_queue_id}));
    PC_RETURN_IF_ERROR(add_related(
        out, "work-queue", "SELECT id, name FROM work_queue WHERE id = ?", *run.work_queue_id));
    if (!queue.empty() && !queue.front().is_null(0)) {
      PC_RETURN_IF_ERROR(add_related(out, "work-pool",
                                     "SELECT id, name, type FROM work_pool WHERE id = ?",
                                     queue.front().text(0)));
    }
  }
  if (run.parent_task_run_id) {
    PC_RETURN_IF_ERROR(add_related(out, "task-run",
                                   "SELECT id, name, tags FROM task_run WHERE id = ?",
                                   *run.parent_task_run_id));
  }
  return out;
}

Result<std::vector<std::string>> RunStore::failed_task_run_ids(const std::string& flow_run_id) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT id FROM task_run WHERE flow_run_id = ? AND state_type = "
                                "'FAILED' ORDER BY id",
                                {flow_run_id}));
  std::vector<std::string> ids;
  for (const Row& row : rows) {
    ids.push_back(row.text(0));
  }
  return ids;
}

std::vector<std::string> json_strings(std::string_view json) {
  std::vector<std::string> out;
  auto doc = core::JsonDocument::parse(json);
  core::JsonArray items;
  if (!doc || doc->root().get_array().get(items) != simdjson::SUCCESS) {
    return out;
  }
  for (auto item : items) {
    std::string_view text;
    if (item.get_string().get(text) == simdjson::SUCCESS) {
      out.emplace_back(text);
    }
  }
  return out;
}

std::optional<std::string> json_member(std::string_view json, std::string_view key) {
  auto doc = core::JsonDocument::parse(json);
  if (!doc) {
    return std::nullopt;
  }
  core::JsonObject obj;
  if (doc->root().get_object().get(obj) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  core::JsonElement value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return core::to_json(value);
}

Result<std::string> with_json_member(std::string_view json, std::string_view key,
                                     const std::optional<std::string>& value) {
  auto doc = core::JsonDocument::parse(json.empty() ? std::string_view("{}") : json);
  core::JsonObject obj;
  if (!doc || doc->root().get_object().get(obj) != simdjson::SUCCESS) {
    return Status::internal("not a JSON object");
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  bool replaced = false;
  for (auto field : obj) {
    if (field.key == key) {
      replaced = true;
      if (value) {
        w.key(key).raw(*value);
      }
      continue;
    }
    w.key(field.key).raw(core::to_json(field.value));
  }
  if (!replaced && value) {
    w.key(key).raw(*value);
  }
  w.end_object();
  return out;
}

}  // namespace prefectcore::models
