#pragma once

// The computed timing fields shared by flow runs and task runs (upstream
// database/orm_models.py Run): one definition for both kinds of run, which carry the same
// bookkeeping fields.

#include <prefectcore/clock.h>

#include "lib/core/internal.h"
#include "lib/schemas/state.h"

namespace prefectcore::schemas {

// upstream Run.estimated_run_time: total_run_time, plus the time spent in the current
// RUNNING state so far.
template <typename Run>
Micros estimated_run_time(const Run& run, Timestamp now) {
  if (run.state_type == StateType::kRunning && run.state_timestamp) {
    return run.total_run_time + (now - *run.state_timestamp);
  }
  return run.total_run_time;
}

// upstream Run.estimated_start_time_delta: how late the run started, or how late it is so
// far when it has not started, is not final and was expected already.
template <typename Run>
Micros estimated_start_time_delta(const Run& run, Timestamp now) {
  if (run.start_time && run.expected_start_time && *run.start_time > *run.expected_start_time) {
    return *run.start_time - *run.expected_start_time;
  }
  const bool terminal = run.state_type && is_terminal(*run.state_type);
  if (!run.start_time && run.expected_start_time && *run.expected_start_time < now && !terminal) {
    return now - *run.expected_start_time;
  }
  return Micros{0};
}

}  // namespace prefectcore::schemas
