#include "lib/services/task_run_recorder.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/schemas/task_run.h"

namespace prefectcore::services {
namespace {

using core::JsonElement;
using models::RecordedTaskRun;

// Bounds one transaction, and what waits in memory (upstream's in-memory broker also drops
// past a bound).
constexpr std::size_t kEventsPerTransaction = 10000;
constexpr std::size_t kMaxQueuedEvents = 500000;
constexpr int kMaxWriteAttempts = 5;  // upstream DEFAULT_PERSIST_MAX_RETRIES

Status invalid(std::string message) { return Status::invalid_argument(std::move(message)); }

// Upstream Resource.prefect_object_id: "<kind>.<uuid>".
Result<std::string> object_id(const std::string& resource_id, std::string_view kind) {
  if (resource_id.size() > kind.size() && resource_id.compare(0, kind.size(), kind) == 0 &&
      resource_id[kind.size()] == '.') {
    if (auto id = core::normalize_uuid(std::string_view(resource_id).substr(kind.size() + 1))) {
      return *id;
    }
  }
  return invalid(fmt::format("{} is not a {} resource id", resource_id, kind));
}

enum class Kind {
  kText,
  kNullableText,
  kTime,
  kInt,
  kSeconds,
  kPolicy,
  kArray,
  kObject,
  kNullableObject
};

// TaskRun fields a task-run event's payload may set, and the column types they fill.
constexpr std::pair<std::string_view, Kind> kColumns[] = {
    {"name", Kind::kText},
    {"cache_key", Kind::kNullableText},
    {"cache_expiration", Kind::kTime},
    {"task_version", Kind::kNullableText},
    {"empirical_policy", Kind::kPolicy},
    {"tags", Kind::kArray},
    {"labels", Kind::kNullableObject},
    {"task_inputs", Kind::kObject},
    {"run_count", Kind::kInt},
    {"flow_run_run_count", Kind::kInt},
    {"expected_start_time", Kind::kTime},
    {"next_scheduled_start_time", Kind::kTime},
    {"start_time", Kind::kTime},
    {"end_time", Kind::kTime},
    {"total_run_time", Kind::kSeconds},
};

Result<SqlValue> column_value(JsonElement v, Kind kind, std::string_view key) {
  const bool null = v.is_null();
  std::string_view s;
  switch (kind) {
    case Kind::kText:
    case Kind::kNullableText:
      if (null && kind == Kind::kNullableText) {
        return SqlValue(SqlNull{});
      }
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        return SqlValue(std::string(s));
      }
      break;
    case Kind::kTime:
      if (null) {
        return SqlValue(SqlNull{});
      }
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        if (auto t = core::parse_time(s)) {
          return SqlValue(core::format_storage_time(*t));
        }
      }
      break;
    case Kind::kInt:
      if (std::int64_t i = 0; !v.is_bool() && v.get_int64().get(i) == simdjson::SUCCESS) {
        return SqlValue(i);
      }
      break;
    case Kind::kSeconds:
      if (double d = 0; !v.is_bool() && v.get_double().get(d) == simdjson::SUCCESS) {
        return SqlValue(d);
      }
      break;
    case Kind::kPolicy:
      if (v.is_object()) {
        const auto policy = schemas::parse_task_run_policy(core::to_json(v));
        return SqlValue(JsonText{schemas::encode_task_run_policy(policy)});
      }
      break;
    case Kind::kArray:
      if (v.is_array()) {
        return SqlValue(JsonText{core::to_json(v)});
      }
      break;
    case Kind::kObject:
    case Kind::kNullableObject:
      if (null && kind == Kind::kNullableObject) {
        return SqlValue(SqlNull{});
      }
      if (v.is_object()) {
        return SqlValue(JsonText{core::to_json(v)});
      }
      break;
  }
  return invalid(fmt::format("task_run.{} has the wrong type", key));
}

Status read_task_run(JsonElement task_run, RecordedTaskRun& out) {
  core::JsonObject obj;
  if (task_run.get_object().get(obj) != simdjson::SUCCESS) {
    return invalid("payload.task_run must be an object");
  }
  std::string_view task_key;
  std::string_view dynamic_key;
  if (obj["task_key"].get_string().get(task_key) != simdjson::SUCCESS ||
      obj["dynamic_key"].get_string().get(dynamic_key) != simdjson::SUCCESS) {
    return invalid("payload.task_run needs task_key and dynamic_key strings");
  }
  out.task_key = std::string(task_key);
  out.dynamic_key = std::string(dynamic_key);
  // id, flow_run_id, state and the computed fields come from the event, not the payload.
  // Columns in table order keep equal payloads on one cached statement.
  out.columns.reserve(std::size(kColumns));
  for (const auto& [key, kind] : kColumns) {
    JsonElement value;
    if (obj[key].get(value) != simdjson::SUCCESS) {
      continue;
    }
    PC_ASSIGN_OR_RETURN(SqlValue v, column_value(value, kind, key));
    out.columns.emplace_back(std::string(key), std::move(v));
  }
  return {};
}

