#pragma once

// What orchestration reads and writes for one run (upstream models/flow_runs.py,
// models/task_runs.py and the Run/State ORM models): the run's orchestration-relevant
// columns loaded FOR UPDATE, its current state with data, new state rows (with the result
// artifact upstream's validate_proposed_state creates), and the bookkeeping columns.
//
// Thread-bound: a RunStore borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {

enum class RunKind { kFlow, kTask };

// The run row's orchestration-relevant columns. Rules change this copy; the engine saves
// the bookkeeping columns (save()) once the transition is done.
struct RunRecord {
  RunKind kind = RunKind::kFlow;
  std::string id;
  std::string name;
  // Flow runs.
  std::string flow_id;
  std::optional<std::string> deployment_id;
  std::optional<std::string> parent_task_run_id;
  std::optional<std::string> infrastructure_pid;
  std::optional<std::string> work_queue_id;
  std::optional<std::string> created_by;  // JSON object (CreatedBy) or none
  // Task runs.
  std::optional<std::string> flow_run_id;
  std::string task_key;
  std::string dynamic_key;
  std::optional<std::string> cache_key;
  std::optional<Timestamp> cache_expiration;
  std::int64_t flow_run_run_count = 0;
  std::string tags = "[]";
  // Both: the empirical policy JSON (FlowRunPolicy / TaskRunPolicy) and the bookkeeping.
  std::string empirical_policy = "{}";
  std::int64_t run_count = 0;
  std::optional<Timestamp> expected_start_time;
  std::optional<Timestamp> next_scheduled_start_time;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  Micros total_run_time{0};
  // The denormalised current state (state_id is set by insert_state, the others by the
  // global transforms SetRunStateType/Name/Timestamp).
  std::optional<std::string> state_id;
  std::optional<schemas::StateType> state_type;
  std::optional<std::string> state_name;
  std::optional<Timestamp> state_timestamp;

  bool operator==(const RunRecord&) const = default;
};

// An object a flow run relates to, for its state-change events (upstream
// models/events.py _as_resource_data).
struct RelatedObject {
  std::string kind;  // "flow", "deployment", "work-queue", "work-pool", "task-run"
  std::string id;
  std::string name;
  std::vector<std::string> tags;
  std::optional<std::string> work_pool_type;
};

class RunStore {
 public:
  explicit RunStore(Transaction& tx) : tx_(tx) {}

  // The run with `id`, or nullopt. With `for_update` the row is locked until the
  // transaction ends (PostgreSQL; SQLite's write transaction already serialises writers).
  Result<std::optional<RunRecord>> load(RunKind kind, const std::string& id, bool for_update);

  // A state row with its data: the legacy inline `data` when truthy, else the result
  // artifact's data (upstream FlowRunState.data). nullopt when no row has `state_id`.
  Result<std::optional<schemas::State>> read_state(RunKind kind, const std::string& state_id);

  // Whether the run already has a state at exactly `ts` (the unique (run, timestamp) index).
  Result<bool> state_timestamp_taken(RunKind kind, const std::string& run_id, Timestamp ts);

  // Writes `state` for `run` and points run.state_id at it. Data that is not null and not an
  // `{"type": "unpersisted"}` object becomes a result artifact (Artifact.from_result: the
  // artifact_key/_type/_description members move to the artifact's columns). Returns the
  // state as validated: its data without those members. kConflict if the (run, timestamp)
  // pair is taken; backend errors as they come.
  Result<schemas::State> insert_state(RunRecord& run, schemas::State state, core::IdGenerator& ids,
                                      Timestamp now);

  // Saves the bookkeeping columns (state pointer and denormalised state, run_count,
  // expected/next scheduled/start/end times, total_run_time, empirical_policy, and for task
  // runs flow_run_run_count) and bumps `updated`. With `before` (the row as loaded), only
  // the columns that differ are written: SQLite rewrites the entry of every index on a
  // column named in SET, changed or not, and flow_run has ~20 indexes.
  Status save(const RunRecord& run, Timestamp now, const RunRecord* before = nullptr);

  // The flow, deployment, work queue, work pool and parent task run of flow run `run`, in
  // that order, for those that exist.
  Result<std::vector<RelatedObject>> related_objects(const RunRecord& run);

  // Ids of the task runs of `flow_run_id` whose current state is FAILED.
  Result<std::vector<std::string>> failed_task_run_ids(const std::string& flow_run_id);

 private:
  Status add_related(std::vector<RelatedObject>& out, std::string_view kind, std::string_view sql,
                     const std::string& id);
  Result<std::string> insert_result_artifact(const RunRecord& run, std::string& data,
                                             core::IdGenerator& ids, Timestamp now);
  Transaction& tx_;
};

// The string items of the JSON array `json` (tags); others are skipped.
std::vector<std::string> json_strings(std::string_view json);

// The raw JSON of member `key` of the JSON object `json`, if it has one.
std::optional<std::string> json_member(std::string_view json, std::string_view key);
// `json` (an object) with member `key` set to the JSON text `value` (replaced in place, or
// appended), or removed when `value` is nullopt. kInternal if `json` is not an object.
Result<std::string> with_json_member(std::string_view json, std::string_view key,
                                     const std::optional<std::string>& value);

}  // namespace prefectcore::models
