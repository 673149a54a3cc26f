#pragma once

// Reading flow runs over time: a run's states (upstream models/flow_run_states.py), the
// bucketed state history (api/run_history.py) and the average lateness
// (api/flow_runs.py average_flow_run_lateness).
//
// Thread-bound: borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/json_writer.h"
#include "lib/models/flow_runs.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {

// upstream HistoryResponseState; the sums are seconds.
struct HistoryState {
  schemas::StateType state_type = schemas::StateType::kPending;
  std::string state_name;
  std::int64_t count_runs = 0;
  double sum_estimated_run_time = 0;
  double sum_estimated_lateness = 0;
};

// upstream HistoryResponse.
struct HistoryInterval {
  Timestamp interval_start;
  Timestamp interval_end;
  std::vector<HistoryState> states;
};

// One log line of a flow run, as the CSV download lists it.
struct LogLine {
  Timestamp timestamp;
  std::int64_t level = 0;
  std::string flow_run_id;
  std::optional<std::string> task_run_id;
  std::string message;
};

void write_history_interval(core::JsonWriter& w, const HistoryInterval& interval);

class FlowRunHistoryRepository {
 public:
  explicit FlowRunHistoryRepository(Transaction& tx) : tx_(tx) {}

  // The state with `id`, with its data; nullopt when there is none.
  Result<std::optional<schemas::State>> state(const std::string& id);
  // The states of `flow_run_id`, oldest first.
  Result<std::vector<schemas::State>> states(const std::string& flow_run_id);

  // At most 500 intervals of `interval` from `start` while they begin before `end`; each
  // counts the matching runs expected to start in it, per current state type and name,
  // with their estimated run time and lateness as of `now`. `interval` must be positive.
  Result<std::vector<HistoryInterval>> history(const FlowRunFilters& filters, Timestamp start,
                                               Timestamp end, Micros interval, Timestamp now);

  // The mean lateness in seconds of the matching runs as of `now`, or nullopt when none
  // match. A run's lateness is how late it started, or for a run that has not started and
  // is not final, how late it is so far; else 0.
  Result<std::optional<double>> average_lateness(const FlowRunFilters& filters, Timestamp now);

  // Every log of `flow_run_id`, oldest first (upstream download_logs pages through them).
  Result<std::vector<LogLine>> logs(const std::string& flow_run_id);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