Status read_state(JsonElement state, schemas::State& out) {
  core::JsonObject obj;
  if (state.get_object().get(obj) != simdjson::SUCCESS) {
    return invalid("payload.validated_state must be an object");
  }
  std::string_view s;
  JsonElement v;
  if (obj["type"].get(v) != simdjson::SUCCESS || v.get_string().get(s) != simdjson::SUCCESS ||
      !schemas::parse_state_type(s)) {
    return invalid("validated_state.type is not a state type");
  }
  out.type = *schemas::parse_state_type(s);
  out.name = schemas::default_state_name(out.type);
  if (obj["name"].get(v) == simdjson::SUCCESS && !v.is_null()) {
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return invalid("validated_state.name must be a string");
    }
    out.name = std::string(s);
  }
  if (obj["message"].get(v) == simdjson::SUCCESS && !v.is_null()) {
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return invalid("validated_state.message must be a string");
    }
    out.message = std::string(s);
  }
  if (obj["state_details"].get(v) == simdjson::SUCCESS && !v.is_null()) {
    PC_ASSIGN_OR_RETURN(out.details, schemas::decode_state_details(v, {}));
  }
  if (obj["data"].get(v) == simdjson::SUCCESS) {
    out.data = core::to_json(v);
  }
  return {};
}

}  // namespace

bool is_client_task_run_event(const events::Event& event) {
  if (event.event.rfind("prefect.task-run", 0) != 0) {
    return false;
  }
  const std::string* orchestration = events::find_label(event.resource, "prefect.orchestration");
  return orchestration && *orchestration == "client";
}

Result<RecordedTaskRun> task_run_from_event(const events::Event& event,
                                            simdjson::dom::parser& parser) {
  RecordedTaskRun out;
  PC_ASSIGN_OR_RETURN(out.id, object_id(event.resource_id(), "prefect.task-run"));
  for (const events::Labels& related : event.related) {
    const std::string* role = events::find_label(related, "prefect.resource.role");
    if (role && *role == "flow-run") {
      const std::string* id = events::find_label(related, "prefect.resource.id");
      PC_ASSIGN_OR_RETURN(out.flow_run_id, object_id(id ? *id : "", "prefect.flow-run"));
      break;
    }
  }
  JsonElement payload;
  if (parser.parse(event.payload).get(payload) != simdjson::SUCCESS || !payload.is_object()) {
    return invalid("payload is not a JSON object");
  }
  JsonElement state;
  JsonElement task_run;
  if (payload["validated_state"].get(state) != simdjson::SUCCESS ||
      payload["task_run"].get(task_run) != simdjson::SUCCESS) {
    return invalid("payload needs validated_state and task_run");
  }
  auto id = core::normalize_uuid(event.id);
  if (!id) {
    return invalid("event id is not a UUID");
  }
  out.state.id = *id;
  out.state.timestamp = event.occurred;
  PC_RETURN_IF_ERROR(read_state(state, out.state));
  PC_RETURN_IF_ERROR(read_task_run(task_run, out));
  return out;
}

TaskRunRecorder::TaskRunRecorder(ServiceContext& context) : context_(context) {
  token_ = context_.events.subscribe(
      [this](const std::vector<events::EventPtr>& items) { accept(items); });
}

TaskRunRecorder::~TaskRunRecorder() { context_.events.unsubscribe(token_); }

// Upstream writes each event as it arrives (batch_size 1) and at the latest after
// flush_interval; draining every 100 ms keeps that latency while batching bursts.
double TaskRunRecorder::loop_seconds() const {
  return std::min(0.1, context_.settings.services.task_run_recorder.flush_interval);
}

void TaskRunRecorder::accept(const std::vector<events::EventPtr>& items) {
  std::lock_guard lock(mutex_);
  for (const events::EventPtr& item : items) {
    if (!is_client_task_run_event(*item)) {
      continue;
    }
    if (queue_.size() >= kMaxQueuedEvents) {
      ++overflowed_;
      continue;
    }
    queue_.push_back(item);
  }
}

std::size_t TaskRunRecorder::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

Status TaskRunRecorder::write(const std::vector<events::EventPtr>& chunk) {
  std::vector<RecordedTaskRun> runs;
  runs.reserve(chunk.size());
  for (const events::EventPtr& event : chunk) {
    auto run = task_run_from_event(*event, parser_);
    if (!run) {
      PC_LOG_WARNING("task_run_recorder: dropping event {}: {}", event->id, run.error().message());
      continue;
    }
    runs.push_back(std::move(run).value());
  }
  if (runs.empty()) {
    return {};
  }
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(models::RecordOutcome outcome,
                      models::TaskRunRecorderStore(*tx).record(std::move(runs), context_.ids,
                                                               context_.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  if (outcome.dropped > 0) {
    PC_LOG_WARNING("task_run_recorder: dropped {} event(s) naming a flow run that does not exist",
                   outcome.dropped);
  }
  return {};
}

Status TaskRunRecorder::run_once() {
  std::lock_guard pass(write_mutex_);
  for (;;) {
    std::vector<events::EventPtr> chunk;
    {
      std::lock_guard lock(mutex_);
      if (overflowed_ > 0) {
        PC_LOG_ERROR("task_run_recorder: queue full, {} event(s) dropped", overflowed_);
        overflowed_ = 0;
      }
      const std::size_t n = std::min(kEventsPerTransaction, queue_.size());
      chunk.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (chunk.empty()) {
      return {};
    }
    Status status = write(chunk);
    if (status.ok()) {
      failures_ = 0;
      continue;
    }
    if (++failures_ >= kMaxWriteAttempts) {
      PC_LOG_ERROR("task_run_recorder: dropping {} event(s) after {} failed attempts: {}",
                   chunk.size(), failures_, status.message());
      failures_ = 0;
      return status;
    }
    std::lock_guard lock(mutex_);
    queue_.insert(queue_.begin(), chunk.begin(), chunk.end());
    return status;
  }
}

void TaskRunRecorder::stop() {
  if (Status s = run_once(); !s.ok()) {
    PC_LOG_WARNING("task_run_recorder: final flush failed: {}", s.message());
  }
}

}  // namespace prefectcore::services
