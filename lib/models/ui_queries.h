#pragma once

// The aggregate reads behind the UI-only routes (upstream api/ui/flows.py, ui/flow_runs.py,
// ui/task_runs.py): counts keyed by id, each flow's next scheduled run, task-run state
// counts and the terminal task runs of a dashboard window.
//
// Thread-bound: a UiQueries borrows one (read) transaction.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {

// upstream SimpleNextFlowRun.
struct NextFlowRun {
  std::string id;
  std::string flow_id;
  std::string name;
  std::string state_name;
  std::string state_type;
  Timestamp next_scheduled_start_time;
};

// One terminal task run of the dashboard window: when it started and whether it failed.
struct TerminalTaskRun {
  Timestamp start_time;
  bool failed = false;
};

class UiQueries {
 public:
  explicit UiQueries(Transaction& tx) : tx_(tx) {}

  // Deployments per flow id; ids without deployments are absent.
  Result<std::map<std::string, std::int64_t>> deployment_counts(
      const std::vector<std::string>& flow_ids);
  // The SCHEDULED run with the earliest next_scheduled_start_time of each flow; flows
  // without one are absent.
  Result<std::map<std::string, NextFlowRun>> next_runs(const std::vector<std::string>& flow_ids);
  // Task runs per flow run id, not counting the task runs that stand for subflow runs.
  Result<std::map<std::string, std::int64_t>> task_run_counts(
      const std::vector<std::string>& flow_run_ids);
  // Task runs matching `where` (over task_run) per state type name.
  Result<std::map<std::string, std::int64_t>> task_run_state_counts(const SqlCondition& where);
  // The started terminal task runs matching `where`.
  Result<std::vector<TerminalTaskRun>> terminal_task_runs(const SqlCondition& where);
  // The name of the flow run of task run `task_run_id`, if it has one.
  Result<std::optional<std::string>> flow_run_name_of_task_run(const std::string& task_run_id);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
