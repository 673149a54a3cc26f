#pragma once

// Task runs (upstream schemas/core.py TaskRun and TaskRunPolicy, schemas/actions.py
// TaskRunCreate / TaskRunUpdate, schemas/responses.py TaskRunResponse).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/schemas/run_timing.h"
#include "lib/schemas/state.h"

namespace prefectcore::schemas {

// TaskRunPolicy.retry_delay: a number or a list of numbers. Integers stay integers on the
// wire; a list with any fraction is a list of floats (pydantic's smart union).
struct RetryDelay {
  bool is_list = false;
  bool integral = true;
  std::vector<double> values;  // one value when !is_list

  bool operator==(const RetryDelay&) const = default;
};

// TaskRunPolicy (extra ignored). The deprecated max_retries / retry_delay_seconds fill
// retries / retry_delay when those are unset, as upstream's model validator does.
struct TaskRunPolicy {
  std::int64_t max_retries = 0;
  double retry_delay_seconds = 0;
  std::optional<std::int64_t> retries;
  std::optional<RetryDelay> retry_delay;
  std::optional<double> retry_jitter_factor;

  bool operator==(const TaskRunPolicy&) const = default;
};

void write_task_run_policy(core::JsonWriter& w, const TaskRunPolicy& p);
std::string encode_task_run_policy(const TaskRunPolicy& p);
// Request decoding with upstream's validators (at most 50 delays, jitter >= 0).
Result<TaskRunPolicy> decode_task_run_policy(core::JsonElement value, const core::Loc& loc);
// Stored policy JSON, read leniently: unreadable members take their defaults.
TaskRunPolicy parse_task_run_policy(std::string_view json);

struct TaskRun {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::optional<std::string> flow_run_id;
  std::string task_key;
  std::string dynamic_key;
  std::optional<std::string> cache_key;
  std::optional<Timestamp> cache_expiration;
  std::optional<std::string> task_version;
  TaskRunPolicy empirical_policy;
  std::string tags = "[]";
  std::string labels = "{}";  // may be "null"
  std::optional<std::string> state_id;
  std::string task_inputs = "{}";
  std::optional<StateType> state_type;
  std::optional<std::string> state_name;
  std::optional<Timestamp> state_timestamp;  // not on the wire; feeds estimated_run_time
  std::int64_t run_count = 0;
  std::int64_t flow_run_run_count = 0;
  std::optional<Timestamp> expected_start_time;
  std::optional<Timestamp> next_scheduled_start_time;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  Micros total_run_time{0};
  std::optional<State> state;
};

// The TaskRun response, field for field; `now` feeds the estimated_* fields.
void write_task_run(core::JsonWriter& w, const TaskRun& run, Timestamp now);
std::string encode_task_run(const TaskRun& run, Timestamp now);
// TaskRunResponse, the shape of /task_runs/paginate results.
void write_task_run_response(core::JsonWriter& w, const TaskRun& run, Timestamp now);

// TaskRunCreate (extra="forbid"). `name` is nullopt when the client left it to the server
// (absent, null or empty: a random slug, as upstream's get_or_create_run_name).
struct TaskRunCreate {
  std::optional<std::string> id;
  std::optional<StateCreate> state;
  std::optional<std::string> name;
  std::optional<std::string> flow_run_id;
  std::string task_key;
  std::string dynamic_key;
  std::optional<std::string> cache_key;
  std::optional<Timestamp> cache_expiration;
  std::optional<std::string> task_version;
  TaskRunPolicy empirical_policy;
  std::string tags = "[]";
  std::optional<std::string> labels = "{}";  // nullopt: null
  std::string task_inputs = "{}";
};

// `max_cache_key_length` is server.tasks.max_cache_key_length.
Result<TaskRunCreate> decode_task_run_create(core::JsonElement value, const core::Loc& loc,
                                             int max_cache_key_length);

// TaskRunUpdate (extra="forbid"): only the name. `set` is false when the body leaves the
// name out (nothing changes); a set name of nullopt asks for a random slug.
struct TaskRunUpdate {
  bool set = false;
  std::optional<std::string> name;
};
Result<TaskRunUpdate> decode_task_run_update(core::JsonElement value, const core::Loc& loc);

}  // namespace prefectcore::schemas
