#pragma once

// Task runs and their states (upstream models/task_runs.py, models/task_run_states.py and
// api/run_history.py for task runs) over the Database interface.
//
// Thread-bound: a TaskRunRepository borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/models/flow_run_history.h"  // HistoryInterval, shared with flow runs
#include "lib/models/state_rows.h"
#include "lib/schemas/state.h"
#include "lib/schemas/task_run.h"

namespace prefectcore::models {

// The filters a task-run list/count/history request may combine. A related filter that is
// present (even `{}`) restricts the result to task runs with a matching flow run, as
// upstream's truthiness test on the filter object does.
struct TaskRunFilters {
  SqlCondition task_runs;
  SqlCondition flow_runs;
  SqlCondition flows;
  SqlCondition deployments;
  bool flow_runs_set = false;
  bool flows_set = false;
  bool deployments_set = false;
};

enum class TaskRunSort {
  kIdDesc,
  kExpectedStartTimeAsc,
  kExpectedStartTimeDesc,
  kNameAsc,
  kNameDesc,
  kNextScheduledStartTimeAsc,
  kEndTimeDesc,
};

class TaskRunRepository {
 public:
  explicit TaskRunRepository(Transaction& tx) : tx_(tx) {}

  // Inserts the run unless one with the same (flow_run_id, task_key, dynamic_key) exists
  // (task_key and dynamic_key among runs without a flow run). `labels` are the merged
  // labels to store. Returns the stored run's id and whether it was created. kConflict when
  // `id` is taken or the flow run does not exist.
  Result<std::pair<std::string, bool>> create(const schemas::TaskRunCreate& run,
                                              const std::string& id, const std::string& name,
                                              const std::string& labels, Timestamp now);
  // The labels a new run gets: its flow run's labels, then prefect.flow-run.id, then the
  // client's (upstream with_system_labels_for_task_run).
  Result<std::string> system_labels(const schemas::TaskRunCreate& run);

  // kNotFound "Task not found".
  Result<schemas::TaskRun> get(const std::string& id);
  Result<std::optional<schemas::TaskRun>> find(const std::string& id);
  // Sets the name (nullopt: only bumps `updated`, as upstream's empty update does); false
  // when no run has `id`.
  Result<bool> rename(const std::string& id, const std::optional<std::string>& name, Timestamp now);
  // false when no run has `id`. Its states go with it (FK cascade) and so do its logs
  // (upstream deletes them in a background task).
  Result<bool> remove(const std::string& id);

  Result<std::vector<schemas::TaskRun>> list(const TaskRunFilters& filters, TaskRunSort sort,
                                             std::int64_t limit, std::int64_t offset);
  Result<std::int64_t> count(const TaskRunFilters& filters);
  // Runs expected to start in [start, end), bucketed by `interval` (at most 500 buckets),
  // each bucket grouped by state; `now` feeds the estimated run time and lateness.
  Result<std::vector<HistoryInterval>> history(const TaskRunFilters& filters, Timestamp start,
                                               Timestamp end, Micros interval, Timestamp now);

  // A task run state with its data; nullopt when no state has `id`.
  Result<std::optional<schemas::State>> read_state(const std::string& id);
  // The states of `task_run_id`, oldest first.
  Result<std::vector<schemas::State>> states_of(const std::string& task_run_id);

 private:
  Result<std::vector<schemas::TaskRun>> select(const SqlCondition& where, std::string_view tail);
  Result<std::vector<schemas::State>> select_states(std::string_view where_sql,
                                                    const std::string& param);
  Transaction& tx_;
};

// The WHERE clause (over `task_run`) for a TaskRunFilters (upstream _apply_task_run_filters).
SqlCondition task_run_where(const TaskRunFilters& filters);

// The state columns read by the repositories ("s" a state table, "a" its result artifact),
// and the State they make, starting at column `at`; the data is the legacy inline data
// when truthy, else the result artifact's.
inline constexpr std::string_view kStateWithDataColumns =
    "s.id, s.type, s.name, s.timestamp, s.message, s.state_details, s.data, "
    "s.result_artifact_id, a.data";

}  // namespace prefectcore::models
