#pragma once

// The scans the run-monitoring services make (upstream services/late_runs.py,
// pause_expirations.py, cancellation_cleanup.py), and publishing what a service's
// transitions emitted. Each function runs in the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/settings.h>

#include "lib/core/internal.h"
#include "lib/events/bus.h"

namespace prefectcore::models {

// Runs in the plain "Scheduled" state (not AwaitingRetry and the like) due at or before
// `before`, oldest first.
Result<std::vector<std::string>> late_run_ids(Transaction& tx, Timestamp before,
                                              std::int64_t limit);

struct PausedRun {
  std::string id;
  std::string state_id;
  std::optional<Timestamp> pause_timeout;
};
// PAUSED runs after `after_id` (ordered by id) with their state's pause_timeout.
Result<std::vector<PausedRun>> paused_runs(Transaction& tx, const std::string& after_id,
                                           std::int64_t limit);
// The run's current state if it is PAUSED (re-checked inside the write transaction).
Result<std::optional<PausedRun>> paused_run(Transaction& tx, const std::string& id);

// CANCELLED runs that ended at or after `since`, by id.
Result<std::vector<std::string>> recently_cancelled_runs(Transaction& tx, Timestamp since,
                                                         std::int64_t limit);
// Task runs of `flow_run_id` in a non-terminal state.
Result<std::vector<std::string>> unfinished_task_runs(Transaction& tx,
                                                      const std::string& flow_run_id,
                                                      std::int64_t limit);

struct OrphanedSubflow {
  std::string id;
  bool has_deployment = false;
};
// Non-terminal subflow runs whose containing flow run is CANCELLED, except deployment-backed
// ones already CANCELLING (their worker finishes the job), after `after_id`, by id.
Result<std::vector<OrphanedSubflow>> orphaned_subflows(Transaction& tx, const std::string& after_id,
                                                       std::int64_t limit);

struct CancellingRun {
  std::string id;
  std::string state_id;
};
// Runs CANCELLING since at or before `before`, oldest first.
Result<std::vector<CancellingRun>> stale_cancelling_runs(Transaction& tx, Timestamp before,
                                                         std::int64_t limit);
// Whether run `id` is still CANCELLING in state `state_id`.
Result<bool> still_cancelling(Transaction& tx, const std::string& id, const std::string& state_id);

// Publishes orchestration's emitted event texts (Environment::events), stamped received at
// `now`. Call after the transaction that produced them committed.
void publish_event_texts(events::EventBus& bus, const EventsSettings& settings, Timestamp now,
                         const std::vector<std::string>& texts);

}  // namespace prefectcore::models
