#pragma once

// Auto-scheduled flow runs of deployments (upstream models/deployments.py schedule_runs,
// _generate_scheduled_flow_runs, _insert_scheduled_flow_runs, and the scheduler service's
// deployment selection in services/scheduler.py). Used by the scheduler services and by
// POST /deployments/{id}/schedule.
//
// Every function runs inside the caller's transaction; the caller commits.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/schemas/flow_run.h"

namespace prefectcore::models {

// What to generate for one deployment (upstream schedule_runs' arguments): runs on or after
// `start`, never after `end`, at most `max_runs` per schedule, stopping once both `min_runs`
// runs exist and `start + min_time` is reached.
struct ScheduleWindow {
  Timestamp start{};
  Timestamp end{};
  Micros min_time{0};
  std::int64_t min_runs = 0;
  std::int64_t max_runs = 0;
  bool auto_scheduled = true;
};

// One generated run, not yet stored: the row and its Scheduled date.
struct GeneratedRun {
  schemas::FlowRun run;
  Timestamp date{};
};

// upstream _generate_scheduled_flow_runs: the runs every active schedule of the deployment
// produces in `window` (none when the deployment does not exist). A schedule whose stored
// JSON cannot be read is skipped, as upstream guards erroneous schedules.
Result<std::vector<GeneratedRun>> generate_scheduled_runs(Transaction& tx, core::IdGenerator& ids,
                                                          const std::string& deployment_id,
                                                          const ScheduleWindow& window,
                                                          Timestamp now);

// upstream _insert_scheduled_flow_runs: inserts the runs, skipping those whose (flow_id,
// idempotency key) is taken, and gives each new one its Scheduled state. Returns the ids of
// the runs inserted.
Result<std::vector<std::string>> insert_scheduled_runs(Transaction& tx, core::IdGenerator& ids,
                                                       const std::vector<GeneratedRun>& runs,
                                                       Timestamp now);

// upstream schedule_runs: generate then insert.
Result<std::vector<std::string>> schedule_runs(Transaction& tx, core::IdGenerator& ids,
                                               const std::string& deployment_id,
                                               const ScheduleWindow& window, Timestamp now);

// The main scheduler's page of deployments (ordered by id, after `after_id`): not paused,
// with an active schedule, and with fewer than `min_runs` future auto-scheduled runs or
// none reaching `now + min_time`.
Result<std::vector<std::string>> deployments_needing_runs(
    Transaction& tx, Timestamp now, std::int64_t min_runs, Micros min_time,
    const std::optional<std::string>& after_id, std::int64_t limit);
// The recent-deployments scheduler's page: not paused, with an active schedule, updated at or
// after `since`.
Result<std::vector<std::string>> recently_updated_deployments(
    Transaction& tx, Timestamp since, const std::optional<std::string>& after_id,
    std::int64_t limit);

// upstream _delete_scheduled_runs(auto_scheduled_only=True, future_only=True): deletes the
// deployment's auto-scheduled runs that are SCHEDULED (not AwaitingConcurrencySlot), never
// ran, and are due after `now`. Call it when a deployment's schedules change, so that the
// scheduler regenerates them from the new schedules. Returns the number deleted.
Result<std::int64_t> delete_future_auto_scheduled_runs(Transaction& tx,
                                                       const std::string& deployment_id,
                                                       Timestamp now);
// The same, only for the runs schedule `schedule_id` created (created_by.id).
Result<std::int64_t> delete_future_auto_scheduled_runs(Transaction& tx,
                                                       const std::string& deployment_id,
                                                       const std::string& schedule_id,
                                                       Timestamp now);

// The date as Python's str(datetime) prints it in `timezone` ("2025-01-02 03:04:05+00:00"),
// the form upstream's idempotency keys carry.
std::string python_datetime_str(Timestamp t, const std::optional<std::string>& timezone);

}  // namespace prefectcore::models
