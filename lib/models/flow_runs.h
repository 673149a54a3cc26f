#pragma once

// Flow runs (upstream models/flow_runs.py) over the Database interface. Reads return the
// FlowRunResponse view: the row, its work queue and pool names and its current state with
// data. Orchestration (set_flow_run_state) lives in lib/orchestration; this repository only
// writes the columns a client may set.
//
// Thread-bound: a FlowRunRepository borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/models/orchestration_concurrency.h"
#include "lib/models/state_rows.h"
#include "lib/schemas/flow_run.h"

namespace prefectcore::models {

// The filters a flow run list/count request may combine. Upstream applies a related filter
// whenever its object is in the body, so `"deployments": {}` keeps only runs that have a
// deployment: nullopt means "not given".
struct FlowRunFilters {
  SqlCondition flow_runs;
  std::optional<SqlCondition> flows;
  std::optional<SqlCondition> task_runs;
  std::optional<SqlCondition> deployments;
  std::optional<SqlCondition> work_pools;
  std::optional<SqlCondition> work_queues;
};

// upstream FlowRunSort.
enum class FlowRunSort {
  kIdDesc,
  kStartTimeAsc,
  kStartTimeDesc,
  kExpectedStartTimeAsc,
  kExpectedStartTimeDesc,
  kNameAsc,
  kNameDesc,
  kNextScheduledStartTimeAsc,
  kEndTimeDesc,
};
const std::vector<std::string_view>& flow_run_sort_names();
FlowRunSort parse_flow_run_sort(std::string_view name);  // unknown: kIdDesc

// The WHERE clause (over `flow_run`) for `filters`: related filters become EXISTS
// subqueries as upstream's _apply_flow_run_filters builds them.
SqlCondition flow_run_where(const FlowRunFilters& filters);

class FlowRunRepository {
 public:
  explicit FlowRunRepository(Transaction& tx) : tx_(tx) {}

  // Inserts `run` (id, created/updated and every client-settable column; no state). With an
  // idempotency key, does nothing when (flow_id, key) is taken. Returns whether a row was
  // inserted. kConflict with upstream's integrity message when a reference (flow,
  // parent task run, infrastructure document, work queue) does not exist.
  Result<bool> insert(const schemas::FlowRun& run);
  // The id of the run of `flow_id` with `idempotency_key`, if any.
  Result<std::optional<std::string>> find_by_idempotency_key(const std::string& flow_id,
                                                             const std::string& key);

  Result<std::optional<schemas::FlowRun>> find(const std::string& id);
  // kNotFound "Flow run not found".
  Result<schemas::FlowRun> get(const std::string& id);
  // Applies the members present in `update` (a name must already be filled in); false when
  // no run has `id`.
  Result<bool> update(const std::string& id, const schemas::FlowRunUpdate& update, Timestamp now);
  // Merges `labels` (a JSON object) into the run's labels. kObjectNotFound "Flow run with id
  // … not found".
  Status update_labels(const std::string& id, std::string_view labels, Timestamp now);
  // Deletes the run and its logs, releasing its deployment concurrency slot when it held one
  // (upstream cleanup_flow_run_concurrency_slots). false when no run has `id`.
  Result<bool> remove(const std::string& id, const SlotWaits& waits, Timestamp now);

  Result<std::vector<schemas::FlowRun>> list(const FlowRunFilters& filters, FlowRunSort sort,
                                             std::int64_t limit, std::int64_t offset);
  Result<std::int64_t> count(const FlowRunFilters& filters);
  // Ids of the runs matching `filters`, in `sort` order (bulk operations).
  Result<std::vector<std::string>> ids(const FlowRunFilters& filters, FlowRunSort sort,
                                       std::int64_t limit);

  // The labels a new run gets (upstream with_system_labels_for_flow_run): the deployment's
  // labels and its ids when `deployment_id` names one, else the flow's labels and its id;
  // then `user_labels` (a JSON object or nullopt) on top.
  Result<std::string> system_labels(const std::string& flow_id,
                                    const std::optional<std::string>& deployment_id,
                                    const std::optional<std::string>& user_labels);
  // upstream WorkerLookups: the queue `queue_name` of pool `pool_name`, or the pool's
  // default queue (nullopt when it has none). kNotFound with upstream's messages.
  Result<std::optional<std::string>> resolve_work_queue(
      const std::string& pool_name, const std::optional<std::string>& queue_name);
  // The run's deployment, its state type and whether the deployment exists (for PATCH
  // job_variables). nullopt when no run has `id`.
  struct DeploymentCheck {
    std::optional<schemas::StateType> state_type;
    std::optional<std::string> deployment_id;
    bool deployment_exists = false;
  };
  Result<std::optional<DeploymentCheck>> deployment_check(const std::string& id);

 private:
  Result<std::vector<schemas::FlowRun>> select(std::string_view where_sql,
                                               const std::vector<SqlValue>& params,
                                               std::string_view tail);
  Transaction& tx_;
};

// Reads a state from the nine columns at `at` (see kStateSelect): the legacy inline data
// when truthy, else the result artifact's data (upstream FlowRunState.data). nullopt when
// the state id column is NULL.
Result<std::optional<schemas::State>> read_state_columns(const Row& row, std::size_t at);
// The select list and joins read_state_columns expects, for a state table aliased `s`.
inline constexpr std::string_view kStateSelect =
    "s.id, s.type, s.name, s.timestamp, s.message, s.state_details, s.data, "
    "s.result_artifact_id, a.data";
inline constexpr std::string_view kStateArtifactJoin =
    " LEFT JOIN artifact a ON a.id = s.result_artifact_id";

// Parses an optional storage timestamp cell.
Result<std::optional<Timestamp>> opt_time_cell(const Row& row, std::size_t i);

}  // namespace prefectcore::models
